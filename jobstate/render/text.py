"""Text for people: the check report, a spec, a client's findings, the profile matrix."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from jobstate._constants import FailOn, Outcome
from jobstate._words import inert, plural
from jobstate.render.columns import OneBehind, clean_frame, cut, fill, joined_keys, polars_for
from jobstate.results import (
    CleanJob,
    CleanRun,
    InputSummary,
    JobReport,
    JobTable,
    Report,
    Step,
    Violation,
)

if TYPE_CHECKING:  # annotations only
    from jobstate.results.report import Durations

__all__ = ["durations_line", "fails_at", "text_lines", "totals_line", "violation_line"]

_VERDICT_COLOUR = {"FAIL": "red", "WARN": "yellow", "OK": "green"}


def fails_at(job: JobReport, fail_on: FailOn = "error") -> bool:
    """Whether ``job`` fails at the ``fail_on`` severity (its lifecycle or its client)."""
    if job.errors or job.client_errors:
        return True
    return fail_on == "warning" and bool(job.warnings or job.client_warnings)


def _style(text: str, fg: str, *, bold: bool = False) -> str:
    import click

    return click.style(text, fg=fg, bold=bold)


class _Places(dict[str | None, tuple[str, str, str]]):
    """Per input name: the name made inert, its unit and the unit's plural (:func:`_where`'s
    words, worked out once per input instead of once per job)."""

    def __init__(self, units: Mapping[str | None, str]) -> None:
        super().__init__()
        self.units = units

    def __missing__(self, name: str | None) -> tuple[str, str, str]:
        unit = self.units.get(name, "line")
        self[name] = words = (inert(name) if name else "", unit, plural(2, unit)[2:])
        return words


def _head(verdict: str, color: bool) -> str:
    """A summary line's verdict column (``OK``, ``WARN``, ``FAIL``), coloured if asked."""
    column = f"{verdict:<4}"
    return _style(column, _VERDICT_COLOUR[verdict], bold=True) if color else column


def _where(
    input: str | None, key: str | None, span: tuple[int, int] | None, places: _Places
) -> str:
    """Where a job's records are: its input (unless it is the key) and its line span."""
    name, unit, units = places[input]
    place = name if name and input != key else ""
    if span is not None:
        a, b = span
        place += (", " if place else "") + (f"{unit} {a}" if a == b else f"{units} {a}-{b}")
    return f" ({place})" if place else ""


def _http_text(counts: Mapping[int, int] | None) -> str:
    """A job's HTTP status counts, as its summary line ends with them."""
    if not counts:
        return ""
    return "; HTTP " + ", ".join(f"{c}x{n}" for c, n in sorted(counts.items()))


def _clean_summary(job: CleanJob, places: _Places, ok: str) -> str:
    """:func:`_summary`'s line for a job without a violation, from its columns (``ok``: its
    verdict column)."""
    return (
        f"{ok} {inert(job.key)}{_where(job.input, job.key, job.span, places)}:"
        f" outcome {job.outcome}; {plural(job.observations, 'observation')};"
        f" 0 errors, 0 warnings{_http_text(job.http_status)}"
    )


TEXT_WINDOW = 16384
"""Clean jobs whose lines polars writes at once (handed on as one string of that many lines)."""

_TEXT_MARKS = ("\u2603key\u2603", "\u2603outcome\u2603", 900000001, 900000002, 900000003)
"""A sample clean job's key, outcome, observations, first and last line: where its line, as
:func:`_clean_summary` writes it, shows them is where the template's columns go."""


