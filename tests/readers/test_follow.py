"""--follow bounded and honest: a line with no end is not held, violations beyond the keep cap
are counted not kept (each still printed), and what cannot be followed (a FIFO, a gzip file)
or honoured (--explain, --only-failing, --diagram, --time-key, another format) is refused."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from jobstate import Validator
from jobstate.cli import main
from jobstate.exceptions import InputError
from jobstate.readers import ReadOptions
from jobstate.readers.follow import follow
from jobstate.results import InputSummary, Keep, Violation


def _follow(path: Path, **kw: Any) -> tuple[Any, list[tuple[str, Violation]]]:
    seen: list[tuple[str, Violation]] = []
    summary = follow(
        str(path),
        Validator(),
        kw.pop("options", ReadOptions(job_key="job")),
        on_violation=lambda job, v: seen.append((job, v)),
        interval=0.01,
        idle_exit=0.05,
        **kw,
    )
    return summary, seen


def test_a_line_over_the_cap_is_rejected_unheld(tmp_path: Path) -> None:
    """A 5 MB line between two good ones: rejected with its number; the lines around it are
    checked; every line is accounted for."""
    log = tmp_path / "log.jsonl"
    log.write_bytes(
        b'{"job": "a", "status": "inProgress"}\n'
        + b'{"job": "a", "status": "'
        + b"x" * 5_000_000
        + b'"}\n'
        + b'{"job": "a", "status": "completed"}\n'
    )
    opts = ReadOptions(job_key="job", max_record_bytes=4096)
    summary, seen = _follow(log, options=opts)
    assert summary.units_read == 3 and summary.loose == 1
    assert (
        summary.unattributed[0][0] == 2 and "longer than 4,096 bytes" in summary.unattributed[0][1]
    )
    [job] = summary.jobs
    assert (job.outcome, job.observations) == ("success", 2) and seen == []


def test_an_endless_line_stays_bounded(tmp_path: Path) -> None:
    """A file of 200 MB with no newline, followed under a 400 MB address-space limit: it ends
    with one rejected line, not a MemoryError (a subprocess: the limit is the point)."""
    log = tmp_path / "zero.jsonl"
    with log.open("wb") as fh:
        fh.truncate(200 * 1024 * 1024)
    code = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (400 << 20, 400 << 20));"
        "from jobstate import Validator; from jobstate.readers.follow import follow;"
        "s = follow(sys.argv[1], Validator(), on_violation=lambda j, v: None, interval=0.01,"
        " idle_exit=0.05); print(s.units_read, s.loose)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(log)], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "1"]  # one line read, one rejected


def test_violations_beyond_the_cap_are_printed_then_counted(tmp_path: Path) -> None:
    """1,000 bad lines with keep_violations=10: all 1,000 go to the callback, 10 are kept in
    the report and 990 counted by rule."""
    log = tmp_path / "bad.jsonl"
    log.write_bytes(b'{"job": "a", "status": "nope"}\n' * 1000)
    summary, seen = _follow(log, keep_violations=10)
    [job] = summary.jobs
    assert len(seen) == 1000 and len(job.violations) == 10
    assert job.omitted == {("unknown-status", "error"): 990}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_and_a_gzip_file_are_refused(tmp_path: Path) -> None:
    """A FIFO is refused before it is opened (opening would wait for a writer); a gzip file
    is refused (its bytes are not lines)."""
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="regular file"):
        _follow(fifo)
    gz = tmp_path / "log.jsonl.gz"
    gz.write_bytes(gzip.compress(b'{"status": "inProgress"}\n'))
    with pytest.raises(InputError, match="compressed"):
        _follow(gz)


@pytest.mark.parametrize(
    "option",
    [
        ["--explain"],
        ["--only-failing"],
        ["--diagram", "x.svg"],
        ["--time-key", "ts"],
        ["--input-format", "csv"],
    ],
)
def test_options_follow_cannot_honour_are_refused(tmp_path: Path, option: list[str]) -> None:
    """Each option --follow would silently ignore is a usage error that names it."""
    log = tmp_path / "log.jsonl"
    log.write_bytes(b'{"status": "inProgress"}\n')
    result = CliRunner().invoke(main, ["check", "--follow", *option, str(log)])
    assert result.exit_code == 2 and f"--follow cannot take {option[0]}" in result.output


def test_every_line_is_accounted_for_and_a_record_without_its_job_is_rejected(
    tmp_path: Path,
) -> None:
    """Blank lines are counted as blank; a record without the --job-key field is rejected at
    its line, naming the field, and handed to the callback as a malformed-record error of the
    file; without --job-key the whole file is one job named after it."""
    log = tmp_path / "log.jsonl"
    log.write_bytes(
        b'{"job": "a", "status": "inProgress"}\n\n\n{"status": "completed"}\n'
        b'{"job": "a", "status": "completed"}\n'
    )
    summary, seen = _follow(log)
    assert (summary.units_read, summary.blank, summary.loose) == (5, 2, 1)
    [(line, message)] = summary.unattributed
    assert line == 4 and "'job'" in message
    assert seen == [(str(log), Violation("malformed-record", "error", -1, 4, message))]
    [job] = summary.jobs
    assert (job.key, job.outcome, job.observations) == ("a", "success", 2)
    whole, _ = _follow(log, options=ReadOptions())
    assert [(j.key, j.observations) for j in whole.jobs] == [(str(log), 3)]


# -- a log rotated under the watch ------------------------------------------------------------


def _lines(job: str, n: int) -> bytes:
    """``n`` legal polls of ``job``: inProgress with a percentage that never falls."""
    return b"".join(
        b'{"job": "%s", "status": "inProgress", "percentageComplete": %d}\n'
        % (job.encode(), i * 100 // n)
        for i in range(n)
    )


def _watch(log: Path, notes: list[str]) -> tuple[threading.Thread, dict[str, Any]]:
    """follow() on a thread until 1 s passes with nothing new; its summary lands in the dict."""
    out: dict[str, Any] = {}

    def run() -> None:
        out["summary"] = follow(
            str(log),
            Validator(),
            ReadOptions(job_key="job"),
            on_violation=lambda job, v: out.setdefault("seen", []).append((job, v)),
            interval=0.01,
            idle_exit=1.0,
            on_note=notes.append,
        )

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def _observed(summary: Any) -> dict[str, int]:
    return {str(j.key): j.observations for j in summary.jobs}


def test_copytruncate_loses_no_line_written_after_it(tmp_path: Path) -> None:
    """logrotate's copytruncate under the watch (300 lines read, the file truncated, then 500
    longer lines appended at once, past the old read position): every new line is checked, no
    violation is invented, and the rotation is noted where it fell."""
    log = tmp_path / "app.jsonl"
    log.write_bytes(_lines("a", 300))
    notes: list[str] = []
    thread, out = _watch(log, notes)
    time.sleep(0.3)
    (tmp_path / "app.jsonl.1").write_bytes(log.read_bytes())
    with log.open("r+b") as fh:
        fh.truncate(0)
    with log.open("ab") as fh:
        fh.write(_lines("bbbbbbbbbb", 500))
    thread.join(timeout=30)
    summary = out["summary"]
    assert _observed(summary) == {"a": 300, "bbbbbbbbbb": 500}
    assert summary.units_read == 800 and "seen" not in out
    assert notes == summary.notes
    assert notes == [
        "the file was truncated or rewritten in place after line 300: read again from its"
        " start, its lines numbered on from 301"
    ]


def test_a_log_renamed_away_and_created_again_is_followed_into_the_new_file(
    tmp_path: Path,
) -> None:
    """A rotation by renaming: what the writer still appends to the old file is read to its
    end, then the new file from its start; every line is accounted for."""
    log = tmp_path / "app.jsonl"
    log.write_bytes(_lines("a", 100))
    notes: list[str] = []
    thread, out = _watch(log, notes)
    time.sleep(0.3)
    with log.open("ab") as old:
        log.rename(tmp_path / "app.jsonl.1")
        old.write(_lines("b", 50))
    time.sleep(0.2)
    log.write_bytes(_lines("c", 70))
    thread.join(timeout=30)
    summary = out["summary"]
    assert _observed(summary) == {"a": 100, "b": 50, "c": 70}
    assert summary.units_read == 220
    assert notes == [
        "the file was replaced by a new file after line 150: read again from its start, its"
        " lines numbered on from 151"
    ]


@pytest.mark.parametrize("regrown", [0, 1, 400])
def test_a_rewrite_is_seen_before_its_bytes_are_read_as_the_old_file(
    tmp_path: Path, regrown: int
) -> None:
    """Truncated, then written again to nothing, to less or to more than was read: the next
    read says so (``None``) instead of handing over bytes from the middle of the new contents;
    an untouched file that grows hands over exactly the new bytes."""
    from jobstate.readers.follow import _Source

    log = tmp_path / "app.jsonl"
    log.write_bytes(_lines("a", 100))
    source = _Source(str(log))
    try:
        assert source.read() == _lines("a", 100)
        assert source.read() == b""
        with log.open("ab") as fh:
            fh.write(_lines("a", 1))
        assert source.read() == _lines("a", 1)
        log.write_bytes(_lines("z", regrown))  # truncates, then writes
        assert source.read() is None
        source.restart()
        assert source.read() == _lines("z", regrown)
    finally:
        source.close()


def test_a_partial_last_line_before_a_rotation_is_accounted_for(tmp_path: Path) -> None:
    """A line cut off by the truncation is a unit of its own (rejected as not JSON), and the
    line numbers after the rotation go on from it."""
    log = tmp_path / "app.jsonl"
    log.write_bytes(_lines("a", 3) + b'{"job": "a", "sta')
    notes: list[str] = []
    thread, out = _watch(log, notes)
    time.sleep(0.3)
    log.write_bytes(_lines("b", 2))
    thread.join(timeout=30)
    summary = out["summary"]
    assert summary.units_read == 6 and summary.loose == 1
    assert summary.unattributed[0][0] == 4
    assert "after line 4" in notes[0]


def test_a_last_line_over_the_cap_is_counted(tmp_path: Path) -> None:
    """A log whose last line, unfinished, is over the cap: it is a line read and rejected, so
    the lines read are the lines in the file."""
    log = tmp_path / "log.jsonl"
    log.write_bytes(b'{"job": "a", "status": "inProgress"}\n' + b"x" * 10_000)
    summary, _ = _follow(log, options=ReadOptions(job_key="job", max_record_bytes=4096))
    assert (summary.units_read, summary.loose, summary.unattributed[0][0]) == (2, 1, 2)


def test_the_summary_names_the_followed_file(tmp_path: Path) -> None:
    """The summary and each job's report name the file followed, read as JSON Lines."""
    log = tmp_path / "log.jsonl"
    log.write_bytes(_lines("a", 2))
    summary, _ = _follow(log)
    assert (summary.name, summary.format) == (str(log), "jsonl")
    assert [j.input for j in summary.jobs] == [str(log)]


