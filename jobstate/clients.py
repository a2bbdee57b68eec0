"""Client models: what a poller does on each status value, checked against a spec.

A :class:`ClientModel` says, for each status value, what the client does on seeing it
(``success``, ``failure``, ``cancelled``: it stops with that outcome; ``poll``: it keeps polling;
``crash``: it cannot parse the value), what it does with a value it does not know, and
optionally a timeout. :func:`check_client` returns a :class:`Finding` for every wrong
assumption, each with the shortest trace from the initial state that shows it.

>>> model = ClientModel("naive", {"completed": "success"}, unknown="poll")
>>> [(f.id, f.status) for f in check_client(model, "current") if f.severity == "error"]
[('polls-forever', 'failed'), ('polls-forever', 'cancelled')]

Real clients' profiles (``PROFILES``) come from ``shared/reference/asyncjobstatus-facts.md`` §3.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast, get_args

from jobstate.spec import SPEC_NAMES, Spec, get_spec

__all__ = [
    "FINDINGS",
    "FUTURE_VALUE",
    "PROFILES",
    "Action",
    "ClientModel",
    "Finding",
    "check_client",
    "load_model",
]

Action = Literal["success", "failure", "cancelled", "poll", "crash"]
UnknownAction = Literal["poll", "failure", "crash"]
_ACTIONS: tuple[str, ...] = get_args(Action)
_UNKNOWN_ACTIONS: tuple[str, ...] = get_args(UnknownAction)
_STOPS = ("success", "failure", "cancelled")

FUTURE_VALUE = "unknownFutureValue"
"""The synthetic value standing for one the service may add (Graph's enums are evolvable)."""

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
            if action not in _ACTIONS:
                raise ValueError(
                    f"client {self.name!r}: action {action!r} for {status!r};"
                    f" expected one of {', '.join(_ACTIONS)}"
                )
        if self.unknown not in _UNKNOWN_ACTIONS:
            raise ValueError(
                f"client {self.name!r}: unknown-value action {self.unknown!r};"
                f" expected one of {', '.join(_UNKNOWN_ACTIONS)}"
            )
        if self.timeout is not None and not self.timeout > 0:
            raise ValueError(f"client {self.name!r}: timeout must be positive")

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
                    raise ValueError(f"client {name!r}: {v!r} is both {actions[v]} and {action}")
                else:
                    actions[v] = cast(Action, action)
        chosen = unknown or star or "poll"
        if unknown and star and unknown != star:
            raise ValueError(f"client {name!r}: '*' is {star} but unknown is {unknown}")
        if chosen not in _UNKNOWN_ACTIONS:
            raise ValueError(
                f"client {name!r}: a value it does not know can only be"
                f" {', '.join(_UNKNOWN_ACTIONS)}, not {chosen!r}"
            )
        return cls(name, actions, cast(UnknownAction, chosen), timeout)


@dataclass(frozen=True)
class Finding:
    """One wrong assumption, with the shortest trace from the initial state that shows it."""

    id: str
    severity: Literal["error", "warning"]
    status: str
    message: str
    witness: tuple[str, ...]
    spec: str = field(default="current")

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
    """Every wrong assumption of ``model`` under ``spec``, errors first, in spec order."""
    sp = get_spec(spec)
    out: list[Finding] = []

    def add(
        fid: str,
        severity: Literal["error", "warning"],
        status: str,
        msg: str,
        witness: tuple[str, ...],
    ) -> None:
        out.append(Finding(fid, severity, status, msg, witness, sp.name))

    for name in sp.names:
        action = model.action(name)
        how = "" if name in model.actions else " (a value it does not know)"
        witness = _witness(sp, name)
        if action == "crash":
            add("crashes-on", "error", name, f"crashes on documented status '{name}'{how}", witness)
        elif name in sp.terminal:
            outcome = sp.outcome(name)
            if action == "poll":
                if model.timeout is None:
                    add(
                        "polls-forever",
                        "error",
                        name,
                        f"keeps polling on terminal '{name}' ({outcome}){how}: it never ends",
                        witness,
                    )
                else:
                    add(
                        "spurious-timeout",
                        "error",
                        name,
                        f"keeps polling on terminal '{name}' ({outcome}){how} until its"
                        f" {model.timeout:g} s timeout: a {outcome} looks like a timeout",
                        witness,
                    )
            elif action != outcome:
                both_bad = {action, outcome} <= {"failure", "cancelled"}
                add(
                    "wrong-outcome",
                    "warning" if both_bad else "error",
                    name,
                    f"reports '{name}' as {action}, but its outcome is {outcome}",
                    witness,
                )
        elif action in _STOPS:
            add(
                "stops-early",
                "error",
                name,
                f"treats non-terminal '{name}' as final ({action}){how}; the job goes on to"
                f" {', '.join(sorted(sp.reachable(name) & sp.terminal))}",
                witness,
            )

    # Values the client may meet that this spec does not document: the other revision's, and
    # a future one (Graph's enums are evolvable).
    union = get_spec("any")
    strangers = [n for n in union.names if n not in sp] + [FUTURE_VALUE]
    for value in strangers:
        action = model.action(value)
        if value in union:
            witness = _witness(union, value)
            where = "from the other revision"
            terminal = value in union.terminal
        else:
            witness = (union.initial, value)
            where = "a future value"
            terminal = False
        if action == "crash":
            add("unknown-value", "error", value, f"crashes on '{value}' ({where})", witness)
        elif terminal and action == union.outcome(value):
            continue  # handled as what it is
        elif terminal and action in _STOPS:
            add(
                "unknown-value",
                "warning",
                value,
                f"reports '{value}' ({where}) as {action}, but its outcome there is"
                f" {union.outcome(value)}",
                witness,
            )
        elif action in _STOPS:
            add(
                "unknown-value",
                "warning",
                value,
                f"stops with {action} on '{value}' ({where}), which is not final",
                witness,
            )
        elif terminal:
            add(
                "unknown-value",
                "warning",
                value,
                f"keeps polling on '{value}' ({where}), which is terminal there"
                + (
                    f": it ends only at its {model.timeout:g} s timeout"
                    if model.timeout
                    else ": it never ends"
                ),
                witness,
            )
    out.sort(key=lambda f: f.severity != "error")
    return out


# ---------------------------------------------------------------------------------------------
# Real clients (facts §3)
# ---------------------------------------------------------------------------------------------

# nuxeo's Java enum holds exactly the legacy revision's values
_LEGACY_VALUES = get_spec("legacy").names

PROFILES: Mapping[str, ClientModel] = {
    m.name: m
    for m in (
        ClientModel(
            "rclone",
            {"completed": "success", "failed": "failure", "deleteFailed": "failure"},
            unknown="poll",
            timeout=300,
            source="rclone/rclone backend/onedrive/onedrive.go waitForJob",
            notes="polls every 1 s until --timeout (default 5 min); ignores the HTTP status"
            " code and never reads the percentage; an AccessDenied_* errorCode triggers a"
            " fallback copy, which a status-level model does not show",
        ),
        ClientModel(
            "rclone-2018",
            {"completed": "success", "deleteFailed": "failure", "failed": "poll"},
            unknown="poll",
            timeout=300,
            source="rclone/rclone commit b709f73aa (fixed in b594cb943); rclone#4058",
            notes="a Go `case` without fallthrough made 'failed' a no-op: a failed job looked"
            " like a 5-minute timeout",
        ),
        ClientModel(
            "msgraph-dotnet",
            {
                "completed": "poll",
                "failed": "failure",
                "deleteFailed": "failure",
                "cancelled": "cancelled",
            },
            unknown="poll",
            source="microsoftgraph/msgraph-sdk-dotnet-core"
            " src/Microsoft.Graph.Core/Requests/AsyncMonitor.cs",
            notes="ends on any 2xx HTTP code other than 202, not on the status string: a"
            " 202 + 'completed' body (the Graph doc's sample) never ends the loop, modelled as"
            " 'completed' -> poll; a 303/200 answer at completion would end it. 'cancelled'"
            " returns null (modelled as cancelled); polls every 5 s with no timeout",
        ),
        ClientModel(
            "onedrive-sdk-python",
            {"completed": "poll", "failed": "failure", "deleteFailed": "failure"},
            unknown="poll",
            source="OneDrive/onedrive-sdk-python src/onedrivesdk/async_operation_monitor.py",
            notes="done means a body with no 'status' key (the item after the 303 redirect),"
            " so a {'status': 'completed'} body never ends the loop: modelled as 'completed'"
            " -> poll; polls again with no sleep and no timeout",
        ),
        ClientModel(
            "python-o365",
            {"completed": "success"},
            unknown="poll",
            source="O365/python-o365 O365/drive.py CopyOperation",
            notes="done means 'resourceId' present, which the completed body carries (Graph"
            " doc sample): modelled as 'completed' -> success; no failure case, no delay by"
            " default, no timeout",
        ),
        ClientModel(
            "nuxeo-onedrive-java",
            {**dict.fromkeys(_LEGACY_VALUES, "poll"), "completed": "success"},
            unknown="crash",
            source="nuxeo/onedrive-java-client OneDriveLongRunningAction.java",
            notes="parses the status with valueOf over an enum of the legacy 8 values, so any"
            " other value throws; ends only on 'completed'; exponential back-off 256 ms to ~8 s,"
            " no timeout",
        ),
    )
}
"""The real clients of facts §3, as status-level models (see each model's ``notes``)."""


def load_model(path: str | Path) -> ClientModel:
    """A model from a JSON or TOML file: keys ``name``, ``success``, ``failure``,
    ``cancelled``, ``poll``, ``crash`` (lists of values, ``*`` for every other value),
    ``unknown`` and ``timeout``."""
    p = Path(path)
    raw = p.read_bytes()
    data: Any
    if p.suffix.lower() == ".toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover
            import tomli as tomllib
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{p}: not valid TOML ({exc})") from None
    else:
        from jobstate._json import JSONDecodeError, loads

        try:
            data = loads(raw)
        except JSONDecodeError as exc:
            raise ValueError(f"{p}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{p}: a client model is an object/table")
    known = {"name", "success", "failure", "cancelled", "poll", "crash", "unknown", "timeout"}
    extra = sorted(set(data) - known)
    if extra:
        raise ValueError(
            f"{p}: unknown keys {', '.join(extra)}; expected {', '.join(sorted(known))}"
        )
    lists: dict[str, list[str]] = {}
    for key in ("success", "failure", "cancelled", "poll", "crash"):
        value = data.get(key, [])
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{p}: '{key}' must be a list of status values")
        lists[key] = value
    timeout = data.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))):
        raise ValueError(f"{p}: 'timeout' must be a number of seconds")
    unknown = data.get("unknown")
    if unknown is not None and not isinstance(unknown, str):
        raise ValueError(f"{p}: 'unknown' must be one of {', '.join(_UNKNOWN_ACTIONS)}")
    return ClientModel.from_lists(
        str(data.get("name", p.stem)), unknown=unknown, timeout=timeout, **lists
    )


def matrix(specs: Iterable[str] = ("current", "legacy")) -> dict[str, dict[str, list[Finding]]]:
    """Findings of every profile under every spec: ``{profile: {spec: findings}}``."""
    names = [s for s in specs if s in SPEC_NAMES]
    return {p: {s: check_client(m, s) for s in names} for p, m in PROFILES.items()}
