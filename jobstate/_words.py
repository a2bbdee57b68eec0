"""Words for messages: counts with their noun in the right number, untrusted text made inert."""

from __future__ import annotations

__all__ = ["inert", "plural", "shortened"]


def plural(count: int, word: str) -> str:
    """``count`` and ``word``, plural when it should be.

    >>> plural(1, "entry"), plural(1200, "entry"), plural(0, "line")
    ('1 entry', '1,200 entries', '0 lines')
    """
    if count == 1:
        return f"{count:,} {word}"
    many = _PLURALS.get(word)
    if many is None:  # worked out once per word: a report says "observations" a million times
        many = _PLURALS[word] = word[:-1] + "ies" if word.endswith("y") else word + "s"
    return f"{count:,} {many}"


_PLURALS: dict[str, str] = {}


def inert(text: object) -> str:
    """``text`` safe to print: every character that is not printable (control characters,
    escapes, bidirectional overrides, lone surrogates) written as a visible escape.

    >>> inert("op-9\\rOK\\x1b[2J"), inert("caf\\u00e9 ok")
    ('op-9\\\\rOK\\\\x1b[2J', 'café ok')
    """
    s = text if isinstance(text, str) else str(text)
    if s.isprintable():
        return s
    return "".join(c if c.isprintable() else _escape(c) for c in s)


def shortened(text: object, limit: int = 120) -> str:
    """``text`` made :func:`inert` and cut to about ``limit`` characters, saying its length
    when cut: an untrusted value (a status, a URL, a key) may be a megabyte long.

    >>> shortened("x" * 1000, 8)
    'xxxxxxxx… (1,000 characters)'
    >>> shortened("fine\\x00", 8)
    'fine\\\\x00'
    """
    s = text if isinstance(text, str) else str(text)
    if len(s) <= limit:
        return inert(s)
    return f"{inert(s[:limit])[:limit]}… ({len(s):,} characters)"


def _escape(c: str) -> str:
    n = ord(c)
    if c in _NAMED:
        return _NAMED[c]
    if n < 0x100:
        return f"\\x{n:02x}"
    if n < 0x10000:
        return f"\\u{n:04x}"
    return f"\\U{n:08x}"


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
