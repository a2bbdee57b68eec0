"""The JSON Lines reader on real files: every line accounted for, bad lines kept as rejections."""

from __future__ import annotations

from pathlib import Path

import pytest

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
