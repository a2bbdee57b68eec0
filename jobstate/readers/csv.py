"""CSV and TSV with a header row: one job per ``job_id`` (or ``--job-key``) column value."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from operator import itemgetter
from typing import IO, Any

from jobstate.exceptions import InputError
from jobstate.readers.fields import http_status
from jobstate.readers.options import ReadOptions
from jobstate.readers.routing import JobRouter
from jobstate.results import InputSummary, Record

__all__ = ["BATCH", "read_csv"]

BATCH = 50_000
"""Rows handed to the router at a time."""
_SURROGATE = re.compile("[\udc80-\udcff]")


def _number(text: str) -> Any:
    """A cell as a number where it reads as one (a whole number first), else the text.

    >>> _number("50"), _number("-2.5"), _number("1e2"), _number("one"), _number("12a")
    (50, -2.5, 100.0, 'one', '12a')
    """
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text) if any(c in text for c in ".eEnN") else text
    except ValueError:
        return text


class _Columns:
    """Where each needed column sits in the header."""

    def __init__(
        self,
        header: list[str],
        opts: ReadOptions,
        name: str,
        line: int,
        keys: tuple[str, str | None],
    ) -> None:
        self.width = len(header)
        cols = {h: i for i, h in enumerate(header)}
        self.job_name = opts.job_key or "job_id"
        self.keys = keys  # the body's fields: the spec's status and progress fields
        self.status_name = opts.status_column or keys[0]
        pct_name = opts.percentage_column or keys[1]
        missing = [c for c in (self.job_name, self.status_name) if c not in cols]
        if missing:
            raise InputError(
                f"{name}: line {line}: CSV header has no column "
                + " or ".join(repr(m) for m in missing)
                + f" (columns: {', '.join(header)}); name them with --job-key"
                " / --status-column"
            )
        named = (
            ("--order-by", opts.order_by),
            ("--http-key", opts.http_key),
            ("--time-key", opts.time_key),
        )
        for opt, col in named:
            if col is not None and col not in cols:
                columns = ", ".join(header)
                raise InputError(
                    f"{name}: CSV header has no column {col!r} ({opt}); columns: {columns}"
                )
        self.job = cols[self.job_name]
        self.status = cols[self.status_name]
        self.pct = cols.get(pct_name) if pct_name is not None else None
        self.http = cols[opts.http_key] if opts.http_key is not None else None
        self.order = cols[opts.order_by] if opts.order_by is not None else None
        self.time = cols[opts.time_key] if opts.time_key is not None else None

    def problem(self, row: list[str]) -> str | None:
        """Why ``row`` cannot be a record, if it cannot."""
        if len(row) != self.width:
            return f"row has {len(row)} fields, the header has {self.width}"
        if _SURROGATE.search("".join(row)):  # one search a row: no surrogate spans two fields
            return "invalid UTF-8 in the row"
        if not row[self.job].strip():
            return f"row has an empty {self.job_name!r}"
        return None

    def body(self, row: list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {}
        status = row[self.status].strip()
        if status:
            body[self.keys[0]] = status
        if self.pct is not None and row[self.pct].strip() and self.keys[1] is not None:
            body[self.keys[1]] = _number(row[self.pct].strip())
        return body


class _Rows:
    """Rows gathered into batches for the router."""

    def __init__(self, router: JobRouter, cols: _Columns) -> None:
        self.router, self.cols = router, cols
        self.keys: list[Any] = []
        self.bodies: list[Record] = []
        self.lines: list[int] = []
        self.http: list[int | None] = []
        self.orders: list[Record] = []

    def add(self, row: list[str], line: int) -> None:
        cols = self.cols
        self.keys.append(row[cols.job].strip())
        self.bodies.append(cols.body(row))
        self.lines.append(line)
        if cols.http is not None:
            self.http.append(http_status(row[cols.http].strip()))
        if cols.order is not None or cols.time is not None:  # what order_by and time_key read
            opts, wrapper = self.router.opts, {}
            for col, name in ((cols.order, opts.order_by), (cols.time, opts.time_key)):
                if col is not None and name is not None:
                    cell = row[col].strip()
                    wrapper[name] = _number(cell) if cell else None
            self.orders.append(wrapper)

    def flush(self) -> None:
        if not self.bodies:
            return
        self.router.route_bodies(
            self.keys, self.bodies, self.lines, self.http or None, self.orders or None
        )
        self.keys, self.bodies, self.lines, self.http, self.orders = [], [], [], [], []


class _Runaway(Exception):
    """A row grew past what one row may span (``_Lines.limit``): its first line is to blame."""


class _Lines:
    """The physical lines of a text stream for the CSV reader, each read only up to the record
    cap: a longer line is skipped to its end without being held, stands in as an empty line,
    and its number is kept in :attr:`oversized`.

    The lines of the row being read are kept (at most ``cap`` characters of them, and at most
    ``span`` lines) so that a row that cannot be one can be read again without its first line:
    an unclosed quote takes the lines after it only as far as the end, the cap or the span,
    and :meth:`replay` hands them out again."""

    def __init__(self, text: io.TextIOWrapper, cap: int, span: int | None) -> None:
        self.text, self.cap, self.span = text, cap, span
        self.number = 0
        self.oversized: set[int] = set()
        self.row: list[str] = []  # the current row's lines; the first is numbered ``first``
        self.size = 0  # their characters
        self.first = 1
        self.again: list[tuple[int, str]] = []  # lines to hand out again, the next one last

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.again:
            self.number, line = self.again.pop()
        else:
            line = self.text.readline(self.cap + 1)
            if not line:
                raise StopIteration
            self.number += 1
            if len(line) > self.cap and line[-1] not in "\r\n":
                line = self._skip()
        row = self.row
        row.append(line)
        self.size += len(line)
        if len(row) > 1 and (
            (self.span is not None and len(row) > self.span) or self.size > self.cap
        ):
            raise _Runaway
        return line

    def _skip(self) -> str:
        """Skip the rest of a line over the cap; it stands in as an empty line."""
        while True:
            more = self.text.readline(1 << 16)
            if not more or more[-1] in "\r\n":
                break
        self.oversized.add(self.number)
        return "\n"

    def start_row(self) -> None:
        self.row, self.size = [], 0
        self.first = self.again[-1][0] if self.again else self.number + 1

    def span_of_row(self) -> tuple[int, int]:
        """The numbers of the current row's first and last lines."""
        return self.first, self.first + len(self.row) - 1

    def replay(self) -> tuple[int, str]:
        """Give back every line of the current row but the first, which is returned."""
        first, row = self.first, self.row
        self.again.extend((first + k, row[k]) for k in range(len(row) - 1, 0, -1))
        self.start_row()
        return first, row[0]


