"""Monitor scenarios: the answers a monitor gives, poll after poll. ``jobstate serve`` plays
them; ``jobstate scenarios`` lists them. :func:`scenarios_of` generates them from any spec; a
pack adds its own (Microsoft Graph's, with its protocol's deviations:
:mod:`jobstate.packs.graph.scenarios`); a trace file is one too (:func:`scenario_from_lines`).

A scenario's monitor answers its ``answers`` one per poll; after the last it repeats the last
(the real service repeats the end until the monitor expires), or, with ``expire_after``, answers
``404`` once that many polls of the end have been answered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from jobstate._words import shortened
from jobstate.spec.model import Spec

__all__ = [
    "ITEM_PATH",
    "Answer",
    "Scenario",
    "answer_of",
    "path_through",
    "scenario_from_lines",
    "scenarios_of",
]

ITEM_PATH = "/items/"
"""Where a 303 completion points: the emulator serves the new item there."""


@dataclass(frozen=True)
class Answer:
    """One answer of a monitor: HTTP status, body (``None``: no body) and headers."""

    http: int
    body: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"http": self.http, "body": dict(self.body or {}) or None}
        if self.headers:
            out["headers"] = dict(self.headers)
        return out


@dataclass(frozen=True)
class Scenario:
    """A named sequence of monitor answers; ``spec``: the spec its statuses come from (a
    built-in spec's name, or the spec itself)."""

    name: str
    description: str
    answers: tuple[Answer, ...]
    dialect: str = "graph"
    spec: str | Spec = "current"
    expire_after: int | None = None

    def answer(self, poll: int, ended: int | None) -> Answer:
        """The answer to poll ``poll`` (1-based); ``ended``: how many polls the end has had."""
        if poll <= len(self.answers):
            return self.answers[poll - 1]
        if self.expire_after is not None and ended is not None and ended >= self.expire_after:
            return Answer(404, {"error": {"code": "itemNotFound", "message": "monitor expired"}})
        return self.answers[-1]

    @property
    def trace(self) -> list[str]:
        """The answers as short text: ``202 inProgress 25``, ``303 -> item``."""
        from jobstate.spec.builtin import get_spec

        out = []
        sp = get_spec(self.spec)
        field, progress = sp.status_field, sp.progress.field if sp.progress else None
        for a in self.answers:
            if a.body and field in a.body:
                pct = a.body.get(progress) if progress is not None else None
                out.append(f"{a.http} {a.body[field]}" + (f" {pct:g}" if pct is not None else ""))
            elif "Location" in a.headers:
                out.append(f"{a.http} -> {a.headers['Location']}")
            else:
                out.append(f"{a.http} {_short(a.body)}")
            if "Retry-After" in a.headers:
                out[-1] += f" (Retry-After {a.headers['Retry-After']})"
        if self.expire_after is not None:
            out.append(f"(404 once the end was answered {self.expire_after}x)")
        else:
            out.append("(end repeated)")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "dialect": self.dialect,
            "spec": self.spec if isinstance(self.spec, str) else self.spec.name,
            "expire_after": self.expire_after,
            "answers": [a.to_dict() for a in self.answers],
        }


def _short(body: Mapping[str, Any] | None) -> str:
    if not body:
        return "(no body)"
    err = body.get("error")
    if isinstance(err, Mapping):
        return f"error {err.get('code')}"
    return "(item, no status)"


def scenario_from_lines(name: str, lines: list[Any]) -> Scenario:
    """A scenario from a trace file's records: each a status body, or an object with ``http``
    (default 202), ``body`` and ``headers`` (:func:`answer_of`)."""
    answers = tuple(answer_of(rec) for rec in lines)
    if not answers:
        raise ValueError("the trace has no answers")
    return Scenario(name, "from a trace file", answers, spec="any")


_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an HTTP field name (RFC 9110 §5.6.2)


def answer_of(record: Any) -> Answer:
    """The answer a trace record says, or :class:`ValueError` for one HTTP cannot carry: a
    status outside 200-599 or not a whole number, a body that is not an object, a header name
    that is not a token, a header value that is not one line of text.

    >>> answer_of({"status": "inProgress"}).http, answer_of({"http": 303, "body": None}).http
    (202, 303)
    """
    if not isinstance(record, Mapping):
        raise ValueError(f"a trace line is {type(record).__name__}, not an object")
    if "http" not in record:
        return Answer(202, record)
    http = record["http"]
    if isinstance(http, bool) or not isinstance(http, int) or not 200 <= http <= 599:
        raise ValueError(f"http must be a whole number from 200 to 599, not {_shown(http)}")
    body = record.get("body")
    if body is not None and not isinstance(body, Mapping):
        raise ValueError(f"body must be an object or null, not {type(body).__name__}")
    headers = record.get("headers") or {}
    if not isinstance(headers, Mapping):
        raise ValueError(f"headers must be an object, not {type(headers).__name__}")
    for key, value in headers.items():
        if not isinstance(key, str) or not _TOKEN.fullmatch(key):
            raise ValueError(f"header name {_shown(key)} is not an HTTP token")
        if not isinstance(value, str) or any(c in value for c in "\r\n\0"):
            raise ValueError(
                f"header {key}: its value must be one line of text, not {_shown(value)}"
            )
    return Answer(http, body, dict(headers))


