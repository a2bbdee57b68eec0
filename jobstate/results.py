"""④ What the pipeline hands along: records, violations, steps, job and input summaries, reports.

Readers produce :class:`Rejected` records and :class:`InputSummary` objects; the validation
engine produces :class:`Violation`, :class:`Step` and :class:`JobReport`; a :class:`Report`
gathers them for the renderers. This module imports nothing of the engine: a report that needs
steps it did not record asks a :class:`StepSource` (the validator) for them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol, Union, overload

from jobstate._constants import OUTCOMES, Mode, Outcome, Severity, StepKind
from jobstate._words import plural

if TYPE_CHECKING:
    from jobstate.grading import BehaviourFinding, Grade

__all__ = [
    "CleanJob",
    "CleanRun",
    "InputSummary",
    "JobReport",
    "JobTable",
    "Keep",
    "Record",
    "Rejected",
    "Report",
    "Step",
    "StepSource",
    "Totals",
    "Unlisted",
    "Violation",
    "dicts_of",
]

_UNITS = {
    "jsonl": "line", "json": "element", "har": "entry", "csv": "row", "tsv": "row", "parquet": "row"
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input unit that is not a record (unparseable JSON, bad encoding, no body), and why."""

    reason: str


Record = Union[Mapping[str, Any], Rejected, object]  # noqa: UP007 (a runtime alias on 3.10)
"""What a reader hands to the validator: a monitor body (a mapping), a :class:`Rejected` unit,
or any other JSON value (which the validator reports as ``malformed-record``)."""


class Keep:
    """How many more violations (and rejected units outside jobs) a run keeps in full; the rest
    are counted, by job and rule, so memory grows with the jobs and this cap, never with the
    number of violations. ``None``: keep everything.

    >>> keep = Keep(1)
    >>> keep.take(), keep.take(), keep.limit
    (True, False, 1)
    """

    __slots__ = ("left", "limit")

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.left = limit

    def take(self) -> bool:
        """Whether one more may be kept (and count it)."""
        if self.left is None:
            return True
        if self.left > 0:
            self.left -= 1
            return True
        return False


Omitted = Mapping[tuple[str, Severity], int]
"""Violations counted but not kept, by rule and severity."""


@dataclass(frozen=True, slots=True)
class Violation:
    """One rule broken at one observation (``index`` is 0-based within the job)."""

    rule: str
    severity: Severity
    index: int
    line: int | None
    message: str
    http_status: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "index": self.index,
            "line": self.line,
            "http_status": self.http_status,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Step:
    """How one observation relates to the state before it (``source``, ``None`` at the start).

    ``path`` is the explaining path for a ``gap`` (both ends included) and for a ``start`` away
    from the initial state (the path from it); empty otherwise. ``unknown`` holds a status string
    outside the vocabulary (``status`` is then ``None``); ``line`` and ``http_status`` say where
    the observation came from, when known.
    """

    index: int
    status: str | None
    kind: StepKind
    source: str | None = None
    path: tuple[str, ...] = ()
    line: int | None = None
    http_status: int | None = None
    unknown: str | None = None


class StepSource(Protocol):
    """Something that can classify the steps of a job's records (the validator)."""

    def steps_of(self, records: Sequence[Record]) -> tuple[Step, ...]: ...


