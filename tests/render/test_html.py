"""The HTML report and the conformance page: one self-contained page each, inert for hostile
strings, bounded for big inputs, with the same jobs and polls whichever way they were read."""

from __future__ import annotations

import json
import re
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from jobstate import ReadOptions, Report, Validator, read_input, validate
from jobstate.render.html import (
    FULL_JOBS,
    LISTED_JOBS,
    MAX_STEPS,
    conform_html,
    embed,
    report_html,
    report_page_data,
)
from tests.clirun import RanText, cli_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ["examples/stalled.har", "examples/capture.har", "examples/traces/invalid.jsonl"]
POLLS = ["--job-key", "job", "--body-key", "body", "--http-key", "http_status", "--order-by", "ts"]


def data_of(page: str) -> Any:
    """The JSON document a page embeds (what its script draws)."""
    m = re.search(r"<script type='application/json' id='data'>(.*?)</script>", page, re.S)
    assert m is not None
    return json.loads(m.group(1))


def test_a_check_writes_one_self_contained_page() -> None:
    """`check --format html` writes one page that fetches nothing (no link, no source, no
    import, a policy that forbids it), exits as the text report does, and carries the JSON
    report's totals and every flagged job, each drawn with its polls."""
    ran = cli_text("check", "--format", "html", *EXAMPLES, cwd=ROOT)
    assert ran.returncode == 1
    page = ran.stdout
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"<link|@import|url\(|\ssrc\s*=|<iframe", page)
    assert "default-src 'none'" in page
    data = data_of(page)
    report = json.loads(cli_text("check", "--format", "json", *EXAMPLES, cwd=ROOT).stdout)
    assert data["totals"] == report["totals"]
    flagged = [j for j in report["jobs"] if j["errors"] or j["warnings"] or not j["ok"]]
    assert sorted(j["key"] or j["input"] for j in data["jobs"]) == sorted(
        j["key"] or j["input"] for j in flagged
    )
    for job in data["jobs"]:
        assert len(job["steps"]) == job["observations"] + job["rejected"]
    assert data["clean"] == {"success": 4, "failure": 1, "cancelled": 1}
    if data["diagram_note"] is None:  # Graphviz's dot drew the observed traffic inline
        assert "<template id='diagram'><svg" in page


def test_hostile_strings_are_text_never_markup(tmp_path: Path) -> None:
    """A job key and a status that hold markup, a script end and a line separator reach the
    page only inside the JSON document, escaped: the page holds no such tag, and the document
    reads back the strings exactly."""
    key = "</script><script>alert(1)</script>\u2028"
    status = "<img src=x onerror=alert(2)>"
    lines = [{"job": key, "body": {"status": s}} for s in ("inProgress", status, "completed")]
    path = tmp_path / "h.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    ran = cli_text("check", "--format", "html", "--job-key", "job", "--body-key", "body", str(path))
    page = ran.stdout
    assert "<script>alert" not in page and "<img" not in page and "\u2028" not in page
    assert page.count("</script>") == 2  # the data and the program, nothing else
    job = data_of(page)["jobs"][0]
    assert job["key"] == key and job["steps"][1][0] == status
    assert embed({"a": "</script>&"}) == '{"a":"\\u003c/script\\u003e\\u0026"}'
    assert embed(["\u2028\u2029"]) == '["\\u2028\\u2029"]'


def _many(flagged: int, clean: int) -> Report:
    jobs: dict[str, list[dict[str, Any]]] = {}
    for i in range(flagged):
        jobs[f"bad-{i}"] = [{"status": "inProgress"}, {"status": "notStarted"}, {"status": "x"}]
    for i in range(clean):
        jobs[f"ok-{i}"] = [{"status": "inProgress"}, {"status": "completed"}]
    return validate(jobs)


def test_a_big_report_lists_the_flagged_jobs_up_to_its_bounds() -> None:
    """The first ``full_jobs`` flagged jobs carry their polls, the table holds
    ``listed_jobs`` in all, the others are counted, and clean jobs are counted by outcome;
    every violation is counted by rule."""
    report = _many(5, 7)
    data = report_page_data(
        report, Validator().spec, fail_on="error", unusable=[], full_jobs=2, listed_jobs=3
    )
    assert (data["flagged"], len(data["jobs"]), data["full_jobs"]) == (5, 3, 2)
    assert [("steps" in j) for j in data["jobs"]] == [True, True, False]
    assert data["clean"] == {"success": 7}
    assert {r: n for r, _, n in data["rules"]} == {"illegal-transition": 5, "unknown-status": 5}
    listed = data["jobs"][2]
    assert "timing" not in listed and listed["client"] is None and listed["rules"]
    many = validate({"x": [{"status": f"odd{i}"} for i in range(6)]})
    [job] = report_page_data(many, Validator().spec, fail_on="error", unusable=[], full_jobs=0)[
        "jobs"
    ]
    assert len(job["violations"]) == 3 and job["violations_not_kept"] == {"unknown-status": 3}
    states = dict(map(tuple, data["states"]))
    assert states["completed"] == "success" and states["inProgress"] is None


