"""What a client model does with the Microsoft Graph monitor's HTTP answers, checked on the
pack's scenarios: a dialect's completion it cannot see, a transient 5xx that kills it, the
monitor expiring under a client still polling, ``Retry-After`` ignored."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from jobstate.client_model import ClientModel, Finding
from jobstate.packs.graph.scenarios import SCENARIOS
from jobstate.spec.scenarios import Answer

__all__ = ["on_answer", "protocol_findings"]


_ITEM = {"id": "01NEWITEM", "name": "copy", "file": {}}  # what a 303 points at


def _on_body(model: ClientModel, http: int, body: Mapping[str, Any]) -> str:
    """What the client does with a 2xx answer and its body: an action, or ``poll``."""
    if "resource-id" in model.ends_on and "resourceId" in body:
        return "success"
    if "http-not-202" in model.ends_on and 200 <= http < 300 and http != 202:
        return "success"
    if "no-status" in model.ends_on and "status" not in body:
        return "success"
    status = body.get("status")
    if "status" not in body and model.on_no_status == "crash":
        return "crash"
    if "status" in model.ends_on:
        return model.action(status if isinstance(status, str) else "")
    return "poll"


def _status_body(body: Mapping[str, Any] | None) -> bool:
    return body is not None and isinstance(body.get("status"), str)


def on_answer(model: ClientModel, http: int, body: Mapping[str, Any] | None) -> str:
    """What the client does with one answer: ``success``, ``failure``, ``cancelled``, ``poll``
    or ``crash``."""
    if 300 <= http < 400:
        if model.on_redirect == "follow":
            return _on_body(model, 200, _ITEM)
        return {"stop": "success", "crash": "crash", "poll": "poll"}[model.on_redirect]
    if http >= 500 and model.on_server_error in ("retry", "raise"):
        return "poll" if model.on_server_error == "retry" else "crash"
    if http >= 500 and model.on_server_error == "raise-on-error" and not _status_body(body):
        return "crash"  # an error body raises; a status body is read as usual
    if http in (404, 410):
        return {"stop": "failure", "crash": "crash", "poll": "poll"}[model.on_gone]
    return _on_body(model, http, body or {})


def _exchanges(answers: Iterable[Any]) -> tuple[dict[str, Any], ...]:
    return tuple(a.to_dict() for a in answers)


def _completion_findings(model: ClientModel, spec: str) -> tuple[list[Finding], bool]:
    """``misses-completion`` for each dialect's completion the client cannot see, and whether
    it keeps polling on one."""
    out = []
    polls_on = False
    for name in ("completed", "completed-303", "completed-200"):
        sc = SCENARIOS[name]
        last = sc.answers[-1]
        does = on_answer(model, last.http, last.body)
        if does != "success":
            polls_on = polls_on or does == "poll"
            how = {"poll": "keeps polling", "crash": "crashes"}.get(does, f"reports {does}")
            until = f": it ends only at its {model.timeout:g} s timeout" if model.timeout else ""
            out.append(
                Finding(
                    "misses-completion",
                    "error",
                    "completed",
                    f"{how} on the {sc.dialect} dialect's completion (HTTP {last.http})"
                    + (until if does == "poll" else ""),
                    tuple(a.body["status"] for a in sc.answers if a.body and "status" in a.body),
                    spec,
                    _exchanges(sc.answers),
                )
            )
    return out, polls_on


_FINAL = ("success", "failure", "cancelled")


def _early_findings(model: ClientModel, spec: str) -> list[Finding]:
    """``stops-early`` where an answer before a scenario's end makes the client stop, though
    its status alone would not (its status-level finding says that case): every answer of
    every scenario is a place the client may stop. One finding per kind of answer, with the
    shortest witness."""
    seen: dict[tuple[int, str, str], Finding] = {}
    for sc in SCENARIOS.values():
        for i, a in enumerate(sc.answers[:-1]):
            status = (a.body or {}).get("status")
            if not isinstance(status, str) or model.action(status) in _FINAL:
                continue  # not a status body, or the status-level finding covers it
            does = on_answer(model, a.http, a.body)
            key = (a.http, status, does)
            if does not in _FINAL or (key in seen and len(seen[key].exchanges) <= i + 1):
                continue
            seen[key] = Finding(
                "stops-early",
                "error",
                status,
                f"treats the {sc.dialect} dialect's HTTP {a.http} '{status}' answer as final"
                f" ({does}): the job goes on",
                tuple(
                    b.body["status"] for b in sc.answers[: i + 1] if b.body and "status" in b.body
                ),
                spec,
                _exchanges(sc.answers[: i + 1]),
            )
    return list(seen.values())


def _gone_finding(spec: str, past: Finding | None) -> Finding:
    """``crashes-on-gone``, witnessed along the end the client polls past: the status finding's
    own course where one says so (``past``), else a completion it cannot see."""
    expired = SCENARIOS["expired-404"]
    gone = expired.answer(len(expired.answers) + 1, 2)
    if past is not None:
        statuses = past.witness
        answers = [Answer(202, {"status": s}) for s in statuses]
    else:
        statuses = ("notStarted", "inProgress", "completed")
        answers = list(expired.answers)
    return Finding(
        "crashes-on-gone",
        "error",
        statuses[-1],
        f"still polling after its end ('{statuses[-1]}'), it crashes when the monitor expires"
        " (404)",
        statuses,
        spec,
        _exchanges([*answers, gone]),
    )


def protocol_findings(
    model: ClientModel, spec: str = "current", *, polls_on: bool | Finding = False
) -> list[Finding]:
    """What the client gets wrong with HTTP answers (each with its shortest witness exchange
    sequence, from the monitor scenarios): a completion it cannot see, a transient 5xx that
    kills it, a 404 after the end that kills it while it still polls (``polls_on``: the status
    finding that already has it polling past an end, whose course the 404's witness follows),
    and Retry-After ignored."""
    out, misses = _completion_findings(model, spec)
    out += _early_findings(model, spec)
    past = polls_on if isinstance(polls_on, Finding) else None
    polls_on = bool(polls_on) or misses
    flaky = SCENARIOS["transient-500"]
    if model.on_server_error == "raise":
        upto = flaky.answers[: next(i for i, a in enumerate(flaky.answers) if a.http >= 500) + 1]
        out.append(
            Finding(
                "dies-on-transient",
                "error",
                "inProgress",
                "raises on a transient 500 whose body is a valid status body: the job goes on",
                ("notStarted", "inProgress", "inProgress"),
                spec,
                _exchanges(upto),
            )
        )
    if polls_on and model.on_gone == "crash":
        out.append(_gone_finding(spec, past))
    if model.interval is not None and model.retry_after is False:
        slow = SCENARIOS["retry-after"]
        pace = f"every {model.interval:g} s" if model.interval else "with no pause"
        out.append(
            Finding(
                "ignores-retry-after",
                "warning",
                "inProgress",
                f"polls {pace} whatever Retry-After asks",
                ("notStarted", "inProgress"),
                spec,
                _exchanges(slow.answers[:2]),
            )
        )
    return out
