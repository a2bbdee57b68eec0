"""Client models: what a poller does on each status value, checked against a spec.

A :class:`ClientModel` says, for each status value, what the client does on seeing it
(``success``, ``failure``, ``cancelled``: it stops with that outcome; ``poll``: it keeps polling;
``crash``: it cannot parse the value), what it does with a value it does not know, and
optionally a timeout. :func:`check_client` returns a :class:`Finding` for every wrong
assumption, each with the shortest trace from the initial state that shows it.

>>> model = ClientModel("naive", {"completed": "success"}, unknown="poll")
>>> [(f.id, f.status) for f in check_client(model, "current") if f.severity == "error"]
[('polls-forever', 'failed'), ('polls-forever', 'cancelled')]

Real clients' profiles are data, in :mod:`jobstate.packs.graph.profiles`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from jobstate._constants import (
    ACTIONS,
    DEFAULT_CLIENT_SPECS,
    ENDS_ON,
    FUTURE_VALUE,
    ON_GONE,
    ON_REDIRECT,
    ON_SERVER_ERROR,
    SPEC_NAMES,
    TERMINAL_OUTCOMES,
    UNKNOWN_ACTIONS,
    Action,
    EndsOn,
    OnGone,
    OnRedirect,
    OnServerError,
    Severity,
    UnknownAction,
)
from jobstate.exceptions import ClientModelError
from jobstate.spec import Spec, get_spec

__all__ = [
    "FINDINGS",
    "ClientModel",
    "Finding",
    "check_client",
    "load_model",
    "matrix",
    "protocol_findings",
    "with_protocol",
]

FINDINGS: Mapping[str, str] = {
    "polls-forever": "a terminal status the client keeps polling on (no timeout)",
    "spurious-timeout": "a terminal status the client keeps polling on until its timeout",
    "stops-early": "a non-terminal status the client treats as final",
    "wrong-outcome": "a terminal status mapped to another outcome",
    "crashes-on": "a documented status the client cannot handle",
    "unknown-value": "what the client does with a value it does not know",
    "misses-completion": "a dialect's completion (202 body, 303, 200) the client cannot see",
    "dies-on-transient": "a transient 5xx with a valid body kills the client",
    "crashes-on-gone": "the monitor expiring (404) after the end kills a client still polling",
    "ignores-retry-after": "the client polls at its own pace whatever Retry-After asks",
}
"""The finding ids (public API) and what each means."""


@dataclass(frozen=True)
class ClientModel:
    """What a client does on each status value.

    ``actions`` maps the values the client knows to what it does; every other value gets
    ``unknown``. ``timeout`` (seconds) turns polling forever into a timeout.

    What the client decides by beyond the status string: ``ends_on`` (``status``: the actions;
    ``http-not-202``: any 2xx but 202 ends it; ``no-status``: a body without ``status`` does;
    ``resource-id``: a body with ``resourceId`` does), ``on_redirect`` (a 303: ``follow`` it to
    the item and judge that answer, ``stop`` as success (the default), ``crash``), ``on_gone``
    (a 404 from
    an expired monitor), ``on_server_error`` (a 5xx: ``retry``, ``raise``, or read its body as
    usual: ``poll``), ``interval`` (seconds between polls; 0: no sleep) and ``retry_after``
    (whether it honours ``Retry-After``; ``None``: not known).
    """

    name: str
    actions: Mapping[str, Action]
    unknown: UnknownAction = "poll"
    timeout: float | None = None
    source: str = ""
    notes: str = ""
    ends_on: frozenset[EndsOn] = frozenset({"status"})
    on_redirect: OnRedirect = "stop"
    on_gone: OnGone = "stop"
    on_server_error: OnServerError = "retry"
    interval: float | None = None
    retry_after: bool | None = None

    def __post_init__(self) -> None:
        self._check_protocol()
        for status, action in self.actions.items():
            if action not in ACTIONS:
                raise ClientModelError(
                    f"client {self.name!r}: action {action!r} for {status!r};"
                    f" expected one of {', '.join(ACTIONS)}"
                )
        if self.unknown not in UNKNOWN_ACTIONS:
            raise ClientModelError(
                f"client {self.name!r}: unknown-value action {self.unknown!r};"
                f" expected one of {', '.join(UNKNOWN_ACTIONS)}"
            )
        if self.timeout is not None and not self.timeout > 0:
            raise ClientModelError(f"client {self.name!r}: timeout must be positive")

    def _check_protocol(self) -> None:
        for value, allowed, what in (
            (self.on_redirect, ON_REDIRECT, "on_redirect"),
            (self.on_gone, ON_GONE, "on_gone"),
            (self.on_server_error, ON_SERVER_ERROR, "on_server_error"),
        ):
            if value not in allowed:
                raise ClientModelError(
                    f"client {self.name!r}: {what} {value!r}; expected one of {', '.join(allowed)}"
                )
        bad = sorted(set(self.ends_on) - set(ENDS_ON))
        if bad or not self.ends_on:
            raise ClientModelError(
                f"client {self.name!r}: ends_on {', '.join(bad) or '(empty)'}; expected some of"
                f" {', '.join(ENDS_ON)}"
            )
        if self.interval is not None and not self.interval >= 0:
            raise ClientModelError(f"client {self.name!r}: interval must be >= 0 seconds")

    def action(self, status: str) -> Action:
        """What the client does on seeing ``status``."""
        return self.actions.get(status, self.unknown)

    @classmethod
    def from_lists(
        cls,
        name: str = "client",
        *,
        success: Iterable[str] = (),
        failure: Iterable[str] = (),
        cancelled: Iterable[str] = (),
        poll: Iterable[str] = (),
        crash: Iterable[str] = (),
        unknown: str | None = None,
        timeout: float | None = None,
    ) -> ClientModel:
        """A model from lists of values per action; ``*`` in a list sets the unknown action."""
        actions: dict[str, Action] = {}
        star: str | None = None
        for action, values in (
            ("success", success),
            ("failure", failure),
            ("cancelled", cancelled),
            ("poll", poll),
            ("crash", crash),
        ):
            for v in values:
                if v == "*":
                    star = action
                elif v in actions:
                    raise ClientModelError(
                        f"client {name!r}: {v!r} is both {actions[v]} and {action}"
                    )
                else:
                    actions[v] = cast(Action, action)
        chosen = unknown or star or "poll"
        if unknown and star and unknown != star:
            raise ClientModelError(f"client {name!r}: '*' is {star} but unknown is {unknown}")
        if chosen not in UNKNOWN_ACTIONS:
            raise ClientModelError(
                f"client {name!r}: a value it does not know can only be"
                f" {', '.join(UNKNOWN_ACTIONS)}, not {chosen!r}"
            )
        return cls(name, actions, chosen, timeout)


@dataclass(frozen=True)
class Finding:
    """One wrong assumption, with the shortest trace from the initial state that shows it."""

    id: str
    severity: Severity
    status: str
    message: str
    witness: tuple[str, ...]
    spec: str = "current"
    exchanges: tuple[Mapping[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "severity": self.severity,
            "status": self.status,
            "message": self.message,
            "witness": list(self.witness),
            "witness_bodies": [{"status": s} for s in self.witness],
        }
        if self.exchanges:
            out["witness_exchanges"] = [dict(e) for e in self.exchanges]
        return out


def _witness(spec: Spec, status: str) -> tuple[str, ...]:
    path = spec.shortest_path(spec.initial, status)
    assert path is not None  # every state is reachable: checked when the spec loads
    return path


def check_client(model: ClientModel, spec: str | Spec = "current") -> list[Finding]:
    """Every wrong assumption of ``model`` under ``spec``, errors first, in spec order.

    >>> [f.id for f in check_client(ClientModel("c", {"completed": "success"}), "legacy")][:2]
    ['polls-forever', 'polls-forever']
    """
    sp = get_spec(spec)
    out = [f for name in sp.names if (f := _documented_finding(model, sp, name)) is not None]
    out += _stranger_findings(model, sp)
    polls_on = any(f.id in ("polls-forever", "spurious-timeout") for f in out)
    out += protocol_findings(model, sp.name, polls_on=polls_on)
    out.sort(key=lambda f: f.severity != "error")
    return out


def _documented_finding(model: ClientModel, sp: Spec, name: str) -> Finding | None:
    """What is wrong with the client's action on ``name``, a value of ``sp``, if anything."""
    action = model.action(name)
    how = "" if name in model.actions else " (a value it does not know)"
    witness = _witness(sp, name)

    def finding(fid: str, severity: Severity, msg: str) -> Finding:
        return Finding(fid, severity, name, msg, witness, sp.name)

    if action == "crash":
        return finding("crashes-on", "error", f"crashes on documented status '{name}'{how}")
    if name not in sp.terminal:
        if action in TERMINAL_OUTCOMES:
            ends = ", ".join(sorted(sp.reachable(name) & sp.terminal))
            return finding(
                "stops-early",
                "error",
                f"treats non-terminal '{name}' as final ({action}){how}; the job goes on to {ends}",
            )
        return None
    outcome = sp.outcome(name)
    if action == "poll" and model.timeout is None:
        return finding(
            "polls-forever",
            "error",
            f"keeps polling on terminal '{name}' ({outcome}){how}: it never ends",
        )
    if action == "poll":
        return finding(
            "spurious-timeout",
            "error",
            f"keeps polling on terminal '{name}' ({outcome}){how} until its"
            f" {model.timeout:g} s timeout: a {outcome} looks like a timeout",
        )
    if action != outcome:
        both_bad = {action, outcome} <= {"failure", "cancelled"}
        return finding(
            "wrong-outcome",
            "warning" if both_bad else "error",
            f"reports '{name}' as {action}, but its outcome is {outcome}",
        )
    return None


