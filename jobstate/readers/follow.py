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
    on_note: Callable[[str], None] | None = None,
) -> InputSummary:
    """Check the JSON Lines file ``path`` from its start, then every line appended to it, until
    ``idle_exit`` seconds pass with nothing new (never, by default) or the process is
    interrupted (Ctrl-C ends the watch normally). Each violation goes to ``on_violation(job,
    violation)`` as it is found; the summary returned has every job's report, with at most
    ``keep_violations`` violations in full (``None``: all).

    A log rotated under it is followed as ``tail -F`` does: truncated or rewritten in place
    (logrotate's ``copytruncate``), it is read again from its start; replaced by a new file
    (renamed away, then created), the old one is read to its end and the new one from its
    start. Lines keep their numbers in the order read, and the summary's notes say where each
    rotation fell (each also handed to ``on_note`` as it happens)."""
    opts = options or ReadOptions()
    keep = Keep(keep_violations)
    summary = InputSummary(path, "jsonl", keep=keep)
    jobs = _Jobs(summary, validator, opts, on_violation, keep)
    source = _Source(path)
    lines = _Lines(opts.max_record_bytes)
    last_new = time.monotonic()
    try:
        while True:
            chunk = source.read()
            if chunk is None:
                _rotated(lines, jobs, summary, "truncated or rewritten in place", on_note)
                source.restart()
                continue
            if chunk:
                lines.feed(chunk, jobs)
                last_new = time.monotonic()
                continue
            if source.replaced():
                _rotated(lines, jobs, summary, "replaced by a new file", on_note)
                source.reopen()
                continue
            if idle_exit is not None and time.monotonic() - last_new >= idle_exit:
                break
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
    finally:
        source.close()
    lines.end(jobs)
    summary.jobs = [c.to_job_report(k, input=path) for k, c in jobs.checkers.items()]
    return summary


def _rotated(
    lines: _Lines,
    jobs: _Jobs,
    summary: InputSummary,
    how: str,
    on_note: Callable[[str], None] | None,
) -> None:
    """End what was read of the old contents (an unfinished last line is a line), and note it."""
    lines.end(jobs)
    note = (
        f"the file was {how} after line {lines.number:,}: read again from its start, its"
        f" lines numbered on from {lines.number + 1:,}"
    )
    summary.notes.append(note)
    if on_note is not None:
        on_note(note)
    lines.restart()


_TAIL = 64  # bytes before the read position kept to tell the same file from a rewritten one


class _Source:
    """The followed file, and what tells that it was rotated under the reader."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fh = _followable(path)
        self.ident = _ident(os.fstat(self.fh.fileno()))
        self.tail = b""  # the last bytes read, which must still be where they were read

    def read(self) -> bytes | None:
        """The next bytes (empty: none yet), or ``None`` if the file no longer holds what was
        read where it was read: truncated, or truncated and written again past the read
        position (``copytruncate``). Looked at before and after reading, so a chunk read from
        rewritten contents is never taken for the old ones' continuation."""
        at = self.fh.tell()
        if self._moved(at):
            return None
        chunk = self.fh.read(1 << 20)
        if chunk and self._moved(at):
            return None
        if chunk:
            self.tail = (self.tail + chunk[-_TAIL:])[-_TAIL:]
        return chunk

    def _moved(self, at: int) -> bool:
        fd = self.fh.fileno()
        if os.fstat(fd).st_size < at:
            return True
        n = len(self.tail)
        return n > 0 and os.pread(fd, n, at - n) != self.tail

    def replaced(self) -> bool:
        """Whether the path now names another file (a rotated log's successor)."""
        try:
            now = os.stat(self.path)
        except OSError:  # renamed away, its successor not yet created: keep the old one
            return False
        return stat.S_ISREG(now.st_mode) and _ident(now) != self.ident

    def restart(self) -> None:
        self.fh.seek(0)
        self.tail = b""

    def reopen(self) -> None:
        old = self.fh
        self.fh = _followable(self.path)
        old.close()
        self.ident = _ident(os.fstat(self.fh.fileno()))
        self.tail = b""

    def close(self) -> None:
        self.fh.close()


def _ident(st: os.stat_result) -> tuple[int, int]:
    return st.st_dev, st.st_ino


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
        self.fresh = True  # the next chunk is the file's start

    def feed(self, chunk: bytes, jobs: _Jobs) -> None:
        if self.fresh:
            chunk, self.fresh = strip_bom(chunk), False
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
        """The unfinished last line is a line: checked, or rejected if over the cap."""
        if self.skipping:
            self.number += 1
            jobs.too_long(self.number)
        elif self.pending.strip():
            self.number += 1
            jobs.line(self.number, self.pending)
        self.skipping, self.pending = False, b""

    def restart(self) -> None:
        """The next chunk is a file's start (a byte-order mark there is not data)."""
        self.fresh = True
