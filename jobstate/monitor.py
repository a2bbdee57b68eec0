"""A spec-correct monitor poller on httpx: :func:`wait` and :func:`wait_async`.

It follows every dialect (202/200 bodies, a 303 followed once to the item), honours
``Retry-After`` with a capped back-off, never sends ``Authorization`` to the monitor URL (it is
pre-authenticated), retries transient 5xx and 429 a bounded number of times, ends on the spec's
terminal set, and keeps polling through values it does not know (``unknownFutureValue``) until
its timeout. Needs the ``monitor`` extra (httpx).

::

    result = jobstate.monitor.wait(location, timeout=600)
    if result.outcome == "success":
        print(result.resource_id)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jobstate._constants import Outcome
from jobstate.exceptions import MonitorError
from jobstate.spec import Spec, get_spec
from jobstate.spec.protocol import Exchange, retry_after_seconds

if TYPE_CHECKING:
    import httpx

__all__ = ["MonitorError", "WaitResult", "wait", "wait_async"]

Progress = Callable[[Exchange], None]


@dataclass
class WaitResult:
    """How a job ended: ``outcome`` (``unfinished`` on a timeout), the last status body (the
    item's body after a 303), the new item's ``resource_id`` if known, the number of monitor
    ``polls``, and every exchange (the item's fetch after a 303 included)."""

    outcome: Outcome
    body: dict[str, Any] | None
    resource_id: str | None
    polls: int
    exchanges: list[Exchange] = field(default_factory=list)
    location: str | None = None
    timed_out: bool = False


@dataclass
class _Poller:
    """The decisions, shared by the sync and async loops; the loops only do the I/O."""

    spec: Spec
    timeout: float
    interval: float
    max_interval: float
    retries: int
    on_progress: Progress | None
    started: float = field(default_factory=time.monotonic)
    errors_in_row: int = 0
    result: WaitResult | None = None
    exchanges: list[Exchange] = field(default_factory=list)
    body: dict[str, Any] | None = None
    delay: float = 0.0
    polls: int = 0

    def read(self, response: httpx.Response) -> str | None:
        """Take one answer; returns a URL to fetch once (a 303's item) or ``None``."""
        body = _json(response)
        after = retry_after_seconds(response.headers.get("retry-after"))
        ex = Exchange.of(
            response.status_code,
            body,
            time=time.time(),
            authorization=False,
            retry_after=after,
            location=response.headers.get("location"),
        )
        self.exchanges.append(ex)
        self.polls += 1
        if self.on_progress is not None:
            self.on_progress(ex)
        code = response.status_code
        if 300 <= code < 400:
            if not ex.location:
                raise MonitorError(f"HTTP {code} without a Location")
            return ex.location
        if ex.status is not None:
            self.errors_in_row = 0
            self.body = body
            if ex.status in self.spec.terminal:
                self._end(self.spec.outcome(ex.status), body)
            self.delay = self._next_delay(after, grow=False)
            return None
        if ex.gone:
            raise MonitorError(f"the monitor is gone (HTTP {code}) before any terminal status")
        if code == 429 or code >= 500:
            self.errors_in_row += 1
            if self.errors_in_row > self.retries:
                raise MonitorError(
                    f"{self.errors_in_row} error answers in a row (last HTTP {code})"
                )
            self.delay = self._next_delay(after, grow=True)
            return None
        if 200 <= code < 300 and body is not None:  # the item itself at the monitor URL
            self._end("success", body)
            return None
        raise MonitorError(f"the monitor answered HTTP {code} without a status body")

    def item(self, response: httpx.Response, location: str) -> None:
        """The item a 303 pointed at: the job completed."""
        body = _json(response)
        self.exchanges.append(Exchange.of(response.status_code, body, time=time.time()))
        self._end("success", body, location)

    def _end(
        self, outcome: Outcome, body: dict[str, Any] | None, location: str | None = None
    ) -> None:
        rid = (body or {}).get("resourceId") if location is None else (body or {}).get("id")
        self.result = WaitResult(
            outcome,
            body,
            rid if isinstance(rid, str) else None,
            self.polls,
            self.exchanges,
            location,
        )

    def _next_delay(self, after: float | None, *, grow: bool) -> float:
        base = (
            self.interval
            if not grow
            else min(self.max_interval, max(self.delay, self.interval) * 2)
        )
        return min(max(base, after or 0.0), self.max_interval)

    def left(self) -> float:
        return self.timeout - (time.monotonic() - self.started)

    def timed_out(self) -> WaitResult:
        return WaitResult("unfinished", self.body, None, self.polls, self.exchanges, timed_out=True)


def _json(response: httpx.Response) -> dict[str, Any] | None:
    try:
        value = response.json()
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _poller(
    spec: str | Spec,
    timeout: float,
    interval: float,
    max_interval: float,
    retries: int,
    on_progress: Progress | None,
) -> _Poller:
    if timeout <= 0 or interval < 0 or max_interval < interval or retries < 0:
        raise ValueError("need timeout > 0, 0 <= interval <= max_interval and retries >= 0")
    return _Poller(get_spec(spec), timeout, interval, max_interval, retries, on_progress)


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
) -> WaitResult:
    """Poll the monitor ``url`` until the job ends or ``timeout`` seconds pass.

    ``interval``: seconds between polls unless ``Retry-After`` asks for more (error answers
    back off, doubling, up to ``max_interval``); ``retries``: error answers in a row tolerated;
    ``client``: an httpx client to use (none is made with your auth: the monitor URL needs
    none, and gets none); ``on_progress`` sees every exchange.
    Raises :class:`MonitorError` when the monitor cannot be read to an end.
    """
    import httpx

    p = _poller(spec, timeout, interval, max_interval, retries, on_progress)
    own = client is None
    http = client or httpx.Client(timeout=30.0)
    try:
        while True:
            response = http.send(_unauthenticated(http, url), auth=None, follow_redirects=False)
            target = p.read(response)
            if target is not None:  # the item is an API URL: the client's own auth applies
                location = str(response.url.join(target))
                p.item(http.get(location), location)
            if p.result is not None:
                return p.result
            if p.left() <= p.delay:
                return p.timed_out()
            time.sleep(p.delay)
    finally:
        if own:
            http.close()


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
) -> WaitResult:
    """:func:`wait` for asyncio, on an :class:`httpx.AsyncClient`."""
    import httpx

    p = _poller(spec, timeout, interval, max_interval, retries, on_progress)
    own = client is None
    http = client or httpx.AsyncClient(timeout=30.0)
    try:
        while True:
            request = _unauthenticated(http, url)
            response = await http.send(request, auth=None, follow_redirects=False)
            target = p.read(response)
            if target is not None:  # the item is an API URL: the client's own auth applies
                location = str(response.url.join(target))
                p.item(await http.get(location), location)
            if p.result is not None:
                return p.result
            if p.left() <= p.delay:
                return p.timed_out()
            await asyncio.sleep(p.delay)
    finally:
        if own:
            await http.aclose()


def _unauthenticated(http: httpx.Client | httpx.AsyncClient, url: str) -> httpx.Request:
    """A GET of the monitor with no ``Authorization``, whatever the client's defaults: the
    monitor URL is pre-authenticated and may not be on the Graph endpoint (sources:
    monitor-elsewhere, bearer-401)."""
    request = http.build_request("GET", url)
    request.headers.pop("authorization", None)
    return request
