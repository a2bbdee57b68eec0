"""Real third-party pollers from PyPI, driven at ``jobstate serve``: the emulator's grade and
``jobstate client --profile`` must agree with what each client actually does.

python-o365 2.1.10 (``CopyOperation.check_status``) and onedrivesdk 1.1.8
(``AsyncOperationMonitor``), both in the ``test`` extra. Each run is bounded: a poller that
would poll forever is stopped by the test after a fixed number of polls.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from jobstate import PROFILES, MonitorServer, check_client

pytestmark = pytest.mark.interop

BOUND = 12  # polls after which the test stops a poller that has not stopped itself


def _profile_findings(profile: str) -> set[tuple[str, str]]:
    """(finding id, status or last witness HTTP code) of a profile, under both revisions."""
    out = set()
    for spec in ("current", "legacy"):
        for f in check_client(PROFILES[profile], spec):
            out.add((f.id, str(f.exchanges[-1]["http"]) if f.exchanges else f.status))
    return out


@pytest.fixture
def server() -> Iterator[MonitorServer]:
    with MonitorServer(idle=0.3, max_polls=1000) as srv:
        yield srv


# -- python-o365 -----------------------------------------------------------------------------


def _o365_polls(url: str) -> tuple[bool, int]:
    """Drive CopyOperation.check_status on ``url``: whether it ended by itself, and the yields."""
    o365 = pytest.importorskip("O365")
    from O365.drive import CopyOperation

    con = o365.Connection(("client-id", "client-secret"), requests_delay=0)
    op = CopyOperation(con=con, protocol=o365.connection.MSGraphProtocol(), monitor_url=url)
    polls = 0
    for _status, _pct in op.check_status(delay=0):
        polls += 1
        if polls >= BOUND:
            return False, polls
    return True, polls


@pytest.mark.parametrize(
    ("scenario", "ends", "finding", "profile_says"),
    [
        ("completed", True, None, None),
        ("failed", False, "polled-after-terminal", ("polls-forever", "failed")),
        ("cancelled", False, "polled-after-terminal", ("polls-forever", "cancelled")),
        ("completed-303", False, "repolled-redirect", ("misses-completion", "303")),
    ],
)
def test_python_o365_against_the_emulator(
    server: MonitorServer,
    scenario: str,
    ends: bool,
    finding: str | None,
    profile_says: tuple[str, str] | None,
) -> None:
    """python-o365 ends only on a resourceId: it polls failed, cancelled and a 303 completion
    forever. The emulator grades what it did; the profile predicted the same."""
    url = server.play(scenario)
    ended, _ = _o365_polls(url)
    assert ended == ends
    grade = server.grade(url)
    assert [f.id for f in grade.findings] == ([finding] if finding else [])
    if profile_says is not None:
        assert profile_says in _profile_findings("python-o365")
    else:
        assert grade.ok


def test_python_o365_raises_on_expiry(server: MonitorServer) -> None:
    """Polling a failed job on, it meets the monitor's expiry: the 404 raises HTTPError (the
    profile's on_gone crash: crashes-on-gone)."""
    pytest.importorskip("O365")
    from requests.exceptions import HTTPError

    failed = server.scenarios["failed"]
    server.scenarios["failed-expiring"] = replace(failed, name="failed-expiring", expire_after=2)
    url = server.play("failed-expiring")
    with pytest.raises(HTTPError):
        _o365_polls(url)
    assert ("crashes-on-gone", "404") in _profile_findings("python-o365")
    assert server.findings(url) == ["polled-after-terminal"]


# -- onedrivesdk -----------------------------------------------------------------------------


def _onedrivesdk() -> Any:
    """onedrivesdk 1.1.8, importable on Python 3.11+: the package's asyncio extras use
    ``asyncio.coroutine`` (removed in 3.11) as a decorator at import; the monitor does not use
    them, so an identity decorator stands in while the package imports."""
    if not hasattr(asyncio, "coroutine"):
        vars(asyncio)["coroutine"] = lambda f: f
    pytest.importorskip("onedrivesdk")
    from onedrivesdk.async_operation_monitor import AsyncOperationMonitor
    from onedrivesdk.http_provider import HttpProvider

    return AsyncOperationMonitor, HttpProvider


class _NoAuth:
    """The monitor URL is pre-authenticated: the SDK's auth step adds nothing."""

    def authenticate_request(self, request: Any) -> None:
        return None


class _Client:
    def __init__(self, http_provider: Any) -> None:
        self.http_provider = http_provider
        self.auth_provider = _NoAuth()


def _onedrivesdk_run(server: MonitorServer, url: str) -> bool:
    """Start the SDK's monitor thread on ``url``; whether it completed by itself before BOUND
    polls (else the test stops its thread)."""
    monitor_cls, provider = _onedrivesdk()
    mon = monitor_cls(url, _Client(provider()), [])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if mon.completed:
            return True
        if server.monitors[url].tracker.polls >= BOUND:
            break
        time.sleep(0.01)
    mon._stop_poll_on_thread()  # the SDK's own stop: its thread would poll forever
    return False


@pytest.mark.parametrize(
    ("scenario", "ends", "finding", "profile_says"),
    [
        ("completed-303", True, None, None),
        ("failed", True, None, None),
        ("cancelled", False, "polled-after-terminal", ("polls-forever", "cancelled")),
        ("completed", False, "polled-after-terminal", ("misses-completion", "202")),
    ],
)
def test_onedrivesdk_against_the_emulator(
    server: MonitorServer,
    scenario: str,
    ends: bool,
    finding: str | None,
    profile_says: tuple[str, str] | None,
) -> None:
    """onedrivesdk ends on a body without 'status' (the item after a 303) and on failed: it
    polls cancelled and a 202 + completed body forever, with no pause."""
    url = server.play(scenario)
    assert _onedrivesdk_run(server, url) == ends
    time.sleep(0.1)  # the stopped thread's last poll lands
    grade = server.grade(url)
    ids = {f.id for f in grade.findings}
    if finding is None:
        assert grade.ok, grade
    else:
        assert finding in ids
        assert profile_says in _profile_findings("onedrive-sdk-python")
