"""A real browser for the pages' tests: Debian's headless Chromium, driven by Playwright.

The tests skip where either is missing, except where ``JOBSTATE_REQUIRE_BROWSER=1`` (CI's
browser step), where a missing browser is a failure."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.chromium import CHROMIUM_ARGS, chromium_path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for a module's tests (not the session's: Playwright's sync API
    runs an event loop in this thread while it is open, where ``asyncio.run`` cannot)."""
    required = os.environ.get("JOBSTATE_REQUIRE_BROWSER") == "1"
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            raise
        pytest.skip("playwright is not installed (pip install -e '.[browser]')")
    if path is None:
        if required:
            pytest.fail("no chromium on PATH (Debian: apt-get install chromium)")
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Opened:
    """A page opened from a file, with every console error and uncaught exception it had and
    every dialog it tried to open (none of which a report may have)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """``open_page(path)``: the page of a file, loaded, as an :class:`Opened`."""
    contexts: list[Any] = []

    def opener(path: str) -> Opened:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        opened = Opened(context.new_page())
        opened.page.goto(f"file://{path}")
        return opened

    yield opener
    for c in contexts:
        c.close()
