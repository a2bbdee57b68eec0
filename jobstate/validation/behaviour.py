"""Client-behaviour findings: what the traffic says about the *client* (not the service).

The lifecycle rules judge the monitor's answers; these judge the polls: a client that kept
polling after the end, polled faster than ``Retry-After`` (or a floor), sent its bearer token
to the pre-authenticated monitor URL, or fetched the monitor again after its 303. They are
read from exchanges in time order (:class:`~jobstate.spec.protocol.Exchange`), one
:class:`BehaviourTracker` per monitor URL whose memory does not grow with the polls.

>>> from jobstate.spec.protocol import AnswerKind, Exchange
>>> t = BehaviourTracker(frozenset({"failed"}))
>>> for s in ("inProgress", "failed", "failed", "failed"):
...     t.feed(Exchange(202, s))
>>> [(f.id, f.count) for f in t.findings()]
[('polled-after-terminal', 2)]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from jobstate._constants import Provenance, Severity
from jobstate.grading import BehaviourFinding, Grade
from jobstate.spec.protocol import AnswerKind, Exchange

__all__ = ["BEHAVIOURS", "BehaviourRule", "BehaviourTracker"]

_ENDS: Mapping[AnswerKind, str] = {"see-other": "303", "gone": "gone", "item": "item"}
"""The answers without a status that end a job, by the name findings give the end."""
_SLACK = 0.05  # seconds of clock jitter forgiven when comparing an interval with its floor


@dataclass(frozen=True)
class BehaviourRule:
    """A client-behaviour finding id (public API), its severity and provenance."""

    id: str
    severity: Severity
    provenance: Provenance
    description: str
    rationale: str


BEHAVIOURS: Mapping[str, BehaviourRule] = {
    r.id: r
    for r in (
        BehaviourRule(
            "polled-after-terminal",
            "error",
            "doc",
            "the client polled again after a terminal answer",
            "a terminal status is the job's end: another poll can only repeat it or find the"
            " monitor gone",
        ),
        BehaviourRule(
            "repolled-redirect",
            "error",
            "doc",
            "the client fetched the monitor again after its 303 See Other",
            "a 303 See Other points at the answer (RFC 9110 §15.4.4): it is there, not at the"
            " monitor",
        ),
        BehaviourRule(
            "poll-interval",
            "warning",
            "inferred",
            "the client polled sooner than Retry-After asked, or than the configured floor",
            "HTTP's Retry-After says how long to wait (RFC 9110 §10.2.3); the floor is the"
            " user's own limit",
        ),
        BehaviourRule(
            "auth-to-monitor",
            "warning",
            "doc",
            "the client sent an Authorization header to the monitor URL",
            "a monitor URL may be on another host than the API's: a token sent there goes"
            " where it was not meant to",
        ),
        BehaviourRule(
            "never-polled",
            "error",
            "doc",
            "the client started a job (202 Accepted with a Location) and never polled its monitor",
            "the Location of a 202 Accepted is where the job's status is polled (RFC 9110"
            " §15.3.3): a client that never polls it never learns the end",
        ),
    )
}
"""The client-behaviour finding ids and what each means."""


class _Count:
    """How often a finding happened, from which poll; the worst case for the message."""

    __slots__ = ("count", "first", "worst")

    def __init__(self) -> None:
        self.count = 0
        self.first = 0
        self.worst: float | None = None

    def add(self, poll: int, worst: float | None = None) -> None:
        if not self.count:
            self.first = poll
        self.count += 1
        if worst is not None and (self.worst is None or worst < self.worst):
            self.worst = worst


class BehaviourTracker:
    """The client-behaviour findings of one monitor URL, fed its exchanges in time order.

    ``terminal``: the status values that end a job (the spec's terminal set); ``floor``: the
    shortest interval (seconds) the user allows between polls, besides ``Retry-After``.
    """

    def __init__(self, terminal: frozenset[str], floor: float | None = None) -> None:
        self.terminal, self.floor = terminal, floor
        self.polls = 0
        self.ended_at: int | None = None
        self.end: str | None = None
        self._end_time: float | None = None
        self._location: str | None = None
        self._last_time: float | None = None
        self._wait: float | None = None  # what the previous answer asked to wait
        self._after, self._repolled = _Count(), _Count()
        self._fast, self._auth = _Count(), _Count()
        self._started: str | None = None

    def started(self, by: str) -> None:
        """The monitor URL came in the ``Location`` of a ``202 Accepted`` to a request the
        client sent (``by`` names it: ``entry 3``): with no poll, the client never looked."""
        self._started = by

    def feed(self, ex: Exchange) -> None:
        """The next poll of this monitor URL and its answer."""
        self.polls += 1
        n = self.polls
        if ex.authorization:
            self._auth.add(n)
        if ex.time is not None and self._last_time is not None and self._wait:
            gap = ex.time - self._last_time
            if gap + _SLACK < self._wait:
                self._fast.add(n, gap)
        if self.ended_at is not None:
            (self._repolled if self.end == "303" else self._after).add(n)
        else:
            end = self.end_of(ex)
            if end is not None:
                self.ended_at, self.end, self._end_time = n, end, ex.time
                self._location = ex.location if end == "303" else None
        if ex.time is not None:
            self._last_time = ex.time
        waits = [w for w in (ex.retry_after, self.floor) if w]
        self._wait = max(waits) if waits else None

    def end_of(self, ex: Exchange) -> str | None:
        """What ends the job in an answer: a terminal status, a 303 (``"303"``), the monitor
        gone (``"gone"``), or the item itself in its place (``"item"``); else ``None``."""
        kind = ex.kind
        if kind == "status":
            return ex.status if ex.status in self.terminal else None
        return _ENDS.get(kind)

    def findings(self) -> list[BehaviourFinding]:
        """What the client did wrong on this monitor URL, in the order of :data:`BEHAVIOURS`."""
        out: list[BehaviourFinding] = []
        span = self._span_after_end()
        during = f", for {span:.3g} s" if span else ""
        if self._after.count:
            out.append(
                self._finding(
                    "polled-after-terminal",
                    self._after,
                    f"polled {self._after.count} more time(s) after the terminal"
                    f" '{self.end}' answer (poll {self.ended_at}){during}",
                )
            )
        if self._repolled.count:
            out.append(
                self._finding(
                    "repolled-redirect",
                    self._repolled,
                    f"fetched the monitor {self._repolled.count} more time(s) after its"
                    f" 303 See Other (poll {self.ended_at}){during}",
                )
            )
        if self._fast.count:
            worst = self._fast.worst or 0.0
            out.append(
                self._finding(
                    "poll-interval",
                    self._fast,
                    f"{self._fast.count} poll(s) sooner than asked (Retry-After or the"
                    f" floor); the shortest gap was {worst:.3g} s",
                )
            )
        if self._started is not None and not self.polls:
            out.append(
                BehaviourFinding(
                    "never-polled",
                    BEHAVIOURS["never-polled"].severity,
                    f"{self._started} answered 202 Accepted with this monitor URL as its"
                    " Location; no poll of it follows",
                    1,
                    0,
                )
            )
        if self._auth.count:
            out.append(
                self._finding(
                    "auth-to-monitor",
                    self._auth,
                    f"sent an Authorization header on {self._auth.count} poll(s) of the"
                    " pre-authenticated monitor URL",
                )
            )
        return out

    def grade(self) -> Grade:
        """The client's grade on this monitor URL."""
        return Grade(
            polls=self.polls,
            ended_at=self.ended_at,
            end=self.end,
            polls_after_end=self.polls - self.ended_at if self.ended_at else 0,
            seconds_after_end=self._span_after_end(),
            findings=tuple(self.findings()),
            location=self._location,
        )

    def _span_after_end(self) -> float | None:
        if self._end_time is None or self._last_time is None or self.ended_at is None:
            return None
        return round(self._last_time - self._end_time, 6)

    @staticmethod
    def _finding(fid: str, c: _Count, message: str) -> BehaviourFinding:
        return BehaviourFinding(fid, BEHAVIOURS[fid].severity, message, c.count, c.first)
