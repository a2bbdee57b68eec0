"""The renderers, called in process on library objects: no subprocess, no click runner."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from jobstate import (
    PROFILES,
    InputSummary,
    JobReport,
    JobTable,
    Report,
    check_client,
    get_spec,
    matrix,
    validate,
)
from jobstate._constants import OUTCOMES, Outcome
from jobstate._json import dumps
from jobstate.render import (
    client_lines,
    client_payload,
    junit_xml,
    matrix_markdown,
    matrix_payload,
    report_json,
    report_jsonl,
    report_payload,
    spec_lines,
    text_lines,
    totals_line,
)
from tests.strategies import arbitrary_records

BAD = [
    {"status": "inProgress", "percentageComplete": 30},
    {"status": "inProgress", "percentageComplete": 10},
    {"status": "Running"},
    {"status": "completed", "percentageComplete": 100},
]
GOOD = [{"status": "inProgress"}, {"status": "completed", "percentageComplete": 100}]


def _report() -> Report:
    """Two jobs read from one input with a rejected unit and a skipped one."""
    jobs = validate({"good": GOOD, "bad": BAD}).jobs
    for job in jobs:
        job.input = "polls.jsonl"
    summary = InputSummary(
        "polls.jsonl",
        "jsonl",
        units_read=9,
        blank=1,
        skipped=Counter({"a reason": 1}),
        unattributed=[(7, "record has no job key 'job' (--job-key)")],
        jobs=jobs,
    )
    return Report.from_inputs("current", "sampled", [summary])


def test_text_lists_notes_rejections_jobs_worst_first_and_totals() -> None:
    """The text report: input notes, unattributed units, the failing job first, totals last."""
    lines = list(text_lines(_report()))
    assert lines[0] == "note polls.jsonl: 1 line skipped: 1 a reason"
    assert lines[1].startswith("FAIL polls.jsonl: 1 line rejected before reaching a job")
    assert "line 7" in lines[2] and "malformed-record" in lines[2]
    assert lines[3].startswith("FAIL bad (polls.jsonl): outcome success")
    assert [ln.split()[2] for ln in lines[4:6]] == ["percentage-regression", "unknown-status"]
    assert lines[6].startswith("OK   good (polls.jsonl)")
    assert lines[-1] == totals_line(_report())
    assert "9 lines read = 6 observations + 1 rejected + 1 blank + 1 skipped" in lines[-1]


def test_max_violations_caps_printing_and_says_how_many_were_hidden() -> None:
    """--max-violations 1 prints one violation and counts the rest."""
    lines = list(text_lines(_report(), max_violations=1))
    assert "... 2 more violations not shown (--max-violations 1)" in lines


def test_colour_only_when_asked() -> None:
    """Plain text carries no escape; colour=True styles the verdicts."""
    assert not any("\x1b[" in ln for ln in text_lines(_report()))
    assert any("\x1b[" in ln for ln in text_lines(_report(), color=True))


def test_explain_lines_show_steps_with_marks() -> None:
    """With recorded steps, --explain shows each step and marks its violations."""
    report = validate(BAD)
    report.jobs[0].steps  # noqa: B018 - computes and records the steps
    text = "\n".join(text_lines(report, explain=True))
    assert "#1  stutter" in text and "^ warning percentage-regression" in text


def test_junit_is_well_formed_with_one_case_per_job() -> None:
    """JUnit: a case per job plus one for the unattributed units and one per unusable input."""
    xml = junit_xml(_report(), unusable=["gone.jsonl: no such file"])
    suite = ET.fromstring(xml).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "2", "1")
    names = [c.get("name") for c in suite.iter("testcase")]
    assert names == ["gone.jsonl", "(records with no job)", "good", "bad"]


def test_json_payload_adds_fail_on_and_unusable() -> None:
    """The JSON payload is Report.to_dict plus fail_on and unusable, with the accounting."""
    out = report_payload(_report(), fail_on="warning", unusable=[])
    assert out["fail_on"] == "warning" and out["unusable"] == []
    [acc] = out["inputs"]
    assert acc["read"] == acc["observations"] + acc["rejected"] + acc["blank"] + acc["skipped"]


def test_spec_lines_give_every_state_and_edge() -> None:
    """The spec text has a line per state and per edge, with provenance."""
    sp = get_spec("current")
    lines = list(spec_lines(sp))
    assert lines[0].startswith("spec current:")
    assert sum(1 for ln in lines if " -> " in ln) == len(sp.edges)
    assert any("cancelPending" in ln and "doc" in ln for ln in lines)


def test_client_text_and_json_agree() -> None:
    """A client's text and JSON carry the same findings."""
    model = PROFILES["python-o365"]
    findings = check_client(model, "current")
    text = list(client_lines(model, "current", findings))
    payload = client_payload(model, "current", findings)
    assert text[0] == "client python-o365 under spec current"
    assert len(payload["findings"]) == len(findings) and payload["ok"] is False
    assert text[-1].startswith(f"{sum(1 for f in findings if f.severity == 'error')} error")


