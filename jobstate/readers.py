"""Readers: turn captured files into jobs for the validator, accounting for every input unit.

Formats: JSON Lines, JSON (an array or one body), HAR 1.2, CSV and TSV; any of them gzipped;
``-`` is standard input. Every unit read (a line, an array element, a HAR entry, a CSV row) ends
up as an observation, a rejected record (reported as ``malformed-record``), a blank line, or a
skipped HAR entry with its reason::

    read = observations + rejected + blank + skipped

JSON Lines and CSV are streamed: memory grows with the number of jobs, not with the input
(``order_by`` is the exception: it holds each job's records until the input ends, to sort them).
"""

from __future__ import annotations

import base64
import binascii
import csv
import gzip
import io
import math
import os
import re
import sys
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, Literal
from urllib.parse import urlsplit

from jobstate._json import JSONDecodeError, loads
from jobstate.validation import JobReport, Record, Validator, _json_type, _Rejected

__all__ = [
    "FORMATS",
    "Input",
    "InputError",
    "ReadOptions",
    "detect_format",
    "read_input",
    "read_jsonl",
]

Format = Literal["jsonl", "json", "har", "csv", "tsv"]
FORMATS: tuple[str, ...] = ("jsonl", "json", "har", "csv", "tsv")
_UNITS = {"jsonl": "line", "json": "element", "har": "entry", "csv": "row", "tsv": "row"}
_BOM = b"\xef\xbb\xbf"
_CHUNK = 1 << 23
_BATCH = 50_000
_EXTENSIONS: dict[str, Format] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonlines": "jsonl",
    ".log": "jsonl",
    ".json": "json",
    ".har": "har",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
}
# Monitor URL paths (facts §2): Graph/OneDrive monitors and SharePoint v2.1 operations.
_MONITOR_PATHS = ("/monitor/", "/drive/operations/")


class InputError(Exception):
    """An input that cannot be used: missing, a directory, not the format it claims, corrupt."""


@dataclass(frozen=True)
class ReadOptions:
    """Where the job key, the body, the order and the HTTP status sit in each record.

    Paths are dotted (``request.url``; a number indexes an array). For CSV they name columns:
    ``job_key`` defaults to ``job_id`` there, and ``status_column``/``percentage_column`` name
    the body's two columns. Without ``job_key``, a JSON or JSON Lines input is one job.
    """

    job_key: str | None = None
    body_key: str | None = None
    order_by: str | None = None
    http_key: str | None = None
    status_column: str = "status"
    percentage_column: str = "percentageComplete"
    format: Format | None = None


@dataclass
class Input:
    """What one input held, and how every unit of it was accounted for.

    ``records``/``lines`` are filled by :func:`read_jsonl` (one job, whole file); the streaming
    :func:`read_input` fills ``jobs`` instead.
    """

    name: str
    format: str = "jsonl"
    records: list[Record] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    lines_read: int = 0
    blank: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    unattributed: list[tuple[int, str]] = field(default_factory=list)
    jobs: list[JobReport] = field(default_factory=list)
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def unit(self) -> str:
        return _UNITS.get(self.format, "line")

    @property
    def rejected(self) -> int:
        if self.jobs or not self.records:
            return sum(j.rejected for j in self.jobs if j.violations) + len(self.unattributed)
        return sum(1 for r in self.records if not isinstance(r, dict))

    @property
    def observations(self) -> int:
        if self.jobs or not self.records:
            return sum(j.observations for j in self.jobs)
        return len(self.records) - self.rejected

    def accounting(self) -> dict[str, Any]:
        """read = observations + rejected + blank + skipped."""
        return {
            "name": self.name,
            "format": self.format,
            "unit": self.unit,
            "read": self.lines_read,
            "observations": self.observations,
            "rejected": self.rejected,
            "blank": self.blank,
            "skipped": sum(self.skipped.values()),
            "skip_reasons": dict(self.skipped),
            "jobs": len(self.jobs),
            "unattributed": [
                {"line": line, "rule": "malformed-record", "message": msg}
                for line, msg in self.unattributed
            ],
            "error": self.error,
            "notes": self.notes,
        }


