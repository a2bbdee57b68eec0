"""Parquet byte columns read as their writers meant them: DuckDB's JSON columns as JSON
values, polars' and pyarrow's binary as UTF-8 text, pyarrow's JSON type as JSON; the report
is the one the same polls give as JSON Lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import cli_text

POLLS: list[dict[str, Any]] = [  # values of mixed types: DuckDB makes JSON columns of them
    {"job": "a", "status": "inProgress", "percentageComplete": 10},
    {"job": "a", "status": "completed", "percentageComplete": "100"},
    {"job": "b", "status": 5, "percentageComplete": 3.5},
    {"job": "b", "status": "failed", "percentageComplete": None},
    {"job": "c", "status": "notStarted", "percentageComplete": 0},
    {"job": "c", "status": "Running", "percentageComplete": 50},
]


def _lines_report(tmp_path: Path, polls: list[dict[str, Any]]) -> list[str]:
    path = tmp_path / "polls.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in polls))
    return _report(path)


def _report(path: Path) -> list[str]:
    """The violations' lines and the totals of a check, without the input's name or unit."""
    out = cli_text("check", "--job-key", "job", str(path)).stdout.splitlines()
    return [
        line.split("):", 1)[-1].replace(" row ", " line ").strip()
        for line in out
        if "error" in line and "read =" not in line
    ]


def test_duckdb_json_columns_are_json_values(tmp_path: Path) -> None:
    """A Parquet file DuckDB wrote from JSON Lines whose columns mix types (JSON logical type)
    gives the JSON Lines' report: a quoted number is a string, a bare number a number."""
    import duckdb

    expected = _lines_report(tmp_path, POLLS)
    out = tmp_path / "d.parquet"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * FROM read_json('{tmp_path / 'polls.jsonl'}')) TO '{out}' (FORMAT parquet)"
    )
    kinds = con.execute(f"SELECT name, converted_type FROM parquet_schema('{out}')").fetchall()
    assert ("status", "JSON") in kinds
    assert _report(out) == expected
    assert "percentage-type        percentageComplete is a string '100'" in " ".join(expected)


def test_polars_binary_columns_are_text(tmp_path: Path) -> None:
    """polars' Binary columns of UTF-8 text read as text (the statuses, and the job keys)."""
    import polars as pl

    text = [p for p in POLLS if isinstance(p["status"], str)]
    expected = _lines_report(tmp_path, [{**p, "percentageComplete": None} for p in text])
    df = pl.DataFrame(
        {
            "job": [p["job"].encode() for p in text],
            "status": [p["status"].encode() for p in text],
        }
    )
    assert df.schema["status"] == pl.Binary
    df.write_parquet(tmp_path / "p.parquet")
    assert _report(tmp_path / "p.parquet") == expected


def test_pyarrow_binary_and_json_columns(tmp_path: Path) -> None:
    """pyarrow's binary is text and its JSON type JSON values, as DuckDB's are."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    expected = _lines_report(tmp_path, POLLS)
    table = pa.table(
        {
            "job": pa.array([p["job"].encode() for p in POLLS], pa.binary()),
            "status": pa.array([json.dumps(p["status"]) for p in POLLS], pa.json_()),
            "percentageComplete": pa.array(
                [json.dumps(p["percentageComplete"]) for p in POLLS], pa.json_()
            ),
        }
    )
    pq.write_table(table, tmp_path / "a.parquet")
    assert _report(tmp_path / "a.parquet") == expected


def test_without_a_footer_reader_bytes_are_text_with_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where neither DuckDB nor pyarrow can read the logical types, byte columns are text and
    the report says so once."""
    import polars as pl

    import jobstate.readers.parquet_types as types

    monkeypatch.setattr(types, "json_columns", lambda path, names: None)
    pl.DataFrame({"job": ["a", "a"], "status": [b"inProgress", b"completed"]}).write_parquet(
        tmp_path / "p.parquet"
    )
    out = cli_text("check", "--job-key", "job", str(tmp_path / "p.parquet"))
    assert out.returncode == 0
    assert "byte column 'status' read as UTF-8 text" in out.stdout + out.stderr
