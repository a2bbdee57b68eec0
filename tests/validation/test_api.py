"""The Python API refuses what it cannot read, with a message that says what to pass, and
accepts every reasonable shape of observations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobstate import Validator, validate
from jobstate._constants import Severity
from jobstate.grading import BehaviourFinding, Grade
from jobstate.results import InputSummary, JobReport, Report, Violation
from tests.strategies import any_job


def test_a_path_is_refused_with_a_pointer_to_read_input() -> None:
    """validate("file.jsonl") no longer checks the path's characters: it says how to read files."""
    for wrong in ("polls.jsonl", Path("polls.jsonl"), b'{"status": "completed"}'):
        with pytest.raises(TypeError, match="read_input"):
            validate(wrong)  # type: ignore[arg-type]


def test_a_single_body_is_one_job_of_one_observation() -> None:
    """A dict with 'status' is one body, as the CLI reads a JSON file holding one body."""
    report = validate({"status": "completed", "percentageComplete": 100})
    [job] = report.jobs
    assert job.key is None and job.outcome == "success" and job.observations == 1


def test_iterables_and_generators_are_read() -> None:
    """A generator of bodies, and generators as a mapping's values, are consumed once."""
    one = validate(b for b in [{"status": "inProgress"}, {"status": "failed"}])
    assert one.jobs[0].outcome == "failure"
    many = validate({"a": (b for b in [{"status": "completed"}]), "b": ({"status": "failed"},)})
    assert [j.outcome for j in many.jobs] == ["success", "failure"]


@pytest.mark.parametrize(
    ("wrong", "says"),
    [
        (5, "not int"),
        ({"job-1": "completed"}, "'job-1' maps to str"),
        ({"percentageComplete": 5}, "it has no 'status'"),
    ],
)
def test_wrong_types_say_what_to_pass(wrong: Any, says: str) -> None:
    """A value that is neither bodies, a body nor a mapping of jobs is a clear TypeError."""
    with pytest.raises(TypeError, match=says):
        Validator().validate(wrong)


def test_an_empty_mapping_is_no_job() -> None:
    """An empty mapping of jobs is a report with no job, not a job with an empty body."""
    assert validate({}).jobs == [] and validate({}).ok


# -- validate(trace)'s short way -----------------------------------------------------------------


@settings(max_examples=300)
@given(
    st.sampled_from(["current", "legacy", "any"]), st.sampled_from(["sampled", "step"]), st.data()
)
def test_the_short_way_for_one_trace_gives_the_full_report(
    spec: str, mode: str, data: st.DataObject
) -> None:
    """validate(list) takes a short way for a clean trace of a built-in spec; its report is the
    one the Validator's full path gives: verdict, outcome, totals, steps."""
    records = any_job(data, spec, mode)
    short = validate(records, spec, mode)
    full = Validator(spec, mode).validate(records)
    assert (short.ok, short.spec, short.mode) == (full.ok, full.spec, full.mode)
    assert short.totals == full.totals
    [a], [b] = short.jobs, full.jobs
    assert (a.key, a.outcome, a.violations, a.observations) == (
        b.key, b.outcome, b.violations, b.observations
    )  # fmt: skip
    assert a.steps == b.steps


_SEVERITY: st.SearchStrategy[Severity] = st.sampled_from(["error", "warning"])


@st.composite
def _flagged_job(draw: st.DrawFn, key: str) -> JobReport:
    """A job with lifecycle violations (kept, or only counted), client findings, both, or
    neither."""
    violations = tuple(
        Violation(rule="percentage-regression", severity=sev, index=i, line=None, message="m")
        for i, sev in enumerate(draw(st.lists(_SEVERITY, max_size=3)))
    )
    omitted = draw(st.dictionaries(st.tuples(st.just("r"), _SEVERITY), st.integers(1, 3)))
    findings = tuple(
        BehaviourFinding(id="b", severity=sev, message="m", count=1, first_poll=1)
        for sev in draw(st.lists(_SEVERITY, max_size=3))
    )
    graded = bool(findings) or draw(st.booleans())
    client = Grade(1, 1, "completed", 0, None, findings) if graded else None
    return JobReport(
        key=key, spec="current", mode="sampled", violations=violations, outcome="success",
        counts=(1, 0), omitted=omitted or None, client=client,
    )  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.data(), st.integers(0, 6), st.integers(0, 2))
def test_totals_and_verdict_are_the_sums_of_the_jobs(
    data: st.DataObject, jobs: int, loose: int
) -> None:
    """The totals, counted in one pass over the flagged jobs, and the JSON verdict taken from
    them, say what each job says: its errors, warnings, client findings and verdict."""
    reports = [data.draw(_flagged_job(f"j{i}")) for i in range(jobs)]
    summary = InputSummary("in.jsonl", unattributed=[(n + 1, "bad") for n in range(loose)])
    report = Report("current", "sampled", reports, [summary])
    t = report.totals
    assert t.errors == sum(j.errors for j in reports) + loose
    assert t.warnings == sum(j.warnings for j in reports)
    assert t.client_errors == sum(j.client_errors for j in reports)
    assert t.client_warnings == sum(j.client_warnings for j in reports)
    assert t.jobs_with_errors == sum(not j.ok for j in reports)
    assert report.to_dict()["ok"] is report.ok is (all(j.ok for j in reports) and not loose)
