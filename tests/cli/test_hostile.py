"""Hostile input and hostile surroundings end in a message and an exit code, never a
traceback; memory stays bounded by jobs; every unit is accounted for; untrusted text is printed
inert (issue #11). Each class of break has its own tests, and a fuzz of the CLI mutates all of
them at once."""

from __future__ import annotations

import csv
import gzip
import io
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobstate import InputError, ReadOptions, Validator, read_input
from tests.clirun import RanText, cli_text

EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "traces" / "invalid.jsonl")


def run(*args: str, env: dict[str, str] | None = None) -> RanText:
    """The CLI in process (tests.clirun); the tests where the process is the point (limits,
    signals, a full disk) start their own."""
    return cli_text(*args, env=env)


def _har(*entries: tuple[str, str]) -> bytes:
    return orjson.dumps(
        {
            "log": {
                "entries": [
                    {
                        "request": {"url": url, "method": "GET"},
                        "response": {"status": 202, "content": {"text": text}},
                    }
                    for url, text in entries
                ]
            }
        }
    )


@pytest.mark.parametrize(
    ("url", "body", "says"),
    [
        ("https://h/monitor/1", '{"status": [1]}', "'status' is not a string (got an array)"),
        ("https://h/monitor/1", '{"status": {}}', "'status' is not a string (got an object)"),
        ("http://[::1/monitor/1", '{"status": "failed"}', "invalid request.url"),
    ],
)
def test_har_content_that_broke_the_reader_is_a_violation(
    tmp_path: Path, url: str, body: str, says: str
) -> None:
    """An unhashable status or an invalid URL in a HAR is reported at its entry; the other
    entries are still checked."""
    har = tmp_path / "x.har"
    har.write_bytes(_har((url, body), ("https://h/monitor/2", '{"status": "completed"}')))
    proc = run("check", str(har))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert says in proc.stdout and "OK   https://h/monitor/2" in proc.stdout


@pytest.mark.parametrize("command", [("check", EXAMPLE), ("spec",), ("diagram",)])
def test_output_to_a_full_disk_is_exit_2(command: tuple[str, ...]) -> None:
    """Writing to a full device is a message and exit 2, for every command that prints."""
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "jobstate", *command],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
        )  # fmt: skip
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "cannot write the output (No space left on device)" in proc.stderr


def _json_report(args: list[str], behind_from: int, **kwargs: Any) -> subprocess.Popen[bytes]:
    """``check --format json ARGS`` in a subprocess, its report written behind (on a thread of
    its own) from ``behind_from`` jobs on."""
    code = (
        "import sys, jobstate.cli as c, jobstate.cli._report as r;"
        " r.WRITE_BEHIND_JOBS = int(sys.argv[1]);"
        " sys.argv = ['jobstate', 'check', '--format', 'json', *sys.argv[2:]]; c.main()"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, str(behind_from), *args],
        stdout=kwargs.pop("stdout", subprocess.PIPE), stderr=subprocess.PIPE, **kwargs,
    )  # fmt: skip


def _big_jsonl(tmp_path: Path, jobs: int) -> str:
    path = tmp_path / "big.jsonl"
    with path.open("wb") as fh:
        for i in range(jobs):
            status = "completed" if i % 7 else "Done"
            fh.write(orjson.dumps({"job": f"j{i}", "status": status, "percentageComplete": 100}))
            fh.write(b"\n")
    return str(path)


def test_a_report_written_behind_is_the_report_written_directly(tmp_path: Path) -> None:
    """The JSON report of a big input, written on a thread of its own, is byte for byte the
    report written by the main thread."""
    args = ["--job-key", "job", _big_jsonl(tmp_path, 3000)]
    outs = {}
    for behind_from in (1, 10**9):
        proc = _json_report(args, behind_from)
        outs[behind_from] = proc.communicate(timeout=120)
        assert proc.returncode == 1, outs[behind_from][1]
    assert outs[1] == outs[10**9]
    assert len(orjson.loads(outs[1][0])["jobs"]) == 3000


