"""The strategies exercise the normal path, and check_poller catches the common poller bugs.

The distribution test prints its figures (``pytest -s``); docs/strategies.md records them.
"""

from __future__ import annotations

import statistics
from collections import Counter
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings

from jobstate import SPEC_NAMES, Trace, get_spec
from jobstate.strategies import coverage_paths, traces
from jobstate.testing import check_poller

EXAMPLES = 1000


def _measure(spec: str, mode: str) -> dict[str, Any]:
    sp = get_spec(spec)
    outcomes: Counter[str] = Counter()
    lengths: list[int] = []
    reentry = 0
    first_seen: dict[tuple[str, str], int] = {}

    @seed(20261124)
    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(traces(spec, mode, finished=True))
    def run(trace: Trace) -> None:
        nonlocal reentry
        outcomes[trace.outcome] += 1
        lengths.append(len(trace.bodies))
        st = trace.statuses
        reentry += any(a in sp.resets and b not in sp.resets for a, b in pairwise(st))
        for edge in pairwise(trace.path):
            first_seen.setdefault(edge, len(lengths))

    run()
    n = len(lengths)
    return {
        "shares": {o: c / n for o, c in outcomes.items()},
        "median": statistics.median(lengths),
        "reentry": reentry / n,
        "edges": first_seen,
        "n": n,
    }


@pytest.mark.parametrize("spec", SPEC_NAMES)
def test_traces_favour_the_normal_path(spec: str) -> None:
    """Over 1,000 finished sampled traces: every outcome >= 15%, success the most common, a
    waiting re-entry in >= 20%, median length >= 8, every edge seen."""
    sp = get_spec(spec)
    m = _measure(spec, "sampled")
    print(f"\n{spec}: {m['n']} traces", {k: f"{v:.0%}" for k, v in m["shares"].items()},
          f"median {m['median']}, waiting re-entry {m['reentry']:.0%},",
          f"every edge by trace {max(m['edges'].values(), default=0)}")  # fmt: skip
    shares = m["shares"]
    assert set(shares) == {sp.outcome(s) for s in sp.terminal}
    assert min(shares.values()) >= 0.15
    assert max(shares, key=shares.__getitem__) == "success"
    assert m["reentry"] >= 0.20
    assert m["median"] >= 8
    assert set(m["edges"]) == {(e.source, e.dest) for e in sp.edges}


@pytest.mark.parametrize("spec", SPEC_NAMES)
def test_coverage_paths_take_every_edge_and_pair(spec: str) -> None:
    """The coverage list takes every edge and every pair of consecutive edges, legally."""
    sp = get_spec(spec)
    taken = {step for p in coverage_paths(sp) for step in zip(p, p[1:], p[2:], strict=False)}
    edges = {(e.source, e.dest) for p in coverage_paths(sp) for e in sp.edges
             if (e.source, e.dest) in set(pairwise(p))}  # fmt: skip
    assert edges == {(e.source, e.dest) for e in sp.edges}
    pairs = {(a.source, a.dest, b.dest) for a in sp.edges for b in sp.edges if b.source == a.dest}
    assert pairs <= taken
    for p in coverage_paths(sp):
        assert p[0] == sp.initial and p[-1] in sp.terminal
        assert all(b in sp.successors[a] for a, b in pairwise(p))


FINAL = {"completed": "success", "failed": "failure", "cancelled": "cancelled"}
KNOWN = {"notStarted", "inProgress", "waiting", "cancelPending", *FINAL}


def waiting_is_failure(fetch: Any) -> str:
    while True:
        s = fetch()["status"]
        if s == "waiting":
            return "failure"
        if s in FINAL:
            return FINAL[s]


def cancel_pending_is_final(fetch: Any) -> str:
    while True:
        s = fetch()["status"]
        if s == "cancelPending":
            return "cancelled"
        if s in FINAL:
            return FINAL[s]


def done_at_100(fetch: Any) -> str:
    while True:
        body = fetch()
        if body.get("percentageComplete") == 100:
            return FINAL.get(body["status"], "success")
        if body["status"] in FINAL:
            return FINAL[body["status"]]


def crashes_on_a_future_value(fetch: Any) -> str:
    while True:
        s = fetch()["status"]
        if s not in KNOWN:
            raise ValueError(f"unknown status {s}")
        if s in FINAL:
            return FINAL[s]


def never_ends_on_cancelled(fetch: Any) -> str:
    while True:
        s = fetch()["status"]
        if s in ("completed", "failed"):
            return FINAL[s]


@pytest.mark.parametrize(
    "poller",
    [
        waiting_is_failure,
        cancel_pending_is_final,
        done_at_100,
        crashes_on_a_future_value,
        never_ends_on_cancelled,
    ],
)
def test_check_poller_catches_each_bug_every_time(poller: Any) -> None:
    """check_poller at its defaults catches each common bug in 20 runs of 20."""
    caught = 0
    for _ in range(20):
        try:
            check_poller(poller)
        except (AssertionError, ValueError):
            caught += 1
    assert caught == 20


def test_shrinking_reaches_a_single_observation() -> None:
    """With min_length=1, Hypothesis shrinks a failing trace to one observation."""
    from hypothesis import find

    minimal = find(
        traces("current", "sampled", finished=True, min_length=1),
        lambda t: t.outcome == "failure",
        settings=settings(database=None, suppress_health_check=list(HealthCheck)),
    )
    assert len(minimal.bodies) == 1 and minimal.statuses == ["failed"]
