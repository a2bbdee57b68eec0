"""`check --format jsonl`: a line per job and one of the totals, readable by a lake's tools
line by line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.clirun import cli_text

ROOT = Path(__file__).resolve().parents[2]
ARGS = ["--job-key", "job", "--body-key", "body", "--http-key", "http_status"]


def test_jsonl_is_the_json_reports_jobs_then_its_totals(tmp_path: Path) -> None:
    """Each line is one job of the JSON report, in its order, and the last line the rest of
    that report; the exit code is the same; DuckDB's read_json reads the file as it is."""
    import duckdb

    lines = cli_text("check", "--format", "jsonl", *ARGS, "examples/polls.jsonl", cwd=ROOT)
    whole = cli_text("check", "--format", "json", *ARGS, "examples/polls.jsonl", cwd=ROOT)
    assert lines.returncode == whole.returncode == 0
    report = json.loads(whole.stdout)
    rows = [json.loads(line) for line in lines.stdout.splitlines()]
    assert rows[:-1] == report.pop("jobs") and rows[-1] == report
    assert all("totals" not in row for row in rows[:-1])
    path = tmp_path / "report.jsonl"
    path.write_text(lines.stdout)
    query = f"SELECT count(*), sum(expired_polls) FROM read_json('{path}') WHERE totals IS NULL"
    assert duckdb.connect().execute(query).fetchall() == [(7, 3)]
