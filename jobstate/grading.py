"""What a client's polls earned on one monitor URL: its :class:`Grade` and the
:class:`BehaviourFinding` records in it (made by :mod:`jobstate.validation.behaviour`, read by
the emulator and the reports). Apart from :mod:`jobstate.results` so that a check that grades
no client does not build these classes at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jobstate._constants import Severity

__all__ = ["BehaviourFinding", "Grade"]


@dataclass(frozen=True)
class BehaviourFinding:
    """One client-behaviour finding on one monitor URL: how often, from which poll (1-based)."""

    id: str
    severity: Severity
    message: str
    count: int
    first_poll: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": self.severity,
            "message": self.message,
            "count": self.count,
            "first_poll": self.first_poll,
        }


@dataclass(frozen=True)
class Grade:
    """How a client did on one monitor URL."""

    polls: int
    ended_at: int | None  # the poll (1-based) whose answer ended the job
    end: str | None  # the terminal status, or "303"
    polls_after_end: int
    seconds_after_end: float | None
    findings: tuple[BehaviourFinding, ...]
    location: str | None = None  # where a 303 completion pointed

    @property
    def stopped_before_end(self) -> bool:
        """The client stopped (or gave up) before any terminal answer."""
        return self.ended_at is None

    @property
    def ok(self) -> bool:
        return self.ended_at is not None and not self.findings

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "polls": self.polls,
            "ended_at": self.ended_at,
            "end": self.end,
            "stopped_before_end": self.stopped_before_end,
            "polls_after_end": self.polls_after_end,
            "seconds_after_end": self.seconds_after_end,
            "location": self.location,
            "findings": [f.to_dict() for f in self.findings],
        }
