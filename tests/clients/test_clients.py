"""Client models: each finding id with its witness, the real-client profiles against the facts
file, model sources (lists, JSON, TOML), the CLI, and the poller harness."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, cast

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobstate import (
    FINDINGS,
    FUTURE_VALUE,
    PROFILES,
    SPEC_NAMES,
    Action,
    ClientModel,
    ClientModelError,
    UnknownAction,
    check_client,
    get_spec,
    load_model,
)
from jobstate._constants import PROFILE_NAMES
from jobstate.testing import check_poller
from tests.clirun import Ran, cli, cli_text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples"))
from pollers import correct_poller, rclone_2018_poller  # noqa: E402


def found(model: ClientModel, spec: str = "current") -> list[tuple[str, str, str]]:
    return [(f.id, f.status, f.severity) for f in check_client(model, spec)]


def errors(model: ClientModel, spec: str = "current") -> list[Any]:
    return [f for f in check_client(model, spec) if f.severity == "error"]


def test_finding_ids_are_the_public_contract() -> None:
    """The status-level finding ids, and those on what the client does with HTTP answers."""
    assert set(FINDINGS) == {
        "polls-forever", "spurious-timeout", "stops-early", "wrong-outcome", "crashes-on",
        "unknown-value", "misses-completion", "dies-on-transient", "crashes-on-gone",
        "ignores-retry-after",
    }  # fmt: skip


def test_polls_forever_with_witness() -> None:
    """A terminal status polled with no timeout; the witness is the shortest path to it."""
    [f] = errors(ClientModel("c", {"completed": "success", "failed": "failure"}))
    assert (f.id, f.status, f.severity) == ("polls-forever", "cancelled", "error")
    assert f.witness == ("notStarted", "cancelled")


def test_spurious_timeout() -> None:
    """With a timeout, polling on a terminal status is a spurious timeout."""
    model = ClientModel("c", {"completed": "success", "cancelled": "cancelled"}, timeout=60)
    [f] = errors(model)
    assert (f.id, f.status) == ("spurious-timeout", "failed")
    assert "60 s timeout" in f.message


def test_stops_early() -> None:
    """A non-terminal status treated as final, witnessed by its shortest path."""
    model = ClientModel.from_lists(
        success=["completed"], failure=["failed", "waiting"], cancelled=["cancelled"]
    )
    [f] = errors(model)
    assert (f.id, f.status, f.witness) == (
        "stops-early", "waiting", ("notStarted", "inProgress", "waiting")
    )  # fmt: skip


def test_wrong_outcome_severity() -> None:
    """cancelled as success is an error; cancelled as failure only a warning."""
    as_success = ClientModel.from_lists(success=["completed", "cancelled"], failure=["failed"])
    assert ("wrong-outcome", "cancelled", "error") in found(as_success)
    as_failure = ClientModel.from_lists(success=["completed"], failure=["failed", "cancelled"])
    assert ("wrong-outcome", "cancelled", "warning") in found(as_failure)
    assert errors(as_failure) == []


def test_crashes_on_documented_status() -> None:
    """A documented status the client cannot parse, listed or by its unknown action."""
    model = ClientModel.from_lists(
        success=["completed"], failure=["failed"], cancelled=["cancelled"],
        poll=["notStarted", "inProgress", "waiting"], crash=["*"],
    )  # fmt: skip
    assert ("crashes-on", "cancelPending", "error") in found(model)


def test_unknown_value_checks() -> None:
    """Other-revision and future values: crash is an error, stopping or polling a terminal
    one a warning, polling an unknown non-terminal value is fine."""
    crash = ClientModel.from_lists(
        success=["completed"], failure=["failed"], cancelled=["cancelled"], crash=["*"],
        poll=["notStarted", "inProgress", "waiting", "cancelPending"],
    )  # fmt: skip
    ids = found(crash)
    assert ("unknown-value", FUTURE_VALUE, "error") in ids
    assert ("unknown-value", "deleteFailed", "error") in ids
    stop = ClientModel.from_lists(
        success=["completed"], failure=["failed", "*"], cancelled=["cancelled"],
        poll=["notStarted", "inProgress", "waiting", "cancelPending"],
    )  # fmt: skip
    assert ("unknown-value", "updating", "warning") in found(stop)
    assert ("unknown-value", "deleteFailed", "warning") not in found(stop)  # failure is right
    tolerant = ClientModel.from_lists(
        success=["completed"], failure=["failed", "deleteFailed"], cancelled=["cancelled"],
        poll=["*"],
    )  # fmt: skip
    assert found(tolerant) == []
    [f] = errors(
        ClientModel.from_lists(success=["completed"], failure=["failed"], poll=["*"]), "legacy"
    )
    assert (f.id, f.status, f.witness) == (
        "polls-forever", "deleteFailed", ("notStarted", "deletePending", "deleteFailed")
    )  # fmt: skip


ACTIONS = st.sampled_from(["success", "failure", "cancelled", "poll", "crash"])


@pytest.mark.parametrize("spec", SPEC_NAMES)
@given(data=st.data())
def test_witnesses_are_shortest_paths_to_the_status(spec: str, data: st.DataObject) -> None:
    """Every finding's witness starts at the initial state, follows edges and ends at its
    status (or, for a future value, right after the initial state)."""
    sp = get_spec(spec)
    any_spec = get_spec("any")
    actions = data.draw(st.dictionaries(st.sampled_from(any_spec.names), ACTIONS))
    unknown = data.draw(st.sampled_from(["poll", "failure", "crash"]))
    model = ClientModel("c", cast(dict[str, Action], actions), cast(UnknownAction, unknown))
    for f in check_client(model, sp):
        assert f.witness[0] == sp.initial and f.witness[-1] == f.status
        if f.status == FUTURE_VALUE:
            assert len(f.witness) == 2
        else:
            graph = sp if f.status in sp else any_spec
            assert f.witness == graph.shortest_path(graph.initial, f.status)


@pytest.mark.parametrize("spec", SPEC_NAMES)
def test_a_faithful_client_has_no_error(spec: str) -> None:
    """Mapping each terminal status to its outcome and polling otherwise finds no error."""
    sp = get_spec("any")
    model = ClientModel("faithful", {s: sp.outcome(s) for s in sp.terminal}, unknown="poll")  # type: ignore[misc]
    assert [f for f in check_client(model, spec) if f.severity == "error"] == []


# -- profiles, against shared/reference/asyncjobstatus-facts.md §3 ------------------------------


@pytest.mark.parametrize(
    ("profile", "spec", "expected"),
    [
        ("rclone-2018", "current", ("spurious-timeout", "failed")),
        ("rclone-2018", "legacy", ("spurious-timeout", "failed")),
        ("rclone", "current", ("spurious-timeout", "cancelled")),
        ("nuxeo-onedrive-java", "current", ("crashes-on", "cancelled")),
        ("nuxeo-onedrive-java", "current", ("crashes-on", "cancelPending")),
        ("nuxeo-onedrive-java", "current", ("polls-forever", "failed")),
        ("nuxeo-onedrive-java", "legacy", ("unknown-value", FUTURE_VALUE)),
        ("python-o365", "current", ("polls-forever", "failed")),
        ("onedrive-sdk-python", "current", ("polls-forever", "cancelled")),
        ("onedrive-sdk-python", "current", ("polls-forever", "completed")),
        ("msgraph-dotnet", "current", ("polls-forever", "completed")),
        ("office365-rest-python-client", "legacy", ("spurious-timeout", "deleteFailed")),
        ("fs-onedrivefs", "current", ("polls-forever", "failed")),
        ("fs-onedrivefs", "current", ("polls-forever", "cancelled")),
    ],
)
def test_profiles_match_the_facts(profile: str, spec: str, expected: tuple[str, str]) -> None:
    """Each profile shows the behaviour the facts file reports for that client."""
    assert expected in [(f.id, f.status) for f in check_client(PROFILES[profile], spec)]


def test_rclone_handles_failed_today() -> None:
    """The fixed rclone ends on failed; only the 2018 version times out on it."""
    assert ("spurious-timeout", "failed") not in [
        (f.id, f.status) for f in check_client(PROFILES["rclone"])
    ]


def test_every_profile_has_source_and_notes() -> None:
    """The eight clients of §3, each citing its source and how it is approximated."""
    assert set(PROFILES) == {
        "rclone", "rclone-2018", "msgraph-dotnet", "onedrive-sdk-python", "python-o365",
        "nuxeo-onedrive-java", "office365-rest-python-client", "fs-onedrivefs",
    }  # fmt: skip
    for model in PROFILES.values():
        assert model.source and model.notes
    assert tuple(PROFILES) == PROFILE_NAMES  # the CLI's choices, without loading the profiles


# -- what clients decide by beyond the status string --------------------------------------------

MISS, GONE = "misses-completion", "crashes-on-gone"
FAITHFUL = ClientModel.from_lists(
    "faithful", success=["completed"], failure=["failed", "deleteFailed"], cancelled=["cancelled"]
)


def _protocol(model: ClientModel) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in check_client(model):
        if f.exchanges:
            out.setdefault(f.id, []).append(str(f.exchanges[-1]["http"]))
    return out


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, {}),
        ({"on_redirect": "follow"}, {MISS: ["303"]}),
        ({"on_redirect": "crash"}, {MISS: ["303"]}),
        ({"ends_on": frozenset({"no-status"})}, {MISS: ["202", "200"]}),
        ({"ends_on": frozenset({"http-not-202"}), "on_redirect": "follow"},
         {MISS: ["202"], "stops-early": ["200", "200"]}),
        ({"on_redirect": "poll"}, {MISS: ["303"]}),
        ({"ends_on": frozenset({"resource-id"}), "on_redirect": "follow"}, {MISS: ["303"]}),
        ({"on_server_error": "raise"}, {"dies-on-transient": ["500"]}),
        ({"on_server_error": "poll"}, {}),
        ({"on_gone": "crash"}, {}),  # it never polls past an end: no 404 reaches it
        ({"on_gone": "crash", "on_redirect": "follow"}, {MISS: ["303"], GONE: ["404"]}),
        ({"interval": 0.0, "retry_after": False}, {"ignores-retry-after": ["202"]}),
        ({"interval": 0.0, "retry_after": True}, {}),
    ],
)  # fmt: skip
def test_protocol_findings(changes: dict[str, Any], expected: dict[str, list[str]]) -> None:
    """Each way of deciding by HTTP answers gets its finding, with a witness exchange sequence
    from the monitor scenarios ending at the answer that breaks the client."""
    from dataclasses import replace

    assert _protocol(replace(FAITHFUL, **changes)) == expected


def test_profiles_say_what_the_real_clients_decide_by() -> None:
    """The facts of §3 as protocol findings: python-o365 misses the 303 and dies on the 404,
    onedrive-sdk-python misses the 202/200 bodies, msgraph-dotnet the 202 body,
    Office365-REST dies on a transient 500, fs-onedrivefs crashes on the 303."""
    assert _protocol(PROFILES["python-o365"]) == {
        "misses-completion": ["303"], "crashes-on-gone": ["404"], "ignores-retry-after": ["202"]
    }  # fmt: skip
    assert _protocol(PROFILES["onedrive-sdk-python"])["misses-completion"] == ["202", "200"]
    assert _protocol(PROFILES["msgraph-dotnet"])["misses-completion"] == ["202"]
    assert "dies-on-transient" in _protocol(PROFILES["office365-rest-python-client"])
    assert _protocol(PROFILES["fs-onedrivefs"])["misses-completion"] == ["303"]


def test_model_file_and_cli_take_the_protocol(tmp_path: Path) -> None:
    """Model files and `jobstate client` options set what the client decides by."""
    f = tmp_path / "m.toml"
    f.write_text('success = ["completed"]\nends_on = ["resource-id"]\non_redirect = "follow"\n')
    model = load_model(f)
    assert model.ends_on == frozenset({"resource-id"}) and model.on_redirect == "follow"
    proc = run("client", "--profile", "rclone", "--on-5xx", "raise", "--format", "json")
    ids = [x["id"] for x in orjson.loads(proc.stdout)["findings"]]
    assert proc.returncode == 1 and "dies-on-transient" in ids
    bad = run("client", "--success", "completed", "--ends-on", "bogus")
    assert bad.returncode == 2 and b"ends_on bogus" in bad.stderr
    f.write_text('success = ["completed"]\ninterval = "fast"\n')
    with pytest.raises(ClientModelError, match="interval"):
        load_model(f)


# -- model sources ------------------------------------------------------------------------------


def test_from_lists_star_and_conflicts() -> None:
    """'*' sets the unknown action; a value in two lists is refused."""
    model = ClientModel.from_lists(success=["completed"], failure=["*"])
    assert model.unknown == "failure" and model.action("whatever") == "failure"
    with pytest.raises(ValueError, match="both success and failure"):
        ClientModel.from_lists(success=["completed"], failure=["completed"])
    with pytest.raises(ValueError, match="can only be"):
        ClientModel.from_lists(success=["*"])


def test_load_json_and_toml(tmp_path: Path) -> None:
    """The same model from JSON and TOML files."""
    j = tmp_path / "m.json"
    j.write_text('{"name": "mine", "success": ["completed"], "failure": "failed, deleteFailed",'
                 ' "poll": ["*"], "timeout": 120}')  # fmt: skip
    t = tmp_path / "m.toml"
    t.write_text('name = "mine"\nsuccess = ["completed"]\nfailure = ["failed", "deleteFailed"]\n'
                 'poll = ["*"]\ntimeout = 120\n')  # fmt: skip
    assert load_model(j) == load_model(t)
    assert load_model(j).timeout == 120


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.json", "{nope", "not JSON"),
        ("bad.toml", "x = = 1", "not TOML"),
        ("list.json", "[]", "object"),
        ("keys.json", '{"sucess": ["completed"]}', "unknown keys sucess"),
        ("type.json", '{"poll": 3}', "list of status values"),
        ("timeout.json", '{"timeout": "soon"}', "number of seconds"),
    ],
)
def test_bad_model_files(tmp_path: Path, name: str, text: str, message: str) -> None:
    """A bad model file is a ValueError naming the file and the problem."""
    f = tmp_path / name
    f.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_model(f)


# -- CLI --------------------------------------------------------------------------------------


def run(*args: str) -> Ran:
    """The CLI in process (tests.clirun)."""
    return cli(*args)


def test_cli_client_profile_exits_1_with_witness() -> None:
    """A profile with error findings exits 1 and prints each witness."""
    proc = run("client", "--profile", "rclone-2018")
    assert proc.returncode == 1
    out = proc.stdout.decode()
    assert "spurious-timeout" in out and "witness: notStarted -> failed" in out


def test_cli_client_lists_exit_0_when_right() -> None:
    """A client that gets every value right exits 0."""
    proc = run(
        "client", "--success", "completed", "--failure", "failed,deleteFailed",
        "--cancelled", "cancelled", "--poll", "*",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout
    assert b"0 errors, 0 warnings" in proc.stdout


def test_cli_client_json(tmp_path: Path) -> None:
    """--format json gives the findings with witnesses as monitor bodies."""
    model = tmp_path / "m.toml"
    model.write_text('success = ["completed"]\npoll = ["*"]\n')
    proc = run("client", "--model", str(model), "--format", "json", "--spec", "legacy")
    data = orjson.loads(proc.stdout)
    assert proc.returncode == 1 and data["ok"] is False and data["spec"] == "legacy"
    first: dict[str, Any] = data["findings"][0]
    assert first["witness_bodies"][-1] == {"status": first["status"]}


@pytest.mark.parametrize(
    "args",
    [
        ("client",),
        ("client", "--profile", "rclone", "--success", "completed"),
        ("client", "--profile", "curl"),
        ("client", "--model", "no-such-model.json"),
        ("client", "--success", "completed", "--failure", "completed"),
    ],
)
def test_cli_client_usage_exits_2(args: tuple[str, ...]) -> None:
    """No model, two models, an unknown profile, a missing file or a conflict: exit 2."""
    proc = run(*args)
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr


def test_cli_clients_matrix() -> None:
    """jobstate clients --format markdown prints the profiles x specs table with the findings."""
    proc = run("clients", "--format", "markdown")
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert out.startswith("| client | spec `current` | spec `legacy` |")
    row = next(ln for ln in out.splitlines() if ln.startswith("| `rclone-2018`"))
    assert "spurious-timeout: **failed**" in row
    data = orjson.loads(run("clients", "--format", "json").stdout)
    assert set(data) == set(PROFILES)


# -- the poller harness -------------------------------------------------------------------------


def test_harness_catches_the_rclone_2018_poller_with_a_minimal_trace() -> None:
    """The buggy poller fails on a one-observation trace: ['failed'] under legacy; under
    current, ['failed'] or ['cancelled'] (it polls forever on both)."""
    with pytest.raises(AssertionError) as info:
        check_poller(rclone_2018_poller, spec="legacy", derandomize=True)
    assert "polls forever on ['failed']:" in str(info.value)
    with pytest.raises(AssertionError) as info:
        check_poller(rclone_2018_poller, spec="current", derandomize=True)
    assert re.search(r"polls forever on \['(failed|cancelled)'\]:", str(info.value))


@pytest.mark.parametrize("spec", SPEC_NAMES)
def test_harness_passes_the_correct_poller(spec: str) -> None:
    """The correct poller passes on every spec, future values included."""
    check_poller(correct_poller, spec=spec, max_examples=100)


def test_harness_catches_stopping_early() -> None:
    """A poller that takes a running job for a finished one stops before the terminal status."""

    def hasty(fetch: Any) -> str:
        while True:
            status = fetch()["status"]
            if status in ("inProgress", "completed"):
                return "success"
            if status in ("failed", "cancelled"):
                return str({"failed": "failure"}.get(status, status))

    with pytest.raises(AssertionError, match=r"stopped early on \['inProgress', '\w+'\]"):
        check_poller(hasty, derandomize=True)


def test_harness_catches_a_crash_on_unknown_values() -> None:
    """A poller that cannot parse a value it does not know fails on the injected one."""
    known = {"notStarted", "inProgress", "waiting", "cancelPending", "completed", "failed",
             "cancelled"}  # fmt: skip

    def strict(fetch: Any) -> str:
        while True:
            status = fetch()["status"]
            if status not in known:
                raise ValueError(f"unknown status {status}")
            if status in ("completed", "failed", "cancelled"):
                return str({"completed": "success", "failed": "failure"}.get(status, status))

    with pytest.raises(
        AssertionError, match=f"poller raised ValueError: unknown status {FUTURE_VALUE}"
    ):
        check_poller(strict, derandomize=True)
    check_poller(strict, unknown_values=False, max_examples=50)


def test_harness_catches_a_wrong_outcome() -> None:
    """Reporting cancelled as success is caught, through outcome_of."""

    def optimist(fetch: Any) -> bool:
        while True:
            if fetch()["status"] in ("completed", "failed", "cancelled"):
                return True

    with pytest.raises(AssertionError, match="the outcome is"):
        check_poller(optimist, outcome_of=lambda ok: "success" if ok else "failure",
                     derandomize=True)  # fmt: skip


def test_check_poller_turns_a_pollers_crash_into_a_finding() -> None:
    """A poller that raises (here on a body without a percentage) fails check_poller with an
    AssertionError naming its exception and the minimal trace, not the exception bare."""

    def poller(poll: Any) -> str:
        while True:
            body = poll()
            _ = body["percentageComplete"] + 0  # a crash on a body without it
            if body["status"] in ("completed", "failed", "cancelled"):
                return str(body["status"])

    with pytest.raises(AssertionError, match=r"poller raised KeyError: 'percentageComplete' on \["):
        check_poller(poller, max_examples=5, derandomize=True)


def test_check_poller_awaits_an_async_poller() -> None:
    """An ``async def`` poller is given an awaitable fetch: a correct one passes every trace,
    and one that stops on 'completed' only is caught polling another end forever."""
    ends = {"completed": "success", "failed": "failure", "cancelled": "cancelled"}

    async def correct(fetch: Any) -> str:
        while True:
            status = (await fetch())["status"]
            if status in ends:
                return ends[status]

    async def hasty(fetch: Any) -> str:
        while (await fetch())["status"] != "completed":
            pass
        return "success"

    check_poller(correct, max_examples=20, derandomize=True)
    with pytest.raises(AssertionError, match=r"poller polls forever on \[.*'(failed|cancelled)'\]"):
        check_poller(hasty, derandomize=True)


def test_model_files_take_the_option_names_and_redirect_poll(tmp_path: Path) -> None:
    """A model file may spell its keys as the options do (on-5xx, ends-on, on-redirect) and
    the old names still read; on-redirect poll (fetching the monitor again after its 303) is a
    completion missed, with its witness."""
    new = tmp_path / "new.toml"
    new.write_text('success = ["completed"]\nfailure = ["failed"]\ncancelled = ["cancelled"]\n'
                   'poll = ["*"]\non-5xx = "raise"\non-redirect = "poll"\n')  # fmt: skip
    old = tmp_path / "old.toml"
    old.write_text('success = ["completed"]\nfailure = ["failed"]\ncancelled = ["cancelled"]\n'
                   'poll = ["*"]\non_server_error = "raise"\non_redirect = "poll"\n')  # fmt: skip
    a, b = load_model(new), load_model(old)
    assert (a.on_server_error, a.on_redirect) == ("raise", "poll") and a.actions == b.actions
    found = {(f.id, f.message) for f in check_client(a)}
    assert (
        "misses-completion",
        "keeps polling on the onedrive dialect's completion (HTTP 303)",
    ) in found


def test_an_answer_before_the_end_that_stops_a_client_is_stops_early() -> None:
    """A client that ends on any 2xx but 202 stops at the business dialect's first 200: a
    stops-early finding whose witness is the exchanges up to that answer (msgraph-dotnet's
    blind spot), and none where its status alone already says so."""
    from jobstate import PROFILES

    found = [f for f in check_client(PROFILES["msgraph-dotnet"]) if f.id == "stops-early"]
    assert [(f.status, len(f.exchanges)) for f in found] == [("notStarted", 1), ("inProgress", 2)]
    assert all(e["http"] == 200 for f in found for e in f.exchanges)
    hasty = ClientModel("hasty", {"inProgress": "success", "completed": "success"})
    early = [f for f in check_client(hasty) if f.id == "stops-early"]
    assert [f.exchanges for f in early] == [()]  # the status-level one alone


def test_a_client_on_a_users_spec_is_checked_on_its_values_alone() -> None:
    """On a spec file (the IPP print job), a client is checked on that spec's values; the
    Graph pack's other revision, future value and HTTP answers are not applied, and the text
    says so; the spec is named, not shown as an object."""
    from jobstate.spec.loading import load_spec

    ipp = load_spec(Path(__file__).resolve().parents[2] / "examples/specs/ipp-print-job.toml")
    model = ClientModel.from_lists("c", success=["completed"], poll=["*"])
    found = check_client(model, ipp)
    assert {f.id for f in found} == {"polls-forever"}
    assert {f.status for f in found} == {"canceled", "aborted"}
    ran = cli_text("client", "--spec", "examples/specs/ipp-print-job.toml", "--success",
                   "completed", "--poll", "*", cwd=Path(__file__).resolve().parents[2])  # fmt: skip
    lines = ran.stdout.splitlines()
    assert lines[0] == "client ad-hoc under spec ipp-print-job" and ran.returncode == 1
    assert lines[-1].startswith("note: spec ipp-print-job is no Microsoft Graph pack spec")


def test_crashes_on_gone_follows_the_end_the_client_polls_past() -> None:
    """A client that stops at completed but polls on cancelled dies on the 404 along the
    cancelled course (the cause), not along a completed one it handles."""
    from dataclasses import replace

    model = replace(
        ClientModel.from_lists("c", success=["completed"], failure=["failed"], poll=["*"]),
        on_gone="crash",
    )
    (gone,) = [f for f in check_client(model) if f.id == "crashes-on-gone"]
    assert gone.status == "cancelled" and gone.witness[-1] == "cancelled"
    assert [e["http"] for e in gone.exchanges][-1] == 404
    assert [e["body"]["status"] for e in gone.exchanges[:-1]] == list(gone.witness)