def test_a_big_input_draws_the_same_polls_from_a_second_look(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An input over the size whose polls the first read keeps is read again for the jobs the
    page draws: their polls are those of the one-read page, and the diagram says whose
    traffic it counts."""
    import jobstate.cli._html as html

    args = ["check", "--format", "html", "--engine", "polars", *EXAMPLES]  # no records kept
    once = data_of(cli_text(*args, cwd=ROOT).stdout)
    monkeypatch.setattr(html, "STEPS_BYTES", 0)
    twice = data_of(cli_text(*args, cwd=ROOT).stdout)
    assert once["jobs"] == twice["jobs"] and all(j["steps"] is not None for j in twice["jobs"])
    assert once["diagram_note"] is None
    # each drawn job read again for its polls and counted, but the never-polled one (none)
    assert [len(j["steps"]) for j in twice["jobs"]] == [8, 0, 6, 25]
    assert twice["diagram_note"].startswith(
        "The traffic drawn is that of the 3 jobs drawn in full, read a second time"
    )


def test_standard_input_is_listed_without_polls() -> None:
    """Standard input cannot be read twice: its flagged jobs are listed without polls."""
    text = (ROOT / "examples/traces/invalid.jsonl").read_text()
    data = data_of(cli_text("check", "--format", "html", "-", stdin=text).stdout)
    assert [j["steps"] for j in data["jobs"]] == [None]


def test_read_options_jobs_reads_only_those_jobs() -> None:
    """``ReadOptions(jobs=...)`` reads only the records of the jobs named (as text), in
    every format: job keys from a key path, a CSV column, a HAR's monitor URLs."""
    key = "http://127.0.0.1:59451/monitor/op-0003"
    opts = ReadOptions(job_key="job", body_key="body", jobs=frozenset({key}))
    summary = read_input(str(ROOT / "examples/polls.jsonl"), Validator(), opts, explain=True)
    assert [j.key for j in summary.jobs] == [key]
    assert len(summary.jobs[0].steps) == summary.jobs[0].observations == 6
    for name, one in (("examples/polls.csv", "op-0003"), ("examples/capture.har", key)):
        opts = ReadOptions(jobs=frozenset({one}))  # keys from a CSV column, a HAR's URLs
        assert [j.key for j in read_input(str(ROOT / name), Validator(), opts).jobs] == [one]


def naive_conformance_page() -> RanText:
    """`conform --format html` of the README's naive client on a completion it sees and a 303
    it crashes on (the page the HTML and the browser tests both read)."""
    return cli_text(
        "conform",
        "--format",
        "html",
        "--scenario",
        "completed",
        "--scenario",
        "completed-303",
        "--timeout",
        "5",
        "--",
        sys.executable,
        "examples/naive_client.py",
        "{url}",
        cwd=ROOT,
    )


def test_conform_writes_its_table_as_a_page() -> None:
    """`conform --format html` writes the conformance table as a page: each case's truth,
    conclusion and verdict, a failing case with its exchanges and the client's stderr."""
    ran = naive_conformance_page()
    assert ran.returncode == 1
    data = data_of(ran.stdout)
    ok, crashed = data["cases"]
    assert (ok["ok"], crashed["ok"], crashed["fate"]) == (True, False, "crashed")
    assert [x["status"] for x in crashed["exchanges"]][-1] == 303
    assert crashed["exchanges"][-1]["location"].endswith("/items/01NEWITEM")
    first = crashed["exchanges"][0]
    assert first["request"] == f"GET {crashed['url']}" and '"notStarted"' in first["body"]
    assert any("HTTPStatusError" in line for line in crashed["stderr_tail"])
    assert data["ok"] is False and data["command"][1:] == ["examples/naive_client.py", "{url}"]
    assert f"<title>jobstate conform: {sys.executable} examples/naive_client.py" in ran.stdout
    long = conform_html([], ["x" * 150, "y" * 150])  # a title of at most 200 characters
    assert f"<title>jobstate conform: {'x' * 150} {'y' * 31}</title>" in long


class _Outline(HTMLParser):
    """A page's elements in order, and any text outside the elements that hold text."""

    HOLDS_TEXT = frozenset({"title", "style", "script", "noscript", "template"})

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inside: list[str] = []
        self.stray: list[str] = []
        self.texts: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.inside.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.inside and self.inside[-1] == tag:
            self.inside.pop()

    def handle_data(self, data: str) -> None:
        where = self.inside[-1] if self.inside else ""
        if where in self.HOLDS_TEXT:
            self.texts[where] = self.texts.get(where, "") + data
        elif data.strip():
            self.stray.append(data)


def test_the_page_is_one_document_with_nothing_stray() -> None:
    """The page's elements, in order: its head (charset, viewport, a policy that fetches
    nothing, the title, the style), a notice for a browser without scripts, the app, the data
    and the program; no text outside them."""
    import jobstate.render

    assert (jobstate.render.report_html, jobstate.render.conform_html) == (
        report_html,
        conform_html,
    )  # the public names
    page = report_html(
        validate({"a": [{"status": "completed"}]}), Validator().spec, fail_on="error", unusable=[]
    )
    outline = _Outline()
    outline.feed(page)
    assert page.startswith("<!DOCTYPE html>\n<html lang='en'>\n") and outline.stray == []
    assert [t for t, _ in outline.tags] == [
        "html",
        "head",
        "meta",
        "meta",
        "meta",
        "title",
        "style",
        "body",
        "noscript",
        "main",
        "script",
        "script",
    ]
    metas = [a for t, a in outline.tags if t == "meta"]
    assert metas[0] == {"charset": "utf-8"} and metas[1]["name"] == "viewport"
    assert metas[2]["content"] == (
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
    )
    assert outline.texts["title"] == "jobstate check: no input"
    assert "open it in a browser with JavaScript on" in outline.texts["noscript"]
    assert ("main", {"id": "app", "data-kind": "report"}) in outline.tags
    assert outline.texts["style"].startswith("\n:root {")
    conform = _Outline()  # the conformance page: the same document, drawn as a table
    conform.feed(conform_html([], ["my-client", "{url}"]))
    assert conform.stray == [] and ("main", {"id": "app", "data-kind": "conform"}) in conform.tags


def test_a_long_job_draws_its_first_polls_and_says_how_many() -> None:
    """A job longer than the polls a timeline draws keeps its first ones and their total; a
    job listed without polls keeps its client findings, three violations and the rest counted
    by rule with those the run did not keep."""
    report = validate({"long": [{"status": "inProgress"}] * MAX_STEPS + [{"status": "odd"}]})
    [job] = report_page_data(report, Validator().spec, fail_on="error", unusable=[])["jobs"]
    assert (len(job["steps"]), job["steps_total"]) == (MAX_STEPS, MAX_STEPS + 1) == (2000, 2001)
    assert job["client_rules"] == [] and job["rules"] == ["unknown-status"]
    summary = read_input(str(ROOT / "examples/capture.har"), Validator(), keep_violations=5)
    har = Report.from_inputs("current", "sampled", [summary])
    [listed] = report_page_data(har, Validator().spec, fail_on="error", unusable=[], full_jobs=0)[
        "jobs"
    ]
    assert listed["client"]["findings"][0]["id"] == "polled-after-terminal"
    assert listed["client_rules"] == ["polled-after-terminal"] and "steps" not in listed
    assert listed["timing"]["stalls"] == [] and listed["timing"]["duration_seconds"] > 0.4
    assert set(listed["timing"]) == {"duration_seconds", "stalls"}  # the table's, no more
    odd = tmp_report_with_many_violations(kept=5, bad=8)
    [many] = report_page_data(odd, Validator().spec, fail_on="error", unusable=[], full_jobs=0)[
        "jobs"
    ]
    assert len(many["violations"]) == 3
    assert many["violations_not_kept"] == {"unknown-status": 5}  # 2 kept past 3, 3 not kept


def tmp_report_with_many_violations(kept: int, bad: int) -> Report:
    """A report of one job of ``bad`` unknown statuses, ``kept`` of them kept in full."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bad.jsonl"
        path.write_text("".join(json.dumps({"status": f"odd{i}"}) + "\n" for i in range(bad)))
        summary = read_input(str(path), Validator(), keep_violations=kept)
    return Report.from_inputs("current", "sampled", [summary])


def test_the_bounds_are_two_thousand_drawn_and_twenty_thousand_listed() -> None:
    """With more flagged jobs than the page lists, the first 2,000 carry their polls, 20,000
    are listed, and every one is counted."""
    report = validate({f"j{i}": [{"status": "odd"}] for i in range(LISTED_JOBS + 1)})
    data = report_page_data(report, Validator().spec, fail_on="error", unusable=[])
    assert (data["flagged"], len(data["jobs"]), data["full_jobs"]) == (20_001, 20_000, 2_000)
    assert (FULL_JOBS, LISTED_JOBS) == (2_000, 20_000)
    assert "steps" in data["jobs"][1_999] and "steps" not in data["jobs"][2_000]


def test_the_page_data_counts_every_finding_by_rule() -> None:
    """What the page's summary draws: the run's spec, mode, verdict, threshold and unusable
    inputs; each lifecycle rule with its severity and count (those not kept in full too), each
    client finding with the times it happened; the title names the inputs; a diagram given is
    the page's whole SVG."""
    ran = cli_text("check", "--format", "html", *EXAMPLES, cwd=ROOT)
    data = data_of(ran.stdout)
    assert (data["spec"], data["mode"], data["ok"], data["fail_on"], data["unusable"]) == (
        "current",
        "sampled",
        False,
        "error",
        [],
    )
    assert ["stalled", "warning", 1] in data["rules"] and len(data["rules"]) == 8
    assert data["client_rules"] == [
        ["polled-after-terminal", "error", 4],
        ["never-polled", "error", 1],
    ]
    assert f"<title>jobstate check: {', '.join(EXAMPLES)}</title>" in ran.stdout
    capped = report_page_data(
        tmp_report_with_many_violations(kept=5, bad=8),
        Validator().spec,
        fail_on="warning",
        unusable=["x: gone"],
    )
    assert capped["rules"] == [["unknown-status", "error", 8]]  # 5 kept, 3 counted
    assert (capped["fail_on"], capped["unusable"]) == ("warning", ["x: gone"])
    from tests.readers.test_har_answers import _copy, _entry

    har = {
        "log": {
            "version": "1.2",
            "entries": [  # two copies whose monitors nobody polled
                _copy(0, "https://api.example/monitor/op-2"),
                _copy(1, "https://api.example/monitor/op-3"),
                _entry(2, 202, {"status": "completed"}),
            ],
        }
    }
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "two.har").write_text(json.dumps(har))
        two = data_of(cli_text("check", "--format", "html", str(Path(tmp) / "two.har")).stdout)
    assert two["client_rules"] == [["never-polled", "error", 2]]  # summed over the jobs
    page = report_html(
        validate({}), Validator().spec, fail_on="error", unusable=[], diagram_svg="<svg><g/></svg>"
    )
    outline = _Outline()
    outline.feed(page)
    assert outline.stray == [] and "<template id='diagram'><svg><g/></svg></template>" in page