# ---------------------------------------------------------------------------------------------
# Lines and values
# ---------------------------------------------------------------------------------------------

_POSITION = re.compile(r": line \d+ column \d+ \(char (\d+)\)$")


def _json_reason(exc: JSONDecodeError) -> str:
    """orjson's message, with its position given as a column of the line."""
    text = _POSITION.sub(lambda m: f" at column {int(m.group(1)) + 1}", str(exc))
    if text.startswith("str is not valid UTF-8"):
        return "invalid UTF-8 (" + text + ")"
    return "invalid JSON: " + text


def _parse_line(raw: bytes) -> Record:
    try:
        value: Record = loads(raw)
        return value
    except JSONDecodeError as exc:
        return _Rejected(_json_reason(exc))


def _truncated(rec: Record) -> Record:
    if isinstance(rec, _Rejected):
        return _Rejected(rec.reason + " (last line has no newline: truncated?)")
    return rec


def _records_of(
    raws: list[bytes], start: int, data: Input, truncated: bool
) -> tuple[list[Record], list[int]]:
    """Lines one by one: a record (or a rejection) per line, blank lines counted in ``data``;
    ``truncated``: the last line had no newline."""
    recs: list[Record] = []
    lines: list[int] = []
    for number, raw in enumerate(raws, start):
        if not raw.strip():
            data.blank += 1
            continue
        recs.append(_parse_line(raw))
        lines.append(number)
    if truncated and recs:
        recs[-1] = _truncated(recs[-1])
    return recs, lines


def _parse_lines(name: str, raw_lines: Iterable[bytes]) -> Input:
    result = Input(name)
    raws = list(raw_lines)
    if raws and raws[0].startswith(_BOM):
        raws[0] = raws[0][len(_BOM) :]
    result.lines_read = len(raws)
    truncated = bool(raws) and not raws[-1].endswith(b"\n")
    result.records, result.lines = _records_of(raws, 1, result, truncated)
    return result


def read_jsonl(source: str | Path | IO[bytes], name: str | None = None) -> Input:
    """Read one job from JSON Lines (one monitor body per line): a path, ``-`` or a binary file.

    Raises :class:`InputError` when the input cannot be opened or read.
    """
    if isinstance(source, (str, Path)):
        label = name or str(source)
        if str(source) == "-":
            return _parse_lines(name or "<stdin>", sys.stdin.buffer)
        with _open_file(str(source), label) as fh:
            try:
                return _parse_lines(label, fh)
            except OSError as exc:
                raise InputError(f"{label}: cannot read ({exc.strerror or exc})") from None
    return _parse_lines(name or str(getattr(source, "name", "<stream>")), source)


_Getter = Callable[[Any], Any]


def _getter(path: str) -> _Getter:
    """A getter for a dotted path: ``itemgetter`` for one key (fast), else a walk."""
    parts: list[Any] = [int(p) if p.isdigit() else p for p in path.split(".")]
    if len(parts) == 1 and isinstance(parts[0], str):
        return itemgetter(parts[0])

    def walk(obj: Any) -> Any:
        for p in parts:
            obj = obj[p]
        return obj

    return walk


def _job_key(get: _Getter, rec: Record, path: str) -> tuple[Any, str | None]:
    """The job key of a record, or ``None`` and why it has none."""
    if isinstance(rec, _Rejected):
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
    return None, f"job key {path!r} is {_json_type(key)}, not a string or number"


def _body(get: _Getter | None, rec: Record, path: str | None) -> Record:
    """The monitor body inside a record (a JSON string body is parsed)."""
    if get is None:
        return rec
    try:
        body = get(rec)
    except (KeyError, IndexError, TypeError):
        return _Rejected(f"record has no body at {path!r} (--body-key)")
    if isinstance(body, str):
        try:
            parsed: Record = loads(body)
            return parsed
        except JSONDecodeError as exc:
            return _Rejected(f"body at {path!r} is a string that is not JSON ({exc})")
    found: Record = body
    return found


