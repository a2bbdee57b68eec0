"""A monitor's answers, beside the spec: the exchange (one poll and its answer) that readers,
the emulator and the poller share, and its one reading (:func:`classify`). How Microsoft
Graph's dialects answer and the deviations its live service shows are the Graph pack's
(:mod:`jobstate.packs.graph.protocol`).

>>> classify(202, {"status": "inProgress"}), classify(303, None)
('status', 'see-other')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from jobstate._words import shortened
from jobstate.packs.graph.protocol import GONE_ERROR

__all__ = [
    "ANSWER_KINDS",
    "COMPLETIONS",
    "GONE",
    "GONE_ERROR",
    "MONITOR_PATHS",
    "AnswerKind",
    "Exchange",
    "classify",
    "retry_after_seconds",
]

GONE = frozenset({404, 410})
"""HTTP statuses that say a monitor no longer exists (sources: expiry-404); so does an error
whose code is :data:`GONE_ERROR`, whatever the HTTP status."""

MONITOR_PATHS = ("/monitor/", "/drive/operations/")
"""Monitor URL paths: Graph/OneDrive monitors and SharePoint v2.1 operations
(sources: monitor-start, v21-operations)."""


@dataclass(slots=True)
class Exchange:
    """One poll of a monitor URL and its answer, as far as a capture tells.

    ``time``: seconds since the epoch when the poll was sent (``None``: unknown);
    ``status``: the body's status value, if it has one; ``authorization``: whether the request
    sent an ``Authorization`` header (``None``: the capture does not keep request headers);
    ``retry_after``: the answer's ``Retry-After`` in seconds; ``progress``: the body's
    progress, when it is a number; ``kept``: the body's result fields (the spec's
    ``result``) with their values, shortened. One is made per poll read, so it is a plain
    slotted class (a frozen one costs a ``setattr`` call per field): treat it as read-only.
    """

    http: int | None
    status: str | None = None
    time: float | None = None
    authorization: bool | None = None
    retry_after: float | None = None
    location: str | None = None
    error: str | None = None
    body: bool = True
    item: bool = False
    progress: float | None = None
    kept: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(
        cls,
        http: int | None,
        body: object,
        *,
        time: float | None = None,
        authorization: bool | None = None,
        retry_after: float | None = None,
        location: str | None = None,
        keep: tuple[str, ...] = (),
        fields: tuple[str, str | None] = ("status", None),
    ) -> Exchange:
        """An exchange from an answer's parsed JSON body (any value, or ``None``); ``keep``:
        the body fields whose text or number values it keeps (shortened, made inert);
        ``fields``: the body's status and progress fields (a spec's; ``None``: no progress)."""
        if type(body) is not dict and not isinstance(body, Mapping):  # JSON objects: dicts
            return cls(http, None, time, authorization, retry_after, location, body=False)
        status = body.get(fields[0])
        err = body.get("error")
        code = err.get("code") if err is not None and isinstance(err, Mapping) else None
        return cls(
            http,
            status if isinstance(status, str) else None,
            time,
            authorization,
            retry_after,
            location,
            code if isinstance(code, str) else None,
            True,
            err is None and status is None and _is_item(body),
            _number(body.get(fields[1])) if fields[1] is not None else None,
            _kept(body, keep) if keep else (),
        )

    @property
    def gone(self) -> bool:
        """The monitor says it no longer exists: 404/410, or ``operationNotFound``."""
        return self.http in GONE or self.error == GONE_ERROR

    @property
    def redirect(self) -> bool:
        """Any 3xx (only a 303 See Other is the OneDrive completion: see :attr:`kind`)."""
        return self.http is not None and 300 <= self.http < 400

    @property
    def kind(self) -> AnswerKind:
        """What this answer is (see :func:`classify`)."""
        http = self.http
        if self.status is not None:
            return "status"
        if http == 303:
            return "see-other"
        if self.redirect:
            return "redirect"
        if self.gone:
            return "gone"
        if http is not None and (http == 429 or http >= 500):
            return "retry"
        if http is not None and 200 <= http < 300:
            return "item" if self.item else "malformed"
        return "error"


AnswerKind = Literal[
    "status", "see-other", "redirect", "gone", "retry", "item", "malformed", "error"
]
ANSWER_KINDS: tuple[AnswerKind, ...] = (
    "status",
    "see-other",
    "redirect",
    "gone",
    "retry",
    "item",
    "malformed",
    "error",
)
"""What an answer to a poll is, by :func:`classify`."""


def classify(http: int | None, body: object, field: str = "status") -> AnswerKind:
    """What a monitor's answer is, from its HTTP status and parsed JSON body (``None``: no body,
    or not JSON); ``field``: where a body holds its status (a spec's ``status_field``).

    - ``status``: a body with a text ``status`` (whatever the HTTP status: a 500 may carry a
      valid one, sources: transient-500);
    - ``see-other``: a ``303``, the OneDrive completion (sources: completion-303);
    - ``redirect``: any other 3xx, which no document names for a monitor;
    - ``gone``: 404, 410 or an ``operationNotFound`` error (sources: expiry-404,
      operation-not-found);
    - ``retry``: 429 or a 5xx without a status body;
    - ``item``: a 2xx whose body is the finished item (a text ``id``, no ``status`` and no
      ``error`` key), the monitor answering with the item itself (sources: location-is-item);
    - ``malformed``: any other 2xx (``{}``, ``{"status": null}``, an error body, no JSON);
    - ``error``: any other answer (401, 400, ...), which no retry fixes.

    >>> classify(202, {"status": "inProgress"}), classify(200, {"id": "01X", "name": "a"})
    ('status', 'item')
    >>> classify(202, {"status": None}), classify(200, {}), classify(303, None)
    ('malformed', 'malformed', 'see-other')
    >>> classify(500, {"error": {"code": "operationNotFound"}}), classify(503, None)
    ('gone', 'retry')
    """
    return Exchange.of(http, body, fields=(field, None)).kind


COMPLETIONS: frozenset[AnswerKind] = frozenset({"see-other", "item"})
"""The answers that end a job successfully without a status body."""


def _kept(body: Mapping[str, object], keep: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    if body.keys().isdisjoint(keep):  # most answers hold none of them: one C-level test
        return ()
    out = []
    for name in keep:
        value = body.get(name)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            out.append((name, shortened(value, 200)))
    return tuple(out)


def _number(value: object) -> float | None:
    if type(value) is float:  # the common case first: one type test
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:  # an integer past a double's range: no progress to time by
            return None
    return None


def _is_item(body: object) -> bool:
    return (
        isinstance(body, Mapping)
        and isinstance(body.get("id"), str)
        and "status" not in body
        and "error" not in body
    )


def retry_after_seconds(value: object) -> float | None:
    """``Retry-After`` as seconds: a non-negative integer (an HTTP date is not read here).

    A value too long to be a delay a server means (more than 9 digits, over 31 years) is
    read as that cap, never as an overflow.

    >>> retry_after_seconds("5"), retry_after_seconds(" 0 "), retry_after_seconds("soon")
    (5.0, 0.0, None)
    >>> retry_after_seconds("9" * 5000)
    999999999.0
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not (text.isdigit() and text.isascii()):
        return None
    digits = text.lstrip("0") or "0"
    return float(int(digits)) if len(digits) <= 9 else RETRY_AFTER_CAP


RETRY_AFTER_CAP = 999_999_999.0
"""The largest ``Retry-After`` read, in seconds: longer values are read as this."""
