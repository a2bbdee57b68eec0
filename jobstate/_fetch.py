"""One GET bounded in time and in bytes, on a caller's httpx client, sync or async.

The poller's promises rest here: a call ends by its deadline whatever the server does (silent,
or trickling headers or a body a byte at a time), and no more than ``cap`` bytes of an answer
are kept, counted after decoding (a gzip bomb stops at the cap, not at its size).

- **async**: the whole request runs under :func:`asyncio.wait_for`, which cancels it.
- **bytes**: the raw body is read and decoded here, ``gzip`` and ``deflate`` by :mod:`zlib` with
  an output limit, so no chunk ever expands past the cap; a body in any other encoding is not
  read (``content`` empty).
- **sync**: httpx bounds each socket operation, not a request, so a watchdog timer shuts down
  the request's socket at the deadline; the socket is the one the request connected (httpcore's
  ``trace`` extension reports it) or the kept-alive one an earlier answer came on
  (``network_stream``), and the blocked read then returns at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

__all__ = ["Answer", "Deadline", "fetch", "fetch_async"]

_CONNECTED = frozenset(
    {
        "connection.connect_tcp.complete",
        "connection.connect_unix_socket.complete",
        "connection.start_tls.complete",
    }
)


@dataclass(frozen=True)
class Answer:
    """An answer as read: its HTTP status, headers, final URL, the body's first ``cap`` bytes,
    and whether the body was longer than that (``oversized``: the body is then empty)."""

    status_code: int
    headers: httpx.Headers
    url: httpx.URL
    content: bytes
    oversized: bool


@dataclass
class Deadline:
    """A point in :func:`time.monotonic` time, and the sockets seen on the way to it."""

    at: float
    streams: list[Any] = field(default_factory=list)

    def left(self) -> float:
        return self.at - time.monotonic()

    def timeout(self) -> dict[str, float]:
        """An httpx ``timeout`` extension: every phase bounded by the time left."""
        left = max(self.left(), 0.001)
        return {"connect": left, "read": left, "write": left, "pool": left}

    def seen(self, stream: object) -> None:
        if stream is not None and all(s is not stream for s in self.streams):
            self.streams.append(stream)
            del self.streams[:-8]  # a poller uses one or two connections; keep the newest

    def trace(self, name: str, info: dict[str, Any]) -> None:
        if name in _CONNECTED:
            self.seen(info.get("return_value"))

    def cut(self) -> None:
        """Shut down every socket seen: a read blocked on one returns at once."""
        for stream in list(self.streams):
            sock = stream.get_extra_info("socket")
            if isinstance(sock, socket.socket):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def _prepare(request: httpx.Request, deadline: Deadline, *, sync: bool) -> httpx.Request:
    request.headers["accept-encoding"] = "gzip, deflate"  # what _Capped decodes
    extensions: dict[str, Any] = {**request.extensions, "timeout": deadline.timeout()}
    if sync:  # the async path is cancelled instead; httpcore wants an async trace there
        extensions["trace"] = deadline.trace
    request.extensions = extensions
    return request


class _Capped:
    """Decodes raw chunks (``Content-Encoding`` identity, gzip or deflate) and keeps at most
    ``cap`` decoded bytes."""

    def __init__(self, cap: int, encoding: str) -> None:
        self.cap = cap
        self.parts: list[bytes] = []
        self.size = 0
        self.over = False
        self.unreadable = False
        self.coding = encoding.strip().lower()
        self.zlib: Any = None  # made at the first chunk, which tells raw deflate from zlib
        if self.coding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            self.unreadable = True

    def add(self, chunk: bytes) -> bool:
        """Take a raw chunk; ``False`` once nothing more is worth reading."""
        if self.unreadable or self.over:
            return False
        try:
            data = self._decode(chunk)
        except zlib.error:
            self.unreadable = True
            return False
        self.size += len(data)
        if self.size > self.cap or self.over:
            self.over = True
            self.parts.clear()
            return False
        self.parts.append(data)
        return True

    def _decode(self, chunk: bytes) -> bytes:
        if self.coding in ("", "identity"):
            return chunk
        if self.zlib is None:
            # gzip has its header; deflate is zlib-wrapped as RFC 9110 says (an RFC 1950 header,
            # its first two bytes a multiple of 31), or raw as some servers send it
            wrapped = len(chunk) >= 2 and (chunk[0] * 256 + chunk[1]) % 31 == 0
            bits = zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS
            self.zlib = zlib.decompressobj(
                bits if self.coding == "deflate" else zlib.MAX_WBITS | 32
            )
        out: bytes = self.zlib.decompress(chunk, self.cap + 1 - self.size)
        if self.zlib.unconsumed_tail:
            self.over = True
        return out

    def answer(self, response: httpx.Response) -> Answer:
        content = b"" if self.over or self.unreadable else b"".join(self.parts)
        return Answer(response.status_code, response.headers, response.url, content, self.over)


def _preread(response: httpx.Response, cap: int) -> _Capped:
    """The decoder for ``response``: an in-process transport's answer whose body was read (and
    decoded) already is taken as it is."""
    if response.is_stream_consumed:
        body = _Capped(cap, "")
        body.add(response.content)
        return body
    return _Capped(cap, response.headers.get("content-encoding", ""))


def fetch(
    http: httpx.Client,
    request: httpx.Request,
    deadline: Deadline,
    cap: int,
    *,
    auth: Any = None,
) -> Answer | None:
    """Send ``request`` (no redirect followed) and read its answer; ``None`` when the deadline
    passed first. httpx's own errors other than a timeout propagate."""
    import httpx

    if deadline.left() <= 0:
        return None
    timer = threading.Timer(deadline.left(), deadline.cut)
    timer.daemon = True
    timer.start()
    try:
        response = http.send(
            _prepare(request, deadline, sync=True), auth=auth, follow_redirects=False, stream=True
        )
        try:
            deadline.seen(response.extensions.get("network_stream"))
            body = _preread(response, cap)
            for chunk in () if response.is_stream_consumed else response.iter_raw():
                if not body.add(chunk) or deadline.left() <= 0:
                    break
            if deadline.left() <= 0:
                return None
            return body.answer(response)
        finally:
            with contextlib.suppress(httpx.HTTPError, OSError):
                response.close()
    except (httpx.TimeoutException, httpx.TransportError):
        if deadline.left() <= 0:
            return None
        raise
    finally:
        timer.cancel()


async def fetch_async(
    http: httpx.AsyncClient,
    request: httpx.Request,
    deadline: Deadline,
    cap: int,
    *,
    auth: Any = None,
) -> Answer | None:
    """:func:`fetch` on an :class:`httpx.AsyncClient`, cancelled at the deadline."""
    import httpx

    async def go() -> Answer:
        response = await http.send(
            _prepare(request, deadline, sync=False), auth=auth, follow_redirects=False, stream=True
        )
        try:
            body = _preread(response, cap)
            if not response.is_stream_consumed:
                async for chunk in response.aiter_raw():
                    if not body.add(chunk):
                        break
            return body.answer(response)
        finally:
            with contextlib.suppress(httpx.HTTPError, OSError):
                await response.aclose()

    if deadline.left() <= 0:
        return None
    try:
        return await asyncio.wait_for(go(), deadline.left())
    except (asyncio.TimeoutError, httpx.TimeoutException):
        return None
    except httpx.TransportError:
        if deadline.left() <= 0:
            return None
        raise
