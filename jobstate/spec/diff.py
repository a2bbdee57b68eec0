"""What changed between two specs: states, edges, the initial and terminal states, outcomes,
provenance and rationales, the body shape, the unknown-value policy and the rules' own words
(``jobstate spec diff A B``).

>>> from jobstate.spec import get_spec
>>> d = diff_specs(get_spec("legacy"), get_spec("current"))
>>> [c.subject for c in d.changes if c.kind == "added" and c.what == "state"]
['cancelPending', 'cancelled']
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from jobstate.spec.model import Spec
from jobstate.spec.policy import RULE_TEXT_KEYS, UNKNOWN_KEYS

__all__ = ["Change", "SpecDiff", "diff_specs"]

ChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class Change:
    """One difference: a ``state``, an ``edge`` (``subject`` is ``a -> b``), the ``initial``
    state, a ``provenance`` kind; ``field`` and ``before``/``after`` for a change."""

    kind: ChangeKind
    what: str
    subject: str
    field: str | None = None
    before: Any = None
    after: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "what": self.what,
            "subject": self.subject,
            "field": self.field,
            "before": self.before,
            "after": self.after,
        }

    def text(self) -> str:
        sign = {"added": "+", "removed": "-", "changed": "~"}[self.kind]
        head = f"{sign} {self.what} {self.subject}"
        if self.kind != "changed":
            return head + (f": {self.after}" if self.after is not None else "")
        return f"{head}: {self.field} {self.before!r} -> {self.after!r}"


@dataclass(frozen=True)
class SpecDiff:
    """The differences from spec ``a`` to spec ``b``, in a stable order."""

    a: str
    b: str
    changes: tuple[Change, ...]

    @property
    def same(self) -> bool:
        return not self.changes

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "same": self.same,
            "changes": [c.to_dict() for c in self.changes],
        }

    def lines(self) -> Iterator[str]:
        yield f"spec diff {self.a} -> {self.b}: " + (
            "no differences" if self.same else f"{len(self.changes)} differences"
        )
        for c in self.changes:
            yield f"  {c.text()}"


_STATE_FIELDS = ("cls", "outcome", "resets_progress", "provenance", "rationale")
_FIELD_NAMES = {"cls": "class"}


def diff_specs(a: Spec, b: Spec) -> SpecDiff:
    """Every difference from ``a`` to ``b``: the initial state, the provenance kinds, then the
    states (terminal ones say their outcome), then the edges."""
    return SpecDiff(a.name, b.name, (*_head(a, b), *_states(a, b), *_edges(a, b)))


def _head(a: Spec, b: Spec) -> Iterator[Change]:
    if a.initial != b.initial:
        yield Change("changed", "initial", "state", "name", a.initial, b.initial)
    if a.terminal != b.terminal:
        before, after = sorted(a.terminal), sorted(b.terminal)
        yield Change("changed", "terminal", "states", "set", before, after)
    if a.result != b.result:
        yield Change("changed", "body", "result", "fields", list(a.result), list(b.result))
    if a.status_field != b.status_field:
        yield Change("changed", "body", "status", "field", a.status_field, b.status_field)
    pa, pb = a.progress, b.progress
    if pa != pb:
        was: list[Any] | None = [pa.field, pa.low, pa.high] if pa else None
        now: list[Any] | None = [pb.field, pb.low, pb.high] if pb else None
        yield Change("changed", "body", "progress", "field and range", was, now)
    yield from _policy(a, b)
    kinds_a, kinds_b = dict(a.provenances), dict(b.provenances)
    for kind, meaning in b.provenances:
        if kind not in kinds_a:
            yield Change("added", "provenance", kind, after=meaning)
        elif kinds_a[kind] != meaning:
            yield Change("changed", "provenance", kind, "meaning", kinds_a[kind], meaning)
    for kind, meaning in a.provenances:
        if kind not in kinds_b:
            yield Change("removed", "provenance", kind, after=meaning)


def _policy(a: Spec, b: Spec) -> Iterator[Change]:
    """The unknown-value policy's keys, then each rule's own words, that differ."""
    for key in UNKNOWN_KEYS:
        x, y = getattr(a.unknown, key), getattr(b.unknown, key)
        if x != y:
            yield Change("changed", "unknown", "policy", key, x, y)
    for rule in dict.fromkeys([*a.texts, *b.texts]):
        for key in RULE_TEXT_KEYS:
            x, y = a.texts.get(rule, {}).get(key), b.texts.get(rule, {}).get(key)
            if x != y:
                yield Change("changed", "rule", rule, key, x, y)


def _summary(spec: Spec, name: str) -> str:
    st = spec.state(name)
    return st.cls + (f" ({st.outcome})" if st.outcome else "")


def _states(a: Spec, b: Spec) -> Iterator[Change]:
    for name in b.names:
        if name not in a:
            yield Change("added", "state", name, after=_summary(b, name))
    for name in a.names:
        if name not in b:
            yield Change("removed", "state", name, after=_summary(a, name))
            continue
        before, after = a.state(name), b.state(name)
        for field in _STATE_FIELDS:
            x, y = getattr(before, field), getattr(after, field)
            if x != y:
                yield Change("changed", "state", name, _FIELD_NAMES.get(field, field), x, y)


def _edges(a: Spec, b: Spec) -> Iterator[Change]:
    ea = {(e.source, e.dest): e for e in a.edges}
    eb = {(e.source, e.dest): e for e in b.edges}
    for key, e in eb.items():
        if key not in ea:
            yield Change("added", "edge", f"{key[0]} -> {key[1]}", after=e.provenance)
    for key, e in ea.items():
        if key not in eb:
            yield Change("removed", "edge", f"{key[0]} -> {key[1]}", after=e.provenance)
            continue
        other = eb[key]
        for field in ("provenance", "rationale"):
            x, y = getattr(e, field), getattr(other, field)
            if x != y:
                yield Change("changed", "edge", f"{key[0]} -> {key[1]}", field, x, y)
