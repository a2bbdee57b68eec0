"""Hypothesis strategies for asyncJobStatus traces: legal ones, and ones with a known mutation.

Use them to property-test your own poller or log pipeline::

    from hypothesis import given
    from jobstate.strategies import traces

    @given(traces(spec="current", mode="sampled", finished=True))
    def test_my_poller(trace):
        assert my_poller(trace.bodies) == trace.outcome

``st.from_type(jobstate.Trace)`` gives :func:`traces` with its defaults (registered through
Hypothesis's plugin entry point).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from jobstate._constants import SUCCESS_NOT_TOP, Outcome
from jobstate._trace import MutatedTrace, Trace
from jobstate._trace_values import (
    BAD_TYPES,
    flavour,
    no_status,
    not_objects,
    strangers,
    tenths_of,
    value_at,
)
from jobstate.exceptions import OptionError
from jobstate.spec import Edge, Spec, get_spec
from jobstate.spec.model import Progress
from jobstate.validation.rules import RULES, next_baseline, percentage_regression
from jobstate.validation.tables import Tables, check_mode

__all__ = ["MUTATIONS", "coverage_paths", "mutated_traces", "paths", "traces"]

_STOP_ONE_IN = 5  # an unfinished path stops at each state with this odds (1 in N)
_MAX_RISE_TENTHS = 350  # the most progress rises between two polls, in tenths of a percent


def _spec_for(spec: str | Spec, mode: str) -> Spec:
    check_mode(mode)
    return get_spec(spec)


# How often each outcome is aimed for (success the most common, every outcome well represented),
# and how strongly each edge is preferred on the way: the design card's edges (the normal path,
# waiting re-entry) most, inferred ones least but never never. Measured distributions are in
# docs/strategies.md and asserted by tests/test_strategies_distribution.py.
_OUTCOME_WEIGHT: dict[str, int] = {"success": 10, "failure": 5, "cancelled": 5, "unfinished": 4}
_EDGE_WEIGHTS = (2, 3, 6)  # the weakest provenance kind of a spec, one between, the strongest


def _weighted(draw: st.DrawFn, options: Sequence[tuple[str, int]]) -> str:
    """One of ``options`` drawn with its weight (shrinking aims for the first)."""
    return draw(st.sampled_from([o for o, w in options for _ in range(w)]))


def _target(draw: st.DrawFn, sp: Spec, finished: bool | None, outcome: Outcome | None) -> str:
    """The outcome the path aims for."""
    ends = {sp.outcome(s) for s in sp.terminal}
    if outcome is not None:
        if outcome != "unfinished" and outcome not in ends:
            raise OptionError(f"spec {sp.name!r} has no terminal state with outcome {outcome!r}")
        return outcome
    choices = [o for o in _OUTCOME_WEIGHT if o in ends]
    if finished is not True:
        choices = ["unfinished"] if finished is False else [*choices, "unfinished"]
    return _weighted(draw, [(o, _OUTCOME_WEIGHT[o]) for o in choices])


def coverage_paths(spec: str | Spec = "current") -> list[tuple[str, ...]]:
    """Finished step paths that together take every edge and every pair of consecutive edges
    of ``spec`` (transition coverage, as @xstate/test's path coverage does): each pair with the
    shortest way in from the initial state and the shortest way out to a terminal state.

    >>> paths = coverage_paths("current")
    >>> ("notStarted", "inProgress", "waiting", "inProgress", "completed") in paths
    True
    """
    sp = get_spec(spec)
    out: dict[tuple[str, ...], None] = {}
    for first in sp.edges:
        seconds: list[Edge | None] = [e for e in sp.edges if e.source == first.dest] or [None]
        for second in seconds:
            head = sp.shortest_path(sp.initial, first.source) or (sp.initial,)
            path = [*head, first.dest] + ([second.dest] if second is not None else [])
            if path[-1] not in sp.terminal:
                exits = [
                    p for t in sp.names if t in sp.terminal if (p := sp.shortest_path(path[-1], t))
                ]
                path += min(exits, key=len)[1:]
            out[tuple(path)] = None
    return list(out)


@st.composite
def paths(
    draw: st.DrawFn,
    spec: str | Spec = "current",
    *,
    finished: bool | None = None,
    outcome: Outcome | None = None,
    max_changes: int = 12,
) -> tuple[str, ...]:
    """A step path from the initial state along the spec's edges (each state once per visit).

    ``finished``: end in a terminal state (True), in a non-terminal one (False), or either.
    ``outcome``: end in a terminal state with this outcome (implies ``finished``), or
    ``unfinished``. The outcome is drawn first, success the most often; the path then walks
    towards it, preferring the design card's edges (so the normal path and waiting re-entry are
    common) while every edge keeps a fair chance.
    """
    sp = get_spec(spec)
    target = _target(draw, sp, finished, outcome)
    if target == "unfinished":
        return _unfinished_path(draw, sp, max_changes)
    ends = frozenset(s for s in sp.terminal if sp.outcome(s) == target)
    # Coverage: one edge that can lead to this outcome, drawn uniformly, is walked through.
    via = draw(st.sampled_from([e for e in sp.edges if _leads_to(sp, e.dest, ends)]))
    path = [sp.initial]
    if via.source != sp.initial:
        _walk(draw, sp, path, frozenset({via.source}), max_changes)
    path.append(via.dest)
    _walk(draw, sp, path, ends, 2 * max_changes)
    return tuple(path)


def _leads_to(sp: Spec, state: str, ends: frozenset[str]) -> bool:
    return state in ends or bool(ends & sp.reachable(state))


def _walk(
    draw: st.DrawFn, sp: Spec, path: list[str], ends: frozenset[str], max_changes: int
) -> None:
    """Extend ``path`` until it reaches one of ``ends``, by weighted steps that keep an end
    reachable, then by the shortest path once it is ``max_changes`` long."""
    while path[-1] not in ends:
        cur = path[-1]
        if len(path) > max_changes:
            nearest = [p for t in ends if (p := sp.shortest_path(cur, t)) is not None]
            path.extend(min(nearest, key=len)[1:])
            return
        options = [s for s in sp.successors[cur] if _leads_to(sp, s, ends)]
        path.append(_weighted(draw, [(s, _edge_weight(sp, cur, s)) for s in options]))


def _unfinished_path(draw: st.DrawFn, sp: Spec, max_changes: int) -> tuple[str, ...]:
    path = [sp.initial]
    while len(path) <= max_changes:
        options = [s for s in sp.successors[path[-1]] if s not in sp.terminal]
        if not options or (len(path) > 1 and draw(st.integers(0, _STOP_ONE_IN - 1)) == 0):
            break
        path.append(_weighted(draw, [(s, _edge_weight(sp, path[-1], s)) for s in options]))
    return tuple(path)


def _edge_weight(sp: Spec, source: str, dest: str) -> int:
    edge = sp.edge(source, dest)
    if edge is None:
        return 1
    strength = sp.strength(edge.provenance)
    return _EDGE_WEIGHTS[2 if strength == 1.0 else 0 if strength == 0.0 else 1]


def _bodies_for(
    draw: st.DrawFn, sp: Spec, path: Sequence[str], max_repeat: int
) -> list[dict[str, Any]]:
    """Observations along ``path``: stutters, and percentages that only fall after a reset."""
    extras, result = flavour(sp)
    extra: dict[str, Any] = draw(st.sampled_from(extras))
    tenths = 0
    bodies: list[dict[str, Any]] = []
    # Sometimes the work reaches 100% a poll or more before the status says completed (a
    # poller that stops at 100% then stops early).
    finishing = sp.outcome(path[-1]) == "success" and draw(st.integers(0, 2)) == 0
    for at, state in enumerate(path):
        for _ in range(draw(st.integers(1, max_repeat))):
            if state in sp.resets:
                tenths = draw(st.integers(0, tenths))
            elif sp.outcome(state) == "success" or (finishing and at == len(path) - 2):
                tenths = 1000
            elif state not in sp.terminal and state != sp.initial:
                tenths = draw(st.integers(tenths, min(1000, tenths + _MAX_RISE_TENTHS)))
            body: dict[str, Any] = {**extra, sp.status_field: state}
            presence = draw(st.integers(0, 9))
            if sp.progress is not None and presence < 8:
                body[sp.progress.field] = value_at(sp.progress, tenths)
            elif sp.progress is not None and presence == 8:
                body[sp.progress.field] = None
            if result is not None and sp.outcome(state) == "success" and draw(st.booleans()):
                body[result[0]] = result[1]
            bodies.append(body)
    return bodies


def _baselines(sp: Spec, bodies: Sequence[Any]) -> list[float | None]:
    """The progress baseline in effect after each observation (the rules' own reading)."""
    out: list[float | None] = []
    baseline: float | None = None
    progress, field = sp.progress, sp.status_field
    for b in bodies:
        if progress is not None:
            resets = b.get(field) in sp.resets
            baseline = next_baseline(baseline, resets, b.get(progress.field), progress)
        out.append(baseline)
    return out


def _regressions(sp: Spec, bodies: Sequence[Any]) -> bool:
    """Whether progress falls with no reset in between (the percentage-regression rule)."""
    progress = sp.progress
    if progress is None:
        return False
    after = _baselines(sp, bodies)
    for i, b in enumerate(bodies):
        p = b.get(progress.field)
        before = None if i == 0 or b.get(sp.status_field) in sp.resets else after[i - 1]
        if p is not None and percentage_regression(p, before, progress, ()) is not None:
            return True
    return False


@st.composite
def traces(
    draw: st.DrawFn,
    spec: str | Spec = "current",
    mode: str = "sampled",
    *,
    finished: bool | None = None,
    outcome: Outcome | None = None,
    max_changes: int = 12,
    max_repeat: int = 4,
    min_length: int = 8,
) -> Trace:
    """A legal :class:`~jobstate.Trace` of ``spec``: no violation, not even a warning.

    At least ``min_length`` observations, before and after sampling (stutters pad short paths;
    pass 1 to let Hypothesis shrink failures to the shortest trace).

    In ``step`` mode every observation is there (with stutters); in ``sampled`` mode some polls
    are dropped, as a poller samples the path (a finished trace keeps its terminal observation).
    Percentages never fall except at a state that resets progress (``waiting``), and are 100 (or
    absent) on success.
    """
    sp = _spec_for(spec, mode)
    path = draw(paths(sp, finished=finished, outcome=outcome, max_changes=max_changes))
    bodies = _pad(draw, sp, _bodies_for(draw, sp, path, max_repeat), min_length)
    if mode == "sampled":
        # a poller misses some polls, not most: drop about one in four
        keep = [draw(st.integers(0, 3)) != 0 for _ in bodies]  # shrinks towards dropping
        if path[-1] in sp.terminal:
            keep[-1] = True
        if not any(keep):
            keep[draw(st.integers(0, len(bodies) - 1))] = True
        sample = [b for b, k in zip(bodies, keep, strict=False) if k]
        if _regressions(sp, sample):
            # dropping a reset hid a legal restart: keep every reset observation
            sample = [
                b
                for b, k in zip(bodies, keep, strict=False)
                if k or b[sp.status_field] in sp.resets
            ]
        bodies = _pad(draw, sp, sample, min_length)  # a sample is as long as asked too
    return Trace(sp.name, mode, path, tuple(bodies), sp.outcome(path[-1]), sp.status_field)


def _pad(
    draw: st.DrawFn, sp: Spec, bodies: list[dict[str, Any]], min_length: int
) -> list[dict[str, Any]]:
    """Pad to ``min_length`` with stutters of non-terminal polls (a stutter repeats the same
    body, so it keeps the trace legal); a trace of its terminal alone stays as it is."""
    while len(bodies) < min_length:
        spots = [i for i, b in enumerate(bodies) if b[sp.status_field] not in sp.terminal]
        if not spots:
            break
        i = draw(st.sampled_from(spots))
        bodies.insert(i + 1, dict(bodies[i]))
    return bodies


# ---------------------------------------------------------------------------------------------
# Mutations: each breaks exactly one rule at one index
# ---------------------------------------------------------------------------------------------


def _mutated(base: Trace, bodies: list[Any], rule: str, index: int, how: str) -> MutatedTrace:
    return MutatedTrace(base, tuple(bodies), rule, index, how)


@st.composite
def _unknown_status(draw: st.DrawFn, sp: Spec, mode: str) -> MutatedTrace:
    base = draw(traces(sp, mode))
    value = draw(
        st.sampled_from(strangers(sp)) | st.text(max_size=12).filter(lambda v: v not in sp)
    )
    i = draw(st.integers(0, len(base.bodies)))
    bodies = [*base.bodies[:i], {sp.status_field: value}, *base.bodies[i:]]
    return _mutated(base, bodies, "unknown-status", i, f"insert status {value!r} at {i}")


@st.composite
def _insert_record(draw: st.DrawFn, sp: Spec, mode: str, rule: str) -> MutatedTrace:
    base = draw(traces(sp, mode))
    pool = no_status(sp) if rule == "missing-status" else not_objects(sp)
    rec = draw(st.sampled_from(pool))
    i = draw(st.integers(0, len(base.bodies)))
    bodies = [*base.bodies[:i], rec, *base.bodies[i:]]
    return _mutated(base, bodies, rule, i, f"insert {rec!r} at {i}")


@st.composite
def _bad_percentage(draw: st.DrawFn, sp: Spec, mode: str, rule: str) -> MutatedTrace:
    base = draw(traces(sp, mode))
    progress = _progress(sp, rule)
    i = draw(st.integers(0, len(base.bodies) - 1))
    if rule == "percentage-type":
        value = draw(st.sampled_from(BAD_TYPES))
    else:
        value = draw(st.floats().filter(lambda x: not progress.low <= x <= progress.high))
    bodies = list(base.bodies)
    bodies[i] = {**bodies[i], progress.field: value}
    return _mutated(base, bodies, rule, i, f"{progress.field} {value!r} at {i}")


def _progress(sp: Spec, rule: str) -> Progress:
    if sp.progress is None:
        raise OptionError(f"spec {sp.name!r} has no progress field: no {rule} trace")
    return sp.progress


@st.composite
def _regression(draw: st.DrawFn, sp: Spec, mode: str) -> MutatedTrace:
    base = draw(traces(sp, mode))
    progress, f = _progress(sp, "percentage-regression"), sp.status_field
    after = _baselines(sp, base.bodies)
    spots = [
        j
        for j, b in enumerate(base.bodies)
        if (top := after[j]) is not None
        and top > progress.low
        and b[f] not in sp.resets
        and sp.outcome(b[f]) != "success"
    ]
    assume(spots)
    j = draw(st.sampled_from(spots))
    top = after[j]
    assert top is not None
    low = value_at(progress, draw(st.integers(0, math.ceil(tenths_of(progress, top)) - 1)))
    assume(low < top)
    rec = {f: base.bodies[j][f], progress.field: low}
    bodies = [*base.bodies[: j + 1], rec, *base.bodies[j + 1 :]]
    return _mutated(base, bodies, "percentage-regression", j + 1, f"{top} then {low} at {j + 1}")


@st.composite
def _not_100(draw: st.DrawFn, sp: Spec, mode: str) -> MutatedTrace:
    base = draw(traces(sp, mode, outcome="success"))
    progress, f = _progress(sp, SUCCESS_NOT_TOP), sp.status_field
    i = next(k for k, b in enumerate(base.bodies) if sp.outcome(b[f]) == "success")
    before = _baselines(sp, base.bodies[:i])
    floor = before[-1] if before and before[-1] is not None else progress.low
    assume(floor < progress.high)
    value = value_at(progress, draw(st.integers(math.ceil(tenths_of(progress, floor)), 999)))
    assume(floor <= value < progress.high)
    bodies = list(base.bodies)
    bodies[i] = {**bodies[i], progress.field: value}
    return _mutated(base, bodies, SUCCESS_NOT_TOP, i, f"success at {value}% at {i}")


@st.composite
def _illegal(draw: st.DrawFn, sp: Spec, mode: str) -> MutatedTrace:
    base = draw(traces(sp, mode))
    allowed = Tables.compile(sp, mode).allowed
    statuses = base.statuses
    n = len(statuses)
    options: list[tuple[int, str]] = []
    for i in range(1, n + 1):
        prev = statuses[i - 1]
        if prev in sp.terminal:
            continue
        nxt = statuses[i] if i < n else None
        for x in sp.names:
            if x == prev or x in allowed[prev]:
                continue
            if nxt is None or nxt == x or (x not in sp.terminal and nxt in allowed[x]):
                options.append((i, x))
    assume(options)
    i, x = draw(st.sampled_from(options))
    bodies = [*base.bodies[:i], {sp.status_field: x}, *base.bodies[i:]]
    return _mutated(base, bodies, "illegal-transition", i, f"insert {x!r} at {i}")


@st.composite
def _after_terminal(draw: st.DrawFn, sp: Spec, mode: str) -> MutatedTrace:
    base = draw(traces(sp, mode, finished=True))
    last = base.statuses[-1]
    x = draw(st.sampled_from([s for s in sp.names if s != last]))
    bodies = [*base.bodies, {sp.status_field: x}]
    return _mutated(base, bodies, "after-terminal", len(base.bodies), f"append {x!r}")


_PROGRESS_RULES = frozenset(r.id for r in RULES.values() if r.progress)

MUTATIONS: dict[str, Callable[[Spec, str], st.SearchStrategy[MutatedTrace]]] = {
    "unknown-status": _unknown_status,
    "illegal-transition": _illegal,
    "after-terminal": _after_terminal,
    "missing-status": lambda sp, mode: _insert_record(sp, mode, "missing-status"),
    "malformed-record": lambda sp, mode: _insert_record(sp, mode, "malformed-record"),
    "percentage-type": lambda sp, mode: _bad_percentage(sp, mode, "percentage-type"),
    "percentage-range": lambda sp, mode: _bad_percentage(sp, mode, "percentage-range"),
    "percentage-regression": _regression,
    SUCCESS_NOT_TOP: _not_100,
}
"""One mutation strategy per rule id."""


def mutated_traces(
    spec: str | Spec = "current",
    mode: str = "sampled",
    rules: Sequence[str] | None = None,
) -> st.SearchStrategy[MutatedTrace]:
    """A legal trace with one mutation; ``.rule`` and ``.index`` say what the validator must
    report, and it must report nothing else. ``completed-not-100`` needs a spec with a success
    state: by default it is left out for one without."""
    sp = _spec_for(spec, mode)
    succeeds = any(sp.outcome(s) == "success" for s in sp.terminal)
    chosen = (
        list(rules)
        if rules is not None
        else [
            r
            for r in MUTATIONS
            if (succeeds or r != SUCCESS_NOT_TOP)
            and (sp.progress is not None or r not in _PROGRESS_RULES)
        ]
    )
    unknown = [r for r in chosen if r not in MUTATIONS]
    if unknown or not chosen:
        raise OptionError(f"unknown rule ids {unknown}; expected some of {', '.join(MUTATIONS)}")
    if SUCCESS_NOT_TOP in chosen and not succeeds:
        raise OptionError(f"spec {sp.name!r} has no success state: no {SUCCESS_NOT_TOP} trace")
    return st.one_of([MUTATIONS[r](sp, mode) for r in chosen])
