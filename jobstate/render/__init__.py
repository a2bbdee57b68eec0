"""⑤ Renderers: results as text for people, JUnit XML for CI systems, JSON for programs.

Each function takes library objects and returns ``str``/``bytes`` or lines; none prints, so each
is testable without a subprocess. ``fail_on`` decides which severity fails a job.
"""

from __future__ import annotations

from jobstate.render.json import client_payload, matrix_payload, report_payload, rules_payload
from jobstate.render.junit import junit_xml
from jobstate.render.text import (
    client_lines,
    failed,
    grade_line,
    matrix_markdown,
    matrix_table,
    protocol_lines,
    rule_lines,
    spec_lines,
    text_lines,
    totals_line,
)

__all__ = [
    "client_lines",
    "client_payload",
    "failed",
    "grade_line",
    "junit_xml",
    "matrix_markdown",
    "matrix_payload",
    "matrix_table",
    "protocol_lines",
    "report_payload",
    "rule_lines",
    "rules_payload",
    "spec_lines",
    "text_lines",
    "totals_line",
]
