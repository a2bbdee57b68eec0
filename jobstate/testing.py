"""A harness to property-test your own poller against generated monitor responses.

Your poller is a function that takes ``fetch`` (a callable returning the next monitor body, as
a GET of the monitor URL would) and returns the job's outcome (``success``, ``failure`` or
``cancelled``; map your own result with ``outcome_of``). :func:`check_poller` feeds it legal
sampled traces from :mod:`jobstate.strategies` and fails, with the shortest trace Hypothesis can
find, when the poller returns the wrong outcome, stops before the terminal status, keeps polling
after it, or (with ``unknown_values=True``) trips on a value it does not know. Give it a
poller with no sleeps, or patch them out. An ``async def`` poller (one built on
``httpx.AsyncClient``, say) is given an ``async`` fetch to await and is run in an event loop of
its own for each trace, so call :func:`check_poller` from a plain (not ``async``) test.

>>> def poller(fetch):
...     while True:
...         status = fetch()["status"]
...         if status in ("completed", "failed", "cancelled"):
...             return {"completed": "success", "failed": "failure"}.get(status, status)
>>> check_poller(poller, max_examples=20)
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any, cast

from hypothesis import given, settings
from hypothesis import strategies as st

from jobstate._constants import Outcome
from jobstate._trace import Trace
from jobstate.exceptions import PollsForever
from jobstate.spec import Spec, get_spec
from jobstate.strategies import coverage_paths, traces

__all__ = ["Monitor", "check_poller", "coverage_suite"]


class Monitor:
    """Stands in for a monitor URL: each call returns the next body of the trace; once the
    trace's terminal body is reached it is answered again on every further poll (as the
    service does), up to ``max_extra_polls``, then :class:`PollsForever` is raised."""

    def __init__(self, bodies: Sequence[Mapping[str, Any]], spec: Spec, max_extra_polls: int = 50):
        self.bodies = list(bodies)
        self.polls = 0
        self.max_extra_polls = max_extra_polls
        self.field = spec.status_field
        self.terminal_at = next(
            (i for i, b in enumerate(self.bodies) if _ends(spec, b.get(self.field))), None
        )

    def __call__(self) -> dict[str, Any]:
        i = min(self.polls, len(self.bodies) - 1)
        if self.polls - len(self.bodies) >= self.max_extra_polls:
            raise PollsForever(
                f"kept polling after terminal {self.bodies[-1].get(self.field)!r}:"
                f" {self.max_extra_polls} more polls"
            )
        self.polls += 1
        return dict(self.bodies[i])

    async def fetch_async(self) -> dict[str, Any]:
        """The next body, for an ``async`` poller to await."""
        return self()

    @property
    def served_terminal(self) -> bool:
        """Whether the poller has been answered a terminal status yet."""
        return self.terminal_at is not None and self.polls > self.terminal_at


Poller = Callable[[Callable[[], dict[str, Any]]], Any]
"""A poller: given ``fetch`` (the next monitor body), it returns what it concluded."""
AsyncPoller = Callable[[Callable[[], Awaitable[dict[str, Any]]]], Coroutine[Any, Any, Any]]
"""An ``async`` poller: given an ``async`` ``fetch``, it returns what it concluded."""


def check_poller(
    poller: Poller | AsyncPoller,
    *,
    spec: str | Spec = "current",
    outcome_of: Callable[[Any], str] = str,
    unknown_values: bool = True,
    max_extra_polls: int = 50,
    max_examples: int = 200,
    derandomize: bool = False,
) -> None:
    """Test ``poller`` against legal finished traces of ``spec``, sampled like polls.

    Asserts that it returns the trace's outcome for every terminal state, never stops before
    the terminal status, does not keep polling after it, and, with ``unknown_values``, that it
    meets a value it does not know (the spec's unknown value, Graph's ``unknownFutureValue``)
    as the spec's unknown-value policy says: it polls on and the outcome is unchanged, or it
    stops and reports a failure.

    Two phases: first a fixed suite that takes every edge and every pair of consecutive edges
    of the spec (:func:`~jobstate.strategies.coverage_paths`), each also with the work at 100%
    before the status says so and with an unknown value slipped in; then ``max_examples``
    random traces, shrunk by Hypothesis to a minimal one on failure. Raises ``AssertionError``
    on the first failure.
    """
    sp = get_spec(spec)

    def check(bodies: Sequence[Mapping[str, Any]], outcome: str) -> None:
        _check_one(poller, bodies, outcome, sp, outcome_of, max_extra_polls)

    for bodies, outcome in coverage_suite(sp, unknown_values=unknown_values):
        try:
            check(bodies, outcome)
        except Exception as exc:
            check(_shrink(check, bodies, outcome, type(exc)), outcome)  # raises, minimal

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=derandomize,
        report_multiple_bugs=False,
    )
    @given(trace=traces(sp, "sampled", finished=True, min_length=1), data=st.data())
    def run(trace: Trace, data: st.DataObject) -> None:
        bodies: Sequence[Mapping[str, Any]] = trace.bodies
        outcome: Outcome = trace.outcome
        if unknown_values and data.draw(st.booleans(), label="inject the unknown value"):
            at = data.draw(st.integers(0, len(bodies) - 1), label="at")
            bodies, outcome = _with_unknown(sp, bodies, at, outcome)
        _check_one(poller, bodies, outcome, sp, outcome_of, max_extra_polls)

    run()


def coverage_suite(
    spec: str | Spec = "current", *, unknown_values: bool = True
) -> list[tuple[list[dict[str, Any]], Outcome]]:
    """The fixed traces :func:`check_poller` runs first, with their outcomes: one per coverage
    path (one poll per state, progress rising), the same with 100% reached before a success,
    and (``unknown_values``) the same with the spec's unknown value after the first poll (where
    its policy says a client gives the job up, ending there as a failure).

    >>> len(coverage_suite("current")) > len(coverage_paths("current"))
    True
    """
    sp = get_spec(spec)
    f, progress = sp.status_field, sp.progress
    suite: list[tuple[list[dict[str, Any]], Outcome]] = []  # shortest paths first
    for path in sorted(coverage_paths(sp), key=len):
        outcome = sp.outcome(path[-1])
        plain = [{f: s, **_progress_at(sp, s, i, len(path))} for i, s in enumerate(path)]
        suite.append((plain, outcome))
        if outcome == "success" and len(plain) > 1 and progress is not None:
            early = [dict(b) for b in plain]
            early.insert(-1, {f: path[-2], progress.field: progress.high})
            suite.append((early, outcome))
        if unknown_values:
            suite.append(_with_unknown(sp, plain, 1, outcome))
    return suite


def _ends(sp: Spec, status: object) -> bool:
    """Whether a poller must stop at ``status``: a terminal state, or a value outside the spec
    where its unknown-value policy says a client gives the job up."""
    if status in sp.terminal:
        return True
    return sp.unknown.client == "failure" and isinstance(status, str) and status not in sp


def _with_unknown(
    sp: Spec, bodies: Sequence[Mapping[str, Any]], at: int, outcome: Outcome
) -> tuple[list[dict[str, Any]], Outcome]:
    """``bodies`` with the spec's unknown value answered at ``at``, and the outcome a poller
    then reports: the same, where the policy says poll on; a failure there, where it says the
    client gives the job up (the trace ends at the value)."""
    body = {sp.status_field: sp.unknown.value}
    plain = [dict(b) for b in bodies]
    if sp.unknown.client == "failure":
        end = next((i for i, b in enumerate(plain) if b.get(sp.status_field) in sp.terminal), at)
        if end < at:  # the end comes first: the value is never answered
            return plain, outcome
        return [*plain[:at], body], "failure"
    return [*plain[:at], body, *plain[at:]], outcome


def _progress_at(sp: Spec, status: str, i: int, n: int) -> dict[str, Any]:
    """The progress of a coverage trace's ``i``-th poll of ``n``: rising evenly, the top on
    success (none where the spec has no progress field)."""
    p = sp.progress
    if p is None:
        return {}
    if sp.outcome(status) == "success":
        return {p.field: float(p.high)}
    step = (p.high - p.low) / max(n - 1, 1)
    return {p.field: round(p.low + i * step, 1)}


def _shrink(
    check: Callable[[Sequence[Mapping[str, Any]], str], None],
    bodies: Sequence[Mapping[str, Any]],
    outcome: str,
    error: type[BaseException],
) -> list[Mapping[str, Any]]:
    """The shortest sub-trace (the terminal poll kept) that still fails with ``error``: a
    failing coverage trace is reported as small as the random phase's shrunk ones."""
    current = list(bodies)
    i = 0
    while i < len(current) - 1:
        candidate = current[:i] + current[i + 1 :]
        try:
            check(candidate, outcome)
        except error:
            current = candidate
            continue
        except Exception:  # a different failure: keep this poll
            pass
        i += 1
    return current