@dataclass(eq=False, kw_only=True)
class JobReport:
    """The verdict on one job: its violations and its outcome.

    ``outcome`` is that of the first terminal status observed, else ``unfinished``. A job read
    by a streaming reader keeps no ``records`` (``None``): its ``counts`` (observations,
    rejected), line ``span`` and HTTP status codes are kept instead, and its steps only when
    they were recorded (``explain``). Violations beyond the run's :class:`Keep` cap are counted
    in ``omitted`` (by rule and severity), not kept: ``errors`` and ``warnings`` include them.
    """

    key: str | None
    spec: str
    mode: Mode
    violations: tuple[Violation, ...]
    outcome: Outcome
    records: Sequence[Record] | None = field(default=None, repr=False)
    input: str | None = None
    counts: tuple[int, int] | None = field(default=None, repr=False)
    span: tuple[int, int] | None = field(default=None, repr=False)
    http_status: Mapping[int, int] | None = field(default=None, repr=False)
    recorded_steps: tuple[Step, ...] | None = field(default=None, repr=False)
    step_source: StepSource | None = field(default=None, repr=False)
    omitted: Omitted | None = field(default=None, repr=False)
    expired: int = field(default=0, repr=False)
    transient: int = field(default=0, repr=False)
    error_answers: int = field(default=0, repr=False)
    client: Grade | None = field(default=None, repr=False)

    @property
    def errors(self) -> int:
        if not self.violations and not self.omitted:  # most jobs: no loop
            return 0
        return sum(1 for v in self.violations if v.severity == "error") + self._omitted("error")

    @property
    def warnings(self) -> int:
        if not self.violations and not self.omitted:
            return 0
        kept = sum(1 for v in self.violations if v.severity == "warning")
        return kept + self._omitted("warning")

    def _omitted(self, severity: Severity) -> int:
        return (
            sum(n for (_, sev), n in self.omitted.items() if sev == severity) if self.omitted else 0
        )

    @property
    def not_kept(self) -> dict[str, int]:
        """How many violations of each rule were counted but not kept (none: empty)."""
        out: dict[str, int] = {}
        if not self.omitted:
            return out
        for (rule, _), n in sorted(self.omitted.items()):
            out[rule] = out.get(rule, 0) + n
        return out

    @property
    def client_findings(self) -> tuple[BehaviourFinding, ...]:
        """What the traffic says the client did wrong (see ``jobstate.BEHAVIOURS``)."""
        return self.client.findings if self.client is not None else ()

    @property
    def client_errors(self) -> int:
        if self.client is None:
            return 0
        return sum(1 for f in self.client_findings if f.severity == "error")

    @property
    def client_warnings(self) -> int:
        if self.client is None:
            return 0
        return sum(1 for f in self.client_findings if f.severity == "warning")

    @property
    def ok(self) -> bool:
        """True when the job has no error, of the lifecycle or of the client (warnings allowed)."""
        return self.errors == 0 and self.client_errors == 0

    @property
    def observations(self) -> int:
        """How many records are JSON objects (the rest are rejected lines)."""
        if self.counts is not None:
            return self.counts[0]
        return sum(1 for r in self.records or () if isinstance(r, Mapping))

    @property
    def rejected(self) -> int:
        if self.counts is not None:
            return self.counts[1]
        return len(self.records or ()) - self.observations

    @property
    def steps(self) -> tuple[Step, ...]:
        """The step classification of every record (computed on first use).

        Raises :class:`ValueError` for a streamed job whose steps were not recorded.
        """
        if self.recorded_steps is None:
            if self.records is None or self.step_source is None:
                raise ValueError(f"job {self.key!r}: steps were not recorded (use explain)")
            self.recorded_steps = self.step_source.steps_of(self.records)
        return self.recorded_steps

    def to_dict(self) -> dict[str, Any]:
        clean = not self.violations and not self.omitted  # most jobs: no property to call
        errors = 0 if clean else self.errors
        return {
            "key": self.key,
            "input": self.input,
            "lines": list(self.span) if self.span else None,
            "http_status": _http_dict(self.http_status),
            "ok": errors == 0 and self.client_errors == 0,
            "outcome": self.outcome,
            "observations": self.observations,
            "rejected": self.rejected,
            "errors": errors,
            "warnings": 0 if clean else self.warnings,
            "violations": [v.to_dict() for v in self.violations] if self.violations else [],
            "violations_not_kept": None if clean else self.not_kept or None,
            "expired_polls": self.expired,
            "transient_5xx": self.transient,
            "error_answers": self.error_answers,
            "client": self.client.to_dict() if self.client is not None else None,
        }


def _http_dict(counts: Mapping[int, int] | None) -> dict[str, int] | None:
    return {str(k): n for k, n in sorted(counts.items())} if counts else None


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
            key=self.key, spec=spec, mode=mode, violations=(), outcome=self.outcome,
            input=self.input, counts=(self.observations, 0), span=self.span,
            http_status=self.http_status,
        )  # fmt: skip


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


class JobTable(Sequence[JobReport]):
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
        if job is not None:
            return job
        return self.clean(i).report(self.spec, self.mode)

    def __iter__(self) -> Iterator[JobReport]:
        return map(self.__getitem__, range(len(self.keys)))

    def clean(self, i: int) -> CleanJob:
        """Job ``i``'s columns (a clean job: not one the exact engine took)."""
        span = (self.first[i], self.last[i])
        return CleanJob(self.keys[i], self.input, self.outcomes[i], self.counts[i], span,
                        self.http.get(i))  # fmt: skip

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
                "key": key, "input": name, "lines": [self.first[i], self.last[i]],
                "http_status": _http_dict(http.get(i)), "ok": True,
                "outcome": self.outcomes[i], "observations": self.counts[i], "rejected": 0,
                "errors": 0, "warnings": 0, "violations": [], "violations_not_kept": None,
                "expired_polls": 0, "transient_5xx": 0, "error_answers": 0, "client": None,
            }  # fmt: skip

    def totals(self) -> tuple[int, int]:
        """Observations and rejected records of all the jobs, without building them."""
        return sum(self.counts), sum(j.rejected for j in self.exact.values())


