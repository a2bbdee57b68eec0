"""A monitor emulator that grades any client: real HTTP (uvicorn), loopback by default.

Each :meth:`MonitorServer.play` makes a monitor URL that answers a scenario's answers one per
poll (:mod:`jobstate.spec.scenarios`); every request is recorded, and each monitor URL gets a
grade: the client-behaviour findings of :mod:`jobstate.validation.behaviour` and whether the
client stopped before the end. The recording is a HAR 1.2 document that ``jobstate check``
reads. Runs on uvicorn, installed with jobstate.

Routes: ``GET /monitor/{id}`` (a poll), ``GET /items/{id}`` (where a 303 points),
``POST /scenarios/{name}`` (starts a job: ``202`` with ``Location``, like a copy) and
``GET /scenarios``. Anything else gets ``404``; another method on a monitor ``405``; polls of
an ended monitor beyond ``max_polls`` get ``429``. A bearer token sent to a monitor gets
``401`` (sources: bearer-401). A request's body is read to its end and dropped: over
:data:`MAX_REQUEST_BODY` it gets ``413``, slower than :data:`REQUEST_BODY_SECONDS` ``408``, and
a malformed one the server's own ``400`` (nothing recorded, nothing started).
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from jobstate._json import dumps
from jobstate._origins import masked_headers, masked_query
from jobstate._words import shortened
from jobstate.grading import Grade
from jobstate.packs.graph.scenarios import SCENARIOS
from jobstate.spec import get_spec
from jobstate.spec.protocol import MONITOR_PATHS, Exchange, retry_after_seconds
from jobstate.spec.scenarios import ITEM_PATH, Answer, Scenario
from jobstate.validation.behaviour import BehaviourTracker

if TYPE_CHECKING:  # the conformance grading loads when a verdict is asked for
    from jobstate.conform import Case

__all__ = ["MonitorServer"]

_Scope = Mapping[str, Any]
_Receive = Callable[[], Awaitable[Mapping[str, Any]]]
_Send = Callable[[Mapping[str, Any]], Awaitable[None]]

_REASONS = {
    200: "OK",
    202: "Accepted",
    303: "See Other",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    413: "Content Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass
class _Monitor:
    """One played monitor URL: its scenario, polls so far, and the client's tracker."""

    url: str
    scenario: Scenario
    tracker: BehaviourTracker
    fields: tuple[str, str | None] = ("status", None)  # the spec's status, progress fields
    polls: int = 0
    last: float = 0.0
    refused: int = 0  # polls answered 429 (past the cap)

    @property
    def ended(self) -> int | None:
        """How many polls the end has had (``None``: not reached)."""
        n = len(self.scenario.answers)
        return self.polls - n + 1 if self.polls >= n else None


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class MonitorServer:
    """Serve monitor scenarios over HTTP and grade the clients that poll them.

    ``max_polls``: polls of an ended monitor answered before ``429`` (the server counts the
    monitor settled then); ``idle``: seconds without a poll after the end that settle a monitor;
    ``abandon``: seconds without a poll before the end that settle it too (the client gave up);
    ``duration``: the most seconds :meth:`run` serves; ``record``: keep the requests for
    :meth:`har` (off, nothing of a request is kept beyond its grade); ``record_limit``: the most
    requests kept (the rest are counted), each header value cut to 1 KiB and 64 headers, and
    ``record_bytes`` the most characters their texts may take together; ``max_connections``:
    connections served at once (beyond them, 503); ``max_monitors``: monitors a client may
    start with ``POST /scenarios/{name}`` (beyond them, 429).
    """

    def __init__(
        self,
        scenarios: Mapping[str, Scenario] = SCENARIOS,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        max_polls: int = 20,
        idle: float = 2.0,
        abandon: float = 30.0,
        duration: float = 60.0,
        record_limit: int = 100_000,
        floor: float | None = None,
        record: bool = True,
        max_connections: int = 64,
        record_bytes: int = 64 << 20,
        max_monitors: int = 10_000,
    ) -> None:
        self.scenarios = dict(scenarios)
        self.max_polls, self.idle, self.duration = max_polls, idle, duration
        self.abandon = abandon
        self.record_limit, self.floor, self.record = record_limit, floor, record
        self.max_connections, self.max_monitors = max_connections, max_monitors
        self.record_bytes, self.recorded_bytes = record_bytes, 0
        self.monitors: dict[str, _Monitor] = {}
        self.entries: list[dict[str, Any]] = []
        self.not_recorded = 0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # IPPROTO_TCP named, so asyncio sets TCP_NODELAY on each connection (with proto 0 it
        # does not, and every keep-alive answer waits ~40 ms for a delayed ACK)
        self._sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self._sock.listen(128)
        bound = self._sock.getsockname()
        shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
        self.url = f"http://{shown}:{bound[1]}"
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.started = time.monotonic()

    # -- playing and grading ------------------------------------------------------------------

    def play(self, name: str, *, path: str | None = None) -> str:
        """A new monitor URL playing scenario ``name``; ``path``: its path, under one of the
        monitor paths (default ``/monitor/NAME-N``), such as a SharePoint v2.1
        ``/_api/v2.1/drive/operations/ID``."""
        if path is not None and not any(p in path for p in MONITOR_PATHS):
            raise ValueError(f"{path!r} is not under a monitor path ({', '.join(MONITOR_PATHS)})")
        with self._lock:
            return self._new_monitor(name, path)

    def _new_monitor(self, name: str, path: str | None = None) -> str:
        scenario = self.scenarios.get(name)
        if scenario is None:
            raise KeyError(f"no scenario {name!r}; scenarios: {', '.join(self.scenarios)}")
        sp = get_spec(scenario.spec)
        url = self.url + (path or f"/monitor/{quote(name)}-{next(self._ids)}")
        if url in self.monitors:
            raise ValueError(f"{url} is already playing")
        tracker = BehaviourTracker(sp.terminal, self.floor)
        fields = (sp.status_field, sp.progress.field if sp.progress else None)
        self.monitors[url] = _Monitor(url, scenario, tracker, fields)
        return url

    def grade(self, url: str) -> Grade:
        """The client's grade on monitor ``url`` so far."""
        with self._lock:
            return self.monitors[url].tracker.grade()

    def findings(self, url: str) -> list[str]:
        """The ids of the client-behaviour findings on monitor ``url`` so far."""
        return [f.id for f in self.grade(url).findings]

    def verdict(self, url: str, concluded: str | None, resource: str | None = None) -> Case:
        """Grade what the client concluded on monitor ``url`` (an outcome, ``None`` for
        nothing; the resource id it named) against its scenario's truth, with its traffic so
        far: ``.ok``, and ``.problems`` naming the scenario's truth and the client's answer."""
        from jobstate.conform import truth, verdict

        with self._lock:
            m = self.monitors[url]
            grade = m.tracker.grade()
        return verdict(m.scenario.name, truth(m.scenario), concluded, resource, grade=grade)

    def settled(self) -> bool:
        """Every monitor ended and then idle for ``idle`` seconds, or polled past the cap, or
        abandoned: polled, never to its end, and then left for ``abandon`` seconds (the
        client gave up; its grade says it stopped before the end)."""
        now = time.monotonic()
        with self._lock:
            return bool(self.monitors) and all(
                (m.ended is not None and (m.refused or now - m.last >= self.idle))
                or (m.ended is None and m.polls and now - m.last >= self.abandon)
                for m in self.monitors.values()
            )

    def grades(self) -> list[dict[str, Any]]:
        """Every monitor's grade, JSON-ready, in the order they were played."""
        with self._lock:
            return [
                {"url": m.url, "scenario": m.scenario.name, **m.tracker.grade().to_dict()}
                for m in self.monitors.values()
            ]

    def har(self) -> dict[str, Any]:
        """The recording: every request as a HAR 1.2 entry (tokens are not kept)."""
        with self._lock:
            comment = f"{self.not_recorded} more requests counted, not recorded"
            log: dict[str, Any] = {
                "version": "1.2",
                "creator": {"name": "jobstate serve", "version": "1"},
                "entries": list(self.entries),
            }
            if self.not_recorded:
                log["comment"] = comment
            return {"log": log}

    # -- running ------------------------------------------------------------------------------

    def _uvicorn(self) -> Any:
        import uvicorn

        config = uvicorn.Config(
            self,
            lifespan="off",
            access_log=False,
            log_level="warning",
            http="h11",
            loop="asyncio",
            timeout_graceful_shutdown=1,
            limit_concurrency=self.max_connections,
            timeout_keep_alive=5,
        )
        self._server = uvicorn.Server(config)
        return self._server

    def start(self) -> MonitorServer:
        """Serve in a background thread (stop with :meth:`stop`, or use ``with``)."""
        server = self._uvicorn()
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the server thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._sock.close()

    def shutdown(self) -> None:
        """Ask a running server to stop (from any thread); :meth:`run` then returns."""
        if self._server is not None:
            self._server.should_exit = True

    def __enter__(self) -> MonitorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def run(self, on_ready: Callable[[], None] | None = None) -> str:
        """Serve in this thread until ``duration`` passes or every monitor is settled (or
        SIGINT/SIGTERM arrives); returns why it stopped."""
        server = self._uvicorn()
        why: list[str] = []

        def watch() -> None:
            while not server.should_exit:
                if time.monotonic() - self.started >= self.duration:
                    why.append(f"duration {self.duration:g} s reached")
                    server.should_exit = True
                elif self.settled():
                    why.append("every monitor settled")
                    server.should_exit = True
                time.sleep(0.05)

        def ready() -> None:
            while not server.started and not server.should_exit:
                time.sleep(0.01)
            if on_ready is not None and server.started:
                on_ready()

        threading.Thread(target=watch, daemon=True).start()
        threading.Thread(target=ready, daemon=True).start()
        server.run(sockets=[self._sock])
        self._sock.close()
        return why[0] if why else "stopped by a signal"

    # -- the ASGI application -------------------------------------------------------------------

    async def __call__(self, scope: _Scope, receive: _Receive, send: _Send) -> None:
        if scope["type"] != "http":  # pragma: no cover - lifespan is off
            return
        started = time.time()
        method, path = scope["method"], _raw_path(scope)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refused = await _drain(receive)
        if refused == "gone":  # a malformed body or a client that left: nothing was answered
            return
        with self._lock:
            if refused is not None:
                answer = refused
            else:
                answer = self._answer(method, path, headers, started)
            self._record(scope, headers, answer, started)
        await _respond(send, answer)

    def _answer(self, method: str, path: str, headers: Mapping[str, str], now: float) -> Answer:
        url = self.url + path
        if any(p in path for p in MONITOR_PATHS):
            m = self.monitors.get(url)
            if m is None:
                return Answer(404, _error("itemNotFound", "no such monitor"))
            if method != "GET":
                return Answer(
                    405, _error("invalidRequest", "monitors answer GET"), {"Allow": "GET"}
                )
            return self._poll(m, headers, now)
        if path.startswith(ITEM_PATH) and method == "GET":
            return Answer(200, {"id": path[len(ITEM_PATH) :], "name": "copy", "file": {}})
        if path.startswith("/scenarios/") and method == "POST":
            name = path[len("/scenarios/") :]
            if name not in self.scenarios:
                return Answer(404, _error("itemNotFound", f"no scenario {name!r}"))
            if len(self.monitors) >= self.max_monitors:
                return Answer(
                    429,
                    _error("activityLimitReached", f"{self.max_monitors:,} monitors started"),
                    {"Retry-After": "60"},
                )
            url = self._new_monitor(name)
            self.monitors[url].tracker.started("the request that started it")
            return Answer(202, None, {"Location": url})
        if path == "/scenarios" and method == "GET":
            return Answer(200, {"value": [s.to_dict() for s in self.scenarios.values()]})
        return Answer(404, _error("itemNotFound", f"nothing at {path}"))

    def _poll(self, m: _Monitor, headers: Mapping[str, str], now: float) -> Answer:
        auth = "authorization" in headers
        m.last = time.monotonic()
        ended = m.ended
        if ended is not None and ended > self.max_polls:
            m.refused += 1
            answer = Answer(
                429, _error("activityLimitReached", "polled past the end"), {"Retry-After": "60"}
            )
        elif auth:  # the monitor URL is pre-authenticated (sources: bearer-401)
            answer = Answer(401, _error("unauthenticated", "do not send a token to the monitor"))
        else:  # the scenario advances one answer per poll
            m.polls += 1
            answer = m.scenario.answer(m.polls, m.ended)
        m.tracker.feed(
            Exchange.of(
                answer.http,
                answer.body,
                time=now,
                authorization=auth,
                retry_after=retry_after_seconds(answer.headers.get("Retry-After")),
                location=answer.headers.get("Location"),
                fields=m.fields,
            )
        )
        return answer

    def _record(
        self, scope: _Scope, headers: Mapping[str, str], answer: Answer, started: float
    ) -> None:
        if not self.record:
            return
        if len(self.entries) >= self.record_limit:
            self.not_recorded += 1
            return
        query = scope.get("query_string", b"").decode("latin-1")
        url = self.url + _raw_path(scope) + (f"?{masked_query(query)}" if query else "")
        kept = [(k, shortened(v, _HEADER_CHARS)) for k, v in list(headers.items())[:_HEADERS]]
        sent = masked_headers(kept)
        text = dumps(answer.body).decode() if answer.body is not None else ""
        size = _ENTRY_CHARS + len(url) + len(text) + sum(len(k) + len(v) for k, v in kept)
        if self.recorded_bytes + size > self.record_bytes:
            self.not_recorded += 1
            return
        self.recorded_bytes += size
        stamp = datetime.fromtimestamp(started, timezone.utc).isoformat(timespec="microseconds")
        self.entries.append(
            {
                "startedDateTime": stamp.replace("+00:00", "Z"),
                "time": 0,
                "request": {
                    "method": scope["method"],
                    "url": url,
                    "httpVersion": "HTTP/1.1",
                    "headers": sent,
                    "queryString": [],
                    "cookies": [],
                    "headersSize": -1,
                    "bodySize": 0,
                },
                "response": {
                    "status": answer.http,
                    "statusText": _REASONS.get(answer.http, ""),
                    "httpVersion": "HTTP/1.1",
                    "headers": [{"name": k, "value": v} for k, v in answer.headers.items()],
                    "content": {"size": len(text), "mimeType": "application/json", "text": text},
                    "cookies": [],
                    "redirectURL": answer.headers.get("Location", ""),
                    "headersSize": -1,
                    "bodySize": len(text),
                },
                "cache": {},
                "timings": {"send": 0, "wait": 0, "receive": 0},
            }
        )


