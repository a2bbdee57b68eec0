"""The built-in specs as data: ``current``, ``legacy`` and ``any`` (their union).

This is the file a domain reviewer reads. Quotes in ``doc`` rationales are the documented meanings
of the 2021 revision; the legacy vocabulary lists its values with no meanings. Citations name
entries of ``docs/sources.md``.

>>> spec = get_spec("current")
>>> sorted(spec.terminal)
['cancelled', 'completed', 'failed']
>>> spec.shortest_path("notStarted", "completed")
('notStarted', 'inProgress', 'completed')
"""

from __future__ import annotations

from collections.abc import Sequence

from jobstate._constants import SPEC_NAMES
from jobstate.exceptions import SpecError
from jobstate.spec.model import Edge, Spec, State

__all__ = ["get_spec", "is_builtin"]

_STRENGTH = {"card": 0, "doc": 1, "inferred": 2}

_LEGACY_LIST = (
    "listed in the legacy enumeration 'notStarted | inProgress | completed | updating | failed |"
    " deletePending | deleteFailed | waiting' (sources: legacy-vocabulary), which documents no"
    " meanings"
)

_CURRENT_STATES = (
    State("notStarted", "initial", "doc", "'The work has been enqueued but not yet picked up.'"),
    State("inProgress", "active", "doc", "'The work is being actively processed.'"),
    State(
        "waiting",
        "active",
        "doc",
        "'The work was interrupted, but will be tried again.'"
        " (inferred: a retry may restart percentageComplete)",
        resets_progress=True,
    ),
    State(
        "cancelPending",
        "active",
        "doc",
        "'The work was cancelled, but processing has not yet aborted.'",
    ),
    State("completed", "terminal", "doc", "'The work has been completed.'", outcome="success"),
    State("failed", "terminal", "doc", "'The work failed.'", outcome="failure"),
    State("cancelled", "terminal", "doc", "'The work was cancelled.'", outcome="cancelled"),
)

_CURRENT_EDGES = (
    Edge("notStarted", "inProgress", "card", "design card: notStarted -> inProgress"),
    Edge("inProgress", "completed", "card", "design card: inProgress -> completed"),
    Edge(
        "inProgress",
        "waiting",
        "card",
        "design card: re-entry through waiting; 'The work was interrupted'",
    ),
    Edge(
        "waiting",
        "inProgress",
        "card",
        "design card: re-entry through waiting; 'will be tried again'",
    ),
    Edge("cancelPending", "cancelled", "card", "design card: cancelPending -> cancelled"),
    Edge("inProgress", "failed", "doc", "'The work failed.' (while it was being processed)"),
    Edge(
        "inProgress",
        "cancelPending",
        "doc",
        "'The work was cancelled, but processing has not yet aborted.'",
    ),
    Edge(
        "waiting",
        "cancelPending",
        "inferred",
        "a job waiting for its retry can be cancelled like a running one",
    ),
    Edge(
        "notStarted",
        "cancelPending",
        "inferred",
        "a queued job can be cancelled before it is picked up",
    ),
    Edge(
        "notStarted",
        "cancelled",
        "inferred",
        "nothing to abort before pick-up, so the cancel can take effect at once",
    ),
    Edge("waiting", "failed", "inferred", "the retry is abandoned"),
    Edge(
        "notStarted",
        "failed",
        "inferred",
        "rejected at pick-up; 'failed' at 0% was observed (sources: failed-at-zero)",
    ),
)

_LEGACY_STATES = (
    State("notStarted", "initial", "inferred", _LEGACY_LIST + "; initial by its name"),
    State("inProgress", "active", "inferred", _LEGACY_LIST + "; active by its name"),
    State(
        "waiting",
        "active",
        "inferred",
        _LEGACY_LIST + "; read as the current revision's 'interrupted, but will be tried again'",
        resets_progress=True,
    ),
    State(
        "updating",
        "active",
        "inferred",
        _LEGACY_LIST + "; read as a post-processing phase after the data is copied",
    ),
    State(
        "deletePending",
        "active",
        "inferred",
        _LEGACY_LIST + "; read as the job being removed or aborted. A successful delete makes"
        " the monitor disappear, so a trace may end here (outcome unfinished)",
    ),
    State(
        "completed",
        "terminal",
        "inferred",
        _LEGACY_LIST + "; success, as the current revision's 'The work has been completed.'",
        outcome="success",
    ),
    State(
        "failed",
        "terminal",
        "inferred",
        _LEGACY_LIST + "; failure, as the current revision's 'The work failed.'",
        outcome="failure",
    ),
    State(
        "deleteFailed",
        "terminal",
        "inferred",
        _LEGACY_LIST + "; the removal of the job failed: a failure with nothing left to do",
        outcome="failure",
    ),
)

