"""A spec-correct monitor poller on httpx: :func:`wait` and :func:`wait_async`.

It follows every dialect (202/200 bodies, a 303 to the item), honours ``Retry-After`` with a
capped back-off, retries transient 5xx, 429 and connection failures a bounded number of times,
ends on the spec's terminal set, and keeps polling through values it does not know
(``unknownFutureValue``) until its timeout. Built on httpx, which installs with jobstate.

Its promises, whatever the server answers:

- **credentials**: the monitor URL is pre-authenticated, so no credential (``auth=``, and the
  ``Authorization``, ``Proxy-Authorization``, ``Cookie`` and API-key headers of your client's
  defaults) is ever sent to it. The item a ``303`` points at is fetched with your client's
  credentials only when its origin (scheme, host, port) is trusted: ``trusted_origins``, by
  default the origin of your client's ``base_url``. Otherwise it is not fetched and
  ``WaitResult.not_followed`` says why; the outcome is still ``success``, since the 303 said so.
  A poller that made its own client has no credentials to give, and follows the 303 anywhere.
- **time**: the call returns within ``timeout`` (plus a few milliseconds), even from a server
  that never answers or trickles its answer a byte at a time.
- **memory**: at most :data:`MAX_ANSWER_BYTES` of an answer are read, counted after decoding.
- **errors**: every way the monitor cannot be read to an end is a :class:`MonitorError`.

::

    result = jobstate.monitor.wait(location, timeout=600)
    if result.outcome == "success":
        print(result.resource_id)
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from jobstate._constants import Outcome
from jobstate._fetch import Answer, Deadline, fetch, fetch_async
from jobstate._origins import Origin, origin_of, show, strip_credentials, trusted
from jobstate._words import shortened
from jobstate.exceptions import MonitorError, OptionError
from jobstate.spec import Spec, get_spec
from jobstate.spec.protocol import Exchange, classify, retry_after_seconds

if TYPE_CHECKING:
    import httpx

__all__ = ["MAX_ANSWER_BYTES", "MonitorError", "WaitResult", "wait", "wait_async"]

Progress = Callable[[Exchange], None]

MAX_ANSWER_BYTES = 65_536
"""The most of one answer the poller reads, in bytes after decoding: a monitor body is a few
hundred bytes. A longer 2xx answer is a :class:`MonitorError`; a longer 5xx or 429 answer is
an error answer whose body is not read."""


@dataclass
class WaitResult:
    """How a job ended: ``outcome`` (``unfinished`` on a timeout), the last status body (the
    item's body after a 303), the new item's ``resource_id`` if known, the number of monitor
    ``polls``, and every exchange (the item's fetch after a 303 included). ``location`` is the
    item a 303 pointed at; ``not_followed`` says why it was not fetched (``None``: it was, or
    there was no 303)."""

    outcome: Outcome
    body: dict[str, Any] | None
    resource_id: str | None
    polls: int
    exchanges: list[Exchange] = field(default_factory=list)
    location: str | None = None
    timed_out: bool = False
    not_followed: str | None = None


@dataclass
class _Poller:
    """The decisions, shared by the sync and async loops; the loops only do the I/O."""

    spec: Spec
    timeout: float
    interval: float
    max_interval: float
    retries: int
    on_progress: Progress | None
    trust: frozenset[Origin]
    own_client: bool
    started: float = field(default_factory=time.monotonic)
    errors_in_row: int = 0
    result: WaitResult | None = None
    exchanges: list[Exchange] = field(default_factory=list)
    body: dict[str, Any] | None = None
    delay: float = 0.0
    polls: int = 0

    def __post_init__(self) -> None:
        self.deadline = Deadline(self.started + self.timeout)

    def read(self, answer: Answer) -> str | None:
        """Take one answer; returns the URL of the item a 303 points at, or ``None``."""
        body = _json(answer)
        code = answer.status_code
        after = retry_after_seconds(answer.headers.get("retry-after"))
        location = answer.headers.get("location")
        sp = self.spec
        fields = (sp.status_field, sp.progress.field if sp.progress else None)
        ex = Exchange.of(
            code,
            body,
            time=time.time(),
            authorization=False,
            retry_after=after,
            location=location,
            fields=fields,
        )
        self.exchanges.append(ex)
        self.polls += 1
        if self.on_progress is not None:
            self.on_progress(ex)
        kind = classify(code, body, sp.status_field)
        if kind == "status":
            assert body is not None and ex.status is not None
            self.errors_in_row = 0
            self.body = body
            if ex.status in self.spec.terminal:
                self._end(self.spec.outcome(ex.status), body, self._result_id(body))
            self.delay = self._next_delay(after, grow=False)
        elif kind == "see-other":
            if not location:
                raise MonitorError("HTTP 303 without a Location")
            return _join(answer, location)
        elif kind == "retry":
            self.failed(f"HTTP {code}", after)
        elif kind == "item":  # the monitor answered with the finished item itself
            assert body is not None
            self._end("success", body, resource_id=body.get("id"))
        else:
            raise MonitorError(_refusal(kind, answer))
        return None

    def failed(self, what: str, after: float | None = None) -> None:
        """An error answer or a failed connection: retried up to ``retries`` in a row, after a
        growing delay (or the answer's ``Retry-After``)."""
        self.errors_in_row += 1
        if self.errors_in_row > self.retries:
            raise MonitorError(f"{self.errors_in_row} error answers in a row (last {what})")
        self.delay = self._next_delay(after, grow=True)

    def plan(self, location: str) -> tuple[bool, str | None]:
        """Whether to fetch the item at ``location``, and with the client's credentials; or the
        reason it is not fetched."""
        try:
            origin = origin_of(location)
        except OptionError:
            return False, f"{shortened(location)} is not an http(s) URL: not fetched"
        if origin in self.trust:
            return True, None
        if self.own_client:  # no credentials to give: following leaks nothing
            return False, None
        return False, (
            f"the item's origin {show(origin)} is not trusted"
            f" ({', '.join(sorted(show(o) for o in self.trust)) or 'no origin is'}): your"
            " client's credentials are not sent there; pass trusted_origins to fetch it"
        )

    def item(self, answer: Answer | None, location: str, reason: str | None = None) -> None:
        """The item a 303 pointed at: the job completed, whether or not the item was read."""
        body = None
        if answer is not None:
            body = _json(answer)
            self.exchanges.append(Exchange.of(answer.status_code, body, time=time.time()))
            if not 200 <= answer.status_code < 300:
                reason = f"the item answered HTTP {answer.status_code}"
                body = None
        elif reason is None:
            reason = "the timeout passed before the item answered"
        if reason is not None:  # not read: the last status body stands, and no id is known
            return self._end("success", self.body, None, location=location, not_followed=reason)
        if body is None:  # a 2xx that is not a JSON object
            return self._end("success", None, None, location=location)
        rid = body.get("id")
        self._end("success", body, self._result_id(body) if rid is None else rid, location=location)

    def _result_id(self, body: dict[str, Any]) -> object:
        """What identifies the job's result in a status body: the spec's first result field."""
        return body.get(self.spec.result[0]) if self.spec.result else None

    def _end(
        self,
        outcome: Outcome,
        body: dict[str, Any] | None,
        resource_id: object,
        *,
        location: str | None = None,
        not_followed: str | None = None,
    ) -> None:
        self.result = WaitResult(
            outcome,
            body,
            resource_id if isinstance(resource_id, str) else None,
            self.polls,
            self.exchanges,
            location,
            not_followed=not_followed,
        )

    def _next_delay(self, after: float | None, *, grow: bool) -> float:
        base = (
            self.interval
            if not grow
            else min(self.max_interval, max(self.delay, self.interval) * 2)
        )
        return min(max(base, after or 0.0), self.max_interval)

    def left(self) -> float:
        return self.deadline.left()

    def timed_out(self) -> WaitResult:
        return WaitResult("unfinished", self.body, None, self.polls, self.exchanges, timed_out=True)


def _json(answer: Answer) -> dict[str, Any] | None:
    if answer.oversized or not answer.content:
        return None
    try:
        value = orjson.loads(answer.content)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _join(answer: Answer, location: str) -> str:
    import httpx

    try:
        return str(answer.url.join(location))
    except (httpx.InvalidURL, ValueError, TypeError):
        raise MonitorError(
            f"HTTP 303 with a Location that is no URL: {shortened(location)}"
        ) from None


def _refusal(kind: str, answer: Answer) -> str:
    code = answer.status_code
    if kind == "gone":
        return f"the monitor is gone (HTTP {code}) before any terminal status"
    if kind == "redirect":
        return (
            f"the monitor answered HTTP {code}: only 303 See Other is a documented"
            " completion, so this redirect is not followed"
        )
    if answer.oversized:
        return f"the monitor answered HTTP {code} with more than {MAX_ANSWER_BYTES:,} bytes"
    if kind == "malformed":
        return (
            f"the monitor answered HTTP {code} with neither a status body nor the item:"
            f" {shortened(answer.content.decode('utf-8', 'replace'), 80)}"
        )
    return f"the monitor answered HTTP {code} without a status body"


@contextlib.contextmanager
def _as_monitor_errors() -> Iterator[None]:
    """Whatever httpx raises that no retry fixes becomes a :class:`MonitorError`."""
    import httpx

    try:
        yield
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
        raise MonitorError(f"the monitor cannot be read: {shortened(exc, 200)}") from exc


def _poller(
    spec: str | Spec,
    timeout: float,
    interval: float,
    max_interval: float,
    retries: int,
    on_progress: Progress | None,
    trusted_origins: Iterable[str] | None,
    client: httpx.Client | httpx.AsyncClient | None,
) -> _Poller:
    numbers = (timeout, interval, max_interval)
    if not all(math.isfinite(n) for n in numbers) or not (
        timeout > 0 and 0 <= interval <= max_interval and retries >= 0
    ):
        raise ValueError("need finite timeout > 0, 0 <= interval <= max_interval, retries >= 0")
    trust = trusted(trusted_origins, client)
    return _Poller(
        get_spec(spec), timeout, interval, max_interval, retries, on_progress, trust, client is None
    )


def wait(
    url: str,
    *,
    timeout: float = 600.0,
    interval: float = 1.0,
    max_interval: float = 60.0,
    retries: int = 5,
    spec: str | Spec = "any",
    client: httpx.Client | None = None,
    on_progress: Progress | None = None,
    trusted_origins: Iterable[str] | None = None,
) -> WaitResult:
    """Poll the monitor ``url`` until the job ends or ``timeout`` seconds pass.

    ``interval``: seconds between polls unless ``Retry-After`` asks for more (error answers
    back off, doubling, up to ``max_interval``); ``retries``: error answers in a row tolerated;
    ``client``: an httpx client to use (the monitor gets none of its credentials);
    ``trusted_origins``: origins (``"https://graph.example"``) the item after a 303 may be
    fetched from with the client's credentials (default: the client's ``base_url``);
    ``on_progress`` sees every exchange.
    Raises :class:`MonitorError` when the monitor cannot be read to an end.
    """
    import httpx

    p = _poller(
        spec, timeout, interval, max_interval, retries, on_progress, trusted_origins, client
    )
    http = client or httpx.Client()
    try:
        with _as_monitor_errors():
            while True:
                try:
                    answer = fetch(http, _monitor(http, url), p.deadline, MAX_ANSWER_BYTES)
                except httpx.TransportError as exc:
                    p.failed(shortened(exc, 200))
                else:
                    if answer is None:
                        return p.timed_out()
                    target = p.read(answer)
                    if target is not None:
                        _follow(p, http, target)
                if p.result is not None:
                    return p.result
                if p.left() <= p.delay:
                    return p.timed_out()
                time.sleep(p.delay)
    finally:
        if client is None:
            http.close()


def _follow(p: _Poller, http: httpx.Client, target: str) -> None:
    import httpx

    go, reason = p.plan(target)
    if reason is not None:
        return p.item(None, target, reason)
    request = http.build_request("GET", target)
    try:
        if go:
            answer = fetch(
                http, request, p.deadline, MAX_ANSWER_BYTES, auth=httpx.USE_CLIENT_DEFAULT
            )
        else:
            answer = fetch(http, strip_credentials(request), p.deadline, MAX_ANSWER_BYTES)
    except httpx.TransportError as exc:
        return p.item(None, target, f"the item could not be fetched: {shortened(exc, 200)}")
    p.item(answer, target)


async def wait_async(
    url: str,
    *,
    timeout: float = 600.0,
    interval: float = 1.0,
    max_interval: float = 60.0,
    retries: int = 5,
    spec: str | Spec = "any",
    client: httpx.AsyncClient | None = None,
    on_progress: Progress | None = None,
    trusted_origins: Iterable[str] | None = None,
) -> WaitResult:
    """:func:`wait` for asyncio, on an :class:`httpx.AsyncClient`."""
    import httpx

    p = _poller(
        spec, timeout, interval, max_interval, retries, on_progress, trusted_origins, client
    )
    http = client or httpx.AsyncClient()
    try:
        with _as_monitor_errors():
            while True:
                try:
                    answer = await fetch_async(
                        http, _monitor(http, url), p.deadline, MAX_ANSWER_BYTES
                    )
                except httpx.TransportError as exc:
                    p.failed(shortened(exc, 200))
                else:
                    if answer is None:
                        return p.timed_out()
                    target = p.read(answer)
                    if target is not None:
                        await _follow_async(p, http, target)
                if p.result is not None:
                    return p.result
                if p.left() <= p.delay:
                    return p.timed_out()
                await asyncio.sleep(p.delay)
    finally:
        if client is None:
            await http.aclose()


async def _follow_async(p: _Poller, http: httpx.AsyncClient, target: str) -> None:
    import httpx

    go, reason = p.plan(target)
    if reason is not None:
        return p.item(None, target, reason)
    request, auth = _item_request(http, target, go)
    try:
        answer = await fetch_async(http, request, p.deadline, MAX_ANSWER_BYTES, auth=auth)
    except httpx.TransportError as exc:
        return p.item(None, target, f"the item could not be fetched: {shortened(exc, 200)}")
    p.item(answer, target)


def _item_request(
    http: httpx.Client | httpx.AsyncClient, target: str, credentials: bool
) -> tuple[httpx.Request, Any]:
    """A GET of the item, with the client's credentials (its auth, its default headers) only when
    ``credentials`` says its origin is trusted."""
    import httpx

    request = http.build_request("GET", target)
    if credentials:
        return request, httpx.USE_CLIENT_DEFAULT
    return strip_credentials(request), None


def _monitor(http: httpx.Client | httpx.AsyncClient, url: str) -> httpx.Request:
    """A GET of the monitor with no credential, whatever the client's defaults: the monitor URL
    is pre-authenticated and may not be on the Graph endpoint (sources: monitor-elsewhere,
    bearer-401)."""
    return strip_credentials(http.build_request("GET", url))
