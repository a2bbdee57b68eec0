"""Memory bounded where it is the point: the emulator and the poller, each in a process of its
own under an address-space limit (a subprocess: the limit is the test), fed more than the
limit would hold if they kept what they are sent."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.protocol.loopback import RawServer

LIMIT_MB = 260  # a process that imports jobstate, httpx and uvicorn peaks near 172 MB
_ENV = {**os.environ, "MALLOC_ARENA_MAX": "2"}  # arenas reserve address space per thread

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS as Linux counts it")

_LIMITED = (
    "import resource, sys\n"
    f"resource.setrlimit(resource.RLIMIT_AS, ({LIMIT_MB} << 20, {LIMIT_MB} << 20))\n"
)

_SERVER = (
    _LIMITED
    + """
from jobstate import MonitorServer
with MonitorServer(record_bytes=16 << 20, max_monitors=500, idle=60) as server:
    print(server.url, flush=True)
    sys.stdin.readline()  # the flood is over
    har = server.har()
    print(len(har["log"]["entries"]), server.not_recorded, len(server.monitors), flush=True)
"""
)


def _flood(url: str, requests: int, seen: list[int]) -> None:
    headers = {f"X-Pad-{i}": "p" * 900 for i in range(16)}  # 15 KB: under the 16 KB h11 cap
    with httpx.Client(timeout=30) as client:
        for _ in range(requests):
            seen.append(client.post(f"{url}/scenarios/completed", headers=headers).status_code)


def test_the_emulator_stays_bounded_under_a_flood() -> None:
    """6,000 requests of 15 KB of headers (90 MB, more than the limit leaves once jobstate
    is imported) to a server under a 260 MB address-space limit: it answers every one (202 up
    to max_monitors, then 429), records up to record_bytes and counts the rest."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_ENV,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert proc.stdout is not None and proc.stdin is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), proc.stderr.read() if proc.stderr else ""
        seen: list[int] = []
        threads = [threading.Thread(target=_flood, args=(url, 2_000, seen)) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=240)
        proc.stdin.write("\n")
        proc.stdin.flush()
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert sorted(set(seen)) == [202, 429] and seen.count(202) == 500 and len(seen) == 6_000
    entries, not_recorded, monitors = map(int, out.split())
    assert entries + not_recorded == 6_000 and not_recorded > 0 and monitors == 500
    assert entries < 16 * 1024 * 1024 // 15_000 + 1


_POLLER = (
    _LIMITED
    + """
from jobstate import monitor
from jobstate.exceptions import MonitorError
try:
    monitor.wait(sys.argv[1], timeout=20, interval=0, retries=0)
except MonitorError as exc:
    print("MonitorError", exc)
"""
)


def _endless(conn: object, stop: threading.Event) -> None:
    """An answer whose body never ends (no length: read until the connection closes)."""
    import socket

    assert isinstance(conn, socket.socket)
    conn.sendall(b"HTTP/1.1 202 X\r\nContent-Type: application/json\r\n\r\n")
    chunk = b'{"status": "' + b"x" * 65_000
    sent = 0
    while not stop.is_set() and sent < 1 << 30:
        try:
            conn.sendall(chunk)
        except OSError:
            return
        sent += len(chunk)


def test_the_poller_stays_bounded_on_an_endless_answer() -> None:
    """A monitor that streams a body without end (a gigabyte, more than the 260 MB limit) to a
    poller under that limit: a MonitorError within the timeout, no MemoryError."""
    with RawServer(_endless, life=60) as mon:
        started = time.monotonic()
        out = subprocess.run(
            [sys.executable, "-c", _POLLER, f"{mon.origin}/monitor/1"],
            capture_output=True,
            text=True,
            timeout=60,
            env=_ENV,
        )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("MonitorError") and "more than 65,536 bytes" in out.stdout, (
        out.stdout
    )
    assert time.monotonic() - started < 20
