"""The rule table in a spec's own words. :data:`~jobstate.validation.rules.RULES` says each
rule for any spec; under a spec, what the status and progress rules check is said with its
status field, its progress field and range and its reset states, the rules it cannot break (no
progress field) say so, ``unknown-status`` has the severity of its unknown-value policy, and
the spec's own words (``[rules.ID]`` of its file: the Graph pack's cite its sources) replace a
summary or rationale. The client-behaviour findings take the spec's words the same way."""

from __future__ import annotations

from dataclasses import replace

from jobstate.spec import Spec
from jobstate.validation.behaviour import BEHAVIOURS, BehaviourRule
from jobstate.validation.rules import RULES, Rule, severities

__all__ = ["behaviours_for", "rules_for"]


def rules_for(spec: Spec) -> list[Rule]:
    """Every rule as it reads under ``spec``, in the table's order.

    >>> from jobstate.spec.loading import load_spec
    >>> ipp = load_spec("examples/specs/ipp-print-job.toml")
    >>> for r in rules_for(ipp)[3:6]:
    ...     print(r.summary)
    a record without a 'job-state', or whose 'job-state' is not a string
    a record that is not a JSON object
    never: spec ipp-print-job has no progress field
    """
    severity = severities(spec)
    out = []
    for r in RULES.values():
        rule = _own(replace(r, severity=severity[r.id]), spec)
        summary, rationale = _said(spec, rule.id, rule.summary, rule.rationale)
        out.append(replace(rule, summary=summary, rationale=rationale))
    return out


def behaviours_for(spec: Spec) -> list[BehaviourRule]:
    """Every client-behaviour finding id as it reads under ``spec`` (its rationale, where the
    spec says one)."""
    out = []
    for b in BEHAVIOURS.values():
        description, rationale = _said(spec, b.id, b.description, b.rationale)
        out.append(replace(b, description=description, rationale=rationale))
    return out


def _own(rule: Rule, spec: Spec) -> Rule:
    if rule.own is None:
        return rule
    p = spec.progress
    if rule.progress and p is None:
        return replace(rule, summary=f"never: spec {spec.name} has no progress field")
    words = {"status": spec.status_field}
    if p is not None:
        resets = " or ".join(f"'{s}'" for s in spec.names if s in spec.resets) or "reset"
        words |= {"progress": p.field, "range": p.range_text(), "resets": resets}
        words["top"] = f"{p.high:g}"
    return replace(rule, summary=rule.own.format(**words))


def _said(spec: Spec, rid: str, summary: str, rationale: str) -> tuple[str, str]:
    """A rule's or finding's summary and rationale, each the spec's own where it says one."""
    said = spec.texts.get(rid, {})
    return said.get("summary", summary), said.get("rationale", rationale)