def test_matrix_markdown_and_json() -> None:
    """The profile matrix: a Markdown row per profile, errors in bold; JSON keyed alike."""
    table = matrix(PROFILES, ["current"])
    rows = list(matrix_markdown(table, ["current"]))
    assert rows[0] == "| client | spec `current` |" and len(rows) == 2 + len(PROFILES)
    assert "**failed**" in next(r for r in rows if "`python-o365`" in r)
    assert set(matrix_payload(table, PROFILES)) == set(PROFILES)


KEYS = st.text(st.characters(codec="utf-8") | st.sampled_from('"\\\n\x1b\u2028'), max_size=8)


NAMES = ["polls.jsonl", "odd\udcff\x1b.jsonl", 'q"uote\n.har', "50%s.csv", "100%d.jsonl"]
NAMES += ["\ue000key.jsonl", "-900000002.csv"]  # the polars template's marks: no template
CLEAN = st.tuples(
    KEYS | st.none(), st.sampled_from(OUTCOMES), st.integers(1, 10**12), st.integers(1, 10**6)
)


@settings(max_examples=80, deadline=None)
@given(
    jobs=st.dictionaries(KEYS, arbitrary_records("current"), max_size=7),
    clean=st.lists(CLEAN, max_size=40),
    other=st.lists(CLEAN, max_size=4),
    names=st.lists(st.sampled_from(NAMES), min_size=2, max_size=2),
    batch=st.integers(1, 5),
    polars=st.booleans(),
)
def test_report_json_in_pieces_is_the_whole_document(
    jobs: dict[str, list[Any]],
    clean: list[tuple[str | None, Outcome, int, int]],
    other: list[tuple[str | None, Outcome, int, int]],
    names: list[str],
    batch: int,
    polars: bool,
) -> None:
    """`report_json` joined is byte for byte the indented dump of `report_payload` (and
    `report_jsonl` its jobs, then the rest, one compact line each), whatever
    the batch size and whether polars writes the JobTables (in windows of 4 batches), and the
    text polars writes is the text written line by line: exact
    jobs' reports, clean jobs' columns (JobTables of two inputs), all in one report; odd keys
    and file names (control characters, quotes, undecodable bytes, '%', the template's marks),
    HTTP counts, no jobs at all."""
    name = names[0]
    exact = validate(jobs).jobs
    for job in exact:
        job.input = name

    def table(rows: list[tuple[str | None, Outcome, int, int]], name: str) -> JobTable:
        return JobTable(
            "current", "sampled", name, [k for k, *_ in rows], [o for _, o, *_ in rows],
            [c for *_, c in rows], [n for _, _, n, _ in rows], [n + 2 for _, _, n, _ in rows],
            http={i: {404: 1, 202: i + 1} for i in range(0, len(rows), 3)},
        )  # fmt: skip

    inputs = [  # the exact jobs between two tables: the text has windows on both sides
        InputSummary(name, "jsonl", jobs=table(clean, name)),
        InputSummary(name, "jsonl", jobs=exact),
        InputSummary(names[1], "csv", jobs=table(other, names[1])),
    ]
    report = Report.from_inputs("current", "sampled", inputs)
    kwargs: dict[str, Any] = {"fail_on": "warning", "unusable": [name]}
    whole = dumps(report_payload(report, **kwargs), indent=True)
    assert b"".join(report_json(report, batch=batch, polars=polars, **kwargs)) == whole
    assert len(json.loads(whole)["jobs"]) == len(exact) + len(clean) + len(other)
    payload = report_payload(report, **kwargs)
    rest = {k: v for k, v in payload.items() if k != "jobs"}
    lines = b"".join(dumps(job) + b"\n" for job in [*payload["jobs"], rest])
    assert b"".join(report_jsonl(report, batch=batch, polars=polars, **kwargs)) == lines
    text = "\n".join(text_lines(report, polars=False))  # and the text, windows in their places
    assert "\n".join(text_lines(report, polars=True)) == text


