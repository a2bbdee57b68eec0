"""JSON through orjson (one place, so the library can be swapped)."""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["JSONDecodeError", "dumps", "loads"]

JSONDecodeError = orjson.JSONDecodeError
loads = orjson.loads


def dumps(value: Any, *, indent: bool = False) -> bytes:
    """``value`` as UTF-8 JSON bytes (strings that are not valid UTF-8, such as file names
    with undecodable bytes, are written with those bytes escaped)."""
    option = orjson.OPT_INDENT_2 if indent else 0
    try:
        return orjson.dumps(value, option=option)
    except TypeError:
        return orjson.dumps(_clean(value), option=option)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value