class _CleanLines:
    """One input's clean jobs' lines written by polars: :func:`_clean_summary`'s own line of a
    sample job, cut into a template for each form the line takes (a span of one line or more,
    one observation or more), filled for many jobs at once. A job whose line takes another
    form (a key to make inert or that names the input, HTTP counts, 1,000 observations or more,
    which take a thousands separator) is written by :func:`_clean_summary`.

    ``forms`` is ``None`` where a template could not be cut (the input's name holds a mark)."""

    def __init__(self, pl: Any, input: str | None, places: _Places, ok: str) -> None:
        self.pl, self.input, self.places, self.ok = pl, input, places, ok
        key, out, count, first, last = _TEXT_MARKS
        forms: dict[tuple[bool, bool], Any] = {}
        for single in (True, False):
            for one in (True, False):
                job = CleanJob(
                    str(key),
                    input,
                    cast(Outcome, out),
                    1 if one else int(count),
                    (int(first), int(first if single else last)),
                    None,
                )
                marks = {str(key): "key", str(out): "outcome", str(first): "first"}
                marks |= {} if single else {str(last): "last"}
                marks |= {} if one else {f"{count:,}": "observations"}
                template = cut(_clean_summary(job, places, ok), marks)
                if template is None:
                    self.forms = None
                    return
                forms[single, one] = fill(pl, template)
        single, one = pl.col("first") == pl.col("last"), pl.col("observations") == 1
        self.forms = (
            pl.when(single & one)
            .then(forms[True, True])
            .when(single)
            .then(forms[True, False])
            .when(one)
            .then(forms[False, True])
            .otherwise(forms[False, False])
        )

    def frame(
        self, table: JobTable, a: int, b: int, special: list[int], gone: list[int]
    ) -> Any | None:
        """The frame :meth:`lines` writes as the lines of ``table``'s clean jobs ``a`` to
        ``b``: ``gone`` rows (exact jobs) not ``kept``; the ``text`` of ``special`` ones, and of
        those this finds, written by :func:`_clean_summary`; ``None`` where polars cannot hold
        a value."""
        pl, name = self.pl, self.input
        df = clean_frame(pl, table, a, b)
        if df is None:
            return None
        keys, counts = table.keys[a:b], table.counts[a:b]
        rows = set(special)
        if not _plain_keys(keys, name):  # asked of all at once first: rarely true of any
            rows.update(a + i for i, k in enumerate(keys) if k is None or k == name)
            rows.update(a + i for i, k in enumerate(keys) if k is not None and not k.isprintable())
        if counts and not 0 <= min(counts) <= max(counts) < 1000:  # 1,000: "1,000"
            rows.update(a + i for i, n in enumerate(counts) if not 0 <= n < 1000)
        rows.difference_update(gone)
        texts: list[str | None] = [None] * (b - a)
        for i in rows:
            texts[i - a] = _clean_summary(table.clean(i), self.places, self.ok)
        kept = [True] * (b - a)
        for i in gone:
            kept[i - a] = False
        return df.with_columns(
            pl.Series("text", texts, dtype=pl.String), pl.Series("kept", kept, dtype=pl.Boolean)
        )

    def lines(self, df: Any) -> str:
        """The kept rows of :meth:`frame`'s ``df`` as lines, joined by newlines: its ``text``
        where set, else the template's (polars releases the GIL meanwhile)."""
        line = self.pl.coalesce("text", self.forms)
        return str(df.filter("kept").select(line.str.join("\n")).item())


def _plain_keys(keys: list[str | None], name: str | None) -> bool:
    """Whether every key is printable text other than the input's name (its line takes the
    template's form).

    >>> _plain_keys(["a", "b"], "x"), _plain_keys(["a", "x"], "x"), _plain_keys(["a\\n"], None)
    (True, False, False)
    >>> _plain_keys(["a", None], "x")
    False
    """
    joined = joined_keys(keys)
    return joined is not None and name not in keys and joined.isprintable()


