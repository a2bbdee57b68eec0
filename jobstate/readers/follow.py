"""Following a JSON Lines poll log as it grows (like ``tail -f``): each complete line is
checked as it arrives, and each violation is handed to a callback at once.

Bounded like a whole-file read: a line longer than ``max_record_bytes`` is rejected without
being held (``/dev/zero`` never fills memory), and only ``keep_violations`` violations are kept
in the final report (each is still handed to the callback), the rest counted by job and rule.
Only a regular, uncompressed file can be followed."""

from __future__ import annotations

import functools
import os
import stat
import time
from collections.abc import Callable
from typing import IO, Any

from jobstate.exceptions import InputError
from jobstate.readers.fields import body_at, getter, http_at, job_key_at, parse_line, strip_bom
from jobstate.readers.opening import open_file
from jobstate.readers.options import ReadOptions
from jobstate.results import InputSummary, Keep, Violation
from jobstate.validation import Validator
from jobstate.validation.checker import Checker

__all__ = ["follow"]

OnViolation = Callable[[str, Violation], None]


class _Jobs:
    """One general-path checker per job key, fed line by line."""

    def __init__(
        self,
        summary: InputSummary,
        validator: Validator,
        opts: ReadOptions,
        on: OnViolation,
        keep: Keep,
    ) -> None:
        self.summary, self.validator, self.opts, self.on = summary, validator, opts, on
        self.keep = keep
        self.job_get = getter(opts.job_key) if opts.job_key else None
        self.body_get = getter(opts.body_key) if opts.body_key else None
        self.http_get = getter(opts.http_key) if opts.http_key else None
        self.checkers: dict[str, Checker] = {}

    def line(self, number: int, raw: bytes) -> None:
        self.summary.units_read = number
        if not raw.strip():
            self.summary.blank += 1
            return
        rec = parse_line(raw)
        key: Any = self.summary.name
        if self.job_get is not None:
            key, why = job_key_at(self.job_get, rec, self.opts.job_key or "")
            if why is not None:
                self.summary.reject(number, why)
                self.on(self.summary.name, Violation("malformed-record", "error", -1, number, why))
                return
        checker = self.checkers.get(key)
        if checker is None:
            checker = self.checkers[key] = Checker(
                self.validator.tables,
                record_steps=False,
                keep=self.keep,  # printed as found, kept in full up to the cap, then counted
                on_violation=functools.partial(self.on, str(key)),
            )
        checker.feed(
            body_at(self.body_get, rec, self.opts.body_key), number, http_at(self.http_get, rec)
        )

    def too_long(self, number: int) -> None:
        """A line over the record cap, skipped unread."""
        self.summary.units_read = number
        cap = self.opts.max_record_bytes
        self.summary.reject(number, f"line longer than {cap:,} bytes (--max-record-bytes)")


def follow(
    path: str,
    validator: Validator,
    options: ReadOptions | None = None,
    *,
    on_violation: OnViolation,
    interval: float = 0.5,
    idle_exit: float | None = None,
    keep_violations: int | None = None,
) -> InputSummary:
    """Check the JSON Lines file ``path`` from its start, then every line appended to it, until
    ``idle_exit`` seconds pass with nothing new (never, by default) or the process is
    interrupted (Ctrl-C ends the watch normally). Each violation goes to ``on_violation(job,
    violation)`` as it is found; the summary returned has every job's report, with at most
    ``keep_violations`` violations in full (``None``: all)."""
    opts = options or ReadOptions()
    keep = Keep(keep_violations)
    summary = InputSummary(path, "jsonl", keep=keep)
    jobs = _Jobs(summary, validator, opts, on_violation, keep)
    fh = _followable(path)
    lines = _Lines(opts.max_record_bytes)
    last_new = time.monotonic()
    try:
        while True:
            chunk = fh.read(1 << 20)
            if chunk:
                lines.feed(chunk, jobs)
                last_new = time.monotonic()
                continue
            if os.fstat(fh.fileno()).st_size < fh.tell():
                raise InputError(f"{path}: the file was truncated or replaced while followed")
            if idle_exit is not None and time.monotonic() - last_new >= idle_exit:
                break
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
    finally:
        fh.close()
    lines.end(jobs)
    summary.jobs = [c.to_job_report(k, input=path) for k, c in jobs.checkers.items()]
    return summary


def _followable(path: str) -> IO[bytes]:
    """The file, open, if it can be followed: a regular file that is not gzip (looked at before
    it is opened: opening a FIFO would wait for a writer)."""
    try:
        regular = stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        regular = True  # let opening it say what is wrong
    if not regular:
        raise InputError(f"{path}: --follow follows a regular file, not a pipe or a device")
    fh = open_file(path, path)
    try:
        if fh.read(2) == b"\x1f\x8b":
            raise InputError(f"{path}: --follow cannot follow a compressed file")
        fh.seek(0)
    except BaseException:
        fh.close()
        raise
    return fh


class _Lines:
    """Cuts chunks into lines, holding at most ``cap`` bytes of an unfinished one."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.pending = b""
        self.number = 0
        self.skipping = False  # inside a line over the cap: dropped until its newline

    def feed(self, chunk: bytes, jobs: _Jobs) -> None:
        if self.number == 0 and not self.pending and not self.skipping:
            chunk = strip_bom(chunk)
        parts = chunk.split(b"\n")
        last = parts.pop()
        for raw in parts:
            self._line(self.pending + raw, jobs)
            self.pending = b""
        if self.skipping or len(self.pending) + len(last) > self.cap:
            self.skipping, self.pending = True, b""
        else:
            self.pending += last

    def _line(self, raw: bytes, jobs: _Jobs) -> None:
        self.number += 1
        if self.skipping or len(raw) > self.cap:
            self.skipping = False
            jobs.too_long(self.number)
        else:
            jobs.line(self.number, raw)

    def end(self, jobs: _Jobs) -> None:
        if self.skipping:
            jobs.too_long(self.number + 1)
        elif self.pending.strip():
            jobs.line(self.number + 1, self.pending)
