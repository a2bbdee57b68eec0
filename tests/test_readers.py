"""The JSON Lines reader on real files: every line accounted for, bad lines kept as rejections."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from jobstate import InputError, read_jsonl, validate


def account(data: object) -> None:
    acc = data.accounting()  # type: ignore[attr-defined]
    assert acc["read"] == acc["observations"] + acc["rejected"] + acc["blank"]


def test_bom_and_crlf(tmp_path: Path) -> None:
    """A UTF-8 BOM and CRLF line ends are read as ordinary JSON Lines."""
    f = tmp_path / "bom.jsonl"
    f.write_bytes(b'\xef\xbb\xbf{"status": "inProgress"}\r\n{"status": "completed"}\r\n')
    data = read_jsonl(f)
    assert data.records == [{"status": "inProgress"}, {"status": "completed"}]
    assert data.lines == [1, 2]
    account(data)


def test_blank_lines_are_counted(tmp_path: Path) -> None:
    """Blank lines are skipped, counted, and do not shift line numbers."""
    f = tmp_path / "blank.jsonl"
    f.write_bytes(b'\n{"status": "inProgress"}\n   \n\n{"status": "completed"}\n')
    data = read_jsonl(f)
    assert data.lines == [2, 5] and data.blank == 3 and data.lines_read == 5
    account(data)


def test_truncated_last_line(tmp_path: Path) -> None:
    """A last line cut short says so."""
    f = tmp_path / "cut.jsonl"
    f.write_bytes(b'{"status": "inProgress"}\n{"status": "compl')
    report = validate(read_jsonl(f).records)
    [v] = report.violations
    assert v.rule == "malformed-record" and "truncated" in v.message
    assert v.index == 1


def test_nan_is_not_json(tmp_path: Path) -> None:
    """NaN is rejected by the JSON reader: malformed-record, not percentage-range."""
    f = tmp_path / "nan.jsonl"
    f.write_bytes(b'{"status": "inProgress", "percentageComplete": NaN}\n')
    [v] = validate(read_jsonl(f).records).violations
    assert v.rule == "malformed-record"


def test_invalid_utf8_is_one_rejected_line(tmp_path: Path) -> None:
    """Invalid UTF-8 rejects its line only."""
    f = tmp_path / "latin1.jsonl"
    f.write_bytes(
        '{"status": "inProgress", "x": "caf\xe9"}\n'.encode("latin-1")
        + b'{"status": "completed"}\n'
    )
    data = read_jsonl(f)
    assert data.rejected == 1 and len(data.records) == 2
    assert "UTF-8" in validate(data.records).violations[0].message


def test_binary_stream() -> None:
    """A binary file object works and is named after itself."""
    data = read_jsonl(io.BytesIO(b'{"status": "completed"}\n'), name="capture")
    assert data.name == "capture" and data.records == [{"status": "completed"}]


@pytest.mark.parametrize(
    ("make", "message"), [("missing", "no such file"), ("dir", "is a directory")]
)
def test_unreadable_inputs_raise_input_error(tmp_path: Path, make: str, message: str) -> None:
    """A missing file or a directory is an InputError with its name."""
    target = tmp_path / "x.jsonl"
    if make == "dir":
        target.mkdir()
    with pytest.raises(InputError, match=message):
        read_jsonl(target)
