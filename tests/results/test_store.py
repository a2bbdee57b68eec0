"""The report's one store: its parts (a plain sequence of reports, jobs validated in memory as
LazyJobs, an input's JobTable) give the same views, whichever part holds a job and whether
its reports were built before."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from jobstate import JobTable, Report, validate
from jobstate.results.table import LazyJobs
from tests.strategies import arbitrary_records

JOBS = st.dictionaries(st.sampled_from("abcdef"), arbitrary_records("current"), max_size=5)


def _views(report: Report) -> tuple[Any, ...]:
    """What renderers read of a report: its JSON, the worst-first order, the entries in order
    and the totals."""
    return (
        report.to_dict(),
        [j.key for j in report.worst_first()],
        [j.key for j in report.entries()],
        report.totals,
        report.ok,
    )


@given(jobs=JOBS)
def test_a_lazy_part_and_a_list_of_its_reports_give_the_same_views(jobs: dict[str, Any]) -> None:
    """validate()'s report (a LazyJobs part) and a report holding its jobs' reports as a plain
    list agree on every view, and reading .jobs first changes none of them."""
    lazy = validate(jobs)
    plain = Report("current", "sampled", validate(jobs).jobs)
    assert _views(lazy) == _views(plain)
    before = _views(lazy)
    assert [j.to_dict() for j in lazy.jobs] == [j.to_dict() for j in plain.jobs]
    assert _views(lazy) == before
    assert lazy.job_parts() and all(isinstance(p, LazyJobs) for p in lazy.job_parts())


@given(jobs=JOBS.filter(bool))
def test_lazy_jobs_is_a_sequence_of_its_reports(jobs: dict[str, Any]) -> None:
    """LazyJobs reads like the list of its reports: length, each index (negative ones too),
    slices, and its totals are the reports' observations and rejected records."""
    (part,) = validate(jobs).job_parts()
    assert isinstance(part, LazyJobs)
    reports = [j.to_dict() for j in part]
    assert len(part) == len(reports) == len(jobs)
    assert [part[i].to_dict() for i in range(-len(part), len(part))] == reports * 2
    assert [j.to_dict() for j in part[1:]] == reports[1:]
    observations = sum(r["observations"] for r in reports)
    assert part.totals() == (observations, sum(r["rejected"] for r in reports))


def test_a_report_of_several_kinds_of_parts_walks_them_in_order() -> None:
    """An input's JobTable, then a plain list: entries, jobs and the JSON jobs follow the parts'
    order, the table's clean jobs as columns until read."""
    table = JobTable("current", "sampled", "x.jsonl", ["t"], ["success"], [2], [1], [2])
    listed = validate({"v": [{"status": "Bad"}]}).jobs
    report = Report("current", "sampled", parts=[table, listed])
    assert [j.key for j in report.entries()] == ["t", "v"]
    assert [type(e).__name__ for e in report.entries()] == ["CleanJob", "JobReport"]
    assert [d["key"] for d in report.job_dicts()] == ["t", "v"]
    assert [j.key for j in report.worst_first()] == ["v", "t"]
    assert report.totals.jobs == 2 and report.totals.errors == 1


def test_a_tables_exact_jobs_are_their_reports_in_every_view() -> None:
    """A JobTable's job that the exact engine took is its own report in entries(), jobs and
    the JSON, never rebuilt from the columns (which say nothing of its violations)."""
    exact = validate({"e": [{"status": "Bad"}]}).jobs[0]
    table = JobTable(
        "current",
        "sampled",
        "x.jsonl",
        ["t", "e"],
        ["success", "unfinished"],
        [2, 1],
        [1, 3],
        [2, 3],
        exact={1: exact},
    )
    report = Report("current", "sampled", parts=[table])
    assert list(report.entries())[1] is exact and report.jobs[1] is exact
    assert [d["errors"] for d in report.job_dicts()] == [0, 1]
    assert [type(e).__name__ for e in table.entries()] == ["CleanJob", "JobReport"]
