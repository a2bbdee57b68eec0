"""TOML parsing on every supported Python: the standard library's ``tomllib`` from 3.11, its
twin ``tomli`` before."""

from __future__ import annotations

import sys
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["TOMLDecodeError", "loads"]

TOMLDecodeError = tomllib.TOMLDecodeError


def loads(text: str) -> dict[str, Any]:
    """The TOML document ``text`` as a dict (:class:`TOMLDecodeError` when it is not TOML)."""
    data: dict[str, Any] = tomllib.loads(text)
    return data
