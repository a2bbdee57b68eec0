"""Hypothesis strategies the suite shares (as attrs' ``tests/strategies.py``): jobs of every
kind, legal, mutated or arbitrary, for the properties that hold the paths to one another."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from jobstate import Rejected, get_spec
from jobstate._constants import TERMINAL_OUTCOMES
from jobstate.exceptions import SpecError
from jobstate.spec.model import Edge, Progress, Spec, State
from jobstate.spec.policy import Unknown
from jobstate.strategies import mutated_traces, traces

SOURCES = ("legal", "mutated", "arbitrary")

ODD_PERCENTAGES = st.one_of(
    st.none(),
    st.floats(),
    st.integers(-5, 105),
    st.sampled_from([0, 50.0, 100, 100.0, 10**400]),
    st.floats(-2, 2),  # about the bounds of the generated specs' smaller ranges
    st.booleans(),
    st.text(max_size=3),
)


def shaped(body: Any, spec: Spec) -> Any:
    """A body written with ``status`` and ``percentageComplete`` under the spec's own fields
    (without a progress field, the percentage stays as a field the spec does not read)."""
    if not isinstance(body, dict):
        return body
    out = {}
    for k, v in body.items():
        if k == "status":
            k = spec.status_field
        elif k == "percentageComplete" and spec.progress is not None:
            k = spec.progress.field
        out[k] = v
    return out


def statuses_only(spec: str | Spec) -> st.SearchStrategy[list[Any]]:
    """Arbitrary status sequences over the vocabulary plus strangers: legal or not."""
    sp = get_spec(spec)
    names = list(sp.names)
    status = st.sampled_from([*names, "Completed", "running", "deleteFailed", "cancelled"])
    return st.lists(st.builds(lambda s: {sp.status_field: s}, status), max_size=20)


def arbitrary_records(spec: str | Spec, *, min_size: int = 0) -> st.SearchStrategy[list[Any]]:
    """Records of every shape a reader can hand over: bodies with odd statuses and
    percentages, bodies with no status, non-objects and rejected lines."""
    sp = get_spec(spec)
    names = list(sp.names)
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
    return st.lists(body.map(lambda b: shaped(b, sp)), min_size=min_size, max_size=12)


def any_job(
    data: st.DataObject,
    spec: str | Spec,
    mode: str,
    *,
    source: str | None = None,
    min_size: int = 0,
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


def status_of(bodies: list[Any], field: str = "status") -> list[str | None]:
    """Each record's status string (in ``field``), ``None`` where it has no usable one."""
    out: list[str | None] = []
    for b in bodies:
        s = b.get(field) if isinstance(b, dict) else None
        out.append(s if isinstance(s, str) else None)
    return out


NAMES = st.sampled_from(
    ["s0", "run-ning", "ok'", "a\\b", "État", "x y", "DONE", "done", 'q"uote', "%_", "n0"]
)
FIELDS = st.sampled_from(["status", "state", "job-state", "Status", 'q"s', "État", "p.x"])
RANGES = st.sampled_from([(0.0, 100.0), (0.0, 1.0), (-10.0, 10.0), (0.5, 2.5)])


@st.composite
def shapes(draw: st.DrawFn) -> tuple[str, Progress | None]:
    """A body shape: the status field, and a progress field with its range, or none."""
    status = draw(FIELDS)
    if draw(st.integers(0, 3)) == 0:
        return status, None
    # SQL column names ignore case: the two fields differ in more than case
    other = FIELDS.filter(lambda f: f.lower() != status.lower())
    field = draw(other | st.just("percentageComplete"))
    low, high = draw(RANGES)
    return status, Progress(field, low, high)


KINDS = st.lists(
    st.sampled_from(["doc", "rfc", "seen", "guess"]), min_size=1, max_size=3, unique=True
)


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    """A valid spec of 2-7 states with odd names (quotes, backslashes, spaces, accents, SQL
    wildcards): one initial state, one or more terminal states with outcomes, every state
    reachable and every active state with a way to an end, its own provenance kinds."""
    names = draw(st.lists(NAMES, min_size=2, max_size=7, unique=True))
    n_term = draw(st.integers(1, len(names) - 1))
    terminal = set(names[len(names) - n_term :])
    kinds = draw(KINDS)
    outcomes = st.sampled_from(TERMINAL_OUTCOMES)
    states = [
        State(
            name,
            "initial" if i == 0 else "terminal" if name in terminal else "active",
            draw(st.sampled_from(kinds)),
            "generated",
            outcome=draw(outcomes) if name in terminal else None,
            resets_progress=name not in terminal and draw(st.booleans()),
        )
        for i, name in enumerate(names)
    ]
    active = [n for n in names if n not in terminal]
    pairs: set[tuple[str, str]] = set()
    for i, name in enumerate(names[1:], start=1):  # every state reached from an earlier one
        earlier = [n for n in names[:i] if n not in terminal]
        pairs.add((draw(st.sampled_from(earlier)), name))
    for name in active:  # every active state has a way to an end
        pairs.add((name, draw(st.sampled_from(sorted(terminal)))))
    extra = st.tuples(st.sampled_from(active), st.sampled_from(names))
    pairs |= {(a, b) for a, b in draw(st.lists(extra, max_size=6)) if a != b}
    edges = [Edge(a, b, draw(st.sampled_from(kinds)), "generated") for a, b in sorted(pairs)]
    status, progress = draw(shapes())
    unknown = Unknown(  # its unknown-value policy: a stand-in no state is, either severity
        draw(NAMES.filter(lambda n: n not in names)),
        draw(st.sampled_from(("error", "warning"))),
        draw(st.sampled_from(("poll", "failure"))),
    )
    try:
        return Spec(
            "generated",
            states,
            edges,
            provenances=[(k, k) for k in kinds],
            status_field=status,
            progress=progress,
            unknown=unknown,
        )
    except SpecError as exc:  # pragma: no cover - the construction above makes none
        raise AssertionError(f"the strategy made an invalid spec: {exc}") from exc
