"""The other figures of issue #28, re-measured in one sitting beside the grid (bench_grid.py):
how fast the file can be read at all, what the report costs, and start-up.

    python benchmarks/bench_limits.py [--rounds 3] [--jobs 1000000] [--polls 5]
        [--small 50000]

On bench_grid's interleaved, clean file of ``--jobs`` x ``--polls`` lines, each in a fresh
process, alternating, medians of ``--rounds``:

- **read only**, the physical limit: DuckDB ``read_json`` reading the three columns (a
  ``count(*)`` alone it answers without parsing them: 10M lines/s), polars ``read_ndjson``,
  and a plain loop of ``orjson.loads`` over the lines;
- **jobstate**: ``check --summary`` (no per-job report), ``--format json`` and
  ``--format jsonl`` (the report a lake reads), each with its lines/s, the report's bytes a job,
  and DuckDB's per-job rows (jobstate's generated SQL over ``read_json``, written as JSON Lines:
  bench_grid's DuckDB side) for comparison;
- **start-up**: the same check of a ``--small``-line file (jobstate's imports against DuckDB's
  whole run, where the issue found the import of polars and numpy to cost all of DuckDB's time).

Prints a table, with the libraries' versions.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_READ = {
    "DuckDB read_json": (
        'import duckdb, sys; duckdb.connect().execute("SELECT max(job), max(status),'
        " max(percentageComplete) FROM read_json(?, format='newline_delimited')\","
        " [sys.argv[1]]).fetchall()"
    ),
    "polars read_ndjson": "import polars, sys; polars.read_ndjson(sys.argv[1])",
    "orjson loop": ("import orjson, sys\nfor line in open(sys.argv[1], 'rb'): orjson.loads(line)"),
}


def _run(args: list[str], out: Path | None = None) -> tuple[float, str]:
    """Wall seconds and stdout of a child (its stdout to ``out`` where given)."""
    started = time.perf_counter()
    with out.open("wb") if out else open(os.devnull, "wb") as sink:
        proc = subprocess.run(args, stdout=sink if out else subprocess.PIPE, check=False)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{args[:6]} failed ({proc.returncode})")
    return time.perf_counter() - started, (proc.stdout or b"").decode()


def _commands(path: Path, out: Path) -> dict[str, tuple[list[str], Path | None]]:
    check = [sys.executable, "-m", "jobstate", "check", "--job-key", "job", str(path)]
    grid = Path(__file__).parent / "bench_grid.py"
    duck = [sys.executable, "-c", _grid_duckdb(grid), str(path), str(out)]
    runs: dict[str, tuple[list[str], Path | None]] = {
        name: ([sys.executable, "-c", code, str(path)], None) for name, code in _READ.items()
    }
    runs["jobstate --summary"] = ([*check, "--summary"], None)
    runs["jobstate --format json"] = ([*check, "--format", "json"], out)
    runs["jobstate --format jsonl"] = ([*check, "--format", "jsonl"], out)
    runs["DuckDB: the generated SQL, rows as JSON"] = (duck, None)
    return runs


def _grid_duckdb(grid: Path) -> str:
    """bench_grid's DuckDB side (it writes its rows to the second argument)."""
    text = grid.read_text()
    return text[text.index('_DUCKDB = r"""') + 14 : text.index('"""\n\n\ndef make')]


def _make(path: Path, jobs: int, polls: int) -> None:
    grid = Path(__file__).parent / "bench_grid.py"
    args = [sys.executable, str(grid), "--make", str(path), str(jobs), str(polls)]
    subprocess.run([*args, "interleaved", "0"], check=True)


def measure(path: Path, lines: int, jobs: int, rounds: int) -> list[str]:
    """The table's rows for one file."""
    out = path.with_suffix(".out")
    runs = _commands(path, out)
    times: dict[str, list[float]] = {name: [] for name in runs}
    sizes: dict[str, int] = {}
    for _ in range(rounds):
        for name, (args, sink) in runs.items():
            seconds, _ = _run(args, sink)
            times[name].append(seconds)
            if sink is not None:
                sizes[name] = sink.stat().st_size
            elif name.startswith("DuckDB:"):
                sizes[name] = out.stat().st_size
    rows = []
    for name, taken in times.items():
        t = statistics.median(taken)
        size = f"{sizes[name] / jobs:,.0f}" if name in sizes else ""
        rows.append(f"| {name} | {t:.2f} s | {lines / t / 1e6:.2f}M | {size} |")
    out.unlink(missing_ok=True)
    return rows


def _versions() -> str:
    code = (
        "import sys, duckdb, polars, orjson, numpy; print(sys.version.split()[0],"
        " duckdb.__version__, polars.__version__, orjson.__version__, numpy.__version__)"
    )
    py, duck, pl, oj, np = _run([sys.executable, "-c", code])[1].split()
    return f"Python {py}, duckdb {duck}, polars {pl}, orjson {oj}, numpy {np}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=1_000_000)
    ap.add_argument("--polls", type=int, default=5)
    ap.add_argument("--small", type=int, default=50_000)
    a = ap.parse_args()
    print(_versions())
    with tempfile.TemporaryDirectory() as tmp:
        for jobs, polls in ((a.jobs, a.polls), (a.small // a.polls, a.polls)):
            path = Path(tmp) / f"{jobs}x{polls}.jsonl"
            _make(path, jobs, polls)
            lines = jobs * polls
            mib = path.stat().st_size / 2**20
            print(f"\n{jobs:,} jobs x {polls} polls interleaved, clean ({lines:,} lines,", end="")
            print(f" {mib:,.0f} MiB), medians of {a.rounds}:\n")
            print("| run | time | lines/s | report bytes a job |")
            print("|---|---|---|---|")
            for row in measure(path, lines, jobs, a.rounds):
                print(row, flush=True)
            path.unlink()


if __name__ == "__main__":
    main()
