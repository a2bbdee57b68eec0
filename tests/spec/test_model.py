"""The specs: built-in data, derived graph facts, and the checks a spec must pass when loaded."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobstate import SPEC_NAMES, Edge, Spec, SpecError, State, get_spec, validate
from jobstate.packs.graph import machine_facts
from jobstate.spec import facts
from jobstate.spec.model import read_machine
from jobstate.strategies import traces

CURRENT = (
    "notStarted",
    "inProgress",
    "waiting",
    "cancelPending",
    "completed",
    "failed",
    "cancelled",
)
LEGACY = (
    "notStarted",
    "inProgress",
    "completed",
    "updating",
    "failed",
    "deletePending",
    "deleteFailed",
    "waiting",
)


def test_vocabularies_match_the_seed_documents() -> None:
    """current is seed 004's seven values, legacy seeds 000-003's eight, any their union."""
    assert set(get_spec("current").names) == set(CURRENT)
    assert set(get_spec("legacy").names) == set(LEGACY)
    assert set(get_spec("any").names) == set(CURRENT) | set(LEGACY)


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_classes_and_outcomes(name: str) -> None:
    """notStarted is initial; terminal states and their outcomes are those of the issue."""
    spec = get_spec(name)
    assert spec.initial == "notStarted"
    expected = {
        "completed": "success",
        "failed": "failure",
        "cancelled": "cancelled",
        "deleteFailed": "failure",
    }
    assert {s: spec.outcome(s) for s in spec.terminal} == {
        s: o for s, o in expected.items() if s in spec
    }
    assert spec.outcome("notStarted") == "unfinished"
    if "deletePending" in spec:
        assert spec.outcome("deletePending") == "unfinished"


def test_current_edges_and_provenance() -> None:
    """The current spec has exactly the edges of the design table, with their provenance."""
    spec = get_spec("current")
    got = {(e.source, e.dest): e.provenance for e in spec.edges}
    assert got == {
        ("notStarted", "inProgress"): "card",
        ("inProgress", "completed"): "card",
        ("inProgress", "waiting"): "card",
        ("waiting", "inProgress"): "card",
        ("cancelPending", "cancelled"): "card",
        ("inProgress", "failed"): "doc",
        ("inProgress", "cancelPending"): "doc",
        ("waiting", "cancelPending"): "inferred",
        ("notStarted", "cancelPending"): "inferred",
        ("notStarted", "cancelled"): "inferred",
        ("waiting", "failed"): "inferred",
        ("notStarted", "failed"): "inferred",
    }
    for e in spec.edges:
        if e.provenance == "doc":
            assert "'" in e.rationale, "a doc edge quotes the documented meaning"


def test_legacy_edges() -> None:
    """deletePending is reachable from every active state and leads to deleteFailed."""
    spec = get_spec("legacy")
    for s in ("notStarted", "inProgress", "waiting", "updating"):
        assert "deletePending" in spec.successors[s]
    assert spec.successors["deletePending"] == ("deleteFailed",)
    assert set(spec.successors["updating"]) == {"completed", "failed", "deletePending"}


def test_any_keeps_the_strongest_provenance() -> None:
    """An edge in both revisions keeps current's documented provenance in the union."""
    edge = get_spec("any").edge("inProgress", "failed")
    assert edge is not None and edge.provenance == "doc"
    assert get_spec("legacy").edge("inProgress", "failed").provenance == "inferred"  # type: ignore[union-attr]


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_graph_facts_come_from_the_machine(name: str) -> None:
    """Successors and the terminal set are what the transitions machine holds."""
    spec = get_spec(name)
    transitions = spec.machine.get_transitions()
    machine_edges = {(t.source, t.dest) for t in transitions if t.dest is not None}
    assert machine_edges == {(e.source, e.dest) for e in spec.edges}
    # a stutter is the one internal transition of each state, triggered by its own name
    internal = sorted((t.source, t.dest) for t in transitions if t.dest is None)
    assert internal == sorted((s, None) for s in spec.names)
    assert all(spec.machine.events[s].transitions[s][-1].dest is None for s in spec.names)
    assert {(a, b) for a, bs in spec.successors.items() for b in bs} == machine_edges
    assert spec.terminal == {s for s, obj in spec.machine.states.items() if obj.final}
    assert spec.terminal == {st.name for st in spec.states if st.cls == "terminal"}


def test_kept_machine_facts_are_what_the_machines_say() -> None:
    """The facts kept for the built-in specs (so that a check need not build a machine) equal
    those read from machines built now, and the module is exactly what its writer writes: a
    built-in spec edited without ``python -m jobstate.spec.facts`` fails here."""
    fresh = facts.builtin_facts()
    assert set(fresh) == {get_spec(n).machine_key for n in SPEC_NAMES}
    assert fresh == machine_facts.MACHINE_FACTS
    kept = Path(machine_facts.__file__).read_text(encoding="utf-8")
    assert kept == facts.facts_module_text(fresh), "run: python -m jobstate.spec.facts"