_HEADER_CHARS, _HEADERS = 1024, 64  # what a recording keeps of one request's headers
_ENTRY_CHARS = 600  # what an entry's fixed fields take, counted against record_bytes


MAX_REQUEST_BODY = 1 << 20
"""Bytes of a request's body read (and dropped: no route takes one) before ``413``."""
REQUEST_BODY_SECONDS = 10.0
"""Seconds a request's body may take to arrive before ``408``."""


async def _drain(receive: _Receive) -> Answer | Literal["gone"] | None:
    """Read the request's body to its end, keeping none of it: ``None`` when it is read,
    ``"gone"`` when the client left or sent a malformed body (the server has already answered
    ``400`` and closes), else the answer to give (``413`` too large, ``408`` too slow)."""
    seen = 0
    loop = asyncio.get_running_loop()
    deadline = loop.time() + REQUEST_BODY_SECONDS
    while True:
        try:
            message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
        except asyncio.TimeoutError:
            return Answer(408, _error("timeout", "the request's body did not arrive in time"))
        if message["type"] == "http.disconnect":
            return "gone"
        seen += len(message.get("body", b""))
        if seen > MAX_REQUEST_BODY:
            return Answer(413, _error("requestTooLarge", "no route here takes a body"))
        if not message.get("more_body"):
            return None


def _raw_path(scope: _Scope) -> str:
    """The path as the client sent it, still percent-encoded, as the monitor URLs are made
    (``quote(name)``); the decoded ``path`` where the server gives no raw one."""
    raw = scope.get("raw_path")
    if isinstance(raw, bytes):
        return raw.decode("latin-1").split("?", 1)[0]
    return quote(str(scope["path"]))


async def _respond(send: _Send, answer: Answer) -> None:
    body = dumps(answer.body) if answer.body is not None else b""
    raw: list[tuple[bytes, bytes]] = [
        (k.lower().encode(), v.encode()) for k, v in answer.headers.items()
    ]
    if answer.body is not None:
        raw.append((b"content-type", b"application/json"))
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": answer.http, "headers": raw})
    await send({"type": "http.response.body", "body": body})
