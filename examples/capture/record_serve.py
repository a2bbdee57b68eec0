"""Re-record ``examples/serve.har`` through ``jobstate serve``: the emulator plays four
scenarios, jobstate's own poller (``jobstate.monitor.wait``) follows two of them, and a naive
poller (the kind that only knows 'completed') polls the other two past their end.

    pip install -e .
    python examples/capture/record_serve.py

``jobstate check examples/serve.har`` then shows a 303 completion as success, a transient 500
validated as usual, the 404s after the end as expiry, and the naive poller's findings.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

import jobstate.monitor

OUT = Path(__file__).resolve().parent.parent / "serve.har"
SCENARIOS = ("completed-303", "transient-500", "failed", "expired-404")


def naive(url: str, polls: int) -> None:
    """A poller that ends only on 'completed' (like fs-onedrivefs), given a fixed budget."""
    with httpx.Client() as client:
        for _ in range(polls):
            if client.get(url).json().get("status") == "completed":
                pass  # a correct poller would stop here; this one polls again
            time.sleep(0.05)


def main() -> None:
    args = [sys.executable, "-m", "jobstate", "serve", "--record", str(OUT), "--idle", "0.5",
            "--max-polls", "2"]  # fmt: skip
    for name in SCENARIOS:
        args += ["--scenario", name]
    server = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    urls = dict(reversed(server.stdout.readline().split()[1:]) for _ in SCENARIOS)
    for name in ("completed-303", "transient-500"):
        jobstate.monitor.wait(urls[name], interval=0.05)
    naive(urls["failed"], 5)
    naive(urls["expired-404"], 5)
    print(server.communicate(timeout=60)[0], end="")


if __name__ == "__main__":
    main()
