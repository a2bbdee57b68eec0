"""Time facts and stalls (``jobstate.validation.timing``): the tracker against a reference
reading, the CLI's report of them in every format, and the options that set them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobstate import ReadOptions, Validator, read_input
from jobstate._words import shortened
from jobstate.results.report import Durations
from jobstate.spec.protocol import Exchange
from jobstate.validation.timing import MAX_STALLS, Stall, TimeTracker, clock, span
from tests.clirun import cli_text

T0 = datetime(2026, 12, 5, 10, 0, tzinfo=timezone.utc)
TERMINAL = frozenset({"completed", "failed", "cancelled"})


def _at(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


Poll = tuple[float, str, "float | None"]


def _write(path: Path, polls: Sequence[Poll], job: str = "j") -> Path:
    """JSON Lines of timed polls: (seconds after T0, status, percentage or none)."""
    rows = []
    for t, status, pct in polls:
        body: dict[str, Any] = {"status": status}
        if pct is not None:
            body["percentageComplete"] = pct
        rows.append({"job": job, "t": _at(t), "body": body})
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


STUCK: list[Poll] = [(0, "notStarted", 0.0), (5, "inProgress", 45.2), (305, "inProgress", 45.2),
         (607, "inProgress", 45.2)]  # fmt: skip
TIMED = ("--time-key", "t", "--body-key", "body", "--job-key", "job")


def _reference_stalls(
    polls: list[tuple[float, str, float | None]], threshold: float
) -> list[tuple[str, float | None, float, float, int]]:
    """Stalls read the slow way: every maximal run of equal (status, progress) before the
    end, as (status, progress, start, seconds, first poll), longer than the threshold."""
    end = next((i for i, p in enumerate(polls) if p[1] in TERMINAL), len(polls))
    out = []
    i = 0
    while i < end:
        j = i
        while j + 1 < end and polls[j + 1][1:] == polls[i][1:]:
            j += 1
        if polls[j][0] - polls[i][0] > threshold:
            out.append((polls[i][1], polls[i][2], polls[i][0], polls[j][0] - polls[i][0], i))
        i = j + 1
    return out


@st.composite
def timed_polls(draw: st.DrawFn) -> list[tuple[float, str, float | None]]:
    """Polls of one job in time order: a few statuses and percentages, gaps of any size."""
    t = 0.0
    out: list[tuple[float, str, float | None]] = []
    for _ in range(draw(st.integers(1, 30))):
        t += draw(st.sampled_from([0.0, 1.0, 30.0, 120.0, 400.0]))
        status = draw(st.sampled_from(["notStarted", "inProgress", "waiting", "completed"]))
        out.append((t, status, draw(st.sampled_from([None, 0.0, 50.0]))))
    return out


def _feed(polls: list[tuple[float, str, float | None]], stall: float | None) -> TimeTracker:
    tracker = TimeTracker(TERMINAL, stall)
    for i, (t, s, p) in enumerate(polls):
        tracker.feed(Exchange(202, s, time=t, progress=p), line=i + 1)
    return tracker


@given(timed_polls(), st.sampled_from([60.0, 300.0]))
def test_stalls_are_the_runs_without_a_change_longer_than_the_threshold(
    polls: list[tuple[float, str, float | None]], threshold: float
) -> None:
    """Each stall is one maximal run of an unchanged status and progress before the end,
    lasting longer than the threshold, and every such run is one stall."""
    facts = _feed(polls, threshold).facts()
    assert facts is not None
    got = [(s.status, s.progress, s.start, s.seconds, s.poll) for s in facts.stalls]
    assert got == _reference_stalls(polls, threshold)
    assert [s.line for s in facts.stalls] == [s.poll + 1 for s in facts.stalls]


@given(timed_polls())
def test_time_in_statuses_adds_up_to_the_duration(
    polls: list[tuple[float, str, float | None]],
) -> None:
    """The time counted to each status sums to the job's duration, which runs from the first
    poll to the end (or to the last poll of a job that never ended)."""
    facts = _feed(polls, None).facts()
    assert facts is not None
    end = next((t for t, s, _ in polls if s in TERMINAL), None)
    assert facts.end == end
    assert facts.duration == pytest.approx((end if end is not None else polls[-1][0]) - polls[0][0])
    assert sum(facts.in_status.values()) == pytest.approx(facts.duration)
    assert facts.stalls == ()  # no threshold, no stalls


def test_a_stuck_job_is_reported_once_with_where_and_how_long(tmp_path: Path) -> None:
    """Ten minutes at inProgress 45.2%: one 'stalled' warning naming the status, the
    percentage, when it began and how long it lasted; the job line says how long it ran and
    how long nothing changed."""
    path = _write(tmp_path / "stuck.jsonl", STUCK)
    ran = cli_text("check", str(path), *TIMED)
    assert ran.returncode == 0, ran.stderr  # a warning: exit 0 at the default --fail-on
    lines = ran.stdout.splitlines()
    assert lines[0].endswith(
        "0 errors, 1 warning; unfinished after 10m07s: inProgress 45.2%, no change for 10m02s"
    )
    assert " ".join(lines[1].split()) == (
        "line 2 warning stalled no change for 10m02s in 'inProgress' at 45.2%"
        " (from poll 2, 2026-12-05T10:00:05Z), still so at the last poll"
    )
    assert lines[2] == "durations: unfinished 1 job: 10m07s"
    failing = cli_text("check", str(path), *TIMED, "--fail-on", "warning")
    assert failing.returncode == 1


def test_a_stall_that_ended_is_not_ongoing_and_a_short_pause_is_no_stall(tmp_path: Path) -> None:
    """A stall followed by progress says where it began and is not 'still so'; a pause no
    longer than the threshold is no finding."""
    polls: list[Poll] = [*STUCK[:2], (306, "inProgress", 45.2), (310, "inProgress", 60.0),
             (400, "inProgress", 60.0), (401, "completed", 100.0)]  # fmt: skip
    path = _write(tmp_path / "resumed.jsonl", polls)
    ran = cli_text("check", str(path), *TIMED, "--format", "json")
    job = json.loads(ran.stdout)["jobs"][0]
    assert [v["rule"] for v in job["violations"]] == ["stalled"]
    stall = job["timing"]["stalls"][0]
    assert stall == {"status": "inProgress", "progress": 45.2, "start": _at(5),
                     "seconds": 301.0, "poll": 2, "line": 2, "ongoing": False}  # fmt: skip
    assert job["timing"]["end"] == _at(401)
    assert job["timing"]["duration_seconds"] == 401
    assert job["timing"]["seconds_in_status"] == {"notStarted": 5, "inProgress": 396}
    longer = cli_text("check", str(path), *TIMED, "--stall", "301.5", "--format", "json")
    assert json.loads(longer.stdout)["jobs"][0]["violations"] == []


def test_stall_zero_turns_stalls_off_and_the_config_sets_the_threshold(tmp_path: Path) -> None:
    """--stall 0 reports no stall (the facts remain); the config key ``stall`` sets the
    threshold as the option does; a negative threshold is a usage error (exit 2)."""
    path = _write(tmp_path / "stuck.jsonl", STUCK)
    off = cli_text("check", str(path), *TIMED, "--stall", "0")
    assert "stalled" not in off.stdout and "no change for 10m02s" in off.stdout
    (tmp_path / "jobstate.toml").write_text("stall = 700\n")
    configured = cli_text("check", "stuck.jsonl", *TIMED, cwd=tmp_path)
    assert configured.returncode == 0, configured.stderr
    assert "stalled" not in configured.stdout and "no change for 10m02s" in configured.stdout
    (tmp_path / "jobstate.toml").write_text("stall = 60\n")
    assert "stalled" in cli_text("check", "stuck.jsonl", *TIMED, cwd=tmp_path).stdout
    bad = cli_text("check", str(path), *TIMED, "--stall", "-1")
    assert bad.returncode == 2 and "--stall" in bad.stderr


def test_a_har_carries_its_times_and_the_totals_give_durations_by_outcome() -> None:
    """A HAR needs no --time-key: each job line says how long it took, the JSON has each
    job's timing and the totals its duration percentiles per outcome."""
    har = Path(__file__).resolve().parents[2] / "examples" / "capture.har"
    text = cli_text("check", str(har))
    assert text.stdout.count("ended after ") == 7
    assert text.stdout.splitlines()[-2].startswith("durations: success 5 jobs: p50 ")
    data = json.loads(cli_text("check", str(har), "--format", "json").stdout)
    durations = data["totals"]["duration_seconds"]
    assert list(durations) == ["success", "failure", "cancelled"]
    assert durations["success"]["jobs"] == 5
    jobs = data["jobs"]
    mine = sorted(j["timing"]["duration_seconds"] for j in jobs if j["outcome"] == "success")
    assert durations["success"]["max"] == mine[-1] and durations["success"]["p50"] == mine[2]


