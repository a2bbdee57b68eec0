"""JSON through orjson (one place, so the library can be swapped)."""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["JSONDecodeError", "dumps", "loads"]

JSONDecodeError = orjson.JSONDecodeError
loads = orjson.loads


def dumps(value: Any, *, indent: bool = False) -> bytes:
    """``value`` as UTF-8 JSON bytes."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else 0)
