"""Property tests: streaming validation of interleaved jobs, batch by batch, gives each job the
same verdict as the general path on that job alone."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobstate import SPEC_NAMES, Validator, get_spec
from jobstate._stream import Stream
from jobstate.strategies import mutated_traces, traces
from jobstate.validation import _Rejected


def _job(spec: str, mode: str, data: st.DataObject) -> list[Any]:
    source = data.draw(st.sampled_from(["legal", "mutated", "arbitrary"]))
    if source == "legal":
        return list(data.draw(traces(spec, mode)).bodies)
    if source == "mutated":
        return list(data.draw(mutated_traces(spec, mode)).bodies)
    pct = st.one_of(
        st.none(),
        st.floats(),
        st.integers(-5, 105),
        st.sampled_from([0, 50.0, 100, 100.0, 10**400]),
        st.booleans(),
        st.text(max_size=3),
    )
    body = st.one_of(
        st.builds(
            lambda s, p: {"status": s, "percentageComplete": p},
            st.sampled_from([*get_spec(spec).names, "x", None]),
            pct,
        ),
        st.builds(lambda s: {"status": s}, st.sampled_from(get_spec(spec).names)),
        st.just({}),
        st.just([1]),
        st.just(_Rejected("invalid JSON")),
        st.just({"status": ["a"]}),
    )
    return data.draw(st.lists(body, min_size=1, max_size=12))


@pytest.mark.parametrize("spec", SPEC_NAMES)
@pytest.mark.parametrize("mode", ["sampled", "step"])
@given(data=st.data())
def test_stream_agrees_with_general_path(spec: str, mode: str, data: st.DataObject) -> None:
    """Interleave jobs, cut the stream into batches anywhere: every job's violations (rule,
    index, line, message), outcome, counts and line span match the general path's."""
    v = Validator(spec, mode)
    jobs = [_job(spec, mode, data) for _ in range(data.draw(st.integers(1, 5)))]
    # an interleaving: a sequence of job indices, each job's records in order
    slots = [j for j, recs in enumerate(jobs) for _ in recs]
    order = data.draw(st.permutations(slots))
    taken = [0] * len(jobs)
    stream_items = []
    for line, j in enumerate(order, start=1):
        stream_items.append((f"job{j}", jobs[j][taken[j]], line))
        taken[j] += 1
    cuts = sorted(data.draw(st.sets(st.integers(1, max(len(order) - 1, 1)), max_size=4)))
    stream = Stream(v, input="t")
    start = 0
    for cut in [*cuts, len(order)]:
        batch = stream_items[start:cut]
        if batch:
            stream.feed([b[0] for b in batch], [b[1] for b in batch], [b[2] for b in batch])
        start = max(start, cut)
    reports = {r.key: r for r in stream.reports()}
    for j, recs in enumerate(jobs):
        lines = [b[2] for b in stream_items if b[0] == f"job{j}"]
        violations, outcome, _ = v._general(recs, lines)
        got = reports[f"job{j}"]
        assert list(got.violations) == violations, (recs, lines)
        assert got.outcome == outcome
        assert got.observations == sum(1 for r in recs if isinstance(r, dict))
        assert got.rejected == len(recs) - got.observations
        assert got.first_last == (lines[0], lines[-1])


@given(data=st.data())
def test_explain_stream_records_the_general_steps(data: st.DataObject) -> None:
    """With explain, a streamed job's steps are those of the general path."""
    v = Validator("current", "sampled")
    recs = _job("current", "sampled", data)
    stream = Stream(v, explain=True)
    stream.feed(["k"] * len(recs), recs, list(range(1, len(recs) + 1)))
    [job] = stream.reports()
    _, _, steps = v._general(recs, list(range(1, len(recs) + 1)))
    assert job.steps == steps
