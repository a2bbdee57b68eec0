"""jobstate against DuckDB on data shaped like users' data: the grid of issue #28.

    python benchmarks/bench_grid.py [--rounds 3] [--cells 10000x5,10000x100,1000000x5]
        [--irregular 0,0.1,0.5,2]

Each cell is a JSON Lines file of ``jobs x polls`` (statuses rising to an end, one job in 50
with a percentage that falls), in one of two orders, ``grouped`` (a job's polls together) or
``interleaved`` (poll ``i`` of every job, then poll ``i + 1``: a monitor log of concurrent
jobs, in time order), with a share of **irregular records** (percent): each an unknown status,
a status that is not text, a percentage that is text, or one out of range, in turn.

Both sides compute the same rules and must agree on the errors and warnings in each cell:
``jobstate check --format json --job-key job FILE`` and DuckDB running jobstate's generated
SQL over ``read_json(FILE)``; where DuckDB reads a column of mixed types as JSON, a view gives
the query text statuses and numeric percentages (anything else NULL: ``missing-status``, no
percentage) and one more scan counts the text percentages (``percentage-type``, which a typed
column cannot hold). Runs alternate, fresh processes, medians of ``--rounds``; prints the
ratio DuckDB time / jobstate time (above 1: jobstate faster) and both peak RSS.
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

_DUCKDB = r"""
import sys, duckdb
from jobstate import generate_sql
path, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
raw = f"read_json('{path}', format='newline_delimited')"
described = f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {raw})"
types = dict(con.execute(described).fetchall())
status, pct = "status", "percentageComplete"
if types[status] == "JSON":
    status = "CASE WHEN json_type(status) = 'VARCHAR' THEN status ->> '$' END AS status"
texts = 0
if types[pct] == "JSON":
    [(texts,)] = con.execute(
        f"SELECT count(*) FROM {raw} WHERE json_type(percentageComplete) = 'VARCHAR'"
    ).fetchall()
    pct = ("CASE WHEN json_type(percentageComplete) IN ('DOUBLE', 'BIGINT', 'UBIGINT')"
           " THEN CAST(percentageComplete AS DOUBLE) END AS percentageComplete")
con.execute(f"CREATE VIEW polls AS SELECT job, ts, {status}, {pct} FROM {raw}")
con.execute(f"COPY ({generate_sql()}) TO '{out}' (FORMAT json)")
totals = f"SELECT sum(errors), sum(warnings) FROM read_json('{out}')"
[(errors, warnings)] = con.sql(totals).fetchall()
print(int(errors) + texts, int(warnings))
"""


def make(path: Path, jobs: int, per: int, order: str, irregular: float) -> None:
    """Write the cell's file (run in a child: polars here would raise the peak RSS the
    measured children inherit)."""
    import polars as pl
    from bench_check_vs_duckdb import rising

    n = jobs * per
    k = pl.int_range(0, n, eager=True)
    job, pos = (k % jobs, k // jobs) if order == "interleaved" else (k // per, k % per)
    status, pct = rising(pl, job, pos, per)
    df = pl.DataFrame({"k": k}).with_columns(
        job.alias("job"), (pos * jobs + job).alias("ts"), status.alias("s"), pct.alias("p")
    )
    every = round(100 / irregular) if irregular else 0
    kind = (pl.col("k") // max(every, 1)) % 4
    odd = (pl.col("k") % every == every // 2) if every else pl.lit(False)
    s = pl.concat_str(pl.lit('"'), pl.col("s"), pl.lit('"'))
    p = pl.col("p").cast(pl.String)
    s = (
        pl.when(odd & (kind == 0))
        .then(pl.lit('"Running"'))
        .when(odd & (kind == 1))
        .then(pl.lit("5"))
        .otherwise(s)
    )
    p = (
        pl.when(odd & (kind == 2))
        .then(pl.concat_str(pl.lit('"'), p, pl.lit('"')))
        .when(odd & (kind == 3))
        .then(pl.lit("150.0"))
        .otherwise(p)
    )
    line = pl.concat_str(
        pl.lit('{"job":"op-'),
        pl.col("job").cast(pl.String),
        pl.lit('","ts":'),
        pl.col("ts").cast(pl.String),
        pl.lit(',"status":'),
        s,
        pl.lit(',"percentageComplete":'),
        p,
        pl.lit("}"),
    )
    df.select(line.alias("l")).write_csv(path, include_header=False, quote_style="never")


def _run(args: list[str], out: Path | None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) and stdout of a child."""
    started = time.perf_counter()
    with out.open("wb") if out else open(os.devnull, "wb") as sink:
        proc = subprocess.Popen(args, stdout=sink if out else subprocess.PIPE)
        text = proc.stdout.read().decode() if proc.stdout else ""
        _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{args[:5]} failed")
    return time.perf_counter() - started, usage.ru_maxrss / 1024, text


def jobstate(path: Path, out: Path) -> tuple[float, float, tuple[int, int]]:
    """``jobstate check --format json --job-key job``: seconds, peak RSS (MiB), totals."""
    from bench_check_vs_duckdb import run_jobstate

    seconds, rss, totals = run_jobstate(path, out)
    return seconds, rss / 1024, totals


def duckdb(path: Path, out: Path) -> tuple[float, float, tuple[int, int]]:
    seconds, rss, text = _run([sys.executable, "-c", _DUCKDB, str(path), str(out)], None)
    errors, warnings = map(int, text.split())
    return seconds, rss, (errors, warnings)


def cell(tmp: Path, jobs: int, per: int, order: str, irregular: float, rounds: int) -> str:
    path = tmp / "polls.jsonl"
    subprocess.run(
        [sys.executable, __file__, "--make", str(path), str(jobs), str(per), order, str(irregular)],
        check=True,
    )
    mine: list[float] = []
    theirs: list[float] = []
    peaks = [0.0, 0.0]
    for _ in range(rounds):
        a_s, a_rss, a = jobstate(path, tmp / "jobstate.json")
        b_s, b_rss, b = duckdb(path, tmp / "duckdb.json")
        assert a == b, f"{jobs}x{per} {order} {irregular}%: jobstate {a}, DuckDB {b}"
        mine.append(a_s)
        theirs.append(b_s)
        peaks = [max(peaks[0], a_rss), max(peaks[1], b_rss)]
    ratio = statistics.median(theirs) / statistics.median(mine)
    path.unlink()
    return (
        f"{ratio:.2f} ({statistics.median(mine):.1f}s/{statistics.median(theirs):.1f}s,"
        f" {peaks[0]:.0f}/{peaks[1]:.0f} MiB; {a[0]:,} errors)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--cells", default="10000x5,10000x100,1000000x5")
    ap.add_argument("--irregular", default="0,0.1,0.5,2")
    a = ap.parse_args()
    shares = [float(x) for x in a.irregular.split(",")]
    print("| jobs x polls | order | " + " / ".join(f"{s:g}%" for s in shares) + " irregular |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for spec in a.cells.split(","):
            jobs, per = map(int, spec.split("x"))
            for order in ("grouped", "interleaved"):
                cells = [cell(Path(tmp), jobs, per, order, s, a.rounds) for s in shares]
                print(f"| {jobs:,} x {per} | {order} | " + " / ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--make"]:
        _, _, out, jobs, per, order, share = sys.argv
        make(Path(out), int(jobs), int(per), order, float(share))
    else:
        main()
