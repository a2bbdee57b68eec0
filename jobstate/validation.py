"""Validation of observed status sequences against a :class:`~jobstate.spec.Spec`.

>>> report = validate([{"status": "notStarted"}, {"status": "inProgress", "percentageComplete": 40},
...                    {"status": "completed", "percentageComplete": 100}])
>>> report.ok, report.jobs[0].outcome
(True, 'success')
>>> bad = validate([{"status": "completed"}, {"status": "inProgress"}])
>>> [(v.rule, v.index) for v in bad.violations]
[('after-terminal', 1)]

Two modes, because polling samples the underlying path:

- ``sampled`` (client polls): a change A -> B is legal when B is reachable from A; a change that
  skips states is a *gap*, explained by the shortest path, and is not a violation;
- ``step`` (server-side event logs): every change must be a single edge.

Validation runs on tables compiled once per spec and mode from the spec's machine. A job with no
violation goes through a tight loop only; any irregularity sends the whole job through the
general path, which reports every violation and classifies every step.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Union, cast, get_args

from jobstate.spec import SPEC_NAMES, Outcome, Provenance, Spec, get_spec

__all__ = [
    "RULES",
    "JobReport",
    "Mode",
    "Report",
    "Rule",
    "Severity",
    "Step",
    "StepKind",
    "Validator",
    "Violation",
    "validate",
]

Mode = Literal["sampled", "step"]
Severity = Literal["error", "warning"]
StepKind = Literal["start", "stutter", "edge", "gap", "illegal", "after-terminal", "rejected"]
MODES: tuple[str, ...] = get_args(Mode)
_OUTCOMES: tuple[str, ...] = ("success", "failure", "cancelled", "unfinished")


@dataclass(frozen=True)
class Rule:
    """A validation rule. Its ``id`` is public API: reports, the CLI and JSON output use it."""

    id: str
    severity: Severity
    provenance: Provenance
    summary: str
    rationale: str


RULES: Mapping[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "unknown-status",
            "error",
            "doc",
            "status is not a value of the spec's vocabulary",
            "status 'maps to an enumeration of possible values' (facts §1)",
        ),
        Rule(
            "illegal-transition",
            "error",
            "card",
            "a status change the spec's edges do not allow in this mode",
            "the spec's edges (design card, documented meanings, stated inferences)",
        ),
        Rule(
            "after-terminal",
            "error",
            "doc",
            "a different status after a terminal one",
            "'has been completed', 'failed', 'was cancelled': the work is over (facts §1)",
        ),
        Rule(
            "missing-status",
            "error",
            "doc",
            "a record without a 'status', or whose 'status' is not a string",
            "status is a documented String property (facts §1)",
        ),
        Rule(
            "malformed-record",
            "error",
            "doc",
            "a record that is not a JSON object",
            "the monitor answers an asyncJobStatus resource, a JSON object (facts §1)",
        ),
        Rule(
            "percentage-type",
            "error",
            "doc",
            "percentageComplete present but not a number",
            "percentageComplete is a documented Double (facts §1)",
        ),
        Rule(
            "percentage-range",
            "error",
            "doc",
            "percentageComplete outside 0-100, or NaN/Infinity",
            "'A value between 0 and 100 that indicates the percentage complete.' (facts §1)",
        ),
        Rule(
            "percentage-regression",
            "warning",
            "inferred",
            "percentageComplete decreases with no 'waiting' observed in between",
            "progress is not documented as monotonic; a decrease was never reported (facts §2)",
        ),
        Rule(
            "completed-not-100",
            "warning",
            "inferred",
            "a success status with a percentage that is not 100",
            "the Graph sample shows 100.0 on completed; not stated as a rule (facts §2)",
        ),
    )
}


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


@dataclass(frozen=True, slots=True)
class _Rejected:
    """An input line that is not a record (unparseable JSON, not an object, bad encoding)."""

    reason: str


Record = Union[Mapping[str, Any], _Rejected, object]  # noqa: UP007 (a runtime alias on 3.10)

_MISSING = object()


class _Bail(Exception):
    """The fast path gives a job up to the general path."""


_STUTTER, _EDGE, _GAP = 0, 1, 2
_KIND_NAME: dict[int, StepKind] = {_STUTTER: "stutter", _EDGE: "edge", _GAP: "gap"}
_PCT = "percentageComplete"


@dataclass(eq=False)
class JobReport:
    """The verdict on one job: its violations and its outcome.

    ``outcome`` is that of the first terminal status observed, else ``unfinished``. A job read
    by a streaming reader keeps no ``records`` (``None``): its counts, line span and HTTP status
    codes are kept instead, and its steps only when they were recorded (``explain``).
    """

    key: str | None
    spec: str
    mode: Mode
    records: Sequence[Record] | None = field(repr=False)
    violations: tuple[Violation, ...]
    outcome: Outcome
    lines: Sequence[int] | None = field(default=None, repr=False)
    _validator: Validator | None = field(default=None, repr=False, compare=False)
    _steps: tuple[Step, ...] | None = field(default=None, repr=False, compare=False)
    input: str | None = None
    counts: tuple[int, int] | None = field(default=None, repr=False)
    span: tuple[int, int] | None = field(default=None, repr=False)
    http_status: Mapping[int, int] | None = field(default=None, repr=False)

    @property
    def errors(self) -> int:
        if not self.violations:
            return 0
        return sum(1 for v in self.violations if v.severity == "error")

    @property
    def warnings(self) -> int:
        if not self.violations:
            return 0
        return sum(1 for v in self.violations if v.severity == "warning")

    @property
    def ok(self) -> bool:
        """True when the job has no error (warnings allowed)."""
        return self.errors == 0

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
    def first_last(self) -> tuple[int, int] | None:
        """The first and last input line (or entry, row, element) of the job, when known."""
        if self.span is not None:
            return self.span
        if self.lines:
            return (self.lines[0], self.lines[-1])
        return None

    @property
    def steps(self) -> tuple[Step, ...]:
        """The step classification of every record (computed on first use).

        Raises :class:`ValueError` for a streamed job whose steps were not recorded.
        """
        if self._steps is None:
            if self.records is None:
                raise ValueError(f"job {self.key!r}: steps were not recorded (use explain)")
            validator = self._validator or Validator(self.spec, self.mode)
            self._steps = validator._general(self.records, self.lines)[2]
        return self._steps

    def to_dict(self) -> dict[str, Any]:
        span = self.first_last
        if not self.violations:
            return {
                "key": self.key,
                "input": self.input,
                "lines": list(span) if span else None,
                "http_status": _http_dict(self.http_status),
                "ok": True,
                "outcome": self.outcome,
                "observations": self.observations,
                "rejected": self.rejected,
                "errors": 0,
                "warnings": 0,
                "violations": [],
            }
        return {
            "key": self.key,
            "input": self.input,
            "lines": list(span) if span else None,
            "http_status": _http_dict(self.http_status),
            "ok": self.ok,
            "outcome": self.outcome,
            "observations": self.observations,
            "rejected": self.rejected,
            "errors": self.errors,
            "warnings": self.warnings,
            "violations": [v.to_dict() for v in self.violations],
        }


def _http_dict(counts: Mapping[int, int] | None) -> dict[str, int] | None:
    return {str(k): n for k, n in sorted(counts.items())} if counts else None


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
        inputs: Sequence[dict[str, Any]] = (),
    ) -> None:
        self.spec = spec
        self.mode = mode
        self.inputs = list(inputs)
        self._keys: list[str | None] = [j.key for j in jobs]
        self._records: list[Sequence[Record] | None] = [j.records for j in jobs]
        self._outcomes: list[Outcome] = [j.outcome for j in jobs]
        self._built: dict[int, JobReport] = dict(enumerate(jobs))
        self._flagged: dict[int, JobReport] = {i: j for i, j in enumerate(jobs) if j.violations}
        self._jobs: list[JobReport] | None = list(jobs)
        self._validator: Validator | None = None
        self._size = sum(j.observations + j.rejected for j in jobs)

    @classmethod
    def _compact(
        cls,
        validator: Validator,
        keys: list[str | None],
        records: list[Sequence[Record]],
        outcomes: list[Outcome],
        flagged: dict[int, JobReport],
    ) -> Report:
        report = cls(validator.spec.name, validator.mode)
        report._keys, report._outcomes = keys, outcomes
        report._records = list(records)
        report._built = dict(flagged)
        report._flagged = flagged
        report._jobs = None
        report._validator = validator
        report._size = sum(map(len, records))
        return report

    def __repr__(self) -> str:
        return f"<Report spec={self.spec!r} mode={self.mode!r} jobs={len(self._keys)} ok={self.ok}>"

    @property
    def jobs(self) -> list[JobReport]:
        """One :class:`JobReport` per job, in input order."""
        if self._jobs is None:
            built, v = self._built, self._validator
            self._jobs = [
                built[i] if i in built else JobReport(k, self.spec, self.mode, r, (), o, None, v)
                for i, (k, r, o) in enumerate(
                    zip(self._keys, self._records, self._outcomes, strict=True)
                )
            ]
        return self._jobs

    @property
    def unattributed(self) -> int:
        """Input lines rejected before they could be given to a job (no job key, bad JSON)."""
        return sum(len(i.get("unattributed", ())) for i in self.inputs)

    @property
    def ok(self) -> bool:
        """True when no job has an error and no input line was rejected outside a job."""
        return all(j.ok for j in self._flagged.values()) and not self.unattributed

    @property
    def violations(self) -> list[Violation]:
        """Every violation of every job, job by job."""
        return [v for i in sorted(self._flagged) for v in self._flagged[i].violations]

    @property
    def totals(self) -> dict[str, Any]:
        outcomes = dict.fromkeys(_OUTCOMES, 0)
        outcomes.update(Counter(self._outcomes))
        flagged = self._flagged.values()
        rejected = sum(j.rejected for j in flagged)  # a job with no violation rejected nothing
        loose = self.unattributed
        totals: dict[str, Any] = {
            "jobs": len(self._keys),
            "jobs_with_errors": sum(1 for j in flagged if not j.ok),
            "outcomes": outcomes,
            "errors": sum(j.errors for j in flagged) + loose,
            "warnings": sum(j.warnings for j in flagged),
            "observations": self._size - rejected,
            "rejected": rejected + loose,
        }
        if self.inputs:
            totals["read"] = sum(int(i["read"]) for i in self.inputs)
            totals["blank"] = sum(int(i["blank"]) for i in self.inputs)
            totals["skipped"] = sum(int(i.get("skipped", 0)) for i in self.inputs)
        return totals

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: ``ok``, ``spec``, ``mode``, ``totals``, ``inputs`` and ``jobs``."""
        return {
            "ok": self.ok,
            "spec": self.spec,
            "mode": self.mode,
            "totals": self.totals,
            "inputs": self.inputs,
            "jobs": [j.to_dict() for j in self.jobs],
        }

    def to_json(self, *, indent: bool = False) -> bytes:
        """The report as JSON (UTF-8 bytes)."""
        from jobstate._json import dumps

        return dumps(self.to_dict(), indent=indent)


