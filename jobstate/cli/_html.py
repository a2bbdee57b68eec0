"""``check --format html``: the page, with the polls of the jobs it draws.

A small input (regular files of at most :data:`STEPS_BYTES` together) is read once with every
job's polls kept, so the page's diagram counts all the traffic. A bigger one is read as any
check reads it (nothing per poll kept), then the files are read a second time for the jobs the
page draws in full (:data:`~jobstate.render.html.FULL_JOBS`, worst first) and only those keep
their polls; the diagram then counts their traffic, and says so. Standard input cannot be read
twice: its jobs are listed with their findings, without timelines.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from itertools import islice
from typing import TYPE_CHECKING

from jobstate.cli._common import write

if TYPE_CHECKING:
    from jobstate._constants import FailOn
    from jobstate.readers import ReadOptions
    from jobstate.results import JobReport, Report
    from jobstate.validation import Validator

__all__ = ["STEPS_BYTES", "keeps_steps", "write_html"]

STEPS_BYTES = 64 << 20
"""The most input (bytes on disk, together) whose every poll the HTML report keeps."""


def keeps_steps(files: Sequence[str]) -> bool:
    """Whether the first read keeps every job's polls: regular files, small together."""
    try:
        sizes = [os.stat(f).st_size for f in files if f != "-" and os.path.isfile(f)]
    except OSError:
        return False
    return len(sizes) == len(files) and sum(sizes) <= STEPS_BYTES


def _second_look(drawn: list[JobReport], validator: Validator, options: ReadOptions) -> int:
    """Read again the inputs of the ``drawn`` jobs for their polls only; how many got them."""
    from jobstate.exceptions import InputError
    from jobstate.readers import read_input

    by_input: dict[str, dict[str | None, JobReport]] = {}
    for job in drawn:
        if job.input is not None and job.input != "-" and job.recorded_steps is None:
            by_input.setdefault(job.input, {})[job.key] = job
    got = 0
    for name, jobs in by_input.items():
        keys = frozenset(k for k in jobs if k is not None)
        look = replace(options, jobs=keys or None)
        try:
            summary = read_input(name, validator, look, explain=True, keep_violations=0)
        except InputError:
            continue  # gone since the first read: drawn without polls
        for again in summary.jobs:
            first = jobs.get(again.key)
            if first is not None and again.recorded_steps is not None:
                first.recorded_steps = again.recorded_steps
                got += 1
    return got


def write_html(
    report: Report,
    validator: Validator,
    options: ReadOptions,
    steps_kept: bool,
    fail_on: FailOn,
    unusable: Sequence[str],
) -> None:
    """Write the HTML report of ``report`` to standard output (``steps_kept``: the first read
    kept every job's polls)."""
    from jobstate.diagrams import observed_dot, render_dot
    from jobstate.exceptions import DiagramError
    from jobstate.render.html import FULL_JOBS, report_html

    if steps_kept:
        counted, note = report.jobs, None
    else:
        counted = list(islice(report.worst_first(flagged_only=True), FULL_JOBS))
        got = _second_look(counted, validator, options)
        counted = [j for j in counted if j.recorded_steps is not None]
        note = (
            f"The traffic drawn is that of the {got:,} jobs drawn in full, read a second time"
            f" (an input over {STEPS_BYTES >> 20} MB, or standard input, keeps no poll of the"
            " others)."
        )
    svg = None
    try:
        svg = render_dot(observed_dot(validator.spec, counted), "svg").decode("utf-8")
    except DiagramError as exc:
        note = f"No diagram: {exc}"
    page = report_html(
        report,
        validator.spec,
        fail_on=fail_on,
        unusable=unusable,
        diagram_svg=svg,
        diagram_note=note,
    )
    write(page.encode("utf-8"))
