"""Parquet through ``read_input`` with each ``--engine`` (polars: columns straight into the
stream's arrays; duckdb: the generated SQL screens, the exact engine takes flagged jobs) against
DuckDB running jobstate's generated SQL alone on the same file, after imports (issue #13:
>= 5M rows/s on Parquet).

    python benchmarks/bench_parquet.py [--rows 5000000] [--per-job 100] [--rounds 3]

The file is bench_sql.py's: jobs of ``--per-job`` polls, one job in 50 with a falling
percentage. Rounds are interleaved in this process; all must count the same errors and
warnings. Prints rows/s (median) and the ratio of each engine to the bare query.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_sql import duckdb_run, make_parquet

from jobstate import ReadOptions, Validator, read_input
from jobstate._constants import Engine

ENGINES: tuple[Engine, ...] = ("polars", "duckdb")


def jobstate_run(path: Path, engine: Engine) -> tuple[float, tuple[int, int]]:
    validator = Validator()
    options = ReadOptions(job_key="job", engine=engine)
    t = time.perf_counter()
    summary = read_input(str(path), validator, options, only_failing=True)
    seconds = time.perf_counter() - t
    errors = sum(j.errors for j in summary.jobs)
    warnings = sum(j.warnings for j in summary.jobs)
    return seconds, (errors, warnings)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--per-job", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "polls.parquet"
        make_parquet(path, args.rows, args.per_job)
        ours: dict[str, list[float]] = {e: [] for e in ENGINES}
        theirs = []
        for _ in range(args.rounds):
            for engine in ENGINES:
                t, a = jobstate_run(path, engine)
                ours[engine].append(t)
            t, b = duckdb_run(path)
            theirs.append(t)
            assert a == b, f"they disagree: jobstate {a}, DuckDB {b} (errors, warnings)"
        d = statistics.median(theirs)
        print(f"all count errors, warnings = {a}")
        print(f"DuckDB query alone:          {args.rows / d:,.0f} rows/s ({d:.2f} s)")
        for engine, times in ours.items():
            j = statistics.median(times)
            print(
                f"jobstate --engine {engine:<7}: {args.rows / j:,.0f} rows/s ({j:.2f} s),"
                f" ratio to the query {d / j:.2f}"
            )


if __name__ == "__main__":
    main()
