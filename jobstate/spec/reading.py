"""The reader of a spec's document (a parsed TOML or JSON file, or a mapping): every problem
located at its place (the line of a TOML table and its key path, ``edges[3].dest``).
:mod:`jobstate.spec.loading` reads files and names with it; packs read their own files with it
(:mod:`jobstate.packs.graph`)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from jobstate._constants import STATE_CLASSES, TERMINAL_OUTCOMES
from jobstate._words import shortened
from jobstate.exceptions import SpecError
from jobstate.spec.model import Edge, Progress, Spec, State
from jobstate.spec.policy import RULE_TEXT_KEYS, UNKNOWN_KEYS, Unknown, text_problems

__all__ = ["SpecReader", "spec_from_mapping"]

_TOP = {
    "name",
    "description",
    "lifecycle",
    "provenances",
    "states",
    "edges",
    "body",
    "unknown",
    "rules",
}
_BODY = {"result", "status", "progress", "progress_range"}
_DERIVED = {"initial", "terminal", "protocol"}  # what `jobstate spec --format json` adds
_STATE = {"name", "class", "provenance", "rationale", "outcome", "resets_progress"}
_EDGE = {"source", "dest", "provenance", "rationale"}
_KIND = {"kind", "meaning"}


def spec_from_mapping(data: Mapping[str, Any], *, where: str = "spec") -> Spec:
    """A spec from a mapping of a spec file's shape; ``where`` names it in messages."""
    return SpecReader(where, None).spec(data)


