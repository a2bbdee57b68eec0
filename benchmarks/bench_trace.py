"""``validate(trace)`` on one clean 9-observation trace, per call, against a bare dict-of-sets
loop called per trace (issue #13: >= 0.3 of the bare loop, <= 2 us a call).

    python benchmarks/bench_trace.py [--calls 200000] [--rounds 5] [--mixed]

``--mixed``: the traces of the API benchmark instead (``bench_validate.make_jobs``: 10-15
polls, 70% completed, 12% through ``waiting``, 10% failed, 8% cancelled), one call a trace,
the time per call averaged over all of them (issue #28: >= 0.3 of the bare loop).

The bare loop checks what ``validate`` checks on a clean trace (legal changes from a
dict of sets, percentages within 0-100 never falling between resets, completed at 100) and
returns a bool; ``validate`` returns a full Report (built lazily). Rounds are interleaved; the
medians and their ratio are printed.
"""

from __future__ import annotations

import argparse
import statistics
import timeit
from typing import Any

from jobstate import get_spec, validate

TRACE: list[dict[str, Any]] = [
    {"status": "notStarted", "percentageComplete": 0.0},
    *({"status": "inProgress", "percentageComplete": 10.0 * i} for i in range(1, 7)),
    {"status": "completed", "percentageComplete": 100.0},
    {"status": "completed", "percentageComplete": 100.0},
]

_SPEC = get_spec("current")
_LEGAL = {s: {*_SPEC.reachable(s), s} for s in _SPEC.names}
_RESETS = {s for s in _SPEC.names if _SPEC.state(s).resets_progress}


def bare(trace: list[dict[str, Any]]) -> bool:
    """The checks of a clean trace, as a hand-written loop would do them."""
    prev: str | None = None
    last = 0.0
    for o in trace:
        s = o["status"]
        if prev is not None and s not in _LEGAL[prev]:
            return False
        p = o.get("percentageComplete")
        if p is not None:
            if not 0.0 <= p <= 100.0:
                return False
            if s in _RESETS:
                last = 0.0
            elif p < last:
                return False
            else:
                last = p
        if s == "completed" and p is not None and p != 100.0:
            return False
        prev = s
    return True


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=200_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--mixed", action="store_true", help="the API benchmark's traces")
    args = ap.parse_args()
    assert validate(TRACE).ok and bare(TRACE) and len(TRACE) == 9
    traces = [TRACE]
    if args.mixed:
        from bench_validate import make_jobs

        traces = list(make_jobs(args.calls * 12).values())[: args.calls]
        assert all(validate(t).ok == bare(t) for t in traces[:2000])

    def ours_all() -> None:
        for t in traces:
            validate(t)

    def bare_all() -> None:
        for t in traces:
            bare(t)

    calls = args.calls if not args.mixed else 1
    per = calls * len(traces)
    ours, base = [], []
    for _ in range(args.rounds):
        ours.append(timeit.timeit(ours_all, number=calls) / per)
        base.append(timeit.timeit(bare_all, number=calls) / per)
    v, b = statistics.median(ours) * 1e6, statistics.median(base) * 1e6
    print(f"validate(trace): {v:.2f} us a call (median of {args.rounds})")
    print(f"bare loop:       {b:.2f} us a call")
    print(f"ratio bare/validate: {b / v:.2f}")


if __name__ == "__main__":
    main()