def test_untimed_checks_carry_no_timing(tmp_path: Path) -> None:
    """Without times (no HAR, no --time-key) no job has timing and the totals no durations."""
    path = _write(tmp_path / "stuck.jsonl", STUCK)
    data = json.loads(cli_text("check", str(path), "--body-key", "body", "--format", "json").stdout)
    assert "timing" not in data["jobs"][0] and "duration_seconds" not in data["totals"]


def test_out_of_order_and_untimed_polls_are_counted_not_timed() -> None:
    """A poll earlier than the one before, and one without a time, are counted apart and
    do not move the facts."""
    tracker = TimeTracker(TERMINAL)
    for t in (10.0, 5.0, None, 20.0):
        tracker.feed(Exchange(202, "inProgress", time=t, progress=1.0))
    facts = tracker.facts()
    assert facts is not None
    assert (facts.first, facts.last, facts.polls) == (10.0, 20.0, 2)
    assert (facts.out_of_order, facts.untimed) == (1, 1)
    assert TimeTracker(TERMINAL).facts() is None


def test_completions_without_a_status_end_the_job_and_error_answers_do_not_move_it() -> None:
    """A 303 or the item at the monitor URL ends the job; a 401 or a 503 in between neither
    ends nor breaks a stall; polls after the end are counted but not timed."""
    tracker = TimeTracker(TERMINAL, stall=60.0)
    tracker.feed(Exchange(202, "inProgress", time=0.0, progress=5.0))
    tracker.feed(Exchange(401, time=50.0))
    tracker.feed(Exchange(503, time=90.0))
    tracker.feed(Exchange(202, "inProgress", time=100.0, progress=5.0))
    tracker.feed(Exchange(303, time=110.0))
    tracker.feed(Exchange(202, "completed", time=500.0))
    facts = tracker.facts()
    assert facts is not None
    assert (facts.end, facts.end_status, facts.duration) == (110.0, "see-other", 110)
    assert facts.polls == 6
    assert [(s.seconds, s.ongoing) for s in facts.stalls] == [(100.0, False)]
    assert facts.phrase() == "ended after 1m50s"
    item = TimeTracker(TERMINAL)
    item.feed(Exchange(200, time=1.0, item=True))
    assert item.facts() is not None and item.facts().end == 1.0  # type: ignore[union-attr]


