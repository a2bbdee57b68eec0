"""⑤ Renderers: results as text for people, JUnit XML for CI systems, JSON for programs.

Each function takes library objects and returns ``str``/``bytes`` or lines; none prints, so each
is testable without a subprocess. ``fail_on`` decides which severity fails a job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # each renderer loads when first used: the XML one costs start-up time
    from jobstate.render.html import conform_html, report_html
    from jobstate.render.json import (
        behaviours_payload,
        client_payload,
        matrix_payload,
        report_json,
        report_jsonl,
        report_payload,
        rules_payload,
    )
    from jobstate.render.junit import junit_xml
    from jobstate.render.listings import (
        behaviour_lines,
        client_lines,
        grade_line,
        matrix_markdown,
        matrix_table,
        protocol_lines,
        rule_lines,
        spec_lines,
    )
    from jobstate.render.text import fails_at, text_lines, totals_line

_LAZY: dict[str, str] = {
    "behaviour_lines": "jobstate.render.listings",
    "behaviours_payload": "jobstate.render.json",
    "client_lines": "jobstate.render.listings",
    "client_payload": "jobstate.render.json",
    "conform_html": "jobstate.render.html",
    "fails_at": "jobstate.render.text",
    "grade_line": "jobstate.render.listings",
    "junit_xml": "jobstate.render.junit",
    "matrix_markdown": "jobstate.render.listings",
    "matrix_payload": "jobstate.render.json",
    "matrix_table": "jobstate.render.listings",
    "protocol_lines": "jobstate.render.listings",
    "report_html": "jobstate.render.html",
    "report_json": "jobstate.render.json",
    "report_jsonl": "jobstate.render.json",
    "report_payload": "jobstate.render.json",
    "rule_lines": "jobstate.render.listings",
    "rules_payload": "jobstate.render.json",
    "spec_lines": "jobstate.render.listings",
    "text_lines": "jobstate.render.text",
    "totals_line": "jobstate.render.text",
}


def __getattr__(name: str) -> Any:
    """A renderer, imported from its module on first use."""
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'jobstate.render' has no attribute {name!r}")


__all__ = [
    "behaviour_lines",
    "behaviours_payload",
    "client_lines",
    "client_payload",
    "conform_html",
    "fails_at",
    "grade_line",
    "junit_xml",
    "matrix_markdown",
    "matrix_payload",
    "matrix_table",
    "protocol_lines",
    "report_html",
    "report_json",
    "report_jsonl",
    "report_payload",
    "rule_lines",
    "rules_payload",
    "spec_lines",
    "text_lines",
    "totals_line",
]