def _run(poller: Poller | AsyncPoller, monitor: Monitor) -> Any:
    """What ``poller`` concludes from ``monitor``, awaited in a loop of its own if it is async."""
    if inspect.iscoroutinefunction(poller):
        return asyncio.run(cast(AsyncPoller, poller)(monitor.fetch_async))
    return cast(Poller, poller)(monitor)


def _check_one(
    poller: Poller | AsyncPoller,
    bodies: Sequence[Mapping[str, Any]],
    outcome: str,
    sp: Spec,
    outcome_of: Callable[[Any], str],
    max_extra_polls: int,
) -> None:
    """Run ``poller`` against one trace and say what it got wrong, if anything."""
    statuses = [b.get(sp.status_field) for b in bodies]
    monitor = Monitor(bodies, sp, max_extra_polls)
    try:
        result = _run(poller, monitor)
    except PollsForever as exc:
        raise AssertionError(f"poller polls forever on {statuses}: {exc}") from None
    except Exception as exc:  # the poller's own crash: a finding with its trace, not a bare error
        raise AssertionError(
            f"poller raised {type(exc).__name__}: {exc} on {statuses} (after {monitor.polls} polls)"
        ) from exc
    if not monitor.served_terminal:
        raise AssertionError(
            f"poller stopped early on {statuses}: returned {result!r} after"
            f" {monitor.polls} polls, before the terminal status"
        )
    got = outcome_of(result)
    if got != outcome:
        raise AssertionError(
            f"poller returned {result!r} ({got}) on {statuses}; the outcome is {outcome}"
        )
