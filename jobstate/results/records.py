"""What one job's validation hands along: records as read, violations, steps, the job's report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, Union

from jobstate._constants import Mode, Outcome, Severity, StepKind

if TYPE_CHECKING:
    from jobstate.grading import BehaviourFinding, Grade
    from jobstate.validation.timing import Timing

__all__ = [
    "JobReport",
    "Keep",
    "Omitted",
    "Record",
    "Rejected",
    "Step",
    "StepSource",
    "Violation",
    "http_dict",
]


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
    file: str | None = None  # a folder's or glob's file holding the observation, and its row
    row: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "rule": self.rule,
            "severity": self.severity,
            "index": self.index,
            "line": self.line,
            "http_status": self.http_status,
            "message": self.message,
        }
        if self.file is not None:
            out["file"], out["row"] = self.file, self.row
        return out


@dataclass(frozen=True, slots=True)
class Step:
    """How one observation relates to the state before it (``source``, ``None`` at the start).

    ``path`` is the explaining path for a ``gap`` (both ends included) and for a ``start`` away
    from the initial state (the path from it); empty otherwise. ``unknown`` holds a status string
    outside the vocabulary (``status`` is then ``None``); ``line`` and ``http_status`` say where
    the observation came from, when known; ``progress``: its percentage, when a number;
    ``time``: when it was polled (seconds since the epoch), where the capture has times.
    """

    index: int
    status: str | None
    kind: StepKind
    source: str | None = None
    path: tuple[str, ...] = ()
    line: int | None = None
    http_status: int | None = None
    unknown: str | None = None
    progress: float | None = None
    time: float | None = None


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
    lost: int = field(default=0, repr=False)
    transient: int = field(default=0, repr=False)
    error_answers: int = field(default=0, repr=False)
    client: Grade | None = field(default=None, repr=False)
    timing: Timing | None = field(default=None, repr=False)
    result: Mapping[str, str] | None = field(default=None, repr=False)

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
        out = {
            "key": self.key,
            "input": self.input,
            "lines": list(self.span) if self.span else None,
            "http_status": http_dict(self.http_status),
            "ok": errors == 0 and self.client_errors == 0,
            "outcome": self.outcome,
            "observations": self.observations,
            "rejected": self.rejected,
            "errors": errors,
            "warnings": 0 if clean else self.warnings,
            "violations": [v.to_dict() for v in self.violations] if self.violations else [],
            "violations_not_kept": None if clean else self.not_kept or None,
            "expired_polls": self.expired,
            "lost_polls": self.lost,
            "transient_5xx": self.transient,
            "error_answers": self.error_answers,
            "client": self.client.to_dict() if self.client is not None else None,
        }
        if self.timing is not None:  # where the capture has times (a HAR, a time key)
            out["timing"] = self.timing.to_dict()
        if self.result is not None:  # the spec's result fields its answers held, last values
            out["result"] = dict(self.result)
        return out


def http_dict(counts: Mapping[int, int] | None) -> dict[str, int] | None:
    return {str(k): n for k, n in sorted(counts.items())} if counts else None
