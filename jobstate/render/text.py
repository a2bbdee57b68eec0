"""Text for people: the check report, a spec, a client's findings, the profile matrix."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from jobstate._constants import FailOn
from jobstate._words import inert, plural
from jobstate.results import CleanJob, InputSummary, JobReport, Report, Step, Violation

if TYPE_CHECKING:  # annotations only: the client models load when a command needs them
    from jobstate.clients import ClientModel, Finding
    from jobstate.spec import Spec
    from jobstate.validation.rules import Rule

__all__ = [
    "client_lines",
    "failed",
    "grade_line",
    "matrix_markdown",
    "matrix_table",
    "protocol_lines",
    "rule_lines",
    "spec_lines",
    "text_lines",
    "totals_line",
    "violation_line",
]

_VERDICT_COLOUR = {"FAIL": "red", "WARN": "yellow", "OK": "green"}


def failed(job: JobReport, fail_on: FailOn = "error") -> bool:
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


def _summary(job: JobReport, places: _Places, fail_on: FailOn, color: bool) -> str:
    warned = job.warnings or job.client_warnings
    verdict = "FAIL" if failed(job, fail_on) else ("WARN" if warned else "OK")
    text = (
        f"{_head(verdict, color)} {inert(job.key)}"
        f"{_where(job.input, job.key, job.span, places)}: outcome {job.outcome};"
        f" {plural(job.observations, 'observation')}"
        + (f", {job.rejected:,} rejected" if job.rejected else "")
        + f"; {plural(job.errors, 'error')}, {plural(job.warnings, 'warning')}"
    )
    text += _http_text(job.http_status)
    if job.expired:
        text += f"; {plural(job.expired, 'poll')} after the end answered 'gone' (monitor expired)"
    if job.transient:
        text += f"; {plural(job.transient, 'transient 5xx answer')} with a status body"
    if job.error_answers:
        text += f"; {plural(job.error_answers, 'error answer')} without a status body"
    if job.client is not None and job.client.end == "303":
        where = job.client.location
        text += "; completed by 303 See Other" + (f" to {inert(where)}" if where else "")
    return text


def _client_lines(job: JobReport, color: bool) -> Iterator[str]:
    """The client-behaviour findings of a job: a section of their own, apart from the lifecycle."""
    findings = job.client_findings
    if not findings:
        return
    yield f"  client behaviour ({plural(len(findings), 'finding')}):"
    for f in findings:
        yield _violation(f"poll {f.first_poll}", f.severity, f.id, f.message, None, color)


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
    return _violation(where, v.severity, v.rule, v.message, v.http_status, color)


def violation_line(job: str, v: Violation) -> str:
    """A violation as ``check --follow`` prints it the moment it is found."""
    return f"{inert(job)}: {_job_violation(v, 'line', False).strip()}"


def _step(step: Step, unit: str, marks: Sequence[Violation]) -> str:
    where = f"{unit} {step.line}" if step.line is not None else f"#{step.index}"
    status = step.status if step.status is not None else inert(repr(step.unknown or "?"))
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
        for step in job.steps:
            yield _step(step, unit, marks.get(step.index, ()))
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
) -> Iterator[str]:
    """The text report: input notes, then jobs worst first, then the totals line.

    ``quiet`` (also implied by ``max_violations=0``) keeps the failing jobs and the totals;
    ``summary`` the totals line alone.
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
    for job in report.worst_first_entries(flagged_only=quiet):
        if isinstance(job, CleanJob):  # a line from its columns: no violation to list
            yield _clean_summary(job, places, ok)
            continue
        if quiet and not failed(job, fail_on):
            continue
        yield _summary(job, places, fail_on, color)
        yield from _job_lines(job, units.get(job.input, "line"), explain, budget, color)
    if budget.hidden:
        yield (
            f"... {plural(budget.hidden, 'more violation')} not shown"
            f" (--max-violations {max_violations})"
        )
    yield totals_line(report, fail_on)


def totals_line(report: Report, fail_on: FailOn = "error") -> str:
    """One line: jobs by outcome, errors, warnings, and how every input unit was accounted for."""
    t = report.totals
    outcomes = ", ".join(f"{n:,} {o}" for o, n in t.outcomes.items() if n)
    if fail_on == "warning":
        bad, what = sum(1 for j in report.flagged if failed(j, fail_on)), "with findings"
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