@pytest.mark.parametrize("where", ["full disk", "closed pipe"])
def test_a_report_written_behind_that_cannot_be_written_ends_cleanly(
    tmp_path: Path, where: str
) -> None:
    """A write error on the writing thread ends the run as on the main thread, no traceback:
    a full disk is a message and exit 2; a reader gone away a silent exit 141."""
    args = ["--job-key", "job", _big_jsonl(tmp_path, 20_000)]
    if where == "full disk":
        with open("/dev/full", "wb") as full:
            proc = _json_report(args, 1, stdout=full)
            _, err = proc.communicate(timeout=120)
        says = b"No space left on device"
    else:
        proc = _json_report(args, 1)
        assert proc.stdout is not None
        proc.stdout.read(100)
        proc.stdout.close()  # the reader goes away: the rest of the report meets a closed pipe
        err = proc.stderr.read() if proc.stderr is not None else b""
        proc.wait(timeout=120)
        assert proc.returncode == 141 and err == b""  # the reader left: a quiet end
        return
    assert proc.returncode == 2 and b"Traceback" not in err
    assert b"cannot write the output (" + says in err


def test_diagram_all_into_an_impossible_folder(tmp_path: Path) -> None:
    """`diagram --all` under a file (or an unwritable parent) is a message and exit 2."""
    (tmp_path / "file").write_text("")
    proc = run("diagram", "--all", str(tmp_path / "file" / "sub"))
    assert proc.returncode == 2 and "cannot write (Not a directory)" in proc.stderr


def test_a_bad_progress_setting_is_a_usage_error() -> None:
    """JOBSTATE_PROGRESS_BYTES that is not a number is exit 2 naming the variable."""
    import os

    proc = run("check", EXAMPLE, env={**os.environ, "JOBSTATE_PROGRESS_BYTES": "abc"})
    assert proc.returncode == 2 and "JOBSTATE_PROGRESS_BYTES" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_deeply_nested_model_file(tmp_path: Path) -> None:
    """A TOML model nested 100,000 deep is refused with a message, not a RecursionError."""
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    proc = run("client", "--model", str(deep))
    assert proc.returncode == 2 and "nested too deeply" in proc.stderr


