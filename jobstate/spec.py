"""The lifecycle specification: states and edges as data, turned into a ``transitions`` machine.

A :class:`Spec` is built from plain data (:class:`State` and :class:`Edge` records, each with its
provenance), checked, and turned into a :class:`transitions.Machine`. Every graph fact the rest of
jobstate uses (successors, reachability, shortest paths, the terminal set) is read back from that
machine, never typed in a second time.

Provenance, as in the project's design rules:

- ``card``: an edge fixed by the project's design card;
- ``doc``: follows from a documented meaning (the rationale quotes it);
- ``inferred``: our own reading, with a one-line rationale.

Facts are cited from ``shared/reference/asyncjobstatus-facts.md`` (below: *facts*), whose §1 holds
the two documented vocabularies.

>>> spec = get_spec("current")
>>> sorted(spec.terminal)
['cancelled', 'completed', 'failed']
>>> spec.shortest_path("notStarted", "completed")
('notStarted', 'inProgress', 'completed')
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from transitions import Machine

__all__ = [
    "SPEC_NAMES",
    "Edge",
    "Outcome",
    "Provenance",
    "Spec",
    "SpecError",
    "State",
    "StateClass",
    "get_spec",
]

Provenance = Literal["card", "doc", "inferred"]
StateClass = Literal["initial", "active", "terminal"]
Outcome = Literal["success", "failure", "cancelled", "unfinished"]

_PROVENANCES: frozenset[str] = frozenset(get_args(Provenance))
_CLASSES: frozenset[str] = frozenset(get_args(StateClass))
_TERMINAL_OUTCOMES: frozenset[str] = frozenset({"success", "failure", "cancelled"})
_STRENGTH = {"card": 0, "doc": 1, "inferred": 2}


class SpecError(ValueError):
    """A specification that cannot describe a lifecycle (unknown state, dead end, ...)."""


@dataclass(frozen=True)
class State:
    """One status value of the vocabulary.

    ``outcome`` is set for terminal states only. ``resets_progress`` marks a state after which
    ``percentageComplete`` may start again lower (the baseline of ``percentage-regression``).
    """

    name: str
    cls: StateClass
    provenance: Provenance
    rationale: str
    outcome: Outcome | None = None
    resets_progress: bool = False


@dataclass(frozen=True)
class Edge:
    """One step the service can take between two consecutive internal states."""

    source: str
    dest: str
    provenance: Provenance
    rationale: str


class Spec:
    """A checked lifecycle specification and the ``transitions`` machine built from it.

    Raises :class:`SpecError` for an edge naming an unknown state, an edge out of a terminal
    state, a state unreachable from the initial one, or a non-terminal state from which no
    terminal state can be reached.
    """

    def __init__(
        self,
        name: str,
        states: Iterable[State],
        edges: Iterable[Edge],
        *,
        description: str = "",
    ) -> None:
        self.name = name
        self.description = description
        self.states: tuple[State, ...] = tuple(states)
        self.edges: tuple[Edge, ...] = tuple(edges)
        self._by_name: dict[str, State] = {}
        self._check_data()
        self.machine: Machine = self._build_machine()
        self._derive()
        self._check_graph()
        self._cache: dict[str, Any] = {}

    # -- construction -------------------------------------------------------------------------

    def _check_data(self) -> None:
        name = self.name
        if not self.states:
            raise SpecError(f"spec {name!r}: no states")
        for st in self.states:
            if not isinstance(st.name, str) or not st.name:
                raise SpecError(f"spec {name!r}: a state name must be a non-empty string")
            if st.name in self._by_name:
                raise SpecError(f"spec {name!r}: state {st.name!r} is defined twice")
            if st.cls not in _CLASSES:
                raise SpecError(
                    f"spec {name!r}: state {st.name!r} has class {st.cls!r};"
                    f" expected one of {sorted(_CLASSES)}"
                )
            if st.provenance not in _PROVENANCES:
                raise SpecError(
                    f"spec {name!r}: state {st.name!r} has provenance {st.provenance!r};"
                    f" expected one of {sorted(_PROVENANCES)}"
                )
            if st.cls == "terminal" and st.outcome not in _TERMINAL_OUTCOMES:
                raise SpecError(
                    f"spec {name!r}: terminal state {st.name!r} needs an outcome"
                    f" ({', '.join(sorted(_TERMINAL_OUTCOMES))})"
                )
            if st.cls != "terminal" and st.outcome is not None:
                raise SpecError(
                    f"spec {name!r}: state {st.name!r} is {st.cls}, so it has no outcome"
                )
            if not st.rationale.strip():
                raise SpecError(f"spec {name!r}: state {st.name!r} has no rationale")
            self._by_name[st.name] = st
        initials = [st.name for st in self.states if st.cls == "initial"]
        if len(initials) != 1:
            raise SpecError(
                f"spec {name!r}: exactly one initial state is needed, found {len(initials)}"
                + (f" ({', '.join(initials)})" if initials else "")
            )
        self.initial: str = initials[0]
        seen: set[tuple[str, str]] = set()
        for e in self.edges:
            for end in (e.source, e.dest):
                if end not in self._by_name:
                    raise SpecError(
                        f"spec {name!r}: edge {e.source} -> {e.dest} names unknown state {end!r}"
                    )
            if e.source == e.dest:
                raise SpecError(
                    f"spec {name!r}: self-loop {e.source} -> {e.dest}"
                    " (a repeated status is a stutter, never an edge)"
                )
            if (e.source, e.dest) in seen:
                raise SpecError(f"spec {name!r}: edge {e.source} -> {e.dest} is defined twice")
            if e.provenance not in _PROVENANCES:
                raise SpecError(
                    f"spec {name!r}: edge {e.source} -> {e.dest} has provenance"
                    f" {e.provenance!r}; expected one of {sorted(_PROVENANCES)}"
                )
            if not e.rationale.strip():
                raise SpecError(f"spec {name!r}: edge {e.source} -> {e.dest} has no rationale")
            seen.add((e.source, e.dest))

    def _build_machine(self) -> Machine:
        # One trigger per observed status: firing it moves the machine along the edge that
        # reaches that status, or raises MachineError when there is none. Seeing the current
        # status again (a stutter) is an internal transition (dest None): accepted, no move.
        return Machine(
            model=None,
            states=[{"name": st.name, "final": st.cls == "terminal"} for st in self.states],
            transitions=[
                *({"trigger": e.dest, "source": e.source, "dest": e.dest} for e in self.edges),
                *({"trigger": st.name, "source": st.name, "dest": None} for st in self.states),
            ],
            initial=self.initial,
            auto_transitions=False,
            ignore_invalid_triggers=False,
            name=self.name,
        )

    def _derive(self) -> None:
        """Read the graph facts back from the machine."""
        order = {st.name: i for i, st in enumerate(self.states)}
        succ: dict[str, list[str]] = {s: [] for s in self.machine.states}
        for t in self.machine.get_transitions():
            if t.dest is not None:
                succ[t.source].append(t.dest)
        self.successors: Mapping[str, tuple[str, ...]] = {
            s: tuple(sorted(set(ds), key=order.__getitem__)) for s, ds in succ.items()
        }
        self.terminal: frozenset[str] = frozenset(
            s for s, obj in self.machine.states.items() if obj.final
        )
        # where percentageComplete may start again (the percentage-regression baseline resets)
        self.resets: frozenset[str] = frozenset(st.name for st in self.states if st.resets_progress)
        self._paths: dict[str, dict[str, tuple[str, ...]]] = {
            s: self._bfs(s) for s in self.machine.states
        }

    def _bfs(self, start: str) -> dict[str, tuple[str, ...]]:
        """Shortest paths from ``start`` (ties broken by state order, so results are stable)."""
        paths: dict[str, tuple[str, ...]] = {start: (start,)}
        queue = deque([start])
        while queue:
            cur = queue.popleft()
            for nxt in self.successors[cur]:
                if nxt not in paths:
                    paths[nxt] = (*paths[cur], nxt)
                    queue.append(nxt)
        return paths

    def _check_graph(self) -> None:
        name = self.name
        for s in sorted(self.terminal):
            if self.successors[s]:
                raise SpecError(
                    f"spec {name!r}: edge out of terminal state {s!r}"
                    f" (to {', '.join(self.successors[s])})"
                )
        unreachable = [st.name for st in self.states if st.name not in self._paths[self.initial]]
        if unreachable:
            raise SpecError(
                f"spec {name!r}: unreachable from {self.initial!r}: {', '.join(unreachable)}"
            )
        for st in self.states:
            if st.name not in self.terminal and not self.terminal & self._paths[st.name].keys():
                raise SpecError(f"spec {name!r}: no terminal state is reachable from {st.name!r}")

    # -- derived facts --------------------------------------------------------------------------

    @property
    def names(self) -> tuple[str, ...]:
        """The status values, in spec order."""
        return tuple(st.name for st in self.states)

    def state(self, name: str) -> State:
        """The :class:`State` called ``name`` (``KeyError`` when there is none)."""
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._by_name

    def outcome(self, name: str) -> Outcome:
        """The outcome a job has once it is in ``name`` (``unfinished`` for non-terminal states)."""
        out = self._by_name[name].outcome
        return "unfinished" if out is None else out

    def reachable(self, source: str) -> frozenset[str]:
        """States reachable from ``source`` in one or more steps."""
        return frozenset(s for s, p in self._paths[source].items() if len(p) > 1)

    def shortest_path(self, source: str, dest: str) -> tuple[str, ...] | None:
        """The shortest step path from ``source`` to ``dest`` (both included), or ``None``."""
        return self._paths[source].get(dest)

    def edge(self, source: str, dest: str) -> Edge | None:
        """The :class:`Edge` from ``source`` to ``dest``, or ``None``."""
        for e in self.edges:
            if e.source == source and e.dest == dest:
                return e
        return None

    def to_dict(self) -> dict[str, Any]:
        """The spec as JSON-ready data (what ``jobstate spec --format json`` prints)."""
        return {
            "name": self.name,
            "description": self.description,
            "initial": self.initial,
            "terminal": sorted(self.terminal, key=self.names.index),
            "states": [
                {
                    "name": st.name,
                    "class": st.cls,
                    "outcome": st.outcome,
                    "resets_progress": st.resets_progress,
                    "provenance": st.provenance,
                    "rationale": st.rationale,
                }
                for st in self.states
            ],
            "edges": [
                {
                    "source": e.source,
                    "dest": e.dest,
                    "provenance": e.provenance,
                    "rationale": e.rationale,
                }
                for e in self.edges
            ],
        }

    def __repr__(self) -> str:
        return f"<Spec {self.name!r}: {len(self.states)} states, {len(self.edges)} edges>"


# ---------------------------------------------------------------------------------------------
# The built-in specs. Quotes are from seed 004 (facts §1, revision "current"); the legacy
# vocabulary is seeds 000-003, which list the values and document no meanings.
# ---------------------------------------------------------------------------------------------

_LEGACY_LIST = (
    "listed in the legacy enumeration 'notStarted | inProgress | completed | updating | failed |"
    " deletePending | deleteFailed | waiting' (seeds 000-003), which documents no meanings"
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
        "rejected at pick-up; 'failed' at 0% was observed (facts §2, onedrive-api-docs#666)",
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
        "rejected at pick-up; 'failed' at 0% was observed (facts §2, onedrive-api-docs#666)",
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
        "the 7-value vocabulary with documented meanings (2021 on; seed 004)",
        _CURRENT_STATES,
        _CURRENT_EDGES,
    ),
    "legacy": (
        "the 8-value vocabulary of 2015-2021 (seeds 000-003; no meanings documented)",
        _LEGACY_STATES,
        _LEGACY_EDGES,
    ),
    "any": (
        "the union of current and legacy, for traces whose revision is unknown",
        *_union((_CURRENT_STATES, _CURRENT_EDGES), (_LEGACY_STATES, _LEGACY_EDGES)),
    ),
}

SPEC_NAMES: tuple[str, ...] = tuple(_BUILTIN)
"""The names of the built-in specs."""

_SPECS: dict[str, Spec] = {}


def get_spec(spec: str | Spec) -> Spec:
    """The built-in spec called ``spec`` (built once, then cached), or ``spec`` itself."""
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
