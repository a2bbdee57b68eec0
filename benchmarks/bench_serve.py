"""Throughput of the monitor emulator (``jobstate serve``) against a bare uvicorn app.

Both run in this process on 127.0.0.1 with the same uvicorn settings; the baseline answers
every GET with a fixed JSON body, the emulator plays scenarios, records every request and grades
every poll. Clients: ``--clients`` threads, each with its own keep-alive httpx connection,
polling its own monitor. Rounds are interleaved; the medians and their ratio are printed.

    python benchmarks/bench_serve.py [--polls 2000] [--clients 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from jobstate import Answer, MonitorServer, Scenario


class _Bare:
    """A uvicorn app that answers every request with the same small JSON body."""

    body = b'{"status":"inProgress","percentageComplete":50.0}'

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(self.body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 202, "headers": headers})
        await send({"type": "http.response.body", "body": self.body})


def _bare_server() -> tuple[str, Callable[[], None]]:
    import socket

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # as the emulator
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(_Bare(), lifespan="off", access_log=False, log_level="warning",
                            http="h11", loop="asyncio")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join()

    return f"http://127.0.0.1:{sock.getsockname()[1]}/monitor/x", stop


def _drive(urls: list[str], polls: int) -> float:
    """Polls per second: one thread per URL, ``polls`` GETs each over keep-alive."""

    def run(url: str) -> None:
        with httpx.Client() as client:
            for _ in range(polls):
                client.get(url)

    threads = [threading.Thread(target=run, args=(u,)) for u in urls]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(urls) * polls / (time.perf_counter() - started)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--polls", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    running = Answer(202, {"status": "inProgress", "percentageComplete": 50.0})
    long = Scenario("long", "running for every poll", (running,) * (args.polls + 1))
    bare, emu = [], []
    for _ in range(args.rounds):
        url, stop = _bare_server()
        bare.append(_drive([url] * args.clients, args.polls))
        stop()
        with MonitorServer({"long": long}, record_limit=10**7) as server:
            emu.append(_drive([server.play("long") for _ in range(args.clients)], args.polls))
            assert all(g["polls"] == args.polls and not g["findings"] for g in server.grades())
            assert len(server.entries) == args.clients * args.polls
    b, e = statistics.median(bare), statistics.median(emu)
    print(f"bare uvicorn: {b:,.0f} polls/s (median of {args.rounds})")
    print(f"jobstate serve: {e:,.0f} polls/s, recorded and graded (median of {args.rounds})")
    print(f"ratio emulator/bare: {e / b:.2f}")


if __name__ == "__main__":
    main()
