"""Each status-level finding's witness is the shortest trace that shows it alone: a path of
the spec from its initial state to the finding's status along which the modelled client polls
on (so that it meets that status, not an earlier end of its own), on any spec."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from jobstate import Action, ClientModel, Spec, check_client, get_spec, load_spec
from tests.strategies import specs

ACTIONS: st.SearchStrategy[Action] = st.sampled_from(
    ["success", "failure", "cancelled", "crash", "poll", "poll", "poll", "poll"]
)  # mostly polling, as clients do: traces around a stop are then there to find
STATUS_FINDINGS = {"crashes-on", "stops-early", "polls-forever", "spurious-timeout"}
STATUS_FINDINGS |= {"wrong-outcome"}


def _shortest_polled(sp: Spec, dest: str, polled: set[str]) -> int | None:
    """How many states the shortest trace from the initial state to ``dest`` holds whose
    states before ``dest`` are all polled, found layer by layer (no search shared with the
    code under test); ``None`` where there is none."""
    if dest == sp.initial:
        return 1
    layer, length = ({sp.initial} & polled), 1
    while layer and length <= len(sp.names):
        reached = {b for a in layer for b in sp.successors[a]}
        length += 1
        if dest in reached:
            return length
        layer = reached & polled
    return None


@settings(max_examples=150, deadline=None)
@given(
    sp=st.sampled_from([get_spec(n) for n in ("current", "legacy", "any")]) | specs(),
    data=st.data(),
    timeout=st.none() | st.just(300.0),
)
def test_each_witness_is_the_shortest_trace_the_client_polls_along(
    sp: Spec, data: st.DataObject, timeout: float | None
) -> None:
    """For any model on any spec: a finding's witness starts at the initial state, ends at
    its status, follows the spec's edges, and where the client can meet that status at all,
    polls on at every state before it and is no longer than any other such trace."""
    actions = {s: data.draw(ACTIONS, label=s) for s in sp.names}
    model = ClientModel("m", actions, unknown="poll", timeout=timeout)
    polled = {s for s, a in actions.items() if a == "poll"}
    for f in check_client(model, sp):
        if f.id not in STATUS_FINDINGS or f.status not in sp:
            continue
        w = f.witness
        assert w[0] == sp.initial and w[-1] == f.status
        assert all(b in sp.successors[a] for a, b in pairwise(w))
        shortest = _shortest_polled(sp, f.status, polled)
        if shortest is not None:
            assert set(w[:-1]) <= polled, (f.id, w, actions)
            assert len(w) == shortest, (f.id, w, shortest)
        else:  # the client ends before it can meet the status: the spec's shortest path
            assert w == sp.shortest_path(sp.initial, f.status)


def _state(name: str, cls: str, outcome: str | None = None) -> dict[str, str]:
    out = {"name": name, "class": cls, "provenance": "inferred", "rationale": "a test's"}
    return {**out, "outcome": outcome} if outcome else out


def test_a_witness_goes_around_where_the_client_stops() -> None:
    """Where the shortest way to a status passes one the client stops at, the witness takes
    the shortest way around it: the client concludes on 'fast', so its polling forever on
    'done' shows along 'slow' and 'slower', not along 'fast'."""
    edges = [("start", "fast"), ("fast", "done"), ("start", "slow"), ("slow", "slower")]
    edges += [("slower", "done")]
    sp = load_spec(
        {
            "name": "detour",
            "provenances": [{"kind": "inferred", "meaning": "a test's"}],
            "states": [
                _state("start", "initial"),
                _state("fast", "active"),
                _state("slow", "active"),
                _state("slower", "active"),
                _state("done", "terminal", "success"),
            ],
            "edges": [
                {"source": a, "dest": b, "provenance": "inferred", "rationale": "a test's"}
                for a, b in edges
            ],
        }
    )
    model = ClientModel("m", {"fast": "success", "done": "poll"}, unknown="poll")
    [forever] = [f for f in check_client(model, sp) if f.id == "polls-forever"]
    assert forever.witness == ("start", "slow", "slower", "done")
    assert sp.shortest_path("start", "done") == ("start", "fast", "done")
