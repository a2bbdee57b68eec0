"""Hints for a value Microsoft Graph's vocabularies do not know: the other revision's value
(``--spec legacy``), a value of another case, or a neighbouring vocabulary's word (Graph's
``longRunningOperation``, Azure's long-running operations, the evolvable-enum sentinel).

They are tables, not code, so that the generated SQL says them as the Python engine does
(:class:`jobstate.validation.hints.Hints`): by the exact value, else by its lowercase.

>>> exact, lowered = hint_tables(get_spec("current"))
>>> exact["updating"]
"'updating' belongs to the legacy vocabulary: try --spec legacy or --spec any"
>>> lowered["running"]
"this looks like Graph longRunningOperation / Azure LRO 'running': asyncJobStatus says 'inProgress'"
"""

from __future__ import annotations

from jobstate._constants import SPEC_NAMES
from jobstate.spec.builtin import get_spec
from jobstate.spec.model import Spec

__all__ = ["hint_tables"]

# Neighbouring vocabularies (sources: graph-lro, azure-lro, evolvable-enums).
_NEIGHBOURS: dict[str, tuple[str | None, str]] = {
    "running": ("inProgress", "Graph longRunningOperation / Azure LRO 'running'"),
    "succeeded": ("completed", "Graph longRunningOperation / Azure LRO 'succeeded'"),
    "canceled": ("cancelled", "Azure LRO 'Canceled' (one l)"),
    "unknownfuturevalue": (None, "Graph's evolvable-enum sentinel 'unknownFutureValue'"),
}


def _revision_hint(value: str, spec: Spec) -> str:
    others = [n for n in SPEC_NAMES if n != spec.name and value in get_spec(n)]
    if not others:
        return ""
    return f"'{value}' belongs to the {others[0]} vocabulary: try " + " or ".join(
        f"--spec {n}" for n in others
    )


def _other_case(low: str, spec: Spec) -> str | None:
    for other in SPEC_NAMES:
        for name in get_spec(other).names:
            if name.lower() == low:
                return f"did you mean '{name}'? {_revision_hint(name, spec)}"
    return None


def _neighbour_hint(low: str, spec: Spec) -> str | None:
    if low not in _NEIGHBOURS:
        return None
    ours, where = _NEIGHBOURS[low]
    if ours is None:
        return f"this is {where}, not an asyncJobStatus value"
    msg = f"this looks like {where}: asyncJobStatus says '{ours}'"
    if ours not in spec:
        msg += f" ({_revision_hint(ours, spec)})"
    return msg


def hint_tables(spec: Spec) -> tuple[dict[str, str], dict[str, str]]:
    """The hints for values the built-in ``spec`` does not know: by the exact value (a value
    of another revision), then by its lowercase (another case of one, a neighbour's word)."""
    words = {n for other in SPEC_NAMES for n in get_spec(other).names}
    exact = {w: h for w in sorted(words) if w not in spec and (h := _revision_hint(w, spec))}
    lowered: dict[str, str] = {}
    for low in sorted({w.lower() for w in words} | set(_NEIGHBOURS)):
        hint = _other_case(low, spec) or _neighbour_hint(low, spec)
        if hint:
            lowered[low] = hint
    return exact, lowered
