"""One input's job reports as columns: clean jobs cost no object until read."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, overload

from jobstate._constants import Mode, Outcome
from jobstate.results.records import JobReport, Record, StepSource, http_dict

__all__ = ["CleanJob", "CleanRun", "JobTable", "LazyJobs", "dicts_of", "totals_of"]


class CleanJob(NamedTuple):
    """A job without a violation, as a :class:`JobTable` holds it: what a line of the text
    report says of it, with no report object (:meth:`Report.worst_first_entries`)."""

    key: str | None
    input: str | None
    outcome: Outcome
    observations: int
    span: tuple[int, int]
    http_status: Mapping[int, int] | None

    def report(self, spec: str, mode: Mode) -> JobReport:
        """The job's :class:`JobReport`."""
        return JobReport(
            key=self.key,
            spec=spec,
            mode=mode,
            violations=(),
            outcome=self.outcome,
            input=self.input,
            counts=(self.observations, 0),
            span=self.span,
            http_status=self.http_status,
        )


class CleanRun(NamedTuple):
    """The clean jobs among jobs ``start`` to ``stop`` (not included) of ``table``: what
    :meth:`Report.worst_first_entries` gives with ``runs=True`` instead of a :class:`CleanJob`
    each, so that a writer can take their columns at once. The exact engine's jobs in the
    range are not part of it (they were listed before, worst first)."""

    table: JobTable
    start: int
    stop: int

    def jobs(self) -> Iterator[CleanJob]:
        """The run's clean jobs, one at a time (the exact engine's jobs in it are left out)."""
        exact = self.table.exact
        return map(self.table.clean, (i for i in range(self.start, self.stop) if i not in exact))


class _Part(Sequence[JobReport]):
    """A report part's reading as a sequence: the exact engine's reports (``exact``, by
    index), every other job's built by :meth:`_built` when read."""

    __slots__ = ()
    keys: list[str | None]
    exact: Mapping[int, JobReport]

    def __len__(self) -> int:
        return len(self.keys)

    @overload
    def __getitem__(self, i: int) -> JobReport: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[JobReport]: ...

    def __getitem__(self, i: int | slice) -> JobReport | Sequence[JobReport]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        job = self.exact.get(i)
        return job if job is not None else self._built(i)

    @abstractmethod
    def _built(self, i: int) -> JobReport:
        """The report of job ``i``, one the exact engine did not take."""


class JobTable(_Part):
    """One input's job reports, in order of first appearance: the jobs the exact engine took
    (``exact``, by index) as :class:`JobReport` objects, every job as columns (key, outcome,
    observations, line span, HTTP counts; an exact job's columns agree with its report). A clean
    job's report is built only when read, and :meth:`dicts` writes clean jobs' JSON straight from
    the columns: a million clean jobs cost a few lists, not a million objects.

    >>> t = JobTable("current", "sampled", "x.jsonl", ["a"], ["success"], [3], [1], [3])
    >>> t[0].outcome, t[0].observations, list(t.dicts()) == [t[0].to_dict()]
    ('success', 3, True)
    >>> t[-1].key, [j.span for j in t[0:5]], t.totals()
    ('a', [(1, 3)], (3, 0))
    """

    def __init__(
        self,
        spec: str,
        mode: Mode,
        input: str | None,
        keys: list[str | None],
        outcomes: list[Outcome],
        counts: list[int],
        first: list[int],
        last: list[int],
        http: Mapping[int, Mapping[int, int]] | None = None,
        exact: Mapping[int, JobReport] | None = None,
    ) -> None:
        self.spec, self.mode, self.input = spec, mode, input
        self.keys, self.outcomes, self.counts = keys, outcomes, counts
        self.first, self.last = first, last
        self.http = http or {}
        self.exact = exact or {}

    def _built(self, i: int) -> JobReport:
        return self.clean(i).report(self.spec, self.mode)

    def __iter__(self) -> Iterator[JobReport]:
        return map(self.__getitem__, range(len(self.keys)))

    def clean(self, i: int) -> CleanJob:
        """Job ``i``'s columns (a clean job: not one the exact engine took)."""
        span = (self.first[i], self.last[i])
        return CleanJob(
            self.keys[i], self.input, self.outcomes[i], self.counts[i], span, self.http.get(i)
        )

    def runs(self, listed: Collection[int] = ()) -> Iterator[JobReport | CleanRun]:
        """Each job in order but those ``listed`` (exact jobs' rows): the exact engine's
        reports, and the clean jobs between them as runs."""
        at = 0
        for i in sorted(self.exact.keys() - listed):
            if at < i:
                yield CleanRun(self, at, i)
            yield self.exact[i]
            at = i + 1
        if at < len(self.keys):
            yield CleanRun(self, at, len(self.keys))

    def entries(self) -> Iterator[JobReport | CleanJob]:
        """Each job in order: the exact engine's report, or a clean job's columns (:meth:`clean`
        written out in the loop: a call per job costs about a tenth more)."""
        exact, http, name = self.exact, self.http, self.input
        first, last, counts, outcomes = self.first, self.last, self.counts, self.outcomes
        for i, key in enumerate(self.keys):
            job = exact.get(i)
            if job is not None:
                yield job
            else:
                yield CleanJob(key, name, outcomes[i], counts[i], (first[i], last[i]), http.get(i))

    def dicts(self, rows: Iterable[int] | None = None) -> Iterator[dict[str, Any]]:
        """Each job's :meth:`JobReport.to_dict` (or the jobs at ``rows``), clean ones written
        from the columns."""
        exact, http, name, keys = self.exact, self.http, self.input, self.keys
        for i in range(len(keys)) if rows is None else rows:
            key = keys[i]
            job = exact.get(i)
            if job is not None:
                yield job.to_dict()
                continue
            yield {
                "key": key,
                "input": name,
                "lines": [self.first[i], self.last[i]],
                "http_status": http_dict(http.get(i)),
                "ok": True,
                "outcome": self.outcomes[i],
                "observations": self.counts[i],
                "rejected": 0,
                "errors": 0,
                "warnings": 0,
                "violations": [],
                "violations_not_kept": None,
                "expired_polls": 0,
                "lost_polls": 0,
                "transient_5xx": 0,
                "error_answers": 0,
                "client": None,
            }

    def totals(self) -> tuple[int, int]:
        """Observations and rejected records of all the jobs, without building them."""
        return sum(self.counts), sum(j.rejected for j in self.exact.values())


