"""Client models: what a poller does on each status value, checked against a spec.

A :class:`ClientModel` says, for each status value, what the client does on seeing it
(``success``, ``failure``, ``cancelled``: it stops with that outcome; ``poll``: it keeps polling;
``crash``: it cannot parse the value), what it does with a value it does not know, and
optionally a timeout. :func:`check_client` returns a :class:`Finding` for every wrong
assumption, each with the shortest trace from the initial state that shows it.

>>> model = ClientModel("naive", {"completed": "success"}, unknown="poll")
>>> [(f.id, f.status) for f in check_client(model, "current") if f.severity == "error"]
[('polls-forever', 'failed'), ('polls-forever', 'cancelled')]

Real clients' profiles are data, in :mod:`jobstate.profiles`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from jobstate._constants import (
    ACTIONS,
    DEFAULT_CLIENT_SPECS,
    FUTURE_VALUE,
    SPEC_NAMES,
    TERMINAL_OUTCOMES,
    UNKNOWN_ACTIONS,
    Action,
    Severity,
    UnknownAction,
)
from jobstate.exceptions import ClientModelError
from jobstate.spec import Spec, get_spec

__all__ = ["FINDINGS", "ClientModel", "Finding", "check_client", "load_model", "matrix"]

FINDINGS: Mapping[str, str] = {
    "polls-forever": "a terminal status the client keeps polling on (no timeout)",
    "spurious-timeout": "a terminal status the client keeps polling on until its timeout",
    "stops-early": "a non-terminal status the client treats as final",
    "wrong-outcome": "a terminal status mapped to another outcome",
    "crashes-on": "a documented status the client cannot handle",
    "unknown-value": "what the client does with a value it does not know",
}
"""The finding ids (public API) and what each means."""


@dataclass(frozen=True)
class ClientModel:
    """What a client does on each status value.

    ``actions`` maps the values the client knows to what it does; every other value gets
    ``unknown``. ``timeout`` (seconds) turns polling forever into a timeout.
    """

    name: str
    actions: Mapping[str, Action]
    unknown: UnknownAction = "poll"
    timeout: float | None = None
    source: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": self.severity,
            "status": self.status,
            "message": self.message,
            "witness": list(self.witness),
            "witness_bodies": [{"status": s} for s in self.witness],
        }


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
    if p.suffix.lower() == ".toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover
            import tomli as tomllib
        try:
            return tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ClientModelError(f"{p}: not valid TOML ({exc})") from None
        except RecursionError:
            raise ClientModelError(f"{p}: nested too deeply to be a client model") from None
    from jobstate._json import JSONDecodeError, loads

    try:
        return loads(raw)
    except JSONDecodeError as exc:
        raise ClientModelError(f"{p}: not valid JSON ({exc})") from None


def load_model(path: str | Path) -> ClientModel:
    """A model from a JSON or TOML file: keys ``name``, ``success``, ``failure``,
    ``cancelled``, ``poll``, ``crash`` (lists of values, ``*`` for every other value),
    ``unknown`` and ``timeout``."""
    p = Path(path)
    data = _read_model_file(p)
    if not isinstance(data, dict):
        raise ClientModelError(f"{p}: a client model is an object/table")
    known = {"name", "success", "failure", "cancelled", "poll", "crash", "unknown", "timeout"}
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
    return ClientModel.from_lists(
        str(data.get("name", p.stem)), unknown=unknown, timeout=timeout, **lists
    )


def matrix(
    profiles: Mapping[str, ClientModel], specs: Iterable[str] = DEFAULT_CLIENT_SPECS
) -> dict[str, dict[str, list[Finding]]]:
    """Findings of every profile under every spec: ``{profile: {spec: findings}}``."""
    names = [s for s in specs if s in SPEC_NAMES]
    return {p: {s: check_client(m, s) for s in names} for p, m in profiles.items()}
