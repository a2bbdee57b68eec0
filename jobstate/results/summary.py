"""What one input held, and how every unit of it was accounted for."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jobstate._words import plural

if TYPE_CHECKING:
    from jobstate.grading import Grade
    from jobstate.validation.timing import Timing

from jobstate.results.records import JobReport, Keep
from jobstate.results.table import totals_of

__all__ = ["InputSummary", "Unlisted"]

_UNITS = {
    "jsonl": "line",
    "json": "element",
    "har": "entry",
    "csv": "row",
    "tsv": "row",
    "parquet": "row",
}


@dataclass
class Unlisted:
    """Clean jobs counted but not listed (``only_failing``): how many, their outcomes and
    observations. Memory then grows with the failing jobs, not all jobs."""

    jobs: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    observations: int = 0

    def add_job(self, outcome: str | None, observations: int) -> None:
        """Count one clean job (``None``: no terminal status seen)."""
        self.jobs += 1
        self.outcomes[outcome or "unfinished"] += 1
        self.observations += observations

    def add(self, other: Unlisted) -> None:
        self.jobs += other.jobs
        self.outcomes.update(other.outcomes)
        self.observations += other.observations


@dataclass
class InputSummary:
    """What one input held, and how every unit of it was accounted for::

    units_read = observations + rejected + blank + skipped
    """

    name: str
    format: str = "jsonl"
    units_read: int = 0
    blank: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    unattributed: list[tuple[int, str]] = field(default_factory=list)
    jobs: Sequence[JobReport] = field(default_factory=list)
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    keep: Keep | None = field(default=None, repr=False)
    unattributed_not_kept: int = 0
    clients: dict[str, Grade] = field(default_factory=dict, repr=False)
    timings: dict[str, Timing | None] = field(default_factory=dict, repr=False)
    results: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    unlisted: Unlisted | None = None  # only_failing: the clean jobs, counted, not listed
    parts: list[tuple[str, int, int]] | None = None  # a folder or glob: (file, first row, rows)

    def reject(self, line: int, why: str) -> None:
        """Account a unit rejected before it reached a job (kept in full while ``keep`` lets)."""
        if self.keep is None or self.keep.take():
            self.unattributed.append((line, why))
        else:
            self.unattributed_not_kept += 1

    @property
    def loose(self) -> int:
        """How many units were rejected before reaching a job (kept or only counted)."""
        return len(self.unattributed) + self.unattributed_not_kept

    @property
    def unit(self) -> str:
        """What one unit of this input is: line, element, entry or row."""
        return _UNITS.get(self.format, "line")

    @property
    def rejected(self) -> int:
        return totals_of(self.jobs)[1] + self.loose

    @property
    def observations(self) -> int:
        listed = totals_of(self.jobs)[0]
        return listed + (self.unlisted.observations if self.unlisted else 0)

    @property
    def problem(self) -> str | None:
        """Why this input is unusable (it broke off, or held nothing to check), else ``None``."""
        if self.error:
            return self.error
        if self.units_read == self.blank:
            return f"{self.name}: no records (empty input)"
        if self.observations == 0:
            return (
                f"{self.name}: no observation in {plural(self.units_read, self.unit)}"
                f" ({self.rejected:,} rejected, {sum(self.skipped.values()):,} skipped)"
                f" read as {self.format}"
            )
        return None

    def to_dict(self) -> dict[str, Any]:
        """The accounting, JSON-ready: read = observations + rejected + blank + skipped."""
        return {
            "name": self.name,
            "format": self.format,
            "unit": self.unit,
            "read": self.units_read,
            "observations": self.observations,
            "rejected": self.rejected,
            "blank": self.blank,
            "skipped": sum(self.skipped.values()),
            "skip_reasons": dict(self.skipped),
            "jobs": len(self.jobs) + (self.unlisted.jobs if self.unlisted else 0),
            "unattributed": [
                {"line": line, "rule": "malformed-record", "message": msg}
                for line, msg in self.unattributed
            ],
            "unattributed_not_kept": self.unattributed_not_kept,
            "error": self.error,
            "notes": self.notes,
            **({"files": self.files()} if self.parts is not None else {}),
        }

    def locate(self, row: int) -> tuple[str, int] | None:
        """The file of a folder or glob holding ``row`` (numbered through the files), and the
        row's place in it (1-based); ``None`` for one file or a row outside them."""
        parts = self.parts
        if not parts:
            return None
        i = bisect_right([first for _, first, _ in parts], row) - 1
        if i < 0:
            return None
        path, first, rows = parts[i]
        return (path, row - first + 1) if row < first + rows else None

    def files(self) -> list[dict[str, Any]]:
        """A folder's or glob's files: each one's path and the rows (numbered through the
        files) it holds."""
        return [
            {"path": path, "first_row": first, "rows": rows}
            for path, first, rows in self.parts or ()
        ]