def test_a_line_written_in_pieces_is_one_line_and_the_cap_is_exact(tmp_path: Path) -> None:
    """A line that arrives in three pieces is read whole once its newline comes; a line of
    exactly the cap is read, one byte more is rejected, whether it came whole or in pieces."""
    from jobstate.readers.follow import _Jobs, _Lines

    line = b'{"job": "a", "status": "inProgress"}'
    for pieces in ([line + b"\n"], [line[:5], line[5:20], line[20:] + b"\n"]):
        for cap, rejected in ((len(line), 0), (len(line) - 1, 1)):
            summary = InputSummary("x", "jsonl")
            opts = ReadOptions(job_key="job")
            jobs = _Jobs(summary, Validator(), opts, lambda job, v: None, Keep(None))
            lines = _Lines(cap)
            for piece in pieces:
                lines.feed(piece, jobs)
            lines.end(jobs)
            assert (summary.units_read, summary.loose) == (1, rejected), (pieces, cap)
            assert len(jobs.checkers) == 1 - rejected


def test_a_byte_order_mark_opens_each_file_followed(tmp_path: Path) -> None:
    """A UTF-8 byte-order mark at the start of the file, and at the start of the file that
    replaced it after a rotation, is not part of the first line."""
    log = tmp_path / "app.jsonl"
    log.write_bytes(b"\xef\xbb\xbf" + _lines("a", 2))
    notes: list[str] = []
    thread, out = _watch(log, notes)
    time.sleep(0.3)
    log.write_bytes(b"\xef\xbb\xbf" + _lines("bbbbbbbbbbbbbbbbbbbb", 3))
    thread.join(timeout=30)
    summary = out["summary"]
    assert _observed(summary) == {"a": 2, "bbbbbbbbbbbbbbbbbbbb": 3} and summary.loose == 0


