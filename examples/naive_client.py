"""A naive monitor poller, as many are written: poll until 'completed' or 'failed', then print
the outcome. Run it against every scenario of the emulator to see what it gets wrong:

    jobstate conform -- python examples/naive_client.py {url}

Its mistakes are the common ones: an error answer (a transient 500, a 303 to the new item) is a
crash, and a status it does not know ('cancelled') is polled forever.
"""

from __future__ import annotations

import sys
import time

import httpx


def main(url: str) -> None:
    """Poll ``url`` twice a second until a status it knows is final; print its outcome."""
    while True:
        answer = httpx.get(url)
        answer.raise_for_status()
        status = answer.json()["status"]
        if status == "completed":
            print("success", answer.json().get("resourceId", ""))
            return
        if status == "failed":
            print("failure")
            return
        time.sleep(0.5)


if __name__ == "__main__":
    main(sys.argv[1])
