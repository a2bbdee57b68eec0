"""What the JSON and text writers share to have polars write many clean jobs at once: the
polars module, templates cut from the writers' own text of a sample job, and a thread that
fills one window while the next is made.

>>> cut("job K: 3 polls", {"K": "key", "3": "polls"})
['job ', 'key', ': ', 'polls', ' polls']
>>> cut("job K: K", {"K": "key"}) is None
True
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

    from jobstate.results import JobTable

__all__ = ["CLEAN_COLUMNS", "OneBehind", "clean_frame", "cut", "fill", "joined_keys", "polars_for"]

T = TypeVar("T")

CLEAN_COLUMNS = ("key", "outcome", "observations", "first", "last")
"""The columns of a clean job a template is filled from (:func:`clean_frame`)."""


def polars_for(wanted: bool | None) -> Any:
    """The polars module: where already loaded (``None``: a big input's reader loaded it, and
    a writer never imports it on its own), imported (``True``), or not at all (``False``)."""
    if wanted is None:
        return sys.modules.get("polars")
    if not wanted:
        return None
    import polars

    return polars


def cut(text: str, marks: Mapping[str, str]) -> list[str] | None:
    """``text`` as literal pieces around column names: even places hold text, odd places the
    name ``marks`` gives the mark found there; ``None`` where a mark is not found exactly once
    (an input's name holds it, say)."""
    if any(text.count(m) != 1 for m in marks):
        return None
    pieces, at = [], 0
    for pos, mark in sorted((text.index(m), m) for m in marks):
        if pos < at:  # marks that overlap
            return None
        pieces += [text[at:pos], marks[mark]]
        at = pos + len(mark)
    return [*pieces, text[at:]]


def fill(pl: Any, template: list[str]) -> Any:
    """The polars expression that writes ``template`` (from :func:`cut`) for each row."""
    return pl.concat_str(
        [pl.lit(p) if i % 2 == 0 else pl.col(p).cast(pl.String) for i, p in enumerate(template)]
    )


def joined_keys(keys: Sequence[str | None]) -> str | None:
    """A window's keys as one text, for the writers to ask something of all of them at once
    (far faster than of each); ``None`` where a job has no key.

    >>> joined_keys(["a", "bc"]), joined_keys(["a", None])
    ('abc', None)
    """
    try:
        return "".join(cast("Sequence[str]", keys))
    except TypeError:  # a job without a key
        return None


def clean_frame(pl: Any, table: JobTable, a: int, b: int) -> Any:
    """Jobs ``a`` to ``b`` of ``table`` as a polars frame of ``CLEAN_COLUMNS``, or ``None``
    where polars cannot hold a value (a lone surrogate, a number beyond 64 bits)."""
    columns = (table.keys, table.outcomes, table.counts, table.first, table.last)
    types = (pl.String, pl.String, pl.Int64, pl.Int64, pl.Int64)
    try:
        return pl.DataFrame(
            [col[a:b] for col in columns],
            schema=dict(zip(CLEAN_COLUMNS, types, strict=True)),
            orient="col",
        )
    except Exception:
        return None


class OneBehind(Generic[T]):
    """Calls run on a thread of their own (polars releases the GIL), taken back in order one
    call behind: :meth:`put` starts one and gives what the one before it returned, so the
    caller makes the next window meanwhile. The thread starts on first use and stops on exit.

    >>> with OneBehind[int]() as behind:
    ...     behind.put(abs, -1), behind.put(abs, -2), behind.drain(), behind.drain()
    ([], [1], [2], [])
    """

    def __init__(self) -> None:
        self.pool: ThreadPoolExecutor | None = None
        self.last: Future[T] | None = None

    def put(self, call: Callable[..., T], *args: Any) -> list[T]:
        """Start ``call(*args)``; what the call before it returned (none: the first)."""
        if self.pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self.pool = ThreadPoolExecutor(1, thread_name_prefix="jobstate-render")
        now = self.pool.submit(call, *args)
        done = self.drain()
        self.last = now
        return done

    def drain(self) -> list[T]:
        """What the last call returned, if one is still to be taken back."""
        last, self.last = self.last, None
        return [last.result()] if last is not None else []

    def __enter__(self) -> OneBehind[T]:
        return self

    def __exit__(self, *_: object) -> None:
        if self.pool is not None:
            self.pool.shutdown()