def test_without_graphviz_the_page_says_why_it_has_no_diagram(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where Graphviz's dot is missing the page is whole but for its diagram, and says why."""
    import jobstate.diagrams
    from jobstate.exceptions import DiagramError

    def missing(*_: object) -> bytes:
        raise DiagramError("no dot here (apt-get install graphviz)")

    monkeypatch.setattr(jobstate.diagrams, "render_dot", missing)
    page = cli_text("check", "--format", "html", *EXAMPLES, cwd=ROOT).stdout
    assert data_of(page)["diagram_note"] == "No diagram: no dot here (apt-get install graphviz)"
    assert "id='diagram'" not in page and len(data_of(page)["jobs"]) == 4


def test_a_second_look_reads_with_the_runs_options(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second look reads the input as the first did (its job and body keys), so a keyed
    input's drawn jobs get their polls."""
    import jobstate.cli._html as html

    monkeypatch.setattr(html, "STEPS_BYTES", 0)
    args = ["--job-key", "job", "--body-key", "body", "--engine", "polars"]
    data = data_of(
        cli_text("check", "--format", "html", *args, "examples/polls.jsonl", cwd=ROOT).stdout
    )
    assert [(j["key"][-7:], len(j["steps"])) for j in data["jobs"]] == [("op-0007", 6)]