# ---------------------------------------------------------------------------------------------
# Hints for unknown status values
# ---------------------------------------------------------------------------------------------

# Neighbouring vocabularies (facts §4): Graph longRunningOperationStatus and Azure LRO.
_NEIGHBOURS: dict[str, tuple[str | None, str]] = {
    "running": ("inProgress", "Graph longRunningOperation / Azure LRO 'running'"),
    "succeeded": ("completed", "Graph longRunningOperation / Azure LRO 'succeeded'"),
    "canceled": ("cancelled", "Azure LRO 'Canceled' (one l)"),
    "unknownfuturevalue": (None, "Graph's evolvable-enum sentinel 'unknownFutureValue'"),
}


def _revision_hint(value: str, spec: Spec) -> str:
    others = [n for n in SPEC_NAMES if n != spec.name and value in get_spec(n)]
    if not others:
        return ""
    return f"'{value}' belongs to the {others[0]} vocabulary: try " + " or ".join(
        f"--spec {n}" for n in others
    )


def unknown_status_message(status: str, spec: Spec) -> str:
    """The ``unknown-status`` message for ``status`` under ``spec``, with a hint where one applies.

    >>> print(unknown_status_message("Completed", get_spec("current")))
    unknown status 'Completed' (spec current); did you mean 'completed'? (values are case-sensitive)
    """
    head = f"unknown status {status!r} (spec {spec.name})"
    low = status.lower()
    for name in spec.names:
        if name.lower() == low:
            return f"{head}; did you mean '{name}'? (values are case-sensitive)"
    hint = _revision_hint(status, spec)
    if hint:
        return f"{head}; {hint}"
    for other in SPEC_NAMES:
        for name in get_spec(other).names:
            if name.lower() == low:
                return f"{head}; did you mean '{name}'? {_revision_hint(name, spec)}"
    if low in _NEIGHBOURS:
        ours, where = _NEIGHBOURS[low]
        if ours is None:
            return f"{head}; this is {where}, not an asyncJobStatus value"
        msg = f"{head}; this looks like {where}: asyncJobStatus says '{ours}'"
        if ours not in spec:
            msg += f" ({_revision_hint(ours, spec)})"
        return msg
    return f"{head}; expected one of: {', '.join(spec.names)}"


