"""Reading values out of records, shared by every format (and by the polars fast path):
parsing a line, dotted-path getters, the job key, the body, the HTTP status."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from operator import itemgetter
from typing import Any

from jobstate._json import JSONDecodeError, loads
from jobstate.exceptions import InputError
from jobstate.results import InputSummary, Record, Rejected
from jobstate.validation.rules import json_type

__all__ = [
    "BOM",
    "Getter",
    "body_at",
    "getter",
    "http_at",
    "http_status",
    "job_key_at",
    "json_reason",
    "parse_line",
    "read_document",
    "records_of",
    "rfc3339_ns",
    "strip_bom",
]

BOM = b"\xef\xbb\xbf"
Getter = Callable[[Any], Any]

_POSITION = re.compile(r": line \d+ column \d+ \(char (\d+)\)$")


def strip_bom(raw: bytes) -> bytes:
    return raw[len(BOM) :] if raw.startswith(BOM) else raw


def read_document(fh: Any, name: str, limit: int, what: str) -> bytes:
    """A whole document (JSON, HAR), BOM stripped, or :class:`InputError` when it is larger
    than ``limit`` bytes (it is then not read further)."""
    raw = fh.read(limit + 1)
    if len(raw) > limit:
        raise InputError(
            f"{name}: {what} document larger than {limit:,} bytes, the most read whole"
            " (--max-document-bytes); for more, use JSON Lines, which is streamed"
        )
    return strip_bom(raw)


def json_reason(exc: JSONDecodeError) -> str:
    """orjson's message, with its position given as a column of the line."""
    text = _POSITION.sub(lambda m: f" at column {int(m.group(1)) + 1}", str(exc))
    if text.startswith("str is not valid UTF-8"):
        return "invalid UTF-8 (" + text + ")"
    return "invalid JSON: " + text


def parse_line(raw: bytes) -> Record:
    """One line's record, or a :class:`Rejected` saying why it is none."""
    try:
        value: Record = loads(raw)
        return value
    except JSONDecodeError as exc:
        return Rejected(json_reason(exc))


def records_of(
    raws: list[bytes], start: int, summary: InputSummary, truncated: bool
) -> tuple[list[Record], list[int]]:
    """Lines one by one: a record (or a rejection) per line, blank lines counted in
    ``summary``; ``truncated``: the last line had no newline."""
    recs: list[Record] = []
    lines: list[int] = []
    seen: dict[bytes, Record] = {}  # a short bad line repeated is parsed (and refused) once
    for number, raw in enumerate(raws, start):
        if not raw.strip():
            summary.blank += 1
            continue
        rec = seen.get(raw)
        if rec is None:
            rec = parse_line(raw)
            if isinstance(rec, Rejected) and len(raw) <= 256 and len(seen) < 4096:
                seen[raw] = rec
        recs.append(rec)
        lines.append(number)
    if truncated and recs and isinstance(recs[-1], Rejected):
        recs[-1] = Rejected(recs[-1].reason + " (last line has no newline: truncated?)")
    return recs, lines


def getter(path: str) -> Getter:
    """A getter for a dotted path: ``itemgetter`` for one key (fast), else a walk."""
    parts: list[Any] = [int(p) if p.isdigit() else p for p in path.split(".")]
    if len(parts) == 1 and isinstance(parts[0], str):
        return itemgetter(parts[0])

    def walk(obj: Any) -> Any:
        for p in parts:
            obj = obj[p]
        return obj

    return walk


def job_key_at(get: Getter, rec: Record, path: str) -> tuple[Any, str | None]:
    """The job key of a record, or ``None`` and why it has none."""
    if isinstance(rec, Rejected):
        return None, rec.reason
    if not isinstance(rec, dict):
        return None, f"record is not a JSON object, so it has no job key {path!r}"
    try:
        key = get(rec)
    except (KeyError, IndexError, TypeError):
        return None, f"record has no job key {path!r} (--job-key)"
    if key.__class__ is str:
        return key, None
    if key.__class__ in (int, float):
        return str(key), None  # job keys are compared as text: 7 and "7" are one job
    return None, f"job key {path!r} is {json_type(key)}, not a string or number"


def body_at(get: Getter | None, rec: Record, path: str | None) -> Record:
    """The monitor body inside a record (a JSON string body is parsed)."""
    if get is None:
        return rec
    try:
        body = get(rec)
    except (KeyError, IndexError, TypeError):
        return Rejected(f"record has no body at {path!r} (--body-key)")
    if isinstance(body, str):
        try:
            parsed: Record = loads(body)
            return parsed
        except JSONDecodeError as exc:
            return Rejected(f"body at {path!r} is a string that is not JSON ({exc})")
    found: Record = body
    return found


def http_at(get: Getter | None, rec: Record) -> int | None:
    """The HTTP status at ``get`` in a record, if there is a valid one."""
    if get is None:
        return None
    try:
        code = get(rec)
    except (KeyError, IndexError, TypeError):
        return None
    return http_status(code)


def http_status(code: Any) -> int | None:
    """An HTTP status code (0-999) from a JSON value, or ``None``: an integer, a number with no
    fraction (``202.0``), or a string of one to three ASCII digits.

    >>> [http_status(v) for v in (202, 202.0, "303", True, -0.0, "2020")]
    [202, 202, 303, None, None, None]
    """
    if isinstance(code, str):
        return int(code) if code.isascii() and code.isdigit() and len(code) <= 3 else None
    if isinstance(code, bool):
        return None
    if isinstance(code, int):
        return code if 0 <= code <= 999 else None
    if isinstance(code, float) and code.is_integer() and 0 <= code <= 999:
        return int(code) if math.copysign(1.0, code) > 0 else None
    return None


_RFC3339 = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:[.,](\d+))?"
    r"(?:([Zz])|([+-])(\d\d):?(\d\d))?"
)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def rfc3339_ns(value: object) -> int | None:
    """Nanoseconds since the epoch of an RFC 3339 / ISO 8601 time (``Z`` or an offset; none:
    read as UTC), else ``None``. Exact to the nanosecond, so times sort as times, never as text.

    >>> rfc3339_ns("1970-01-01T00:00:01.5Z"), rfc3339_ns("1970-01-01T01:00:00+01:00")
    (1500000000, 0)
    >>> rfc3339_ns("2024-02-30T00:00:00Z") is None, rfc3339_ns(1.5) is None
    (True, True)
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    m = _RFC3339.fullmatch(text)
    if m is None:
        return None
    if len(m.group(7) or "") <= 6 and m.group(6) != "60":  # the C parser, exact to the us
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:  # Python 3.10 reads no "Z"; the exact reading below does
            pass
        else:
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=timezone.utc)
            return (dt - _EPOCH) // _MICROSECOND * 1000
    y, mo, d, h, mi, sec = (int(g) for g in m.group(1, 2, 3, 4, 5, 6))
    try:
        datetime(y, mo, d, h, mi, min(sec, 59))  # the date and time exist (60: a leap second)
    except ValueError:
        return None
    offset = 0
    if m.group(9):
        offset = (int(m.group(10)) * 60 + int(m.group(11))) * 60
        offset = -offset if m.group(9) == "-" else offset
    fraction = int((m.group(7) or "0")[:9].ljust(9, "0"))
    from calendar import timegm  # rare (a leap second, or beyond microseconds): not at start-up

    return (timegm((y, mo, d, h, mi, sec)) - offset) * 1_000_000_000 + fraction
