"""Start-up: how long jobstate's commands take on tiny inputs, over `python -c pass`.

Each round runs every command once, in turn (interleaved, so the machine's noise falls on all of
them alike), and the script prints medians. The commands run in an empty folder (no
`jobstate.toml` or `pyproject.toml` to read). `PYTHONDONTWRITEBYTECODE` is removed from the
children's environment: an installed package has its `.pyc` files, and without them every
start-up would compile the sources.

    python benchmarks/bench_startup.py [--rounds 40] [--before TREE]

``--before`` adds `check` run from another source tree (a `git worktree` of an older commit),
both as ``python -m jobstate`` with that tree first on ``PYTHONPATH``, for an A/B in one run.
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

_STEPS = [
    ("notStarted", 0.0),
    *(("inProgress", k * 10.0) for k in range(1, 8)),
    ("completed", 100.0),
]
TRACE = "".join(
    f'{{"job":"op-0","ts":{i},"status":"{s}","percentageComplete":{p}}}\n'
    for i, (s, p) in enumerate(_STEPS)
)


def commands(small: Path) -> dict[str, list[str]]:
    py = sys.executable
    script = Path(py).with_name("jobstate")  # the console script pip writes, as users run it
    cli = [str(script)] if script.exists() else [py, "-m", "jobstate"]
    return {
        "python -c pass": [py, "-c", "pass"],
        "import jobstate": [py, "-c", "import jobstate"],
        "jobstate --help": [*cli, "--help"],
        "jobstate check (9 lines)": [*cli, "check", str(small)],
        "jobstate check --format json": [*cli, "check", "--format", "json", str(small)],
    }


def run_once(argv: list[str], env: dict[str, str], cwd: str) -> float:
    tree, sep, _ = argv[0].partition("=")
    if sep:  # "TREE=python ...": run from TREE
        env = {**env, "PYTHONPATH": tree}
        argv = [argv[0][len(tree) + 1 :], *argv[1:]]
    t = time.perf_counter()
    proc = subprocess.run(
        argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    if proc.returncode not in (0, 1):  # 1: the check found something (it does not here)
        raise SystemExit(f"{argv} exited {proc.returncode}")
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--before", help="an older source tree to compare `check` with")
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as d:
        small = Path(d, "small.jsonl")
        small.write_text(TRACE)
        cmds = commands(small)
        if args.before:
            here = str(Path(__file__).resolve().parents[1])
            for name, tree in (("now", here), ("before", args.before)):
                cmds[f"check, -m, {name}"] = [f"{tree}={sys.executable}", "-m", "jobstate"]
                cmds[f"check, -m, {name}"] += ["check", str(small)]
        for argv in cmds.values():  # warm the page cache and write the .pyc files
            run_once(argv, env, d)
        times: dict[str, list[float]] = {name: [] for name in cmds}
        for _ in range(args.rounds):
            for name, argv in cmds.items():
                times[name].append(run_once(argv, env, d))
    base = statistics.median(times["python -c pass"])
    print(f"{args.rounds} interleaved rounds, medians, Python {sys.version.split()[0]}")
    for name, ts in times.items():
        med = statistics.median(ts)
        extra = "" if name == "python -c pass" else f"  (+{(med - base) * 1e3:.0f} ms)"
        print(f"{name:32s} {med * 1e3:7.1f} ms{extra}")


if __name__ == "__main__":
    main()
