"""Words for messages: counts with their noun in the right number."""

from __future__ import annotations

__all__ = ["plural"]


def plural(count: int, word: str) -> str:
    """``count`` and ``word``, plural when it should be.

    >>> plural(1, "entry"), plural(1200, "entry"), plural(0, "line")
    ('1 entry', '1,200 entries', '0 lines')
    """
    if count == 1:
        return f"{count:,} {word}"
    return f"{count:,} {word[:-1] + 'ies' if word.endswith('y') else word + 's'}"