class SpecReader:
    """Reads a spec's mapping, each problem located (TOML tables by line, too)."""

    def __init__(self, where: str, toml_text: str | None) -> None:
        self.where = where
        self.toml = toml_text

    def fail(self, place: str, problem: str) -> SpecError:
        line = self._line(place)
        at = f"{self.where}:{line}" if line else self.where
        return SpecError(f"{at}: {place}: {problem}" if place else f"{at}: {problem}")

    def _line(self, place: str) -> int | None:
        """The line of the TOML table ``place`` names (``states[2]`` → its ``[[states]]``)."""
        m = re.match(r"(states|edges|provenances)\[(\d+)\]", place)
        if self.toml is None or m is None:
            return None
        header = re.compile(rf"^[ \t]*\[\[[ \t]*{m.group(1)}[ \t]*\]\]", re.M)
        found = list(header.finditer(self.toml))
        index = int(m.group(2))
        if index >= len(found):
            return None
        return self.toml.count("\n", 0, found[index].start()) + 1

    def spec(self, data: Mapping[str, Any]) -> Spec:
        self._keys(data, _TOP | _DERIVED, "")
        name = self._text(data, "name", "")
        description = data.get("description", "")
        if not isinstance(description, str):
            raise self.fail("description", "must be text")
        lifecycle = self._text(data, "lifecycle", "") if "lifecycle" in data else ""
        kinds = list(self._kinds(data.get("provenances")))
        known = [k for k, _ in kinds] if kinds else None
        states = [self._state(i, s, known) for i, s in self._tables(data, "states")]
        edges = [self._edge(i, e, known) for i, e in self._tables(data, "edges")]
        self._cross_check(states, edges)
        body = data.get("body", {})
        result = self._result(body)
        status_field, progress = self._shape(body)
        names = {st.name for st in states}
        unknown = self._unknown(data.get("unknown", {}), names)
        texts = self._texts(data.get("rules", {}))
        try:
            spec = Spec(
                name,
                states,
                edges,
                description=description,
                lifecycle=lifecycle,
                provenances=kinds or None,
                result=result,
                status_field=status_field,
                progress=progress,
                unknown=unknown,
                texts=texts,
            )
        except SpecError as exc:
            raise self._locate(exc, states, edges) from None
        derived = spec.to_dict()
        for key in ("initial", "terminal"):
            given, made = data.get(key, derived[key]), derived[key]
            if (sorted(given) if isinstance(given, list) else given) != (
                sorted(made) if isinstance(made, list) else made
            ):
                raise self.fail(key, f"says {given!r}, but the states make it {made!r}")
        return spec

    def _result(self, body: object) -> list[str]:
        """The ``[body]`` table's ``result``: the body fields that identify a job's result,
        which reports keep (their last values)."""
        if not isinstance(body, Mapping):
            raise self.fail("body", "must be a table")
        self._keys(body, _BODY, "body")
        result = body.get("result", [])
        if not isinstance(result, list) or not all(isinstance(f, str) and f for f in result):
            raise self.fail("body.result", "must be a list of field names")
        if len(set(result)) != len(result):
            raise self.fail("body.result", "names a field twice")
        return result

    def _shape(self, body: Mapping[str, Any]) -> tuple[str, Progress | None]:
        """The ``[body]`` table's ``status`` (the field of the status, ``status`` if not said),
        ``progress`` (the field of the progress, if the bodies carry one) and
        ``progress_range`` (its lowest and highest values, ``[0, 100]`` if not said)."""
        status = self._text(body, "status", "body") if "status" in body else "status"
        if "progress" not in body:
            if "progress_range" in body:
                raise self.fail("body.progress_range", "is given, but no body.progress field")
            return status, None
        field = self._text(body, "progress", "body")
        if field == status:
            raise self.fail("body.progress", f"is the status field {field!r} too")
        bounds = body.get("progress_range", [0, 100])
        if (
            not isinstance(bounds, list)
            or len(bounds) != 2
            or not all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds)
        ):
            raise self.fail("body.progress_range", "must be two numbers, [lowest, highest]")
        low, high = float(bounds[0]), float(bounds[1])
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise self.fail("body.progress_range", "must run from a lower to a higher number")
        return status, Progress(field, low, high)

    def _unknown(self, table: object, states: set[str]) -> Unknown:
        """The ``[unknown]`` table: the unknown-value policy (:class:`Unknown`), each key
        optional, its problems placed at their keys."""
        if not isinstance(table, Mapping):
            raise self.fail("unknown", "must be a table")
        self._keys(table, set(UNKNOWN_KEYS), "unknown")
        said = {k: self._text(table, k, "unknown") for k in table}
        unknown = Unknown(**said)  # type: ignore[arg-type]  # severity and client checked next
        for key, problem in unknown.problems(states):
            raise self.fail(f"unknown.{key}", problem)
        return unknown

    def _texts(self, table: object) -> dict[str, dict[str, str]]:
        """The ``[rules.ID]`` tables: a rule's or finding's summary and rationale in the spec's
        words, each problem placed at its id."""
        if not isinstance(table, Mapping):
            raise self.fail("rules", "must be a table of [rules.ID] tables")
        texts = {}
        for rule, said in table.items():
            place = f"rules.{shortened(str(rule), 60)}"
            if not isinstance(said, Mapping):
                raise self.fail(place, "must be a table")
            self._keys(said, set(RULE_TEXT_KEYS), place)
            texts[str(rule)] = {k: self._text(said, k, place) for k in said}
        for rule, problem in text_problems(texts):
            raise self.fail(f"rules.{shortened(rule, 60)}", problem)
        return texts

    def _keys(self, table: Mapping[str, Any], allowed: set[str], place: str) -> None:
        unknown = sorted(str(k) for k in table if k not in allowed)
        if unknown:
            raise self.fail(
                place,
                f"unknown key {shortened(unknown[0], 60)!r}; known: {', '.join(sorted(allowed))}",
            )

    def _text(self, table: Mapping[str, Any], key: str, place: str) -> str:
        value = table.get(key)
        where = f"{place}.{key}" if place else key
        if value is None:
            raise self.fail(where, "is missing")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"must be non-empty text, not {shortened(repr(value), 60)}")
        return value

    def _tables(self, data: Mapping[str, Any], key: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
        items = data.get(key, [])
        if not isinstance(items, list):
            raise self.fail(key, f"must be a list of tables ([[{key}]] in TOML)")
        for i, item in enumerate(items):
            if not isinstance(item, Mapping):
                raise self.fail(f"{key}[{i}]", f"must be a table, not {type(item).__name__}")
            yield i, item

    def _kinds(self, value: Any) -> Iterator[tuple[str, str]]:
        if value is None:
            return
        if not isinstance(value, list) or not value:
            raise self.fail("provenances", "must be a non-empty list of {kind, meaning} tables")
        for i, item in self._tables({"provenances": value}, "provenances"):
            place = f"provenances[{i}]"
            self._keys(item, _KIND, place)
            yield self._text(item, "kind", place), self._text(item, "meaning", place)

    def _provenance(self, table: Mapping[str, Any], place: str, known: list[str] | None) -> str:
        kind = self._text(table, "provenance", place)
        kinds = known or ["card", "doc", "inferred"]
        if kind not in kinds:
            raise self.fail(
                f"{place}.provenance",
                f"{shortened(kind, 60)!r} is not a provenance kind of this spec"
                f" ({', '.join(kinds)})",
            )
        return kind

    def _state(self, i: int, table: Mapping[str, Any], known: list[str] | None) -> State:
        place = f"states[{i}]"
        self._keys(table, _STATE, place)
        cls = self._text(table, "class", place)
        if cls not in STATE_CLASSES:
            raise self.fail(f"{place}.class", f"{cls!r} is not one of {', '.join(STATE_CLASSES)}")
        outcome = table.get("outcome")
        if cls == "terminal" and outcome not in TERMINAL_OUTCOMES:
            raise self.fail(
                f"{place}.outcome",
                f"a terminal state needs one of {', '.join(TERMINAL_OUTCOMES)}",
            )
        if cls != "terminal" and outcome is not None:
            raise self.fail(f"{place}.outcome", f"an {cls} state has no outcome")
        resets = table.get("resets_progress", False)
        if not isinstance(resets, bool):
            raise self.fail(f"{place}.resets_progress", "must be true or false")
        return State(
            self._text(table, "name", place),
            cls,  # checked against STATE_CLASSES above
            self._provenance(table, place, known),
            self._text(table, "rationale", place),
            outcome=outcome,
            resets_progress=resets,
        )

    def _edge(self, i: int, table: Mapping[str, Any], known: list[str] | None) -> Edge:
        place = f"edges[{i}]"
        self._keys(table, _EDGE, place)
        return Edge(
            self._text(table, "source", place),
            self._text(table, "dest", place),
            self._provenance(table, place, known),
            self._text(table, "rationale", place),
        )

    def _cross_check(self, states: list[State], edges: list[Edge]) -> None:
        """What can be said of one table before the graph is built: duplicates, unknown
        states, self-loops, each at its place."""
        if not states:
            raise self.fail("states", "a spec needs states ([[states]] tables)")
        names: dict[str, int] = {}
        for i, st in enumerate(states):
            if st.name in names:
                first = names[st.name]
                raise self.fail(f"states[{i}].name", f"{st.name!r} is already states[{first}]")
            names[st.name] = i
        pairs: dict[tuple[str, str], int] = {}
        for i, e in enumerate(edges):
            for key, end in (("source", e.source), ("dest", e.dest)):
                if end not in names:
                    raise self.fail(f"edges[{i}].{key}", f"unknown state {shortened(end, 60)!r}")
            if e.source == e.dest:
                raise self.fail(f"edges[{i}]", "a self-loop (a repeated status is no edge)")
            if (e.source, e.dest) in pairs:
                first = pairs[e.source, e.dest]
                raise self.fail(f"edges[{i}]", f"the same edge as edges[{first}]")
            pairs[e.source, e.dest] = i

    def _locate(self, exc: SpecError, states: list[State], edges: list[Edge]) -> SpecError:
        """A graph-level problem the model found, placed at the state or edge it is about."""
        problem = str(exc).split(": ", 1)[-1]
        for i, st in enumerate(states):
            if st.name == exc.state:
                return self.fail(f"states[{i}]", problem)
        for i, e in enumerate(edges):
            if (e.source, e.dest) == exc.edge:
                return self.fail(f"edges[{i}]", problem)
        return self.fail("states", problem)
