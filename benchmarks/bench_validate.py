"""Validation throughput: transitions replay vs jobstate.validate vs a bare dict-of-sets loop.

All three read the same observations (monitor bodies, 10-15 polls a job, many repeated
statuses) in one process. They run interleaved for several rounds; each keeps its best time,
since this machine is noisy. Prints observations/s and the ratios the issue sets targets for:
validate >= 50x the replay, and >= 0.4x the bare loop.

    python benchmarks/bench_validate.py [--observations N] [--rounds R]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from typing import Any

from jobstate import get_spec, validate
from jobstate.validation.reference import replay

SPEC = "current"
MODE = "sampled"


def make_jobs(total: int, seed: int = 20261123) -> dict[str, list[dict[str, Any]]]:
    """Realistic poll logs: 10-15 polls a job, a status held for several polls, progress rising."""
    rng = random.Random(seed)
    jobs: dict[str, list[dict[str, Any]]] = {}
    n = 0
    while n < total:
        length = min(rng.randint(10, 15), total - n)
        shape = rng.random()
        if shape < 0.70:
            path = ["notStarted", "inProgress", "completed"]
        elif shape < 0.82:
            path = ["notStarted", "inProgress", "waiting", "inProgress", "completed"]
        elif shape < 0.92:
            path = ["notStarted", "inProgress", "failed"]
        else:
            path = ["inProgress", "cancelPending", "cancelled"]
        # spread the polls over the path: the last state once, the rest held several polls
        counts = [1] * len(path)
        for _ in range(length - len(path)):
            counts[rng.randrange(len(path) - 1)] += 1
        bodies: list[dict[str, Any]] = []
        pct = 0.0
        for state, count in zip(path, counts, strict=True):
            for _ in range(count):
                if state == "inProgress":
                    pct = min(100.0, round(pct + rng.uniform(0, 12), 1))
                elif state == "waiting":
                    pct = 0.0
                elif state == "completed":
                    pct = 100.0
                bodies.append({"operation": "ItemCopy", "percentageComplete": pct, "status": state})
        bodies = bodies[:length]
        jobs[f"job-{len(jobs)}"] = bodies
        n += len(bodies)
    return jobs


def run_replay(jobs: dict[str, list[dict[str, Any]]]) -> int:
    """(a) the transitions machine: one trigger per observation (a stutter is internal)."""
    spec = get_spec(SPEC)
    bad = 0
    for bodies in jobs.values():
        statuses = [b.get("status") for b in bodies]
        _, violations, _ = replay(spec, statuses, MODE)
        bad += len(violations)
    return bad


def run_validate(jobs: dict[str, list[dict[str, Any]]]) -> int:
    """(b) jobstate.validate on every job (all rules, outcome, report)."""
    return len(validate(jobs, spec=SPEC, mode=MODE).violations)


def make_bare(jobs: dict[str, list[dict[str, Any]]]) -> Callable[[], int]:
    spec = get_spec(SPEC)
    allowed = {s: spec.reachable(s) for s in spec.names}

    def run_bare() -> int:
        """(c) status membership only: no percentages, no outcome, no report."""
        bad = 0
        for bodies in jobs.values():
            prev = None
            for b in bodies:
                s = b["status"]
                if prev is not None and s != prev and s not in allowed[prev]:
                    bad += 1
                prev = s
        return bad

    return run_bare


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--observations", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    jobs = make_jobs(args.observations)
    total = sum(len(b) for b in jobs.values())
    print(f"{total:,} observations in {len(jobs):,} jobs ({total / len(jobs):.1f} polls a job)")
    runners: dict[str, Callable[[], int]] = {
        "(a) transitions replay": lambda: run_replay(jobs),
        "(b) jobstate.validate": lambda: run_validate(jobs),
        "(c) bare dict-of-sets loop": make_bare(jobs),
    }
    best = dict.fromkeys(runners, float("inf"))
    results: dict[str, int] = {}
    for r in range(args.rounds):
        for name, fn in runners.items():
            t0 = time.perf_counter()
            results[name] = fn()
            elapsed = time.perf_counter() - t0
            best[name] = min(best[name], elapsed)
            print(f"  round {r + 1}: {name:<28} {elapsed:8.3f} s")
    assert len(set(results.values())) == 1, f"the three disagree on violations: {results}"
    found = results[next(iter(results))]
    print(f"\nbest of {args.rounds} rounds (all three found {found} violations):")
    for name, t in best.items():
        print(f"  {name:<28} {total / t:>14,.0f} observations/s  ({t:.3f} s)")
    a, b, c = (best[k] for k in runners)
    print(f"\n  validate / replay: {a / b:6.1f}x  (target >= 50x)")
    print(f"  validate / bare:   {c / b:6.2f}x  (target >= 0.4x)")


if __name__ == "__main__":
    main()
