"""The HTML pages in a real browser: they load with no console error, their filters, sorting
and timelines work, and hostile strings stay text."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import cli_text
from tests.render.test_html import naive_conformance_page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ["examples/stalled.har", "examples/capture.har", "examples/traces/invalid.jsonl"]
STALLED = "https://api.onedrive.com/v1.0/monitor/4A3407B5-2BDB-4AE3-A6A8-F10E6C6A4F0C"
Opener = Callable[[str], Any]


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The HTML report of the example captures, written once."""
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(cli_text("check", "--format", "html", *EXAMPLES, cwd=ROOT).stdout, "utf-8")
    return str(path)


def _rows(page: Any) -> list[str]:
    return [str(k) for k in page.locator("tr.job").evaluate_all("rs => rs.map(r => r.dataset.key)")]


def test_the_report_loads_with_no_console_error(open_page: Opener, report_file: str) -> None:
    """The page draws its summary, rule tables, jobs and diagram, with no error logged."""
    opened = open_page(report_file)
    page = opened.page
    assert page.locator("h1").inner_text().startswith("jobstate check")
    assert page.locator("tr.rule").count() == 10  # 8 lifecycle rules, 2 client findings
    assert len(_rows(page)) == 4
    assert page.locator(".diagram svg").count() == 1
    assert opened.errors == [] and opened.dialogs == []


def test_the_filters_narrow_the_jobs(open_page: Opener, report_file: str) -> None:
    """Outcome, rule and text filters each narrow the table; a rule row in the summary sets
    the rule filter; clearing them brings every job back."""
    page = open_page(report_file).page
    page.select_option("select[aria-label=outcome]", "unfinished")
    assert len(_rows(page)) == 2
    page.select_option("select[aria-label=outcome]", "")
    page.select_option("select[aria-label=rule]", "stalled")
    assert _rows(page) == [STALLED]
    page.select_option("select[aria-label=rule]", "")
    page.fill("input[type=search]", "invalid JSON")  # a message's text
    assert _rows(page) == ["examples/traces/invalid.jsonl"]
    page.fill("input[type=search]", "")
    page.locator("tr.rule", has_text="never-polled").click()
    assert len(_rows(page)) == 1 and "never-polled" in page.locator("tr.job").inner_text()
    page.select_option("select[aria-label=rule]", "")
    assert len(_rows(page)) == 4


def test_sorting_by_a_column(open_page: Opener, report_file: str) -> None:
    """A numeric column sorts most first, a second click least first."""
    page = open_page(report_file).page
    page.locator("th", has_text="polls").click()
    assert _rows(page)[0] == STALLED
    page.locator("th", has_text="polls").click()
    assert _rows(page)[-1] == STALLED


def test_a_jobs_timeline_shows_its_polls_and_markers(open_page: Opener, report_file: str) -> None:
    """Opening a job draws its timeline: one band per run of a status, a marker per
    violation, a stall shaded; its polls on demand, one row each."""
    opened = open_page(report_file)
    page = opened.page
    page.locator("tr.job[data-key='examples/traces/invalid.jsonl']").click()
    detail = page.locator("tr.detail").first
    assert detail.locator("svg.timeline .marker.violation").count() == 7
    assert detail.locator("svg.timeline rect.band").count() == 7  # 8 polls, one run of two
    detail.locator("button.show-polls").click()
    assert detail.locator("table.polls tr").count() == 1 + 8
    page.locator(f"tr.job[data-key='{STALLED}']").click()
    stalled = page.locator("tr.detail").nth(1)
    assert stalled.locator("svg.timeline rect.stall").count() == 1
    assert "no change for 10m00s" in stalled.inner_text()
    page.locator("tr.job[data-key='examples/traces/invalid.jsonl']").click()  # closes it
    assert page.locator("tr.detail").count() == 1
    assert opened.errors == []


def test_a_hostile_job_key_is_shown_as_text(open_page: Opener, tmp_path: Path) -> None:
    """A job key and a status made of markup are shown as their text: no script runs, no
    dialog opens, no element is made of them."""
    key = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    lines = [{"job": key, "body": {"status": s}} for s in ("inProgress", "<b>x</b>", "completed")]
    data = tmp_path / "h.jsonl"
    data.write_text("".join(json.dumps(x) + "\n" for x in lines))
    page_file = tmp_path / "h.html"
    ran = cli_text("check", "--format", "html", "--job-key", "job", "--body-key", "body", str(data))
    page_file.write_text(ran.stdout, encoding="utf-8")
    opened = open_page(str(page_file))
    page = opened.page
    page.locator("tr.job").click()
    assert page.locator("td.key").inner_text() == key
    assert page.locator("#app img, #app b, #app script").count() == 0
    assert opened.dialogs == [] and opened.errors == []


def test_the_conformance_page(open_page: Opener, tmp_path: Path) -> None:
    """The conformance page lists each case with its verdict; a failing case shows its
    exchanges and the client's stderr, and a click on its row hides them."""
    ran = naive_conformance_page()
    page_file = tmp_path / "c.html"
    page_file.write_text(ran.stdout, encoding="utf-8")
    opened = open_page(str(page_file))
    page = opened.page
    assert page.locator("#case-table tr.job").count() == 2
    detail = page.locator("tr.detail")
    assert detail.is_visible() and "303" in detail.inner_text()
    assert "HTTPStatusError" in page.locator("pre.tail").inner_text()
    page.locator("#case-table tr.job").nth(1).click()
    assert not detail.is_visible()
    assert opened.errors == []


def test_the_screenshot_script_writes_the_readmes_picture(browser: Any, tmp_path: Path) -> None:
    """The script that regenerates docs/report.png writes a PNG of the page's width, and the
    README and the documentation show the committed one."""
    from tests.browser.screenshot import screenshot

    out = tmp_path / "report.png"
    screenshot(out, browser)
    head = out.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(head[16:20], "big") == 1200
    assert "](docs/report.png)" in (ROOT / "README.md").read_text()
    assert "](report.png)" in (ROOT / "docs" / "check.md").read_text()