def test_stalls_beyond_the_cap_are_counted_not_kept() -> None:
    """A job with more stalls than MAX_STALLS keeps that many and counts the rest, so its
    memory does not grow with its polls; the ongoing one is counted too."""
    tracker = TimeTracker(TERMINAL, stall=1.0)
    t = 0.0
    for i in range(MAX_STALLS + 5):
        for _ in range(2):
            tracker.feed(Exchange(202, "inProgress", time=t, progress=float(i % 2)))
            t += 2.0
    facts = tracker.facts()
    assert facts is not None
    assert len(facts.stalls) == MAX_STALLS and facts.stalls_omitted == 5
    again = tracker.facts()
    assert again is not None and again.stalls_omitted == 5  # asking twice changes nothing


def test_stall_messages_and_spans_read_as_people_write_them() -> None:
    """Durations as 45.2s, 10m02s, 2h05m, 2d03h; a stall without a percentage names none."""
    assert [span(x) for x in (0, 0.5, 59.9, 60, 3599, 3600, 10790, 86400, 104400)] == [
        "0s", "0.5s", "59.9s", "1m00s", "59m59s", "1h00m", "2h59m", "1d00h", "1d05h"]  # fmt: skip
    s = Stall("notStarted", None, 0.0, 172800.0, 0, 1, True)
    assert s.message() == (
        "no change for 2d00h in 'notStarted' (from poll 1, 1970-01-01T00:00:00Z),"
        " still so at the last poll"
    )
    assert clock(0.25) == "1970-01-01T00:00:00.250Z"