def _totals(jobs: Sequence[JobReport]) -> tuple[int, int]:
    """Observations and rejected records of ``jobs`` (a :class:`JobTable` without a loop)."""
    if isinstance(jobs, JobTable):
        return jobs.totals()
    return sum(j.observations for j in jobs), sum(j.rejected for j in jobs)


def dicts_of(jobs: Sequence[JobReport]) -> Iterator[dict[str, Any]]:
    """Each job's :meth:`JobReport.to_dict` (a :class:`JobTable`'s clean jobs from columns)."""
    if isinstance(jobs, JobTable):
        return jobs.dicts()
    return (j.to_dict() for j in jobs)


@dataclass
class Unlisted:
    """Clean jobs counted but not listed (``only_failing``): how many, their outcomes and
    observations. Memory then grows with the failing jobs, not all jobs."""

    jobs: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    observations: int = 0

    def add_job(self, outcome: str | None, observations: int) -> None:
        """Count one clean job (``None``: no terminal status seen)."""
        self.jobs += 1
        self.outcomes[outcome or "unfinished"] += 1
        self.observations += observations

    def add(self, other: Unlisted) -> None:
        self.jobs += other.jobs
        self.outcomes.update(other.outcomes)
        self.observations += other.observations


@dataclass
class InputSummary:
    """What one input held, and how every unit of it was accounted for::

    units_read = observations + rejected + blank + skipped
    """

    name: str
    format: str = "jsonl"
    units_read: int = 0
    blank: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    unattributed: list[tuple[int, str]] = field(default_factory=list)
    jobs: Sequence[JobReport] = field(default_factory=list)
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    keep: Keep | None = field(default=None, repr=False)
    unattributed_not_kept: int = 0
    clients: dict[str, Grade] = field(default_factory=dict, repr=False)
    unlisted: Unlisted | None = None  # only_failing: the clean jobs, counted, not listed

    def reject(self, line: int, why: str) -> None:
        """Account a unit rejected before it reached a job (kept in full while ``keep`` lets)."""
        if self.keep is None or self.keep.take():
            self.unattributed.append((line, why))
        else:
            self.unattributed_not_kept += 1

    @property
    def loose(self) -> int:
        """How many units were rejected before reaching a job (kept or only counted)."""
        return len(self.unattributed) + self.unattributed_not_kept

    @property
    def unit(self) -> str:
        """What one unit of this input is: line, element, entry or row."""
        return _UNITS.get(self.format, "line")

    @property
    def rejected(self) -> int:
        return _totals(self.jobs)[1] + self.loose

    @property
    def observations(self) -> int:
        listed = _totals(self.jobs)[0]
        return listed + (self.unlisted.observations if self.unlisted else 0)

    @property
    def problem(self) -> str | None:
        """Why this input is unusable (it broke off, or held nothing to check), else ``None``."""
        if self.error:
            return self.error
        if self.units_read == self.blank:
            return f"{self.name}: no records (empty input)"
        if self.observations == 0:
            return (
                f"{self.name}: no observation in {plural(self.units_read, self.unit)}"
                f" ({self.rejected:,} rejected, {sum(self.skipped.values()):,} skipped)"
                f" read as {self.format}"
            )
        return None

    def to_dict(self) -> dict[str, Any]:
        """The accounting, JSON-ready: read = observations + rejected + blank + skipped."""
        return {
            "name": self.name,
            "format": self.format,
            "unit": self.unit,
            "read": self.units_read,
            "observations": self.observations,
            "rejected": self.rejected,
            "blank": self.blank,
            "skipped": sum(self.skipped.values()),
            "skip_reasons": dict(self.skipped),
            "jobs": len(self.jobs) + (self.unlisted.jobs if self.unlisted else 0),
            "unattributed": [
                {"line": line, "rule": "malformed-record", "message": msg}
                for line, msg in self.unattributed
            ],
            "unattributed_not_kept": self.unattributed_not_kept,
            "error": self.error,
            "notes": self.notes,
        }


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
        return out


