"""Time facts of one job, from its timed polls: how long it ran, how long it sat in each status,
where it stood last, and its stalls (no change of status or progress for longer than a
threshold).

Read from the same exchanges as the client-behaviour findings (a HAR's entries, or records
with ``--time-key``), in the order the job's polls are given (time order for a HAR, input order
or ``--order-by`` otherwise), one :class:`TimeTracker` per job whose memory does not grow with
its polls. Every engine hands its timed polls here, so every engine reports the same facts.

A stall is measured between observations: from the first poll that showed a status and
progress to the last poll that still showed them, a lower bound of how long the job sat still
(the change came somewhere between that poll and the next). A terminal status never stalls.

>>> t = TimeTracker(frozenset({"completed"}), stall=60.0)
>>> for at, s, p in ((0, "inProgress", 10.0), (50, "inProgress", 10.0), (130, "inProgress", 10.0),
...                  (140, "inProgress", 60.0), (200, "completed", 100.0)):
...     t.feed(Exchange(202, s, time=float(at), progress=p), line=at)
>>> f = t.facts()
>>> f.duration, f.end_status, [(s.status, s.seconds, s.poll) for s in f.stalls]
(200.0, 'completed', [('inProgress', 130.0, 0)])
>>> f.in_status
{'inProgress': 200.0}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from jobstate._constants import STALL_SECONDS
from jobstate._words import shortened
from jobstate.spec.protocol import COMPLETIONS, Exchange

__all__ = ["MAX_STALLS", "Stall", "TimeTracker", "Timing", "clock", "span"]

UNKNOWN = "(outside the spec)"
"""Where the time spent in status values outside the spec is counted."""

MAX_STALLS = 100
"""Stalls kept in full per job; the rest are counted (``Timing.stalls_omitted``)."""


@dataclass(frozen=True, slots=True)
class Stall:
    """A stretch without a change: ``status`` and ``progress`` seen from ``start`` (seconds
    since the epoch) for at least ``seconds``, from poll ``poll`` (0-based, among the job's
    timed polls) at ``line``; ``ongoing``: still so at the job's last poll."""

    status: str
    progress: float | None
    start: float
    seconds: float
    poll: int
    line: int | None
    ongoing: bool

    def message(self) -> str:
        at = f" at {self.progress:g}%" if self.progress is not None else ""
        still = ", still so at the last poll" if self.ongoing else ""
        return (
            f"no change for {span(self.seconds)} in '{self.status}'{at}"
            f" (from poll {self.poll + 1}, {clock(self.start)}){still}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "progress": self.progress,
            "start": clock(self.start),
            "seconds": round(self.seconds, 3),
            "poll": self.poll + 1,
            "line": self.line,
            "ongoing": self.ongoing,
        }