def _http(get: _Getter | None, rec: Record) -> int | None:
    if get is None:
        return None
    try:
        code = get(rec)
    except (KeyError, IndexError, TypeError):
        return None
    return _http_status(code)


def _http_status(code: Any) -> int | None:
    """An HTTP status code (0-999) from a JSON value, or ``None``: an integer, a number with no
    fraction (``202.0``), or a string of one to three ASCII digits."""
    if isinstance(code, str):
        return int(code) if code.isascii() and code.isdigit() and len(code) <= 3 else None
    if isinstance(code, bool):
        return None
    if isinstance(code, int):
        return code if 0 <= code <= 999 else None
    if isinstance(code, float) and code.is_integer() and 0 <= code <= 999:
        return int(code) if math.copysign(1.0, code) > 0 else None
    return None


# ---------------------------------------------------------------------------------------------
# Attributing records to jobs
# ---------------------------------------------------------------------------------------------


class _Sink:
    """Gives records to their jobs: straight to the stream, or held and sorted (order_by)."""

    def __init__(self, data: Input, stream: Any, options: ReadOptions, single_key: str) -> None:
        self.data = data
        self.stream = stream
        self.opts = options
        self.single_key = single_key
        self.job_get = _getter(options.job_key) if options.job_key else None
        self.body_get = _getter(options.body_key) if options.body_key else None
        self.http_get = _getter(options.http_key) if options.http_key else None
        self.order_get = _getter(options.order_by) if options.order_by else None
        self.held: dict[Any, list[tuple[Any, int, Record, int | None]]] = {}

    def records(self, recs: list[Record], lines: list[int] | range) -> None:
        """Attribute parsed records (wrapper or body) to jobs and pass them on."""
        if not recs:
            return
        opts = self.opts
        if self.job_get is None:
            keys: list[Any] = [self.single_key] * len(recs)
        else:
            try:
                keys = list(map(self.job_get, recs))
                if not set(map(type, keys)) <= {str}:
                    raise TypeError
            except (KeyError, IndexError, TypeError, AttributeError):
                keys, kept_recs, kept_lines = [], [], []
                for rec, line in zip(recs, lines, strict=False):
                    key, why = _job_key(self.job_get, rec, opts.job_key or "")
                    if why is not None:
                        self.data.unattributed.append((line, why))
                        continue
                    keys.append(key)
                    kept_recs.append(rec)
                    kept_lines.append(line)
                recs, lines = kept_recs, kept_lines
        if self.body_get is None:
            bodies = recs
        else:
            get, path = self.body_get, opts.body_key
            try:
                bodies = list(map(get, recs))
                if not set(map(type, bodies)) == {dict}:
                    raise TypeError
            except (KeyError, IndexError, TypeError, AttributeError):
                bodies = [_body(get, r, path) for r in recs]
        http = [_http(self.http_get, r) for r in recs] if self.http_get else None
        self.bodies(keys, bodies, lines, http, recs)

    def bodies(
        self,
        keys: list[Any],
        bodies: list[Record],
        lines: list[int] | range,
        http: list[int | None] | None,
        wrappers: list[Record] | None = None,
    ) -> None:
        if self.order_get is None:
            self.stream.feed(keys, bodies, lines, http)
            return
        get, path, held = self.order_get, self.opts.order_by, self.held
        for i, (key, body, line) in enumerate(zip(keys, bodies, lines, strict=False)):
            wrapper = wrappers[i] if wrappers is not None else body
            try:
                value = get(wrapper)
            except (KeyError, IndexError, TypeError):
                value = None
            if value is None or isinstance(value, (bool, dict, list)):
                self.data.unattributed.append(
                    (line, f"record has no value to order by at {path!r} (--order-by)")
                )
                continue
            held.setdefault(key, []).append((value, line, body, http[i] if http else None))

    def close(self) -> None:
        for key, items in self.held.items():
            items.sort(key=lambda t: (isinstance(t[0], str), t[0]))
            self.stream.feed(
                [key] * len(items),
                [t[2] for t in items],
                [t[1] for t in items],
                [t[3] for t in items] if self.http_get else None,
            )
        self.held.clear()