class Report:
    """The verdict on one or more jobs validated against one spec in one mode.

    :class:`JobReport` objects of jobs with no violation are built only when :attr:`jobs` is
    read: a corpus of millions of clean polls costs no object per job.
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
        self._source: StepSource | None = None
        self._size = self._rejected = 0
        self.rules: frozenset[str] | None = None  # None: every rule counts
        for part in (jobs,) if parts is None else parts:
            self._add(part)
        self._records: list[Sequence[Record] | None] = (
            [j.records for j in jobs] if parts is None else [None] * len(self._keys)
        )
        self._jobs: list[JobReport] | None = list(jobs) if parts is None else None
        self._parts = None if parts is None else list(parts)  # the inputs' jobs, read lazily

    def _add(self, jobs: Sequence[JobReport]) -> None:
        """Count ``jobs`` in after the others (a :class:`JobTable` from its columns)."""
        base = len(self._keys)
        shown: Iterable[tuple[int, JobReport]]
        if isinstance(jobs, JobTable):
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
        observations, rejected = _totals(jobs)
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
        """A report on in-memory jobs whose clean :class:`JobReport` objects are built lazily
        (``flagged``: the reports of the jobs with violations, by index)."""
        report = cls.__new__(cls)  # every field set here: no __init__ work to overwrite
        report.spec, report.mode, report.inputs, report.rules = spec, mode, [], None
        report._keys, report._outcomes = keys, outcomes
        report._records = records  # type: ignore[assignment]  # list is invariant
        report._flagged = flagged
        report._jobs, report._parts = None, None
        report._source = source
        report._size = sum(map(len, records))
        report._rejected = sum(j.rejected for j in flagged.values()) if flagged else 0
        return report

    @classmethod
    def of_one(
        cls, source: StepSource, spec: str, mode: Mode, records: Sequence[Record], outcome: Outcome
    ) -> Report:
        """The report on one clean in-memory job (``validate(trace)``'s short way): its
        :class:`JobReport` is built only when asked for."""
        report = cls.__new__(cls)
        report.spec, report.mode, report.inputs, report.rules = spec, mode, [], None
        report._keys, report._outcomes = [None], [outcome]
        report._records = [records]
        report._flagged = {}
        report._jobs, report._parts = None, None
        report._source = source
        report._size = len(records)
        report._rejected = 0
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
        """One :class:`JobReport` per job, in input order."""
        if self._jobs is None and self._parts is not None:
            self._jobs = [j for part in self._parts for j in part]
        if self._jobs is None:
            self._jobs = list(self._in_memory())
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
            return
        if runs and self._jobs is None and self._parts is not None:
            yield from self._runs(first)
            return
        yield from (job for i, job in enumerate(self.entries()) if i not in first)

    def _runs(self, listed: set[int]) -> Iterator[JobReport | CleanRun]:
        """The jobs in input order but those ``listed``, a :class:`JobTable`'s clean jobs as
        runs."""
        at = 0
        for part in self._parts or ():
            end = at + len(part)
            if isinstance(part, JobTable):
                yield from part.runs({i - at for i in listed if at <= i < end})
            else:
                yield from (job for i, job in enumerate(part, at) if i not in listed)
            at = end

    def entries(self) -> Iterator[JobReport | CleanJob]:
        """Every job in input order: a :class:`JobTable`'s clean jobs as :class:`CleanJob`
        columns, the others as reports (the clean ones built as reached, not kept)."""
        if self._jobs is not None:
            yield from self._jobs
        elif self._parts is not None:
            for part in self._parts:
                yield from part.entries() if isinstance(part, JobTable) else part
        else:
            yield from self._in_memory()

    def _in_memory(self) -> Iterator[JobReport]:
        """The reports of in-memory jobs (:meth:`of_records`), clean ones built as reached."""
        flagged, src, spec, mode = self._flagged, self._source, self.spec, self.mode
        for i, (k, r, o) in enumerate(zip(self._keys, self._records, self._outcomes, strict=True)):
            job = flagged.get(i)
            yield job if job is not None else JobReport(
                key=k, spec=spec, mode=mode, violations=(), outcome=o, records=r, step_source=src
            )  # fmt: skip

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
        )

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
        """The jobs in order, as the inputs hold them (a :class:`JobTable` for an input checked
        as columns), or all jobs as one list once :attr:`jobs` was read."""
        if self._parts is not None and self._jobs is None:
            return self._parts
        return [self.jobs]

    def to_json(self, *, indent: bool = False) -> bytes:
        """The report as JSON (UTF-8 bytes)."""
        from jobstate._json import dumps

        return dumps(self.to_dict(), indent=indent)
