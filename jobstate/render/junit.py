"""JUnit XML: one test case per job (class name: its input), failures carrying violations."""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree as ET

from jobstate._constants import FailOn
from jobstate._words import plural
from jobstate.render.text import failed
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
        tc = suite.case("jobstate", msg.split(":", 1)[0])
        ET.SubElement(tc, "error", message=msg).text = msg
    for summary in report.inputs:
        loose = summary.unattributed
        if loose:
            suite.failures += 1
            tc = suite.case(summary.name, "(records with no job)")
            text = "\n".join(
                f"{summary.unit} {line}: malformed-record: {message}" for line, message in loose
            )
            failure = ET.SubElement(
                tc, "failure", type="malformed-record", message=f"{len(loose)} rejected"
            )
            failure.text = text
    for job in report.jobs:
        _job_case(suite, job, fail_on)
    return suite.finish()


def _job_case(suite: _Suite, job: JobReport, fail_on: FailOn) -> None:
    tc = suite.case(job.input or "jobstate", str(job.key))
    if failed(job, fail_on):
        suite.failures += 1
        counted = [v for v in job.violations if fail_on == "warning" or v.severity == "error"]
        first = counted[0]
        ET.SubElement(
            tc,
            "failure",
            type=first.rule,
            message=f"{plural(job.errors, 'error')}, {plural(job.warnings, 'warning')}: "
            f"{first.message}",
        ).text = "\n".join(_plain(v) for v in job.violations)
    elif job.violations:
        ET.SubElement(tc, "system-out").text = "\n".join(_plain(v) for v in job.violations)


def _plain(v: Violation) -> str:
    where = f"line {v.line}" if v.line is not None else f"#{v.index}"
    http = f" [HTTP {v.http_status}]" if v.http_status is not None else ""
    return f"{where}: {v.severity} {v.rule}: {v.message}{http}"