def test_durations_take_the_nearest_rank() -> None:
    """p50 and p95 are nearest-rank percentiles; one job gives its own duration thrice."""
    assert Durations.of([7.0]) == Durations(1, 7.0, 7.0, 7.0)
    assert Durations.of([float(i) for i in range(1, 21)]) == Durations(20, 10.0, 19.0, 20.0)


def test_engines_give_the_same_time_facts(tmp_path: Path) -> None:
    """JSON Lines and CSV of the same timed polls, read by every engine, give the same
    timing and stalls."""
    polls: list[Poll] = [*STUCK, (700, "completed", 100.0)]
    jsonl = _write(tmp_path / "p.jsonl", polls)
    csv = tmp_path / "p.csv"
    csv.write_text(
        "job_id,t,status,percentageComplete\n"
        + "".join(f"j,{_at(t)},{s},{p}\n" for t, s, p in polls)
    )
    seen = []
    for engine in ("python", "polars"):
        for path, opts in (
            (jsonl, ReadOptions(job_key="job", body_key="body", time_key="t", engine=engine)),
            (csv, ReadOptions(time_key="t", engine=engine)),
        ):
            (job,) = read_input(str(path), Validator(), opts).jobs
            assert job.timing is not None
            facts = job.timing.to_dict()
            for stall in facts["stalls"]:
                stall["line"] -= path.suffix == ".csv"  # a CSV's first line is its header
            seen.append((facts, [v.message for v in job.violations]))
    assert all(s == seen[0] for s in seen)
    assert len(seen[0][1]) == 1


def test_values_outside_the_spec_are_kept_short_and_counted_under_one_name() -> None:
    """An unknown status a megabyte long stalls as a shortened, inert value, and its time
    is counted under one name however many such values come: the memory is per job."""
    tracker = TimeTracker(TERMINAL, stall=10.0, known=frozenset({"inProgress", *TERMINAL}))
    huge = "\u202e" + "x" * 1_000_000
    for t in (0.0, 20.0):
        tracker.feed(Exchange(202, huge, time=t))
    for i in range(50):
        tracker.feed(Exchange(202, f"odd-{i}", time=30.0 + i))
    facts = tracker.facts()
    assert facts is not None
    (stall,) = facts.stalls
    assert len(stall.status) < 200 and stall.status.isprintable() and "1,000,001" in stall.status
    assert stall.status == shortened(huge, 120)  # the first 120 characters, made inert
    assert set(facts.in_status) == {"(outside the spec)"}
    assert facts.in_status["(outside the spec)"] == 79.0
    assert len(facts.phrase()) < 300 and facts.phrase().isprintable()


STALLED = Path(__file__).resolve().parents[2] / "examples" / "stalled.har"