def _clean_written(
    entries: Iterable[JobReport | CleanJob | CleanRun],
    places: _Places,
    ok: str,
    pl: Any,
    least: int,
) -> Iterator[JobReport | str]:
    """``entries`` with each clean job's line in its place: a run of at least ``least`` jobs
    written by polars (where ``pl`` is given) ``TEXT_WINDOW`` at a time, as one string of as
    many lines, else one line at a time. Polars fills a window on a thread of its own while
    the next one is made here (the items keep their order)."""
    writers: dict[int, tuple[_CleanLines, list[int], list[int]]] = {}
    with OneBehind[str]() as behind:
        for job in entries:
            if not isinstance(job, CleanRun) or pl is None or job.stop - job.start < least:
                yield from behind.drain()
                if isinstance(job, CleanRun):
                    yield from _lines(job.jobs(), places, ok)
                else:
                    yield _clean_summary(job, places, ok) if isinstance(job, CleanJob) else job
                continue
            table, start, stop = job
            if id(table) not in writers:  # rows with HTTP counts, and the exact engine's rows
                writer = _CleanLines(pl, table.input, places, ok)
                writers[id(table)] = writer, sorted(table.http), sorted(table.exact)
            writer, http, exact = writers[id(table)]
            for a in range(start, stop, TEXT_WINDOW):
                b = min(a + TEXT_WINDOW, stop)
                gone = exact[bisect_left(exact, a) : bisect_left(exact, b)]
                special = http[bisect_left(http, a) : bisect_left(http, b)]
                df = None
                if writer.forms is not None and 2 * (len(gone) + len(special)) <= b - a:
                    df = writer.frame(table, a, b, special, gone)  # mostly template lines
                if df is None:
                    yield from behind.drain()
                    yield from _lines(CleanRun(table, a, b).jobs(), places, ok)
                else:
                    yield from behind.put(writer.lines, df)
        yield from behind.drain()


def _lines(jobs: Iterable[CleanJob], places: _Places, ok: str) -> Iterator[str]:
    """:func:`_clean_summary`'s line of each job."""
    return (_clean_summary(j, places, ok) for j in jobs)


def _summary(job: JobReport, places: _Places, fail_on: FailOn, color: bool) -> str:
    warned = job.warnings or job.client_warnings
    verdict = "FAIL" if fails_at(job, fail_on) else ("WARN" if warned else "OK")
    text = (
        f"{_head(verdict, color)} {inert(job.key)}"
        f"{_where(job.input, job.key, job.span, places)}: outcome {job.outcome};"
        f" {plural(job.observations, 'observation')}"
        + (f", {job.rejected:,} rejected" if job.rejected else "")
        + f"; {plural(job.errors, 'error')}, {plural(job.warnings, 'warning')}"
    )
    if job.client_findings:  # a job may fail on its client alone: say so where it fails
        text += (
            f" (client: {plural(job.client_errors, 'error')},"
            f" {plural(job.client_warnings, 'warning')})"
        )
    text += _http_text(job.http_status)
    if job.expired:
        text += f"; {plural(job.expired, 'poll')} after the end answered 'gone' (monitor expired)"
    if job.lost > 1:
        text += f"; {plural(job.lost, 'poll')} answered 'gone' before any end (monitor lost)"
    if job.transient:
        text += f"; {plural(job.transient, 'transient 5xx answer')} with a status body"
    if job.error_answers:
        text += f"; {plural(job.error_answers, 'error answer')} without a status body"
    if job.client is not None and job.client.end == "303":
        where = job.client.location
        text += "; completion: 303 See Other" + (f" to {inert(where)}" if where else "")
    elif job.client is not None and job.client.end == "item":
        text += "; completion: the item itself at the monitor URL"
    if job.timing is not None:
        text += "; " + job.timing.phrase()
    if job.result and (verdict != "OK" or job.outcome == "failure"):  # what the answers said
        text += "; " + ", ".join(f"{k} '{v}'" for k, v in job.result.items())
    return text


def _client_lines(job: JobReport, color: bool) -> Iterator[str]:
    """The client-behaviour findings of a job: a section of their own, apart from the lifecycle."""
    findings = job.client_findings
    if not findings:
        return
    yield f"  client behaviour ({plural(len(findings), 'finding')}):"
    for f in findings:
        where = f"poll {f.first_poll}" if f.first_poll else "no poll"
        yield _violation(where, f.severity, f.id, f.message, None, color)


def _violation(
    where: str, severity: str, rule: str, message: str, http: int | None, color: bool
) -> str:
    sev = f"{severity:<7}"
    if color:
        sev = _style(sev, "red" if severity == "error" else "yellow")
    tail = f" [HTTP {http}]" if http is not None else ""
    return f"  {where:>12}  {sev}  {rule:<21}  {inert(message)}{tail}"


