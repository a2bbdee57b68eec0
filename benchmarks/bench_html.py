"""The HTML report at scale: how long `check --format html` takes against `check --format
json` on the same file (the baseline, run in the same session), how big the page is, and how
long headless Chromium takes to open it and to open a job's timeline.

    python benchmarks/bench_html.py [--jobs 10000 1000000] [--per-job 5] [--rounds 3]

The file: ``--jobs`` jobs of ``--per-job`` polls, interleaved as a service's monitor log is
(poll ``i`` of every job, then poll ``i + 1`` of every job), each with a time; one job in 50
has a percentage that falls (a warning), one in 200 an unknown status (an error), one in 100
stalls (its percentage still for ten minutes). Each round runs the JSON and the HTML check
in fresh processes, alternately, with ``--job-key job --time-key ts``; then the page is opened
in the system's Chromium (``--no-browser`` skips it): the time to its first drawn job row, and
the time to draw the first job's timeline after a click. Prints medians and the ratio
HTML/JSON.
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

ROOT = Path(__file__).resolve().parents[1]


def make_jsonl(path: Path, jobs: int, per: int) -> None:
    import polars as pl

    k = pl.int_range(0, jobs * per, eager=True)
    job, pos = k % jobs, k // jobs
    status = (
        pl.when(pos == 0)
        .then(pl.lit("notStarted"))
        .when(pos < per - 1)
        .then(pl.lit("inProgress"))
        .otherwise(pl.lit("completed"))
    )
    status = pl.when((job % 200 == 7) & (pos == 1)).then(pl.lit("Running")).otherwise(status)
    pct = (pos.cast(pl.Float64) * 100.0 / max(per - 1, 1)).round(1)
    falls = (job % 50 == 3) & (pos == per // 2)
    pct = pl.when(falls).then(pl.lit(0.5)).otherwise(pct)
    stalls = (job % 100 == 11) & (pos > 0) & (pos < per - 1)
    pct = pl.when(stalls).then(pl.lit(10.0)).otherwise(pct)
    ts = 1_767_225_600 + pos * pl.when(stalls).then(300).otherwise(2) + job % 1000 / 1000
    df = pl.DataFrame({"k": k}).with_columns(
        ("op-" + job.cast(pl.String)).alias("job"),
        ts.alias("ts"),
        status.alias("status"),
        pct.alias("percentageComplete"),
    )
    df.drop("k").write_ndjson(path)
    print(f"{jobs:,} jobs x {per} polls -> {path.stat().st_size / 1e6:.0f} MB JSON Lines")


def check(path: Path, fmt: str, out: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one check in a fresh process."""
    args = [sys.executable, "-m", "jobstate", "check", "--format", fmt, "--job-key", "job"]
    args += ["--time-key", "ts", str(path)]
    started = time.perf_counter()
    with out.open("wb") as f:
        proc = subprocess.Popen(args, stdout=f, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) in (0, 1), status
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def browse(page_path: Path) -> tuple[float, float]:
    """Seconds to the first job row drawn, and to the first job's timeline after a click."""
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from tests.browser.chromium import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        started = time.perf_counter()
        page.goto(f"file://{page_path}", timeout=300_000)
        page.wait_for_selector("tr.job", timeout=300_000)
        opened = time.perf_counter() - started
        started = time.perf_counter()
        page.locator("tr.job").first.click()
        page.wait_for_selector("svg.timeline")
        drawn = time.perf_counter() - started
        browser.close()
    assert not errors, errors
    return opened, drawn


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, nargs="+", default=[10_000, 1_000_000])
    ap.add_argument("--per-job", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-browser", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        for jobs in a.jobs:
            src = d / f"polls-{jobs}.jsonl"
            # written by a child: polars here would raise the peak RSS the checks inherit
            make = [sys.executable, __file__, "--make", str(src), str(jobs), str(a.per_job)]
            subprocess.run(make, check=True)
            times: dict[str, list[float]] = {"json": [], "html": []}
            peaks: dict[str, list[float]] = {"json": [], "html": []}
            for _ in range(a.rounds):
                for fmt in ("json", "html"):
                    seconds, peak = check(src, fmt, d / f"out.{fmt}")
                    times[fmt].append(seconds)
                    peaks[fmt].append(peak)
            js, ht = (statistics.median(times[f]) for f in ("json", "html"))
            pj, ph = (max(peaks[f]) for f in ("json", "html"))
            size, report = ((d / f"out.{f}").stat().st_size / 1e6 for f in ("html", "json"))
            print(
                f"{jobs:>9,} jobs: json {js:6.2f} s ({report:.0f} MB),"
                f" html {ht:6.2f} s ({size:.1f} MB page); html/json {ht / js:.2f};"
                f" peak RSS json {pj:.0f} MB, html {ph:.0f} MB"
            )
            if not a.no_browser:
                loads = [browse(d / "out.html") for _ in range(a.rounds)]
                first = statistics.median(x for x, _ in loads)
                timeline = statistics.median(y for _, y in loads)
                print(f"{'':>15} Chromium: first row {first:.2f} s, a timeline {timeline:.3f} s")
            src.unlink()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--make"]:
        make_jsonl(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        main()
