"""A folder or glob of Parquet files as one input: one table, a job's polls across files,
rows numbered through the files in path order, and what cannot be read said plainly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import cli_text

pl = pytest.importorskip("polars")

FRAMES = [
    {"job_id": ["a", "b"], "status": ["notStarted", "inProgress"], "ts": [1, 2]},
    {"job_id": ["a", "b", "a"], "status": ["completed", "Running", "inProgress"], "ts": [5, 3, 3]},
    {"job_id": ["c"], "status": ["failed"], "ts": [9]},
]


def _lake(root: Path) -> list[Path]:
    """A partitioned table, with the files a lake also holds beside its parts."""
    paths = []
    for i, frame in enumerate(FRAMES):
        path = root / f"date=2026-11-2{i}" / "part-0.parquet"
        path.parent.mkdir(parents=True)
        pl.DataFrame(frame).write_parquet(path)
        paths.append(path)
    (root / "_SUCCESS").write_text("")
    (root / ".part-0.parquet.crc").write_text("x")
    (root / "_temporary").mkdir()
    pl.DataFrame(FRAMES[0]).write_parquet(root / "_temporary" / "half.parquet")
    return paths


def _jobs(report: Any) -> list[dict[str, Any]]:
    """A report's jobs without the input's name, nor the file and row in it that each
    violation of a folder names."""
    out = []
    for job in report["jobs"]:
        job = {k: v for k, v in job.items() if k != "input"}
        job["violations"] = [
            {k: v for k, v in x.items() if k not in ("file", "row")} for x in job["violations"]
        ]
        out.append(job)
    return out


def _report(*args: str) -> Any:
    ran = cli_text("check", "--format", "json", "--order-by", "ts", *args)
    assert ran.returncode in (0, 1), ran.stderr
    return json.loads(ran.stdout)


def test_a_folder_is_one_table_across_its_files(tmp_path: Path) -> None:
    """A folder reads its parts (not _SUCCESS, hidden or _-prefixed ones) as one table: the
    jobs, outcomes and violations of the same rows in one file, rows numbered through the
    files in path order, and the files with their rows listed."""
    paths = _lake(tmp_path / "lake")
    whole = tmp_path / "whole.parquet"
    pl.concat([pl.read_parquet(p) for p in paths]).write_parquet(whole)
    lake, one = _report(str(tmp_path / "lake")), _report(str(whole))
    assert _jobs(lake) == _jobs(one)
    assert {j["key"]: j["outcome"] for j in lake["jobs"]} == {
        "a": "success",
        "b": "unfinished",
        "c": "failure",
    }
    [summary] = lake["inputs"]
    assert [(Path(f["path"]).parent.name, f["first_row"], f["rows"]) for f in summary["files"]] == [
        ("date=2026-11-20", 1, 2),
        ("date=2026-11-21", 3, 3),
        ("date=2026-11-22", 6, 1),
    ]
    assert summary["read"] == 6 and "3 Parquet files read as one table" in summary["notes"][0]
    assert "files" not in one["inputs"][0]


def test_each_violation_of_a_folder_names_its_file_and_row(tmp_path: Path) -> None:
    """A violation of a folder's input names the file that holds its observation and the row
    in that file, in the JSON report and the text one, besides its row through the files; a
    single file's violations name none."""
    paths = _lake(tmp_path / "lake")
    lake = _report(str(tmp_path / "lake"))
    [b] = [j for j in lake["jobs"] if j["key"] == "b"]
    [v] = b["violations"]
    assert (v["rule"], v["line"], v["file"], v["row"]) == ("unknown-status", 4, str(paths[1]), 2)
    text = cli_text("check", "--order-by", "ts", str(tmp_path / "lake")).stdout
    assert f"row 4 ({paths[1]} row 2)  error    unknown-status" in text
    one = _report(str(paths[1]))
    assert all("file" not in x for j in one["jobs"] for x in j["violations"])


def test_a_glob_is_one_table_and_a_file_is_a_file(tmp_path: Path) -> None:
    """A glob reads what it matches as one table (the folder's parts, as the folder does; with
    ``**``, a part under ``_temporary`` too, since the glob names it); a file whose name holds
    a glob character is that file."""
    paths = _lake(tmp_path / "lake")
    by_glob = _report(str(tmp_path / "lake" / "date=*" / "*.parquet"))
    by_folder = _report(str(tmp_path / "lake"))
    assert _jobs(by_glob) == _jobs(by_folder) and by_glob["totals"] == by_folder["totals"]
    everything = _report(str(tmp_path / "lake" / "**" / "*.parquet"))
    assert len(everything["inputs"][0]["files"]) == 4
    odd = tmp_path / "p[1].parquet"
    odd.write_bytes(paths[0].read_bytes())
    assert "files" not in _report(str(odd))["inputs"][0]


@pytest.mark.parametrize(
    ("make", "extra", "why"),
    [
        ("empty", (), "is a directory with no Parquet file in it"),
        ("mixed", (), "it matches 1 other file(s)"),
        ("none", (), "the glob matches no Parquet file"),
        ("odd", ("--engine", "duckdb"), "not readable Parquet files of one table"),
        ("odd", ("--engine", "polars"), "not readable Parquet files of one table"),
    ],
)
def test_what_a_folder_or_glob_cannot_be(
    tmp_path: Path, make: str, extra: tuple[str, ...], why: str
) -> None:
    """An empty folder, a glob that matches other files or none, files whose columns differ
    (for each engine): exit 2 with a line saying why, never a traceback."""
    if make == "empty":
        (tmp_path / "lake").mkdir()
        target = str(tmp_path / "lake")
    elif make == "odd":
        _lake(tmp_path / "lake")
        odd = tmp_path / "lake" / "date=2026-11-23" / "part-0.parquet"
        odd.parent.mkdir()
        pl.DataFrame({"job_id": ["z"], "state": ["failed"], "ts": [1]}).write_parquet(odd)
        target = str(tmp_path / "lake")
    else:
        (tmp_path / "a.parquet").write_bytes(b"")
        if make == "mixed":
            (tmp_path / "a.jsonl").write_text("{}\n")
        target = str(tmp_path / ("a.*" if make == "mixed" else "z*.parquet"))
    ran = cli_text("check", *extra, target)
    assert ran.returncode == 2 and why in ran.stderr and "Traceback" not in ran.stderr


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_every_engine_reads_a_folder_as_polars_does(tmp_path: Path, engine: str) -> None:
    """The exact engine and DuckDB's read a folder as polars does: the same jobs, each
    violation with its file and row, and the same files with their rows."""
    _lake(tmp_path / "lake")
    mine = _report("--engine", engine, str(tmp_path / "lake"))
    theirs = _report("--engine", "polars", str(tmp_path / "lake"))
    assert mine["jobs"] == theirs["jobs"] and mine["inputs"] == theirs["inputs"]
    assert any(v.get("file") for j in mine["jobs"] for v in j["violations"])
