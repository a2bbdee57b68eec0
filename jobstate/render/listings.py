"""Listings of what jobstate knows, as text: a spec, the rules, the monitor's protocol, a
client's findings and the real clients' matrix, and the emulator's grades."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from jobstate._words import inert, plural

if TYPE_CHECKING:
    from jobstate.clients import ClientModel, Finding
    from jobstate.spec import Spec
    from jobstate.validation.behaviour import BehaviourRule
    from jobstate.validation.rules import Rule

__all__ = [
    "behaviour_lines",
    "client_lines",
    "grade_line",
    "matrix_markdown",
    "matrix_table",
    "protocol_lines",
    "rule_lines",
    "spec_lines",
]


def spec_lines(spec: Spec) -> Iterator[str]:
    """A spec: its states with class, outcome and provenance, then its edges."""
    data = spec.to_dict()
    yield f"spec {spec.name}: {spec.description}"
    yield f"initial: {data['initial']}; terminal: {', '.join(data['terminal'])}"
    p = spec.progress
    progress = f"'{p.field}', {p.range_text()}" if p is not None else "none"
    yield f"body: status '{spec.status_field}'; progress {progress}"
    u = spec.unknown
    does = "polls on" if u.client == "poll" else "gives the job up (failure)"
    yield f"unknown values: {u.severity}; stand-in {u.value!r}; a client {does}"
    yield ""
    yield "states:"
    name_w = max(14, *(len(n) for n in spec.names))
    kind_w = max(9, *(len(k) + 1 for k, _ in spec.provenances))
    for st in data["states"]:
        cls = st["class"] + (f" ({st['outcome']})" if st["outcome"] else "")
        yield f"  {st['name']:<{name_w}} {cls:<22} {st['provenance']:<{kind_w}} {st['rationale']}"
    yield ""
    yield "edges:"
    arrows = [f"{e['source']} -> {e['dest']}" for e in data["edges"]]
    arrow_w = max(30, *(len(a) for a in arrows)) if arrows else 30
    for arrow, e in zip(arrows, data["edges"], strict=True):
        yield f"  {arrow:<{arrow_w}} {e['provenance']:<{kind_w}} {e['rationale']}"


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


def behaviour_lines(rules: Iterable[BehaviourRule]) -> Iterator[str]:
    """One line per client-behaviour finding id: id, severity, provenance, what it says."""
    for r in rules:
        yield f"{r.id:<22} {r.severity:<8} {r.provenance:<9} {r.description}"


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
        what = f.status
        if f.exchanges:  # an answer: its HTTP status, and its status value where it ends there
            last = f.exchanges[-1]
            body = last.get("body") or {}
            what = f"HTTP {last['http']}" + (
                f" {body['status']}" if f.id == "stops-early" and "status" in body else ""
            )
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
    from jobstate.packs.graph.protocol import DEVIATIONS, DIALECTS

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