# ---------------------------------------------------------------------------------------------
# Formats
# ---------------------------------------------------------------------------------------------


def _read_jsonl(fh: IO[bytes], data: Input, sink: _Sink, tick: Callable[[], None]) -> None:
    """JSON Lines in chunks; a clean chunk is parsed without a Python-level loop."""
    line0 = 0
    parts: list[bytes] = []
    first = True
    from jobstate._columnar import Columnar

    columnar = Columnar.create(sink, sink.stream)

    def lines_of(block: bytes, truncated: bool = False, parsed: Future[Any] | None = None) -> None:
        """Read ``block``: whole lines, each ending in a newline unless ``truncated``."""
        nonlocal line0
        n = 1 if truncated else block.count(b"\n")
        start = line0 + 1
        line0 += n
        data.lines_read = line0
        if not truncated and columnar is not None and columnar(block, n, start, parsed):
            return
        raws = block.split(b"\n")
        if not truncated:
            raws.pop()
        try:
            recs: list[Record] = list(map(loads, raws))
            lines: list[int] | range = range(start, start + n)
        except JSONDecodeError:
            recs, lines = _records_of(raws, start, data, truncated)
        sink.records(recs, lines)

    broken: BaseException | None = None

    def read_chunk() -> bytes:
        """Up to a chunk; a read error (a corrupt gzip) ends the input after what came."""
        nonlocal broken
        pieces: list[bytes] = []
        size = 0
        while size < _CHUNK:
            try:
                piece = fh.read1(_CHUNK - size)  # type: ignore[attr-defined]
            except (OSError, EOFError, zlib.error) as exc:
                broken = exc
                break
            if not piece:
                break
            pieces.append(piece)
            size += len(piece)
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    pending: tuple[bytes, Future[Any] | None] | None = None  # read, parsing, not yet checked
    while broken is None:
        chunk = read_chunk()
        if not chunk:
            break
        if first:
            first = False
            if chunk.startswith(_BOM):
                chunk = chunk[len(_BOM) :]
        cut = chunk.rfind(b"\n") + 1
        if cut == 0:  # a line longer than a chunk: hold it until its end comes
            parts.append(chunk)
            continue
        if parts:
            parts.append(chunk[:cut])
            block = b"".join(parts)
            parts.clear()
        else:
            block = chunk[:cut] if cut < len(chunk) else chunk
        if cut < len(chunk):
            parts.append(chunk[cut:])
        parsing = columnar.submit(block) if columnar is not None else None
        if pending is not None:
            lines_of(pending[0], parsed=pending[1])
        pending = (block, parsing)
        tick()
    if pending is not None:
        lines_of(pending[0], parsed=pending[1])
    if parts:
        lines_of(b"".join(parts), truncated=True)
    if broken is not None:
        raise broken


def _read_json(fh: IO[bytes], data: Input, sink: _Sink) -> None:
    raw = fh.read()
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    if not raw.strip():
        return
    try:
        doc = loads(raw)
    except JSONDecodeError as exc:
        raise InputError(f"{data.name}: not valid JSON ({_json_reason(exc)})") from None
    if isinstance(doc, list):
        data.lines_read = len(doc)
        sink.records(doc, range(1, len(doc) + 1))
    elif isinstance(doc, dict):
        data.lines_read = 1
        sink.records([doc], [1])
    else:
        raise InputError(
            f"{data.name}: JSON top level is {_json_type(doc)}, not an array or object"
        )


