"""The HTML report: one self-contained page (inline CSS, JavaScript and SVG; nothing fetched
from a network, so it opens from disk and can be shared as a file) that people look at instead
of reading the text report.

The page holds the report's data as one JSON document, which its script draws: a summary (jobs
by outcome, findings by rule, the client's apart, duration percentiles), a table of jobs worst
first (filterable by outcome, rule and text, sortable), and per job a timeline of its polls
(status bands, the percentage, HTTP statuses, a marker where each violation, client finding and
stall sits) with its polls on demand; the observed-overlay diagram of the spec sits inline.

Bounded for big inputs: the first :data:`FULL_JOBS` flagged jobs (worst first) are written in
full, the next up to :data:`LISTED_JOBS` as table rows without their polls, the rest counted;
the clean jobs are counted by outcome, never listed. Every string from the input reaches the
page inside the JSON document (``<``, ``>`` and ``&`` escaped, so it cannot end the script) and
is put on the page as text by the script, never as markup.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

from jobstate._constants import FailOn
from jobstate._json import dumps
from jobstate.results import JobReport, Report, Step
from jobstate.spec import Spec

if TYPE_CHECKING:
    from jobstate.conform import Case

__all__ = [
    "FULL_JOBS",
    "LISTED_JOBS",
    "MAX_STEPS",
    "conform_html",
    "page",
    "report_html",
    "report_page_data",
]

FULL_JOBS = 2_000
"""Flagged jobs written with their polls and timeline, worst first."""
LISTED_JOBS = 20_000
"""Flagged jobs listed in the table in all (those past :data:`FULL_JOBS` without polls)."""
MAX_STEPS = 2_000
"""Polls of one job drawn on its timeline; a longer job shows its first ones and says so."""
_SCRIPT_UNSAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def _asset(name: str) -> str:
    return (resources.files("jobstate.render") / "assets" / name).read_text(encoding="utf-8")


def embed(data: Any) -> str:
    """``data`` as JSON text that is inert inside a ``<script>`` element (no ``</script>``,
    no ``<!--``: ``<``, ``>`` and ``&`` are written as JSON escapes), line separators too."""
    text = dumps(data).decode("utf-8").translate(_SCRIPT_UNSAFE)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def page(title: str, kind: str, data: Any, extra: str = "") -> str:
    """A whole page: the shared style, ``data`` embedded, the script that draws ``kind``
    (``report`` or ``conform``), and ``extra`` markup (trusted: made here, like the diagram)."""
    return "".join(
        [
            "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n",
            "<meta name='viewport' content='width=device-width, initial-scale=1'>\n",
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none';",
            " style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n",
            f"<title>{html.escape(title)}</title>\n<style>\n{_asset('report.css')}</style>\n",
            "</head>\n<body>\n<noscript>This report is drawn by its script: open it in a",
            " browser with JavaScript on.</noscript>\n",
            f"<main id='app' data-kind='{kind}'></main>\n{extra}",
            f"<script type='application/json' id='data'>{embed(data)}</script>\n",
            f"<script>\n{_asset('report.js')}</script>\n</body>\n</html>\n",
        ]
    )


def _step_rows(job: JobReport) -> list[list[Any]] | None:
    """Each poll as ``[status, kind, progress, time, http, line]`` (the status text: a value
    outside the spec as read); ``None`` when the run kept no steps for the job."""
    steps: Sequence[Step] | None = job.recorded_steps
    if steps is None:
        try:
            steps = job.steps
        except ValueError:
            return None
    return [
        [
            s.status if s.status is not None else s.unknown,
            s.kind,
            s.progress,
            s.time,
            s.http_status,
            s.line,
        ]
        for s in steps[:MAX_STEPS]
    ]


_LISTED = [
    "key",
    "input",
    "lines",
    "http_status",
    "ok",
    "outcome",
    "observations",
    "rejected",
    "errors",
    "warnings",
    "violations_not_kept",
]
"""What a job listed without its polls keeps of the JSON report's job."""
LISTED_VIOLATIONS = 3
"""Violations a job listed without its polls carries in full (the rest are counted)."""


def _job(job: JobReport, full: bool) -> dict[str, Any]:
    """A flagged job as the page holds it: the JSON report's job with its rules and, drawn
    in full, its polls; listed only, the fields the table and the job's findings show."""
    whole = job.to_dict()
    out = whole if full else {k: whole[k] for k in _LISTED}
    out["rules"] = sorted({v.rule for v in job.violations} | set(job.not_kept))
    out["client_rules"] = sorted({f.id for f in job.client_findings})
    if full:
        steps = _step_rows(job)
        out["steps"] = steps
        out["steps_total"] = len(job.recorded_steps or ()) if steps is not None else None
        return out
    out["violations"] = whole["violations"][:LISTED_VIOLATIONS]
    rest = Counter(v["rule"] for v in whole["violations"][LISTED_VIOLATIONS:])
    if rest:  # counted by rule with those the run did not keep
        out["violations_not_kept"] = dict(rest + Counter(whole["violations_not_kept"] or {}))
    client = whole["client"]
    out["client"] = None if client is None else {"findings": client["findings"]}
    timing = whole.get("timing")
    if timing is not None:
        out["timing"] = {"duration_seconds": timing["duration_seconds"], "stalls": timing["stalls"]}
    return out