def test_explain_shows_each_steps_percentage_and_time() -> None:
    """--explain on a timed capture: each step with its percentage and its time since the
    job's first poll, the stall marked at the step where it began."""
    lines = cli_text("check", "--explain", str(STALLED)).stdout.splitlines()
    assert any(
        ln.split() == ["entry", "5", "edge", "notStarted", "->", "inProgress", "12.5%",
                       "[HTTP", "202]", "(+1m00s)"]
        for ln in lines
    )  # fmt: skip
    at = next(i for i, ln in enumerate(lines) if "(+2m00s)" in ln)
    assert "inProgress 45.2%" in lines[at] and "^ warning stalled" in lines[at + 1]


def test_junit_carries_each_jobs_time_and_facts() -> None:
    """JUnit: a timed job's test case has its duration as ``time`` and its time facts as
    properties; the never-polled client case says 'no poll'."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(cli_text("check", "--format", "junit", str(STALLED)).stdout)
    stuck = next(tc for tc in root.iter("testcase") if tc.get("name", "").endswith("4F0C"))
    assert stuck.get("time") == "720.000"
    props = {p.get("name"): p.get("value") for p in stuck.iter("property")}
    assert props == {"first_poll": "2026-11-24T09:00:02Z", "last_poll": "2026-11-24T09:12:02Z",
                     "unfinished": "true", "last_status": "inProgress", "last_progress": "45.2",
                     "unchanged_seconds": "600.0", "stalls": "1"}  # fmt: skip
    failure = next(f for f in root.iter("failure") if f.get("type") == "never-polled")
    assert (failure.text or "").startswith("no poll: error never-polled: entry 2 answered")


def test_the_facts_as_json_are_exactly_these() -> None:
    """Every key of a job's timing and of a stall, with its value, for one known course
    (a start, a stall that ended, an error answer, the end, a poll after it)."""
    tracker = TimeTracker(TERMINAL, stall=60.0)
    polls: list[tuple[float, int, str | None, float | None]] = [
        (0.0, 202, "notStarted", None), (10.0, 202, "inProgress", 5.0),
        (80.5, 202, "inProgress", 5.0), (90.0, 503, None, None),
        (100.0, 202, "inProgress", 50.0), (130.0, 202, "completed", 100.0),
        (140.0, 202, "completed", 100.0),
    ]  # fmt: skip
    for i, (t, http, status, pct) in enumerate(polls):
        tracker.feed(Exchange(http, status, time=T0.timestamp() + t, progress=pct), line=i + 1)
    facts = tracker.facts()
    assert facts is not None
    facts = replace(facts, accepted=T0.timestamp() - 2.5)
    assert facts.to_dict() == {
        "first_poll": _at(0), "last_poll": _at(140), "end": _at(130),
        "duration_seconds": 130.0, "unfinished": False, "timed_polls": 7,
        "last_status": "completed", "last_progress": 100.0, "unchanged_seconds": 0.0,
        "seconds_in_status": {"notStarted": 10.0, "inProgress": 120.0},
        "stalls": [{"status": "inProgress", "progress": 5.0, "start": _at(10),
                    "seconds": 70.5, "poll": 2, "line": 2, "ongoing": False}],
        "stalls_not_kept": 0, "out_of_order": 0, "untimed": 0,
        "accepted": "2026-12-05T09:59:57.500Z", "first_poll_after_seconds": 2.5,
    }  # fmt: skip
    assert facts.phrase() == "ended after 2m10s (first poll 2.5s after the 202)"
    assert facts.stalls[0].message() == (
        "no change for 1m10s in 'inProgress' at 5% (from poll 2, 2026-12-05T10:00:10Z)"
    )


def test_phrases_of_jobs_still_running() -> None:
    """A running job's phrase: where it stands and how long nothing changed, or only where
    it stands when it just changed, or that no status was seen at all."""
    t = TimeTracker(TERMINAL)
    t.feed(Exchange(202, "inProgress", time=0.0, progress=1.0))
    t.feed(Exchange(202, "inProgress", time=30.0, progress=2.0))
    facts = t.facts()
    assert facts is not None and facts.phrase() == "unfinished after 30s: inProgress 2%"
    t.feed(Exchange(202, "inProgress", time=45.0, progress=2.0))
    again = t.facts()
    assert again is not None
    assert again.phrase() == "unfinished after 45s: inProgress 2%, no change for 15s"
    errors = TimeTracker(TERMINAL)
    errors.feed(Exchange(401, time=0.0))
    errors.feed(Exchange(401, time=5.0))
    none = errors.facts()
    assert none is not None and none.phrase() == "unfinished after 5s: no status seen"
    bare = TimeTracker(TERMINAL)
    bare.feed(Exchange(202, "waiting", time=0.0))
    only = bare.facts()
    assert only is not None and only.phrase() == "unfinished after 0s: waiting"


def test_counts_boundaries_and_precision_of_the_facts() -> None:
    """Untimed and out-of-order polls are counted one by one; a run exactly as long as the
    threshold is no stall; time before the first status answer is counted to no status;
    figures keep their precision (milliseconds in JSON, microseconds in the facts)."""
    t = TimeTracker(TERMINAL, stall=60.0)
    t.feed(Exchange(401, time=0.0))  # an error answer first: no status to count time to
    for at in (10.0, 70.0):  # exactly the threshold: no stall
        t.feed(Exchange(202, "inProgress", time=at, progress=1.0))
    for _ in range(2):
        t.feed(Exchange(202, "inProgress", time=None))
        t.feed(Exchange(202, "inProgress", time=5.0))
    t.feed(Exchange(202, "inProgress", time=70.1234567, progress=2.0))
    t.feed(Exchange(202, "inProgress", time=140.5, progress=2.0))
    facts = t.facts()
    assert facts is not None
    assert (facts.untimed, facts.out_of_order) == (2, 2)
    assert facts.in_status == {"inProgress": 130.5}
    (stall,) = facts.stalls
    assert stall.seconds == 70.376543 and stall.to_dict()["seconds"] == 70.377
    assert facts.unchanged_for == 70.376543
    assert facts.to_dict()["unchanged_seconds"] == 70.377
    assert facts.to_dict()["seconds_in_status"] == {"inProgress": 130.5}
    only_errors = TimeTracker(TERMINAL)
    only_errors.feed(Exchange(503, time=1.0))
    none = only_errors.facts()
    assert none is not None and (none.last_status, none.last_progress) == (None, None)
    fractional = TimeTracker(TERMINAL)
    fractional.feed(Exchange(202, "waiting", time=0.0))
    fractional.feed(Exchange(202, "inProgress", time=1.23456789))
    part = fractional.facts()
    assert part is not None and part.in_status == {"waiting": 1.234568}
    assert part.to_dict()["seconds_in_status"] == {"waiting": 1.235}


def test_two_long_unknown_values_alike_in_their_start_are_two_runs() -> None:
    """Values outside the spec are kept shortened, but compared whole (by hash): two that
    differ only past the kept start are two runs, not one stall."""
    tracker = TimeTracker(TERMINAL, stall=10.0, known=frozenset({"inProgress", *TERMINAL}))
    head = "x" * 200
    for at, tail in ((0.0, "a"), (6.0, "b"), (12.0, "a")):
        tracker.feed(Exchange(202, head + tail, time=at))
    facts = tracker.facts()
    assert facts is not None and facts.stalls == ()


def test_explain_times_steps_of_jobs_keyed_by_numbers(tmp_path: Path) -> None:
    """Job keys that are numbers in the records (reported as text) still get each step's
    time under --explain."""
    rows = [{"job": 7, "t": t, "body": {"status": s}}
            for t, s in ((0, "inProgress"), (90, "inProgress"), (95, "completed"))]  # fmt: skip
    path = tmp_path / "n.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    out = cli_text("check", "--explain", str(path), *TIMED).stdout
    assert "(+1m30s)" in out and "(+1m35s)" in out