_LEGACY_EDGES = (
    Edge("notStarted", "inProgress", "card", "design card: notStarted -> inProgress"),
    Edge("inProgress", "completed", "card", "design card: inProgress -> completed"),
    Edge("inProgress", "waiting", "card", "design card: re-entry through waiting"),
    Edge("waiting", "inProgress", "card", "design card: re-entry through waiting"),
    Edge(
        "inProgress",
        "failed",
        "inferred",
        "as in the current revision ('The work failed.'); the legacy pages document no meanings",
    ),
    Edge("waiting", "failed", "inferred", "the retry is abandoned"),
    Edge(
        "notStarted",
        "failed",
        "inferred",
        "rejected at pick-up; 'failed' at 0% was observed (sources: failed-at-zero)",
    ),
    Edge("inProgress", "updating", "inferred", "post-processing follows the copy itself"),
    Edge("updating", "completed", "inferred", "post-processing done"),
    Edge("updating", "failed", "inferred", "post-processing can fail"),
    Edge("notStarted", "deletePending", "inferred", "a queued job can be removed"),
    Edge("inProgress", "deletePending", "inferred", "a running job can be removed"),
    Edge("waiting", "deletePending", "inferred", "a waiting job can be removed"),
    Edge("updating", "deletePending", "inferred", "a post-processing job can be removed"),
    Edge("deletePending", "deleteFailed", "inferred", "the removal can fail"),
)


def _union(*specs: tuple[Sequence[State], Sequence[Edge]]) -> tuple[list[State], list[Edge]]:
    """States and edges of several specs together; a shared edge keeps its strongest provenance."""
    states: dict[str, State] = {}
    edges: dict[tuple[str, str], Edge] = {}
    for sts, eds in specs:
        for st in sts:
            states.setdefault(st.name, st)
        for e in eds:
            key = (e.source, e.dest)
            if key not in edges or _STRENGTH[e.provenance] < _STRENGTH[edges[key].provenance]:
                edges[key] = e
    return list(states.values()), list(edges.values())


_BUILTIN: dict[str, tuple[str, Sequence[State], Sequence[Edge]]] = {
    "current": (
        "the 7-value vocabulary with documented meanings (2021 on; sources: current-vocabulary)",
        _CURRENT_STATES,
        _CURRENT_EDGES,
    ),
    "legacy": (
        "the 8-value vocabulary of 2015-2021 (no meanings documented; sources: legacy-vocabulary)",
        _LEGACY_STATES,
        _LEGACY_EDGES,
    ),
    "any": (
        "the union of current and legacy, for traces whose revision is unknown",
        *_union((_CURRENT_STATES, _CURRENT_EDGES), (_LEGACY_STATES, _LEGACY_EDGES)),
    ),
}

assert tuple(_BUILTIN) == SPEC_NAMES  # the import-free constant names exactly these

_SPECS: dict[str, Spec] = {}


def get_spec(spec: str | Spec) -> Spec:
    """The built-in spec called ``spec`` (built once, then cached), or ``spec`` itself.

    >>> get_spec("legacy")
    <Spec 'legacy': 8 states, 15 edges>
    """
    if isinstance(spec, Spec):
        return spec
    try:
        return _SPECS[spec]
    except KeyError:
        pass
    if spec not in _BUILTIN:
        raise SpecError(f"unknown spec {spec!r}; built-in specs: {', '.join(SPEC_NAMES)}")
    description, states, edges = _BUILTIN[spec]
    built = _SPECS[spec] = Spec(spec, states, edges, description=description)
    return built


def is_builtin(spec: Spec) -> bool:
    """Whether ``spec`` is one of the built-in specs (not a user's spec of the same name): what
    only they have (the HTTP protocol, the hints, the client profiles) applies to it.

    >>> sp = get_spec("any")
    >>> is_builtin(sp), is_builtin(Spec("any", sp.states, sp.edges))
    (True, False)
    """
    return spec.name in _BUILTIN and get_spec(spec.name) is spec