def report_page_data(
    report: Report,
    spec: Spec,
    *,
    fail_on: FailOn,
    unusable: Sequence[str],
    diagram_note: str | None = None,
    full_jobs: int = FULL_JOBS,
    listed_jobs: int = LISTED_JOBS,
) -> dict[str, Any]:
    """What the page draws: the JSON report's totals and inputs, the flagged jobs (the first
    ``full_jobs`` with their polls, up to ``listed_jobs`` in all), the clean jobs counted, and
    the states of ``spec`` (the report's) with the outcome of each terminal one, for colours."""
    top = report.to_dict(jobs=False)
    jobs: list[dict[str, Any]] = []
    flagged_outcomes: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    client: Counter[str] = Counter()
    severity: dict[str, str] = {}
    flagged = 0
    for job in report.worst_first(flagged_only=True):
        flagged += 1
        flagged_outcomes[job.outcome] += 1
        for v in job.violations:
            rules[v.rule] += 1
            severity[v.rule] = v.severity
        for (rule, sev), n in (job.omitted or {}).items():
            rules[rule] += n
            severity[rule] = sev
        for f in job.client_findings:
            client[f.id] += f.count
            severity[f.id] = f.severity
        if len(jobs) < listed_jobs:
            jobs.append(_job(job, full=len(jobs) < full_jobs))
    outcomes: Mapping[str, int] = top["totals"]["outcomes"]
    return {
        "spec": top["spec"],
        "states": [[s, spec.outcome(s) if s in spec.terminal else None] for s in spec.names],
        "mode": top["mode"],
        "ok": top["ok"],
        "fail_on": fail_on,
        "unusable": list(unusable),
        "totals": top["totals"],
        "inputs": top["inputs"],
        "rules": [[r, severity[r], n] for r, n in rules.most_common()],
        "client_rules": [[r, severity[r], n] for r, n in client.most_common()],
        "flagged": flagged,
        "jobs": jobs,
        "full_jobs": min(full_jobs, len(jobs)),
        "clean": {
            o: n - flagged_outcomes[o] for o, n in outcomes.items() if n - flagged_outcomes[o]
        },
        "diagram_note": diagram_note,
    }


def report_html(
    report: Report,
    spec: Spec,
    *,
    fail_on: FailOn,
    unusable: Sequence[str],
    diagram_svg: str | None = None,
    diagram_note: str | None = None,
    full_jobs: int = FULL_JOBS,
    listed_jobs: int = LISTED_JOBS,
) -> str:
    """The HTML report of ``report``: one self-contained page. ``diagram_svg``: the observed
    overlay (made by Graphviz, trusted), shown inline; ``diagram_note`` says why there is none."""
    data = report_page_data(
        report,
        spec,
        fail_on=fail_on,
        unusable=unusable,
        diagram_note=diagram_note,
        full_jobs=full_jobs,
        listed_jobs=listed_jobs,
    )
    names = ", ".join(i["name"] for i in data["inputs"]) or "no input"
    extra = ""
    if diagram_svg is not None:
        start = diagram_svg.find("<svg")
        extra = f"<template id='diagram'>{diagram_svg[max(start, 0) :]}</template>\n"
    return page(f"jobstate check: {names}", "report", data, extra)


def _exchanges(url: str | None, entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The recorded requests of monitor ``url`` (a HAR's entries), as the page lists them."""
    out = []
    for e in entries:
        request, response = e["request"], e["response"]
        if url is None or request["url"].split("?", 1)[0] != url:
            continue
        out.append(
            {
                "request": f"{request['method']} {request['url']}",
                "status": response["status"],
                "location": response.get("redirectURL") or None,
                "body": response["content"].get("text", ""),
            }
        )
    return out[:MAX_STEPS]


def conform_html(
    cases: Sequence[Case], command: Sequence[str], entries: Sequence[Mapping[str, Any]] = ()
) -> str:
    """The conformance table of a client as one self-contained page: scenario, truth,
    conclusion, traffic findings and verdict, with each failing case's exchanges (from the
    server's recording, ``entries``) and the tail of the client's standard error."""
    data = {
        "ok": all(c.ok for c in cases),
        "command": list(command),
        "cases": [{**c.to_dict(), "exchanges": _exchanges(c.url, entries)} for c in cases],
    }
    return page(f"jobstate conform: {' '.join(command)}"[:200], "conform", data)
