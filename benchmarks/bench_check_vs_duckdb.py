"""`jobstate check --format json` against a DuckDB query computing the same rules on the same
JSON Lines file (issue #13's main target: the ratio of throughputs, >= 1.0 wanted).

    python benchmarks/bench_check_vs_duckdb.py [--lines 1000000] [--per-job 100] [--rounds 2]
        [--only-failing] [--shuffle [--times]] [--time-key] [--baseline SRC]

The file: ``--lines`` polls, ``--per-job`` polls a job (statuses rising to a terminal; one job in
50 with a percentage that falls), as ``{"job", "ts", "status", "percentageComplete"}`` lines.
Each round runs, interleaved, in fresh processes whose peak RSS the parent reads with
``wait4`` (the file is written by another child, so the parent stays small):
``jobstate check --format json --job-key job FILE`` (stdout to a file), and DuckDB
(Python API) running jobstate's generated SQL for the ``current`` spec over
``read_json(FILE)``, writing its per-job rows as JSON. Both must report the same errors and
warnings in total. ``--shuffle`` writes the lines in random order and gives jobstate
``--order-by ts`` (the query orders by ``ts`` anyway); ``--times`` makes ``ts`` RFC 3339 text
(one width, so DuckDB's text order is the time order) instead of a number. Prints lines/s
(median), the ratio jobstate/DuckDB and both peak RSS. ``--time-key`` adds, in each round, a
third run: ``jobstate check`` with ``--time-key ts`` (each job's time facts, stalls and client
grade), and prints what the time facts cost (its time against the untimed run's).
``--baseline SRC`` (a source tree of another commit, e.g. from ``git worktree add``) runs each
jobstate command of a round a second time with that tree's package, interleaved, and prints
this tree's time against the baseline's.
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
from typing import Any

_DUCKDB = r"""
import sys, duckdb
from jobstate import generate_sql
path, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.execute(f"CREATE VIEW polls AS SELECT * FROM read_json('{path}', format='newline_delimited')")
con.execute(f"COPY ({generate_sql()}) TO '{out}' (FORMAT json)")
totals = f"SELECT sum(errors), sum(warnings) FROM read_json('{out}')"
[(errors, warnings)] = con.sql(totals).fetchall()
print(int(errors), int(warnings))
"""


def rising(pl: Any, job: Any, pos: Any, per: int) -> tuple[Any, Any]:
    """Each poll's status and percentage: ``notStarted``, ``inProgress`` rising, ``completed``
    at the job's last poll; one job in 50 with a percentage that falls mid-way."""
    status = (
        pl.when(pos == 0).then(pl.lit("notStarted"))
        .when(pos < per - 1).then(pl.lit("inProgress"))
        .otherwise(pl.lit("completed"))
    )  # fmt: skip
    pct = (pos.cast(pl.Float64) * 100.0 / max(per - 1, 1)).round(1)
    faulty = (job % 50 == 0) & (pos == per // 2) & (pos > 0) & (pos < per - 1)
    return status, pl.when(faulty).then(pl.lit(0.5)).otherwise(pct)


def make_jsonl(
    path: Path, lines: int, per: int, shuffle: bool = False, times: bool = False
) -> None:
    import polars as pl

    k = pl.int_range(0, lines, eager=True)
    job, pos = k // per, k % per
    status, pct = rising(pl, job, pos, per)
    df = pl.DataFrame({"job": job, "ts": k}).with_columns(
        ("op-" + pl.col("job").cast(pl.String)).alias("job"),
        status.alias("status"),
        pct.alias("percentageComplete"),
    )
    if times:
        stamp = pl.from_epoch(pl.col("ts") * 1_000_003 + 1_767_225_600_000_000, time_unit="us")
        df = df.with_columns(stamp.dt.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").alias("ts"))
    if shuffle:
        df = df.sample(fraction=1.0, shuffle=True, seed=13)
    df.write_ndjson(path)
    jobs = (lines + per - 1) // per
    print(f"{lines:,} lines, {jobs:,} jobs -> {path.stat().st_size / 1e6:.0f} MB JSON Lines")


def _timed(args: list[str], stdout: int | None, src: str | None = None) -> tuple[float, int, str]:
    """Wall time, peak RSS (KiB) and stdout of a child process (``src``: first on its path)."""
    env = dict(os.environ, PYTHONPATH=src) if src else None
    t = time.perf_counter()
    proc = subprocess.Popen(args, stdout=stdout if stdout is not None else subprocess.PIPE, env=env)
    out = b""
    if stdout is None:
        assert proc.stdout is not None
        out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{args[:4]} failed")
    return time.perf_counter() - t, usage.ru_maxrss, out.decode()


def run_jobstate(
    path: Path, out: Path, *extra: str, src: str | None = None
) -> tuple[float, int, tuple[int, int]]:
    """``jobstate check`` on ``path`` (``src``: the package of that source tree instead)."""
    with open(out, "wb") as fh:
        seconds, rss, _ = _timed(
            [sys.executable, "-m", "jobstate", "check", "--format", "json", "--job-key", "job",
             *extra, str(path)], fh.fileno(), src,
        )  # fmt: skip
    # read in a child: parsing a large report here would raise this process's peak RSS, which
    # the next child inherits (Linux keeps the peak across exec)
    read = "import orjson, sys; t = orjson.loads(open(sys.argv[1], 'rb').read())['totals'];"
    read += " print(t['errors'], t['warnings'])"
    text = subprocess.run([sys.executable, "-c", read, str(out)], capture_output=True, text=True)
    errors, warnings = map(int, text.stdout.split())
    return seconds, rss, (errors, warnings)


def run_duckdb(path: Path, out: Path) -> tuple[float, int, tuple[int, int]]:
    seconds, rss, text = _timed([sys.executable, "-c", _DUCKDB, str(path), str(out)], None)
    errors, warnings = map(int, text.split())
    return seconds, rss, (errors, warnings)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--per-job", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--only-failing", action="store_true", help="pass it to jobstate check")
    ap.add_argument("--shuffle", action="store_true", help="lines in random order: --order-by ts")
    ap.add_argument("--times", action="store_true", help="ts as RFC 3339 text")
    ap.add_argument("--time-key", action="store_true", help="also check with --time-key ts")
    ap.add_argument("--baseline", metavar="SRC", help="also run jobstate from this source tree")
    ap.add_argument("--make", help=argparse.SUPPRESS)  # the child that writes the file
    args = ap.parse_args()
    if args.make:
        make_jsonl(Path(args.make), args.lines, args.per_job, args.shuffle, args.times)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "polls.jsonl"
        # written by a child: Linux keeps a process's peak RSS across exec, so children forked
        # from a parent that held the data would all report the parent's peak
        make = ["--lines", str(args.lines), "--per-job", str(args.per_job), "--make", str(path)]
        make += ["--shuffle"] * args.shuffle + ["--times"] * args.times
        subprocess.run([sys.executable, __file__, *make], check=True)
        js, dd, js_rss, dd_rss, timed, timed_rss = [], [], [], [], [], []
        base: dict[str, list[float]] = {"untimed": [], "timed": []}
        for _ in range(args.rounds):
            extra = ["--only-failing"] if args.only_failing else []
            extra += ["--order-by", "ts"] if args.shuffle else []
            t, rss, a = run_jobstate(path, Path(tmp) / "jobstate.json", *extra)
            js.append(t)
            js_rss.append(rss)
            if args.baseline:
                out = Path(tmp) / "base.json"
                base["untimed"].append(run_jobstate(path, out, *extra, src=args.baseline)[0])
            if args.time_key:
                t, rss, c = run_jobstate(path, Path(tmp) / "timed.json", *extra, "--time-key", "ts")
                timed.append(t)
                timed_rss.append(rss)
                assert c == a, f"timed {c}, untimed {a} (errors, warnings)"
                if args.baseline:
                    out = Path(tmp) / "base-timed.json"
                    timed_extra = [*extra, "--time-key", "ts"]
                    base["timed"].append(
                        run_jobstate(path, out, *timed_extra, src=args.baseline)[0]
                    )
            t, rss, b = run_duckdb(path, Path(tmp) / "duckdb.json")
            dd.append(t)
            dd_rss.append(rss)
            assert a == b, f"they disagree: jobstate {a}, DuckDB {b} (errors, warnings)"
        j, d = statistics.median(js), statistics.median(dd)
        print(f"both report errors, warnings = {a}")
        for name, secs, rss in (("jobstate check", j, js_rss), ("DuckDB query", d, dd_rss)):
            rate = args.lines / secs
            print(f"{name:<15} {rate:,.0f} lines/s ({secs:.1f} s), peak {max(rss) / 1024:,.0f} MiB")
        print(f"ratio jobstate/DuckDB: {d / j:.2f}")
        if timed:
            m = statistics.median(timed)
            rate = args.lines / m
            peak = max(timed_rss) / 1024
            print(
                f"{'--time-key ts':<15} {rate:,.0f} lines/s ({m:.1f} s), peak {peak:,.0f} MiB:"
                f" {m / j:.2f}x the untimed check's time"
            )
        for variant, mine in (("untimed", js), ("timed", timed)):
            if base[variant]:
                b = statistics.median(base[variant])
                m = statistics.median(mine)
                print(f"{variant} check: {m:.2f} s here, {b:.2f} s at the baseline: {m / b:.2f}x")


if __name__ == "__main__":
    main()
