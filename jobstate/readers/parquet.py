"""Parquet: one row per poll, columns named as for CSV (``job_id``, ``status``,
``percentageComplete``, or ``--job-key``, ``--status-column``, ``--percentage-column``;
``--http-key`` and ``--order-by`` name columns too), read with polars (the ``fast`` extra) in
batches and handed on in slices of :data:`BATCH` rows. Values keep their Parquet types: a
percentage stored as text is a ``percentage-type`` error, as it would be in JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any, cast

from jobstate.exceptions import InputError
from jobstate.readers.fields import http_status
from jobstate.readers.parts import number_parts, same_columns
from jobstate.readers.polars_columns import feed_polars, first_seen, global_ids, http_codes
from jobstate.readers.routing import JobRouter
from jobstate.results import InputSummary, Record

if TYPE_CHECKING:  # numpy loads only when a check runs
    from jobstate.validation.stream import Stream

__all__ = ["BATCH", "parquet_columns", "read_parquet", "row_body"]

BATCH = 100_000
"""Rows handed to the router at a time."""


def read_parquet(
    fh: IO[bytes],
    summary: InputSummary,
    router: JobRouter,
    tick: Callable[[float], None],
    path: str | list[str] | None = None,
) -> None:
    """Read a Parquet file, or a folder's or glob's files as one table (``path`` a list):
    from ``path`` in batches of rows, so memory grows with the jobs, not the file; else whole
    from ``fh`` (standard input or gzip: a Parquet reader needs the footer first). A file
    damaged past its footer breaks off as a read error after the rows before."""
    try:
        import polars as pl
    except ImportError:
        raise InputError(
            f"{summary.name}: reading Parquet needs polars (pip install 'jobstate-graph[fast]')"
            " or, for --engine duckdb, duckdb (pip install 'jobstate-graph[sql]')"
        ) from None
    try:
        # a path is a path: no glob ('p[1].parquet' is that file, not p1.parquet)
        lf = pl.scan_parquet(path, glob=False) if path is not None else pl.read_parquet(fh).lazy()
        schema = lf.collect_schema()
        if isinstance(path, list):
            _parts(pl, path, summary)
    except Exception as exc:  # polars raises its own error types for a damaged file
        what = (
            "readable Parquet files of one table"
            if isinstance(path, list)
            else "a readable Parquet file"
        )
        raise InputError(f"{summary.name}: not {what} ({exc})") from None
    cols = parquet_columns(list(schema.names()), router, summary.name)
    read, decode = _byte_columns(pl, lf, schema, cols, path, summary)
    if read is not lf:  # byte columns cast to text: their schema again, else the same
        lf, schema = read, read.collect_schema()
    order = cols["order"]
    if order is not None and schema[order].is_temporal():
        lf = lf.with_columns(pl.col(order).cast(pl.String))  # RFC 3339 text, read as times
        schema = lf.collect_schema()
    columnar = None if decode else _Columnar.create(pl, schema, cols, router)
    if order is not None and columnar is not None:
        if _feed_sorted(lf, columnar, summary):
            tick(1.0)
            return
        columnar = None  # a row to reject, or values that sort as text: row by row
    total = lf.select(pl.len()).collect().item() or 1  # from the footer: no rows read
    start = 1
    for part in _slices(pl, lf):
        if columnar is None or not columnar.feed(part, start):
            _route(part, cols, start, summary, router, decode)
        start += part.height
        summary.units_read = start - 1
        tick(summary.units_read / total)


def _parts(pl: Any, paths: list[str], summary: InputSummary) -> None:
    """Number the rows through a folder's or glob's files, from their footers (files whose
    columns differ are refused)."""
    scans = [pl.scan_parquet(p, glob=False) for p in paths]
    columns = [[f"{k} {v}" for k, v in scan.collect_schema().items()] for scan in scans]
    same_columns(summary, paths, columns)
    number_parts(summary, paths, [int(scan.select(pl.len()).collect().item()) for scan in scans])


def _byte_columns(
    pl: Any,
    lf: Any,
    schema: Any,
    cols: dict[str, str | None],
    path: str | list[str] | None,
    summary: InputSummary,
) -> tuple[Any, frozenset[str]]:
    """Read the columns jobstate uses that are bytes as their writer meant them
    (:mod:`~jobstate.readers.parquet_types`): as text, and a JSON column's values decoded
    row by row (the names returned) from its text."""
    from jobstate.readers.parquet_types import NO_READER_NOTE, json_columns

    extension = getattr(pl, "Extension", ())  # pyarrow's JSON type, in polars 1.35 on
    used = {c for c in cols.values() if c is not None}
    binary = sorted(c for c in used if schema[c] == pl.Binary)
    typed = sorted(c for c in used if isinstance(schema[c], extension))
    if not binary and not typed:
        return lf, frozenset()
    first = path[0] if isinstance(path, list) else path  # a table's files share one schema
    found = json_columns(first, binary + typed) if first is not None else None
    if found is None:
        summary.notes.append(NO_READER_NOTE.format(names=", ".join(map(repr, binary + typed))))
    lf = lf.with_columns(
        *(pl.col(c).ext.storage().cast(pl.String, strict=False) for c in typed),
        *(pl.col(c).cast(pl.String, strict=False) for c in binary),
    )
    return lf, frozenset(found or ())


def _slices(pl: Any, lf: Any) -> Iterator[Any]:
    """``lf``'s rows in slices of exactly :data:`BATCH` (the last one shorter), in file order,
    read in batches where polars can (``collect_batches``)."""
    batches = getattr(lf, "collect_batches", None)
    held: list[Any] = []
    size = 0
    try:
        source = batches(chunk_size=BATCH, maintain_order=True) if batches else [lf.collect()]
        for batch in source:
            held.append(batch)
            size += batch.height
            while size >= BATCH:
                frame = pl.concat(held, rechunk=False) if len(held) > 1 else held[0]
                yield frame.slice(0, BATCH)
                rest = frame.slice(BATCH)
                held, size = ([rest] if rest.height else []), rest.height
    except (Exception, pl.exceptions.PanicException) as exc:  # a damaged row group
        raise OSError(f"a damaged Parquet file ({exc})") from None
    if held:
        yield pl.concat(held, rechunk=False) if len(held) > 1 else held[0]


def _feed_sorted(lf: Any, columnar: _Columnar, summary: InputSummary) -> bool:
    """``--order-by`` by columns: every job's rows sorted by the order column (as numbers, or as
    RFC 3339 instants), ties in row order, by one ``numpy.lexsort``; then fed as the columnar
    way feeds, in the row-by-row way's batches. ``False``, nothing fed, where that way must
    speak instead: a row without a job key or order value, a redirect without a status, values
    that sort as text or past int64."""
    from jobstate.readers.ordering import column_positions
    from jobstate.readers.routing import FLUSH_BATCH

    pl, cols = columnar.pl, columnar.cols
    frame = lf.collect()
    if not columnar.usable(frame):
        return False
    keys = frame.get_column(cols["job"]).cast(pl.String)
    positions = column_positions(pl, keys, frame.get_column(cols["order"]))
    if positions is None:
        return False
    frame = frame[pl.Series(positions)]
    rows = (positions + 1).tolist()
    for a in range(0, frame.height, FLUSH_BATCH):
        part = frame.slice(a, FLUSH_BATCH)
        columnar.feed(part, rows[a : a + FLUSH_BATCH])
    summary.units_read = frame.height
    return True


class _Rows:
    """A slice's bodies built only when the general path asks for one (irregular jobs): value
    by value for the first few, then from the whole columns as lists (which costs about what
    an eighth of the rows one by one does)."""

    def __init__(self, statuses: Any, pcts: Any, keys: tuple[str, str | None]) -> None:
        self.statuses, self.pcts, self.keys = statuses, pcts, keys
        self.cache: tuple[list[Any], list[Any]] | None = None
        self.singles = len(statuses) // 8

    def __len__(self) -> int:
        return len(self.statuses)

    def __getitem__(self, i: int) -> Record:
        if self.cache is None:
            if self.singles > 0:
                self.singles -= 1
                return row_body(self.statuses[i], self.pcts[i], self.keys)
            self.cache = (self.statuses.to_list(), self.pcts.to_list())
        return row_body(self.cache[0][i], self.cache[1][i], self.keys)


class _Columnar:
    """Slices straight into the stream's arrays: job keys to ids and statuses to codes inside
    polars, no object per row (only irregular jobs' rows become bodies, on the general path).
    Taken when the stream is columnar and nothing is timed (``time_key``; ``order_by`` sorts
    the whole file first, see :func:`_feed_sorted`),
    statuses are text, percentages numbers, job keys text or integers and HTTP statuses
    numbers; a slice with an empty job key goes the row-by-row way. A property test shows
    both ways give the same report."""

    def __init__(self, pl: Any, cols: dict[str, str | None], router: JobRouter) -> None:
        self.pl, self.cols, self.router = pl, cols, router
        self.stream = cast("Stream", router.stream)

    @classmethod
    def create(
        cls, pl: Any, schema: Any, cols: dict[str, str | None], router: JobRouter
    ) -> _Columnar | None:
        opts = router.opts
        if opts.time_key or not router.stream.columnar:
            return None
        if router.stream.explain:
            return None
        job, status, pct, http = cols["job"], cols["status"], cols["pct"], cols["http"]
        if schema[status] != pl.String or not (
            schema[job] == pl.String or schema[job].is_integer()
        ):
            return None
        for name in (pct, http):  # a Decimal is no JSON number: the rows say percentage-type
            if name is not None and not (schema[name].is_float() or schema[name].is_integer()):
                return None
        return cls(pl, cols, router)

    def usable(self, part: Any) -> bool:
        """Whether the columnar way reads these rows as the row-by-row way would: every row has
        a job key, and no redirect comes without a status (a completion: the router's job)."""
        return self._checked(part) is not None

    def _checked(self, part: Any) -> tuple[tuple[list[str], Any], Any] | None:
        """The rows' job keys as :func:`first_seen` maps them and HTTP codes (``None`` without
        the column), or ``None`` where they are not :meth:`usable` (blank is as ``str.strip``
        says, as the row-by-row way asks it)."""
        pl, cols = self.pl, self.cols
        keys = part.get_column(cols["job"]).cast(pl.String)
        if keys.null_count():
            return None
        seen = first_seen(pl, keys)
        if not all(map(str.strip, seen[0])):
            return None
        if not cols["http"]:
            return seen, None
        column = part.get_column(cols["http"]).cast(pl.Float64).fill_null(-1.0)
        http = http_codes(column.to_numpy())
        status = part.get_column(cols["status"])
        bare = (status.is_null() | (status == "")).to_numpy()
        if ((http >= 300) & (http < 400) & bare).any():
            return None
        return seen, http

    def feed(self, part: Any, start: int | list[int]) -> bool:
        """Validate one slice, rows numbered from ``start`` (or numbered by it, a list);
        ``False`` if it must go row by row."""
        checked = self._checked(part)
        if checked is None:
            return False
        seen, http = checked
        pl, cols = self.pl, self.cols
        n = part.height
        status = part.get_column(cols["status"])
        pct = (
            part.get_column(cols["pct"]) if cols["pct"] else pl.Series([None] * n, dtype=pl.Float64)
        )
        self.router.shape_checked = True
        ids = global_ids(self.stream, seen)
        lines = range(start, start + n) if isinstance(start, int) else start
        feed_polars(
            pl,
            self.stream,
            ids,
            seen[1],
            status,
            pct,
            http,
            lines,
            _Rows(status, pct, self.router.body_keys),
        )
        return True


def row_body(status: Any, pct: Any, keys: tuple[str, str | None]) -> dict[str, Any]:
    """A row's monitor body, as every way of reading Parquet (and CSV) builds it, under
    ``keys``: the spec's status field and progress field (``None``: it has none)."""
    body: dict[str, Any] = {}
    if status is not None and status != "":
        body[keys[0]] = status
    if pct is not None and keys[1] is not None:
        body[keys[1]] = pct
    return body


def parquet_columns(names: list[str], router: JobRouter, file: str) -> dict[str, str | None]:
    """The columns the options name (``pct``: ``None`` when the file has none), or an
    :class:`~jobstate.InputError` naming the missing ones."""
    opts = router.opts
    want = {
        "job": opts.job_key or "job_id",
        "status": opts.status_column or router.body_keys[0],
        "http": opts.http_key,
        "order": opts.order_by,
        "time": opts.time_key,
    }
    missing = [c for c in want.values() if c is not None and c not in names]
    if missing:
        raise InputError(
            f"{file}: the Parquet file has no column "
            + " or ".join(repr(m) for m in missing)
            + f" (columns: {', '.join(names)}); name them with --job-key / --status-column"
            " / --http-key / --order-by / --time-key"
        )
    from operator import itemgetter

    if opts.order_by is not None:  # column names, never dotted paths
        router.order_get = itemgetter(opts.order_by)
    if opts.time_key is not None:
        router.time_get = itemgetter(opts.time_key)
    pct = opts.percentage_column or router.body_keys[1]
    return {**want, "pct": pct if pct in names else None}


def _route(
    part: Any,
    cols: dict[str, str | None],
    start: int,
    summary: InputSummary,
    router: JobRouter,
    decode: frozenset[str] = frozenset(),
) -> None:
    """Give one slice's rows to their jobs; a row with no job key is rejected at its row.
    The columns in ``decode`` hold JSON text: each value is read as the JSON value it holds."""
    from jobstate.readers.parquet_types import json_value

    def values(name: str) -> list[Any]:
        column = part.get_column(name).to_list()
        return [json_value(v) for v in column] if name in decode else column

    n = part.height
    raw_keys = values(cast(str, cols["job"]))
    statuses = values(cast(str, cols["status"]))
    pcts = values(cols["pct"]) if cols["pct"] else [None] * n
    codes = values(cols["http"]) if cols["http"] else None
    extra = [(c, values(c)) for c in (cols["order"], cols["time"]) if c]
    keys: list[Any] = []
    bodies: list[Record] = []
    lines: list[int] = []
    http: list[int | None] = []
    wrappers: list[Record] = []
    for i in range(n):
        key = raw_keys[i]
        if key is None or (isinstance(key, str) and not key.strip()):
            summary.reject(start + i, f"row has an empty {cols['job']!r}")
            continue
        body = row_body(statuses[i], pcts[i], router.body_keys)
        keys.append(key if isinstance(key, str) else str(key))
        bodies.append(body)
        lines.append(start + i)
        if codes is not None:
            http.append(http_status(codes[i]))
        # what order_by and time_key read (a datetime keeps its type: read as a time)
        wrappers.append({name: values[i] for name, values in extra})
    router.route_bodies(
        keys, bodies, lines, http if codes is not None else None, wrappers if extra else None
    )
