"""Format detection and the read_input API on real files."""

from __future__ import annotations

from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# -- Parquet's columnar way (issue #13, part) -------------------------------------------------


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d"]),
            st.none()
            | st.sampled_from(
                ["notStarted", "inProgress", "waiting", "completed", "failed", "Run", ""]
            ),
            st.none() | st.sampled_from([0.0, 10.0, 55.5, 100.0, -1.0, 250.0]),
            st.sampled_from([202, 303, 404, 500]),
        ),
        min_size=1,
        max_size=60,
    ),
    http=st.booleans(),
    grouped=st.booleans(),
    runs=st.sampled_from([0, 4, 1 << 30]),
)
def test_parquet_columnar_way_reports_as_the_csv_rows_do(
    tmp_path: Path,
    rows: list[tuple[str, str, float | None, int]],
    http: bool,
    grouped: bool,
    runs: int,
) -> None:
    """The same polls as CSV (read row by row) and as Parquet (its columns straight into the
    stream's arrays, keys and statuses mapped run by run where at most one run in ``runs``
    rows, rows ``grouped`` by job or not): the same jobs, verdicts, violations (rule, index,
    row, message) and totals."""
    pl = pytest.importorskip("polars")
    from jobstate.readers import polars_columns

    if grouped:
        rows = sorted(rows, key=lambda r: r[0])  # stable: each job's polls keep their order
    df = pl.DataFrame(
        {"job_id": [r[0] for r in rows], "status": [r[1] for r in rows],
         "percentageComplete": [r[2] for r in rows], "http_status": [r[3] for r in rows]},
        schema={"job_id": pl.String, "status": pl.String, "percentageComplete": pl.Float64,
                "http_status": pl.Int64},
    )  # fmt: skip
    df.write_csv(tmp_path / "p.csv")
    df.write_parquet(tmp_path / "p.parquet")
    opts = ReadOptions(http_key="http_status" if http else None)
    got = {}
    for name in ("p.csv", "p.parquet"):
        with patch.object(polars_columns, "RUNS_AT_MOST", runs):
            summary = read_input(str(tmp_path / name), Validator(), opts)
        shift = 1 if name == "p.csv" else 0  # a CSV's first row is line 2, after the header
        got[name] = (
            [(j.key, j.outcome, j.observations, j.rejected, j.expired, j.transient,
              j.error_answers,
              [(v.rule, v.index, (v.line or 0) - shift, v.message) for v in j.violations])
             for j in summary.jobs],
            summary.observations, summary.rejected,
        )  # fmt: skip
    assert got["p.parquet"] == got["p.csv"]


def test_parquet_blank_keys_are_what_str_strip_leaves_empty(tmp_path: Path) -> None:
    """Job keys of whitespace only (``str.strip``'s, which takes U+001C-U+001F too, unlike
    polars' ``strip_chars``) are rejected alike by the columnar way and row by row."""
    pl = pytest.importorskip("polars")
    keys = ["a", "\x1f", "\x1c\x1d\x1e", "b"]  # blank to str.strip, not to strip_chars
    path = tmp_path / "k.parquet"
    pl.DataFrame({"job_id": keys, "status": ["inProgress"] * len(keys)}).write_parquet(path)
    got = {
        engine: read_input(str(path), Validator(), ReadOptions(engine=engine)).to_dict()
        for engine in ("python", "polars")
    }
    assert got["polars"] == got["python"]
    assert got["polars"]["rejected"] == 2
