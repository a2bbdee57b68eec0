"""Reference semantics: replay observed statuses through the spec's ``transitions`` machine.

This is the slow, obviously-right reading of a trace that the compiled tables of
:mod:`jobstate.validation` must agree with (a property test checks it). It fires the machine's
trigger for every observed status: a stutter (the same status again) fires the internal
transition that accepts it without a move. In ``sampled`` mode a change with no direct edge is
searched for in the machine's live transitions and the path found is fired trigger by trigger.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any

from transitions import Machine, MachineError

from jobstate._constants import Outcome
from jobstate.spec import Spec

__all__ = ["replay"]


class _Token:
    """The model object the machine moves (transitions adds ``state`` and ``trigger``)."""

    state: str


def _search(machine: Machine, source: str, dest: str) -> list[str] | None:
    """Breadth-first search over the machine's own transitions."""
    seen = {source: [source]}
    queue = deque([source])
    while queue:
        cur = queue.popleft()
        for t in machine.get_transitions(source=cur):
            nxt = t.dest
            if nxt is not None and nxt not in seen:
                seen[nxt] = [*seen[cur], nxt]
                if nxt == dest:
                    return seen[nxt]
                queue.append(nxt)
    return None


def replay(
    spec: Spec, statuses: Sequence[str | None], mode: str
) -> tuple[list[str], list[tuple[str, int]], Outcome]:
    """Replay ``statuses`` (``None`` for a record with no usable status) through the machine.

    Returns the step kind of each index, the status-level violations as ``(rule, index)``
    (``unknown-status``, ``illegal-transition``, ``after-terminal``) and the outcome.
    """
    machine = spec.machine
    token: Any = _Token()
    kinds: list[str] = []
    violations: list[tuple[str, int]] = []
    outcome: Outcome | None = None
    added = False
    try:
        for i, s in enumerate(statuses):
            if s is None or s not in machine.states:
                if s is not None:
                    violations.append(("unknown-status", i))
                kinds.append("rejected")
                continue
            if not added:
                machine.add_model(token, initial=s)
                added = True
                kinds.append("start")
            elif s == token.state:
                token.trigger(s)  # the internal transition: accepted, no state change
                kinds.append("stutter")
            elif machine.get_state(token.state).final:
                violations.append(("after-terminal", i))
                kinds.append("after-terminal")
                machine.set_state(s, token)
            else:
                try:
                    token.trigger(s)
                    kinds.append("edge")
                except MachineError:
                    path = _search(machine, token.state, s) if mode == "sampled" else None
                    if path is None:
                        violations.append(("illegal-transition", i))
                        kinds.append("illegal")
                        machine.set_state(s, token)
                    else:
                        for nxt in path[1:]:
                            token.trigger(nxt)
                        kinds.append("gap")
            if outcome is None and machine.get_state(token.state).final:
                outcome = spec.outcome(token.state)
    finally:
        if added:
            machine.remove_model(token)
    return kinds, violations, outcome or "unfinished"
