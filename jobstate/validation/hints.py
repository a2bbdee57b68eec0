"""The hints of ``unknown-status`` as tables: what a value a spec does not know may have been
meant as. They are data, so that the generated SQL (:mod:`jobstate.sql_messages`) gives the
Python engine's message word for word from the same rows.

>>> from jobstate.spec import get_spec
>>> h = hints_of(get_spec("current"))
>>> h.hint("Completed"), h.hint("updating") is not None, h.hint("shiny")
("did you mean 'completed'? (values are case-sensitive)", True, None)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from jobstate.spec import Spec
from jobstate.spec.builtin import is_builtin

__all__ = ["HINTLESS", "Hints", "hints_of"]

HINTLESS = 200
"""A value longer than this gets no hint (no hint is worth reading a megabyte for)."""


@dataclass(frozen=True)
class Hints:
    """A spec's hints, looked up in this order: ``own``, by the value's lowercase (another
    case of one of its own values); ``exact``, by the value itself; ``lowered``, by its
    lowercase (the words a pack knows of other vocabularies)."""

    own: dict[str, str]
    exact: dict[str, str]
    lowered: dict[str, str]

    def hint(self, status: str) -> str | None:
        """The hint for ``status``, a value the spec does not know, or ``None``."""
        if len(status) > HINTLESS:
            return None
        low = status.lower()
        return self.own.get(low) or self.exact.get(status) or self.lowered.get(low)


@functools.lru_cache(maxsize=64)  # a Spec is hashed by identity
def hints_of(spec: Spec) -> Hints:
    """The hints of ``spec`` (computed once per spec)."""
    own: dict[str, str] = {}
    for name in spec.names:
        own.setdefault(name.lower(), f"did you mean '{name}'? (values are case-sensitive)")
    exact: dict[str, str] = {}
    lowered: dict[str, str] = {}
    if is_builtin(spec):  # the pack's hints know its vocabularies
        from jobstate.packs.graph.hints import hint_tables

        exact, lowered = hint_tables(spec)
    return Hints(own, exact, lowered)
