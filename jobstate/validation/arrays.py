"""The arrays :class:`~jobstate.validation.stream.Stream` checks a batch with: their types, a
batch in job order (:class:`Batch`), the clean runs it hands back (:class:`Tails`), and the
small operations both use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import repeat
from operator import is_, methodcaller
from typing import Any, NamedTuple, Protocol

import numpy as np

__all__ = [
    "Batch",
    "Bodies",
    "Bools",
    "Codes",
    "Floats",
    "Ints",
    "Tails",
    "by_order",
    "columns_of",
    "count_up_to",
    "http_errors",
    "job_order",
]

Ints = np.ndarray[Any, np.dtype[np.int64]]
Codes = np.ndarray[Any, np.dtype[np.int16]]
Floats = np.ndarray[Any, np.dtype[np.float64]]
Bools = np.ndarray[Any, np.dtype[np.bool_]]


class Bodies(Protocol):
    """A batch's bodies by index (the polars path parses them only when asked)."""

    def __len__(self) -> int: ...

    def __getitem__(self, i: int) -> Any: ...


def http_errors(http: Sequence[int | None] | Ints | None, n: int) -> Bools:
    """Which answers are HTTP errors (4xx/5xx): their jobs take the general path, which tells
    an error answer, an expired monitor and a transient 5xx apart."""
    if http is None:
        return np.zeros(n, dtype=bool)
    if not isinstance(http, np.ndarray):
        http = np.fromiter((-1 if c is None else c for c in http), np.int64, n)
    result: Bools = http >= 400
    return result


class Tails(NamedTuple):
    """The clean runs of a batch's jobs between their records on the general path (see
    :func:`~jobstate.validation.carry.clean_runs`): per run the position of the record it
    follows (the general path's last before it), its record count, last status code, baseline
    after it (NaN: none) unless ``keep`` (the Checker's own stands), lowest and highest line."""

    last: Ints
    records: Ints
    code: Codes
    base: Floats
    keep: Bools
    low: Ints
    high: Ints


def job_order(local: Ints) -> Ints | None:
    """The order that groups a batch's rows by job, keeping their order within each job;
    ``None`` where they are grouped already (local ids never fall: each job's rows in one
    run). A stable sort on small ints is a radix sort."""
    n = len(local)
    if n < 2 or not (local[1:] < local[:-1]).any():
        return None
    small = local.astype(np.uint16) if int(local.max()) < 1 << 16 else local
    order: Ints = np.argsort(small, kind="stable")
    return order


def by_order(values: Any, order: Ints | None) -> Any:
    """``values`` in ``order`` (``None``: as they are)."""
    return values if order is None else values[order]


def count_up_to(at: Ints, n: int) -> Ints:
    """For each of ``n`` positions, how many of the ascending positions ``at`` are at or before
    it: ``np.cumsum`` of a mask true at ``at``, by ``np.repeat`` (numpy's cumulative sum of
    booleans measured ten times slower on 100,000 rows)."""
    counts = np.diff(at, prepend=0, append=n)
    result: Ints = np.repeat(np.arange(len(at) + 1), counts)
    return result


class Batch:
    """One batch's records in job order (``s*``: sorted columns) and its job groups."""

    def __init__(self, sid: Ints, sc: Codes, sv: Floats, n: int) -> None:
        self.sid, self.sc, self.sv, self.n = sid, sc, sv, n
        self.first: Bools = np.empty(n, dtype=bool)
        self.first[0] = True
        np.not_equal(sid[1:], sid[:-1], out=self.first[1:])
        self.fpos: Ints = np.flatnonzero(self.first)
        self.lpos: Ints = np.append(self.fpos[1:] - 1, n - 1)  # each group's last position
        self.gjob: Ints = sid[self.fpos]
        self.group: Ints = count_up_to(self.fpos, n) - 1
        self.sp: Bools = np.zeros(n, dtype=bool)
        self.seg: Ints = np.zeros(n, dtype=np.int64)
        self.seg_before: Ints = np.zeros(n, dtype=np.int64)
        self.idx: Ints = np.zeros(0, dtype=np.int64)
        self.reset: Bools = np.zeros(n, dtype=bool)


_NUMBER_TYPES = frozenset({int, float, type(None)})


def columns_of(
    bodies: Sequence[Any],
    code: Mapping[str, int],
    none: int,
    status_field: str,
    progress_field: str | None,
) -> tuple[Any, ...] | None:
    """Status codes (``code`` of each body's ``status_field``, ``none`` for anything else),
    progress values (``progress_field``; all absent without one), and the masks of absent and
    badly typed ones, of a batch of bodies; ``None`` where a number is too large for the
    arrays."""
    n = len(bodies)
    get_status = methodcaller("get", status_field)
    try:
        statuses = list(map(get_status, bodies))
    except (AttributeError, TypeError):
        not_a_body = {status_field: None}
        bodies = [b if b.__class__ is dict else not_a_body for b in bodies]
        statuses = list(map(get_status, bodies))
    try:
        codes = np.fromiter(map(code.get, statuses, repeat(none)), np.int16, n)
    except TypeError:  # an unhashable status
        get = code.get
        codes = np.fromiter(
            (get(s, none) if s.__class__ is str else none for s in statuses), np.int16, n
        )
    if progress_field is None:
        return codes, np.full(n, np.nan), np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
    pcts = list(map(methodcaller("get", progress_field), bodies))
    absent = np.fromiter(map(is_, pcts, repeat(None)), dtype=bool, count=n)
    mistyped = np.zeros(n, dtype=bool)
    if not set(map(type, pcts)) <= _NUMBER_TYPES:
        typed = np.fromiter(map(_NUMBER_TYPES.__contains__, map(type, pcts)), bool, n)
        mistyped = ~typed
        pcts = [p if t else None for p, t in zip(pcts, typed.tolist(), strict=True)]
    try:
        values = np.array(pcts, dtype=np.float64)
    except OverflowError:  # an integer too large for a double: let the general path say
        return None
    return codes, values, absent, mistyped