def spec_lines(spec: Spec) -> Iterator[str]:
    """A spec: its states with class, outcome and provenance, then its edges."""
    data = spec.to_dict()
    yield f"spec {spec.name}: {spec.description}"
    yield f"initial: {data['initial']}; terminal: {', '.join(data['terminal'])}"
    yield ""
    yield "states:"
    for st in data["states"]:
        cls = st["class"] + (f" ({st['outcome']})" if st["outcome"] else "")
        yield f"  {st['name']:<14} {cls:<22} {st['provenance']:<9} {st['rationale']}"
    yield ""
    yield "edges:"
    for e in data["edges"]:
        arrow = f"{e['source']} -> {e['dest']}"
        yield f"  {arrow:<30} {e['provenance']:<9} {e['rationale']}"


def client_lines(model: ClientModel, spec: str, findings: Sequence[Finding]) -> Iterator[str]:
    """A client's findings under ``spec``, each with its witness, then the counts."""
    yield f"client {inert(model.name)} under spec {spec}"
    if model.source:
        yield f"source: {inert(model.source)}"
    for f in findings:
        yield f"  {f.severity:<7}  {f.id:<19}  {f.status:<14}  {f.message}"
        witness = [_exchange_text(e) for e in f.exchanges] or list(f.witness)
        yield f"  {'':<7}  {'':<19}  {'':<14}  witness: {' -> '.join(witness)}"
    if model.notes:
        yield f"note: {inert(model.notes)}"
    errors = sum(1 for f in findings if f.severity == "error")
    yield f"{plural(errors, 'error')}, {plural(len(findings) - errors, 'warning')}"


def _exchange_text(e: Mapping[str, Any]) -> str:
    """A witness exchange as ``202 inProgress``, ``303 -> /items/x`` or ``404``."""
    body = e.get("body") or {}
    headers = e.get("headers") or {}
    if "status" in body:
        return f"{e['http']} {body['status']}"
    if "Location" in headers:
        return f"{e['http']} -> {headers['Location']}"
    return str(e["http"])


def rule_lines(rules: Iterable[Rule]) -> Iterator[str]:
    """One line per rule: id, severity, provenance, what it checks."""
    for r in rules:
        yield f"{r.id:<22} {r.severity:<8} {r.provenance:<9} {r.summary}"


def matrix_table(
    table: Mapping[str, Mapping[str, Sequence[Finding]]], specs: Sequence[str]
) -> Iterator[str]:
    """The profile x spec matrix for a terminal: a block per client, a line per spec (error
    findings marked ``*``)."""
    width = max(len(s) for s in specs) + 1
    for profile, per in table.items():
        yield profile
        for s in specs:
            yield f"  {s + ':':<{width}} {_cell(per[s], '{}*')}"
    yield "* an error finding (jobstate client --profile NAME shows each with its witness)"


def _cell(findings: Sequence[Finding], error_mark: str) -> str:
    by_id: dict[str, list[str]] = {}
    for f in findings:
        what = f"HTTP {f.exchanges[-1]['http']}" if f.exchanges else f.status
        mark = error_mark.format(what) if f.severity == "error" else what
        by_id.setdefault(f.id, []).append(mark)
    return "; ".join(f"{k}: {', '.join(v)}" for k, v in by_id.items()) or "none"


def matrix_markdown(
    table: Mapping[str, Mapping[str, Sequence[Finding]]], specs: Sequence[str]
) -> Iterator[str]:
    """The profile x spec matrix as a Markdown table (error findings in bold)."""
    yield "| client | " + " | ".join(f"spec `{s}`" for s in specs) + " |"
    yield "|---|" + "---|" * len(specs)
    for profile, per in table.items():
        cells = [_cell(per[s], "**{}**") for s in specs]
        yield f"| `{profile}` | " + " | ".join(cells) + " |"


def protocol_lines() -> Iterator[str]:
    """The monitor's HTTP protocol: dialects, then observed deviations, with provenance."""
    from jobstate.spec.protocol import DEVIATIONS, DIALECTS

    yield ""
    yield "protocol dialects (HTTP status while running / at a successful end):"
    for d in DIALECTS.values():
        yield f"  {d.name:<10} {d.running} / {d.completion}  [{d.provenance}] {d.rationale}"
    yield "deviations any dialect may show:"
    for v in DEVIATIONS.values():
        yield f"  {v.id:<20} {v.http} {v.when:<9} [{v.provenance}] {v.description}"


def grade_line(grade: Mapping[str, Any]) -> str:
    """A monitor URL's grade as ``jobstate serve`` prints it."""
    head = f"grade {grade['url']} {inert(grade['scenario'])}:"
    polls = f"{plural(grade['polls'], 'poll')}"
    if grade["ok"]:
        return f"{head} ok ({polls}, ended at poll {grade['ended_at']} with {grade['end']})"
    parts = [f"{f['id']} x{f['count']}" for f in grade["findings"]]
    if grade["stopped_before_end"]:
        parts.append("stopped before the end")
    return f"{head} FAIL {'; '.join(parts)} ({polls})"
