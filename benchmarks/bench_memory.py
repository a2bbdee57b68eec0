"""Peak memory of `jobstate check` on hostile and very large inputs (issue #11).

    python benchmarks/bench_memory.py [--only NAME ...] [--jobs 1000000]

Each case runs `jobstate check` in its own process; a small parent reads its peak RSS with
`wait4` (the benchmark process would otherwise count pages a forked child shares with it). The
baseline, run in the same session, is `jobstate check` on a 9-line file: what the interpreter
and libraries cost before any input. Cases:

- ``violations``: 10,000,000 lines `x` (a 19 KB gzip), one job, 10M malformed-record errors;
- ``violations-pct``: 10,000,000 polls of one job with a percentage out of range (10M errors);
- ``line``: one 1 GB line of zero bytes (4 MB gzipped);
- ``jobs-text`` / ``jobs-json``: 1,000,000 jobs of two polls each (2M lines), text and JSON;
- ``har``: a 60 MB HAR (just under the 64 MiB document cap), read whole.
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

_PEAK = """
import os, subprocess, sys
with open(os.devnull, "wb") as devnull:
    proc = subprocess.Popen(sys.argv[1:], stdout=devnull, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def peak(*args: str) -> tuple[float, int, int]:
    """Wall time, exit code and peak RSS (KiB) of `jobstate ARGS` in its own process."""
    cmd = [sys.executable, "-m", "jobstate", *args]
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _PEAK, *cmd], capture_output=True, text=True, check=True
    ).stdout.split()
    return time.perf_counter() - t, int(out[0]), int(out[1])


def write_gz(path: Path, parts: Callable[[], object], level: int = 6) -> Path:
    with gzip.open(path, "wb", level) as out:
        for part in parts():  # type: ignore[attr-defined]
            out.write(part)
    return path


def make_cases(d: Path, jobs: int) -> dict[str, list[str]]:
    def x_lines() -> object:
        yield b"x\n" * 10_000_000

    def pct_lines() -> object:
        line = b'{"status": "inProgress", "percentageComplete": 500}\n'
        for _ in range(100):
            yield line * 100_000

    def zero_line() -> object:
        block = b"\0" * (1 << 24)
        for _ in range(60):  # 60 x 16 MiB ~ 1 GB
            yield block

    def many_jobs() -> object:
        step = 100_000
        for a in range(0, jobs, step):
            yield b"".join(
                b'{"job": "op-%07d", "status": "notStarted"}\n'
                b'{"job": "op-%07d", "status": "completed", "percentageComplete": 100}\n' % (i, i)
                for i in range(a, min(a + step, jobs))
            )

    small = d / "small.jsonl"
    small.write_bytes(b'{"status": "inProgress", "percentageComplete": 5}\n' * 9)
    viol = write_gz(d / "x.jsonl.gz", x_lines, 9)
    pct = write_gz(d / "pct.jsonl.gz", pct_lines)
    line = write_gz(d / "zero.jsonl.gz", zero_line, 1)
    many = write_gz(d / "jobs.jsonl.gz", many_jobs)
    entry = (
        b'{"startedDateTime": "2026-01-01T00:00:00Z", "request": {"method": "GET", "url":'
        b' "https://h/monitor/%d"}, "response": {"status": 202, "content": {"mimeType":'
        b' "application/json", "text": "{\\"status\\": \\"inProgress\\"}"}}}'
    )
    har = d / "big.har"
    n = 60_000_000 // (len(entry) + 8)
    har.write_bytes(
        b'{"log": {"entries": [' + b",".join(entry % (i % 1000) for i in range(n)) + b"]}}"
    )
    return {
        "baseline": ["check", str(small)],
        "violations": ["check", "--summary", str(viol)],
        "violations-pct": ["check", "--summary", str(pct)],
        "line": ["check", str(line)],
        "jobs-text": ["check", "--job-key", "job", str(many)],
        "jobs-json": ["check", "--format", "json", "--job-key", "job", str(many)],
        "har": ["check", "--summary", str(har)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", help="cases to run (default: all)")
    parser.add_argument("--jobs", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cases = make_cases(Path(tmp), args.jobs)
        names = ["baseline", *(args.only or [c for c in cases if c != "baseline"])]
        base = 0
        print(f"{'case':<16} {'exit':>4} {'wall s':>8} {'peak MiB':>9} {'over baseline':>14}")
        for name in names:
            wall, code, kib = peak(*cases[name])
            base = base or kib
            over = (kib - base) / 1024
            print(f"{name:<16} {code:>4} {wall:>8.1f} {kib / 1024:>9.0f} {over:>11.0f} MiB")
            if name.startswith("jobs"):
                print(f"{'':<16} {'':>4} {'':>8} {'':>9} {over * 1024 / args.jobs:>10.2f} KiB/job")


if __name__ == "__main__":
    main()
