"""``check`` and ``serve`` agree by construction: a recording of ``jobstate serve`` read back
by ``check`` gives each monitor exactly the grade the server gave it, finding by finding,
whatever the scenario, dialect and client behaviour."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobstate import ReadOptions, Validator, read_input
from jobstate.emulator import MonitorServer
from jobstate.packs.graph.scenarios import SCENARIOS

pytest.importorskip("uvicorn")


@pytest.fixture(scope="module")
def server() -> Iterator[MonitorServer]:
    with MonitorServer(idle=0.1, duration=600) as s:
        yield s


@st.composite
def behaviours(draw: st.DrawFn) -> dict[str, Any]:
    """A client: the scenario it meets, how its monitor came (a POST it sent, or handed to
    it), when it stops (early, at the end, or some polls past it: after a 303 those fetch the
    monitor again), and which polls carry its token. It never waits (Retry-After ignored)."""
    name = draw(st.sampled_from(sorted(SCENARIOS)))
    length = len(SCENARIOS[name].answers)
    return {
        "scenario": name,
        "posted": draw(st.booleans()),
        "polls": draw(st.integers(0, length + 3)),
        "token_on": draw(st.sets(st.integers(0, length + 3), max_size=2)),
    }


def _client(server: MonitorServer, b: dict[str, Any]) -> str:
    """Play behaviour ``b`` over HTTP; the monitor URL it polled."""
    with httpx.Client(follow_redirects=False, timeout=10) as http:
        if b["posted"]:
            started = http.post(f"{server.url}/scenarios/{b['scenario']}")
            url = started.headers["location"]
        else:
            url = server.play(b["scenario"])
        for i in range(b["polls"]):
            headers = {"Authorization": "Bearer t"} if i in b["token_on"] else {}
            http.get(url, headers=headers)
    return str(url)


_SECONDS = re.compile(r"\d+(\.\d+)?(e-?\d+)? s\b")


def _findings(grade: dict[str, Any]) -> list[tuple[Any, ...]]:
    """A grade's findings, each with its message (the never-polled one names the request
    its own way: the server knows no entry number). Durations in messages are left out: the
    recording keeps times to the microsecond, the server its clock's own (they are compared
    apart, to that precision)."""
    return [
        (f["id"], f["severity"], f["count"], f["first_poll"])
        + (() if f["id"] == "never-polled" else (_SECONDS.sub("N s", f["message"]),))
        for f in grade["findings"]
    ]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(b=behaviours())
def test_check_grades_a_recording_as_serve_graded_it(
    server: MonitorServer, tmp_path_factory: pytest.TempPathFactory, b: dict[str, Any]
) -> None:
    """For any scenario and client behaviour, check on serve's recording gives that monitor
    the grade serve gave it: the end, the polls after it, every finding with its count, its
    first poll and its message; never-polled for a started monitor nobody fetched."""
    url = _client(server, b)
    expected = server.grade(url).to_dict()
    har = tmp_path_factory.mktemp("rec") / "serve.har"
    har.write_text(json.dumps(server.har()))
    summary = read_input(str(har), Validator(), ReadOptions())
    if not b["posted"] and not b["polls"]:  # handed out, never asked: nothing on the wire
        assert expected["findings"] == [] and all(j.key != url for j in summary.jobs)
        return
    got = summary.clients[url].to_dict() if url in summary.clients else None
    if got is None:  # no poll: the job check makes of the request that started it
        (job,) = [j for j in summary.jobs if j.key == url]
        assert job.client is not None
        got = job.client.to_dict()
    assert _findings(got) == _findings(expected)
    assert got["seconds_after_end"] == pytest.approx(expected["seconds_after_end"], abs=1e-5)
    for key in ("ok", "polls", "ended_at", "end", "polls_after_end", "location"):
        assert got.get(key) == expected.get(key), key
    if not b["polls"]:
        assert [f[0] for f in _findings(got)] == (["never-polled"] if b["posted"] else [])


def test_a_started_monitor_nobody_polls_is_never_polled_for_serve_too(
    server: MonitorServer,
) -> None:
    """serve grades a monitor started by POST /scenarios/NAME and never fetched as
    never-polled, as check does on the recording; one it handed out itself (play) is not."""
    posted = _client(
        server, {"scenario": "completed", "posted": True, "polls": 0, "token_on": set()}
    )
    played = server.play("completed")
    assert server.findings(posted) == ["never-polled"]
    assert server.findings(played) == []
    assert not server.grade(posted).ok


def test_the_recording_holds_the_request_that_started_a_monitor() -> None:
    """serve's recording keeps the POST that started a monitor, answered 202 with its
    Location: what check links to the monitor's polls."""
    with MonitorServer(idle=0.1, duration=30) as s:
        with httpx.Client() as http:
            location = http.post(f"{s.url}/scenarios/failed").headers["location"]
        (entry,) = s.har()["log"]["entries"]
    assert entry["request"]["method"] == "POST" and entry["response"]["status"] == 202
    assert {"name": "Location", "value": location} in entry["response"]["headers"]
