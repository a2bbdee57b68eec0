"""The lifecycle specification model: states and edges as data, turned into a ``transitions``
machine.

A :class:`Spec` is built from plain data (:class:`State` and :class:`Edge` records, each with its
provenance), checked, and turned into a :class:`transitions.Machine`. Every graph fact the rest of
jobstate uses (successors, reachability, shortest paths, the terminal set) is read back from that
machine, never typed in a second time.

Provenance, as in the project's design rules:

- ``card``: an edge fixed by the project's design card;
- ``doc``: follows from a documented meaning (the rationale quotes it);
- ``inferred``: our own reading, with a one-line rationale.

Rationales cite the project's sources page, ``docs/sources.md``, by entry id.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from transitions import Machine

from jobstate._constants import (
    PROVENANCES,
    STATE_CLASSES,
    TERMINAL_OUTCOMES,
    Outcome,
    Provenance,
    StateClass,
)
from jobstate.exceptions import SpecError

__all__ = ["Edge", "Spec", "State"]


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

    # -- construction -------------------------------------------------------------------------

    def _check_data(self) -> None:
        if not self.states:
            raise SpecError(f"spec {self.name!r}: no states")
        for st in self.states:
            self._check_state(st)
            self._by_name[st.name] = st
        initials = [st.name for st in self.states if st.cls == "initial"]
        if len(initials) != 1:
            raise SpecError(
                f"spec {self.name!r}: exactly one initial state is needed, found {len(initials)}"
                + (f" ({', '.join(initials)})" if initials else "")
            )
        self.initial: str = initials[0]
        seen: set[tuple[str, str]] = set()
        for e in self.edges:
            self._check_edge(e, seen)
            seen.add((e.source, e.dest))

    def _check_state(self, st: State) -> None:
        where = f"spec {self.name!r}: state {st.name!r}"
        if not isinstance(st.name, str) or not st.name:
            raise SpecError(f"spec {self.name!r}: a state name must be a non-empty string")
        if st.name in self._by_name:
            raise SpecError(f"{where} is defined twice")
        if st.cls not in STATE_CLASSES:
            raise SpecError(
                f"{where} has class {st.cls!r}; expected one of {sorted(STATE_CLASSES)}"
            )
        if st.provenance not in PROVENANCES:
            raise SpecError(
                f"{where} has provenance {st.provenance!r}; expected one of {sorted(PROVENANCES)}"
            )
        if st.cls == "terminal" and st.outcome not in TERMINAL_OUTCOMES:
            raise SpecError(
                f"spec {self.name!r}: terminal state {st.name!r} needs an outcome"
                f" ({', '.join(sorted(TERMINAL_OUTCOMES))})"
            )
        if st.cls != "terminal" and st.outcome is not None:
            raise SpecError(f"{where} is {st.cls}, so it has no outcome")
        if not st.rationale.strip():
            raise SpecError(f"{where} has no rationale")

    def _check_edge(self, e: Edge, seen: set[tuple[str, str]]) -> None:
        where = f"spec {self.name!r}: edge {e.source} -> {e.dest}"
        for end in (e.source, e.dest):
            if end not in self._by_name:
                raise SpecError(f"{where} names unknown state {end!r}")
        if e.source == e.dest:
            raise SpecError(
                f"spec {self.name!r}: self-loop {e.source} -> {e.dest}"
                " (a repeated status is a stutter, never an edge)"
            )
        if (e.source, e.dest) in seen:
            raise SpecError(f"{where} is defined twice")
        if e.provenance not in PROVENANCES:
            raise SpecError(
                f"{where} has provenance {e.provenance!r}; expected one of {sorted(PROVENANCES)}"
            )
        if not e.rationale.strip():
            raise SpecError(f"{where} has no rationale")

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
