"""The verdict on jobs validated against one spec in one mode, and its totals."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, overload

from jobstate._constants import OUTCOMES, Mode, Outcome
from jobstate.results.records import JobReport, Record, StepSource, Violation
from jobstate.results.summary import InputSummary, Unlisted
from jobstate.results.table import CleanJob, CleanRun, JobTable, LazyJobs, dicts_of, totals_of

__all__ = ["Durations", "Report", "Totals"]


@dataclass(frozen=True, kw_only=True)
class Totals:
    """A report's totals; ``read``, ``blank`` and ``skipped`` only when it was read from inputs."""

    jobs: int
    jobs_with_errors: int
    outcomes: Mapping[str, int]
    errors: int
    warnings: int
    observations: int
    rejected: int
    read: int | None = None
    blank: int | None = None
    skipped: int | None = None
    client_errors: int = 0
    client_warnings: int = 0
    unlisted: int = 0
    durations: Mapping[str, Durations] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "jobs": self.jobs,
            "jobs_with_errors": self.jobs_with_errors,
            "outcomes": dict(self.outcomes),
            "errors": self.errors,
            "warnings": self.warnings,
            "client_errors": self.client_errors,
            "client_warnings": self.client_warnings,
            "jobs_not_listed": self.unlisted,
            "observations": self.observations,
            "rejected": self.rejected,
        }
        if self.read is not None:
            out.update(read=self.read, blank=self.blank, skipped=self.skipped)
        if self.durations:
            out["duration_seconds"] = {o: d.to_dict() for o, d in self.durations.items()}
        return out


@dataclass(frozen=True)
class Durations:
    """How long the timed jobs of one outcome took (seconds): how many, the median, the 95th
    percentile (nearest rank) and the longest.

    >>> Durations.of([5.0, 1.0, 3.0, 100.0])
    Durations(jobs=4, p50=3.0, p95=100.0, max=100.0)
    """

    jobs: int
    p50: float
    p95: float
    max: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Durations:
        ordered = sorted(seconds)
        n = len(ordered)
        return cls(
            n, ordered[math.ceil(0.5 * n) - 1], ordered[math.ceil(0.95 * n) - 1], ordered[-1]
        )

    def to_dict(self) -> dict[str, Any]:
        return {"jobs": self.jobs, "p50": self.p50, "p95": self.p95, "max": self.max}