def _iso(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _read_har(fh: IO[bytes], data: Input, sink: _Sink, vocabulary: frozenset[str]) -> None:
    raw = fh.read()
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    try:
        doc = loads(raw)
    except JSONDecodeError as exc:
        raise InputError(f"{data.name}: not a HAR file: {_json_reason(exc)}") from None
    log = doc.get("log") if isinstance(doc, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise InputError(f"{data.name}: not a HAR file (no log.entries array)")
    data.lines_read = len(entries)
    used: list[tuple[datetime | None, int, str, Record, int | None]] = []
    skip = data.skipped
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            data.unattributed.append((number, f"HAR entry is {_json_type(entry)}, not an object"))
            continue
        req: dict[str, Any] = _obj(entry.get("request"))
        resp: dict[str, Any] = _obj(entry.get("response"))
        url = req.get("url")
        if not isinstance(url, str):
            data.unattributed.append((number, "HAR entry has no request.url"))
            continue
        parts = urlsplit(url)
        on_monitor = any(p in parts.path.lower() for p in _MONITOR_PATHS)
        code = resp.get("status")
        http = _http_status(code)
        content = _obj(resp.get("content"))
        text = content.get("text")
        body: Record = None
        why: str | None = None
        if isinstance(text, str):
            try:
                if content.get("encoding") == "base64":
                    payload = base64.b64decode(text, validate=True)
                else:
                    payload = text.encode("utf-8", "surrogatepass")
                body = loads(payload)
            except (binascii.Error, ValueError) as exc:
                mime = content.get("mimeType") or "no mimeType"
                if isinstance(exc, JSONDecodeError):
                    why = f"HTTP {http}: response body is not JSON ({mime}): {exc}"
                else:
                    why = f"HTTP {http}: response body is not valid base64 ({exc})"
        has_status = isinstance(body, dict) and body.get("status") in vocabulary
        redirect = http is not None and 300 <= http < 400
        if not (has_status or on_monitor):
            skip["not a monitor poll (URL is not a monitor path, body has no status)"] += 1
            continue
        method = req.get("method", "GET")
        if method != "GET" and not has_status:
            skip[f"{method} on a monitor URL (only GET polls are observations)"] += 1
            continue
        if not http:
            skip["no response (aborted or blocked request, status 0)"] += 1
            continue
        if redirect and not has_status:
            skip[f"HTTP {http} redirect with no status body (completion, facts §2)"] += 1
            job = parts._replace(query="", fragment="").geturl()
            data.notes.append(
                f"entry {number}: {job} answered HTTP {http} (the OneDrive doc's completion"
                " signal): the job ends there, with no status body to check"
            )
            continue
        if text is None or text == "":
            skip["monitor poll whose body the capture did not keep"] += 1
            continue
        record = _Rejected(why) if why is not None else body
        key = parts._replace(query="", fragment="").geturl()
        used.append((_iso(entry.get("startedDateTime")), number, key, record, http))
    if used and all(u[0] is not None for u in used):
        try:
            used.sort(key=lambda u: (u[0], u[1]))
        except TypeError:  # naive and aware datetimes mixed
            data.notes.append("startedDateTime mixes time zones: kept file order")
    elif used:
        data.notes.append("some entries have no valid startedDateTime: kept file order")
    sink.bodies(
        [u[2] for u in used], [u[3] for u in used], [u[1] for u in used], [u[4] for u in used]
    )


_SURROGATE = re.compile("[\udc80-\udcff]")


def _number(text: str) -> Any:
    try:
        return float(text) if any(c in text for c in ".eEnN") else int(text)
    except ValueError:
        return text


def _read_csv(
    fh: IO[bytes], data: Input, sink: _Sink, delimiter: str, tick: Callable[[], None]
) -> None:
    opts = sink.opts
    if opts.order_by is not None:
        sink.order_get = itemgetter(opts.order_by)  # a column name, never a dotted path
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.reader(text, delimiter=delimiter)
    header: list[str] | None = None
    job_col = opts.job_key or "job_id"
    cols: dict[str, int] = {}
    keys: list[Any] = []
    bodies: list[Record] = []
    lines: list[int] = []
    http: list[int | None] = []
    orders: list[Any] = []
    rows = 0
    prev_line = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rows += 1
            data.unattributed.append((reader.line_num, f"CSV error: {exc}"))
            prev_line = reader.line_num
            continue
        line = prev_line + 1  # the row's first line (a quoted field may span lines)
        prev_line = reader.line_num
        if header is None:
            if not row or not any(f.strip() for f in row):
                rows += 1
                data.blank += 1
                continue
            if any(_SURROGATE.search(f) for f in row):
                raise InputError(f"{data.name}: line {line}: the CSV header is not valid UTF-8")
            header = [h.strip() for h in row]
            cols = {h: i for i, h in enumerate(header)}
            missing = [c for c in (job_col, opts.status_column) if c not in cols]
            if missing:
                raise InputError(
                    f"{data.name}: line {line}: CSV header has no column "
                    + " or ".join(repr(m) for m in missing)
                    + f" (columns: {', '.join(header)}); name them with --job-key"
                    " / --status-column"
                )
            for opt, name in (("--order-by", opts.order_by), ("--http-key", opts.http_key)):
                if name is not None and name not in cols:
                    raise InputError(
                        f"{data.name}: CSV header has no column {name!r} ({opt});"
                        f" columns: {', '.join(header)}"
                    )
            continue
        rows += 1
        if not row or (len(row) == 1 and not row[0].strip()):
            data.blank += 1
            continue
        if len(row) != len(header):
            data.unattributed.append(
                (line, f"row has {len(row)} fields, the header has {len(header)}")
            )
            continue
        if any(_SURROGATE.search(f) for f in row):
            data.unattributed.append((line, "invalid UTF-8 in the row"))
            continue
        key = row[cols[job_col]].strip()
        if not key:
            data.unattributed.append((line, f"row has an empty {job_col!r}"))
            continue
        body: dict[str, Any] = {}
        status = row[cols[opts.status_column]].strip()
        if status:
            body["status"] = status
        pi = cols.get(opts.percentage_column)
        if pi is not None and row[pi].strip():
            body["percentageComplete"] = _number(row[pi].strip())
        keys.append(key)
        bodies.append(body)
        lines.append(line)
        if opts.http_key is not None:
            http.append(_http_status(row[cols[opts.http_key]].strip()))
        if opts.order_by is not None:
            cell = row[cols[opts.order_by]].strip()
            orders.append(_number(cell) if cell else None)
        if len(bodies) >= _BATCH:
            _csv_flush(sink, keys, bodies, lines, http, orders)
            tick()
    _csv_flush(sink, keys, bodies, lines, http, orders)
    data.lines_read = rows
    text.detach()  # the caller closes the binary stream


def _csv_flush(
    sink: _Sink,
    keys: list[Any],
    bodies: list[Record],
    lines: list[int],
    http: list[int | None],
    orders: list[Any],
) -> None:
    if not bodies:
        return
    order_key = sink.opts.order_by
    wrappers: list[Record] | None = (
        [{order_key: o} for o in orders] if order_key is not None else None
    )
    sink.bodies(list(keys), list(bodies), list(lines), list(http) or None, wrappers)
    for buf in (keys, bodies, lines, http, orders):
        buf.clear()


# ---------------------------------------------------------------------------------------------
# Opening, detection, reading
# ---------------------------------------------------------------------------------------------


def _strip_gz(name: str) -> str:
    return name[:-3] if name.lower().endswith(".gz") else name


def detect_format(name: str, head: bytes) -> Format:
    """The format of an input from its name and its first bytes (decompressed).

    >>> detect_format("polls.jsonl.gz", b'{"status": "inProgress"}')
    'jsonl'
    >>> detect_format("-", b'{"log": {"version": "1.2", "entries": []}}')
    'har'
    >>> detect_format("export", b"job_id,status,percentageComplete\\n")
    'csv'
    """
    ext = os.path.splitext(_strip_gz(name))[1].lower()
    if ext in (".har", ".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".jsonlines"):
        return _EXTENSIONS[ext]
    text = head[len(_BOM) :] if head.startswith(_BOM) else head
    text = text.lstrip()
    first_line = text.partition(b"\n")[0]
    if text.startswith(b"{"):
        try:
            value = loads(first_line)
        except JSONDecodeError:
            value = None
        if isinstance(value, dict):
            if isinstance(value.get("log"), dict):
                return "har"
            return "jsonl"
        # one object over several lines: a JSON document (HAR files are such documents)
        return "har" if re.match(rb'\{\s*"log"\s*:', text) else "json"
    if text.startswith(b"["):
        return "json"
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    if first_line and b"\0" not in first_line:
        try:
            header = first_line.decode("utf-8")
        except UnicodeDecodeError:
            return "jsonl"
        if "\t" in header:
            return "tsv"
        if "," in header and not header.lstrip().startswith(('"', "{")):
            return "csv"
    return "jsonl"


def _open_file(path: str, label: str) -> IO[bytes]:
    """``path`` opened for binary reading, or :class:`InputError` saying why it cannot be."""
    try:
        if os.path.isdir(path):
            raise InputError(f"{label}: is a directory, not a file")
        return open(path, "rb")
    except FileNotFoundError:
        raise InputError(f"{label}: no such file") from None
    except PermissionError:
        raise InputError(f"{label}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{label}: cannot read ({exc.strerror or exc})") from None


def _open(source: str) -> tuple[IO[bytes], IO[bytes], int, Callable[[], int]]:
    """The input as a binary stream (decompressed), the file under it, its size on disk, and a
    progress probe."""
    if source == "-":
        raw: IO[bytes] = sys.stdin.buffer
        size = 0
    else:
        raw = _open_file(source, source)
        size = os.fstat(raw.fileno()).st_size
    buffered: Any = raw if hasattr(raw, "peek") else io.BufferedReader(raw)

    def position() -> int:
        try:
            return raw.tell()
        except OSError:
            return 0

    try:
        magic = buffered.peek(2)[:2]
    except OSError as exc:
        raise InputError(f"{source}: cannot read ({exc})") from None
    if magic == b"\x1f\x8b":
        gz = gzip.GzipFile(fileobj=buffered)
        return io.BufferedReader(gz, 1 << 16), raw, size, position
    return buffered, raw, size, position


def _head(fh: IO[bytes], name: str) -> bytes:
    try:
        return fh.peek(1 << 16)[: 1 << 16]  # type: ignore[attr-defined, no-any-return]
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{name}: corrupt gzip ({exc})") from None


def read_input(
    source: str,
    validator: Validator,
    options: ReadOptions = ReadOptions(),
    *,
    explain: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Input:
    """Read one input (a path or ``-``), validating its jobs as they stream by.

    Raises :class:`InputError` when the input cannot be used at all. An input that breaks off
    (a corrupt gzip, a read error) keeps what was read before, with ``error`` set.
    """
    from jobstate._stream import Stream

    name = "<stdin>" if source == "-" else source
    fh, raw, size, position = _open(source)
    try:
        head = _head(fh, name)
        fmt: Format = options.format or detect_format(source, head)
        data = Input(name, fmt)
        stream = Stream(validator, input=name, explain=explain)
        sink = _Sink(data, stream, options, name)

        def tick() -> None:
            if progress is not None:
                progress(position(), size)

        try:
            if fmt == "jsonl":
                _read_jsonl(fh, data, sink, tick)
            elif fmt == "json":
                _read_json(fh, data, sink)
            elif fmt == "har":
                from jobstate.spec import get_spec

                ignored = [
                    opt
                    for opt, value in (
                        ("--job-key", options.job_key),
                        ("--body-key", options.body_key),
                        ("--http-key", options.http_key),
                        ("--order-by", options.order_by),
                    )
                    if value is not None
                ]
                if ignored:
                    data.notes.append(
                        f"{', '.join(ignored)} not used: a HAR has one job per monitor URL, in"
                        " startedDateTime order, with each entry's own HTTP status"
                    )

                _read_har(fh, data, sink, frozenset(get_spec("any").names))
            else:
                _read_csv(fh, data, sink, "\t" if fmt == "tsv" else ",", tick)
        except (OSError, EOFError, zlib.error) as exc:
            gz = isinstance(exc, (gzip.BadGzipFile, EOFError, zlib.error))
            what = "corrupt gzip" if gz else "read error"
            data.error = f"{name}: {what} after {data.lines_read} {data.unit}s ({exc})"
        sink.close()
        data.jobs = stream.reports()
        return data
    finally:
        if raw is not sys.stdin.buffer:
            fh.close()
            raw.close()