def _stranger_findings(model: ClientModel, sp: Spec) -> list[Finding]:
    """Values the client may meet that ``sp`` does not document: the other revision's, and a
    future one (Graph's enums are evolvable)."""
    union = get_spec("any")
    out = []
    for value in [n for n in union.names if n not in sp] + [FUTURE_VALUE]:
        msg = _stranger_message(model, union, value)
        if msg is not None:
            severity: Severity = "error" if model.action(value) == "crash" else "warning"
            witness = _witness(union, value) if value in union else (union.initial, value)
            out.append(Finding("unknown-value", severity, value, msg, witness, sp.name))
    return out


def _stranger_message(model: ClientModel, union: Spec, value: str) -> str | None:
    action = model.action(value)
    where = "from the other revision" if value in union else "a future value"
    terminal = value in union and value in union.terminal
    if action == "crash":
        return f"crashes on '{value}' ({where})"
    if terminal and action == union.outcome(value):
        return None  # handled as what it is
    if terminal and action in TERMINAL_OUTCOMES:
        return (
            f"reports '{value}' ({where}) as {action}, but its outcome there is"
            f" {union.outcome(value)}"
        )
    if action in TERMINAL_OUTCOMES:
        return f"stops with {action} on '{value}' ({where}), which is not final"
    if terminal:
        end = (
            f"it ends only at its {model.timeout:g} s timeout" if model.timeout else "it never ends"
        )
        return f"keeps polling on '{value}' ({where}), which is terminal there: {end}"
    return None