def _job_violation(v: Violation, unit: str, color: bool) -> str:
    where = f"{unit} {v.line}" if v.line is not None else f"#{v.index}"
    if v.file is not None:  # a folder's or glob's file, and the row in it
        where += f" ({inert(v.file)} {unit} {v.row})"
    return _violation(where, v.severity, v.rule, v.message, v.http_status, color)


def violation_line(job: str, v: Violation) -> str:
    """A violation as ``check --follow`` prints it the moment it is found."""
    return f"{inert(job)}: {_job_violation(v, 'line', False).strip()}"


def _step(step: Step, unit: str, marks: Sequence[Violation], first: float | None) -> str:
    where = f"{unit} {step.line}" if step.line is not None else f"#{step.index}"
    status = step.status if step.status is not None else inert(repr(step.unknown or "?"))
    if step.progress is not None:
        status += f" {step.progress:g}%"
    if step.kind == "start":
        what = f"start at {status}"
        if step.path:
            what += f" (unseen before it: {' -> '.join(step.path[:-1])})"
    elif step.kind == "gap":
        what = f"{step.source} -> {status}, gap via {' -> '.join(step.path)}"
    elif step.kind == "rejected":
        what = f"{status if step.unknown else 'no usable status'}"
    elif step.kind in ("expired", "lost"):
        what = "monitor gone" + (" after the end" if step.kind == "expired" else "")
    elif step.kind == "error-answer":
        what = "HTTP error answer, no status body"
    else:
        what = f"{step.source} -> {status}" if step.kind != "stutter" else status
    http = f" [HTTP {step.http_status}]" if step.http_status is not None else ""
    if step.time is not None and first is not None:  # since the job's first poll
        from jobstate.validation.timing import span

        http += f" (+{span(step.time - first)})"
    text = f"  {where:>12}  {step.kind:<14}  {what}{http}"
    for v in marks:
        text += f"\n  {'':>12}  {'':<14}  ^ {v.severity} {v.rule}: {inert(v.message)}"
    return text


_KEEP_HINT = " (--keep-violations)"


class _Budget:
    """How many violations may still be printed (``--max-violations``), and how many were not."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.shown = 0
        self.hidden = 0

    def take(self) -> bool:
        if self.limit is not None and self.shown >= self.limit:
            self.hidden += 1
            return False
        self.shown += 1
        return True


def _input_lines(summary: InputSummary, budget: _Budget, color: bool) -> Iterator[str]:
    """An input's notes, and the units rejected before they reached a job."""
    unit, name = summary.unit, inert(summary.name)
    notes = list(summary.notes)
    skipped = sum(summary.skipped.values())
    if skipped:
        notes.append(
            f"{plural(skipped, unit)} skipped: "
            + "; ".join(f"{n:,} {why}" for why, n in summary.skipped.items())
        )
    for note in notes:
        yield f"note {name}: {inert(note)}"
    if summary.loose:
        yield (
            f"FAIL {name}: {plural(summary.loose, unit)} rejected before reaching a job"
            f" ({plural(summary.loose, 'error')})"
        )
        for line, message in summary.unattributed:
            if budget.take():
                yield _violation(
                    f"{unit} {line}", "error", "malformed-record", message, None, color
                )
        if summary.unattributed_not_kept:
            yield f"  ... {summary.unattributed_not_kept:,} more counted, not kept{_KEEP_HINT}"


def _job_lines(
    job: JobReport, unit: str, explain: bool, budget: _Budget, color: bool
) -> Iterator[str]:
    if explain and job.recorded_steps is not None:
        marks: dict[int, list[Violation]] = {}
        for v in job.violations:
            marks.setdefault(v.index, []).append(v)
        first = job.timing.first if job.timing is not None else None
        for step in job.steps:
            yield _step(step, unit, marks.get(step.index, ()), first)
        yield from _client_lines(job, color)
        return
    for v in job.violations:
        if budget.take():
            yield _job_violation(v, unit, color)
    yield from _client_lines(job, color)
    if job.omitted:
        counts = ", ".join(f"{rule} {n:,}" for rule, n in job.not_kept.items())
        yield (
            f"  ... {plural(sum(job.omitted.values()), 'more violation')} counted, not kept"
            f" ({counts}){_KEEP_HINT}"
        )