# ---------------------------------------------------------------------------------------------
# The validator
# ---------------------------------------------------------------------------------------------


class Validator:
    """Validation tables for one spec and mode, compiled once from the spec's machine.

    Use :func:`validate` for one-off calls; keep a :class:`Validator` to check many jobs.
    """

    def __init__(self, spec: str | Spec = "current", mode: Mode | str = "sampled") -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
        self.spec = get_spec(spec)
        self.mode = cast(Mode, mode)
        sp = self.spec
        allowed = {
            s: sp.successors[s] if mode == "step" else tuple(n for n in sp.names if n in reach)
            for s in sp.names
            for reach in (sp.reachable(s),)
        }
        # kind[(a, b)] for every legal change a -> b (stutters included)
        self._kind: dict[tuple[str, str], int] = {}
        for a in sp.names:
            self._kind[(a, a)] = _STUTTER
            for b in allowed[a]:
                self._kind[(a, b)] = _EDGE if b in sp.successors[a] else _GAP
        # rows[a][b] is the row of b, present iff a -> b is legal: the fast path's only table
        rows: dict[str, dict[str, Any]] = {s: {} for s in sp.names}
        for a, b in self._kind:
            rows[a][b] = rows[b]
        self._rows = rows
        self._start: dict[str, Any] = {s: rows[s] for s in sp.names}
        self._allowed = allowed
        self._terminal = sp.terminal
        self._outcome: dict[str, Outcome] = {s: sp.outcome(s) for s in sp.names}
        self._success = frozenset(s for s in sp.names if sp.outcome(s) == "success")
        self._resets = sp.resets
        self._hints: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"<Validator spec={self.spec.name!r} mode={self.mode!r}>"

    # -- public ---------------------------------------------------------------------------------

    def validate_job(
        self,
        records: Sequence[Record],
        *,
        key: str | None = None,
        lines: Sequence[int] | None = None,
    ) -> JobReport:
        """Validate one job's records, in order. ``lines`` gives each record's source line."""
        outcome = self._fast([records])[0][0]
        if outcome is not None:
            return JobReport(key, self.spec.name, self.mode, records, (), outcome, lines, self)
        return self._flag(records, key, lines)

    def validate(
        self,
        jobs: Sequence[Record] | Mapping[str, Sequence[Record]],
    ) -> Report:
        """Validate one job (a sequence of records) or many (a mapping of job key to records)."""
        if isinstance(jobs, Mapping):
            keys: list[str | None] = list(jobs)
            records = list(jobs.values())
        else:
            keys, records = [None], [jobs]
        outcomes, bailed = self._fast(records)
        flagged = {i: self._flag(records[i], keys[i], None) for i in bailed}
        for i, job in flagged.items():
            outcomes[i] = job.outcome
        return Report._compact(self, keys, records, cast(list[Outcome], outcomes), flagged)

    def _flag(
        self, records: Sequence[Record], key: str | None, lines: Sequence[int] | None
    ) -> JobReport:
        violations, outcome, steps = self._general(records, lines)
        return JobReport(
            key, self.spec.name, self.mode, records, tuple(violations), outcome, lines, self, steps
        )

    # -- the fast path ------------------------------------------------------------------------

    def _fast(self, jobs: Iterable[Sequence[Any]]) -> tuple[list[Outcome | None], list[int]]:
        """Each job's outcome when it has no violation at all, else ``None``; and the indices
        of those ``None`` jobs, which need the general path.

        Conservative: it may give up on a clean job (the general path then says so), never
        accept a job with a violation. A property test checks it against the general path.
        One loop over all jobs: per-job function calls would cost more than the checks.
        """
        start, resets, success = self._start, self._resets, self._success
        outcome_of: dict[Any, Outcome] = {None: "unfinished", **self._outcome}
        pct = _PCT
        out: list[Outcome | None] = []
        append = out.append
        bailed: list[int] = []
        for records in jobs:
            row = start
            last = 0.0
            s: Any = None
            try:
                # Between resets percentages never fall, so the largest of a segment is its
                # last: the upper bound is checked when a segment ends, not at every poll.
                for o in records:
                    s = o["status"]
                    row = row[s]
                    p = o.get(pct)
                    if p.__class__ is float or p.__class__ is int:
                        if last <= p or (p >= 0.0 and s in resets and last <= 100.0):
                            last = p
                        else:
                            raise _Bail
                    elif p is None:
                        if s in resets:
                            if not last <= 100.0:
                                raise _Bail
                            last = 0.0
                    else:
                        raise _Bail
                if not last <= 100.0:
                    raise _Bail
                if s in success:
                    # A terminal row admits only itself, so success observations are a suffix.
                    for o in reversed(records):
                        if o["status"] != s:
                            break
                        p = o.get(pct)
                        if p is not None and p != 100.0:
                            raise _Bail
            except (_Bail, KeyError, TypeError, AttributeError):
                bailed.append(len(out))
                append(None)
                continue
            append(outcome_of[s])
        return out, bailed

    # -- the general path ---------------------------------------------------------------------

    def _hint(self, status: str) -> str:
        msg = self._hints.get(status)
        if msg is None:
            msg = self._hints[status] = unknown_status_message(status, self.spec)
        return msg

    def _general(
        self, records: Sequence[Record], lines: Sequence[int] | None
    ) -> tuple[list[Violation], Outcome, tuple[Step, ...]]:
        """Every violation and every step, following the rules' precise semantics."""
        checker = _Checker(self)
        feed = checker.feed
        for i, rec in enumerate(records):
            feed(rec, lines[i] if lines is not None else None)
        return checker.violations, checker.outcome or "unfinished", tuple(checker.steps or ())


