"""A pytest plugin (entry point ``pytest11``): the ``monitor_server`` fixture.

::

    def test_my_poller_stops_on_failed(monitor_server):
        url = monitor_server.play("failed")
        my_poller(url, timeout=5)
        assert monitor_server.findings(url) == []

The fixture is a :class:`jobstate.MonitorServer` on 127.0.0.1 (an ephemeral port), stopped
when the test ends. It runs on uvicorn, installed with jobstate; the plugin itself imports nothing
until the fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from jobstate.emulator import MonitorServer

__all__ = ["monitor_server"]


@pytest.fixture
def monitor_server() -> Iterator[MonitorServer]:
    """A monitor emulator serving every built-in scenario; ``play(name)`` gives a monitor URL,
    ``findings(url)`` and ``grade(url)`` say how the client did."""
    from jobstate.emulator import MonitorServer

    with MonitorServer(idle=0.5, duration=600) as server:
        yield server