@dataclass(frozen=True)
class Timing:
    """What a job's timed polls say about time (seconds; times since the epoch).

    ``duration`` runs from the first poll to the answer that ended the job, or to the last
    poll of a job that never ended (it was still running, ``unfinished``, that long);
    ``in_status``: the time between polls, counted to the status of the earlier one, up to the
    end; ``unchanged_for``: how long the last status and progress had been seen at the last
    poll; ``out_of_order``: polls whose time was earlier than the one before (skipped here:
    give ``--order-by`` the time to sort them); ``accepted``: when the ``202 Accepted`` that
    gave the monitor URL came (a HAR that holds the request that started the job).
    """

    first: float
    last: float
    end: float | None
    polls: int
    last_status: str | None
    last_progress: float | None
    end_status: str | None
    unchanged_for: float
    in_status: Mapping[str, float] = field(default_factory=dict)
    stalls: tuple[Stall, ...] = ()
    stalls_omitted: int = 0
    out_of_order: int = 0
    untimed: int = 0
    accepted: float | None = None

    @property
    def first_poll_after(self) -> float | None:
        """Seconds from the ``202 Accepted`` that gave the monitor URL (a HAR that holds it)
        to the first poll of it."""
        return round(self.first - self.accepted, 6) if self.accepted is not None else None

    @property
    def duration(self) -> float:
        return round((self.end if self.end is not None else self.last) - self.first, 6)

    @property
    def unfinished(self) -> bool:
        return self.end is None

    def phrase(self) -> str:
        """One short phrase for the job's line, e.g. ``unfinished after 10m02s: inProgress
        45.2%, no change for 10m02s``."""
        where = _where(self.last_status, self.last_progress)
        after = self.first_poll_after
        first = f" (first poll {span(after)} after the 202)" if after is not None else ""
        if self.unfinished:
            still = f", no change for {span(self.unchanged_for)}" if self.unchanged_for else ""
            return f"unfinished after {span(self.duration)}{first}: {where}{still}"
        return f"ended after {span(self.duration)}{first}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "first_poll": clock(self.first),
            "last_poll": clock(self.last),
            "end": clock(self.end) if self.end is not None else None,
            "duration_seconds": self.duration,
            "unfinished": self.unfinished,
            "timed_polls": self.polls,
            "last_status": self.last_status,
            "last_progress": self.last_progress,
            "unchanged_seconds": round(self.unchanged_for, 3),
            "seconds_in_status": {k: round(v, 3) for k, v in self.in_status.items()},
            "stalls": [s.to_dict() for s in self.stalls],
            "stalls_not_kept": self.stalls_omitted,
            "out_of_order": self.out_of_order,
            "untimed": self.untimed,
            "accepted": clock(self.accepted) if self.accepted is not None else None,
            "first_poll_after_seconds": self.first_poll_after,
        }


def _where(status: str | None, progress: float | None) -> str:
    if status is None:
        return "no status seen"
    return f"{status} {progress:g}%" if progress is not None else status


