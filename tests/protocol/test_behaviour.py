"""Client-behaviour findings from exchanges, the protocol data, and the scenarios."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

import jobstate
from jobstate import Exchange
from jobstate._constants import DIALECT_NAMES
from jobstate.packs.graph.scenarios import in_dialect
from jobstate.validation.behaviour import BehaviourTracker

TERMINAL = jobstate.get_spec("current").terminal
STATUSES = [*jobstate.get_spec("current").names, "unknownFutureValue"]


@st.composite
def exchanges(draw: st.DrawFn) -> list[Exchange]:
    """Polls in time order: status bodies, 303s, 404s, some with a token or Retry-After."""
    out = []
    t = 1_000.0
    for _ in range(draw(st.integers(0, 12))):
        t += draw(st.floats(0.0, 3.0))
        kind = draw(st.sampled_from(["body", "body", "body", "303", "404", "500"]))
        after = draw(st.none() | st.sampled_from([1.0, 2.0]))
        auth = draw(st.booleans())
        if kind == "body":
            ex = Exchange.of(202, {"status": draw(st.sampled_from(STATUSES))}, time=t)
        elif kind == "303":
            ex = Exchange.of(303, None, time=t, location="/items/1")
        elif kind == "404":
            ex = Exchange.of(404, {"error": {"code": "itemNotFound"}}, time=t)
        else:
            ex = Exchange.of(500, {"status": "inProgress"}, time=t)
        out.append(replace(ex, authorization=auth, retry_after=after))
    return out


def _end(ex: Exchange) -> bool:
    return ex.redirect or ex.status in TERMINAL or ex.gone


@given(exchanges())
def test_findings_count_what_the_exchanges_show(polls: list[Exchange]) -> None:
    """Every finding's count is what a direct reading of the exchanges gives: polls after the
    first end (after a 303: re-polls instead), polls with a token, polls sooner than asked."""
    t = BehaviourTracker(TERMINAL)
    for ex in polls:
        t.feed(ex)
    found = {f.id: f.count for f in t.findings()}
    end = next((i for i, ex in enumerate(polls) if _end(ex)), None)
    after = len(polls) - end - 1 if end is not None else 0
    key = (
        "repolled-redirect" if end is not None and polls[end].redirect else "polled-after-terminal"
    )
    assert found.get(key, 0) == after
    assert found.get("auth-to-monitor", 0) == sum(1 for ex in polls if ex.authorization)
    fast = sum(
        1
        for a, b in pairwise(polls)
        if a.retry_after and b.time is not None and a.time is not None
        if b.time - a.time + 0.05 < a.retry_after
    )
    assert found.get("poll-interval", 0) == fast
    grade = t.grade()
    assert grade.polls == len(polls)
    assert grade.stopped_before_end == (end is None)
    assert grade.ok == (end is not None and not found)
    assert all(f.severity == jobstate.BEHAVIOURS[f.id].severity for f in grade.findings)


def test_floor_reports_polls_closer_than_it() -> None:
    """poll-interval: a configured floor counts like Retry-After; the shortest gap is named."""
    t = BehaviourTracker(TERMINAL, floor=1.0)
    for at in (0.0, 0.2, 1.5, 1.6):
        t.feed(Exchange.of(202, {"status": "inProgress"}, time=at))
    (finding,) = t.findings()
    assert (finding.id, finding.count, finding.first_poll) == ("poll-interval", 2, 2)
    assert "0.1 s" in finding.message


def test_item_at_the_monitor_and_gone_end_the_job() -> None:
    """The item itself (a body with no status) and a 404 both end a job for the grade."""
    for answer in (Exchange.of(200, {"id": "x"}), Exchange.of(404, None)):
        t = BehaviourTracker(TERMINAL)
        t.feed(Exchange.of(202, {"status": "inProgress"}))
        t.feed(answer)
        t.feed(answer)
        assert t.grade().ended_at == 2
        assert [f.id for f in t.findings()] == ["polled-after-terminal"]


def test_behaviour_rules_carry_provenance() -> None:
    """Every finding id has a severity and provenance; only inferred ones are warnings-only
    where the rationale is ours (poll-interval)."""
    assert set(jobstate.BEHAVIOURS) == {
        "polled-after-terminal",
        "repolled-redirect",
        "poll-interval",
        "auth-to-monitor",
        "never-polled",
    }
    for rule in jobstate.BEHAVIOURS.values():
        assert rule.provenance in jobstate.Provenance.__args__  # type: ignore[attr-defined]
        assert rule.rationale
        if rule.provenance == "inferred":
            assert rule.severity == "warning"


def test_protocol_dialects_and_deviations() -> None:
    """The three dialects and the observed deviations, each with provenance and a source."""
    assert {d.name: (d.running, d.completion) for d in jobstate.DIALECTS.values()} == {
        "graph": (202, 202),
        "onedrive": (202, 303),
        "business": (200, 200),
    }
    assert {"transient-500", "expired-404", "operation-not-found", "bearer-401"} <= set(
        jobstate.DEVIATIONS
    )
    assert tuple(jobstate.DIALECTS) == DIALECT_NAMES  # the CLI's choices
    rationales = [d.rationale for d in jobstate.DIALECTS.values()]
    rationales += [d.rationale for d in jobstate.DEVIATIONS.values()]
    assert all("sources:" in r for r in rationales)


def test_scenarios_are_legal_traces_of_their_spec() -> None:
    """Every scenario's status bodies pass the lifecycle rules of its spec (the service plays
    fair, its 303 and its item at the monitor URL read as the completion, as the poller reads
    them); the one that loses its monitor fails exactly with monitor-lost."""
    from jobstate.validation.checker import Checker

    names = set(jobstate.SCENARIOS)
    assert {"completed", "completed-303", "failed", "cancelled", "waiting-retry"} <= names
    assert {"transient-500", "expired-404", "unknown-future"} <= names
    for s in jobstate.SCENARIOS.values():
        c = Checker(jobstate.Validator(s.spec).tables)
        polls = len(s.answers) + (s.expire_after or 0) + 2
        for n in range(1, polls + 1):
            a = s.answer(n, n - len(s.answers) + 1 if n >= len(s.answers) else None)
            c.feed(dict(a.body) if a.body is not None else {}, n, a.http)
        rules = {v.rule for v in c.violations if v.rule != "unknown-status"}
        expected = {"operation-not-found": {"monitor-lost"}}
        assert rules == expected.get(s.name, set()), (s.name, c.violations)
        if s.name in ("completed-303", "location-is-item"):
            assert c.outcome == "success", s.name


def test_dialect_rewrites_the_completion() -> None:
    """--dialect: the same course in onedrive ends with a 303; in business every code is 200."""
    s = jobstate.SCENARIOS["waiting-retry"]
    assert in_dialect(s, "onedrive").answers[-1].http == 303
    assert {a.http for a in in_dialect(s, "business").answers} == {200}


def test_a_grade_is_exactly_this() -> None:
    """One course graded key by key (#31: nothing pinned the grade's end, polls after it,
    seconds after it, location, nor the findings' messages): a token on a poll, a poll sooner
    than Retry-After (the shortest gap reported, not the last), the 303 with its Location,
    two re-polls of it."""
    t = BehaviourTracker(frozenset({"completed"}))
    t.feed(Exchange(202, "notStarted", time=0.0, retry_after=5.0))
    t.feed(Exchange(202, "inProgress", time=2.0, retry_after=5.0, authorization=True))
    t.feed(Exchange(202, "inProgress", time=3.5))
    t.feed(Exchange(303, time=10.0, location="/items/01A"))
    t.feed(Exchange(303, time=11.25, location="/items/01A"))
    t.feed(Exchange(303, time=12.5, location="/items/01A"))
    assert t.grade().to_dict() == {
        "ok": False, "polls": 6, "ended_at": 4, "end": "303", "stopped_before_end": False,
        "polls_after_end": 2, "seconds_after_end": 2.5, "location": "/items/01A",
        "findings": [
            {"id": "repolled-redirect", "severity": "error", "count": 2, "first_poll": 5,
             "message": "fetched the monitor 2 more time(s) after its 303 See Other (poll 4),"
                        " for 2.5 s"},
            {"id": "poll-interval", "severity": "warning", "count": 2, "first_poll": 2,
             "message": "2 poll(s) sooner than asked (Retry-After or the floor); the shortest"
                        " gap was 1.5 s"},
            {"id": "auth-to-monitor", "severity": "warning", "count": 1, "first_poll": 2,
             "message": "sent an Authorization header on 1 poll(s) of the pre-authenticated"
                        " monitor URL"},
        ],
    }  # fmt: skip


def test_the_end_of_a_grade_without_times_or_with_a_status() -> None:
    """A terminal status ends it with no location and, without times, no seconds after the
    end; a gap exactly the wait is not too soon; a job that never ended has nothing after."""
    t = BehaviourTracker(frozenset({"failed"}))
    for s in ("inProgress", "failed", "failed"):
        t.feed(Exchange(202, s))
    grade = t.grade()
    assert (grade.end, grade.ended_at, grade.location, grade.seconds_after_end) == (
        "failed", 2, None, None)  # fmt: skip
    (after,) = grade.findings
    assert after.message == "polled 1 more time(s) after the terminal 'failed' answer (poll 2)"
    exact = BehaviourTracker(frozenset({"completed"}))
    exact.feed(Exchange(202, "inProgress", time=0.0, retry_after=1.0))
    exact.feed(Exchange(202, "inProgress", time=0.95))  # within the 0.05 s of clock slack
    assert exact.findings() == []
    running = BehaviourTracker(frozenset({"completed"}))
    running.feed(Exchange(202, "inProgress", time=0.0))
    assert (running.grade().polls_after_end, running.grade().seconds_after_end) == (0, None)
    assert running.grade().stopped_before_end and not running.grade().ok


def test_the_grades_edges() -> None:
    """No location but a 303's; a zero gap is reported as 0 s; the seconds after the end
    to the microsecond; a monitor started and never polled is one never-polled error, at no
    poll."""
    t = BehaviourTracker(frozenset({"completed"}))
    t.feed(Exchange(202, "inProgress", time=0.0, retry_after=1.0))
    t.feed(Exchange(202, "completed", time=0.0, location="/elsewhere"))
    t.feed(Exchange(202, "completed", time=0.1234567))
    grade = t.grade()
    assert grade.location is None and grade.seconds_after_end == 0.123457
    fast = next(f for f in grade.findings if f.id == "poll-interval")
    assert fast.message.endswith("the shortest gap was 0 s")
    running = BehaviourTracker(frozenset({"completed"}))
    running.feed(Exchange(202, "inProgress", time=0.0))
    assert running.grade().location is None
    never = BehaviourTracker(frozenset({"completed"}))
    never.started("entry 3")
    (finding,) = never.grade().findings
    assert (finding.id, finding.severity, finding.count, finding.first_poll) == (
        "never-polled", "error", 1, 0)  # fmt: skip
    assert finding.message == (
        "entry 3 answered 202 Accepted with this monitor URL as its Location; no poll of it follows"
    )


def test_poll_interval_names_the_shortest_gap_wherever_it_falls() -> None:
    """The shortest gap is named even when a longer too-soon gap comes after it (not the last
    gap, nor the first): 0.4 s, then 0.1 s, then 0.3 s under a 1 s floor."""
    t = BehaviourTracker(TERMINAL, floor=1.0)
    for at in (0.0, 0.4, 0.5, 0.8):
        t.feed(Exchange.of(202, {"status": "inProgress"}, time=at))
    (finding,) = t.findings()
    assert (finding.count, finding.first_poll) == (3, 2)
    assert finding.message.endswith("the shortest gap was 0.1 s")


def test_a_gone_end_an_untimed_end_and_a_running_job_grade_as_they_are() -> None:
    """A 404 is the end 'gone' by name; an end seen without a time has no seconds after it
    even when earlier polls had times; a first poll without a time (Retry-After asked) leaves
    no gap to measure; a job still running has no end at all (None, not empty)."""
    gone = BehaviourTracker(TERMINAL)
    gone.feed(Exchange.of(202, {"status": "inProgress"}))
    gone.feed(Exchange.of(404, {"error": {"code": "itemNotFound"}}))
    gone.feed(Exchange.of(404, {"error": {"code": "itemNotFound"}}))
    assert gone.grade().end == "gone"
    assert gone.findings()[0].message == (
        "polled 1 more time(s) after the terminal 'gone' answer (poll 2)"
    )
    untimed = BehaviourTracker(TERMINAL)
    untimed.feed(Exchange.of(202, {"status": "inProgress"}, time=1.0))
    untimed.feed(Exchange.of(202, {"status": "completed"}))
    untimed.feed(Exchange.of(202, {"status": "completed"}, time=3.0))
    assert untimed.grade().seconds_after_end is None
    first = BehaviourTracker(TERMINAL)
    first.feed(replace(Exchange.of(202, {"status": "inProgress"}), retry_after=5.0))
    first.feed(Exchange.of(202, {"status": "inProgress"}, time=2.0))
    assert first.findings() == []
    running = BehaviourTracker(TERMINAL)
    running.feed(Exchange.of(202, {"status": "inProgress"}))
    assert running.grade().end is None and running.grade().to_dict()["end"] is None


def test_behaviour_rules_are_frozen() -> None:
    """A client-behaviour rule (public API) cannot be changed in place."""
    import dataclasses

    import pytest

    with pytest.raises(dataclasses.FrozenInstanceError):
        jobstate.BEHAVIOURS["poll-interval"].severity = "error"  # type: ignore[misc]


def test_grades_and_findings_are_frozen_values() -> None:
    """A Grade and a BehaviourFinding cannot be changed in place; a grade made without a
    location has none (None, not empty)."""
    import dataclasses

    import pytest

    from jobstate.grading import BehaviourFinding, Grade

    grade = Grade(1, None, None, 0, None, ())
    finding = BehaviourFinding("poll-interval", "warning", "m", 1, 1)
    assert grade.location is None and grade.to_dict()["location"] is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        grade.polls = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.count = 2  # type: ignore[misc]
