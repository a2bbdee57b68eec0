"""Hints for a value Microsoft Graph's vocabularies do not know: the other revision's value
(``--spec legacy``), a value of another case, or a neighbouring vocabulary's word (Graph's
``longRunningOperation``, Azure's long-running operations, the evolvable-enum sentinel).

>>> hint_for("updating", get_spec("current"))
"'updating' belongs to the legacy vocabulary: try --spec legacy or --spec any"
"""

from __future__ import annotations

from jobstate._constants import SPEC_NAMES
from jobstate.spec.builtin import get_spec
from jobstate.spec.model import Spec

__all__ = ["hint_for"]

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


def hint_for(status: str, spec: Spec) -> str | None:
    """A hint for ``status``, unknown to the built-in ``spec``, or ``None``."""
    low = status.lower()
    return _revision_hint(status, spec) or _other_case(low, spec) or _neighbour_hint(low, spec)
