"""How ``check`` reads its inputs and writes its report: progress bars, ``--follow``, the
JSON report written behind on a thread, the observed-traffic diagram."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from itertools import chain
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

import click

from jobstate._constants import PROGRESS_BYTES, FailOn
from jobstate._words import shortened
from jobstate.cli._common import (
    EXIT_ERRORS,
    EXIT_OK,
    EXIT_UNUSABLE,
    echo_lines,
    error,
    write,
)

if TYPE_CHECKING:
    from jobstate.readers import ReadOptions
    from jobstate.results import InputSummary, Report, Violation
    from jobstate.validation import Validator

__all__ = [
    "WRITE_BEHIND_JOBS",
    "Progress",
    "View",
    "WriteBehind",
    "follow_file",
    "read_all",
    "render_report",
    "write_observed",
]


WRITE_BEHIND_JOBS = 16_384
"""A report of at least this many jobs is written by :class:`WriteBehind` (a polars window)."""


class WriteBehind:
    """Standard output written on a thread of its own, up to two pieces behind the caller, so
    that the next piece of a big report is made while the last one is written (1M jobs' JSON,
    457 MB: its writing took 0.7 s of the main thread). It writes to the file descriptor, not
    through ``sys.stdout``'s buffer, whose lock a thread must not hold when the interpreter
    exits (Ctrl-C). A write error is raised in the caller, at its next piece or at the end."""

    def __init__(self, fd: int) -> None:
        import queue
        import threading

        self.fd = fd
        self.pieces: queue.Queue[bytes | None] = queue.Queue(2)
        self.error: OSError | None = None
        self.thread = threading.Thread(target=self._run, name="jobstate-write", daemon=True)
        self.thread.start()

    @classmethod
    def start(cls) -> WriteBehind | None:
        """A writer of standard output, or ``None`` where it has no file descriptor (a test
        runner's capture, a notebook)."""
        try:
            fd = sys.stdout.fileno()
        except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
            return None
        sys.stdout.flush()
        sys.stdout.buffer.flush()
        return cls(fd)

    def _run(self) -> None:
        while (piece := self.pieces.get()) is not None:
            view = memoryview(piece)
            while self.error is None and view:
                try:
                    view = view[os.write(self.fd, view) :]
                except OSError as exc:
                    self.error = exc

    def write(self, piece: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.pieces.put(piece)

    def __enter__(self) -> WriteBehind:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is KeyboardInterrupt:  # exit now: the thread ends with the process
            return
        self.pieces.put(None)
        self.thread.join()
        if kind is None and self.error is not None:
            raise self.error


def follow_file(
    files: tuple[str, ...],
    validator: Validator,
    options: ReadOptions,
    idle_exit: float | None,
    rules: frozenset[str] | None,
    fmt: str,
    keep_violations: int,
    given: Mapping[str, object],
) -> tuple[list[InputSummary], list[str]]:
    """check --follow: one JSON Lines file, violations printed as they are found; ``given``:
    the other options by name and value, refused where follow cannot honour them."""
    from jobstate.exceptions import InputError
    from jobstate.readers.follow import follow
    from jobstate.render.text import violation_line

    if len(files) != 1 or files[0] == "-" or fmt != "text" or options.order_by:
        raise click.UsageError("--follow watches one JSON Lines file, in text, with no --order-by")
    if options.engine not in ("auto", "python"):
        raise click.UsageError("--follow checks each line as it comes (--engine python)")
    given = {
        **given,
        "--time-key": options.time_key,
        "--input-format": options.format not in (None, "jsonl"),
    }
    refused = [name for name, value in given.items() if value]
    if refused:
        raise click.UsageError(f"--follow cannot take {', '.join(refused)}")
    _followable(files[0], options)

    def show(job: str, v: Violation) -> None:
        if rules is None or v.rule in rules:
            click.echo(violation_line(job, v), color=False)

    try:
        summary = follow(
            files[0],
            validator,
            options,
            on_violation=show,
            idle_exit=idle_exit,
            keep_violations=keep_violations,
            on_note=lambda note: click.echo(f"jobstate: note: {note}", err=True),
        )
    except InputError as exc:
        return [], [str(exc)]
    return [summary], []


def read_all(
    files: Iterable[str],
    validator: Validator,
    options: ReadOptions,
    keep_steps: bool,
    keep_violations: int,
    only_failing: bool = False,
) -> tuple[list[InputSummary], list[str]]:
    """Every input read, and the messages of those that are unusable."""
    from jobstate.exceptions import InputError
    from jobstate.readers import read_input

    summaries: list[InputSummary] = []
    unusable: list[str] = []
    for name in files:
        try:
            with Progress(name) as progress:
                summary = read_input(
                    name,
                    validator,
                    options,
                    explain=keep_steps,
                    progress=progress,
                    keep_violations=keep_violations,
                    only_failing=only_failing,
                )
        except InputError as exc:
            unusable.append(str(exc))
            continue
        summaries.append(summary)
        if summary.problem is not None:
            unusable.append(summary.problem)
    return summaries, unusable


class View(NamedTuple):
    """How much of the text report to show."""

    explain: bool
    max_violations: int | None
    quiet: bool
    summary: bool
    color: bool


def render_report(
    report: Report, fmt: str, fail_on: FailOn, unusable: list[str], view: View
) -> None:
    from jobstate import render

    if fmt in ("json", "jsonl"):
        pieces: Iterable[bytes] = (
            chain(render.report_json(report, fail_on=fail_on, unusable=unusable), [b"\n"])
            if fmt == "json"
            else render.report_jsonl(report, fail_on=fail_on, unusable=unusable)
        )
        big = sum(len(i.jobs) for i in report.inputs) >= WRITE_BEHIND_JOBS
        behind = WriteBehind.start() if big else None
        if behind is None:
            for piece in pieces:
                write(piece)  # a batch of jobs at a time: no whole document in memory
            return
        with behind:
            for piece in pieces:
                behind.write(piece)
    elif fmt == "junit":
        write(render.junit_xml(report, fail_on=fail_on, unusable=unusable))
    else:
        echo_lines(render.text_lines(report, fail_on=fail_on, **view._asdict()), color=view.color)


def finish(
    report: Report, diagram_path: str | None, unusable: list[str], fail_on: FailOn
) -> NoReturn:
    """Draw the observed diagram if asked, report the unusable inputs, and exit: 2 for an
    unusable input, 1 for findings at the ``fail_on`` severity, else 0."""
    from jobstate.render import fails_at

    if diagram_path is not None:
        problem = write_observed(diagram_path, report)
        if problem:
            unusable.append(problem)
    for msg in unusable:
        error(msg)
    if unusable:
        sys.exit(EXIT_UNUSABLE)
    findings = report.unattributed or any(fails_at(j, fail_on) for j in report.flagged)
    sys.exit(EXIT_ERRORS if findings else EXIT_OK)


class Progress:
    """A progress bar on standard error for a large input, when it is a terminal.

    Large means ``PROGRESS_BYTES`` (32 MB) on disk, or ``JOBSTATE_PROGRESS_BYTES``.
    """

    def __init__(self, name: str) -> None:
        setting = os.environ.get("JOBSTATE_PROGRESS_BYTES", str(PROGRESS_BYTES))
        if not setting.strip().isdigit():
            raise click.UsageError(
                f"JOBSTATE_PROGRESS_BYTES must be a whole number of bytes, not {setting!r}"
            )
        self.threshold = int(setting)
        self.name = name
        self.bar: Any = None
        self.done = 0

    def __enter__(self) -> Progress:
        return self

    def __call__(self, position: int, size: int) -> None:
        if self.bar is None:
            if size < self.threshold or not sys.stderr.isatty():
                return
            self.bar = click.progressbar(
                length=size, label=self.name, file=sys.stderr, show_percent=True, show_eta=True
            )
            self.bar.__enter__()
        self.bar.update(max(position - self.done, 0))
        self.done = max(position, self.done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.update(max(self.bar.length - self.done, 0))
            self.bar.__exit__(None, None, None)


def write_observed(path: str, report: Report) -> str | None:
    """Write the observed-traffic diagram; an error message when it cannot be made."""
    from pathlib import Path

    from jobstate.diagrams import observed_dot, render_dot
    from jobstate.exceptions import DiagramError

    suffix = Path(path).suffix.lower().lstrip(".")  # one of these: checked before the run
    try:
        dot = observed_dot(report.spec, report.jobs)
        data = (
            dot.encode()
            if suffix == "dot"
            else render_dot(dot, "svg" if suffix == "svg" else "png")
        )
        Path(path).write_bytes(data)
    except DiagramError as exc:
        return str(exc)
    except OSError as exc:
        return f"--diagram {path}: cannot write ({exc.strerror or exc})"
    return None


def _followable(path: str, options: ReadOptions) -> None:
    """--follow reads JSON Lines: a file that is there and is another format (a HAR, a CSV)
    is a usage error, before any of it is read as lines."""
    if options.format is not None or not os.path.isfile(path):
        return  # the format was given, or the file is still to come
    from jobstate.readers.opening import detect_format

    with open(path, "rb") as fh:
        head = fh.read(64 << 10)
    found = detect_format(path, head)
    if found != "jsonl":
        raise click.UsageError(
            f"--follow watches a JSON Lines file; {shortened(path, 80)} is {found}: check it"
            " without --follow"
        )