def test_ctrl_c_exits_130() -> None:
    """SIGINT during a run exits 130, not 1 (the findings code)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobstate", "check", "-"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        time.sleep(1.5)  # reading standard input, which stays open
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err


def check_json(*args: str) -> tuple[int, dict[str, Any]]:
    proc = run("check", "--format", "json", *args)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, orjson.loads(proc.stdout)


def inert_text(text: str) -> bool:
    """No character that acts on a terminal: only printable ones and line ends."""
    return all(c == "\n" or c.isprintable() for c in text)


# -- 1. memory grows with jobs, not violations ------------------------------------------------


def test_violations_beyond_the_cap_are_counted_not_kept(tmp_path: Path) -> None:
    """With --keep-violations N, N violations are kept in full; the rest are counted by job and
    rule, and totals, verdicts and exit codes are unchanged."""
    f = tmp_path / "bad.jsonl"
    f.write_bytes(b"x\n" * 50 + b'{"status": "inProgress", "percentageComplete": 500}\n' * 5)
    code, data = check_json("--keep-violations", "10", str(f))
    [job] = data["jobs"]
    assert code == 1 and len(job["violations"]) == 10 and job["errors"] == 55
    assert job["violations_not_kept"] == {"malformed-record": 40, "percentage-range": 5}
    assert data["totals"]["errors"] == 55 and data["totals"]["rejected"] == 50
    text = run("check", "--keep-violations", "10", str(f)).stdout
    assert "45 more violations counted, not kept" in text and "(--keep-violations)" in text


@pytest.mark.parametrize("keep", ["0", "1"])
def test_jobs_whose_violations_were_all_counted_still_fail(tmp_path: Path, keep: str) -> None:
    """A job whose violations all came after the cap (none kept, all counted) still counts in
    the totals and the exit code: before, it was ok, and ``--keep-violations 0`` exited 0."""
    f = tmp_path / "two.jsonl"
    f.write_bytes(b'{"j": "a", "status": "X"}\n{"j": "b", "status": "Y"}\n')
    code, data = check_json("--job-key", "j", "--keep-violations", keep, str(f))
    assert code == 1 and data["ok"] is False
    assert data["totals"]["errors"] == 2 and data["totals"]["jobs_with_errors"] == 2
    assert [j["ok"] for j in data["jobs"]] == [False, False]
    text = run("check", "--job-key", "j", "--keep-violations", keep, str(f)).stdout
    assert "(0 ok, 2 with errors" in text and "2 errors" in text


def test_units_rejected_outside_jobs_are_capped_too(tmp_path: Path) -> None:
    """Lines with no job key count toward the same cap, and are still all accounted for."""
    f = tmp_path / "loose.jsonl"
    f.write_bytes(b'{"status": "inProgress"}\n' * 30 + b'{"j": "a", "status": "completed"}\n')
    code, data = check_json("--job-key", "j", "--keep-violations", "4", str(f))
    [acc] = data["inputs"]
    assert code == 1 and len(acc["unattributed"]) == 4 and acc["unattributed_not_kept"] == 26
    assert acc["rejected"] == 30 and data["totals"]["errors"] == 30
    assert acc["read"] == acc["observations"] + acc["rejected"] + acc["blank"] + acc["skipped"]
    junit = ET.fromstring(run("check", "--format", "junit", "--job-key", "j",
                              "--keep-violations", "4", str(f)).stdout)  # fmt: skip
    assert "26 more counted, not kept" in ET.tostring(junit, encoding="unicode")


# -- 2. record and document size caps ---------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 3000), min_size=1, max_size=12),
    chunk=st.sampled_from([64, 1000, 4096]),
    final_newline=st.booleans(),
)
def test_lines_over_the_record_cap_are_rejected_unread(
    sizes: list[int], chunk: int, final_newline: bool
) -> None:
    """Whatever the line lengths and chunk size: a line within --max-record-bytes is read, a
    longer one is one rejected line (without being held), and the numbering holds."""
    from jobstate.readers import jsonl

    cap = 1024
    lines = [b'{"status": "inProgress", "pad": "' + b"x" * n + b'"}' for n in sizes]
    with tempfile.TemporaryDirectory() as d, pytest.MonkeyPatch.context() as m:
        m.setattr(jsonl, "CHUNK", chunk)
        path = Path(d) / "t.jsonl"
        path.write_bytes(b"\n".join(lines) + (b"\n" if final_newline else b""))
        summary = read_input(str(path), Validator(), ReadOptions(max_record_bytes=cap))
    [job] = summary.jobs
    over = [i + 1 for i, line in enumerate(lines) if len(line) > cap]
    assert summary.units_read == len(lines)
    assert (job.observations, job.rejected) == (len(lines) - len(over), len(over))
    assert [v.line for v in job.violations if v.rule == "malformed-record"] == over
    assert all("--max-record-bytes" in v.message for v in job.violations)


def test_a_csv_row_over_the_cap_is_rejected_and_the_next_rows_read(tmp_path: Path) -> None:
    """A CSV line over the cap is rejected with its line; the rows after it still count."""
    f = tmp_path / "big.csv"
    big = "x" * 5000
    f.write_text(f"job_id,status,note\na,inProgress,{big}\na,completed,ok\nb,failed,ok\n")
    code, data = check_json("--max-record-bytes", "1024", str(f))
    [acc] = data["inputs"]
    assert code == 1 and acc["read"] == 3 and acc["observations"] == 2
    assert "line 2 longer than 1,024 characters" in acc["unattributed"][0]["message"]


def test_a_document_over_the_cap_is_refused(tmp_path: Path) -> None:
    """A JSON or HAR document larger than --max-document-bytes is exit 2 with the limit."""
    har = tmp_path / "big.har"
    har.write_bytes(_har(*[("https://h/monitor/1", '{"status": "inProgress"}')] * 200))
    proc = run("check", "--max-document-bytes", "2048", str(har))
    assert proc.returncode == 2 and "larger than 2,048 bytes" in proc.stderr
    assert "--max-document-bytes" in proc.stderr


def _limited() -> None:  # runs in the child, before exec
    resource.setrlimit(resource.RLIMIT_DATA, (512 << 20, 512 << 20))


@pytest.mark.parametrize("bomb", ["violations", "line", "document"])
def test_bombs_pass_under_a_512_mb_memory_limit(tmp_path: Path, bomb: str) -> None:
    """Under a 512 MB data limit: 3M rejected lines (a few KB gzipped), one 1 GB line, a HAR
    over the document cap; each ends in a report or a message, never a MemoryError."""
    f = tmp_path / "bomb.jsonl.gz"
    if bomb == "violations":
        with gzip.open(f, "wb", 9) as out:
            out.write(b"x\n" * 3_000_000)
    elif bomb == "line":
        with gzip.open(f, "wb", 1) as out:
            block = b"\0" * (1 << 24)
            for _ in range(64):
                out.write(block)
    else:
        f = tmp_path / "bomb.har.gz"
        with gzip.open(f, "wb", 1) as out:
            out.write(b'{"log": {"entries": [' + b'{"x": 1},' * 10_000_000 + b"{}]}}")
    proc = subprocess.run(
        [sys.executable, "-m", "jobstate", "check", "--summary", str(f)],
        capture_output=True, text=True, timeout=300, preexec_fn=_limited,
    )  # fmt: skip
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr, proc.stderr
    if bomb == "violations":
        assert "3,000,000 errors" in proc.stdout and proc.returncode == 2
    elif bomb == "line":
        assert "1 line read = 0 observations + 1 rejected" in proc.stdout
    else:
        assert proc.returncode == 2 and "--max-document-bytes" in proc.stderr


# -- 4 and 8. untrusted text printed inert; JUnit always well-formed ----------------------------

HOSTILE = ["op-9\rOK   op-9", "\x1b]0;title\x07", "\x1b[2J", "a\u202eb", "\x1b]8;;http://x\x1b\\",
           "tab\there", "nul\x00", "del\x7f", "c1\x9b31m"]  # fmt: skip


@pytest.mark.parametrize("key", HOSTILE)
def test_job_keys_and_names_print_inert(tmp_path: Path, key: str) -> None:
    """A job key (JSON Lines, CSV, HAR URL) or CSV header with control characters reaches the
    terminal escaped, and JUnit XML with it parses."""
    jl = tmp_path / "k.jsonl"
    jl.write_bytes(orjson.dumps({"j": key, "status": "completed"}) + b"\n"
                   + orjson.dumps({"j": key, "status": "inProgress"}) + b"\n")  # fmt: skip
    rows = io.StringIO()
    csv.writer(rows).writerows([["job_id", "status", key], [key, "Done", "1"]])
    cv = tmp_path / "k.csv"
    cv.write_text(rows.getvalue())
    har = tmp_path / "k.har"
    har.write_bytes(_har((f"https://h/monitor/{key}", '{"status": "Done"}')))
    for f, extra in ((jl, ["--job-key", "j"]), (cv, []), (har, [])):
        proc = run("check", *extra, str(f))
        assert proc.returncode == 1 and inert_text(proc.stdout) and inert_text(proc.stderr)
        proc = run("check", "--format", "junit", *extra, str(f))
        ET.fromstring(proc.stdout)  # well-formed
        proc = run("check", "--explain", *extra, str(f))
        assert inert_text(proc.stdout)
    shown = run("check", "--job-key", "j", str(jl)).stdout.splitlines()
    assert not any(line.startswith("OK") for line in shown)


def test_an_undecodable_file_name_in_every_format(tmp_path: Path) -> None:
    """A file name with a byte that is not UTF-8 is shown escaped in text, JSON and JUnit."""
    name = os.fsdecode(b"poll\xff\x1b.jsonl")
    (tmp_path / name).write_bytes(b'{"status": "completed"}\n{"status": "inProgress"}\n')
    path = str(tmp_path / name)
    text = run("check", path).stdout
    assert inert_text(text) and "poll\\xff\\x1b.jsonl" in text
    ET.fromstring(run("check", "--format", "junit", path).stdout)
    orjson.loads(run("check", "--format", "json", path).stdout)


# -- 5. CSV rows are never swallowed -----------------------------------------------------------


def test_an_unclosed_quote_loses_only_its_own_line(tmp_path: Path) -> None:
    """An unclosed quote no longer swallows the rest of the file: its line is rejected, the
    run fails, and the lines after it are read again (op-1's `failed` is seen)."""
    f = tmp_path / "q.csv"
    f.write_text('job_id,status,note\nop-0,completed,ok\nop-1,inProgress,"x\nop-1,failed,y\n')
    code, data = check_json(str(f))
    [acc] = data["inputs"]
    assert code == 1 and acc["read"] == 3 and acc["rejected"] == 1
    message = acc["unattributed"][0]["message"]
    assert message == "unclosed quote (line 3): the line is rejected, the lines after it read again"
    assert {j["key"]: j["outcome"] for j in data["jobs"]} == {"op-0": "success", "op-1": "failure"}


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]),
            st.sampled_from(["inProgress", "completed"]),
            st.text(st.sampled_from('x,"\n\r '), max_size=6),
        ),
        min_size=1,
        max_size=10,
    ),
    breaks=st.lists(st.integers(0, 400), max_size=3),
)
def test_csv_lines_are_all_accounted_for(
    rows: list[tuple[str, str, str]], breaks: list[int]
) -> None:
    """Whatever quoting damage: every physical line after the header lies in a row that is an
    observation, a rejection (with its range) or blank."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([["job_id", "status", "note"], *rows])
    text = out.getvalue()
    for b in breaks:  # drop or add a quote somewhere
        i = b % max(len(text), 1)
        text = text[:i] + ('"' if text[i : i + 1] != '"' else "") + text[i + 1 :]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "t.csv"
        path.write_text(text)
        try:
            summary = read_input(str(path), Validator())
        except InputError:  # a broken header: the input is unusable, said so
            return
    rejected = sum(j.rejected for j in summary.jobs) + summary.loose
    assert summary.units_read == summary.observations + rejected + summary.blank


_PLAIN = st.text(st.sampled_from("xyz "), max_size=5)
_PLAIN_ROWS = st.lists(  # rows whose notes hold no quote, separator or line break
    st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["inProgress", "failed"]), _PLAIN),
    min_size=1,
    max_size=12,
)


@settings(max_examples=80, deadline=None)
@given(
    rows=_PLAIN_ROWS,
    quotes=st.lists(st.integers(0, 2000), max_size=4),
)
def test_a_tsv_loses_no_line_to_a_quote(
    rows: list[tuple[str, str, str]], quotes: list[int]
) -> None:
    """A TSV has no quoting to honour: wherever quotes are added, every line is one
    observation, none rejected and none merged into another."""
    text = "job_id\tstatus\tnote\n" + "".join("\t".join(r) + "\n" for r in rows)
    for q in quotes:  # a quote anywhere but inside the header
        i = len("job_id\tstatus\tnote\n") + q % (len(text) - len("job_id\tstatus\tnote\n"))
        text = text[:i] + '"' + text[i:]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "t.tsv"
        path.write_text(text)
        summary = read_input(str(path), Validator())
    assert summary.units_read == len(rows) and summary.observations == len(rows), text
    assert summary.loose == 0 and sum(j.rejected for j in summary.jobs) == 0


@settings(max_examples=60, deadline=None)
@given(
    rows=_PLAIN_ROWS,
    at=st.integers(0, 100),
    cap=st.sampled_from([64, 1 << 24]),
)
def test_a_csv_unclosed_quote_loses_only_its_line(
    rows: list[tuple[str, str, str]], at: int, cap: int
) -> None:
    """One quote opened in a note and never closed, with the rest to the end of the input or
    past the record cap: that line is rejected, every other line is an observation."""
    k = at % len(rows)
    lines = [",".join(r) for r in rows]
    job, status, note = rows[k]
    lines[k] = f'{job},{status},"{note}'
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "t.csv"
        path.write_text("job_id,status,note\n" + "".join(line + "\n" for line in lines))
        summary = read_input(str(path), Validator(), ReadOptions(max_record_bytes=cap))
    assert summary.units_read == len(rows) and summary.observations == len(rows) - 1
    [(line, message)] = summary.unattributed
    assert line == k + 2 and message.startswith("unclosed quote (line")


def test_a_quote_left_open_over_many_short_lines_loses_only_its_line(tmp_path: Path) -> None:
    """An unclosed quote followed by 50,000 short rows: the row's span is bounded by the cap
    (counted as the lines come, not summed again for each), its line alone is rejected, and
    every row after it is read."""
    f = tmp_path / "q.csv"
    f.write_text('job_id,status,note\na,inProgress,"x\n' + "b,inProgress,y\n" * 50_000)
    summary = read_input(str(f), Validator(), ReadOptions(max_record_bytes=65_536))
    assert (summary.units_read, summary.observations, summary.loose) == (50_001, 50_000, 1)
    assert summary.unattributed[0][0] == 2


def test_a_csv_quote_closed_lines_later_loses_only_its_line(tmp_path: Path) -> None:
    """A stray quote that a later one closes, leaving text after it: the first line is
    rejected with the CSV error, and the lines after it, the closing one included, are read."""
    f = tmp_path / "q.csv"
    f.write_text('job_id,status,note\na,inProgress,"x\nb,inProgress,y\nc,failed,z"w\n')
    summary = read_input(str(f), Validator())
    assert summary.units_read == 3 and summary.observations == 2
    assert summary.unattributed == [
        (
            2,
            "CSV error: ',' expected after '\"' (line 2): the line is rejected, the lines after"
            " it read again",
        )
    ]


# -- 6. a broken gzip keeps everything before the break ----------------------------------------


def _zlib_prefix(data: bytes) -> bytes:
    """What a byte-by-byte inflater gets out of ``data`` before it breaks (the reference)."""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = []
    for i in range(len(data)):
        try:
            out.append(d.decompress(data[i : i + 1]))
        except zlib.error:
            break
        if d.eof:
            break
    return b"".join(out)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(1, 3000),
    damage=st.sampled_from(["truncate", "junk", "flip"]),
    where=st.floats(0.05, 0.999),
)
def test_a_broken_gzip_keeps_every_line_before_the_break(n: int, damage: str, where: float) -> None:
    """Truncated, followed by junk, or with a corrupt byte: every whole line decompressed before
    the break is read, and the input says where it broke."""
    lines = b"".join(b'{"status": "inProgress", "percentageComplete": %d}\n' % (i % 100)
                     for i in range(n))  # fmt: skip
    data = gzip.compress(lines, 6)
    cut = max(11, int(len(data) * where))
    if damage == "truncate":
        data = data[:cut]
    elif damage == "junk":
        data = data + b"123456789"
    else:
        data = data[:cut] + bytes([data[cut] ^ 0xFF]) + data[cut + 1 :] if cut < len(data) else data
    whole = _zlib_prefix(data).count(b"\n")
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "t.jsonl.gz"
        path.write_bytes(data)
        try:
            summary = read_input(str(path), Validator())
        except InputError as exc:  # broken before the first byte: nothing to keep
            assert "corrupt gzip" in str(exc) and whole == 0
            return
    read = summary.observations + sum(j.rejected for j in summary.jobs) + summary.blank
    assert read == summary.units_read
    assert summary.units_read >= whole  # a flipped byte may decode to lines that are not JSON
    if damage == "truncate":
        assert summary.observations >= whole
    if damage == "junk":
        assert summary.observations == n and summary.error is not None


def test_the_issue_gzip_repros(tmp_path: Path) -> None:
    """The two cases from the issue: 200,000 lines then 9 junk bytes keeps all 200,000; a small
    truncated gzip keeps what zcat recovers."""
    lines = b"".join(b'{"status": "inProgress", "percentageComplete": 1}\n' for _ in range(200_000))
    f = tmp_path / "junk.jsonl.gz"
    f.write_bytes(gzip.compress(lines) + b"123456789")
    proc = run("check", "--summary", str(f))
    assert proc.returncode == 2 and "200,000 lines read = 200,000 observations" in proc.stdout
    assert "junk after gzip member 1" in proc.stderr
    small = gzip.compress(b"".join(b'{"status": "inProgress", "n": %d}\n' % i for i in range(2000)))
    f.write_bytes(small[: len(small) // 2])
    zcat = subprocess.run(["zcat"], input=f.read_bytes(), capture_output=True).stdout
    proc = run("check", "--summary", str(f))
    whole = zcat.count(b"\n")
    assert f"{whole:,} observations" in proc.stdout


# -- 9. --order-by reads times as times ---------------------------------------------------------


def test_order_by_sorts_rfc3339_times_and_offsets_as_times(tmp_path: Path) -> None:
    """``...00:00Z`` sorts before ``...00:00.5Z``, and offsets count; no false after-terminal."""
    recs = [
        {"j": "a", "t": "2026-01-01T00:00:00.5Z", "status": "completed"},
        {"j": "a", "t": "2026-01-01T00:00:00Z", "status": "inProgress"},
        {"j": "b", "t": "2026-01-01T01:00:01+01:00", "status": "completed"},  # 00:00:01Z
        {"j": "b", "t": "2026-01-01T00:00:00.999999999Z", "status": "inProgress"},
    ]
    f = tmp_path / "t.jsonl"
    f.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in recs))
    code, data = check_json("--job-key", "j", "--order-by", "t", str(f))
    assert code == 0 and all(j["outcome"] == "success" for j in data["jobs"])
    assert data["inputs"][0]["notes"] == []


@given(
    when=st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1),
        timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=5, minutes=30)),
                                   timezone(timedelta(hours=-8))]),
    ),
    nanos=st.integers(0, 999),
    zulu=st.booleans(),
)  # fmt: skip
def test_rfc3339_times_read_exactly(when: datetime, nanos: int, zulu: bool) -> None:
    """Any time with any offset, to the nanosecond, reads as its exact instant: the order of
    the parsed values is the order of the instants."""
    from jobstate.readers.fields import rfc3339_ns

    text = when.isoformat(timespec="microseconds")
    if nanos:
        text = text[:26] + f"{nanos:03d}" + text[26:]
    if zulu and when.utcoffset() == timedelta(0):
        text = text[:-6] + "Z"
    expected = (when - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(microseconds=1)
    assert rfc3339_ns(text) == expected * 1000 + nanos


def test_order_by_numbers_and_a_column_that_is_not_time(tmp_path: Path) -> None:
    """Numbers sort as numbers (9 before 10); a column with text sorts as text, said in a note."""
    f = tmp_path / "n.jsonl"
    f.write_bytes(b'{"t": 10, "status": "completed"}\n{"t": 9, "status": "inProgress"}\n')
    code, data = check_json("--order-by", "t", str(f))
    assert code == 0 and data["jobs"][0]["outcome"] == "success"
    f.write_bytes(b'{"t": "b", "status": "completed"}\n{"t": "a", "status": "inProgress"}\n')
    code, data = check_json("--order-by", "t", str(f))
    [note] = data["inputs"][0]["notes"]
    assert code == 0 and "sorted as text" in note and "'b' (line 1)" in note


# -- 14. an unreadable input is one unusable input among others -------------------------------


def test_an_unreadable_input_does_not_stop_the_others(tmp_path: Path) -> None:
    """A file the user cannot read is reported as such (exit 2), and the other inputs are still
    checked and reported. As root (who reads everything) the refusal is simulated in process."""
    secret, ok = tmp_path / "secret.jsonl", tmp_path / "ok.jsonl"
    secret.write_bytes(b'{"status": "completed"}\n')
    ok.write_bytes(b'{"status": "completed"}\n')
    secret.chmod(0)
    if os.geteuid() != 0:
        proc = run("check", str(secret), str(ok))
        code, out, err = proc.returncode, proc.stdout, proc.stderr
    else:
        from click.testing import CliRunner

        from jobstate.cli import main
        from jobstate.readers import opening

        def refuse(path: str, *args: Any) -> Any:
            if path == str(secret):
                raise PermissionError(13, "Permission denied", path)
            return open(path, *args)

        with pytest.MonkeyPatch.context() as m:
            m.setattr(opening, "open", refuse, raising=False)
            m.setattr(os, "access", lambda *a, **k: False)  # what click's readable check asks
            result = CliRunner().invoke(main, ["check", str(secret), str(ok)])
        code, out, err = result.exit_code, result.stdout, result.stderr
    assert code == 2 and "secret.jsonl: permission denied" in err
    assert "OK   " in out and "ok.jsonl" in out


# -- 15. DOT with any unknown status ----------------------------------------------------------


def test_unknown_statuses_make_valid_dot_and_svg(tmp_path: Path) -> None:
    """Unknown statuses ending in a backslash, or holding quotes and control characters, give
    DOT that Graphviz reads."""
    import shutil

    f = tmp_path / "u.jsonl"
    odd = ["done\\", 'q"uote', "x\x1b[2J", "\\", "inProgress"]
    f.write_bytes(b"".join(orjson.dumps({"status": s}) + b"\n" for s in odd))
    dot = tmp_path / "o.dot"
    assert run("check", "--diagram", str(dot), str(f)).returncode == 1
    import pydot

    graphs = pydot.graph_from_dot_data(dot.read_text())
    assert graphs is not None
    [graph] = graphs
    labels = [n.get("label") or "" for n in graph.get_nodes()]
    assert any("done" in label for label in labels)
    if shutil.which("dot"):
        svg = tmp_path / "o.svg"
        proc = run("check", "--diagram", str(svg), str(f))
        assert proc.returncode == 1 and svg.read_bytes().startswith(b"<?xml"), proc.stderr
        ET.fromstring(svg.read_bytes())


# -- all classes at once: a fuzz of the CLI ----------------------------------------------------

FUZZ_KEYS = st.text(st.sampled_from(list('ab7\x1b\r\t\x07\x00\u202e\x9b[]2J;\\"/é\n ')), max_size=6)
FUZZ_STATUS = st.one_of(
    st.sampled_from(["notStarted", "inProgress", "waiting", "completed", "failed", "cancelled"]),
    st.sampled_from(["Done", "done\\", "x\x1b[2J", "", "\ud800"[:0] + "a\u202e"]),
)


@st.composite
def hostile_files(draw: st.DrawFn) -> tuple[str, bytes, list[str]]:
    """An input (suffix, bytes, options) in one format, built from hostile keys and statuses,
    then damaged: escapes in keys, lone surrogates, broken quoting, broken HAR structure, and
    a gzip stream truncated, corrupted or followed by junk."""
    fmt = draw(st.sampled_from(["jsonl", "csv", "har"]))
    recs = draw(st.lists(st.tuples(FUZZ_KEYS, FUZZ_STATUS, st.integers(-5, 120)), max_size=12))
    if fmt == "jsonl":
        lines = [orjson.dumps({"j": k, "status": s, "percentageComplete": p}) for k, s, p in recs]
        for i in draw(st.lists(st.integers(0, 50), max_size=3)):
            if lines:
                extra = draw(st.sampled_from([b'"stat\\u0075s": "failed"', b'"j": "\\ud800"',
                                              b'"n": "\\udc00"', b'"j\\u0000": 1']))  # fmt: skip
                line = lines[i % len(lines)]
                lines[i % len(lines)] = line[:-1] + b", " + extra + b"}"
        data, suffix, options = b"\n".join(lines) + b"\n", ".jsonl", ["--job-key", "j"]
    elif fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows([["job_id", "status", "percentageComplete"], *recs])
        text = out.getvalue()
        for i in draw(st.lists(st.integers(0, 500), max_size=3)):
            i %= max(len(text), 1)
            text = text[:i] + draw(st.sampled_from(['"', "\r", "\n", ",", ""])) + text[i + 1 :]
        data, suffix, options = text.encode("utf-8", "surrogatepass"), ".csv", []
    else:
        entries: list[Any] = [
            {"startedDateTime": f"2026-01-01T00:00:{i % 60:02d}Z",
             "request": {"url": f"https://h/monitor/{k}", "method": "GET"},
             "response": {"status": 202, "content": {"mimeType": f"application/json{k}",
                          "text": orjson.dumps({"status": s}).decode()}}}
            for i, (k, s, _) in enumerate(recs)
        ]  # fmt: skip
        for i in draw(st.lists(st.integers(0, 50), max_size=3)):
            if entries:
                broken: Any = draw(st.sampled_from([None, [], {"request": {}}, {"response": 1}]))
                entries[i % len(entries)] = broken
        data, suffix, options = orjson.dumps({"log": {"entries": entries}}), ".har", []
    packing = draw(st.sampled_from(["plain", "gzip", "truncated", "junk", "flipped"]))
    if packing != "plain":
        packed = gzip.compress(data)
        cut = draw(st.integers(10, max(10, len(packed) - 1)))
        if packing == "truncated":
            packed = packed[:cut]
        elif packing == "junk":
            packed += draw(st.binary(min_size=1, max_size=9))
        elif packing == "flipped" and cut < len(packed):
            packed = packed[:cut] + bytes([packed[cut] ^ 0x5A]) + packed[cut + 1 :]
        data, suffix = packed, suffix + ".gz"
    return suffix, data, options


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=hostile_files(), fmt=st.sampled_from(["text", "json", "junit"]),
       explain=st.booleans(), keep=st.sampled_from([[], ["--keep-violations", "2"]]))  # fmt: skip
def test_fuzzed_hostile_inputs(
    case: tuple[str, bytes, list[str]], fmt: str, explain: bool, keep: list[str]
) -> None:
    """Whatever the damage: exit 0, 1 or 2; no traceback; every unit accounted for; JSON and
    JUnit well-formed; no raw control character in text output."""
    from click.testing import CliRunner

    from jobstate.cli import main

    suffix, data, options = case
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"in\x1bput{suffix}"
        path.write_bytes(data)
        args = ["check", "--format", fmt, *options, *keep, *(["--explain"] * explain), str(path)]
        result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        "".join(traceback.format_exception(*result.exc_info))  # type: ignore[misc]
    )
    assert result.exit_code in (0, 1, 2)
    assert inert_text(result.stderr)
    if fmt == "text":
        assert inert_text(result.stdout)
    elif fmt == "junit":
        ET.fromstring(result.stdout)
    else:
        report = orjson.loads(result.stdout)
        for acc in report["inputs"]:
            total = acc["observations"] + acc["rejected"] + acc["blank"] + acc["skipped"]
            assert acc["read"] == total, acc
