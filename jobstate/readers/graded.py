"""What the traffic says beside the lifecycle, joined to the jobs once an input is read: each
job's client grade, time facts and result fields (a HAR, or ``time_key``), its stalls as
``stalled`` violations, and, from a HAR that holds the requests that started jobs, when each job was
accepted, or that its monitor was never polled (a job of its own, with no observation)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING

from jobstate.results import InputSummary, JobReport, Violation

if TYPE_CHECKING:
    from jobstate._constants import Severity
    from jobstate.readers.routing import JobRouter, Start
    from jobstate.validation import Validator
    from jobstate.validation.timing import Timing

__all__ = ["carry", "flagged_by_traffic", "grade"]


def grade(summary: InputSummary, router: JobRouter) -> None:
    """Each tracked job's client grade, time facts (with when it was accepted) and result
    fields, by the job's key as the reports write it."""
    for key, job in router.tracked.items():
        name = str(key)
        summary.clients[name] = job.behaviour.grade()
        facts = job.time.facts()
        start = router.starts.get(name)
        if facts is not None and start is not None and start.time is not None:
            facts = replace(facts, accepted=start.time)
        summary.timings[name] = facts
        if job.result:
            summary.results[name] = job.result


def flagged_by_traffic(summary: InputSummary) -> set[str]:
    """The jobs ``only_failing`` lists whatever their lifecycle: a client finding, a stall."""
    flagged = {k for k, g in summary.clients.items() if g.findings}
    return flagged | {k for k, t in summary.timings.items() if t is not None and t.stalls}


def carry(summary: InputSummary, router: JobRouter, validator: Validator) -> None:
    """Give each job its grade and time facts, and add a job for each monitor URL a request
    gave and no poll fetched (client finding ``never-polled``)."""
    jobs = list(summary.jobs)  # objects, to carry each grade
    step_times = {str(k): t.step_times for k, t in router.tracked.items() if t.step_times}
    for job in jobs:
        job.client = summary.clients.get(job.key or "")
        _with_time(job, summary.timings.get(job.key or ""))
        job.result = summary.results.get(job.key or "")
        times = step_times.get(job.key or "")
        if times and job.recorded_steps is not None:  # explain: each step's time
            job.recorded_steps = tuple(
                replace(st, time=times.get(st.line)) if st.line is not None else st
                for st in job.recorded_steps
            )
    for monitor, start in router.starts.items():
        if monitor not in summary.clients:
            jobs.append(_never_polled(start, summary.name, validator))
    summary.jobs = jobs


def _with_time(job: JobReport, timing: Timing | None) -> None:
    """Give ``job`` its time facts, and its stalls as ``stalled`` violations (in poll order
    among the others)."""
    job.timing = timing
    if timing is None or not timing.stalls:
        return
    from jobstate.validation.rules import RULES

    severity = RULES["stalled"].severity
    stalls = [Violation("stalled", severity, s.poll, s.line, s.message()) for s in timing.stalls]
    job.violations = tuple(sorted((*job.violations, *stalls), key=lambda v: v.index))
    if timing.stalls_omitted:
        omitted: Counter[tuple[str, Severity]] = Counter(job.omitted or {})
        omitted["stalled", severity] += timing.stalls_omitted
        job.omitted = omitted


def _never_polled(start: Start, name: str, validator: Validator) -> JobReport:
    """The job a request started whose monitor no poll fetched: no observation, unfinished,
    and its client's ``never-polled`` finding (as ``jobstate serve`` grades it)."""
    from jobstate.validation.behaviour import BehaviourTracker

    tracker = BehaviourTracker(validator.tables.terminal)
    tracker.started(f"entry {start.number}")
    return JobReport(
        key=start.monitor,
        spec=validator.spec.name,
        mode=validator.mode,
        violations=(),
        outcome="unfinished",
        input=name,
        counts=(0, 0),
        recorded_steps=(),  # never polled: no step, so --explain and --diagram read none
        span=(start.number, start.number),
        client=tracker.grade(),
    )
