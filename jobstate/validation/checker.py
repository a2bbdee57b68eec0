"""The general path: one job, fed one record at a time, every rule with its precise message.

It reports every violation and classifies every step. After a violation it resynchronises on
the observed status (one bad step, one violation). It can start mid-job from the state a faster
path carried (``state``, ``baseline``, the number of records already seen): streaming
validation hands a job over to it at the job's first irregular record.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, cast

from jobstate._constants import SUCCESS_NOT_TOP, Outcome, Severity, StepKind
from jobstate.results import JobReport, Keep, Record, Step, Unlisted, Violation
from jobstate.validation import rules
from jobstate.validation.tables import EDGE, GAP, STUTTER, Tables

__all__ = ["Checker", "CheckerStream"]

_KIND_NAME: dict[int, StepKind] = {STUTTER: "stutter", EDGE: "edge", GAP: "gap"}


class Checker:
    """The rules' precise semantics for one job (see the module docstring)."""

    __slots__ = (
        "baseline",
        "error_answers",
        "expired",
        "first_line",
        "index",
        "keep",
        "last_line",
        "lost",
        "observations",
        "omitted",
        "on_violation",
        "outcome",
        "rejected",
        "state",
        "steps",
        "tables",
        "transient",
        "violations",
    )

    def __init__(
        self,
        tables: Tables,
        *,
        record_steps: bool = True,
        state: str | None = None,
        baseline: float | None = None,
        index: int = 0,
        first_line: int | None = None,
        last_line: int | None = None,
        keep: Keep | None = None,
        on_violation: Callable[[Violation], None] | None = None,
    ) -> None:
        self.tables = tables
        self.on_violation = on_violation  # sees every violation, kept in full or only counted
        self.violations: list[Violation] = []
        self.keep = keep  # shared by the jobs of a run: beyond it, violations are counted
        self.omitted: Counter[tuple[str, Severity]] | None = None
        self.steps: list[Step] | None = [] if record_steps else None
        self.state = state
        self.outcome: Outcome | None = (
            tables.outcome[state] if state is not None and state in tables.terminal else None
        )
        self.baseline = baseline
        self.index = index
        self.observations = index
        self.rejected = 0
        self.expired = 0  # polls answered 'gone' after the end: the monitor expired
        self.lost = 0  # polls answered 'gone' before it: one monitor-lost, the rest counted
        self.transient = 0  # 5xx answers with a status body, validated as usual
        self.error_answers = 0  # 4xx/5xx answers with no status body: not observations
        self.first_line = first_line
        self.last_line = last_line

    def feed(self, rec: Record, line: int | None = None, http: int | None = None) -> None:
        """Check the next record of the job (``line``, ``http``: where it came from)."""
        if line is not None:  # the span: lowest and highest line (--order-by reorders them)
            if self.first_line is None or line < self.first_line:
                self.first_line = line
            if self.last_line is None or line > self.last_line:
                self.last_line = line
        i = self.index
        self.index += 1
        field = self.tables.status_field
        if http is not None and 200 <= http < 400:  # a 2xx or 3xx may end the job bodiless
            if rules.completes(rec, http, field):
                rec = self.tables.completion  # as the router reads it, whichever path
            elif rules.stray_redirect(rec, http, field):
                return self._error_answer(i, line, http)
        if http is not None and http >= 400:
            if rules.monitor_gone(rec, http, field):
                self._gone(i, http, line)
                return
            if not rules.has_status_body(rec, field):
                return self._error_answer(i, line, http)
            if http >= 500:
                self.transient += 1
        why = rules.malformed_record(rec)
        if why is not None:
            self.rejected += 1
            self._add("malformed-record", why, line, http)
            if self.steps is not None:
                self.steps.append(Step(i, None, "rejected", self.state, (), line, http))
            return
        body = cast(Mapping[str, Any], rec)  # malformed_record passes mappings only
        self.observations += 1
        known, unknown = self._status(body, line, http)
        kind, path = self._transition(known, line, http)
        progress = self.tables.progress
        value = body.get(progress.field) if progress is not None else None
        if self.steps is not None:  # a Step is built only when steps are kept
            src = None if kind == "start" else self.state
            shown = _number(value)
            self.steps.append(Step(i, known, kind, src, path, line, http, unknown, shown))
        self._advance(known)
        self._percentage(value, known, line, http)

    def carry(
        self, count: int, state: str, baseline: float | None, keep: bool, low: int, high: int
    ) -> None:
        """Take in bulk ``count`` records that the array path found clean right after the last
        one fed here (so checked from where this one left the job): legal steps ending in
        ``state``, every percentage valid and not falling, from lines ``low`` to ``high``;
        the baseline after them is ``baseline``, unless ``keep`` (this one's stands). Never
        with steps kept (``explain`` feeds every record)."""
        assert self.steps is None, "steps are recorded one record at a time"
        self.index += count
        self.observations += count
        self._advance(state)
        if not keep:
            self.baseline = baseline
        self.first_line = low if self.first_line is None else min(self.first_line, low)
        self.last_line = high if self.last_line is None else max(self.last_line, high)

    def _error_answer(self, i: int, line: int | None, http: int | None) -> None:
        """An answer that is neither a status nor the end (a 401, a 503 page, a 307): counted
        as polled, not validated."""
        self.observations += 1
        self.error_answers += 1
        if self.steps is not None:
            self.steps.append(Step(i, None, "error-answer", self.state, (), line, http))

    def _gone(self, i: int, http: int, line: int | None) -> None:
        """A monitor that answered 'gone': expired after the end, else ``monitor-lost``."""
        self.observations += 1
        if self.outcome is not None:
            self.expired += 1
            kind: StepKind = "expired"
        else:
            if not self.lost:  # the job lost its monitor once, however often it was asked
                self._add("monitor-lost", rules.monitor_lost(http), line, http)
            self.lost += 1
            kind = "lost"
        if self.steps is not None:
            self.steps.append(Step(i, None, kind, self.state, (), line, http))

    def _add(self, rule: str, message: str, line: int | None, http: int | None) -> None:
        # called from feed(), after it counted the record
        severity = self.tables.severity[rule]
        kept = self.keep is None or self.keep.take()
        if kept or self.on_violation is not None:  # else no object for a counted one
            v = Violation(rule, severity, self.index - 1, line, message, http)
            if self.on_violation is not None:
                self.on_violation(v)
            if kept:
                self.violations.append(v)
                return
        if self.omitted is None:
            self.omitted = Counter()
        self.omitted[rule, severity] += 1

    def _status(
        self, body: Mapping[str, Any], line: int | None, http: int | None
    ) -> tuple[str | None, str | None]:
        """The body's known status, or ``None`` and (for an unknown string) the string."""
        field = self.tables.status_field
        why = rules.missing_status(body, field)
        if why is not None:
            self._add("missing-status", why, line, http)
            return None, None
        s: str = body[field]
        if s not in self.tables.spec:
            self._add("unknown-status", self.tables.unknown_message(s), line, http)
            return None, s
        return s, None

    def _transition(
        self, known: str | None, line: int | None, http: int | None
    ) -> tuple[StepKind, tuple[str, ...]]:
        """How ``known`` follows the current state: the step kind and its explaining path."""
        t, state = self.tables, self.state
        sp = t.spec
        if known is None:
            return "rejected", ()
        if state is None:
            path = sp.shortest_path(sp.initial, known) if known != sp.initial else None
            return "start", path or ()
        if known == state:
            return "stutter", ()
        if state in t.terminal:
            message = rules.after_terminal(state, known, t.outcome[state])
            self._add("after-terminal", message, line, http)
            return "after-terminal", ()
        code = t.kind.get((state, known))
        if code is None:
            message = rules.illegal_transition(state, known, t.mode, t.allowed[state])
            self._add("illegal-transition", message, line, http)
            return "illegal", ()
        path = sp.shortest_path(state, known) if code == GAP else None
        return _KIND_NAME[code], path or ()

    def _advance(self, known: str | None) -> None:
        if known is None:
            return
        self.state = known
        if self.outcome is None and known in self.tables.terminal:
            self.outcome = self.tables.outcome[known]

    def _percentage(self, p: object, known: str | None, line: int | None, http: int | None) -> None:
        """The progress rules, against the baseline in effect before this observation."""
        t = self.tables
        progress = t.progress
        if progress is None:  # the spec's bodies carry no progress
            return
        resets = known is not None and known in t.resets
        before = None if resets else self.baseline
        self.baseline = rules.next_baseline(self.baseline, resets, p, progress)
        if p is None:
            return
        why = rules.percentage_type(p, progress)
        if why is not None:
            self._add("percentage-type", why, line, http)
            return
        value: float = p  # type: ignore[assignment]  # a number: percentage_type said so
        why = rules.percentage_range(value, progress)
        if why is not None:
            self._add("percentage-range", why, line, http)
            return
        why = rules.percentage_regression(value, before, progress, t.reset_names)
        if why is not None:
            self._add("percentage-regression", why, line, http)
        if known is not None:
            why = rules.completed_not_100(known, value, t.success, progress)
            if why is not None:
                self._add(SUCCESS_NOT_TOP, why, line, http)

    def to_job_report(
        self,
        key: str | None,
        *,
        input: str | None = None,
        http_status: Mapping[int, int] | None = None,
        records: Sequence[Record] | None = None,
    ) -> JobReport:
        """The job's report; counts and line span stand for the records unless given."""
        span = (
            (self.first_line, self.last_line)
            if self.first_line is not None and self.last_line is not None
            else None
        )
        t = self.tables
        return JobReport(
            key=key,
            spec=t.spec.name,
            mode=t.mode,
            violations=tuple(self.violations),
            outcome=self.outcome or "unfinished",
            records=records,
            input=input,
            counts=(self.observations, self.rejected),
            span=span,
            http_status=http_status,
            recorded_steps=tuple(self.steps) if self.steps is not None else None,
            omitted=dict(self.omitted) if self.omitted else None,
            expired=self.expired,
            lost=self.lost,
            transient=self.transient,
            error_answers=self.error_answers,
        )