class TimeTracker:
    """The time facts of one job, fed its polls in order (see the module docstring).

    ``terminal``: the status values that end a job; ``stall``: the threshold in seconds
    (``None``: no stalls reported, the facts still are); ``known``: the spec's status values
    (time in any other is counted under :data:`UNKNOWN`; ``None``: every value is known)."""

    __slots__ = (
        "_end",
        "_end_progress",
        "_end_status",
        "_first",
        "_in_status",
        "_last",
        "_omitted",
        "_out_of_order",
        "_polls",
        "_prev_status",
        "_prev_time",
        "_run",
        "_stalls",
        "_untimed",
        "known",
        "stall",
        "terminal",
    )

    def __init__(
        self,
        terminal: frozenset[str],
        stall: float | None = STALL_SECONDS,
        known: frozenset[str] | None = None,
    ) -> None:
        self.terminal, self.stall = terminal, stall
        self.known = known  # None: every value is known
        self._first: float | None = None
        self._last: float | None = None
        self._end: float | None = None
        self._end_status: str | None = None
        self._end_progress: float | None = None
        self._in_status: dict[str, float] = {}
        self._polls = 0
        # the run without a change: (status, progress, its first time, poll, line, last time,
        # the status's hash)
        self._run: tuple[str, float | None, float, int, int | None, float, int] | None = None
        self._stalls: list[Stall] = []
        self._omitted = 0
        self._out_of_order = 0
        self._untimed = 0
        self._prev_status: str | None = None  # the status the time since _prev_time counts to
        self._prev_time: float | None = None

    def feed(self, ex: Exchange, line: int | None = None) -> None:
        """The job's next poll and its answer (``line``: where the capture has it)."""
        at = ex.time
        if at is None:
            self._untimed += 1
            return
        if self._last is not None and at < self._last:
            self._out_of_order += 1
            return
        poll = self._polls
        self._polls += 1
        if self._first is None:
            self._first = at
        self._last = at
        if self._end is not None:
            return  # after the end: the client's affair (polled-after-terminal)
        self._count_time(at)
        kind = ex.kind
        if kind in COMPLETIONS or (kind == "status" and ex.status in self.terminal):
            self._close_run()
            self._end, self._end_status = at, ex.status if kind == "status" else kind  # known
            self._end_progress = ex.progress
            self._prev_status = None
            return
        if kind != "status" or ex.status is None:
            return  # an error answer says nothing of where the job stands
        # an untrusted value is kept shortened (with its hash, to tell two apart), and its time
        # counted under one name for all values outside the vocabulary: memory stays per job
        known = self.known is None or ex.status in self.known
        status = ex.status if known else shortened(ex.status, 120)
        self._prev_status = ex.status if known else UNKNOWN
        same = hash(ex.status)
        run = self._run
        if run is not None and run[6] == same and run[0] == status and run[1] == ex.progress:
            self._run = (*run[:5], at, same)
            return
        self._close_run()
        self._run = (status, ex.progress, at, poll, line, at, same)

    def _count_time(self, at: float) -> None:
        if self._prev_status is not None and self._prev_time is not None:
            gap = at - self._prev_time
            self._in_status[self._prev_status] = self._in_status.get(self._prev_status, 0.0) + gap
        self._prev_time = at

    def _close_run(self) -> None:
        stall = self._stall_of(ongoing=False)
        self._run = None
        if stall is None:
            return
        if len(self._stalls) >= MAX_STALLS:
            self._omitted += 1
            return
        self._stalls.append(stall)

    def _stall_of(self, *, ongoing: bool) -> Stall | None:
        """The run without a change as a stall, if it lasted longer than the threshold."""
        run = self._run
        if run is None or self.stall is None:
            return None
        status, progress, start, poll, line, last, _ = run
        if last - start <= self.stall:
            return None
        return Stall(status, progress, start, round(last - start, 6), poll, line, ongoing)

    def facts(self) -> Timing | None:
        """The job's time facts, ``None`` when none of its polls had a time."""
        if self._first is None or self._last is None:
            return None
        run = self._run
        status = run[0] if run is not None else self._end_status
        progress = run[1] if run is not None else self._end_progress
        unchanged = run[5] - run[2] if run is not None else 0.0
        stalls, omitted = self._stalls, self._omitted
        ongoing = self._stall_of(ongoing=True)
        if ongoing is not None:
            stalls, omitted = (
                (stalls, omitted + 1)
                if len(stalls) >= MAX_STALLS
                else ([*stalls, ongoing], omitted)
            )
        return Timing(
            first=self._first,
            last=self._last,
            end=self._end,
            polls=self._polls,
            last_status=status,
            last_progress=progress,
            end_status=self._end_status,
            unchanged_for=round(unchanged, 6),
            in_status={k: round(v, 6) for k, v in self._in_status.items()},
            stalls=tuple(stalls),
            stalls_omitted=omitted,
            out_of_order=self._out_of_order,
            untimed=self._untimed,
        )


def span(seconds: float) -> str:
    """A duration for people: ``45.2s``, ``10m02s``, ``2h05m``, ``2d03h``.

    >>> span(45.24), span(602), span(7500), span(183600), span(0)
    ('45.2s', '10m02s', '2h05m', '2d03h', '0s')
    """
    if seconds < 60:
        return f"{seconds:.3g}s"
    whole = int(seconds)
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    if whole < 86400:
        return f"{whole // 3600}h{whole % 3600 // 60:02d}m"
    return f"{whole // 86400}d{whole % 86400 // 3600:02d}h"


def clock(at: float) -> str:
    """A time since the epoch as RFC 3339 UTC, to the millisecond.

    >>> clock(1764944402.5), clock(1764944402)
    ('2025-12-05T14:20:02.500Z', '2025-12-05T14:20:02Z')
    """
    spec = "seconds" if at == int(at) else "milliseconds"
    return datetime.fromtimestamp(at, timezone.utc).isoformat(timespec=spec)[:-6] + "Z"
