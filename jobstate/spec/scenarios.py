"""Monitor scenarios: the answers a monitor gives, poll after poll, generated from a spec and the
protocol (:mod:`jobstate.spec.protocol`). ``jobstate serve`` plays them; ``jobstate scenarios``
lists them.

A scenario's monitor answers its ``answers`` one per poll; after the last it repeats the last
(the real service repeats the end until the monitor expires), or, with ``expire_after``, answers
``404`` once that many polls of the end have been answered.

>>> s = SCENARIOS["cancelled"]
>>> [a.body["status"] for a in s.answers if a.body]
['notStarted', 'inProgress', 'cancelPending', 'cancelled']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from jobstate._constants import FUTURE_VALUE, PCT
from jobstate._words import shortened
from jobstate.spec import Spec, get_spec
from jobstate.spec.protocol import DIALECTS

__all__ = ["SCENARIOS", "Answer", "Scenario", "answer_of", "scenario_from_lines"]

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
    """A named sequence of monitor answers; ``spec``: the spec its statuses come from."""

    name: str
    description: str
    answers: tuple[Answer, ...]
    dialect: str = "graph"
    spec: str = "current"
    expire_after: int | None = None

    def answer(self, poll: int, ended: int | None) -> Answer:
        """The answer to poll ``poll`` (1-based); ``ended``: how many polls the end has had."""
        if poll <= len(self.answers):
            return self.answers[poll - 1]
        if self.expire_after is not None and ended is not None and ended >= self.expire_after:
            return Answer(404, {"error": {"code": "itemNotFound", "message": "monitor expired"}})
        return self.answers[-1]

    def in_dialect(self, dialect: str) -> Scenario:
        """The same course answered in another dialect (running code, and the completion)."""
        d = DIALECTS[dialect]
        out = []
        for a in self.answers:
            status = (a.body or {}).get("status")
            done = a.http == 303 or (status == "completed" and a.http < 300)
            if done and d.completion == 303:
                rid = (a.body or {}).get("resourceId") or "01NEWITEM"
                out.append(Answer(303, None, {"Location": ITEM_PATH + str(rid)}))
            elif done:
                body = a.body or {"status": "completed", PCT: 100.0, "resourceId": "01NEWITEM"}
                out.append(Answer(d.completion, body, {}))
            elif a.http in (200, 202) and status is not None:
                out.append(Answer(d.running, a.body, a.headers))
            else:
                out.append(a)
        return replace(self, answers=tuple(out), dialect=dialect)

    @property
    def trace(self) -> list[str]:
        """The answers as short text: ``202 inProgress 25``, ``303 -> item``."""
        out = []
        for a in self.answers:
            if a.body and "status" in a.body:
                pct = a.body.get(PCT)
                out.append(
                    f"{a.http} {a.body['status']}" + (f" {pct:g}" if pct is not None else "")
                )
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
            "spec": self.spec,
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


def _bodies(spec: Spec, path: tuple[str, ...], resource: str) -> list[dict[str, Any]]:
    """Status bodies along ``path``, percentages rising through the active states."""
    out: list[dict[str, Any]] = []
    active = [s for s in path if s not in spec.terminal]
    step = 100.0 / (len(active) + 1)
    pct = 0.0
    for s in path:
        body: dict[str, Any] = {"operation": "ItemCopy", "status": s}
        if s in spec.terminal:
            body[PCT] = 100.0 if spec.outcome(s) == "success" else pct
            if spec.outcome(s) == "success":
                body["resourceId"] = resource
            if spec.outcome(s) == "failure":
                body["statusDescription"] = "The copy failed"
        else:
            body[PCT] = pct
            pct = round(pct + step, 1) if not spec.state(s).resets_progress else pct
        out.append(body)
    return out


def _plain(dialect: str, bodies: list[dict[str, Any]], spec: Spec) -> tuple[Answer, ...]:
    """Answers in a dialect: its running code, and its completion (303: to the item)."""
    d = DIALECTS[dialect]
    out = []
    for b in bodies:
        done = b["status"] in spec.terminal and spec.outcome(b["status"]) == "success"
        if done and d.completion == 303:
            out.append(Answer(303, None, {"Location": ITEM_PATH + str(b.get("resourceId"))}))
        else:
            out.append(Answer(d.completion if done else d.running, b))
    return tuple(out)


def _path(spec: Spec, *via: str) -> tuple[str, ...]:
    """The shortest path from the initial state through ``via`` in order."""
    path: tuple[str, ...] = (spec.initial,)
    for v in via:
        step = spec.shortest_path(path[-1], v)
        assert step is not None, f"{v} is not reachable"  # checked when the spec loads
        path += step[1:]
    return path


def _generated() -> dict[str, Scenario]:
    cur, leg = get_spec("current"), get_spec("legacy")
    done = _bodies(cur, _path(cur, "inProgress", "completed"), "01NEWITEM")
    out = [
        Scenario(
            "completed", "graph: 202 throughout, completed + resourceId", _plain("graph", done, cur)
        ),
        Scenario(
            "completed-303",
            "onedrive: 202 while running, then 303 See Other to the new item",
            _plain("onedrive", done, cur),
            dialect="onedrive",
        ),
        Scenario(
            "completed-200",
            "business: 200 on every poll",
            _plain("business", done, cur),
            dialect="business",
        ),
    ]
    for end in sorted(cur.terminal - {"completed"}):
        via = ("inProgress", "cancelPending", end) if end == "cancelled" else ("inProgress", end)
        bodies = _bodies(cur, _path(cur, *via), "")
        out.append(Scenario(end, f"ends {end} ({cur.outcome(end)})", _plain("graph", bodies, cur)))
    return {s.name: s for s in [*out, *_deviations(cur, leg, done)]}


def _deviations(cur: Spec, leg: Spec, done: list[dict[str, Any]]) -> list[Scenario]:
    """The scenarios of re-entry, the observed deviations, and values outside the docs."""
    out = []
    retry = _bodies(cur, _path(cur, "inProgress", "waiting", "inProgress", "completed"), "01RETRY")
    out.append(
        Scenario(
            "waiting-retry", "waiting, then work resumes and completes", _plain("graph", retry, cur)
        )
    )
    flaky = list(_plain("graph", done, cur))
    flaky.insert(2, Answer(500, flaky[1].body))
    out.append(
        Scenario(
            "transient-500", "a 500 with a valid status body mid-job (rclone saw it)", tuple(flaky)
        )
    )
    out.append(
        Scenario(
            "expired-404",
            "completes; the monitor expires after one more poll: 404",
            _plain("graph", done, cur),
            expire_after=1,
        )
    )
    gone = (*_plain("graph", done[:-1], cur), Answer(500, {"error": {"code": "operationNotFound"}}))
    out.append(Scenario("operation-not-found", "500 operationNotFound instead of the end", gone))
    future = [*done[:2], {"status": FUTURE_VALUE, PCT: done[1][PCT]}, *done[2:]]
    out.append(
        Scenario(
            "unknown-future",
            f"a value added after the docs ({FUTURE_VALUE}) mid-job: keep polling",
            _plain("graph", future, get_spec("any")),
        )
    )
    legacy = _bodies(leg, _path(leg, "inProgress", "updating", "completed"), "01LEGACY")
    out.append(
        Scenario(
            "legacy-updating",
            "the 2015-2021 value 'updating' mid-job",
            _plain("graph", legacy, leg),
            spec="legacy",
        )
    )
    slow = tuple(
        Answer(a.http, a.body, {"Retry-After": "1"}) if a.http == 202 and i < 2 else a
        for i, a in enumerate(_plain("graph", done, cur))
    )
    out.append(Scenario("retry-after", "running answers ask for Retry-After: 1", slow))
    item = (*_plain("graph", done[:-1], cur), Answer(200, {"id": "01NEWITEM", "name": "copy.docx"}))
    out.append(Scenario("location-is-item", "the monitor answers the item itself at the end", item))
    return out


SCENARIOS: Mapping[str, Scenario] = _generated()
"""The built-in scenarios, by name."""


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
