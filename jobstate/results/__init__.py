"""④ What the pipeline hands along: records, violations, steps, job and input summaries, reports.

Readers produce :class:`Rejected` records and :class:`InputSummary` objects; the validation
engine produces :class:`Violation`, :class:`Step` and :class:`JobReport`; a :class:`Report`
gathers them for the renderers. This module imports nothing of the engine: a report that needs
steps it did not record asks a :class:`StepSource` (the validator) for them.
"""

from __future__ import annotations

from jobstate.results.records import (
    JobReport,
    Keep,
    Omitted,
    Record,
    Rejected,
    Step,
    StepSource,
    Violation,
)
from jobstate.results.report import Report, Totals
from jobstate.results.summary import InputSummary, Unlisted
from jobstate.results.table import CleanJob, CleanRun, JobTable, dicts_of

__all__ = [
    "CleanJob",
    "CleanRun",
    "InputSummary",
    "JobReport",
    "JobTable",
    "Keep",
    "Omitted",
    "Record",
    "Rejected",
    "Report",
    "Step",
    "StepSource",
    "Totals",
    "Unlisted",
    "Violation",
    "dicts_of",
]
