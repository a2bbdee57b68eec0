"""What both polars readers (JSON Lines chunks, Parquet slices) do with a batch of columns: job
keys to ids, HTTP statuses to codes, and statuses and percentages into the numpy stream, inside
polars and numpy (no object per row)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy loads only when a check runs
    from jobstate.validation.stream import Stream

__all__ = ["feed_polars", "first_seen", "http_codes", "job_ids"]


def first_seen(pl: Any, keys: Any) -> tuple[list[str], Any]:
    """The distinct keys of a text column in order of first appearance, and each row's index
    among them (a numpy array), mapped with a polars Enum."""
    import numpy as np

    distinct = keys.unique(maintain_order=True).to_list()
    return distinct, keys.cast(pl.Enum(distinct)).to_physical().to_numpy().astype(np.int64)


def job_ids(pl: Any, keys: Any, stream: Stream) -> tuple[Any, Any]:
    """The stream's job ids of a column of text keys, and ids local to the batch (0 ..
    distinct-1, in order of first appearance)."""
    import numpy as np

    distinct, local = first_seen(pl, keys)
    return np.array(stream.job_ids(distinct), dtype=np.int64)[local], local


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
    names, codes, none = stream.status_codes()
    coded = status.replace_strict(names, codes, default=none, return_dtype=pl.Int16).to_numpy()
    values = pct.cast(pl.Float64).to_numpy()
    stream.feed_columns(ids, local, coded, values, pct.is_null().to_numpy(), lines, bodies, http)