class Report:
    """The verdict on one or more jobs validated against one spec in one mode.

    Its one store is a list of parts, each the jobs of one input or one call in order: a
    :class:`JobTable` (an input checked as columns), :class:`LazyJobs` (jobs validated in
    memory), or a plain sequence of :class:`JobReport`. Every view (:attr:`jobs`,
    :meth:`entries`, :meth:`worst_first`, :meth:`job_dicts`) walks it; beside it the report
    keeps each job's key and outcome and the flagged jobs' reports, for totals and ranking. A
    clean job's :class:`JobReport` is built only when read: a corpus of millions of clean
    polls costs no object per job.
    """

    def __init__(
        self,
        spec: str,
        mode: Mode,
        jobs: Sequence[JobReport] = (),
        inputs: Sequence[InputSummary] = (),
        *,
        parts: Sequence[Sequence[JobReport]] | None = None,
    ) -> None:
        """``parts``: the jobs as several sequences (the inputs'), read lazily, in place of
        ``jobs``."""
        self.spec = spec
        self.mode = mode
        self.inputs = list(inputs)
        self._keys: list[str | None] = []
        self._outcomes: list[Outcome] = []
        self._flagged: dict[int, JobReport] = {}
        self._size = self._rejected = 0
        self.rules: frozenset[str] | None = None  # None: every rule counts
        self._parts: list[Sequence[JobReport]] = [jobs] if parts is None else list(parts)
        self._jobs: list[JobReport] | None = None  # :attr:`jobs`, once read
        for part in self._parts:
            self._add(part)

    def _add(self, jobs: Sequence[JobReport]) -> None:
        """Count ``jobs`` in after the others (a :class:`JobTable` or :class:`LazyJobs` from
        its columns)."""
        base = len(self._keys)
        shown: Iterable[tuple[int, JobReport]]
        if isinstance(jobs, (JobTable, LazyJobs)):
            self._keys += jobs.keys
            self._outcomes += jobs.outcomes
            shown = jobs.exact.items()
        else:
            self._keys += [j.key for j in jobs]
            self._outcomes += [j.outcome for j in jobs]
            shown = enumerate(jobs)
        for i, j in shown:
            if j.violations or j.omitted or j.client_findings:
                self._flagged[base + i] = j
        observations, rejected = totals_of(jobs)
        self._size += observations + rejected
        self._rejected += rejected

    @classmethod
    def from_inputs(cls, spec: str, mode: Mode, inputs: Sequence[InputSummary]) -> Report:
        """The report on every job of ``inputs``, with their accounting (a :class:`JobTable`'s
        clean jobs stay columns until :attr:`jobs` is read)."""
        return cls(spec, mode, inputs=inputs, parts=[i.jobs for i in inputs])

    @classmethod
    def of_records(
        cls,
        source: StepSource,
        spec: str,
        mode: Mode,
        keys: list[str | None],
        records: list[Sequence[Record]],
        outcomes: list[Outcome],
        flagged: dict[int, JobReport],
    ) -> Report:
        """A report on in-memory jobs (one :class:`LazyJobs` part; ``flagged``: the reports of
        the jobs with violations, by index), its fields set here without :meth:`__init__`'s
        general work: ``validate(trace)`` is made once per call."""
        report = cls.__new__(cls)  # every field set here: no __init__ work to overwrite
        report.spec, report.mode, report.inputs, report.rules = spec, mode, [], None
        report._keys, report._outcomes = keys, outcomes
        report._flagged = flagged
        part = LazyJobs(spec, mode, source, keys, records, outcomes, flagged)
        report._parts, report._jobs = [part], None
        observations, report._rejected = part.totals()
        report._size = observations + report._rejected
        return report

    @classmethod
    def of_one(
        cls, source: StepSource, spec: str, mode: Mode, records: Sequence[Record], outcome: Outcome
    ) -> Report:
        """The report on one clean in-memory job (``validate(trace)``'s short way): its
        :class:`JobReport` is built only when asked for."""
        report = cls.__new__(cls)
        report.spec, report.mode, report.inputs, report.rules = spec, mode, [], None
        keys: list[str | None] = [None]
        report._keys, report._outcomes, report._flagged = keys, [outcome], {}
        part = LazyJobs(spec, mode, source, keys, [records], report._outcomes, report._flagged)
        report._parts = [part]
        report._jobs = None
        report._size, report._rejected = len(records), 0
        return report

    def only(self, rules: Collection[str]) -> Report:
        """The same report counting only the violations of ``rules`` (``--select``/``--ignore``):
        verdicts, totals and exit codes follow; the accounting of units is unchanged.

        >>> from jobstate import validate
        >>> r = validate([{"status": "inProgress", "percentageComplete": 9}, {"status": "Done"}])
        >>> [v.rule for v in r.violations], r.only({"percentage-regression"}).ok
        (['unknown-status'], True)
        """
        kept = frozenset(rules)
        jobs = [
            replace(
                j,
                violations=tuple(v for v in j.violations if v.rule in kept),
                omitted={k: n for k, n in j.omitted.items() if k[0] in kept} or None
                if j.omitted
                else None,
                client=replace(
                    j.client, findings=tuple(f for f in j.client.findings if f.id in kept)
                )
                if j.client is not None
                else None,
            )
            for j in self.jobs
        ]
        report = Report(self.spec, self.mode, jobs, self.inputs)
        report.rules = kept
        return report

    def __repr__(self) -> str:
        return f"<Report spec={self.spec!r} mode={self.mode!r} jobs={len(self._keys)} ok={self.ok}>"

    @property
    def jobs(self) -> list[JobReport]:
        """One :class:`JobReport` per job, in input order (built once, then kept)."""
        if self._jobs is None:
            self._jobs = [j for part in self._parts for j in part]
        return self._jobs

    def worst_first(self, *, flagged_only: bool = False) -> Iterator[JobReport]:
        """The jobs with errors, then those with warnings (most first; ties in input order),
        then every other job in input order: the order of the text report. Reports of clean
        jobs are built one at a time, as the iteration reaches them (``flagged_only``: not at
        all, since no verdict of theirs can fail a run).

        >>> from jobstate import validate
        >>> r = validate({"a": [{"status": "completed"}], "b": [{"status": "Done"}]})
        >>> [j.key for j in r.worst_first()]
        ['b', 'a']
        """
        spec, mode = self.spec, self.mode
        for job in self.worst_first_entries(flagged_only=flagged_only):
            yield job if isinstance(job, JobReport) else job.report(spec, mode)

    @overload
    def worst_first_entries(
        self, *, flagged_only: bool = ..., runs: Literal[False] = ...
    ) -> Iterator[JobReport | CleanJob]: ...

    @overload
    def worst_first_entries(
        self, *, flagged_only: bool = ..., runs: Literal[True]
    ) -> Iterator[JobReport | CleanJob | CleanRun]: ...

    def worst_first_entries(
        self, *, flagged_only: bool = False, runs: bool = False
    ) -> Iterator[JobReport | CleanJob | CleanRun]:
        """:meth:`worst_first`, where a :class:`JobTable` gives its clean jobs as
        :class:`CleanJob` columns instead of reports (``runs``: as :class:`CleanRun` runs)."""
        flagged = self._flagged

        def rank(i: int) -> tuple[int, int, int]:
            j = flagged[i]
            return -j.errors - j.client_errors, -j.warnings, i

        ranks = {i: rank(i) for i in flagged}  # each job's counts read once
        ranked = sorted((i for i, r in ranks.items() if r[:2] != (0, 0)), key=ranks.__getitem__)
        yield from (flagged[i] for i in ranked)
        first = set(ranked)
        if flagged_only:
            yield from (flagged[i] for i in sorted(flagged) if i not in first)
        elif runs:
            yield from self._runs(first)
        else:
            yield from (job for i, job in enumerate(self.entries()) if i not in first)

    def _runs(self, listed: set[int]) -> Iterator[JobReport | CleanRun]:
        """The jobs in input order but those ``listed``, a :class:`JobTable`'s clean jobs as
        runs."""
        at = 0
        for part in self._parts:
            end = at + len(part)
            if isinstance(part, JobTable):
                yield from part.runs({i - at for i in listed if at <= i < end})
            else:
                yield from (job for i, job in enumerate(part, at) if i not in listed)
            at = end

    def entries(self) -> Iterator[JobReport | CleanJob]:
        """Every job in input order: a :class:`JobTable`'s clean jobs as :class:`CleanJob`
        columns, the others as reports (the clean ones built as reached, not kept)."""
        for part in self._parts:
            yield from part.entries() if isinstance(part, JobTable) else part

    @property
    def unattributed(self) -> int:
        """Input units rejected before they could be given to a job (no job key, bad JSON), as
        ``malformed-record`` errors (none when that rule is not counted)."""
        if self.rules is not None and "malformed-record" not in self.rules:
            return 0
        return sum(i.loose for i in self.inputs)

    @property
    def ok(self) -> bool:
        """True when no job has an error and no input unit was rejected outside a job."""
        return all(j.ok for j in self._flagged.values()) and not self.unattributed

    @property
    def flagged(self) -> list[JobReport]:
        """The jobs with violations (kept or only counted) or client findings, in input order
        (the others are clean: no verdict of theirs can fail a run)."""
        return [self._flagged[i] for i in sorted(self._flagged)]

    @property
    def violations(self) -> list[Violation]:
        """Every violation of every job, job by job."""
        return [v for i in sorted(self._flagged) for v in self._flagged[i].violations]

    @property
    def totals(self) -> Totals:
        outcomes: dict[str, int] = dict.fromkeys(OUTCOMES, 0)
        outcomes.update(Counter(self._outcomes))
        flagged = self._flagged.values()
        rejected = self._rejected
        loose = sum(i.loose for i in self.inputs)
        read = blank = skipped = None
        if self.inputs:
            read = sum(i.units_read for i in self.inputs)
            blank = sum(i.blank for i in self.inputs)
            skipped = sum(sum(i.skipped.values()) for i in self.inputs)
        clean = Unlisted()
        for i in self.inputs:
            if i.unlisted is not None:
                clean.add(i.unlisted)
        for outcome, n in clean.outcomes.items():
            outcomes[outcome] = outcomes.get(outcome, 0) + n
        failing = errors = warnings = client_errors = client_warnings = 0
        for j in flagged:  # one pass: a million jobs may be flagged
            e, ce = j.errors, j.client_errors
            failing += bool(e or ce)  # not j.ok
            errors += e
            warnings += j.warnings
            client_errors += ce
            client_warnings += j.client_warnings
        return Totals(
            jobs=len(self._keys) + clean.jobs,
            jobs_with_errors=failing,
            outcomes=outcomes,
            errors=errors + self.unattributed,
            warnings=warnings,
            observations=self._size - rejected + clean.observations,
            rejected=rejected + loose,
            read=read,
            blank=blank,
            skipped=skipped,
            client_errors=client_errors,
            client_warnings=client_warnings,
            unlisted=clean.jobs,
            durations=self._durations(),
        )

    def _durations(self) -> dict[str, Durations]:
        """The listed timed jobs' durations by outcome (none where no input had times)."""
        if not any(i.timings for i in self.inputs):
            return {}
        by: dict[str, list[float]] = {}
        for j in self.jobs:
            if j.timing is not None:
                by.setdefault(j.outcome, []).append(j.timing.duration)
        return {o: Durations.of(by[o]) for o in sorted(by, key=OUTCOMES.index)}

    def to_dict(self, *, jobs: bool = True) -> dict[str, Any]:
        """JSON-ready data: ``ok``, ``spec``, ``mode``, ``totals``, ``inputs`` and ``jobs``
        (left empty with ``jobs=False``, for a writer that takes them from :meth:`job_dicts`)."""
        totals = self.totals
        return {
            "ok": not totals.jobs_with_errors and not self.unattributed,  # self.ok, in one pass
            "spec": self.spec,
            "mode": self.mode,
            "totals": totals.to_dict(),
            "inputs": [i.to_dict() for i in self.inputs],
            "jobs": list(self.job_dicts()) if jobs else [],
        }

    def job_dicts(self) -> Iterator[dict[str, Any]]:
        """Each job's :meth:`JobReport.to_dict`, in order, one at a time (clean jobs' from
        their columns, with no report object)."""
        return (d for part in self.job_parts() for d in dicts_of(part))

    def job_parts(self) -> list[Sequence[JobReport]]:
        """The jobs in order, as the report holds them: one part per input or call (a
        :class:`JobTable` for an input checked as columns)."""
        return list(self._parts)

    def to_json(self, *, indent: bool = False) -> bytes:
        """The report as JSON (UTF-8 bytes)."""
        from jobstate._json import dumps

        return dumps(self.to_dict(), indent=indent)
