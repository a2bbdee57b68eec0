"""Parquet: one row per poll, columns named as for CSV (``job_id``, ``status``,
``percentageComplete``, or ``--job-key``, ``--status-column``, ``--percentage-column``;
``--http-key`` and ``--order-by`` name columns too), read with polars (the ``fast`` extra) and
handed on in slices of rows. Values keep their Parquet types: a percentage stored as text is a
``percentage-type`` error, as it would be in JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from jobstate._constants import PCT
from jobstate.exceptions import InputError
from jobstate.readers.fields import http_status
from jobstate.readers.routing import JobRouter
from jobstate.results import InputSummary, Record

__all__ = ["BATCH", "read_parquet"]

BATCH = 100_000
"""Rows handed to the router at a time."""


def read_parquet(
    fh: IO[bytes], summary: InputSummary, router: JobRouter, tick: Callable[[], None]
) -> None:
    """Read a Parquet file from ``fh`` (its columns are loaded whole, then passed on in
    slices)."""
    try:
        import polars as pl
    except ImportError:
        raise InputError(
            f"{summary.name}: reading Parquet needs polars: pip install 'jobstate[fast]'"
        ) from None
    try:
        df = pl.read_parquet(fh)
    except Exception as exc:  # polars raises its own error types for a damaged file
        raise InputError(f"{summary.name}: not a readable Parquet file ({exc})") from None
    cols = _columns(df.columns, router, summary.name)
    for name in (cols["order"],):
        if name is not None and df.schema[name].is_temporal():
            df = df.with_columns(pl.col(name).cast(pl.String))  # RFC 3339 text, read as times
    start = 1
    for part in df.iter_slices(BATCH):
        _route(part, cols, start, summary, router)
        start += part.height
        tick()
    summary.units_read = df.height


def _columns(names: list[str], router: JobRouter, file: str) -> dict[str, str | None]:
    opts = router.opts
    want = {
        "job": opts.job_key or "job_id",
        "status": opts.status_column,
        "http": opts.http_key,
        "order": opts.order_by,
        "time": opts.time_key,
    }
    missing = [c for c in want.values() if c is not None and c not in names]
    if missing:
        raise InputError(
            f"{file}: the Parquet file has no column " + " or ".join(repr(m) for m in missing)
            + f" (columns: {', '.join(names)}); name them with --job-key / --status-column"
            " / --http-key / --order-by / --time-key"
        )  # fmt: skip
    from operator import itemgetter

    if opts.order_by is not None:  # column names, never dotted paths
        router.order_get = itemgetter(opts.order_by)
    if opts.time_key is not None:
        router.time_get = itemgetter(opts.time_key)
    return {**want, "pct": opts.percentage_column if opts.percentage_column in names else None}


def _route(
    part: Any, cols: dict[str, str | None], start: int, summary: InputSummary, router: JobRouter
) -> None:
    """Give one slice's rows to their jobs; a row with no job key is rejected at its row."""
    n = part.height
    raw_keys = part.get_column(cols["job"]).to_list()
    statuses = part.get_column(cols["status"]).to_list()
    pcts = part.get_column(cols["pct"]).to_list() if cols["pct"] else [None] * n
    codes = part.get_column(cols["http"]).to_list() if cols["http"] else None
    extra = [(c, part.get_column(c).to_list()) for c in (cols["order"], cols["time"]) if c]
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
        body: dict[str, Any] = {}
        status = statuses[i]
        if status is not None and status != "":
            body["status"] = status
        if pcts[i] is not None:
            body[PCT] = pcts[i]
        keys.append(key if isinstance(key, str) else str(key))
        bodies.append(body)
        lines.append(start + i)
        if codes is not None:
            http.append(http_status(codes[i]))
        # what order_by and time_key read (a datetime keeps its type: read as a time)
        wrappers.append({name: values[i] for name, values in extra})
    router.route_bodies(keys, bodies, lines, http if codes is not None else None,
                        wrappers if extra else None)  # fmt: skip