def text_lines(
    report: Report,
    *,
    color: bool = False,
    explain: bool = False,
    max_violations: int | None = None,
    fail_on: FailOn = "error",
    quiet: bool = False,
    summary: bool = False,
    polars: bool | None = None,
) -> Iterator[str]:
    """The text report: input notes, then jobs worst first, then the totals line.

    ``quiet`` (also implied by ``max_violations=0``) keeps the failing jobs and the totals;
    ``summary`` the totals line alone. Where polars is loaded (``polars=None``: a big input's
    reader loaded it) or asked for (``True``), it writes a JobTable's clean jobs' lines,
    ``TEXT_WINDOW`` at a time: such an item holds that many lines, joined by newlines (the
    same text as line by line).
    """
    if summary:
        yield totals_line(report, fail_on)
        return
    quiet = quiet or max_violations == 0
    units: dict[str | None, str] = {i.name: i.unit for i in report.inputs}
    budget = _Budget(max_violations)
    for inp in report.inputs:
        lines = _input_lines(inp, budget, color)
        yield from (ln for ln in lines if not (quiet and ln.startswith("note ")))
    ok = _head("OK", color)
    places = _Places(units)
    entries = report.worst_first_entries(flagged_only=quiet, runs=True)
    pl = None if quiet else polars_for(polars)
    for job in _clean_written(entries, places, ok, pl, 1 if polars else 64):
        if isinstance(job, str):  # a clean job's line from its columns (or many such lines)
            yield job
            continue
        if quiet and not fails_at(job, fail_on):
            continue
        yield _summary(job, places, fail_on, color)
        yield from _job_lines(job, units.get(job.input, "line"), explain, budget, color)
    if budget.hidden:
        yield (
            f"... {plural(budget.hidden, 'more violation')} not shown"
            f" (--max-violations {max_violations})"
        )
    durations = report.totals.durations
    if durations:
        yield durations_line(durations)
    yield totals_line(report, fail_on)


def durations_line(durations: Mapping[str, Durations]) -> str:
    """How long the timed jobs took, by outcome: median, 95th percentile, longest."""
    from jobstate.validation.timing import span

    parts = (
        f"{o} {plural(d.jobs, 'job')}: "
        + (
            f"p50 {span(d.p50)}, p95 {span(d.p95)}, max {span(d.max)}"
            if d.jobs > 1
            else span(d.max)
        )
        for o, d in durations.items()
    )
    return "durations: " + "; ".join(parts)


def totals_line(report: Report, fail_on: FailOn = "error") -> str:
    """One line: jobs by outcome, errors, warnings, and how every input unit was accounted for."""
    t = report.totals
    outcomes = ", ".join(f"{n:,} {o}" for o, n in t.outcomes.items() if n)
    if fail_on == "warning":
        bad, what = sum(1 for j in report.flagged if fails_at(j, fail_on)), "with findings"
    else:
        bad, what = t.jobs_with_errors, "with errors"
    line = (
        f"{plural(t.jobs, 'job')} ({t.jobs - bad:,} ok, {bad:,} {what};"
        f" {outcomes or 'no outcome'});"
        f" {plural(t.errors, 'error')}, {plural(t.warnings, 'warning')}"
    )
    if t.client_errors or t.client_warnings:
        line += (
            f"; client: {plural(t.client_errors, 'error')}, {plural(t.client_warnings, 'warning')}"
        )
    if t.read is not None:
        units = {i.unit for i in report.inputs}
        unit = units.pop() if len(units) == 1 else "record"
        line += (
            f"; {plural(t.read, unit)} read = {plural(t.observations, 'observation')}"
            f" + {t.rejected:,} rejected + {t.blank:,} blank"
        )
        if t.skipped:
            line += f" + {t.skipped:,} skipped"
    return f"{line}; spec {report.spec}, mode {report.mode}"
