"""A raw HTTP peer on loopback for the poller's hostile-server tests: each connection is handed
to a function that may answer well, badly, slowly or never. It records what each request sent,
and stops by itself (``life`` seconds) if a test forgets to."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from types import TracebackType

Handler = Callable[[socket.socket, threading.Event], None]


class RawServer:
    """Serves ``handler`` on ``host`` (a 127.0.0.0/8 address) at a free port."""

    def __init__(self, handler: Handler, host: str = "127.0.0.1", life: float = 20.0) -> None:
        assert host.startswith("127."), "tests stay on loopback"
        self.handler = handler
        self.stop = threading.Event()
        self.requests: list[bytes] = []
        self._sock = socket.create_server((host, 0))
        self._sock.settimeout(0.1)
        self.host, self.port = self._sock.getsockname()[:2]
        self._threads: list[threading.Thread] = []
        self._timer = threading.Timer(life, self.stop.set)
        self._timer.daemon = True

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> RawServer:
        self._timer.start()
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()
        self._threads.append(accept)
        return self

    def __exit__(
        self,
        et: type[BaseException] | None,
        ev: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop.set()
        self._timer.cancel()
        for t in self._threads:
            t.join(timeout=5)
        self._sock.close()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.settimeout(0.2)
            while not self.stop.is_set():
                request = read_request(conn, self.stop)
                if request is None:
                    return
                self.requests.append(request)
                self.handler(conn, self.stop)


def read_request(conn: socket.socket, stop: threading.Event) -> bytes | None:
    """One request's head (a GET has no body), or ``None`` once the peer closed."""
    data = b""
    while b"\r\n\r\n" not in data and not stop.is_set():
        try:
            chunk = conn.recv(65536)
        except TimeoutError:
            continue
        if not chunk:
            return None
        data += chunk
    return data or None


def answer(status: int, body: bytes = b"", **headers: str) -> bytes:
    """An HTTP/1.1 answer's bytes."""
    lines = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}"]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def trickle(data: bytes, every: float) -> Handler:
    """A handler that sends ``data`` one byte every ``every`` seconds, then stays silent."""

    def handle(conn: socket.socket, stop: threading.Event) -> None:
        for i in range(len(data)):
            if stop.wait(every):
                return
            conn.sendall(data[i : i + 1])
        stop.wait()

    return handle


def silent(conn: socket.socket, stop: threading.Event) -> None:
    """Reads the request and never answers."""
    stop.wait()


def replies(*answers: bytes) -> Handler:
    """Answers each request with the next of ``answers`` (the last one again at the end)."""
    left = list(answers)

    def handle(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(left.pop(0) if len(left) > 1 else left[0])

    return handle