def test_a_spec_whose_facts_are_not_kept_reads_its_machine() -> None:
    """A spec the module does not know (a spec file, an edited built-in spec) takes its facts
    from its own machine, built at construction; a known one builds its machine on first use,
    the same machine either way."""
    edges = [e for e in get_spec("current").edges if e.dest != "failed" or e.source == "inProgress"]
    edited = Spec("edited", get_spec("current").states, edges)
    assert edited.machine_key not in machine_facts.MACHINE_FACTS
    assert "machine" in vars(edited)  # built to read the facts
    assert edited.successors["waiting"] == ("inProgress", "cancelPending")
    succ, final = read_machine(edited.machine)
    assert set(succ["notStarted"]) == {"inProgress", "cancelPending", "cancelled"}
    assert final == {"completed", "failed", "cancelled"}
    known = Spec("copy", get_spec("current").states, get_spec("current").edges)
    assert "machine" not in vars(known)
    assert known.successors == get_spec("current").successors
    assert read_machine(known.machine) == machine_facts.MACHINE_FACTS[known.machine_key]


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_spec_invariants(name: str) -> None:
    """Every state is reachable, every non-terminal state reaches a terminal, none leaves one."""
    spec = get_spec(name)
    for s in spec.names:
        if s != spec.initial:
            assert s in spec.reachable(spec.initial)
        if s in spec.terminal:
            assert not spec.successors[s]
        else:
            assert spec.reachable(s) & spec.terminal


@pytest.mark.parametrize("name", SPEC_NAMES)
@given(data=st.data())
def test_shortest_paths_are_paths_and_shortest(name: str, data: st.DataObject) -> None:
    """shortest_path follows edges, and no shorter path exists (checked by brute force)."""
    spec = get_spec(name)
    a = data.draw(st.sampled_from(spec.names))
    b = data.draw(st.sampled_from(spec.names))
    path = spec.shortest_path(a, b)
    frontier, dist = {a}, 0
    while b not in frontier and dist <= len(spec.names):
        frontier = {n for f in frontier for n in spec.successors[f]}
        dist += 1
    if path is None:
        assert dist > len(spec.names)
        return
    assert path[0] == a and path[-1] == b
    assert all(y in spec.successors[x] for x, y in itertools.pairwise(path))
    assert len(path) - 1 == dist


@pytest.mark.parametrize("source", ["current", "legacy"])
@pytest.mark.parametrize("mode", ["sampled", "step"])
@given(data=st.data())
def test_any_accepts_every_legal_trace(source: str, mode: str, data: st.DataObject) -> None:
    """The union spec accepts every legal trace of either revision."""
    trace = data.draw(traces(source, mode))
    assert validate(trace.bodies, spec="any", mode=mode).violations == []


# -- the checks at load time --------------------------------------------------------------------


def _s(name: str, cls: str = "active", outcome: str | None = None) -> State:
    return State(name, cls, "inferred", "test", outcome=outcome)  # type: ignore[arg-type]


def _e(a: str, b: str) -> Edge:
    return Edge(a, b, "inferred", "test")


GOOD_STATES = [_s("a", "initial"), _s("b"), _s("done", "terminal", "success")]
GOOD_EDGES = [_e("a", "b"), _e("b", "done")]


def test_a_small_spec_loads() -> None:
    """A well-formed spec builds its machine and facts."""
    spec = Spec("tiny", GOOD_STATES, GOOD_EDGES)
    assert spec.shortest_path("a", "done") == ("a", "b", "done")
    assert spec.terminal == {"done"}


@pytest.mark.parametrize(
    ("states", "edges", "message"),
    [
        (GOOD_STATES, [*GOOD_EDGES, _e("b", "nowhere")], "unknown state 'nowhere'"),
        (GOOD_STATES, [*GOOD_EDGES, _e("done", "b")], "edge out of terminal state 'done'"),
        ([*GOOD_STATES, _s("island")], [*GOOD_EDGES, _e("island", "done")], "unreachable"),
        (
            [*GOOD_STATES, _s("trap")],
            [*GOOD_EDGES, _e("b", "trap")],
            "no terminal state is reachable from 'trap'",
        ),
        ([*GOOD_STATES, _s("a")], GOOD_EDGES, "defined twice"),
        (GOOD_STATES, [*GOOD_EDGES, _e("a", "b")], "defined twice"),
        (GOOD_STATES, [*GOOD_EDGES, _e("b", "b")], "self-loop"),
        ([_s("a"), _s("b"), _s("done", "terminal", "success")], GOOD_EDGES, "one initial state"),
        ([*GOOD_STATES[:2], _s("done", "terminal")], GOOD_EDGES, "needs an outcome"),
        ([*GOOD_STATES[:2], _s("done", "final", "success")], GOOD_EDGES, "has class 'final'"),
        (
            [_s("a", "initial"), _s("b", outcome="success"), GOOD_STATES[2]],
            GOOD_EDGES,
            "no outcome",
        ),
        ([], [], "no states"),
    ],
)
def test_bad_specs_are_refused(states: list[State], edges: list[Edge], message: str) -> None:
    """Each broken spec raises SpecError naming what is wrong."""
    with pytest.raises(SpecError, match=message.replace("(", r"\(")):
        Spec("bad", states, edges)


def test_unknown_spec_name() -> None:
    """get_spec names the built-in specs when asked for another."""
    with pytest.raises(SpecError, match="current, legacy, any"):
        get_spec("v3")
