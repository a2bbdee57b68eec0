"""The JSON Lines reader on real files: every line accounted for, bad lines kept as rejections."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobstate import InputError, InputSummary, Validator, read_input


def read(path: Path) -> InputSummary:
    summary = read_input(str(path), Validator())
    assert summary.units_read == (
        summary.observations + summary.rejected + summary.blank + sum(summary.skipped.values())
    )
    return summary


def test_bom_and_crlf(tmp_path: Path) -> None:
    """A UTF-8 BOM and CRLF line ends are read as ordinary JSON Lines."""
    f = tmp_path / "bom.jsonl"
    f.write_bytes(b'\xef\xbb\xbf{"status": "inProgress"}\r\n{"status": "completed"}\r\n')
    [job] = read(f).jobs
    assert job.ok and job.observations == 2 and job.span == (1, 2)


def test_blank_lines_are_counted(tmp_path: Path) -> None:
    """Blank lines are skipped, counted, and do not shift line numbers."""
    f = tmp_path / "blank.jsonl"
    f.write_bytes(b'\n{"status": "inProgress"}\n   \n\n{"status": "completed"}\n')
    summary = read(f)
    assert summary.jobs[0].span == (2, 5) and summary.blank == 3 and summary.units_read == 5


def test_truncated_last_line(tmp_path: Path) -> None:
    """A last line cut short says so."""
    f = tmp_path / "cut.jsonl"
    f.write_bytes(b'{"status": "inProgress"}\n{"status": "compl')
    [v] = read(f).jobs[0].violations
    assert v.rule == "malformed-record" and "truncated" in v.message
    assert (v.index, v.line) == (1, 2)


def test_nan_is_not_json(tmp_path: Path) -> None:
    """NaN is rejected by the JSON reader: malformed-record, not percentage-range."""
    f = tmp_path / "nan.jsonl"
    f.write_bytes(b'{"status": "inProgress", "percentageComplete": NaN}\n')
    [v] = read(f).jobs[0].violations
    assert v.rule == "malformed-record"


def test_invalid_utf8_is_one_rejected_line(tmp_path: Path) -> None:
    """Invalid UTF-8 rejects its line only."""
    f = tmp_path / "latin1.jsonl"
    f.write_bytes(
        '{"status": "inProgress", "x": "caf\xe9"}\n'.encode("latin-1")
        + b'{"status": "completed"}\n'
    )
    summary = read(f)
    assert summary.rejected == 1 and summary.observations == 1
    assert "UTF-8" in summary.jobs[0].violations[0].message


@pytest.mark.parametrize(
    ("make", "message"), [("missing", "no such file"), ("dir", "is a directory")]
)
def test_unreadable_inputs_raise_input_error(tmp_path: Path, make: str, message: str) -> None:
    """A missing file or a directory is an InputError with its name."""
    target = tmp_path / "x.jsonl"
    if make == "dir":
        target.mkdir()
    with pytest.raises(InputError, match=message):
        read_input(str(target), Validator())


def _units(blocks: Iterable[tuple[bytes, str]]) -> list[tuple[str, bytes]]:
    """What blocks hold, line by line: each whole line, a last line with no newline, or a
    line over the cap (no bytes)."""
    out: list[tuple[str, bytes]] = []
    for block, kind in blocks:
        if kind == "lines":
            assert block.endswith(b"\n")
            out += [("line", line) for line in block.split(b"\n")[:-1]]
        else:
            out.append((kind, block))
    return out


@settings(max_examples=300, deadline=None)
@given(
    sizes=st.sampled_from([6, 30, 120]).flatmap(
        lambda top: st.lists(st.integers(0, top), max_size=60)
    ),
    chunk=st.sampled_from([64, 100, 256]),
    probe=st.sampled_from([8, 40, 64, 1000]),
    cap=st.sampled_from([1024, 90]),
    bom=st.booleans(),
    final_newline=st.booleans(),
)
def test_blocks_of_a_file_hold_what_a_streams_blocks_hold(
    sizes: list[int], chunk: int, probe: int, cap: int, bom: bool, final_newline: bool
) -> None:
    """A regular file's reads end at a newline looked up first (``PROBE``); whatever the line
    lengths, chunk and cap, its blocks hold the lines a stream's blocks hold, and where each
    line fits in the probe, no read leaves a line begun to join to the next block."""
    from jobstate.readers import jsonl

    lines = [bytes([97 + i % 26]) * n for i, n in enumerate(sizes)]
    data = b"\xef\xbb\xbf" * bom + b"\n".join(lines) + b"\n" * final_newline
    with tempfile.TemporaryDirectory() as d, pytest.MonkeyPatch.context() as m:
        m.setattr(jsonl, "CHUNK", chunk)
        m.setattr(jsonl, "PROBE", probe)
        path = Path(d) / "t.jsonl"
        path.write_bytes(data)
        stream = jsonl.Blocks(io.BufferedReader(io.BytesIO(data)), cap)
        with open(path, "rb") as fh:
            blocks = jsonl.Blocks(fh, cap)
            held = []
            read = []
            for block, kind in blocks:
                read.append((block, kind))
                held.append(bool(blocks.parts))
        assert blocks.positional and not stream.positional
        assert _units(read) == _units(stream)
    if final_newline and probe < chunk and all(n + 1 <= probe for n in sizes):
        assert not any(held)