def _read_model_file(p: Path) -> Any:
    """The parsed content of a JSON or TOML model file, or :class:`ClientModelError`."""
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ClientModelError(f"{p}: cannot read ({exc.strerror or exc})") from None
    from jobstate._toml import load_document

    try:
        return load_document(raw, toml=p.suffix.lower() == ".toml")
    except ValueError as exc:
        raise ClientModelError(f"{p}: {exc}") from None


def load_model(path: str | Path) -> ClientModel:
    """A model from a JSON or TOML file: keys ``name``, ``success``, ``failure``,
    ``cancelled``, ``poll``, ``crash`` (lists of values, ``*`` for every other value),
    ``unknown`` and ``timeout``; and, optionally, what it decides by beyond the status:
    ``ends_on``, ``on_redirect``, ``on_gone``, ``on_server_error``, ``interval``,
    ``retry_after`` (see :class:`ClientModel`)."""
    p = Path(path)
    data = _read_model_file(p)
    if not isinstance(data, dict):
        raise ClientModelError(f"{p}: a client model is an object/table")
    known = {"name", "success", "failure", "cancelled", "poll", "crash", "unknown", "timeout"}
    known |= set(_PROTOCOL_KEYS)
    extra = sorted(set(data) - known)
    if extra:
        raise ClientModelError(
            f"{p}: unknown keys {', '.join(extra)}; expected {', '.join(sorted(known))}"
        )
    lists: dict[str, list[str]] = {}
    for key in ("success", "failure", "cancelled", "poll", "crash"):
        value = data.get(key, [])
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ClientModelError(f"{p}: '{key}' must be a list of status values")
        lists[key] = value
    timeout = data.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))):
        raise ClientModelError(f"{p}: 'timeout' must be a number of seconds")
    unknown = data.get("unknown")
    if unknown is not None and not isinstance(unknown, str):
        raise ClientModelError(f"{p}: 'unknown' must be one of {', '.join(UNKNOWN_ACTIONS)}")
    model = ClientModel.from_lists(
        str(data.get("name", p.stem)), unknown=unknown, timeout=timeout, **lists
    )
    return with_protocol(model, **{k: data[k] for k in _PROTOCOL_KEYS if k in data})


_PROTOCOL_KEYS = ("ends_on", "on_redirect", "on_gone", "on_server_error", "interval", "retry_after")


