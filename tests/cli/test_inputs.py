"""Real-world inputs through the real CLI: every format, many jobs per input, every bad input.

Each case checks the exit code, the message (file and line), and the accounting identity
read = observations + rejected + blank + skipped.
"""

from __future__ import annotations

import base64
import gzip
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.clirun import Ran, cli


def run(*args: str, stdin: bytes | None = None) -> Ran:
    """The CLI, in process (tests.clirun)."""
    return cli(*args, stdin=stdin)


def check_json(*args: str, stdin: bytes | None = None) -> tuple[int, dict[str, Any], str]:
    proc = run("check", "--format", "json", *args, stdin=stdin)
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()
    data = orjson.loads(proc.stdout)
    for acc in data["inputs"]:
        assert acc["read"] == acc["observations"] + acc["rejected"] + acc["blank"] + acc["skipped"]
    return proc.returncode, data, proc.stderr.decode()


def jsonl(*records: Any) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in records)


def S(status: str, pct: float | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, **extra}
    if pct is not None:
        body["percentageComplete"] = pct
    return body


def jobs_by_key(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {j["key"]: j for j in data["jobs"]}


# -- JSON Lines: many jobs, wrappers, order ----------------------------------------------------


def test_interleaved_jobs_are_grouped_with_their_lines(tmp_path: Path) -> None:
    """Interleaved JSON Lines jobs are grouped by key, each keeping its own lines."""
    f = tmp_path / "polls.jsonl"
    f.write_bytes(
        jsonl(
            {"jobId": "a", **S("notStarted", 0)},
            {"jobId": "b", **S("inProgress", 10)},
            {"jobId": "a", **S("inProgress", 50)},
            {"jobId": "b", **S("notStarted")},  # b goes back: illegal
            {"jobId": "a", **S("completed", 100)},
        )
    )
    code, data, _ = check_json("--job-key", "jobId", str(f))
    assert code == 1
    jobs = jobs_by_key(data)
    assert jobs["a"]["ok"] and jobs["a"]["outcome"] == "success" and jobs["a"]["lines"] == [1, 5]
    assert [(v["rule"], v["line"]) for v in jobs["b"]["violations"]] == [("illegal-transition", 4)]
    assert data["totals"]["jobs"] == 2 and data["totals"]["observations"] == 5


def test_wrapper_records_with_body_key_http_key_and_order_by(tmp_path: Path) -> None:
    """Dotted paths reach into wrappers; a body held as a JSON string is parsed; --order-by
    sorts each job by its timestamp; HTTP codes are counted per job and shown on violations."""
    f = tmp_path / "proxy.jsonl"
    recs = [
        {"t": 3, "req": {"url": "m/1"}, "resp": {"code": 200, "body": S("completed", 100)}},
        {"t": 1, "req": {"url": "m/1"}, "resp": {"code": 202, "body": S("notStarted")}},
        {
            "t": 2,
            "req": {"url": "m/1"},
            "resp": {"code": 202, "body": orjson.dumps(S("x")).decode()},
        },
    ]
    f.write_bytes(jsonl(*recs))
    args = ["--job-key", "req.url", "--body-key", "resp.body", "--http-key", "resp.code"]
    code, data, _ = check_json(*args, "--order-by", "t", str(f))
    [job] = data["jobs"]
    assert job["key"] == "m/1" and job["http_status"] == {"200": 1, "202": 2}
    assert [(v["rule"], v["line"], v["http_status"]) for v in job["violations"]] == [
        ("unknown-status", 3, 202)
    ]
    assert job["outcome"] == "success" and code == 1
    # without --order-by, file order: completed first, then notStarted is after-terminal
    _, data, _ = check_json(*args, str(f))
    rules = [v["rule"] for v in data["jobs"][0]["violations"]]
    assert rules == ["after-terminal", "unknown-status"]


def test_records_without_a_job_key_are_rejected_on_their_own(tmp_path: Path) -> None:
    """A record with no job key is a malformed-record of its own; its neighbours are checked."""
    f = tmp_path / "mixed.jsonl"
    f.write_bytes(
        jsonl({"jobId": "a", **S("inProgress")}, S("completed"), {"jobId": [1], **S("failed")})
        + b"{not json\n"
    )
    code, data, _ = check_json("--job-key", "jobId", str(f))
    assert code == 1
    [acc] = data["inputs"]
    assert [(u["line"], u["rule"]) for u in acc["unattributed"]] == [
        (2, "malformed-record"),
        (3, "malformed-record"),
        (4, "malformed-record"),
    ]
    assert "no job key 'jobId'" in acc["unattributed"][0]["message"]
    assert "an array" in acc["unattributed"][1]["message"]
    assert "invalid JSON" in acc["unattributed"][2]["message"]
    assert acc["rejected"] == 3 and acc["observations"] == 1
    assert data["totals"]["errors"] == 3 and data["ok"] is False


# -- JSON, HAR, CSV, gzip, stdin ----------------------------------------------------------


def test_json_array_and_single_body(tmp_path: Path) -> None:
    """A JSON array is one unit per element; a single object is one body."""
    arr = tmp_path / "bodies.json"
    arr.write_bytes(orjson.dumps([S("inProgress", 5), S("completed", 100)], option=2))
    code, data, _ = check_json(str(arr))
    assert code == 0 and data["inputs"][0]["format"] == "json"
    assert data["inputs"][0]["unit"] == "element" and data["jobs"][0]["lines"] == [1, 2]
    one = tmp_path / "one.json"
    one.write_bytes(orjson.dumps(S("failed"), option=orjson.OPT_INDENT_2))
    code, data, _ = check_json(str(one))
    assert code == 0 and data["jobs"][0]["outcome"] == "failure"


def har(*entries: dict[str, Any]) -> bytes:
    return orjson.dumps({"log": {"version": "1.2", "creator": {"name": "t"}, "entries": entries}})


def entry(
    url: str, t: str, status: int, body: Any = None, *, b64: bool = False, method: str = "GET"
) -> dict[str, Any]:
    content: dict[str, Any] = {"mimeType": "application/json", "size": 0}
    if body is not None:
        text = body if isinstance(body, str) else orjson.dumps(body).decode()
        content["text"] = base64.b64encode(text.encode()).decode() if b64 else text
        if b64:
            content["encoding"] = "base64"
    return {
        "startedDateTime": t,
        "request": {"method": method, "url": url},
        "response": {"status": status, "content": content},
    }


def test_har_selects_polls_groups_by_monitor_url_and_orders_by_time(tmp_path: Path) -> None:
    """A HAR keeps monitor polls, one job per URL, in startedDateTime order."""
    m1 = "https://api.example/monitor/abc?x=1"
    m2 = "https://api.example/_api/v2.1/drive/operations/op2"
    f = tmp_path / "capture.har"
    f.write_bytes(
        har(
            entry("https://api.example/items/1/copy", "2026-01-01T00:00:00Z", 202, method="POST"),
            entry(m1, "2026-01-01T00:00:03Z", 202, S("completed", 100), b64=True),
            entry(m1, "2026-01-01T00:00:01Z", 202, S("inProgress", 40)),
            entry(m2, "2026-01-01T00:00:02Z", 500, "<html>oops</html>"),
            entry(m2, "2026-01-01T00:00:04Z", 303),
            entry(m1.replace("x=1", "x=2"), "2026-01-01T00:00:02Z", 202, S("inProgress", 60)),
            entry("https://api.example/other", "2026-01-01T00:00:05Z", 200, {"value": []}),
            entry(m2, "2026-01-01T00:00:06Z", 0),
        )
    )
    code, data, _ = check_json(str(f))
    [acc] = data["inputs"]
    assert acc["format"] == "har" and acc["unit"] == "entry" and acc["read"] == 8
    assert acc["skipped"] == 3 and sum(acc["skip_reasons"].values()) == 3
    assert not any("303" in r for r in acc["skip_reasons"])  # a 303 is the completion
    jobs = jobs_by_key(data)
    a = jobs["https://api.example/monitor/abc"]
    assert a["ok"] and a["observations"] == 3 and a["http_status"] == {"202": 3}
    assert a["lines"] == [2, 6]  # entries 3 (t=1), 6 (t=2), 2 (t=3): lowest and highest
    b = jobs[m2]  # a 500 HTML page is an error answer, classified by its HTTP status
    assert b["violations"] == [] and b["error_answers"] == 1 and b["transient_5xx"] == 0
    assert b["outcome"] == "success" and b["http_status"] == {"303": 1, "500": 1}
    assert code == 0


def test_csv_and_tsv_with_configurable_columns(tmp_path: Path) -> None:
    """CSV and TSV read jobs from named columns."""
    f = tmp_path / "export.csv"
    f.write_text(
        "job_id,status,percentageComplete,timestamp\n"
        "j1,notStarted,0,2026-01-01T00:00:00Z\n"
        "j2,inProgress,,2026-01-01T00:00:01Z\n"
        "j1,inProgress,forty,2026-01-01T00:00:02Z\n"
        "\n"
        "j1,completed,100,2026-01-01T00:00:03Z\n"
        "j2,failed\n"
    )
    code, data, _ = check_json(str(f))
    [acc] = data["inputs"]
    assert acc["format"] == "csv" and acc["read"] == 6 and acc["blank"] == 1
    assert acc["unattributed"][0]["line"] == 7 and "2 fields" in acc["unattributed"][0]["message"]
    jobs = jobs_by_key(data)
    assert [(v["rule"], v["line"]) for v in jobs["j1"]["violations"]] == [("percentage-type", 4)]
    tsv = tmp_path / "export.tsv"
    tsv.write_text("op\tstate\tpct\nx\tinProgress\t10\nx\tcompleted\t100\n")
    args = ["--job-key", "op", "--status-column", "state", "--percentage-column", "pct"]
    code, data, _ = check_json(*args, str(tsv))
    assert code == 0 and data["inputs"][0]["format"] == "tsv"
    assert data["jobs"][0]["observations"] == 2 and data["jobs"][0]["outcome"] == "success"


def test_csv_order_by_a_timestamp_column(tmp_path: Path) -> None:
    """--order-by on CSV sorts each job by a column."""
    f = tmp_path / "export.csv"
    f.write_text(
        "job_id,status,percentageComplete,timestamp\n"
        "j1,completed,100,2026-01-01T00:00:03Z\n"
        "j1,notStarted,0,2026-01-01T00:00:01Z\n"
        "j1,inProgress,50,2026-01-01T00:00:02Z\n"
        "j1,inProgress,60,\n"
    )
    code, data, _ = check_json("--order-by", "timestamp", str(f))
    [acc] = data["inputs"]
    assert [u["line"] for u in acc["unattributed"]] == [5]  # no timestamp to order by
    assert code == 1  # a rejected line is an error
    [job] = data["jobs"]
    assert job["ok"] and job["outcome"] == "success" and job["observations"] == 3
    _, data, _ = check_json(str(f))  # file order: completed comes first
    assert data["jobs"][0]["violations"][0]["rule"] == "after-terminal"


def test_har_says_which_options_it_does_not_use(tmp_path: Path) -> None:
    """Options a HAR ignores are named in a note, not silently dropped."""
    f = tmp_path / "c.har"
    f.write_bytes(har(entry("https://h/monitor/1", "2026-01-01T00:00:00Z", 202, S("failed"))))
    _, data, _ = check_json("--job-key", "x", str(f))
    assert any("--job-key not used" in n for n in data["inputs"][0]["notes"])


def test_gzip_and_stdin(tmp_path: Path) -> None:
    """A gzipped input and standard input read like plain files."""
    payload = jsonl(S("inProgress", 1), S("completed", 100))
    f = tmp_path / "polls.jsonl.gz"
    f.write_bytes(gzip.compress(payload))
    code, data, _ = check_json(str(f))
    assert code == 0 and data["inputs"][0]["format"] == "jsonl"
    code, data, _ = check_json("-", stdin=gzip.compress(payload))
    assert code == 0 and data["inputs"][0]["name"] == "<stdin>"
    code, data, _ = check_json("-", stdin=b"job_id,status\nq,failed\n")
    assert code == 0 and data["inputs"][0]["format"] == "csv"


def test_several_files_in_one_run(tmp_path: Path) -> None:
    """Several inputs of different formats are checked in one run."""
    (tmp_path / "a.jsonl").write_bytes(jsonl(S("completed", 100)))
    (tmp_path / "b.csv").write_text("job_id,status\nz,cancelled\n")
    code, data, _ = check_json(str(tmp_path / "a.jsonl"), str(tmp_path / "b.csv"))
    assert code == 0 and [j["outcome"] for j in data["jobs"]] == ["success", "cancelled"]
    assert data["totals"]["read"] == 2


# -- the bad-input catalogue -------------------------------------------------------------


def test_invalid_json_line_and_truncated_last_line(tmp_path: Path) -> None:
    """An invalid line and a truncated last line are rejected with their line numbers."""
    f = tmp_path / "bad.jsonl"
    f.write_bytes(b'{"status": "inProgress"}\n{"status": \n{"status": "completed", "perc')
    code, data, _ = check_json(str(f))
    assert code == 1
    v = data["jobs"][0]["violations"]
    assert [(x["rule"], x["line"]) for x in v] == [("malformed-record", 2), ("malformed-record", 3)]
    assert "truncated" in v[1]["message"]


def test_bom_and_non_object_line(tmp_path: Path) -> None:
    """A BOM is ignored; a line that is not an object is malformed-record."""
    f = tmp_path / "bom.jsonl"
    f.write_bytes(b'\xef\xbb\xbf{"status": "inProgress"}\n"just a string"\n{"status": "failed"}\n')
    _code, data, _ = check_json(str(f))
    [v] = data["jobs"][0]["violations"]
    assert (v["rule"], v["line"]) == ("malformed-record", 2) and "a string" in v["message"]


def test_invalid_utf8_line(tmp_path: Path) -> None:
    """A line that is not UTF-8 is rejected on its own."""
    f = tmp_path / "utf8.jsonl"
    f.write_bytes(b'{"status": "inProgress"}\n{"status": "\xff"}\n')
    code, data, _ = check_json(str(f))
    [v] = data["jobs"][0]["violations"]
    assert v["line"] == 2 and "UTF-8" in v["message"] and code == 1


def test_empty_file_exits_2(tmp_path: Path) -> None:
    """An empty input is unusable: exit 2 with its name."""
    for name in ("empty.jsonl", "empty.csv", "empty.json"):
        (tmp_path / name).write_bytes(b"")
        proc = run("check", str(tmp_path / name))
        assert proc.returncode == 2 and b"empty input" in proc.stderr, name


def test_binary_garbage_is_rejected_line_by_line_and_exits_2(tmp_path: Path) -> None:
    """Binary garbage is rejected line by line, and with no observation the input is unusable."""
    f = tmp_path / "garbage.bin"
    f.write_bytes(bytes(range(256)) * 40)
    code, data, err = check_json(str(f))
    assert code == 2 and "no observation" in err and "garbage.bin" in err
    assert data["inputs"][0]["rejected"] == data["inputs"][0]["read"] - data["inputs"][0]["blank"]


def test_a_single_line_of_50_mb(tmp_path: Path) -> None:
    """A huge line within --max-record-bytes is read whole (across chunks) and checked; over
    the default cap it is rejected unread; either way the next line still counts."""
    f = tmp_path / "huge.jsonl"
    big = S("inProgress", 10, statusDescription="x" * (50 << 20))
    f.write_bytes(orjson.dumps(big) + b"\n" + jsonl(S("completed", 100)))
    code, data, _ = check_json(str(f), "--max-record-bytes", str(64 << 20))
    assert code == 0 and data["jobs"][0]["observations"] == 2
    assert data["inputs"][0]["read"] == 2
    code, data, _ = check_json(str(f))
    [job] = data["jobs"]
    assert code == 1 and (job["observations"], job["rejected"]) == (1, 1)
    [v] = job["violations"]
    assert v["rule"] == "malformed-record" and v["line"] == 1
    assert "longer than 16,777,216 bytes (--max-record-bytes)" in v["message"]


def test_a_har_that_is_not_har(tmp_path: Path) -> None:
    """A .har that is not a HAR document is unusable, with the reason."""
    for body, message in (
        (b'{"log": {"pages": []}}', b"no log.entries"),
        (b"{not json", b"not a HAR file"),
        (b"[1, 2]", b"no log.entries"),
    ):
        f = tmp_path / "capture.har"
        f.write_bytes(body)
        proc = run("check", str(f))
        assert proc.returncode == 2 and message in proc.stderr and b"capture.har" in proc.stderr


def test_csv_with_a_missing_column(tmp_path: Path) -> None:
    """A CSV header without the job or status column is unusable, naming the columns."""
    f = tmp_path / "export.csv"
    f.write_text("job_id,state\nj,completed\n")
    proc = run("check", str(f))
    assert proc.returncode == 2
    assert b"line 1" in proc.stderr and b"no column 'status'" in proc.stderr


def test_missing_file_and_directory(tmp_path: Path) -> None:
    """A missing file and a directory are unusable; the other inputs are still checked."""
    proc = run("check", str(tmp_path / "nope.jsonl"), str(tmp_path))
    assert proc.returncode == 2
    assert b"nope.jsonl: no such file" in proc.stderr and b"is a directory" in proc.stderr


def test_corrupt_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    """A gzip that breaks off keeps what was read before the break, and exits 2."""
    whole = gzip.compress(jsonl(*[S("inProgress", i) for i in range(20000)]))
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    code, data, err = check_json(str(cut))
    assert code == 2 and "corrupt gzip" in err and "cut.jsonl.gz" in err
    assert 0 < data["inputs"][0]["observations"] < 20000
    bad = tmp_path / "bad.gz"
    bad.write_bytes(b"\x1f\x8b" + b"\x00" * 30)
    proc = run("check", str(bad))
    assert proc.returncode == 2 and b"gzip" in proc.stderr and b"Traceback" not in proc.stderr


# -- outputs and options -----------------------------------------------------------------


def many_jobs(tmp_path: Path) -> Path:
    f = tmp_path / "jobs.jsonl"
    f.write_bytes(
        jsonl(
            {"j": "clean", **S("completed", 100)},
            {"j": "warn", **S("inProgress", 50)},
            {"j": "bad", **S("completed")},
            {"j": "warn", **S("inProgress", 40)},
            {"j": "bad", **S("failed")},
            {"j": "bad", **S("inProgress")},
            {"j": "gap", **S("notStarted", 0)},
            {"j": "gap", **S("completed", 100)},
        )
    )
    return f


def test_text_output_worst_first_with_totals(tmp_path: Path) -> None:
    """The text report lists jobs worst first, then the totals line."""
    proc = run("check", "--job-key", "j", str(many_jobs(tmp_path)))
    lines = proc.stdout.decode().splitlines()
    heads = [ln.split()[:2] for ln in lines if ln[:4] in ("FAIL", "WARN", "OK  ")]
    assert heads == [["FAIL", "bad"], ["WARN", "warn"], ["OK", "clean"], ["OK", "gap"]]
    assert lines[-1].startswith("4 jobs (3 ok, 1 with errors; 3 success, 1 unfinished)")
    assert "8 lines read = 8 observations + 0 rejected + 0 blank" in lines[-1]
    assert proc.returncode == 1 and b"\x1b[" not in proc.stdout  # no colour when piped
    assert proc.stderr == b""  # no progress bar when piped


def test_fail_on_warning_and_max_violations(tmp_path: Path) -> None:
    """--fail-on warning makes warnings findings; --max-violations caps printing only."""
    f = many_jobs(tmp_path)
    (tmp_path / "warn.jsonl").write_bytes(jsonl(S("inProgress", 50), S("inProgress", 40)))
    assert run("check", str(tmp_path / "warn.jsonl")).returncode == 0
    assert run("check", "--fail-on", "warning", str(tmp_path / "warn.jsonl")).returncode == 1
    proc = run("check", "--job-key", "j", "--max-violations", "1", str(f))
    text = proc.stdout.decode()
    assert text.count("  error  ") + text.count("  warning  ") == 1
    assert "2 more violations not shown" in text
    assert "2 errors, 1 warning" in text.splitlines()[-1]  # counted all the same


def test_explain_shows_steps_gaps_and_violations(tmp_path: Path) -> None:
    """--explain shows every step, gap paths and where violations sit."""
    proc = run("check", "--job-key", "j", "--explain", str(many_jobs(tmp_path)))
    text = proc.stdout.decode()
    assert "gap via notStarted -> inProgress -> completed" in text
    assert "after-terminal" in text and "^ error after-terminal" in text
    assert "stutter" not in text or "inProgress" in text


def test_junit_output(tmp_path: Path) -> None:
    """The JUnit report is well-formed, one test case per job."""
    proc = run("check", "--format", "junit", "--job-key", "j", str(many_jobs(tmp_path)))
    root = ET.fromstring(proc.stdout)
    suite = root.find("testsuite")
    assert suite is not None and suite.get("tests") == "4" and suite.get("failures") == "1"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    failure = cases["bad"].find("failure")
    assert failure is not None and failure.get("type") == "after-terminal"
    assert cases["clean"].find("failure") is None
    proc = run("check", "--format", "junit", "--fail-on", "warning", "--job-key", "j",
               str(many_jobs(tmp_path)))  # fmt: skip
    suite = ET.fromstring(proc.stdout).find("testsuite")
    assert suite is not None and suite.get("failures") == "2"


# -- arbitrary bytes through the real entry point ------------------------------------------

FRAGMENTS = [
    b'{"status": "inProgress", "percentageComplete": 5}\n',
    b'{"jobId": "a", "status": "completed"}\n',
    b'{"log": {"entries": [',
    b'{"request": {"url": "https://h/monitor/1"}, "response": {"status": 202, "content":'
    b' {"text": "{\\"status\\": \\"failed\\"}"}}, "startedDateTime": "2026-01-01T00:00:00Z"}',
    b"]}}",
    b"job_id,status,percentageComplete\n",
    b"j,inProgress,50\n",
    b"\xef\xbb\xbf",
    b"\n",
    b"\r\n",
    b",",
    b'"',
    b"\x00\xff",
    b"[",
    b"{",
    b"}",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    payload=st.one_of(
        st.binary(max_size=600), st.lists(st.sampled_from(FRAGMENTS), max_size=12).map(b"".join)
    ),
    suffix=st.sampled_from([".jsonl", ".json", ".har", ".csv", ".tsv", ".jsonl.gz", ""]),
    compress=st.booleans(),
    fmt=st.sampled_from(["text", "json", "junit"]),
    extra=st.sampled_from([[], ["--job-key", "jobId"], ["--explain"], ["--order-by", "t"]]),
)
def test_arbitrary_bytes_never_crash(
    payload: bytes, suffix: str, compress: bool, fmt: str, extra: list[str]
) -> None:
    """Whatever the bytes, the CLI exits 0, 1 or 2 and never with a traceback."""
    from click.testing import CliRunner

    from jobstate.cli import main

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"input{suffix}"
        path.write_bytes(gzip.compress(payload) if compress else payload)
        result = CliRunner().invoke(main, ["check", "--format", fmt, *extra, str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        "".join(traceback.format_exception(*result.exc_info))  # type: ignore[misc]
    )
    assert result.exit_code in (0, 1, 2)
    assert "Traceback" not in result.output
    if fmt == "json" and result.stdout.startswith("{"):
        for acc in orjson.loads(result.stdout)["inputs"]:  # every unit accounted for
            total = acc["observations"] + acc["rejected"] + acc["blank"] + acc["skipped"]
            assert acc["read"] == total, acc


def test_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    """On a terminal, a large input shows a progress bar on standard error; piped, nothing."""
    import os
    import pty

    f = tmp_path / "polls.jsonl"
    f.write_bytes(jsonl(*[S("inProgress", 1)] * 20000))
    env = {**os.environ, "JOBSTATE_PROGRESS_BYTES": "1000"}
    cmd = [sys.executable, "-m", "jobstate.cli", "check", str(f)]
    master, slave = pty.openpty()
    proc = subprocess.run(cmd, stderr=slave, stdout=subprocess.PIPE, env=env, timeout=60)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert proc.returncode == 0
    assert str(f).encode() in seen and b"100%" in seen
    piped = subprocess.run(cmd, capture_output=True, env=env, timeout=60)
    assert piped.returncode == 0 and piped.stderr == b""


# -- the monitor's HTTP answers (issue #10, part) ------------------------------------------------


def test_gone_after_the_end_is_expiry_and_before_it_is_monitor_lost(tmp_path: Path) -> None:
    """A 404 or 410 without a status body, or an operationNotFound error, after a terminal
    status is the monitor expiring (counted, no violation); before any terminal it is a
    monitor-lost error. A 404 that carries a status body is read as a status body."""
    recs = [
        {"j": "a", "http": 202, "body": S("inProgress", 50)},
        {"j": "a", "http": 202, "body": S("completed", 100)},
        {"j": "a", "http": 404, "body": {"error": {"code": "itemNotFound"}}},
        {"j": "a", "http": 410, "body": {}},
        {"j": "a", "http": 500, "body": {"error": {"code": "operationNotFound"}}},
        {"j": "b", "http": 202, "body": S("inProgress", 10)},
        {"j": "b", "http": 404, "body": {"error": {"code": "itemNotFound"}}},
        {"j": "c", "http": 202, "body": S("inProgress", 10)},
        {"j": "c", "http": 404, "body": S("failed", 10)},
    ]
    f = tmp_path / "p.jsonl"
    f.write_bytes(jsonl(*recs))
    code, data, _ = check_json("--job-key", "j", "--body-key", "body", "--http-key", "http",
                               str(f))  # fmt: skip
    jobs = jobs_by_key(data)
    assert (jobs["a"]["ok"], jobs["a"]["expired_polls"], jobs["a"]["outcome"]) == (
        True,
        3,
        "success",
    )
    assert [v["rule"] for v in jobs["b"]["violations"]] == ["monitor-lost"]
    assert "HTTP 404" in jobs["b"]["violations"][0]["message"] and code == 1
    assert (jobs["c"]["ok"], jobs["c"]["outcome"]) == (True, "failure")
    text = run("check", "--job-key", "j", "--body-key", "body", "--http-key", "http", str(f))
    assert b"3 polls after the end answered 'gone' (monitor expired)" in text.stdout
    explained = run("check", "--explain", "--job-key", "j", "--body-key", "body",
                    "--http-key", "http", str(f)).stdout  # fmt: skip
    assert b"expired" in explained and b"monitor gone after the end" in explained


def test_a_redirect_without_a_status_body_is_the_completion(tmp_path: Path) -> None:
    """HTTP 303 (any 3xx) with no status body ends the job as success, in JSON Lines and CSV
    as in HAR; a 3xx that carries a status body is read as that body."""
    f = tmp_path / "p.jsonl"
    f.write_bytes(jsonl(
        {"j": "a", "http": 202, "body": S("inProgress", 50)},
        {"j": "a", "http": 303, "body": {}},
        {"j": "b", "http": 202, "body": S("inProgress", 50)},
        {"j": "b", "http": 302, "body": S("failed", 50)},
    ))  # fmt: skip
    code, data, _ = check_json("--job-key", "j", "--body-key", "body", "--http-key", "http",
                               str(f))  # fmt: skip
    jobs = jobs_by_key(data)
    assert code == 0 and jobs["a"]["outcome"] == "success" and jobs["b"]["outcome"] == "failure"
    c = tmp_path / "p.csv"
    c.write_text("job_id,status,http_status\nop,inProgress,202\nop,,303\n")
    code, data, _ = check_json("--http-key", "http_status", str(c))
    assert code == 0 and data["jobs"][0]["outcome"] == "success"


def test_a_gone_answer_that_is_not_json_is_expiry_in_a_har(tmp_path: Path) -> None:
    """A HAR 404 whose body is an HTML page, after the end, is expiry, not a malformed record;
    the poll itself is a client finding."""
    m = "https://h/monitor/1"
    f = tmp_path / "c.har"
    f.write_bytes(har(
        entry(m, "2026-01-01T00:00:01Z", 202, S("completed", 100)),
        entry(m, "2026-01-01T00:00:02Z", 404, "<html>Not Found</html>"),
    ))  # fmt: skip
    code, data, _ = check_json(str(f))
    [job] = data["jobs"]
    assert job["expired_polls"] == 1 and job["violations"] == [] and job["errors"] == 0
    # the lifecycle is fine; the client polled after the end, which is its own finding
    assert [f["id"] for f in job["client"]["findings"]] == ["polled-after-terminal"]
    assert code == 1 and data["totals"]["errors"] == 0


# -- Parquet (issue #13, part) ---------------------------------------------------------------


def test_parquet_reads_as_the_csv_export_does(tmp_path: Path) -> None:
    """The CSV example written as Parquet (typed columns, a timestamp column) gives the same
    jobs, verdicts and accounting, ordered by its timestamps as times."""
    pl = pytest.importorskip("polars")
    csv = Path(__file__).resolve().parents[2] / "examples" / "polls.csv"
    path = tmp_path / "polls.parquet"
    pl.read_csv(csv, try_parse_dates=True).write_parquet(path)
    _, from_csv, _ = check_json("--http-key", "http_status", str(csv))
    for extra in ([], ["--order-by", "timestamp"]):
        code, data, _ = check_json("--http-key", "http_status", *extra, str(path))
        assert code == 0 and data["inputs"][0]["format"] == "parquet"
        assert data["inputs"][0]["notes"] == []
        keep = ("key", "outcome", "observations", "errors", "warnings", "http_status",
                "expired_polls")  # fmt: skip
        assert [{k: j[k] for k in keep} for j in data["jobs"]] == [
            {k: j[k] for k in keep} for j in from_csv["jobs"]
        ]
        assert data["totals"] == from_csv["totals"]


def test_parquet_rows_without_a_job_and_odd_values(tmp_path: Path) -> None:
    """A row with no job key is rejected at its row; a percentage stored as text is a
    percentage-type error; a missing column is exit 2 naming the columns there are."""
    pl = pytest.importorskip("polars")
    path = tmp_path / "p.parquet"
    pl.DataFrame({
        "job_id": ["a", None, "a", "b"],
        "status": ["inProgress", "inProgress", "completed", None],
        "percentageComplete": ["10", None, "100", None],
    }).write_parquet(path)  # fmt: skip
    code, data, _ = check_json(str(path))
    [acc] = data["inputs"]
    assert code == 1 and acc["read"] == 4 and acc["unattributed"][0]["line"] == 2
    rules = {j["key"]: [v["rule"] for v in j["violations"]] for j in data["jobs"]}
    assert rules == {"a": ["percentage-type", "percentage-type"], "b": ["missing-status"]}
    proc = run("check", "--job-key", "nope", str(path))
    assert proc.returncode == 2 and b"no column 'nope'" in proc.stderr
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 not really")
    proc = run("check", str(tmp_path / "bad.parquet"))
    assert proc.returncode == 2 and b"not a readable Parquet file" in proc.stderr


def test_parquet_without_polars_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without polars (the fast extra) or duckdb (the sql extra) a Parquet input is exit 2
    naming the extras to install."""
    import sys

    from click.testing import CliRunner

    from jobstate.cli import main

    path = tmp_path / "p.parquet"
    path.write_bytes(b"PAR1")
    monkeypatch.setitem(sys.modules, "polars", None)  # import polars raises ImportError
    monkeypatch.setitem(sys.modules, "duckdb", None)
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    assert "jobstate-graph[fast]" in result.stderr and "jobstate-graph[sql]" in result.stderr


def test_parquet_without_polars_is_read_by_duckdb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without polars but with duckdb, ``--engine auto`` checks a Parquet file with DuckDB."""
    import sys

    pl = pytest.importorskip("polars")
    pytest.importorskip("duckdb")
    from click.testing import CliRunner

    from jobstate.cli import main

    path = tmp_path / "p.parquet"
    pl.DataFrame({"job_id": ["a", "a"], "status": ["inProgress", "completed"]}).write_parquet(path)
    monkeypatch.setitem(sys.modules, "polars", None)
    result = CliRunner().invoke(main, ["check", "--format", "json", str(path)])
    assert result.exit_code == 0, result.output
    assert '"outcome": "success"' in result.output


# -- --only-failing (issue #13, part) ---------------------------------------------------------


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    jobs=st.lists(
        st.lists(
            st.sampled_from(["notStarted", "inProgress", "waiting", "completed", "failed", "Bad"]),
            min_size=1,
            max_size=5,
        ),
        min_size=1,
        max_size=40,
    ),
    http=st.booleans(),
)
def test_only_failing_lists_the_jobs_with_findings_and_keeps_the_totals(
    tmp_path: Path, jobs: list[list[str]], http: bool
) -> None:
    """--only-failing: the same totals, accounting and verdict; listed are exactly the jobs with
    violations (or client findings), the rest counted as jobs_not_listed. Both streams (the
    conftest makes in-process reads columnar; a subprocess reads small files generally)."""
    from jobstate import ReadOptions, Validator, read_input

    f = tmp_path / "jobs.jsonl"
    rows = []
    for n, statuses in enumerate(jobs):
        for i, status in enumerate(statuses):
            rows.append({"job": f"j{n}", "http": 500 if http and i == 1 else 202,
                         "body": {"status": status}})  # fmt: skip
    f.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    opts = ReadOptions(job_key="job", body_key="body", http_key="http")
    full = read_input(str(f), Validator(), opts)
    only = read_input(str(f), Validator(), opts, only_failing=True)
    flagged = [j.key for j in full.jobs if j.violations or j.client_findings]
    assert [j.key for j in only.jobs] == flagged
    assert only.unlisted is not None and only.unlisted.jobs == len(full.jobs) - len(flagged)
    assert only.observations == full.observations and only.rejected == full.rejected
    code_full, data_full, _ = check_json("--job-key", "job", "--body-key", "body", str(f))
    code_only, data_only, _ = check_json(
        "--only-failing", "--job-key", "job", "--body-key", "body", str(f)
    )
    assert code_only == code_full
    assert data_only["totals"] == {
        **data_full["totals"],
        "jobs_not_listed": len(data_full["jobs"]) - len(data_only["jobs"]),
    }
    assert [j["key"] for j in data_only["jobs"]] == [
        j["key"] for j in data_full["jobs"] if j["violations"]
    ]


def test_only_failing_refuses_diagram(tmp_path: Path) -> None:
    """--diagram draws every job, so it cannot take --only-failing: exit 2."""
    proc = run("check", "--only-failing", "--diagram", str(tmp_path / "o.svg"),
               str(Path(__file__).resolve().parents[2] / "examples" / "polls.csv"))  # fmt: skip
    assert proc.returncode == 2 and b"--only-failing" in proc.stderr
