"""A folder or a glob as one input: the Parquet files of a partitioned table, read as one.

A lake keeps a table as many files (``lake/date=2026-11-24/part-0.parquet``, ...), and one
job's polls may sit in several of them. ``check lake/`` or ``check 'lake/**/*.parquet'`` reads
them all as one input, in the order of their paths (give ``--order-by`` the time column to
order each job's polls across files), so a job is one job whichever file holds its polls. Rows
are numbered through the files in that order; the input says which rows each file holds.

Each violation of such an input names the file and the row in it that it came from
(:func:`located`), besides its row numbered through the files.

A name that is a file is that file, even with ``*`` or ``[`` in it; a folder is every
``.parquet`` file under it (hidden files and folders, and ``_``-prefixed ones such as Spark's
``_SUCCESS``, aside); any other name with a glob character is a glob (``**`` spans folders).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from jobstate.exceptions import InputError

if TYPE_CHECKING:  # pathlib and glob load only for a folder or a glob: not at a small check's
    from collections.abc import Sequence
    from pathlib import Path

    from jobstate.results import InputSummary, JobReport, Violation

__all__ = ["PARQUET_SUFFIXES", "located", "parts_of"]

PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")


def _listed(path: Path, root: Path) -> bool:
    """Whether a file under a folder is one of its table's parts."""
    hidden = any(p.startswith((".", "_")) for p in path.relative_to(root).parts)
    return not hidden and path.suffix.lower() in PARQUET_SUFFIXES and path.is_file()


def parts_of(source: str) -> list[str] | None:
    """The Parquet files a folder or glob names, sorted by path; ``None`` where ``source`` is
    standard input, a file, or nothing at all (opening it says what is wrong). An
    :class:`~jobstate.InputError` where the folder or glob holds no Parquet file."""
    if source == "-" or os.path.isfile(source):
        return None
    if os.path.isdir(source):
        from pathlib import Path

        root = Path(source)
        files = sorted(str(p) for p in root.rglob("*") if _listed(p, root))
        if not files:
            raise InputError(
                f"{source}: is a directory with no Parquet file in it (a folder is read as one"
                " Parquet table; give other files one by one)"
            )
        what = "the folder holds"
    elif any(c in source for c in "*?["):
        import glob

        matched = glob.glob(source, recursive=True)
        files = sorted(f for f in matched if os.path.isfile(f))
        others = [f for f in files if not f.lower().endswith(PARQUET_SUFFIXES)]
        if others:
            raise InputError(
                f"{source}: a glob is read as one Parquet table, and it matches"
                f" {len(others)} other file(s) ({others[0]}, ...): give other files one by one"
            )
        what = "the glob matches"
    else:
        return None
    if not files:
        raise InputError(f"{source}: {what} no Parquet file ({', '.join(PARQUET_SUFFIXES)})")
    return files


_PARTS_NOTED = 10
"""The files of a folder or glob the input's notes name (the JSON report's ``files`` has all)."""


def same_columns(summary: InputSummary, paths: list[str], columns: list[list[str]]) -> None:
    """Refuse a folder's or glob's files whose ``columns`` (each file's names and types, as its
    reader sees them) differ: they are no one table."""
    for path, cols in zip(paths[1:], columns[1:], strict=True):
        if cols != columns[0]:
            raise InputError(
                f"{summary.name}: not readable Parquet files of one table ({path} has columns"
                f" {_said(cols)}, {paths[0]} {_said(columns[0])})"
            )


def _said(columns: list[str]) -> str:
    text = ", ".join(columns)
    return text if len(text) <= 200 else text[:197] + "..."


def number_parts(summary: InputSummary, paths: list[str], counts: list[int]) -> None:
    """Number the rows through a folder's or glob's files (``counts``: the rows of each, in
    order), and say which rows each holds."""
    first, parts = 1, []
    for p, rows in zip(paths, counts, strict=True):
        parts.append((p, first, rows))
        first += rows
    summary.parts = parts
    shown = [f"rows {a}-{a + n - 1}: {p}" if n else f"no rows: {p}" for p, a, n in parts]
    more = len(parts) - _PARTS_NOTED
    summary.notes.append(
        f"{len(parts)} Parquet files read as one table, rows numbered through them: "
        + "; ".join(shown[:_PARTS_NOTED])
        + (f"; and {more} more (the JSON report's 'files' lists them all)" if more > 0 else "")
    )


def located(jobs: Sequence[JobReport], summary: InputSummary) -> Sequence[JobReport]:
    """``jobs`` of a folder's or glob's input with each violation's file and row in it (a
    :class:`~jobstate.JobTable`'s exact reports in place: its clean jobs have none)."""
    from dataclasses import replace

    from jobstate.results import JobTable

    def at(v: Violation) -> Violation:
        place = summary.locate(v.line) if v.line is not None else None
        return v if place is None else replace(v, file=place[0], row=place[1])

    def moved(job: JobReport) -> JobReport:
        if not job.violations:
            return job
        return replace(job, violations=tuple(map(at, job.violations)))

    if isinstance(jobs, JobTable):
        jobs.exact = {i: moved(job) for i, job in jobs.exact.items()}
        return jobs
    return [moved(job) for job in jobs]
