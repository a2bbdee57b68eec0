"""A client model: what a poller does on each status value and HTTP answer, and the finding
a wrong assumption of it gives (:mod:`jobstate.clients` checks models against a spec)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from jobstate._constants import (
    ACTIONS,
    ENDS_ON,
    ON_GONE,
    ON_NO_STATUS,
    ON_REDIRECT,
    ON_SERVER_ERROR,
    UNKNOWN_ACTIONS,
    Action,
    EndsOn,
    OnGone,
    OnNoStatus,
    OnRedirect,
    OnServerError,
    Severity,
    UnknownAction,
)
from jobstate.exceptions import ClientModelError

__all__ = ["FINDINGS", "ClientModel", "Finding"]


FINDINGS: Mapping[str, str] = {
    "polls-forever": "a terminal status the client keeps polling on (no timeout)",
    "spurious-timeout": "a terminal status the client keeps polling on until its timeout",
    "stops-early": "a non-terminal status (or an answer before the end) the client treats as final",
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
    the item and judge that answer, ``stop`` as success (the default), ``crash``, or ``poll``
    the monitor again, which answers the 303 again), ``on_gone`` (a 404 from an expired
    monitor), ``on_server_error`` (a 5xx: ``retry``, ``raise``, read its body as usual:
    ``poll``, or ``raise-on-error``: read a status body as usual, raise on an error body),
    ``on_no_status`` (a 2xx body without ``status``, such as the item itself, unless
    ``ends_on`` ends the loop on it: ``unknown`` treats it as an unknown value, ``crash``
    raises, as code that reads ``body["status"]`` does), ``interval`` (seconds between
    polls; 0: no sleep) and ``retry_after`` (whether it honours ``Retry-After``; ``None``: not
    known).
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
    on_no_status: OnNoStatus = "unknown"
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
            (self.on_no_status, ON_NO_STATUS, "on_no_status"),
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
