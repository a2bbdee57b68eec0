"""How the tests and the screenshot script start the system's Chromium."""

from __future__ import annotations

import os
import shutil

__all__ = ["CHROMIUM_ARGS", "chromium_path"]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # a closed network refuses its connections
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """The system's Chromium (``JOBSTATE_CHROMIUM`` names another)."""
    return os.environ.get("JOBSTATE_CHROMIUM") or shutil.which("chromium")
