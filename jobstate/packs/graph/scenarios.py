"""Microsoft Graph's monitor scenarios: the three HTTP dialects' completions, re-entry through
``waiting``, and the deviations the live service shows (a transient 500, the monitor expiring,
``operationNotFound``, a value added after the docs, the legacy ``updating``, ``Retry-After``,
the item answered at the monitor URL), generated from the pack's specs and protocol.

>>> s = SCENARIOS["cancelled"]
>>> [a.body["status"] for a in s.answers if a.body]
['notStarted', 'inProgress', 'cancelPending', 'cancelled']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from jobstate.packs.graph import FUTURE_VALUE
from jobstate.packs.graph.protocol import DIALECTS
from jobstate.spec.builtin import get_spec
from jobstate.spec.model import Spec
from jobstate.spec.scenarios import ITEM_PATH, Answer, Scenario, path_through

PCT = "percentageComplete"  # the progress field of the pack's bodies ([body] of its files)

__all__ = ["SCENARIOS", "in_dialect"]


def in_dialect(scenario: Scenario, dialect: str) -> Scenario:
    """The same course answered in another dialect (running code, and the completion)."""
    d = DIALECTS[dialect]
    out = []
    for a in scenario.answers:
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
    return replace(scenario, answers=tuple(out), dialect=dialect)


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


def _generated() -> dict[str, Scenario]:
    cur, leg = get_spec("current"), get_spec("legacy")
    done = _bodies(cur, path_through(cur, "inProgress", "completed"), "01NEWITEM")
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
        bodies = _bodies(cur, path_through(cur, *via), "")
        out.append(Scenario(end, f"ends {end} ({cur.outcome(end)})", _plain("graph", bodies, cur)))
    return {s.name: s for s in [*out, *_deviations(cur, leg, done)]}


def _deviations(cur: Spec, leg: Spec, done: list[dict[str, Any]]) -> list[Scenario]:
    """The scenarios of re-entry, the observed deviations, and values outside the docs."""
    out = []
    retry = _bodies(
        cur, path_through(cur, "inProgress", "waiting", "inProgress", "completed"), "01RETRY"
    )
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
    legacy = _bodies(leg, path_through(leg, "inProgress", "updating", "completed"), "01LEGACY")
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
