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
from pathlib import Path
from typing import Any

from jobstate._constants import (
    CLIENT_PROTOCOL_KEYS,
    DEFAULT_CLIENT_SPECS,
    SPEC_NAMES,
    TERMINAL_OUTCOMES,
    UNKNOWN_ACTIONS,
    Severity,
)
from jobstate.exceptions import ClientModelError
from jobstate.spec import Spec, get_spec
from jobstate.spec.policy import ClientExpects

__all__ = [
    "FINDINGS",
    "ClientModel",
    "Finding",
    "check_client",
    "graph_pack",
    "load_model",
    "matrix",
    "protocol_findings",
    "with_protocol",
]

from jobstate.client_model import FINDINGS, ClientModel, Finding


def _witness(spec: Spec, status: str, model: ClientModel) -> tuple[str, ...]:
    """The shortest trace from the initial state to ``status`` along which ``model`` polls
    on (so that it meets ``status`` and this finding, not an earlier one where it stops or
    crashes); where no such trace exists, the shortest trace there."""
    polled = [s for s in spec.names if model.action(s) == "poll"]
    path = spec.shortest_path(spec.initial, status, through=polled)
    if path is None:
        path = spec.shortest_path(spec.initial, status)
    assert path is not None  # every state is reachable: checked when the spec loads
    return path


def check_client(model: ClientModel, spec: str | Spec = "current") -> list[Finding]:
    """Every wrong assumption of ``model`` under ``spec``, errors first, in spec order. A
    client that stops only on ``completed`` polls the legacy spec's other ends forever:

        >>> [f.id for f in check_client(ClientModel("c", {"completed": "success"}), "legacy")][:2]
        ['polls-forever', 'polls-forever']
    """
    sp = get_spec(spec)
    out = [f for name in sp.names if (f := _documented_finding(model, sp, name)) is not None]
    out += _stranger_findings(model, sp)
    if not graph_pack(sp):  # the other revision and the HTTP answers are Graph's own
        return sorted(out, key=lambda f: f.severity != "error")
    past = next((f for f in out if f.id in ("polls-forever", "spurious-timeout")), None)
    out += protocol_findings(model, sp.name, polls_on=past or False)
    out.sort(key=lambda f: f.severity != "error")
    return out


def graph_pack(spec: Spec) -> bool:
    """Whether ``spec`` is one of the Microsoft Graph pack's built-in specs, whose other
    revision, future values and HTTP answers :func:`check_client` also checks."""
    return spec.name in SPEC_NAMES and get_spec(spec.name) is spec


def _documented_finding(model: ClientModel, sp: Spec, name: str) -> Finding | None:
    """What is wrong with the client's action on ``name``, a value of ``sp``, if anything."""
    action = model.action(name)
    how = "" if name in model.actions else " (a value it does not know)"
    witness = _witness(sp, name, model)

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
    """Values the client may meet that ``sp`` does not document: the other revision's (the
    Graph pack's specs), and the spec's unknown value, met as its policy says."""
    union = get_spec("any") if graph_pack(sp) else sp
    out = []
    for value in [n for n in union.names if n not in sp] + [sp.unknown.value]:
        msg = _stranger_message(model, union, value, sp.unknown.client)
        if msg is not None:
            severity: Severity = "error" if model.action(value) == "crash" else "warning"
            witness = _witness(union, value, model) if value in union else (union.initial, value)
            out.append(Finding("unknown-value", severity, value, msg, witness, sp.name))
    return out


def _does(action: str) -> str:
    return "keeps polling" if action == "poll" else f"stops with {action}"


def _stranger_message(
    model: ClientModel, union: Spec, value: str, policy: ClientExpects
) -> str | None:
    action = model.action(value)
    where = "from the other revision" if value in union else "a future value"
    if value not in union and policy == "failure" and action != "crash":
        if action == "failure":
            return None  # gives the job up, as the spec's unknown-value policy says
        return f"{_does(action)} on '{value}' ({where}), which the spec says ends as a failure"
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
    ``ends_on``, ``on_redirect``, ``on_gone``, ``on_server_error``, ``on_no_status``,
    ``interval``, ``retry_after`` (see :class:`ClientModel`), each also spelt as its option
    (``ends-on``, ``on-redirect``, ``on-gone``, ``on-5xx``, ``on-no-status``,
    ``retry-after``)."""
    p = Path(path)
    data = _read_model_file(p)
    if not isinstance(data, dict):
        raise ClientModelError(f"{p}: a client model is an object/table")
    data = {_KEY_ALIASES.get(k, k): v for k, v in data.items()}
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


_PROTOCOL_KEYS = CLIENT_PROTOCOL_KEYS
_KEY_ALIASES = {
    "ends-on": "ends_on",
    "on-redirect": "on_redirect",
    "on-gone": "on_gone",
    "on-5xx": "on_server_error",
    "on_5xx": "on_server_error",
    "on-no-status": "on_no_status",
    "retry-after": "retry_after",
}
"""Model-file keys spelt as ``jobstate client``'s options (``on-5xx``): the same as the
Python names (``on_server_error``), which are still read."""


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
    for key in ("on_redirect", "on_gone", "on_server_error", "on_no_status"):
        if key in given and not isinstance(given[key], str):
            raise ClientModelError(f"client {model.name!r}: {key} must be a string")
    return replace(model, **given)


def matrix(
    profiles: Mapping[str, ClientModel], specs: Iterable[str] = DEFAULT_CLIENT_SPECS
) -> dict[str, dict[str, list[Finding]]]:
    """Findings of every profile under every spec: ``{profile: {spec: findings}}``."""
    names = [s for s in specs if s in SPEC_NAMES]
    return {p: {s: check_client(m, s) for s in names} for p, m in profiles.items()}


def protocol_findings(
    model: ClientModel, spec: str = "current", *, polls_on: bool | Finding = False
) -> list[Finding]:
    """What the client gets wrong with the Microsoft Graph monitor's HTTP answers (the pack's:
    :func:`jobstate.packs.graph.client_protocol.protocol_findings`)."""
    from jobstate.packs.graph import client_protocol

    return client_protocol.protocol_findings(model, spec, polls_on=polls_on)
