"""The engine on specs nobody wrote by hand: for generated specs (odd state names, their own
provenance kinds, their own body shape: status and progress fields under any name, a progress
range of their own or none, an unknown-value policy of their own; any shape the model accepts),
the fast screen, the numpy stream and the SQL agree with the general path, and the general
path with the ``transitions`` machine; a spec survives its own JSON (``jobstate spec --format
json``) as a spec file."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobstate import Validator, validate
from jobstate.spec.loading import spec_from_mapping
from jobstate.spec.model import Spec
from jobstate.validation.reference import replay
from jobstate.validation.stream import Stream
from tests.strategies import any_job, specs, status_of
from tests.test_sql import polls, python_engine, sql_engine

MODES = pytest.mark.parametrize("mode", ["sampled", "step"])


@MODES
@given(spec=specs(), data=st.data())
def test_general_path_agrees_with_the_machine(spec: Spec, mode: str, data: st.DataObject) -> None:
    """Steps, status-level violations and outcome match a replay through the generated
    spec's own ``transitions`` machine."""
    source = data.draw(st.sampled_from(["legal", "mutated", "statuses"]))
    bodies = any_job(data, spec, mode, source=source)
    kinds, violations, outcome = replay(spec, status_of(bodies, spec.status_field), mode)
    job = validate(bodies, spec=spec, mode=mode).jobs[0]
    assert [s.kind for s in job.steps] == kinds
    status_rules = {"unknown-status", "illegal-transition", "after-terminal"}
    assert [(v.rule, v.index) for v in job.violations if v.rule in status_rules] == violations
    assert job.outcome == outcome


@MODES
@given(spec=specs(), data=st.data())
def test_fast_screen_agrees(spec: Spec, mode: str, data: st.DataObject) -> None:
    """The fast screen accepts only clean jobs, with the general path's outcome, and takes
    every legal trace of the generated spec."""
    v = Validator(spec, mode)
    source = data.draw(st.sampled_from(["legal", "mutated", "arbitrary"]))
    bodies = any_job(data, spec, mode, source=source)
    general = v.check_job(bodies)
    fast = v.screen([bodies])[0][0]
    if fast is not None:
        assert general.violations == () and fast == general.outcome
    if source == "legal":
        assert fast == general.outcome


@MODES
@given(spec=specs(), data=st.data())
def test_stream_agrees(spec: Spec, mode: str, data: st.DataObject) -> None:
    """Interleaved jobs through the numpy stream, cut in batches: each job's violations and
    outcome are the general path's."""
    v = Validator(spec, mode)
    jobs = [any_job(data, spec, mode, min_size=1) for _ in range(data.draw(st.integers(1, 4)))]
    jobs = [j for j in jobs if j]
    slots = data.draw(st.permutations([j for j, recs in enumerate(jobs) for _ in recs]))
    taken = [0] * len(jobs)
    items: list[tuple[str, Any, int]] = []
    for line, j in enumerate(slots, start=1):
        items.append((f"job{j}", jobs[j][taken[j]], line))
        taken[j] += 1
    cut = data.draw(st.integers(0, len(items)))
    stream = Stream(v.tables, input="t")
    for batch in (items[:cut], items[cut:]):
        if batch:
            stream.feed([b[0] for b in batch], [b[1] for b in batch], [b[2] for b in batch])
    got = {r.key: r for r in stream.reports()}
    for j, records in enumerate(jobs):
        want = v.check_job(records)
        job = got[f"job{j}"]
        assert [(x.index, x.rule, x.message) for x in job.violations] == [
            (x.index, x.rule, x.message) for x in want.violations
        ]
        assert job.outcome == want.outcome


@MODES
@settings(max_examples=50, deadline=None)
@given(spec=specs(), data=st.data())
def test_sql_agrees(spec: Spec, mode: str, data: st.DataObject) -> None:
    """The generated SQL, run in DuckDB, gives the Python engine's verdicts per job on the
    generated spec: state names with quotes and backslashes included."""
    rows = data.draw(polls(spec))
    assert sql_engine(rows, spec, mode) == python_engine(rows, Validator(spec, mode))


@given(spec=specs())
def test_a_spec_survives_its_own_json(spec: Spec) -> None:
    """``spec.to_dict()`` (what ``jobstate spec --format json`` prints) read back as a spec
    file gives the same states, edges, provenance kinds and derived facts."""
    again = spec_from_mapping(spec.to_dict())
    assert again.to_dict() == spec.to_dict()
    assert again.terminal == spec.terminal and again.successors == spec.successors
