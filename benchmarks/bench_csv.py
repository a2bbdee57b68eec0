"""CSV input benchmark: `jobstate check` (in process, `read_input`) on a CSV export against a
bare loop that only splits the same file with the standard `csv` module, in one run.

    python benchmarks/bench_csv.py               # 1,000,000 rows, 10,000 interleaved jobs
    python benchmarks/bench_csv.py --rows 200000 --jobs 100

The file is shaped like a real export: rows of many jobs interleaved, a free-text note column
(sometimes quoted, with a comma inside), one job in a hundred with a fault (an unknown status),
and a stray unclosed quote every 100,000 rows, which the reader recovers from by reading the
lines after it again. Rounds are interleaved (bare, check) and medians reported: the machine
is noisy. The ratio is what a user pays over merely reading the file.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import tempfile
import time
from pathlib import Path


def make_csv(path: Path, rows: int, jobs: int, seed: int = 1) -> None:
    """``rows`` polls of ``jobs`` jobs, interleaved, each job's percentages rising."""
    rnd = random.Random(seed)
    done = [0] * jobs
    with path.open("w", newline="") as fh:
        fh.write("job_id,status,percentageComplete,note\n")
        for i in range(rows):
            j = rnd.randrange(jobs)
            done[j] = min(100, done[j] + rnd.randint(0, 3))
            status = "bogusStatus" if j % 100 == 7 and done[j] > 50 else "inProgress"
            note = '"copied, so far"' if i % 7 == 0 else "ok"
            if i % 100_000 == 99_999:
                note = '"unclosed'
            fh.write(f"op-{j},{status},{done[j]},{note}\n")


def bare(path: Path) -> float:
    start = time.perf_counter()
    with path.open(newline="") as fh:
        for _ in csv.reader(fh):
            pass
    return time.perf_counter() - start


def check(path: Path) -> float:
    from jobstate import Validator, read_input

    start = time.perf_counter()
    summary = read_input(str(path), Validator())
    elapsed = time.perf_counter() - start
    assert summary.units_read == summary.observations + summary.rejected + summary.blank
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "polls.csv"
        make_csv(path, args.rows, args.jobs)
        times: dict[str, list[float]] = {"bare csv.reader": [], "jobstate check": []}
        for _ in range(args.rounds):
            times["bare csv.reader"].append(bare(path))
            times["jobstate check"].append(check(path))
        base = statistics.median(times["bare csv.reader"])
        print(f"{args.rows:,} rows, {args.jobs:,} jobs, {args.rounds} interleaved rounds")
        for name, values in times.items():
            med = statistics.median(values)
            print(f"  {name:<16} median {med:6.2f} s  ratio {med / base:5.2f}")


if __name__ == "__main__":
    main()
