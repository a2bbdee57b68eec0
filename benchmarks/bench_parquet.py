"""Parquet through ``read_input`` (its columns straight into the stream's arrays) against
DuckDB running jobstate's generated SQL on the same file, after imports (issue #13: >= 5M
rows/s on Parquet).

    python benchmarks/bench_parquet.py [--rows 5000000] [--rounds 3]

The file is bench_sql.py's: jobs of 100 polls, one job in 50 with a falling percentage. Rounds
are interleaved in this process; both must count the same errors and warnings. Prints rows/s
(median) and the ratio.
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


def jobstate_run(path: Path) -> tuple[float, tuple[int, int]]:
    validator = Validator()
    t = time.perf_counter()
    summary = read_input(str(path), validator, ReadOptions(job_key="job"), only_failing=True)
    seconds = time.perf_counter() - t
    errors = sum(j.errors for j in summary.jobs)
    warnings = sum(j.warnings for j in summary.jobs)
    return seconds, (errors, warnings)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "polls.parquet"
        make_parquet(path, args.rows)
        ours, theirs = [], []
        for _ in range(args.rounds):
            t, a = jobstate_run(path)
            ours.append(t)
            t, b = duckdb_run(path)
            theirs.append(t)
            assert a == b, f"they disagree: jobstate {a}, DuckDB {b} (errors, warnings)"
        j, d = statistics.median(ours), statistics.median(theirs)
        print(f"both count errors, warnings = {a}")
        print(f"jobstate read_input: {args.rows / j:,.0f} rows/s ({j:.2f} s)")
        print(f"DuckDB query:        {args.rows / d:,.0f} rows/s ({d:.2f} s)")
        print(f"ratio jobstate/DuckDB: {d / j:.2f}")


if __name__ == "__main__":
    main()
