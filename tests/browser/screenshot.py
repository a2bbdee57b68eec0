"""Regenerate ``docs/report.png``, the screenshot of the example captures' HTML report that
the README and the documentation show:

    python -m tests.browser.screenshot

It needs the ``browser`` extra (Playwright) and the system's Chromium (Debian: ``apt-get
install chromium``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ["examples/stalled.har", "examples/capture.har", "examples/traces/invalid.jsonl"]
OPENED = "https://api.onedrive.com/v1.0/monitor/4A3407B5-2BDB-4AE3-A6A8-F10E6C6A4F0C"


def screenshot(out: Path, browser: Any) -> None:
    """Write the report of the examples, the stalled copy's timeline open, as a PNG, with a
    Playwright ``browser``."""
    from tests.clirun import cli_text

    page_text = cli_text("check", "--format", "html", *EXAMPLES, cwd=ROOT).stdout
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "report.html"
        html.write_text(page_text, encoding="utf-8")
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        page.goto(f"file://{html}")
        page.locator(f"tr.job[data-key='{OPENED}']").click()
        page.screenshot(
            path=str(out), clip={"x": 0, "y": 0, "width": 1200, "height": 1450}, full_page=True
        )
        page.close()


def main() -> None:
    """Start the system's Chromium and write ``docs/report.png``."""
    from playwright.sync_api import sync_playwright

    from tests.browser.chromium import CHROMIUM_ARGS, chromium_path

    target = ROOT / "docs" / "report.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        screenshot(target, browser)
        browser.close()
    print(f"wrote {target.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
