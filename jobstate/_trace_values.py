"""The values generated traces are made of (:mod:`jobstate.strategies` draws from them): a
spec's progress scale, the optional fields of a job's bodies and the result a success names, the
values outside a spec a client meets, records with no usable status, records that are no JSON
object, and progress values of the wrong type. The pack's specs take the pack's own
(:mod:`jobstate.packs.graph.flavour`); any other spec, values made from its own names."""

from __future__ import annotations

from typing import Any

from jobstate.spec import Spec
from jobstate.spec.builtin import is_builtin
from jobstate.spec.model import Progress

__all__ = [
    "BAD_TYPES",
    "flavour",
    "no_status",
    "not_objects",
    "strangers",
    "tenths_of",
    "value_at",
]


def value_at(progress: Progress, tenths: int) -> float:
    """The progress value ``tenths`` thousandths of the way up the spec's range (0-1000: for
    a 0-100 range, tenths of a percent)."""
    if tenths >= 1000:
        return progress.high
    return progress.low + (progress.high - progress.low) * tenths / 1000


def tenths_of(progress: Progress, value: float) -> float:
    """``value`` in thousandths of the range (the inverse of :func:`value_at`)."""
    return (value - progress.low) * 1000 / (progress.high - progress.low)


def flavour(sp: Spec) -> tuple[tuple[dict[str, Any], ...], tuple[str, str] | None]:
    """The optional fields a trace's bodies may carry (one choice a trace), and the result
    field and value a success may name: the pack's own for its specs, else the spec's first
    result field with an id of its own."""
    if is_builtin(sp):
        from jobstate.packs.graph import flavour as graph

        return graph.EXTRAS, graph.RESULT
    return ({},), (sp.result[0], "result-0001") if sp.result else None


def strangers(sp: Spec) -> list[str]:
    """Values outside ``sp`` a client may meet: its own names with their case or spacing
    slipped, the empty one, and for the pack's specs the pack's (other revisions,
    neighbouring vocabularies)."""
    out = [""]
    for n in sp.names:
        out += [n.upper(), n.lower(), n[:1].swapcase() + n[1:], f" {n}", f"{n} "]
    if is_builtin(sp):
        from jobstate.packs.graph.flavour import STRANGERS

        out += STRANGERS
    return [v for v in dict.fromkeys(out) if v not in sp]


def no_status(sp: Spec) -> tuple[dict[str, Any], ...]:
    """Bodies without a usable status, under the spec's fields."""
    f = sp.status_field
    word = sp.names[-1]
    out: list[dict[str, Any]] = [{}, {f: None}, {f: 3}, {f: [word]}, {f: True}]
    out.append({f: {"value": word}})
    out.append({f.swapcase() if f.swapcase() != f else f + "_": word})  # a near miss of its name
    if sp.progress is not None:
        out.append({sp.progress.field: None})
    return tuple(out)


def not_objects(sp: Spec) -> tuple[Any, ...]:
    """Records that are no JSON object (one holding a status value of the spec's)."""
    word = sp.names[-1]
    return ([], [word], word, 42, None, True, 1.5)


BAD_TYPES: tuple[Any, ...] = ("50", "100.0", True, False, [], {}, [50])
