"""Microsoft Graph's ``asyncJobStatus`` (OneDrive's ``asyncOperationStatus``) as a pack.

Its two vocabularies are spec files beside this module, the files a domain reviewer reads:
``current.toml`` (the 7 values with documented meanings, 2021 on) and ``legacy.toml`` (the 8
values of 2015-2021). They are read by the reader of a user's spec file
(:func:`jobstate.spec.reading.spec_from_mapping`), from ``parsed.json``: the same documents
parsed once, so that start-up does without the TOML parser (7 ms); ``python -m
jobstate.spec.facts`` writes it and a test requires it to be exactly the TOML files' contents.
So it writes ``machine_facts.py``, the facts read from the specs' machines, which the engine
takes instead of building those machines at start-up
(:func:`jobstate.spec.model.known_machine_facts`).
``any`` is their union, for traces whose revision is unknown: a state or edge of both keeps its
strongest provenance.

>>> sorted(spec("current").terminal)
['cancelled', 'completed', 'failed']
>>> spec("any")
<Spec 'any': 10 states, 20 edges>
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the engine's model imports this package's machine facts
    from jobstate.spec.model import Edge, Spec, State

__all__ = ["FILES", "FUTURE_VALUE", "PARSED", "parsed_text", "spec"]

FUTURE_VALUE = "unknownFutureValue"
"""The value standing for one the service may add (Graph's enums are evolvable): the
``[unknown]`` value of the pack's spec files (a test checks they agree), public as
``jobstate.FUTURE_VALUE``."""

FILES = {"current": "current.toml", "legacy": "legacy.toml"}
"""The pack's spec files, by spec name."""

_HERE = os.path.dirname(os.path.abspath(__file__))  # os.path: pathlib costs start-up 8 ms
PARSED = os.path.join(_HERE, "parsed.json")
"""The spec files' documents, parsed (see the module docstring)."""


def spec(name: str) -> Spec:
    """The pack's spec ``name`` (``current``, ``legacy`` or ``any``), built afresh from the
    spec files' documents (read once)."""
    from jobstate.spec.reading import spec_from_mapping

    if name == "any":
        return _union("any", spec("current"), spec("legacy"))
    return spec_from_mapping(_documents()[name], where=os.path.join(_HERE, FILES[name]))


@functools.cache
def _documents() -> dict[str, Any]:
    """The spec files' documents from ``parsed.json``, once; the machines' facts are handed to
    the engine first, so that building the specs builds no machine."""
    from jobstate._json import loads
    from jobstate.packs.graph.machine_facts import MACHINE_FACTS
    from jobstate.spec.model import known_machine_facts

    known_machine_facts(MACHINE_FACTS)
    with open(PARSED, "rb") as fh:
        documents: dict[str, Any] = loads(fh.read())
    return documents


def parsed_text() -> str:
    """What ``parsed.json`` holds: each spec file's document, parsed now."""
    import json

    from jobstate._toml import load_document

    documents = {}
    for name, file in FILES.items():
        with open(os.path.join(_HERE, file), encoding="utf-8") as fh:
            documents[name] = load_document(fh.read(), toml=True)
    return json.dumps(documents, indent=1, ensure_ascii=False) + "\n"


def _union(name: str, *specs: Spec) -> Spec:
    """The states and edges of ``specs`` together; one in several keeps its strongest
    provenance (the first spec's state where they differ in nothing else); their result
    fields, each once."""
    from jobstate.spec.model import Spec

    states: dict[str, State] = {}
    edges: dict[tuple[str, str], Edge] = {}
    for sp in specs:
        for st in sp.states:
            states.setdefault(st.name, st)
        for e in sp.edges:
            key = (e.source, e.dest)
            if key not in edges or sp.strength(e.provenance) > sp.strength(edges[key].provenance):
                edges[key] = e
    return Spec(
        name,
        list(states.values()),
        list(edges.values()),
        description="the union of current and legacy, for traces whose revision is unknown",
        lifecycle=specs[0].lifecycle,
        unknown=specs[0].unknown,
        texts=specs[0].texts,
        status_field=specs[0].status_field,
        progress=specs[0].progress,
        result=dict.fromkeys(f for sp in specs for f in sp.result),
    )