def _where(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


def read_csv(
    fh: IO[bytes],
    summary: InputSummary,
    router: JobRouter,
    delimiter: str,
    tick: Callable[[], None],
) -> None:
    """Read CSV (``delimiter`` ``,``) or TSV (``\\t``) from ``fh``. A row that cannot be read
    (bad quoting, an unclosed quote, a line over the cap) is rejected with its line, never
    merged silently into another: a CSV row that spans lines and cannot be a record (an
    unclosed quote ran to the end of the input or past the cap, or took in a wrong number of
    fields) loses only its first line, and the lines after it are read again. A TSV row is one
    line (a field cannot hold a line break): a quote that does not close on its line is text."""
    opts = router.opts
    if opts.order_by is not None:
        router.order_get = itemgetter(opts.order_by)  # a column name, never a dotted path
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="surrogateescape", newline="")
    lines = _Lines(text, opts.max_record_bytes, 1 if delimiter == "\t" else None)
    state = _Reading(summary, router, lines, tick, delimiter)
    try:
        while state.next_row():
            pass
    finally:  # a read error (a broken gzip) keeps every row before it
        if state.rows is not None:
            state.rows.flush()
        text.detach()  # the caller closes the binary stream


class _Reading:
    """One CSV input being read: its header's columns once seen, rows counted as they come."""

    def __init__(
        self,
        summary: InputSummary,
        router: JobRouter,
        lines: _Lines,
        tick: Callable[[], None],
        delimiter: str,
    ) -> None:
        self.summary, self.router, self.lines, self.tick = summary, router, lines, tick
        self.delimiter = delimiter
        self.reader = self._reader()
        self.rows: _Rows | None = None

    def _reader(self) -> Any:
        return csv.reader(self.lines, delimiter=self.delimiter, strict=True)

    def next_row(self) -> bool:
        """Read and account one row; ``False`` at the end."""
        lines = self.lines
        lines.start_row()
        try:
            row, error = next(self.reader), None
        except StopIteration:
            if not lines.row:
                return False
            row, error = [], "unexpected end of data"  # the end inside a quote
        except csv.Error as exc:
            row, error = [], str(exc)
        except _Runaway:
            row, error = [], "runaway"
        first, last = lines.span_of_row()
        if error is not None and (last > first or self.delimiter == "\t"):
            return self._again(error)
        why = _unreadable(first, last, error, lines, self.router.opts.max_record_bytes)
        if why is not None:
            self.summary.units_read += 1
            self.summary.reject(first, why)
            return True
        return self._take(row, first, last)

    def _take(self, row: list[str], first: int, last: int, literal: bool = False) -> bool:
        """Account a row read whole: the header, a blank, a rejection or a record (a TSV line
        whose quotes do not give the header's width is read again, its quotes as text, unless
        it was: ``literal``)."""
        summary = self.summary
        if self.rows is None and row and any(f.strip() for f in row):
            cols = _header(row, self.router.opts, summary.name, first, self.router.body_keys)
            self.rows = _Rows(self.router, cols)
            return True
        if self.rows is None or not row or (len(row) == 1 and not row[0].strip()):
            summary.units_read += 1
            summary.blank += 1
            return True
        width = self.rows.cols.width
        if len(row) != width and (last > first or (self.delimiter == "\t" and not literal)):
            return self._again(f"row has {len(row)} fields, the header has {width}")
        summary.units_read += 1
        why = self.rows.cols.problem(row)
        if why is not None:
            summary.reject(first, why if first == last else f"{why} ({_where(first, last)})")
            return True
        self.rows.add(row, first)
        if len(self.rows.bodies) >= BATCH:
            self.rows.flush()
            self.tick()
        return True

    def _again(self, error: str) -> bool:
        """A row over several lines that cannot be one: its first line is rejected (or, in a
        TSV, read with its quotes as text), and the lines after it are read again."""
        lines = self.lines
        number, line = lines.replay()
        self.reader = self._reader()  # a reader that failed mid-row starts afresh
        if self.delimiter == "\t" and number not in lines.oversized:
            lines.again.append((number, line))
            self._literal()
            return True
        lines.oversized.discard(number)
        self.summary.units_read += 1
        what = (
            "unclosed quote"
            if error in ("unexpected end of data", "runaway")
            else f"CSV error: {error}"
        )
        self.summary.reject(
            number, f"{what} (line {number}): the line is rejected, the lines after it read again"
        )
        return True

    def _literal(self) -> None:
        """Read the next line as one row whose quotes are text (a TSV line)."""
        reader = csv.reader(self.lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        self.lines.start_row()
        row = next(reader)
        first = self.lines.first
        self._take(row, first, first, literal=True)


def _unreadable(first: int, last: int, error: str | None, lines: _Lines, cap: int) -> str | None:
    """Why the row on lines ``first``-``last`` could not be read, if it could not."""
    if error is None and not lines.oversized:
        return None
    over = [n for n in range(first, last + 1) if n in lines.oversized]
    if over:
        lines.oversized.difference_update(over)
        return f"line {over[0]} longer than {cap:,} characters (--max-record-bytes): skipped unread"
    if error is None:
        return None
    if error == "unexpected end of data":
        return f"unclosed quote ({_where(first, last)}) up to the end of the input"
    return f"CSV error: {error} ({_where(first, last)})"


def _header(
    row: list[str], opts: ReadOptions, name: str, line: int, keys: tuple[str, str | None]
) -> _Columns:
    if any(_SURROGATE.search(f) for f in row):
        raise InputError(f"{name}: line {line}: the CSV header is not valid UTF-8")
    return _Columns([h.strip() for h in row], opts, name, line, keys)
