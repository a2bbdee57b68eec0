"""Hypothesis strategies the suite shares (as attrs' ``tests/strategies.py``): jobs of every
kind, legal, mutated or arbitrary, for the properties that hold the paths to one another."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from jobstate import Rejected, get_spec
from jobstate.strategies import mutated_traces, traces

SOURCES = ("legal", "mutated", "arbitrary")

ODD_PERCENTAGES = st.one_of(
    st.none(),
    st.floats(),
    st.integers(-5, 105),
    st.sampled_from([0, 50.0, 100, 100.0, 10**400]),
    st.booleans(),
    st.text(max_size=3),
)


def statuses_only(spec: str) -> st.SearchStrategy[list[Any]]:
    """Arbitrary status sequences over the vocabulary plus strangers: legal or not."""
    names = list(get_spec(spec).names)
    status = st.sampled_from([*names, "Completed", "running", "deleteFailed", "cancelled"])
    return st.lists(st.builds(lambda s: {"status": s}, status), max_size=20)


def arbitrary_records(spec: str, *, min_size: int = 0) -> st.SearchStrategy[list[Any]]:
    """Records of every shape a reader can hand over: bodies with odd statuses and
    percentages, bodies with no status, non-objects and rejected lines."""
    names = list(get_spec(spec).names)
    body = st.one_of(
        st.builds(
            lambda s, p: {"status": s, "percentageComplete": p},
            st.sampled_from([*names, "x", None]),
            ODD_PERCENTAGES,
        ),
        st.builds(lambda s: {"status": s}, st.sampled_from(names)),
        st.just({}),
        st.just([1]),
        st.just(Rejected("invalid JSON")),
        st.just({"status": ["a"]}),
        st.just({"error": {"code": "operationNotFound"}}),
    )
    return st.lists(body, min_size=min_size, max_size=12)


def any_job(
    data: st.DataObject, spec: str, mode: str, *, source: str | None = None, min_size: int = 0
) -> list[Any]:
    """One job's records: a legal trace, a mutated one, or arbitrary records."""
    source = source or data.draw(st.sampled_from(SOURCES), label="source")
    if source == "legal":
        return list(data.draw(traces(spec, mode)).bodies)
    if source == "mutated":
        return list(data.draw(mutated_traces(spec, mode)).bodies)
    if source == "statuses":
        return data.draw(statuses_only(spec))
    return data.draw(arbitrary_records(spec, min_size=min_size))


def status_of(bodies: list[Any]) -> list[str | None]:
    """Each record's status string, ``None`` where it has no usable one."""
    out: list[str | None] = []
    for b in bodies:
        s = b.get("status") if isinstance(b, dict) else None
        out.append(s if isinstance(s, str) else None)
    return out