def _table_report(keys: list[str | None], counts: list[int], width: int) -> Report:
    """A report on one input whose jobs are a JobTable of ``keys`` and observation ``counts``,
    all successes, job ``i`` on lines ``i + 1`` to ``i + 1 + width``."""
    n = len(keys)
    table = JobTable("current", "sampled", "polls.jsonl", keys, ["success"] * n, counts,
                     list(range(1, n + 1)), list(range(1 + width, n + 1 + width)))  # fmt: skip
    return Report.from_inputs(
        "current", "sampled", [InputSummary("polls.jsonl", "jsonl", jobs=table)]
    )


def _polars_json_is_the_dict_paths(report: Report) -> None:
    """The JSON polars writes (windows of 4) is the dict path's byte for byte."""
    kwargs: dict[str, Any] = {"fail_on": "error", "unusable": []}
    whole = dumps(report_payload(report, **kwargs), indent=True)
    assert b"".join(report_json(report, batch=1, polars=True, **kwargs)) == whole


def _polars_text_is_line_by_line(report: Report) -> str:
    """The text polars writes is the one written line by line; that text."""
    lines = "\n".join(text_lines(report, polars=False))
    assert "\n".join(text_lines(report, polars=True)) == lines
    return lines


def test_polars_writes_every_key_as_orjson_does() -> None:
    """Keys with each ASCII character, DEL, U+2028, a private-use and an astral character, no
    key at all and a number too big for polars: the JobTable written by polars (JSON in
    windows of 4) is the dict path's text byte for byte (JSON escapes go to the dict path), and
    its text report the one written line by line (in one window)."""
    keys: list[str | None] = [None, *(f"k{chr(c)}" for c in (*range(0x80), 0x2028, 0xE000))]
    keys += ["\U0001f600", "plain"]  # the last window, with the big number: the dict path
    counts = [1] * (len(keys) - 1) + [2**63 + 5]  # beyond Int64, within orjson
    report = _table_report(keys, counts, 0)
    _polars_json_is_the_dict_paths(report)
    _polars_text_is_line_by_line(report)


@pytest.mark.parametrize("odd", ["polls.jsonl", "b\x1b", None])
def test_polars_writes_text_lines_of_any_count_and_key_as_line_by_line(odd: str | None) -> None:
    """Counts of 1,000 or more (a thousands separator), and a key that is the input's name,
    one not printable or a job without a key: the text polars writes is the line-by-line
    text."""
    lines = _polars_text_is_line_by_line(
        _table_report(["a", odd, "c", "d"], [999, 2, 1000, 12345], 1)
    )
    assert "1,000" in lines and "12,345" in lines


def test_polars_leaves_a_job_without_a_key_to_the_dict_path() -> None:
    """A window of plain keys but one job without a key (``null``): still the dict path's
    text byte for byte."""
    _polars_json_is_the_dict_paths(_table_report(["a", None, "b", "c", "d"], [1] * 5, 0))


