"""The monitor emulator over real HTTP: the correct poller grades clean on every scenario, bad
pollers get their findings, the CLI prints URLs, stops by itself or on SIGTERM, and records a
HAR that ``check`` reads to the same findings."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

import jobstate
from jobstate import MonitorServer, monitor


def test_monitor_wait_grades_clean_on_every_scenario(monitor_server: MonitorServer) -> None:
    """jobstate.monitor.wait ends every scenario with the spec's outcome, and the emulator finds
    nothing wrong with it (no poll after the end, no token, Retry-After honoured)."""
    expected = {"failed": "failure", "cancelled": "cancelled"}
    for name, scenario in jobstate.SCENARIOS.items():
        url = monitor_server.play(name)
        if name == "operation-not-found":
            with pytest.raises(jobstate.MonitorError, match="gone"):
                monitor.wait(url, interval=0.01, timeout=10)
        else:
            result = monitor.wait(url, interval=0.01, timeout=10)
            assert result.outcome == expected.get(name, "success"), name
            assert result.polls == len(scenario.answers), name
        grade = monitor_server.grade(url)
        assert grade.ok, (name, grade)


def test_monitor_wait_async_grades_clean(monitor_server: MonitorServer) -> None:
    """wait_async: the same decisions on an AsyncClient, concurrently on many monitors."""
    urls = [monitor_server.play(n) for n in ("completed-303", "transient-500", "waiting-retry")]

    async def main() -> list[monitor.WaitResult]:
        return await asyncio.gather(*(monitor.wait_async(u, interval=0.01) for u in urls))

    results = asyncio.run(main())
    assert [r.outcome for r in results] == ["success"] * 3
    assert results[0].location is not None and results[0].location.endswith("/items/01NEWITEM")
    assert all(monitor_server.grade(u).ok for u in urls)


def test_monitor_wait_never_sends_the_clients_token(monitor_server: MonitorServer) -> None:
    """A client with a default Authorization header: the monitor never sees it."""
    url = monitor_server.play("completed")
    with httpx.Client(headers={"Authorization": "Bearer secret"}) as client:
        assert monitor.wait(url, interval=0.01, client=client).outcome == "success"
    assert monitor_server.findings(url) == []


def test_monitor_wait_times_out_on_unknown_values(monitor_server: MonitorServer) -> None:
    """A value it does not know keeps it polling, to the timeout: outcome unfinished."""
    forever = jobstate.Scenario("future", "", (jobstate.Answer(202, {"status": "shiny"}),))
    monitor_server.scenarios["future"] = forever
    seen: list[jobstate.Exchange] = []
    result = monitor.wait(
        monitor_server.play("future"), interval=0.05, timeout=1.0, on_progress=seen.append
    )
    assert (result.outcome, result.timed_out) == ("unfinished", True)
    assert len(seen) == result.polls >= 2


def test_monitor_wait_backs_off_and_gives_up(monitor_server: MonitorServer) -> None:
    """Error answers in a row back off and, past ``retries``, raise MonitorError."""
    broken = jobstate.Scenario("down", "", (jobstate.Answer(503, None),))
    monitor_server.scenarios["down"] = broken
    started = time.monotonic()
    with pytest.raises(jobstate.MonitorError, match="3 error answers"):
        monitor.wait(monitor_server.play("down"), interval=0.01, retries=2)
    assert time.monotonic() - started >= 0.01 * (2 + 4)


def test_retry_after_is_honoured(monitor_server: MonitorServer) -> None:
    """Running answers with Retry-After: 1: the poller waits, a fast poller is reported."""
    url = monitor_server.play("retry-after")
    started = time.monotonic()
    monitor.wait(url, interval=0.01)
    assert time.monotonic() - started >= 1.9
    fast = monitor_server.play("retry-after")
    for _ in range(4):
        httpx.get(fast)
    assert monitor_server.findings(fast) == ["polled-after-terminal", "poll-interval"]


def _poll_forever(url: str, polls: int, **headers: str) -> list[int]:
    with httpx.Client() as client:
        return [client.get(url, headers=headers).status_code for _ in range(polls)]


def test_bad_pollers_get_findings(monitor_server: MonitorServer) -> None:
    """Polling a failed job on, re-polling after a 303, sending a token: each is reported."""
    failed = monitor_server.play("failed")
    codes = _poll_forever(failed, 30)
    assert codes[-1] == 429  # past --max-polls after the end: Too Many Requests
    after, fast = monitor_server.grade(failed).findings
    assert (after.id, after.severity, after.count) == ("polled-after-terminal", "error", 29 - 2)
    assert fast.id == "poll-interval"  # the 429s asked for Retry-After: 60
    redirect = monitor_server.play("completed-303")
    _poll_forever(redirect, 5)
    assert monitor_server.findings(redirect) == ["repolled-redirect"]
    token = monitor_server.play("completed")
    assert _poll_forever(token, 1, Authorization="Bearer x") == [401]
    assert monitor_server.findings(token) == ["auth-to-monitor"]
    assert monitor_server.grade(token).stopped_before_end


def test_bad_requests_get_http_errors(monitor_server: MonitorServer) -> None:
    """Unknown paths 404, other methods 405, and the server stays up under a hammering."""
    base = monitor_server.url
    url = monitor_server.play("completed")
    with httpx.Client() as c:
        assert c.get(base + "/nothing").status_code == 404
        assert c.get(base + "/monitor/nope-1").status_code == 404
        assert c.delete(url).status_code == 405
        assert c.post(base + "/scenarios/nope").status_code == 404
        started = c.post(base + "/scenarios/failed")
        assert started.status_code == 202 and "/monitor/failed-" in started.headers["location"]
        names = [s["name"] for s in c.get(base + "/scenarios").json()["value"]]
        assert names == list(jobstate.SCENARIOS)

    def hammer() -> None:
        _poll_forever(url, 100)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert httpx.get(base + "/scenarios").status_code == 200


def test_server_binds_loopback_by_default() -> None:
    """No address but 127.0.0.1 unless told."""
    server = MonitorServer()
    try:
        assert server.url.startswith("http://127.0.0.1:")
    finally:
        server.stop()


# -- the CLI -------------------------------------------------------------------------------------


def _serve(*args: str) -> tuple[subprocess.Popen[str], list[tuple[str, str]]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobstate.cli", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    json_out = "--format" in args and args[args.index("--format") + 1] == "json"
    stream = proc.stderr if json_out else proc.stdout  # JSON: stdout holds the report alone
    assert stream is not None
    monitors = []
    for line in stream:
        word, url, name = line.split()
        assert word == "monitor"
        monitors.append((url, name))
        if len(monitors) == args.count("--scenario"):
            break
    return proc, monitors


def test_cli_serve_records_and_grades(tmp_path: Path) -> None:
    """serve prints the monitor URLs, stops once every monitor settled, prints a grade per URL
    (exit 1: one client misbehaved) and writes a HAR that check reads to the same findings."""
    har = tmp_path / "rec.har"
    proc, monitors = _serve(
        "--scenario", "failed", "--scenario", "completed-303", "--idle", "0.3",
        "--max-polls", "3", "--record", str(har), "--duration", "60",
    )  # fmt: skip
    (bad, _), (good, _) = monitors
    _poll_forever(bad, 6)
    monitor.wait(good, interval=0.01)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "stopped: every monitor settled" in out
    assert f"grade {bad} failed: FAIL polled-after-terminal x3" in out
    assert f"grade {good} completed-303: ok (3 polls, ended at poll 3 with 303)" in out
    check = subprocess.run(
        [sys.executable, "-m", "jobstate.cli", "check", "--format", "json", str(har)],
        capture_output=True,
        timeout=60,
    )
    data = orjson.loads(check.stdout)
    jobs = {j["key"]: j for j in data["jobs"]}
    assert [f["id"] for f in jobs[bad]["client"]["findings"]] == ["polled-after-terminal"]
    assert jobs[bad]["errors"] == 0 and jobs[bad]["outcome"] == "failure"
    assert jobs[good]["outcome"] == "success" and jobs[good]["client"]["end"] == "303"
    assert data["totals"]["client_errors"] == 1 and check.returncode == 1


def test_cli_serve_stops_on_sigterm_with_its_report(tmp_path: Path) -> None:
    """SIGTERM: the server stops cleanly, still prints the grades and writes the recording;
    with --format json its standard output is one JSON document (the URLs on stderr)."""
    har = tmp_path / "rec.har"
    proc, [(url, _)] = _serve("--scenario", "completed", "--record", str(har), "--format", "json")
    httpx.get(url)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    report: dict[str, Any] = orjson.loads(out)
    assert report["stopped"] == "stopped by SIGTERM", err
    (grade,) = report["grades"]
    assert grade["stopped_before_end"] and not grade["ok"] and proc.returncode == 1
    assert len(orjson.loads(har.read_bytes())["log"]["entries"]) == 1


def test_cli_serve_duration_and_trace_file(tmp_path: Path) -> None:
    """--trace plays a file's answers; --duration stops a server nobody polls (exit 1: the
    client never reached the end)."""
    trace = tmp_path / "mine.jsonl"
    trace.write_text(
        '{"status": "inProgress"}\n{"http": 303, "headers": {"Location": "/items/9"}}\n'
    )
    proc = subprocess.run(
        [sys.executable, "-m", "jobstate.cli", "serve", "--trace", str(trace), "--duration", "0.5"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert " mine\n" in proc.stdout and "stopped: duration 0.5 s reached" in proc.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--scenario", "nope"), "no scenario 'nope'"),
        (("--trace", "{bad}"), "line 1: not JSON"),
        (("--port", "99999"), "99999"),
    ],
)
def test_cli_serve_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    """An unknown scenario, a broken trace file, a bad port: exit 2 with a message, no traceback."""
    if "{bad}" in args:
        bad = tmp_path / "bad.jsonl"
        bad.write_text("{nope\n")
        args = ("--trace", str(bad))
    proc = subprocess.run(
        [sys.executable, "-m", "jobstate.cli", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


def test_cli_scenarios_and_spec_protocol() -> None:
    """`jobstate scenarios` lists every scenario with its trace; `jobstate spec` the protocol."""
    out = subprocess.run(
        [sys.executable, "-m", "jobstate.cli", "scenarios", "--format", "json"],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    assert [s["name"] for s in orjson.loads(out)] == list(jobstate.SCENARIOS)
    spec = subprocess.run(
        [sys.executable, "-m", "jobstate.cli", "spec", "current", "--format", "json"],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    protocol = orjson.loads(spec)["protocol"]
    assert [d["name"] for d in protocol["dialects"]] == ["graph", "onedrive", "business"]


def test_the_recording_keeps_no_credential(monitor_server: MonitorServer) -> None:
    """Credential headers (Authorization, Cookie, Proxy-Authorization, X-Api-Key) and credential
    query parameters (access_token, sig, tempauth) are masked in the HAR; the rest is kept."""
    url = monitor_server.play("completed")
    headers = {
        "Authorization": "Bearer s3cret",
        "Cookie": "s=s3cret",
        "Proxy-Authorization": "Basic s3cret",
        "X-Api-Key": "s3cret",
        "X-Request-Id": "kept-1",
    }
    httpx.get(url + "?access_token=s3cret&sig=s3cret&tempauth=s3cret&page=2", headers=headers)
    text = orjson.dumps(monitor_server.har()).decode()
    assert "s3cret" not in text
    assert "kept-1" in text and "page=2" in text and text.count("(not kept)") == 7


@pytest.mark.parametrize(
    "args",
    [
        ["serve", "--duration", "nan"],
        ["serve", "--idle", "nan"],
        ["serve", "--poll-floor", "inf"],
        ["client", "--success", "completed", "--timeout", "nan"],
        ["check", "--poll-floor", "nan", "x.jsonl"],
    ],
)
def test_numbers_that_never_end_are_refused(args: list[str]) -> None:
    """nan and inf pass click's ranges; a duration, idle time, floor or timeout must be finite
    (exit 2), or the server would never stop."""
    from click.testing import CliRunner

    from jobstate.cli import main

    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "must be a finite number" in result.output


def test_loopback_addresses_are_not_warned_and_others_are() -> None:
    """127.0.0.2 and ::1 are loopback (no warning); another address is warned about as a
    warning, not an error (192.0.2.1, a documentation address: the bind fails, exit 2, and
    nothing is served off loopback)."""
    from click.testing import CliRunner

    from jobstate.cli import main, serve

    assert serve.is_loopback("127.0.0.2") and serve.is_loopback("::1")
    assert serve.is_loopback("[::1]") and serve.is_loopback("LOCALHOST")
    for other in ("0.0.0.0", "10.0.0.1", "example.org"):
        assert not serve.is_loopback(other)
    args = ["serve", "--host", "192.0.2.1", "--duration", "0.2", "--scenario", "completed"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "jobstate: warning: binding 192.0.2.1: the emulator is reachable" in result.stderr
    assert "error: warning" not in result.stderr


def test_without_a_recording_nothing_of_a_request_is_kept() -> None:
    """record=False (serve without --record): requests are graded, none is kept; with a
    recording, a long header is kept shortened, and at most 64 headers. (The header stays
    under the HTTP parser's 16 KiB limit on a request's head: a larger one is refused with
    431 or not, by how the bytes happen to arrive, which made this test flaky.)"""
    with MonitorServer(record=False) as server:
        url = server.play("completed")
        assert httpx.get(url, headers={"X-Big": "x" * 10_000}).status_code == 202
        assert server.har()["log"]["entries"] == [] and server.grade(url).polls == 1
    with MonitorServer() as server:
        many = {f"X-{i}": "v" for i in range(100)}
        answer = httpx.get(server.play("completed"), headers={"X-Big": "x" * 10_000, **many})
        assert answer.status_code == 202
        [entry] = server.har()["log"]["entries"]
        sent = entry["request"]["headers"]
        assert len(sent) == 64 and len(orjson.dumps(entry)) < 20_000
        assert any(h["value"].endswith("(10,000 characters)") for h in sent)


def test_connections_beyond_the_limit_get_503() -> None:
    """Idle connections past max_connections do not starve the server: a further request gets
    503 at once, and answers normally once they close."""
    import socket

    with MonitorServer(max_connections=2) as server:
        url = server.play("completed")
        host, port = url.split("//")[1].split("/")[0].rsplit(":", 1)
        idle = [socket.create_connection((host, int(port)), timeout=5) for _ in range(2)]
        time.sleep(0.2)
        try:
            assert httpx.get(url, timeout=5).status_code == 503
        finally:
            for s in idle:
                s.close()
        time.sleep(0.2)
        assert httpx.get(url, timeout=5).status_code == 202


def test_an_unusable_recording_is_refused_before_serving(tmp_path: Path) -> None:
    """--record into a missing folder or onto a FIFO: exit 2 at once, nothing served."""
    from click.testing import CliRunner

    from jobstate.cli import main

    fifo = tmp_path / "pipe.har"
    os.mkfifo(fifo)
    for target in (tmp_path / "no" / "such.har", fifo):
        started = time.monotonic()
        result = CliRunner().invoke(main, ["serve", "--record", str(target), "--duration", "30"])
        assert result.exit_code == 2 and "--record" in result.stderr
        assert "monitor " not in result.stdout and time.monotonic() - started < 5


def test_stop_signals_are_given_back_after_serving() -> None:
    """serve notes SIGINT/SIGTERM only while it serves: afterwards Ctrl-C interrupts again."""
    from click.testing import CliRunner

    from jobstate.cli import main

    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    result = CliRunner().invoke(main, ["serve", "--scenario", "completed", "--duration", "0.2"])
    assert result.exit_code == 1  # the client never came: stopped before the end
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def _raw(url: str, request: bytes, wait: float = 0.5) -> bytes:
    """Send raw bytes to the server of ``url`` and read what comes back until it closes."""
    import socket

    host, port = url.split("//")[1].split("/")[0].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(request)
        s.settimeout(wait)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except TimeoutError:
            pass
    return out


def test_a_malformed_body_is_answered_400_and_not_recorded(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A POST with a broken chunked body: the server answers 400, no traceback is logged, and
    the recording holds no answer that was never sent (no 202, no monitor made)."""
    with MonitorServer() as server:
        reply = _raw(
            server.url,
            b"POST /scenarios/completed HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            b"\r\nzz\r\nabc\r\n0\r\n\r\n",
        )
        assert reply.startswith(b"HTTP/1.1 400 ")
        assert server.har()["log"]["entries"] == [] and server.monitors == {}
    assert "Exception in ASGI application" not in caplog.text


def test_a_body_too_large_or_too_slow_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A request body over MAX_REQUEST_BODY gets 413 without being kept; one that does not
    arrive within REQUEST_BODY_SECONDS gets 408; both recorded as answered."""
    from jobstate import emulator

    monkeypatch.setattr(emulator, "REQUEST_BODY_SECONDS", 0.3)
    with MonitorServer() as server:
        big = httpx.post(f"{server.url}/scenarios/completed", content=b"x" * (2 << 20))
        assert big.status_code == 413 and server.monitors == {}
        slow = _raw(
            server.url,
            b"POST /scenarios/completed HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
            wait=2.0,
        )
        assert slow.startswith(b"HTTP/1.1 408 ")
        statuses = [e["response"]["status"] for e in server.har()["log"]["entries"]]
        assert statuses == [413, 408] and server.monitors == {}
