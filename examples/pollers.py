"""Two pollers for jobstate.testing.check_poller: one with rclone's 2018 bug, one correct.

rclone 2018-2020 (commit b709f73aa, fixed in b594cb943; rclone#4058) switched on the status
with a Go `case` that had no fallthrough, so "failed" did nothing and a failed copy looked like
a 5-minute timeout. Run this file to see the harness catch it:

    python examples/pollers.py
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Fetch = Callable[[], dict[str, Any]]


def rclone_2018_poller(fetch: Fetch, timeout_polls: int = 300) -> str:
    """Polls until 'completed' or 'deleteFailed'; 'failed' falls through to polling again."""
    for _ in range(timeout_polls):
        status = fetch().get("status")
        if status == "completed":
            return "success"
        if status == "deleteFailed":
            return "failure"
        # the bug: `case "failed":` had an empty body, so the loop goes on
    return "timeout"


def correct_poller(fetch: Fetch, timeout_polls: int = 10_000) -> str:
    """Stops on every terminal status of both revisions, polls on anything else."""
    for _ in range(timeout_polls):
        status = fetch().get("status")
        if status == "completed":
            return "success"
        if status in ("failed", "deleteFailed"):
            return "failure"
        if status == "cancelled":
            return "cancelled"
    return "timeout"


if __name__ == "__main__":
    from jobstate.testing import check_poller

    check_poller(correct_poller, spec="any")
    print("correct_poller: passes on spec any")
    try:
        check_poller(rclone_2018_poller, spec="legacy", derandomize=True)
    except AssertionError as exc:
        print(f"rclone_2018_poller: caught: {exc}")
    else:  # pragma: no cover
        raise SystemExit("the harness missed rclone's 2018 bug")
