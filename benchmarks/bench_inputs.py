"""End-to-end input benchmark: `jobstate check --format json` on JSON Lines against a bare loop
that only parses the same file with the same JSON library (orjson), in one run.

    python benchmarks/bench_inputs.py            # 1,000,000 lines, 10,000 interleaved jobs
    python benchmarks/bench_inputs.py --big      # also peak memory on a ~1 GB file, 100,000 jobs

The file is a realistic poll log: each job goes notStarted -> inProgress (rising percentage),
one in five through a waiting spell, and ends completed at 100, failed or cancelled; 1% of jobs
carry a fault (a regression or an unknown status), so the general path runs too. Rounds are
interleaved (bare, in-process CLI, subprocess CLI) and medians reported: the machine is noisy.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

SHAPE = "flat"  # or "wrapped": proxy-log records {"job", "http_status", "body"} (--shape)
ARGS = {
    "flat": ["--job-key", "jobId"],
    "wrapped": ["--job-key", "job", "--body-key", "body", "--http-key", "http_status"],
}


def job_lines(j: int, polls: int, rnd: random.Random) -> list[bytes]:
    key = f"job-{j:06d}"
    out: list[tuple[str, float | None]] = [("notStarted", 0.0)] * rnd.randint(1, 3)
    work = polls - len(out) - 2
    waiting_at = rnd.randint(1, max(work - 2, 1)) if rnd.random() < 0.2 else -1
    pct = 0.0
    for i in range(max(work, 1)):
        if i == waiting_at:
            out += [("waiting", 0.0)] * 3
            pct = 0.0
        pct = min(99.0, pct + rnd.random() * 200 / max(work, 1))
        out.append(("inProgress", round(pct, 1)))
    end = rnd.random()
    if end < 0.85:
        out += [("completed", 100.0)] * 2
    elif end < 0.95:
        out.append(("failed", None))
    else:
        out += [("cancelPending", None), ("cancelled", None)]
    if rnd.random() < 0.01:  # a fault: an unknown status or a regression
        i = rnd.randrange(len(out))
        out[i] = ("Running", out[i][1]) if rnd.random() < 0.5 else (out[i][0], -1.0)
    lines = []
    for status, p in out:
        pct = f',"percentageComplete":{p}' if p is not None and p >= 0 else ""
        if SHAPE == "flat":
            line = f'{{"jobId":"{key}","operation":"ItemCopy","status":"{status}"{pct}}}\n'
        else:
            url = f"https://graph.example/v1.0/monitor/{key}"
            body = f'{{"operation":"ItemCopy","status":"{status}"{pct}}}'
            line = f'{{"job":"{url}","http_status":202,"body":{body}}}\n'
        lines.append(line.encode())
    return lines


def write_corpus(path: Path, jobs: int, polls: int, seed: int = 7) -> int:
    """Interleave ``jobs`` jobs of about ``polls`` polls each; return the number of lines."""
    rnd = random.Random(seed)
    pending = [job_lines(j, rnd.randint(polls // 2, polls * 3 // 2), rnd) for j in range(jobs)]
    order = [j for j, lines in enumerate(pending) for _ in lines]
    rnd.shuffle(order)  # a random interleaving; each job keeps its own order
    cursor = [0] * jobs
    n = 0
    with open(path, "wb", buffering=1 << 22) as fh:
        buf = []
        for j in order:
            buf.append(pending[j][cursor[j]])
            cursor[j] += 1
            if len(buf) == 65536:
                fh.write(b"".join(buf))
                n += len(buf)
                buf.clear()
        fh.write(b"".join(buf))
        n += len(buf)
    return n


def bare(path: Path) -> None:
    loads = orjson.loads
    with open(path, "rb") as fh:
        for line in fh:
            loads(line)


def in_process(path: Path) -> int:
    from jobstate.cli import main

    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with contextlib.redirect_stdout(out):
        try:
            main.main(["check", "--format", "json", *ARGS[SHAPE], str(path)])
        except SystemExit as exc:
            return int(exc.code or 0)
    return 0


# A small process starts jobstate and reads its peak RSS: a child forked from this (large)
# process would count the pages it shares with it before exec.
_PEAK = """
import os, subprocess, sys
with open(os.devnull, "wb") as devnull:
    proc = subprocess.Popen(sys.argv[1:], stdout=devnull)
    _, status, usage = os.wait4(proc.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def subprocess_run(path: Path) -> tuple[float, int, int]:
    """Wall time, exit code, and peak RSS (KiB) of `jobstate check` in its own process."""
    cmd = [sys.executable, "-m", "jobstate.cli", "check", "--format", "json"]
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _PEAK, *cmd, *ARGS[SHAPE], str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return time.perf_counter() - t, int(out[0]), int(out[1])


def bare_subprocess(path: Path) -> float:
    code = "import orjson,sys\nfor line in open(sys.argv[1],'rb'): orjson.loads(line)"
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--big", action="store_true", help="also the ~1 GB, 100,000-job file")
    ap.add_argument(
        "--without-polars",
        action="store_true",
        help="in-process runs read line by line with orjson (as without the fast extra)",
    )
    ap.add_argument("--shape", choices=sorted(ARGS), default="flat", help="record layout")
    args = ap.parse_args()
    global SHAPE
    SHAPE = args.shape
    if args.without_polars:
        from jobstate.readers.jsonl_polars import PolarsJsonlReader

        PolarsJsonlReader.create = classmethod(lambda cls, *a: None)  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "polls.jsonl"
        n = write_corpus(path, 10_000, 100)
        size = path.stat().st_size
        print(f"corpus: {n:,} lines ({SHAPE}), 10,000 jobs, {size / 1e6:.0f} MB")
        in_process(path)  # warm-up: imports, compiled tables
        bares, ours, subs, subbares = [], [], [], []
        for _ in range(args.rounds):
            t = time.perf_counter()
            bare(path)
            bares.append(time.perf_counter() - t)
            t = time.perf_counter()
            code = in_process(path)
            ours.append(time.perf_counter() - t)
            subs.append(subprocess_run(path)[0])
            subbares.append(bare_subprocess(path))
        b, o = statistics.median(bares), statistics.median(ours)
        s, sb = statistics.median(subs), statistics.median(subbares)
        ratios = [x / y for x, y in zip(bares, ours, strict=True)]
        print(f"bare orjson loop          {n / b:>12,.0f} lines/s  (median of {args.rounds})")
        print(f"jobstate check, in-process {n / o:>11,.0f} lines/s  exit {code}")
        print(
            f"ratio jobstate/bare        {b / o:.2f}"
            f"  (per round {min(ratios):.2f}-{max(ratios):.2f})"
        )
        print(
            f"subprocesses, with start-up: bare {sb:.2f} s, jobstate {s:.2f} s, ratio {sb / s:.2f}"
        )
    if args.big:
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as d:
            for jobs, polls in ((100_000, 35), (100_000, 140)):
                path = Path(d) / "big.jsonl"
                n = write_corpus(path, jobs, polls)
                size = path.stat().st_size
                wall, code, rss = subprocess_run(path)
                print(
                    f"{size / 1e9:.2f} GB, {n:,} lines, {jobs:,} jobs: {wall:.1f} s"
                    f" ({n / wall:,.0f} lines/s), exit {code}, peak RSS {rss / 1024:.0f} MiB"
                )
                path.unlink()


if __name__ == "__main__":
    main()