def test_short_appends_are_never_taken_for_a_rewrite(tmp_path: Path) -> None:
    """Fifty appends of a few bytes each (shorter than what is kept to recognise the file):
    each is handed over as it comes, none mistaken for a rotation; a one-byte file rewritten
    is recognised as rewritten."""
    from jobstate.readers.follow import _Source

    log = tmp_path / "app.jsonl"
    log.write_bytes(b"{}\n")
    source = _Source(str(log))
    try:
        assert source.read() == b"{}\n"
        for i in range(50):
            with log.open("ab") as fh:
                fh.write(b"%d\n" % i)
            assert source.read() == b"%d\n" % i
    finally:
        source.close()
    tiny = tmp_path / "tiny.jsonl"
    tiny.write_bytes(b"\n")
    source = _Source(str(tiny))
    try:
        assert source.read() == b"\n"
        tiny.write_bytes(b'{"status": "inProgress"}\n')
        assert source.read() is None
    finally:
        source.close()


def test_a_partial_line_before_a_rename_rotation_is_accounted_for(tmp_path: Path) -> None:
    """A rename rotation after an unfinished last line: that line is a unit (rejected, not
    JSON) and the new file's lines follow it."""
    log = tmp_path / "app.jsonl"
    log.write_bytes(_lines("a", 2) + b'{"job": "a", "st')
    notes: list[str] = []
    thread, out = _watch(log, notes)
    time.sleep(0.3)
    log.rename(tmp_path / "app.jsonl.1")
    log.write_bytes(_lines("c", 2))
    thread.join(timeout=30)
    summary = out["summary"]
    assert (summary.units_read, summary.loose) == (5, 1) and "after line 3" in notes[0]


