"""What both polars readers (JSON Lines chunks, Parquet slices) do with a batch of columns: job
keys to ids, HTTP statuses to codes, and statuses and percentages into the numpy stream, inside
polars and numpy (no object per row)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy loads only when a check runs
    from jobstate.validation.stream import Stream

__all__ = [
    "feed_polars",
    "first_seen",
    "global_ids",
    "http_codes",
    "job_ids",
    "runs",
    "seen_in_runs",
]

RUNS_AT_MOST = 4
"""A column is mapped run by run when it has at most one run of equal values in this many
rows (a file's rows grouped by job); else value by value, inside polars."""


def runs(column: Any) -> tuple[Any, Any] | None:
    """The values of ``column``'s runs of equal values (a polars Series) and the runs' lengths
    (a numpy array), or ``None`` where the runs are too many for that to pay (see
    :data:`RUNS_AT_MOST`).

    >>> import polars as pl
    >>> values, lengths = runs(pl.Series(["a"] * 6 + ["b"] * 5 + ["a"]))
    >>> values.to_list(), lengths.tolist()
    (['a', 'b', 'a'], [6, 5, 1])
    >>> runs(pl.Series(["a", "b", "a", "b"])) is None
    True
    """
    found = column.rle()
    if len(found) * RUNS_AT_MOST > len(column):
        return None
    return found.struct.field("value"), found.struct.field("len").to_numpy()


def first_seen(pl: Any, keys: Any) -> tuple[list[str], Any]:
    """The distinct keys of a text column in order of first appearance, and each row's index
    among them (a numpy array): run by run where rows come grouped (each run its own key where
    no key has two runs), else with a polars Enum."""
    grouped = runs(keys)
    if grouped is not None:
        return seen_in_runs(*grouped)
    import numpy as np

    distinct = keys.unique(maintain_order=True).to_list()
    return distinct, keys.cast(pl.Enum(distinct)).to_physical().to_numpy().astype(np.int64)


def seen_in_runs(values: Any, lengths: Any) -> tuple[list[str], Any]:
    """What :func:`first_seen` gives for rows that come in runs (``values`` and ``lengths``,
    from :func:`runs`): each run its own key where no key has two runs."""
    import numpy as np

    if values.n_unique() == len(values):
        return values.to_list(), np.repeat(np.arange(len(values), dtype=np.int64), lengths)
    index: dict[str, int] = {}
    at = [index.setdefault(v, len(index)) for v in values.to_list()]
    return list(index), np.repeat(np.array(at, dtype=np.int64), lengths)


def global_ids(stream: Stream, seen: tuple[list[str], Any]) -> Any:
    """The stream's job ids of the rows that :func:`first_seen` mapped to ``seen``."""
    import numpy as np

    distinct, local = seen
    return np.array(stream.job_ids(distinct), dtype=np.int64)[local]


def job_ids(pl: Any, keys: Any, stream: Stream) -> tuple[Any, Any]:
    """The stream's job ids of a column of text keys, and ids local to the batch (0 ..
    distinct-1, in order of first appearance)."""
    seen = first_seen(pl, keys)
    return global_ids(stream, seen), seen[1]


def http_codes(values: Any) -> Any:
    """HTTP statuses from an array of floats: whole numbers 0-999 as they are, anything else
    -1 (not an HTTP status), as :func:`~jobstate.readers.fields.http_status` reads one value."""
    import numpy as np

    ok = (values == np.floor(values)) & (values >= 0) & (values <= 999) & ~np.signbit(values)
    return np.where(ok, values, -1).astype(np.int64)


def feed_polars(
    pl: Any,
    stream: Stream,
    ids: Any,
    local: Any,
    status: Any,
    pct: Any,
    http: Any,
    lines: Sequence[int],
    bodies: Any,
) -> None:
    """Hand one batch to ``stream``: ``status`` (text) and ``pct`` (numbers) polars columns,
    ``http`` codes or ``None``; ``bodies`` is read only for the rows of irregular jobs."""
    import numpy as np

    names, codes, none = stream.status_codes()
    grouped = runs(status)
    if grouped is not None:
        code = dict(zip(names, codes, strict=True))
        values, lengths = grouped
        coded = np.array([code.get(v, none) for v in values.to_list()], np.int16)
        coded = np.repeat(coded, lengths)
    else:
        coded = status.replace_strict(names, codes, default=none, return_dtype=pl.Int16)
        coded = coded.to_numpy()
    values = pct.cast(pl.Float64).to_numpy()
    stream.feed_columns(ids, local, coded, values, pct.is_null().to_numpy(), lines, bodies, http)
