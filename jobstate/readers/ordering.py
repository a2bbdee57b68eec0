"""Sorting held records (``--order-by``): every job's records by their values, all jobs at once.

Values sort as numbers if all are numbers, as instants if all are RFC 3339 times, else as
text. Ties keep the input order. Where the values allow it the sort is one stable
``numpy.lexsort`` over (job, value); RFC 3339 times are read by polars, where it is installed
and the values are many, for the shapes it reads exactly (the rest one by one, as
:func:`~jobstate.readers.fields.rfc3339_ns` does; a property test holds the two equal).

>>> order_positions([0, 1, 0, 1], ["2026-01-01T00:00:01Z", 5, "2026-01-01T00:00:00Z", 4]).kind
'text'
>>> list(order_positions([0, 1, 0, 1], [3, 9, 1, 2]).positions)
[2, 0, 3, 1]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, NamedTuple

import numpy as np

from jobstate.readers.fields import rfc3339_ns

__all__ = ["Ordered", "column_positions", "order_positions", "rfc3339_ns_many"]

Kind = Literal["numbers", "times", "text"]


class Ordered(NamedTuple):
    """Where each record goes: ``positions`` lists the records job by job (jobs in the order of
    their ids), each job's by value. ``odd``: for ``text``, the position of the first value
    (job by job) that is neither a number nor a time, ``None`` when the values mix the two."""

    positions: list[int]
    kind: Kind
    odd: int | None = None


def order_positions(jobs: Sequence[int], values: Sequence[Any]) -> Ordered:
    """The order of records ``values`` (held for jobs ``jobs``, numbered from 0 in the order
    they were first seen): by job, then by value, ties in input order."""
    job = np.asarray(jobs, dtype=np.int64)
    types = set(map(type, values))
    if types <= {int, float}:
        keys = _number_keys(values, types)
        if keys is None:
            return Ordered(_per_job(job, values, _identity), "numbers")
        return Ordered(np.lexsort((keys, job)).tolist(), "numbers")
    times = _times(values, types)
    if None not in times:
        try:
            stamps = np.array(times, dtype=np.int64)
        except OverflowError:  # beyond 1677-2262: Python ints sort them
            return Ordered(_per_job(job, times, _identity), "times")
        return Ordered(np.lexsort((stamps, job)).tolist(), "times")
    neither = [i for i, t in enumerate(times) if t is None and type(values[i]) not in (int, float)]
    odd = min(neither, key=lambda i: (jobs[i], i)) if neither else None
    return Ordered(_per_job(job, values, _as_text), "text", odd)


def column_positions(pl: Any, keys: Any, values: Any) -> Any | None:
    """:func:`order_positions` for polars columns (``keys``: the job keys as text, ``None`` for
    one job) whose values are all numbers or all RFC 3339 text: a numpy array; ``None`` where
    the row-by-row way must sort instead (a value missing, NaN, no time, past int64)."""
    if values.null_count():
        return None
    if values.dtype.is_integer():
        order = values.cast(pl.Int64, strict=False)
    elif values.dtype.is_float() and not values.is_nan().any():
        order = values.cast(pl.Float64)
    elif values.dtype == pl.String:
        order = pl.Series(rfc3339_ns_many(values.to_list()), dtype=pl.Int64, strict=False)
    else:
        return None
    if order.null_count():
        return None
    from jobstate.readers.polars_columns import first_seen

    jobs = first_seen(pl, keys)[1] if keys is not None else np.zeros(len(values), np.int64)
    return np.lexsort((order.to_numpy(), jobs))


def _number_keys(values: Sequence[Any], types: set[type]) -> np.ndarray[Any, Any] | None:
    """The numbers as one numpy array that sorts exactly as Python does, else ``None``."""
    if types <= {int}:
        try:
            return np.array(values, dtype=np.int64)
        except OverflowError:
            return None
    keys = np.array(values, dtype=np.float64)
    if np.isnan(keys).any():  # Python's order around a NaN is its own: keep it
        return None
    if int in types and any(type(v) is int and abs(v) > 2**53 for v in values):
        return None  # not every such integer is a float
    return keys


def _times(values: Sequence[Any], types: set[type]) -> list[int | None]:
    """Each value's nanoseconds since the epoch if it is an RFC 3339 string, else ``None``."""
    return rfc3339_ns_many(values) if types <= {str} else list(map(rfc3339_ns, values))


