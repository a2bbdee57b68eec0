"""Property tests: legal traces pass, single mutations are caught exactly, and the compiled
validator agrees with the transitions machine and with its own general path."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobstate import SPEC_NAMES, Trace, Validator, get_spec, validate
from jobstate._reference import replay
from jobstate.strategies import mutated_traces, traces

SPECS = pytest.mark.parametrize("spec", SPEC_NAMES)
MODES = pytest.mark.parametrize("mode", ["sampled", "step"])
STATUS_RULES = {"unknown-status", "illegal-transition", "after-terminal"}


@SPECS
@given(data=st.data())
def test_legal_step_traces_are_valid_in_both_modes(spec: str, data: st.DataObject) -> None:
    """A trace along the spec's edges has no violation at all, step or sampled."""
    trace = data.draw(traces(spec, "step"))
    for mode in ("step", "sampled"):
        report = validate(trace.bodies, spec=spec, mode=mode)
        assert report.violations == []
        assert report.jobs[0].outcome == trace.outcome


@SPECS
@given(data=st.data())
def test_any_sample_of_a_legal_trace_is_ok_in_sampled_mode(spec: str, data: st.DataObject) -> None:
    """Dropping any polls leaves no error (a dropped waiting may leave a regression warning)."""
    trace = data.draw(traces(spec, "step"))
    keep = data.draw(
        st.lists(st.booleans(), min_size=len(trace.bodies), max_size=len(trace.bodies))
    )
    sample = [b for b, k in zip(trace.bodies, keep, strict=False) if k]
    report = validate(sample, spec=spec, mode="sampled")
    assert report.ok, report.violations
    assert {v.rule for v in report.violations} <= {"percentage-regression"}


@SPECS
@MODES
@given(data=st.data())
def test_generated_traces_are_clean(spec: str, mode: str, data: st.DataObject) -> None:
    """The strategy's own traces, sampled ones included, carry no violation."""
    trace = data.draw(traces(spec, mode))
    assert validate(trace.bodies, spec=spec, mode=mode).violations == []


@SPECS
@MODES
@given(data=st.data())
def test_every_single_mutation_is_caught_exactly(spec: str, mode: str, data: st.DataObject) -> None:
    """One mutation gives exactly its rule at its index, and nothing else."""
    m = data.draw(mutated_traces(spec, mode))
    got = [(v.rule, v.index) for v in validate(list(m.bodies), spec=spec, mode=mode).violations]
    assert got == [(m.rule, m.index)], m.description


def _statuses(bodies: list[Any]) -> list[str | None]:
    out: list[str | None] = []
    for b in bodies:
        s = b.get("status") if isinstance(b, dict) else None
        out.append(s if isinstance(s, str) else None)
    return out


def _any_bodies(spec: str) -> st.SearchStrategy[list[Any]]:
    """Arbitrary status sequences over the vocabulary plus strangers: legal or not."""
    names = list(get_spec(spec).names)
    status = st.sampled_from([*names, "Completed", "running", "deleteFailed", "cancelled"])
    return st.lists(st.builds(lambda s: {"status": s}, status), max_size=20)


@SPECS
@MODES
@given(data=st.data())
def test_compiled_validator_agrees_with_the_transitions_machine(
    spec: str, mode: str, data: st.DataObject
) -> None:
    """Step kinds, status-level violations and outcome are those of a replay through the
    machine, on legal traces, mutated traces and arbitrary sequences."""
    source = data.draw(st.sampled_from(["legal", "mutated", "arbitrary"]))
    if source == "legal":
        bodies: list[Any] = list(data.draw(traces(spec, mode)).bodies)
    elif source == "mutated":
        bodies = list(data.draw(mutated_traces(spec, mode)).bodies)
    else:
        bodies = data.draw(_any_bodies(spec))
    kinds, violations, outcome = replay(get_spec(spec), _statuses(bodies), mode)
    job = validate(bodies, spec=spec, mode=mode).jobs[0]
    assert [s.kind for s in job.steps] == kinds
    assert [(v.rule, v.index) for v in job.violations if v.rule in STATUS_RULES] == violations
    assert job.outcome == outcome


@SPECS
@MODES
@given(data=st.data())
def test_fast_path_agrees_with_general_path(spec: str, mode: str, data: st.DataObject) -> None:
    """The tight loop accepts only jobs the general path finds clean, with the same outcome."""
    v = Validator(spec, mode)
    source = data.draw(st.sampled_from(["legal", "mutated", "arbitrary"]))
    if source == "legal":
        bodies: list[Any] = list(data.draw(traces(spec, mode)).bodies)
    elif source == "mutated":
        bodies = list(data.draw(mutated_traces(spec, mode)).bodies)
    else:
        pct = st.one_of(st.none(), st.floats(), st.integers(-5, 105), st.booleans(), st.text())
        bodies = data.draw(
            st.lists(
                st.builds(
                    lambda s, p: {"status": s, "percentageComplete": p},
                    st.sampled_from([*get_spec(spec).names, "x"]),
                    pct,
                ),
                max_size=12,
            )
        )
    violations, outcome, _ = v._general(bodies, None)
    fast = v._fast([bodies])[0][0]
    if fast is not None:
        assert violations == []
        assert fast == outcome
    if source == "legal":
        assert fast == outcome, "a clean generated trace should take the fast path"


@given(st.from_type(Trace))
def test_from_type_gives_legal_traces(trace: Trace) -> None:
    """st.from_type(jobstate.Trace) is registered through the hypothesis entry point."""
    assert validate(trace.bodies, spec=trace.spec, mode=trace.mode).violations == []


@SPECS
@given(data=st.data())
def test_traces_have_a_useful_length(spec: str, data: st.DataObject) -> None:
    """Step traces have at least min_length observations (8 by default), not 2-3 steps."""
    assert len(data.draw(traces(spec, "step")).bodies) >= 8
    assert len(data.draw(traces(spec, "step", min_length=12)).bodies) >= 12
