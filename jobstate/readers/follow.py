"""Following a JSON Lines poll log as it grows (like ``tail -f``): each complete line is
checked as it arrives, and each violation is handed to a callback at once."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from jobstate.exceptions import InputError
from jobstate.readers.fields import body_at, getter, http_at, job_key_at, parse_line, strip_bom
from jobstate.readers.opening import open_file
from jobstate.readers.options import ReadOptions
from jobstate.results import InputSummary, Violation
from jobstate.validation import Validator
from jobstate.validation.checker import Checker

__all__ = ["follow"]

OnViolation = Callable[[str, Violation], None]


class _Jobs:
    """One general-path checker per job key, fed line by line."""

    def __init__(
        self, summary: InputSummary, validator: Validator, opts: ReadOptions, on: OnViolation
    ) -> None:
        self.summary, self.validator, self.opts, self.on = summary, validator, opts, on
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
            checker = self.checkers[key] = Checker(self.validator.tables, record_steps=False)
        seen = len(checker.violations)
        checker.feed(
            body_at(self.body_get, rec, self.opts.body_key), number, http_at(self.http_get, rec)
        )
        for v in checker.violations[seen:]:
            self.on(str(key), v)


def follow(
    path: str,
    validator: Validator,
    options: ReadOptions | None = None,
    *,
    on_violation: OnViolation,
    interval: float = 0.5,
    idle_exit: float | None = None,
) -> InputSummary:
    """Check the JSON Lines file ``path`` from its start, then every line appended to it, until
    ``idle_exit`` seconds pass with nothing new (never, by default) or the process is
    interrupted (Ctrl-C ends the watch normally). Each violation goes to ``on_violation(job,
    violation)`` as it is found; the summary returned has every job's report."""
    summary = InputSummary(path, "jsonl")
    jobs = _Jobs(summary, validator, options or ReadOptions(), on_violation)
    fh = open_file(path, path)
    pending = b""
    number = 0
    last_new = time.monotonic()
    try:
        while True:
            chunk = fh.read(1 << 20)
            if chunk:
                if number == 0 and not pending:
                    chunk = strip_bom(chunk)
                lines = (pending + chunk).split(b"\n")
                pending = lines.pop()
                for raw in lines:
                    number += 1
                    jobs.line(number, raw)
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
    if pending.strip():
        jobs.line(number + 1, pending)
    summary.jobs = [c.to_job_report(k, input=path) for k, c in jobs.checkers.items()]
    return summary