def test_wrapped_answers_are_read_with_their_http_status_and_line(tmp_path: Path) -> None:
    """With --body-key and --http-key, follow reads each answer as check does: a 303 is the
    completion, a 404 after it the monitor expiring; a violation names its job and line."""
    log = tmp_path / "log.jsonl"
    records = [
        {"job": "a", "http": 202, "body": {"status": "inProgress"}},
        {"job": "a", "http": 303, "body": {}},
        {"job": "a", "http": 404, "body": {}},
        {"job": "b", "http": 202, "body": {"status": "bogus"}},
    ]
    log.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    opts = ReadOptions(job_key="job", body_key="body", http_key="http")
    summary, seen = _follow(log, options=opts)
    a, b = summary.jobs
    assert (a.outcome, a.expired, a.violations) == ("success", 1, ())
    assert [(job, v.rule, v.line) for job, v in seen] == [("b", "unknown-status", 4)]
    assert b.violations[0].line == 4


def test_rejections_before_a_job_are_kept_up_to_the_cap(tmp_path: Path) -> None:
    """Five records without their job and keep_violations=2: two kept in full, three counted,
    all five accounted for."""
    log = tmp_path / "log.jsonl"
    log.write_bytes(b'{"status": "inProgress"}\n' * 5)
    summary, seen = _follow(log, keep_violations=2)
    assert (len(summary.unattributed), summary.unattributed_not_kept, summary.loose) == (2, 3, 5)
    assert len(seen) == 5


def test_an_empty_file_followed_ends_idle(tmp_path: Path) -> None:
    """A file with nothing in it yet: the watch ends at --idle-exit with nothing read."""
    log = tmp_path / "log.jsonl"
    log.write_bytes(b"")
    summary, seen = _follow(log)
    assert (summary.units_read, summary.jobs, seen) == (0, [], [])


def test_an_unfinished_line_is_not_held_past_the_cap() -> None:
    """Pieces of one line with no newline yet: held while they fit the cap (exactly the cap
    is a line), dropped as soon as they do not (nothing held, the line rejected at its newline,
    the next line read); each job's checker keeps no steps."""
    from jobstate.readers.follow import _Jobs, _Lines

    summary = InputSummary("x", "jsonl")
    jobs = _Jobs(summary, Validator(), ReadOptions(), lambda job, v: None, Keep(None))
    line = b'{"status": "inProgress"}'
    lines = _Lines(len(line))
    lines.feed(line, jobs)
    assert lines.pending == line and not lines.skipping
    lines.feed(b"\n", jobs)
    assert (summary.units_read, summary.loose) == (1, 0)
    lines.feed(line, jobs)
    lines.feed(b"x", jobs)
    assert lines.pending == b"" and lines.skipping
    lines.feed(b"xx\n" + line + b"\n", jobs)
    assert (summary.units_read, summary.loose) == (3, 1)
    assert [c.steps for c in jobs.checkers.values()] == [None]