class _Checker:
    """The general path for one job, fed one record at a time (the rules' precise semantics).

    It can start mid-job from the state the fast path carried (``state``, ``baseline``, the
    number of records already seen): streaming validation hands a job over to it at its first
    irregular record.
    """

    __slots__ = (
        "_v",
        "baseline",
        "first_line",
        "index",
        "last_line",
        "observations",
        "outcome",
        "rejected",
        "state",
        "steps",
        "violations",
    )

    def __init__(
        self,
        validator: Validator,
        *,
        record_steps: bool = True,
        state: str | None = None,
        baseline: float | None = None,
        index: int = 0,
        first_line: int | None = None,
        last_line: int | None = None,
    ) -> None:
        self._v = validator
        self.violations: list[Violation] = []
        self.steps: list[Step] | None = [] if record_steps else None
        self.state = state
        self.outcome: Outcome | None = (
            validator._outcome[state] if state in validator._terminal else None
        )
        self.baseline = baseline
        self.index = index
        self.observations = index
        self.rejected = 0
        self.first_line = first_line
        self.last_line = last_line

    def _report(self, rule: str, message: str, line: int | None, http: int | None) -> None:
        # called from feed(), after it counted the record
        self.violations.append(
            Violation(rule, RULES[rule].severity, self.index - 1, line, message, http)
        )

    def feed(self, rec: Record, line: int | None = None, http: int | None = None) -> None:
        v, sp = self._v, self._v.spec
        report, i, state, steps = self._report, self.index, self.state, self.steps
        if line is not None:
            if self.first_line is None:
                self.first_line = line
            self.last_line = line
        self.index += 1

        if not isinstance(rec, Mapping):
            self.rejected += 1
            if isinstance(rec, _Rejected):
                report("malformed-record", rec.reason, line, http)
            else:
                report(
                    "malformed-record",
                    f"record is not a JSON object (got {_json_type(rec)})",
                    line,
                    http,
                )
            if steps is not None:
                steps.append(Step(i, None, "rejected", state, (), line, http))
            return
        self.observations += 1

        s = rec.get("status", _MISSING)
        known: str | None = None
        unknown: str | None = None
        if s is _MISSING:
            report("missing-status", "record has no 'status'", line, http)
        elif not isinstance(s, str):
            report("missing-status", f"'status' is not a string (got {_json_type(s)})", line, http)
        elif s not in sp:
            report("unknown-status", v._hint(s), line, http)
            unknown = s
        else:
            known = s

        kind: StepKind
        path: tuple[str, ...] | None = None
        if known is None:
            kind = "rejected"
        elif state is None:
            kind = "start"
            path = sp.shortest_path(sp.initial, known) if known != sp.initial else None
        elif known == state:
            kind = "stutter"
        elif state in v._terminal:
            report(
                "after-terminal",
                f"'{known}' after terminal '{state}'"
                f" (outcome {v._outcome[state]}): a terminal status never changes",
                line,
                http,
            )
            kind = "after-terminal"
        else:
            code = v._kind.get((state, known))
            if code is None:
                allowed = v._allowed[state]
                how = "one step" if v.mode == "step" else "reachable"
                report(
                    "illegal-transition",
                    f"'{state}' -> '{known}' is not allowed in {v.mode} mode;"
                    f" {how} from '{state}': {', '.join(allowed) or 'nothing'}",
                    line,
                    http,
                )
                kind = "illegal"
            else:
                kind = _KIND_NAME[code]
                path = sp.shortest_path(state, known) if code == _GAP else None
        if steps is not None:
            src = None if kind == "start" else state
            steps.append(Step(i, known, kind, src, path or (), line, http, unknown))
        if known is not None:
            self.state = known
            if self.outcome is None and known in v._terminal:
                self.outcome = v._outcome[known]
            if known in v._resets:
                self.baseline = None

        p = rec.get(_PCT)
        if p is None:
            return
        if isinstance(p, bool) or not isinstance(p, (int, float)):
            report(
                "percentage-type",
                f"percentageComplete is {_json_type(p)} {_short(p)}, not a number",
                line,
                http,
            )
        elif not (0 <= p <= 100) or math.isnan(p):
            report("percentage-range", f"percentageComplete {p!r} is outside 0-100", line, http)
        else:
            baseline = self.baseline
            if baseline is not None and p < baseline:
                report(
                    "percentage-regression",
                    f"percentageComplete went down from {baseline:g} to {p:g}"
                    " with no 'waiting' in between",
                    line,
                    http,
                )
            self.baseline = p
            if known in v._success and p != 100:
                report(
                    "completed-not-100",
                    f"'{known}' with percentageComplete {p:g}, not 100",
                    line,
                    http,
                )

    def report(
        self,
        key: str | None,
        *,
        input: str | None = None,
        http_status: Mapping[int, int] | None = None,
    ) -> JobReport:
        """The job's report (records are not kept: counts and line span stand for them)."""
        v = self._v
        span = (
            (self.first_line, self.last_line)
            if self.first_line is not None and self.last_line is not None
            else None
        )
        return JobReport(
            key, v.spec.name, v.mode, None, tuple(self.violations), self.outcome or "unfinished",
            None, v, tuple(self.steps) if self.steps is not None else None, input,
            (self.observations, self.rejected), span, http_status,
        )  # fmt: skip


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "an array"
    return type(value).__name__


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_VALIDATORS: dict[tuple[int, str], Validator] = {}


def _validator(spec: str | Spec, mode: str) -> Validator:
    sp = get_spec(spec)
    key = (id(sp), mode)
    v = _VALIDATORS.get(key)
    if v is None or v.spec is not sp:
        v = _VALIDATORS[key] = Validator(sp, mode)
    return v


def validate(
    observations: Sequence[Record] | Mapping[str, Sequence[Record]],
    spec: str | Spec = "current",
    mode: Mode | str = "sampled",
) -> Report:
    """Validate observed monitor bodies against a spec.

    ``observations`` is one job (a sequence of monitor response bodies, in poll order) or many
    (a mapping of job key to such a sequence). Compiled tables are cached per spec and mode.
    """
    return _validator(spec, mode).validate(observations)
