"""The trace types that :mod:`jobstate.strategies` generates (importable without hypothesis)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jobstate._constants import Outcome

__all__ = ["MutatedTrace", "Trace"]


@dataclass(frozen=True)
class Trace:
    """A legal trace: the monitor bodies a client would see, and the path behind them.

    ``path`` is the underlying step path (each state once); ``bodies`` the observations, with
    stutters and, in ``sampled`` mode, polls dropped.
    """

    spec: str
    mode: str
    path: tuple[str, ...]
    bodies: tuple[dict[str, Any], ...]
    outcome: Outcome
    status_field: str = "status"  # where each body holds its status (the spec's field)

    @property
    def statuses(self) -> list[str]:
        return [b[self.status_field] for b in self.bodies]


@dataclass(frozen=True)
class MutatedTrace:
    """A legal trace with one mutation that the validator must report as ``rule`` at ``index``,
    and nothing else."""

    original: Trace
    bodies: tuple[Any, ...]
    rule: str
    index: int
    description: str
