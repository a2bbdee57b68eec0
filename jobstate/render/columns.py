"""What the JSON and text writers share to have polars write many clean jobs at once: the
polars module, and templates cut from the writers' own text of a sample job.

>>> cut("job K: 3 polls", {"K": "key", "3": "polls"})
['job ', 'key', ': ', 'polls', ' polls']
>>> cut("job K: K", {"K": "key"}) is None
True
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

__all__ = ["cut", "fill", "polars_for"]


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