class LazyJobs(_Part):
    """Jobs validated in memory (:func:`jobstate.validate`): the reports of the jobs with
    violations (``exact``, by index), and every job's key, records and outcome, from which a
    clean job's report is built only when read (its steps from ``source``, on demand).

    >>> done = [[{"status": "completed"}]]
    >>> jobs = LazyJobs("current", "sampled", None, ["a"], done, ["success"], {})
    >>> jobs[0].outcome, jobs[0].observations, jobs.totals()
    ('success', 1, (1, 0))
    """

    __slots__ = ("exact", "keys", "mode", "outcomes", "records", "source", "spec")

    def __init__(
        self,
        spec: str,
        mode: Mode,
        source: StepSource | None,
        keys: list[str | None],
        records: Sequence[Sequence[Record]],
        outcomes: list[Outcome],
        exact: Mapping[int, JobReport],
    ) -> None:
        self.spec, self.mode, self.source = spec, mode, source
        self.keys, self.records, self.outcomes, self.exact = keys, records, outcomes, exact

    def _built(self, i: int) -> JobReport:
        return self._clean(self.keys[i], self.records[i], self.outcomes[i])

    def _clean(self, key: str | None, records: Sequence[Record], outcome: Outcome) -> JobReport:
        return JobReport(
            key=key,
            spec=self.spec,
            mode=self.mode,
            violations=(),
            outcome=outcome,
            records=records,
            step_source=self.source,
        )

    def __iter__(self) -> Iterator[JobReport]:
        exact, clean = self.exact, self._clean
        for i, (k, r, o) in enumerate(zip(self.keys, self.records, self.outcomes, strict=True)):
            job = exact.get(i)
            yield job if job is not None else clean(k, r, o)

    def totals(self) -> tuple[int, int]:
        """Observations and rejected records of all the jobs, without building them (a job
        with a rejected record has violations, so it is among ``exact``)."""
        rejected = sum(j.rejected for j in self.exact.values()) if self.exact else 0
        return sum(map(len, self.records)) - rejected, rejected


def totals_of(jobs: Sequence[JobReport]) -> tuple[int, int]:
    """Observations and rejected records of ``jobs`` (a :class:`JobTable` or
    :class:`LazyJobs` without a loop over reports)."""
    if isinstance(jobs, (JobTable, LazyJobs)):
        return jobs.totals()
    return sum(j.observations for j in jobs), sum(j.rejected for j in jobs)


def dicts_of(jobs: Sequence[JobReport]) -> Iterator[dict[str, Any]]:
    """Each job's :meth:`JobReport.to_dict` (a :class:`JobTable`'s clean jobs from columns)."""
    if isinstance(jobs, JobTable):
        return jobs.dicts()
    return (j.to_dict() for j in jobs)
