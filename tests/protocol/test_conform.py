"""Conformance (``jobstate conform``, :mod:`jobstate.conform`): a grade is traffic plus
conclusion. Real client processes are the point here (a crash, a hang, an exit code), so the
command runs them as processes; each is bounded by its --timeout."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jobstate.conform import Truth, parse_conclusion, run_poller, truth, verdict
from jobstate.packs.graph.scenarios import SCENARIOS
from tests.clirun import cli_text

pytest.importorskip("uvicorn")

GOOD = """
import sys, time, httpx
url = sys.argv[1]
with httpx.Client(follow_redirects=False, timeout=10) as c:
    while True:
        r = c.get(url)
        if r.status_code == 303:
            print("success", r.headers["location"].rsplit("/", 1)[-1]); break
        body = r.json() if r.content else {}
        if body.get("error", {}).get("code") == "operationNotFound" or r.status_code in (404, 410):
            print("unknown"); break
        if r.status_code == 429 or (r.status_code >= 500 and "status" not in body):
            time.sleep(0.02); continue
        if "status" not in body and "id" in body:
            print("success", body["id"]); break
        s = body.get("status")
        if s == "completed": print("success", body.get("resourceId", "")); break
        if s in ("failed", "deleteFailed"): print("failure"); break
        if s == "cancelled": print("cancelled"); break
        time.sleep(float(r.headers.get("retry-after", "0.02")))
"""

NAIVE = """
import sys, time, httpx
url = sys.argv[1]
while True:
    r = httpx.get(url, follow_redirects=False)
    r.raise_for_status()  # a 303 is no success to httpx: raises
    body = r.json()
    if body["status"] == "completed":  # a body without status: KeyError
        print("success", body["resourceId"]); break
    if body["status"] == "cancelled":
        print("success"); break  # wrong: a cancelled copy made nothing
    time.sleep(0.2)  # 'failed' is polled on (until the server refuses, past the limit)
