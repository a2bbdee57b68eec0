"""JUnit XML: one test case per job (class name: its input), failures carrying violations.

Every string from the input (file names, job keys, messages quoting statuses) goes through
:func:`~jobstate._words.inert` first: XML 1.0 cannot hold most control characters even escaped,
and lone surrogates from undecodable file names cannot be encoded at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree as ET

from jobstate._constants import FailOn
from jobstate._words import inert, plural
from jobstate.results import JobReport, Report, Violation

__all__ = ["junit_xml"]


class _Suite:
    """A ``testsuite`` element and its counts."""

    def __init__(self, name: str) -> None:
        self.element = ET.Element("testsuite", name=name)
        self.tests = self.failures = self.errors = 0

    def case(self, classname: str, name: str) -> ET.Element:
        self.tests += 1
        return ET.SubElement(self.element, "testcase", classname=classname, name=name)

    def finish(self) -> bytes:
        self.element.set("tests", str(self.tests))
        self.element.set("failures", str(self.failures))
        self.element.set("errors", str(self.errors))
        root = ET.Element("testsuites")
        root.append(self.element)
        ET.indent(root)
        data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        return data + b"\n"


def junit_xml(report: Report, *, fail_on: FailOn = "error", unusable: Sequence[str] = ()) -> bytes:
    """JUnit XML: one test case per job (class name: its input), failures carrying violations.

    Rejected units that reached no job and unusable inputs are test cases of their own.
    """
    suite = _Suite(f"jobstate ({report.spec}, {report.mode})")
    for msg in unusable:
        suite.errors += 1
        msg = inert(msg)
        tc = suite.case("jobstate", msg.split(":", 1)[0])
        ET.SubElement(tc, "error", message=msg).text = msg
    for summary in report.inputs:
        if summary.loose:
            suite.failures += 1
            tc = suite.case(inert(summary.name), "(records with no job)")
            lines = [
                f"{summary.unit} {line}: malformed-record: {inert(message)}"
                for line, message in summary.unattributed
            ]
            if summary.unattributed_not_kept:
                lines.append(f"... {summary.unattributed_not_kept:,} more counted, not kept")
            failure = ET.SubElement(
                tc, "failure", type="malformed-record", message=f"{summary.loose} rejected"
            )
            failure.text = "\n".join(lines)
    for job in report.jobs:
        _job_case(suite, job, fail_on)
        if job.client_findings:
            _client_case(suite, job, fail_on)
    return suite.finish()


def _client_case(suite: _Suite, job: JobReport, fail_on: FailOn) -> None:
    """The client-behaviour findings of a job: a test case of their own (class ``client``)."""
    tc = suite.case(f"client: {inert(job.input or 'jobstate')}", inert(job.key))
    findings = job.client_findings
    text = "\n".join(
        f"{f'poll {f.first_poll}' if f.first_poll else 'no poll'}: {f.severity} {f.id}:"
        f" {inert(f.message)}"
        for f in findings
    )
    counted = [f for f in findings if fail_on == "warning" or f.severity == "error"]
    if counted:
        suite.failures += 1
        ET.SubElement(
            tc, "failure", type=counted[0].id, message=inert(counted[0].message)
        ).text = text
    else:
        ET.SubElement(tc, "system-out").text = text


def _job_case(suite: _Suite, job: JobReport, fail_on: FailOn) -> None:
    tc = suite.case(inert(job.input or "jobstate"), inert(job.key))
    if job.timing is not None:  # the job's own time, and its time facts as properties
        from jobstate.validation.timing import clock

        t = job.timing
        tc.set("time", f"{t.duration:.3f}")
        props = ET.SubElement(tc, "properties")
        for name, value in (
            ("first_poll", clock(t.first)),
            ("last_poll", clock(t.last)),
            ("unfinished", str(t.unfinished).lower()),
            ("last_status", t.last_status),
            ("last_progress", t.last_progress),
            ("unchanged_seconds", t.unchanged_for),
            ("stalls", len(t.stalls) + t.stalls_omitted),
        ):
            if value is not None:
                ET.SubElement(props, "property", name=name, value=inert(str(value)))
    if job.errors or (fail_on == "warning" and job.warnings):
        suite.failures += 1
        counted = [v for v in job.violations if fail_on == "warning" or v.severity == "error"]
        first_rule, first_message = (
            (counted[0].rule, inert(counted[0].message))
            if counted
            else (next(iter(job.not_kept), "malformed-record"), "violations counted, not kept")
        )
        ET.SubElement(
            tc,
            "failure",
            type=first_rule,
            message=f"{plural(job.errors, 'error')}, {plural(job.warnings, 'warning')}: "
            f"{first_message}",
        ).text = _details(job)
    elif job.violations or job.omitted:
        ET.SubElement(tc, "system-out").text = _details(job)


def _details(job: JobReport) -> str:
    lines = [_plain(v) for v in job.violations]
    if job.omitted:
        counts = ", ".join(f"{rule} {n:,}" for rule, n in job.not_kept.items())
        lines.append(f"... {sum(job.omitted.values()):,} more counted, not kept ({counts})")
    return "\n".join(lines)


def _plain(v: Violation) -> str:
    where = f"line {v.line}" if v.line is not None else f"#{v.index}"
    http = f" [HTTP {v.http_status}]" if v.http_status is not None else ""
    return f"{where}: {v.severity} {v.rule}: {inert(v.message)}{http}"
