"""① What a lifecycle is: the :class:`Spec` model and the built-in specs."""

from __future__ import annotations

from jobstate.spec.builtin import get_spec
from jobstate.spec.model import Edge, Spec, State

__all__ = ["Edge", "Spec", "State", "get_spec"]
