"""The built-in specs by name: ``current``, ``legacy`` and ``any`` (their union), the Microsoft
Graph pack's (:mod:`jobstate.packs.graph`), read from its spec files once and cached.

>>> spec = get_spec("current")
>>> sorted(spec.terminal)
['cancelled', 'completed', 'failed']
>>> spec.shortest_path("notStarted", "completed")
('notStarted', 'inProgress', 'completed')
"""

from __future__ import annotations

from jobstate._constants import SPEC_NAMES
from jobstate.exceptions import SpecError
from jobstate.spec.model import Spec

__all__ = ["get_spec", "is_builtin"]

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
    if spec not in SPEC_NAMES:
        raise SpecError(f"unknown spec {spec!r}; built-in specs: {', '.join(SPEC_NAMES)}")
    from jobstate.packs import graph

    built = _SPECS[spec] = graph.spec(spec)
    return built


def is_builtin(spec: Spec) -> bool:
    """Whether ``spec`` is one of the built-in specs (not a user's spec of the same name): what
    only they have (the HTTP protocol, the hints, the client profiles) applies to it.

    >>> sp = get_spec("any")
    >>> is_builtin(sp), is_builtin(Spec("any", sp.states, sp.edges))
    (True, False)
    """
    return spec.name in SPEC_NAMES and get_spec(spec.name) is spec