"""


@pytest.fixture
def clients(tmp_path: Path) -> Iterator[dict[str, str]]:
    paths = {}
    for name, text in (("good", GOOD), ("naive", NAIVE)):
        path = tmp_path / f"{name}.py"
        path.write_text(text)
        paths[name] = str(path)
    yield paths


def _conform(
    script: str, *scenarios: str, timeout: str = "5", fmt: str = "json"
) -> tuple[int, dict[str, Any]]:
    """``jobstate conform`` of ``python SCRIPT {url}``: its exit code and JSON (or text)."""
    args = [a for s in scenarios for a in ("--scenario", s)]
    command = [sys.executable, script, "{url}"] if script else []
    ran = cli_text("conform", *args, "--timeout", timeout, "--format", fmt, "--", *command)
    return ran.returncode, json.loads(ran.stdout) if fmt == "json" else {"text": ran.stdout}


def test_every_scenario_has_its_truth() -> None:
    """Each built-in scenario's truth is its end read as one reading reads it: terminal
    statuses by the spec, a 303 and the item as success with the item's id, a lost monitor
    as unknown."""
    truths = {name: truth(s) for name, s in SCENARIOS.items()}
    assert truths["completed-303"] == Truth("success", "01NEWITEM")
    assert truths["location-is-item"] == Truth("success", "01NEWITEM")
    assert truths["cancelled"] == Truth("cancelled", None)
    assert truths["failed"].outcome == "failure"
    assert truths["operation-not-found"] == Truth("unknown", None)
    assert {t.outcome for t in truths.values()} == {"success", "failure", "cancelled", "unknown"}


def test_a_correct_client_passes_every_case(clients: dict[str, str]) -> None:
    """A poller that reads every answer right passes all 13 scenarios, exit 0."""
    code, data = _conform(clients["good"])
    assert code == 0 and data["ok"] is True
    assert len(data["cases"]) == len(SCENARIOS)
    lost = next(c for c in data["cases"] if c["scenario"] == "operation-not-found")
    assert (lost["expected"], lost["concluded"], lost["ok"]) == ("unknown", "unknown", True)


def test_a_naive_client_fails_on_what_it_concluded(clients: dict[str, str]) -> None:
    """The naive poller: crashes on the 303 (its traceback's last line shown), crashes on the
    item body, hangs on failed (killed at the limit), concludes success for a cancelled copy;
    exit 1, and the text table says each."""
    code, data = _conform(
        clients["naive"], "completed", "completed-303", "location-is-item", "failed",
        "cancelled", timeout="2",
    )  # fmt: skip
    assert code == 1 and data["ok"] is False
    by = {c["scenario"]: c for c in data["cases"]}
    assert by["completed"]["ok"] and by["completed"]["resource"] == "01NEWITEM"
    assert by["completed-303"]["fate"] == "crashed"
    assert any("HTTPStatusError" in ln for ln in by["completed-303"]["stderr_tail"])
    assert by["location-is-item"]["fate"] == "crashed"
    assert "KeyError" in by["location-is-item"]["stderr_tail"][-1]
    assert by["failed"]["fate"] == "hung"
    problems = by["failed"]["problems"]
    assert problems[0] == "the client did not finish within its time limit"
    assert problems[1].startswith("polled-after-terminal: polled ")  # its traffic, too
    assert by["cancelled"]["problems"] == ["concluded 'success' where the truth is 'cancelled'"]
    code, shown = _conform(clients["naive"], "cancelled", fmt="text")
    lines = shown["text"].splitlines()
    assert lines[1].split() == ["cancelled", "cancelled", "success", "-", "FAIL"]
    assert lines[2] == "    - concluded 'success' where the truth is 'cancelled'"
    assert lines[-1] == "1 cases: 0 passed, 1 failing"


def test_a_poller_function_is_graded_the_same_way() -> None:
    """run_poller: a returned conclusion is graded against the truth; an exception is a crash
    with its type and message."""
    from jobstate.emulator import MonitorServer

    chosen = {n: SCENARIOS[n] for n in ("failed", "completed")}

    def poller(url: str) -> object:
        import httpx

        while True:
            body = httpx.get(url).json()
            if body["status"] == "failed":
                raise RuntimeError("copy failed")
            if body["status"] == "completed":
                return ("success", body["resourceId"])

    with MonitorServer(chosen, idle=0.2) as server:
        cases = {c.scenario: c for c in run_poller(server, chosen, poller, timeout=10)}
    assert cases["completed"].ok and cases["completed"].resource == "01NEWITEM"
    assert cases["failed"].fate == "crashed"
    assert cases["failed"].stderr_tail == ("RuntimeError: copy failed",)


def test_the_fixture_grades_a_conclusion(monitor_server: object) -> None:
    """MonitorServer.verdict: the right conclusion passes; a wrong one, a wrong resource or
    none fails, naming the scenario's truth and the answer."""
    import httpx

    from jobstate.emulator import MonitorServer

    assert isinstance(monitor_server, MonitorServer)
    url = monitor_server.play("completed")
    for _ in range(3):
        httpx.get(url)
    assert monitor_server.verdict(url, "success", "01NEWITEM").ok
    assert monitor_server.verdict(url, "failure").problems == (
        "concluded 'failure' where the truth is 'success'",
    )
    assert monitor_server.verdict(url, "success", "01OTHER").problems == (
        "named resource '01OTHER' where the truth is '01NEWITEM'",
    )
    assert not monitor_server.verdict(url, None).ok


def test_conclusions_are_read_from_the_last_line() -> None:
    """The last non-empty line holds the conclusion; anything else there is none."""
    assert parse_conclusion("working\n\ncancelled\n") == ("cancelled", None)
    assert parse_conclusion("success 01A\nlater noise") == (None, None)
    assert parse_conclusion("") == (None, None)
    assert parse_conclusion("unknown") == ("unknown", None)


def test_a_traffic_error_fails_a_right_conclusion() -> None:
    """A client that concluded right but polled after the end fails on that client error."""
    from jobstate.grading import BehaviourFinding, Grade

    finding = BehaviourFinding("polled-after-terminal", "error", "polled 2 more time(s)", 2, 4)
    grade = Grade(5, 3, "completed", 2, 0.1, (finding,))
    case = verdict("completed", Truth("success"), "success", grade=grade)
    assert case.problems == ("polled-after-terminal: polled 2 more time(s)",)


def test_usage_errors_exit_2(clients: dict[str, str]) -> None:
    """An unknown scenario, or no command, is a usage error (exit 2)."""
    ran = cli_text("conform", "--scenario", "nope", "--", sys.executable, clients["good"])
    assert ran.returncode == 2 and "no scenario 'nope'" in ran.stderr
    assert cli_text("conform").returncode == 2


def test_a_command_that_cannot_start_crashes_every_case() -> None:
    """A command that does not exist: each case crashed, with the reason."""
    ran = cli_text("conform", "--scenario", "failed", "--format", "json", "--", "/no/poller")
    (case,) = json.loads(ran.stdout)["cases"]
    assert ran.returncode == 1 and case["fate"] == "crashed"
    assert case["stderr_tail"][0].startswith("cannot start /no/poller:")


def test_serve_stops_once_a_client_abandons_its_monitor() -> None:
    """A client that polls once and gives up: the monitor is settled after --abandon
    seconds, and serve stops then, not at --duration; its grade says it stopped early."""
    import threading
    import time

    import httpx

    from jobstate.emulator import MonitorServer

    server = MonitorServer({"failed": SCENARIOS["failed"]}, idle=0.1, abandon=0.3, duration=30)
    url = server.play("failed")
    reasons: list[str] = []
    thread = threading.Thread(target=lambda: reasons.append(server.run()), daemon=True)
    started = time.monotonic()
    thread.start()
    while not server.settled() and time.monotonic() - started < 5:
        try:
            httpx.get(url, timeout=2)
            break
        except httpx.ConnectError:
            time.sleep(0.05)
    thread.join(10)
    assert reasons == ["every monitor settled"] and time.monotonic() - started < 10
    assert server.grade(url).stopped_before_end


def test_run_poller_reads_every_kind_of_answer_and_the_table_says_each() -> None:
    """run_poller: a plain outcome, an outcome with a resource, a value that is no text (no
    conclusion), a call that outlives its limit (hung, left on its daemon thread); each case
    timed and graded by its traffic; the text table's rows, marks and count exactly."""
    import threading
    import time

    import httpx

    from jobstate.conform import table_lines
    from jobstate.emulator import MonitorServer

    chosen = {n: SCENARIOS[n] for n in ("failed", "completed", "cancelled", "waiting-retry")}
    release = threading.Event()

    def poller(url: str) -> object:
        name = url.rsplit("/", 1)[-1].rsplit("-", 1)[0]
        for _ in range(len(SCENARIOS[name].answers)):
            httpx.get(url)
        if name == "waiting-retry":
            release.wait(5)  # longer than the limit: hung
        return {"failed": "failure", "completed": ("success", "01NEWITEM"),
                "cancelled": 3, "waiting-retry": "success"}[name]  # fmt: skip

    with MonitorServer(chosen, idle=0.2) as server:
        started = time.monotonic()
        # a limit the others' polls keep well under on a loaded machine (1 s did not, once)
        cases = {c.scenario: c for c in run_poller(server, chosen, poller, timeout=2.0)}
        release.set()
    assert time.monotonic() - started < 10
    assert (cases["failed"].concluded, cases["failed"].resource, cases["failed"].ok) == (
        "failure", None, True)  # fmt: skip
    assert cases["completed"].resource == "01NEWITEM" and cases["completed"].ok
    assert cases["cancelled"].concluded is None
    assert cases["cancelled"].problems == ("the client concluded nothing",)
    assert cases["waiting-retry"].fate == "hung" and cases["waiting-retry"].seconds >= 2.0
    assert all(c.grade is not None and not c.grade.findings for c in cases.values())
    assert table_lines(cases.values()) == [
        "scenario       expected           concluded          traffic  verdict",
        "failed         failure            failure            -        ok",
        "completed      success 01NEWITEM  success 01NEWITEM  -        ok",
        "cancelled      cancelled          (silent)           -        FAIL",
        "    - the client concluded nothing",
        "waiting-retry  success 01RETRY    (hung)             -        FAIL",
        "    - the client did not finish within its time limit",
        "4 cases: 2 passed, 2 failing",
    ]


def test_a_crash_keeps_the_start_of_a_long_message() -> None:
    """A poller's exception is kept as its type and message, shortened to 200 characters."""
    from jobstate.emulator import MonitorServer

    chosen = {"failed": SCENARIOS["failed"]}

    def poller(url: str) -> object:
        raise ValueError("x" * 500)

    with MonitorServer(chosen, idle=0.2) as server:
        (case,) = run_poller(server, chosen, poller, timeout=5)
    (line,) = case.stderr_tail
    assert line.startswith("ValueError: xxx") and line.endswith("(512 characters)")
    assert len(line) < 240


def test_a_client_that_prints_megabytes_keeps_only_its_tail() -> None:
    """A client printing 5 MB before its conclusion: the conclusion on its last line is
    read (only the last MiB of its output is kept)."""
    script = "import sys; sys.stdout.write('x' * 5_000_000 + '\\nfailure\\n')"
    ran = cli_text("conform", "--scenario", "failed", "--format", "json", "--",
                   sys.executable, "-c", script)  # fmt: skip
    (case,) = json.loads(ran.stdout)["cases"]
    assert ran.returncode == 0 and case["concluded"] == "failure"