def _shown(value: object) -> str:
    return shortened(repr(value), 60)


# -- scenarios generated from any spec -----------------------------------------------------------

_CAP = 24  # loops played at most: a spec's scenarios stay a list a person reads


def scenarios_of(spec: Spec) -> dict[str, Scenario]:
    """Scenarios generated from ``spec`` alone, for a lifecycle with no protocol of its own
    (every answer ``200``, the body ``{"status": ..., "percentageComplete": ...}``):

    - ``end-STATE`` for each terminal state, reached by the shortest path from the initial one;
    - ``loop-A-B`` for each edge that closes a loop (B leads back to A), the loop taken once on
      the way to the nearest terminal state (at most 24);
    - ``unknown-value``: the spec's unknown value after the first step, then on to the end: a
      client must keep polling through it (or, where the spec's policy says so, it is the end,
      and a client gives the job up).

    >>> from jobstate import load_spec
    >>> sorted(scenarios_of(load_spec("examples/specs/ipp-print-job.toml")))[:3]
    ['end-aborted', 'end-canceled', 'end-completed']
    """
    out: list[Scenario] = []
    for end in sorted(spec.terminal):
        path = path_through(spec, end)
        out.append(_play(spec, f"end-{end}", f"ends {end} ({spec.outcome(end)})", path))
    for a, b, back in _loops(spec)[:_CAP]:
        path = (*path_through(spec, a), *back, *_to_end(spec, a))
        out.append(_play(spec, f"loop-{a}-{b}", f"{a} -> {b}, back to {a}, then on", path))
    out.append(_unknown(spec))
    return {s.name: s for s in out}


def path_through(spec: Spec, *via: str) -> tuple[str, ...]:
    """The shortest path from the initial state through ``via`` in order."""
    path: tuple[str, ...] = (spec.initial,)
    for v in via:
        step = spec.shortest_path(path[-1], v)
        assert step is not None, f"{v} is not reachable"  # checked when the spec loads
        path += step[1:]
    return path


def _to_end(spec: Spec, state: str) -> tuple[str, ...]:
    """The states after ``state`` on the shortest way to a terminal state, a success first."""
    ways = [spec.shortest_path(state, t) for t in sorted(spec.terminal)]
    found = [w for w in ways if w is not None]
    found.sort(key=lambda w: (spec.outcome(w[-1]) != "success", len(w)))
    return found[0][1:]


def _loops(spec: Spec) -> list[tuple[str, str, tuple[str, ...]]]:
    """One edge of each loop (``a`` to ``b``, where ``b`` leads back to ``a``) with the way
    back (``b`` ... ``a``): a loop met again from another of its edges is played once."""
    out: list[tuple[str, str, tuple[str, ...]]] = []
    seen: set[frozenset[str]] = set()
    for e in spec.edges:
        back = spec.shortest_path(e.dest, e.source)
        if back is None or frozenset(back) in seen:
            continue
        seen.add(frozenset(back))
        out.append((e.source, e.dest, back))
    return out


def _play(spec: Spec, name: str, description: str, path: tuple[str, ...]) -> Scenario:
    """A scenario of status answers along ``path`` (the spec's fields), progress rising while
    it runs where the spec has a progress field."""
    answers = []
    p = spec.progress
    low, high = (float(p.low), float(p.high)) if p is not None else (0.0, 100.0)
    pct = shown = low
    step = (high - low) / (len(path) + 1)
    for s in path:
        if s in spec.terminal:  # a success is the top; another end stays where work stopped
            shown = high if spec.outcome(s) == "success" else shown
        else:
            shown = pct
            if not spec.state(s).resets_progress:  # after one, progress holds: never falls
                pct = round(pct + step, 1)
        body: dict[str, Any] = {spec.status_field: s}
        if p is not None:
            body[p.field] = shown
        answers.append(Answer(200, body))
    return Scenario(name, description, tuple(answers), dialect="plain", spec=spec)


def _unknown(spec: Spec) -> Scenario:
    """The shortest success (or end) with the spec's unknown value after the first answer: a
    client polls on through it, or (where the spec's unknown-value policy says a client gives
    the job up) the monitor ends there and a client concludes a failure."""
    value = spec.unknown.value
    course = _play(spec, "unknown-value", "", (spec.initial, *_to_end(spec, spec.initial)))
    answers = list(course.answers)
    first = dict(answers[0].body or {})
    first[spec.status_field] = value
    if spec.unknown.client == "failure":
        answers[1:] = [Answer(200, first)]
        how = "the job is given up: a failure"
    else:
        answers.insert(1, Answer(200, first))
        how = "keep polling"
    return replace(
        course,
        answers=tuple(answers),
        description=f"a value outside the spec ({value!r}) after the first answer: {how}",
    )