WARNED = st.lists(  # regressions and completions short of 100: warnings, no error
    st.sampled_from(
        [{"status": "inProgress", "percentageComplete": p} for p in (60, 20, 40)]
        + [{"status": "completed", "percentageComplete": 90}]
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=100, deadline=None)
@given(
    jobs=st.dictionaries(KEYS, arbitrary_records("current") | WARNED, max_size=7),
    more=st.dictionaries(KEYS, arbitrary_records("current") | WARNED, max_size=4),
    clean=st.lists(st.tuples(KEYS, st.sampled_from(OUTCOMES)), max_size=5),
    how=st.sampled_from(["inputs", "records", "only"]),
)
def test_worst_first_is_the_sorted_jobs(
    jobs: dict[str, list[Any]],
    more: dict[str, list[Any]],
    clean: list[tuple[str, Outcome]],
    how: str,
) -> None:
    """`Report.worst_first` gives `report.jobs` sorted worst first (errors, then warnings, ties
    in input order), without building them all; `flagged_only` keeps the flagged ones in that
    order: for reports of inputs (exact jobs and a JobTable), of records, and `only`'s."""
    if how == "records":
        report = validate(jobs)
    else:
        n = len(clean)
        table = JobTable("current", "sampled", "t", [k for k, _ in clean],
                         [o for _, o in clean], [1] * n, [1] * n, [1] * n)  # fmt: skip
        parts = [validate(jobs).jobs, table, validate(more).jobs]
        report = Report.from_inputs(
            "current", "sampled", [InputSummary("x", "jsonl", jobs=p) for p in parts]
        )
        if how == "only":
            report = report.only({"unknown-status", "percentage-regression"})
    got = [j.to_dict() for j in report.worst_first()]
    every = report.jobs
    order = sorted(
        range(len(every)),
        key=lambda i: (-every[i].errors - every[i].client_errors, -every[i].warnings, i),
    )
    assert got == [every[i].to_dict() for i in order]
    flagged = [j.to_dict() for j in report.worst_first(flagged_only=True)]
    keep = {id(j) for j in report.flagged}
    assert flagged == [every[i].to_dict() for i in order if id(every[i]) in keep]


@settings(max_examples=100, deadline=None)
@given(
    jobs=st.dictionaries(KEYS, arbitrary_records("current") | WARNED, max_size=5),
    clean=st.lists(
        st.tuples(
            KEYS | st.just("k"),
            st.sampled_from(OUTCOMES),
            st.sampled_from([1, 2, 3, 999, 1000, 12345]),
            st.integers(1, 10**7),
            st.sampled_from([0, 1, 5]),  # the span's length - 1
        ),
        max_size=6,
    ),
    name=st.sampled_from(["polls.jsonl", "odd\x1b.csv", "k", "\u2603key\u2603.csv", "900000002"]),
    http=st.booleans(),
    view=st.fixed_dictionaries(
        {
            "color": st.booleans(),
            "quiet": st.booleans(),
            "explain": st.booleans(),
            "fail_on": st.sampled_from(["error", "warning"]),
            "polars": st.booleans(),
        }
    ),
)
@example(  # a key that is the input's name; each form: one line or a span, one observation or more
    jobs={"x": [{"status": "Done"}]},
    clean=[
        ("k", "success", 2, 1, 0),
        ("a", "success", 1, 3, 0),
        ("b", "failure", 2, 4, 1),
        ("c", "success", 1, 9, 5),
    ],
    name="k",
    http=False,
    view={"color": False, "quiet": False, "explain": False, "fail_on": "error", "polars": True},
)
@example(  # HTTP counts on a third of the jobs: polars writes the others
    jobs={},
    clean=[(f"j{i}", "success", 2, 10 * i + 1, 1) for i in range(7)],
    name="polls.jsonl",
    http=True,
    view={"color": True, "quiet": False, "explain": False, "fail_on": "error", "polars": True},
)
def test_clean_jobs_text_from_columns_is_their_reports_text(
    jobs: dict[str, list[Any]],
    clean: list[tuple[str, Outcome, int, int, int]],
    name: str,
    http: bool,
    view: dict[str, Any],
) -> None:
    """The text report writes a JobTable's clean jobs from their columns, line by line or by
    polars (many lines in one item): the same text as from their reports (a report of the same
    jobs as objects), in every view, for any key, file name (the key itself, a template's
    mark), line span (one line or several), observations (1, more, 1,000 or more) and HTTP
    counts, with the exact engine's jobs among them."""
    exact = validate(jobs).jobs
    rows: list[Any] = list(clean)
    for p, job in enumerate(exact[::2]):  # half the exact jobs in the table, among clean ones
        job.input = name
        rows.insert(min(3 * p + 1, len(rows)), job)
    n = len(rows)
    cols = [
        (r.key, r.outcome, r.observations, 1, 0) if isinstance(r, JobReport) else r for r in rows
    ]
    table = JobTable(
        "current", "sampled", name, [k for k, *_ in cols], [o for _, o, *_ in cols],
        [c for _, _, c, _, _ in cols], [a for *_, a, _ in cols], [a + d for *_, a, d in cols],
        http={i: {404: 1, 202: i + 1} for i in range(0, n, 3)} if http else None,
        exact={i: r for i, r in enumerate(rows) if isinstance(r, JobReport)},
    )  # fmt: skip
    inputs = [InputSummary(name, "csv", jobs=table), InputSummary(name, "jsonl", jobs=exact[1::2])]
    report = Report.from_inputs("current", "sampled", inputs)
    text = "\n".join(text_lines(report, **view))  # before report.jobs makes every report
    objects = Report("current", "sampled", list(report.jobs), inputs)
    assert text == "\n".join(text_lines(objects, **view))
