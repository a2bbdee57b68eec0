"""One reading of a monitor's answer: `check`, the SQL, the behaviour findings and the poller
agree on what ends a job (a 303, the finished item at the monitor URL) and what does not (another
redirect, an empty object, a null status, an error body)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import jobstate
from jobstate.cli import main
from jobstate.spec.protocol import COMPLETIONS, Exchange, classify
from jobstate.validation.behaviour import BehaviourTracker
from jobstate.validation.checker import Checker

_BODIES: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.just({}),
    st.fixed_dictionaries(
        {},
        optional={
            "id": st.one_of(st.text(max_size=4), st.integers(), st.none()),
            "status": st.one_of(st.sampled_from(["inProgress", "completed", "failed"]), st.none()),
            "error": st.just({"code": "generalException"}),
            "name": st.text(max_size=4),
        },
    ),
)
_CODES = st.sampled_from([200, 201, 202, 204, 301, 302, 303, 307, 308, 401, 404, 429, 500, 503])


def _checked(answers: list[tuple[int, Any]]) -> Checker:
    c = Checker(jobstate.Validator("current").tables)
    for n, (http, body) in enumerate(answers):
        c.feed(body if body is not None else {}, n, http)
    return c


@given(_CODES, _BODIES)
def test_check_ends_a_job_where_the_poller_does(http: int, body: Any) -> None:
    """After a running answer, `check`'s general path finds success exactly where the poller's
    classification says the answer is a completion (or a completed status), and never calls a
    completion a missing status."""
    c = _checked([(202, {"status": "inProgress"}), (http, body)])
    kind = classify(http, body)
    status = body.get("status") if isinstance(body, dict) else None
    expected = kind in COMPLETIONS or (kind == "status" and status == "completed")
    assert (c.outcome == "success") is expected, (http, body, c.outcome)
    if kind in COMPLETIONS or kind == "redirect":
        assert not c.violations, c.violations
    if kind == "redirect":
        assert c.error_answers == 1


@given(_CODES, _BODIES)
def test_the_client_findings_end_a_job_where_the_poller_does(http: int, body: Any) -> None:
    """The behaviour tracker ends a monitor on a 303, the item, a terminal status or the monitor
    gone, and never on another redirect or a body the poller refuses."""
    tracker = BehaviourTracker(jobstate.get_spec("current").terminal)
    tracker.feed(Exchange.of(http, body))
    kind = classify(http, body)
    ends = kind in COMPLETIONS or kind == "gone"
    ends |= kind == "status" and body["status"] in ("completed", "failed")
    assert (tracker.ended_at is not None) is ends, (http, body, kind)


def _har(tmp_path: Path, answers: list[tuple[int, dict[str, Any] | None]]) -> str:
    entries = []
    for i, (code, body) in enumerate(answers):
        content: dict[str, Any] = {"mimeType": "application/json"}
        if body is not None:
            content["text"] = orjson.dumps(body).decode()
        entries.append(
            {
                "startedDateTime": f"2026-01-01T00:00:0{i}.000Z",
                "request": {"method": "GET", "url": "https://h/monitor/op-1", "headers": []},
                "response": {"status": code, "headers": [], "content": content},
            }
        )
    path = tmp_path / "c.har"
    path.write_bytes(orjson.dumps({"log": {"version": "1.2", "entries": entries}}))
    return str(path)


def test_check_reads_the_item_at_the_monitor_url_as_the_completion(tmp_path: Path) -> None:
    """A HAR whose monitor answers the finished item (200, an `id`, no status) after running
    answers: `check` says OK, outcome success (as `serve` grades it and `wait()` returns it)."""
    har = _har(
        tmp_path,
        [(202, {"status": "inProgress", "percentageComplete": 10.0}), (200, {"id": "01NEW"})],
    )
    result = CliRunner().invoke(main, ["check", har])
    assert result.exit_code == 0, result.output
    assert "outcome success" in result.stdout
    assert "completion: the item itself at the monitor URL" in result.stdout
    assert "missing-status" not in result.stdout


def test_check_does_not_read_a_307_as_the_completion(tmp_path: Path) -> None:
    """A 307 without a status body is an answer no document names for a monitor: the job is
    unfinished and the answer counted by its HTTP status, not a success."""
    har = _har(tmp_path, [(202, {"status": "inProgress"}), (307, None)])
    result = CliRunner().invoke(main, ["check", "--format", "json", har])
    job = orjson.loads(result.stdout)["jobs"][0]
    assert result.exit_code == 0, result.output
    assert job["outcome"] == "unfinished"
    assert job["http_status"] == {"202": 1, "307": 1}


def test_an_empty_object_at_the_monitor_url_is_still_a_missing_status(tmp_path: Path) -> None:
    """A 200 with `{}` (no `id`) is not the item: `check` keeps calling it missing-status."""
    har = _har(tmp_path, [(202, {"status": "inProgress"}), (200, {})])
    result = CliRunner().invoke(main, ["check", har])
    assert result.exit_code == 1
    assert "missing-status" in result.stdout


def test_a_percentage_past_a_doubles_range_is_no_progress_not_a_crash() -> None:
    """An integer percentage too large for a float (the Python API takes any int) gives the
    answer no progress, and the check reports it out of range instead of raising."""
    huge, fields = 10**400, ("status", "percentageComplete")
    big = Exchange.of(202, {"status": "inProgress", "percentageComplete": huge}, fields=fields)
    assert big.progress is None
    assert Exchange.of(202, {"percentageComplete": 50}, fields=fields).progress == 50.0
    assert Exchange.of(202, {"percentageComplete": 50}).progress is None  # no field: none read
    v = jobstate.Validator("current", "sampled")
    checker = Checker(v.tables)
    checker.feed({"status": None, "percentageComplete": huge}, 1, http=202)
    assert [v.rule for v in checker.violations] == ["missing-status", "percentage-range"]
