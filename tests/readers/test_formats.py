"""Format detection and the read_input API on real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobstate import ReadOptions, Validator, detect_format, read_input


@pytest.mark.parametrize(
    ("name", "head", "fmt"),
    [
        ("x.jsonl", b"[1]", "jsonl"),
        ("x.json", b'{"status": "x"}\n{"status": "y"}\n', "jsonl"),
        ("x.json", b'{\n  "log": {"entries": []}}', "har"),
        ("x.json", b'[{"status": "x"}]', "json"),
        ("x", b'{\n "status": "x"\n}', "json"),
        ("x.har", b"", "har"),
        ("x.txt", b"job_id\tstatus\n", "tsv"),
        ("x.csv.gz", b"", "csv"),
        ("x", b"\x00\x01\x02", "jsonl"),
    ],
)
def test_format_detection(name: str, head: bytes, fmt: str) -> None:
    """The format comes from a decisive extension, else the first bytes, else the name."""
    assert detect_format(name, head) == fmt


def test_read_input_api(tmp_path: Path) -> None:
    """read_input reads a CSV into jobs with their outcomes."""
    f = tmp_path / "x.csv"
    f.write_text("job_id,status\na,completed\n")
    data = read_input(str(f), Validator(), ReadOptions())
    assert data.format == "csv" and [j.outcome for j in data.jobs] == ["success"]