def _per_job(
    job: np.ndarray[Any, Any], values: Sequence[Any], key: Callable[[Any], Any]
) -> list[int]:
    """The general order: each job's positions sorted by ``key`` of their values (stable)."""
    grouped = np.argsort(job, kind="stable").tolist()
    counts = np.bincount(job).tolist() if len(job) else []
    out: list[int] = []
    start = 0
    for n in counts:
        part = grouped[start : start + n]
        part.sort(key=lambda i: key(values[i]))
        out += part
        start += n
    return out


def _identity(value: Any) -> Any:
    return value


def _as_text(value: Any) -> tuple[bool, Any]:
    return (isinstance(value, str), value)  # numbers before strings, each in their own order


MANY = 4096
"""From how many values polars (where installed) reads the RFC 3339 times."""

_SHAPE = (  # what the polars way reads: ASCII digits, nothing around (the rest: one by one)
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]+)?"
    r"(?:[Zz]|[+-][0-9]{2}:?[0-9]{2})?$"
)


def rfc3339_ns_many(values: Sequence[str], many: int = MANY) -> list[int | None]:
    """:func:`~jobstate.readers.fields.rfc3339_ns` of each value; from ``many`` values on, the
    common shapes read by polars where it is installed.

    >>> rfc3339_ns_many(["1970-01-01T00:00:01.5Z", "soon"], many=1)
    [1500000000, None]
    """
    if len(values) < many:
        return _one_by_one(values)
    try:
        import polars as pl
    except ImportError:
        return _one_by_one(values)
    read = _polars_ns(pl, values)
    if read.null_count() == 0:
        return list(read.to_list())
    return [
        ns if ns is not None else rfc3339_ns(v)
        for ns, v in zip(read.to_list(), values, strict=True)
    ]


def _one_by_one(values: Sequence[str]) -> list[int | None]:
    seen: dict[str, int | None] = {}
    out = []
    for v in values:
        ns = seen.get(v, -1)
        if ns == -1:
            ns = seen[v] = rfc3339_ns(v)
        out.append(ns)
    return out


def _polars_ns(pl: Any, values: Sequence[str]) -> Any:
    """Nanoseconds of the values of the common shape within 1678-2261 (int64 range), null for
    any other (which :func:`rfc3339_ns` then reads, or refuses)."""
    c = pl.col("s")

    def part(a: int, n: int) -> Any:
        return c.str.slice(a, n).cast(pl.Int64, strict=False)

    rest = c.str.slice(19)
    zone = rest.str.extract(r"([+-][0-9]{2}:?[0-9]{2})$", 1)
    sign = pl.when(zone.str.starts_with("-")).then(-1).otherwise(1)
    offset = (zone.str.slice(1, 2).cast(pl.Int64) * 60 + zone.str.slice(-2).cast(pl.Int64)) * 60
    fraction = rest.str.extract(r"^[.,]([0-9]+)", 1).str.slice(0, 9).str.pad_end(9, "0")
    day = c.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).cast(pl.Int64)
    h, mi, sec = part(11, 2), part(14, 2), part(17, 2)
    seconds = day * 86_400 + h * 3600 + mi * 60 + sec - (sign * offset).fill_null(0)
    ns = seconds * 1_000_000_000 + fraction.cast(pl.Int64).fill_null(0)
    fits = c.str.contains(_SHAPE) & part(0, 4).is_between(1678, 2261)
    exists = day.is_not_null() & (h <= 23) & (mi <= 59) & (sec <= 59)
    return (
        pl.DataFrame({"s": pl.Series(values, dtype=pl.String)})
        .select(pl.when(fits & exists).then(ns).otherwise(None))
        .to_series()
    )
