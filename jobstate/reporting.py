"""Rendering a :class:`~jobstate.validation.Report`: text for people, JUnit XML for CI systems.

(JSON is :meth:`Report.to_dict`.) ``fail_on`` decides which severity fails a job: ``error``
(the default) or ``warning``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Literal
from xml.etree import ElementTree as ET

from jobstate.validation import JobReport, Report, Step, Violation

__all__ = ["FailOn", "failed", "json_dict", "junit_xml", "text_lines", "totals_line"]

FailOn = Literal["error", "warning"]


def failed(job: JobReport, fail_on: FailOn = "error") -> bool:
    """Whether ``job`` fails at the ``fail_on`` severity."""
    return job.errors > 0 or (fail_on == "warning" and job.warnings > 0)


def _n(count: int, word: str) -> str:
    """``count`` and ``word``, plural when it should be (entry, entries)."""
    if count == 1:
        return f"{count:,} {word}"
    return f"{count:,} {word[:-1] + 'ies' if word.endswith('y') else word + 's'}"


def _where(job: JobReport, units: dict[str | None, str]) -> str:
    span = job.first_last
    unit = units.get(job.input, "line")
    place = f"{job.input}" if job.input and job.input != job.key else ""
    if span is not None:
        a, b = span
        place += (", " if place else "") + (
            f"{unit} {a}" if a == b else f"{_n(2, unit)[2:]} {a}-{b}"
        )
    return f" ({place})" if place else ""


def _summary(job: JobReport, units: dict[str | None, str], fail_on: FailOn, color: bool) -> str:
    import click

    verdict = "FAIL" if failed(job, fail_on) else ("WARN" if job.warnings else "OK")
    fg = {"FAIL": "red", "WARN": "yellow", "OK": "green"}[verdict]
    head = click.style(f"{verdict:<4}", fg=fg, bold=True) if color else f"{verdict:<4}"
    text = (
        f"{head} {job.key}{_where(job, units)}: outcome {job.outcome};"
        f" {_n(job.observations, 'observation')}"
        + (f", {job.rejected:,} rejected" if job.rejected else "")
        + f"; {_n(job.errors, 'error')}, {_n(job.warnings, 'warning')}"
    )
    if job.http_status:
        text += "; HTTP " + ", ".join(f"{c}x{n}" for c, n in sorted(job.http_status.items()))
    return text


def _violation(v: Violation, unit: str, color: bool) -> str:
    import click

    where = f"{unit} {v.line}" if v.line is not None else f"#{v.index}"
    sev = f"{v.severity:<7}"
    if color:
        sev = click.style(sev, fg="red" if v.severity == "error" else "yellow")
    http = f" [HTTP {v.http_status}]" if v.http_status is not None else ""
    return f"  {where:>12}  {sev}  {v.rule:<21}  {v.message}{http}"


def _step(step: Step, unit: str, marks: Sequence[Violation]) -> str:
    where = f"{unit} {step.line}" if step.line is not None else f"#{step.index}"
    status = step.status if step.status is not None else repr(step.unknown or "?")
    if step.kind == "start":
        what = f"start at {status}"
        if step.path:
            what += f" (unseen before it: {' -> '.join(step.path[:-1])})"
    elif step.kind == "gap":
        what = f"{step.source} -> {status}, gap via {' -> '.join(step.path)}"
    elif step.kind == "rejected":
        what = f"{status if step.unknown else 'no usable status'}"
    else:
        what = f"{step.source} -> {status}" if step.kind != "stutter" else status
    http = f" [HTTP {step.http_status}]" if step.http_status is not None else ""
    text = f"  {where:>12}  {step.kind:<14}  {what}{http}"
    for v in marks:
        text += f"\n  {'':>12}  {'':<14}  ^ {v.severity} {v.rule}: {v.message}"
    return text


def text_lines(
    report: Report,
    *,
    color: bool = False,
    explain: bool = False,
    max_violations: int | None = None,
    fail_on: FailOn = "error",
) -> Iterator[str]:
    """The text report: input notes, then jobs worst first, then the totals line."""
    units: dict[str | None, str] = {i["name"]: i["unit"] for i in report.inputs}
    shown = 0
    hidden = 0
    for acc in report.inputs:
        unit = acc["unit"]
        notes = [*acc.get("notes", ())]
        if acc.get("skipped"):
            notes.append(
                f"{_n(acc['skipped'], unit)} skipped: "
                + "; ".join(f"{n:,} {why}" for why, n in acc["skip_reasons"].items())
            )
        for note in notes:
            yield f"note {acc['name']}: {note}"
        loose = acc.get("unattributed", ())
        if loose:
            yield (
                f"FAIL {acc['name']}: {_n(len(loose), unit)} rejected before reaching a job"
                f" ({_n(len(loose), 'error')})"
            )
            for item in loose:
                if max_violations is not None and shown >= max_violations:
                    hidden += 1
                    continue
                shown += 1
                v = Violation(item["rule"], "error", -1, item["line"], item["message"])
                yield _violation(v, unit, color)

    order = sorted(
        range(len(report.jobs)),
        key=lambda i: (-report.jobs[i].errors, -report.jobs[i].warnings, i),
    )
    for i in order:
        job = report.jobs[i]
        unit = units.get(job.input, "line")
        yield _summary(job, units, fail_on, color)
        if explain and job._steps is not None:
            marks: dict[int, list[Violation]] = {}
            for v in job.violations:
                marks.setdefault(v.index, []).append(v)
            for step in job.steps:
                yield _step(step, unit, marks.get(step.index, ()))
            continue
        for v in job.violations:
            if max_violations is not None and shown >= max_violations:
                hidden += 1
                continue
            shown += 1
            yield _violation(v, unit, color)
    if hidden:
        yield f"... {_n(hidden, 'more violation')} not shown (--max-violations {max_violations})"
    yield totals_line(report, fail_on)


def totals_line(report: Report, fail_on: FailOn = "error") -> str:
    """One line: jobs by outcome, errors, warnings, and how every input unit was accounted for."""
    t = report.totals
    outcomes = ", ".join(f"{n:,} {o}" for o, n in t["outcomes"].items() if n)
    if fail_on == "warning":
        bad, what = sum(1 for j in report.jobs if failed(j, fail_on)), "with findings"
    else:
        bad, what = t["jobs_with_errors"], "with errors"
    line = (
        f"{_n(t['jobs'], 'job')} ({t['jobs'] - bad:,} ok, {bad:,} {what};"
        f" {outcomes or 'no outcome'});"
        f" {_n(t['errors'], 'error')}, {_n(t['warnings'], 'warning')}"
    )
    if "read" in t:
        units = {i["unit"] for i in report.inputs}
        unit = units.pop() if len(units) == 1 else "record"
        line += (
            f"; {_n(t['read'], unit)} read = {_n(t['observations'], 'observation')}"
            f" + {t['rejected']:,} rejected + {t['blank']:,} blank"
        )
        if t.get("skipped"):
            line += f" + {t['skipped']:,} skipped"
    return f"{line}; spec {report.spec}, mode {report.mode}"


def junit_xml(
    report: Report,
    *,
    fail_on: FailOn = "error",
    unusable: Sequence[str] = (),
) -> bytes:
    """JUnit XML: one test case per job (class name: its input), failures carrying violations.

    Rejected lines that reached no job and unusable inputs are test cases of their own.
    """
    suite = ET.Element("testsuite", name=f"jobstate ({report.spec}, {report.mode})")
    failures = errors = tests = 0

    def case(classname: str, name: str) -> ET.Element:
        nonlocal tests
        tests += 1
        return ET.SubElement(suite, "testcase", classname=classname, name=name)

    for msg in unusable:
        errors += 1
        ET.SubElement(case("jobstate", msg.split(":", 1)[0]), "error", message=msg).text = msg
    for acc in report.inputs:
        loose = acc.get("unattributed", ())
        if loose:
            failures += 1
            tc = case(acc["name"], "(records with no job)")
            text = "\n".join(
                f"{acc['unit']} {x['line']}: {x['rule']}: {x['message']}" for x in loose
            )
            ET.SubElement(
                tc, "failure", type="malformed-record", message=f"{len(loose)} rejected"
            ).text = text
    for job in report.jobs:
        tc = case(job.input or "jobstate", str(job.key))
        if failed(job, fail_on):
            failures += 1
            counted = [v for v in job.violations if fail_on == "warning" or v.severity == "error"]
            first = counted[0]
            ET.SubElement(
                tc,
                "failure",
                type=first.rule,
                message=f"{_n(job.errors, 'error')}, {_n(job.warnings, 'warning')}: "
                f"{first.message}",
            ).text = "\n".join(_plain(v) for v in job.violations)
        elif job.violations:
            ET.SubElement(tc, "system-out").text = "\n".join(_plain(v) for v in job.violations)
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def _plain(v: Violation) -> str:
    where = f"line {v.line}" if v.line is not None else f"#{v.index}"
    http = f" [HTTP {v.http_status}]" if v.http_status is not None else ""
    return f"{where}: {v.severity} {v.rule}: {v.message}{http}"


def json_dict(report: Report, *, fail_on: FailOn, unusable: Sequence[str]) -> dict[str, Any]:
    """The JSON report: :meth:`Report.to_dict` with ``fail_on`` and the ``unusable`` inputs."""
    out = report.to_dict()
    out["fail_on"] = fail_on
    out["unusable"] = list(unusable)
    return out