class CheckerStream:
    """The jobs of a small input, each on the general path from its first record: the same
    interface as :class:`~jobstate.validation.stream.Stream` for readers, without numpy (whose
    import costs more than checking a small file). ``columnar`` is false: no polars reader."""

    columnar = False

    def __init__(
        self,
        tables: Tables,
        *,
        input: str | None = None,
        explain: bool = False,
        keep: Keep | None = None,
    ) -> None:
        self.tables, self.input, self.explain, self.keep = tables, input, explain, keep
        self.checkers: dict[Any, Checker] = {}
        self.http: dict[Any, Counter[int]] = {}
        self.unlisted = Unlisted()

    def feed(
        self,
        keys: Sequence[Any],
        bodies: Sequence[Any],
        lines: Sequence[int],
        http: Sequence[int | None] | None = None,
    ) -> None:
        """Validate a batch: record ``i`` is ``bodies[i]`` of job ``keys[i]``, from ``lines[i]``."""
        for i, key in enumerate(keys):
            c = self.checkers.get(key)
            if c is None:
                c = self.checkers[key] = Checker(
                    self.tables, record_steps=self.explain, keep=self.keep
                )
            code = http[i] if http is not None else None
            c.feed(bodies[i], lines[i], code)
            if code is not None and code >= 0:
                self.http.setdefault(key, Counter())[code] += 1

    def reports(self, only_failing: Collection[Any] | None = None) -> list[JobReport]:
        """One report per job, in order of first appearance. ``only_failing``: list only the
        jobs with violations and those whose keys it holds; the rest go to :attr:`unlisted`."""
        out = []
        for key, c in self.checkers.items():
            if only_failing is not None and not (c.violations or c.omitted or key in only_failing):
                self.unlisted.add_job(c.outcome, c.observations)
                continue
            out.append(
                c.to_job_report(
                    key if key is None or isinstance(key, str) else str(key),
                    input=self.input,
                    http_status=dict(self.http[key]) if key in self.http else None,
                )
            )
        return out


def _number(value: object) -> float | None:
    """A percentage to show on a step: the value when it is a number."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