def with_protocol(model: ClientModel, **values: Any) -> ClientModel:
    """``model`` with what it decides by beyond the status string (keys as the fields:
    ``ends_on`` a list or comma-separated text; ``None`` values are left as they are)."""
    from dataclasses import replace

    given = {k: v for k, v in values.items() if v is not None}
    ends = given.get("ends_on")
    if isinstance(ends, str):
        ends = [e.strip() for e in ends.split(",") if e.strip()]
    if ends is not None:
        if not isinstance(ends, list) or not all(isinstance(e, str) for e in ends):
            raise ClientModelError(f"client {model.name!r}: ends_on must be a list of strings")
        given["ends_on"] = frozenset(ends)
    interval = given.get("interval")
    if interval is not None and (
        isinstance(interval, bool) or not isinstance(interval, (int, float))
    ):
        raise ClientModelError(f"client {model.name!r}: interval must be a number of seconds")
    if not isinstance(given.get("retry_after", False), bool):
        raise ClientModelError(f"client {model.name!r}: retry_after must be true or false")
    for key in ("on_redirect", "on_gone", "on_server_error"):
        if key in given and not isinstance(given[key], str):
            raise ClientModelError(f"client {model.name!r}: {key} must be a string")
    return replace(model, **given)


def matrix(
    profiles: Mapping[str, ClientModel], specs: Iterable[str] = DEFAULT_CLIENT_SPECS
) -> dict[str, dict[str, list[Finding]]]:
    """Findings of every profile under every spec: ``{profile: {spec: findings}}``."""
    names = [s for s in specs if s in SPEC_NAMES]
    return {p: {s: check_client(m, s) for s in names} for p, m in profiles.items()}


# -- the protocol: what the client does with HTTP answers ----------------------------------------

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
    if "status" in model.ends_on:
        return model.action(status if isinstance(status, str) else "")
    return "poll"


def _on_answer(model: ClientModel, http: int, body: Mapping[str, Any] | None) -> str:
    """What the client does with one answer: success/failure/cancelled, poll, crash, raise."""
    if 300 <= http < 400:
        if model.on_redirect == "follow":
            return _on_body(model, 200, _ITEM)
        return "success" if model.on_redirect == "stop" else "crash"
    if http >= 500 and model.on_server_error != "poll":
        return "poll" if model.on_server_error == "retry" else "crash"
    if http in (404, 410):
        return {"stop": "failure", "crash": "crash", "poll": "poll"}[model.on_gone]
    return _on_body(model, http, body or {})


def _exchanges(answers: Iterable[Any]) -> tuple[dict[str, Any], ...]:
    return tuple(a.to_dict() for a in answers)


def protocol_findings(
    model: ClientModel, spec: str = "current", *, polls_on: bool = False
) -> list[Finding]:
    """What the client gets wrong with HTTP answers (each with its shortest witness exchange
    sequence, from the monitor scenarios): a completion it cannot see, a transient 5xx that
    kills it, a 404 after the end that kills it while it still polls (``polls_on``: a status
    finding already has it polling past an end), and Retry-After ignored."""
    from jobstate.packs.graph.scenarios import SCENARIOS

    out = []
    for name in ("completed", "completed-303", "completed-200"):
        sc = SCENARIOS[name]
        last = sc.answers[-1]
        does = _on_answer(model, last.http, last.body)
        if does != "success":
            polls_on = polls_on or does == "poll"
            how = {"poll": "keeps polling", "crash": "crashes"}.get(does, f"reports {does}")
            until = f": it ends only at its {model.timeout:g} s timeout" if model.timeout else ""
            out.append(Finding(
                "misses-completion", "error", "completed",
                f"{how} on the {sc.dialect} dialect's completion (HTTP {last.http})"
                + (until if does == "poll" else ""),
                tuple(a.body["status"] for a in sc.answers if a.body and "status" in a.body),
                spec, _exchanges(sc.answers),
            ))  # fmt: skip
    flaky = SCENARIOS["transient-500"]
    if model.on_server_error == "raise":
        upto = flaky.answers[: next(i for i, a in enumerate(flaky.answers) if a.http >= 500) + 1]
        out.append(Finding(
            "dies-on-transient", "error", "inProgress",
            "raises on a transient 500 whose body is a valid status body: the job goes on",
            ("notStarted", "inProgress", "inProgress"), spec, _exchanges(upto),
        ))  # fmt: skip
    if polls_on and model.on_gone == "crash":
        expired = SCENARIOS["expired-404"]
        answers = [*expired.answers, expired.answer(len(expired.answers) + 1, 2)]
        out.append(Finding(
            "crashes-on-gone", "error", "completed",
            "still polling after an end, it crashes when the monitor expires (404)",
            ("notStarted", "inProgress", "completed"), spec, _exchanges(answers),
        ))  # fmt: skip
    if model.interval is not None and model.retry_after is False:
        slow = SCENARIOS["retry-after"]
        pace = f"every {model.interval:g} s" if model.interval else "with no pause"
        out.append(Finding(
            "ignores-retry-after", "warning", "inProgress",
            f"polls {pace} whatever Retry-After asks",
            ("notStarted", "inProgress"), spec, _exchanges(slow.answers[:2]),
        ))  # fmt: skip
    return out
