"""Property tests: legal traces pass, and single mutations are caught exactly. (How the paths
agree with one another is in ``tests/test_paths_agree.py``.)"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobstate import SPEC_NAMES, Trace, validate
from jobstate.strategies import mutated_traces, traces

SPECS = pytest.mark.parametrize("spec", SPEC_NAMES)
MODES = pytest.mark.parametrize("mode", ["sampled", "step"])


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
