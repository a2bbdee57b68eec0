"""The rule table in a spec's own words: :data:`~jobstate.validation.rules.RULES` describe
the built-in specs' bodies (their rationales cite the Graph pack's sources); for any other spec,
what the status and progress rules check is said with its status field, its progress field and
range and its reset states, and the rules it cannot break (no progress field) say so."""

from __future__ import annotations

from dataclasses import replace

from jobstate.spec import Spec
from jobstate.spec.builtin import is_builtin
from jobstate.validation.rules import RULES, Rule

__all__ = ["rules_for"]

_OWN = "the spec's body shape ([body] of its file)"


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
    if is_builtin(spec):
        return list(RULES.values())
    return [_own(rule, spec) for rule in RULES.values()]


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
    return replace(rule, summary=rule.own.format(**words), rationale=_OWN)
