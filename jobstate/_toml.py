"""TOML parsing on every supported Python (the standard library's ``tomllib`` from 3.11, its
twin ``tomli`` before), and the one reader of a small TOML or JSON document that spec files,
client models and configuration share."""

from __future__ import annotations

import os
import stat
import sys
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["TOMLDecodeError", "load_document", "loads", "read_small_file"]

TOMLDecodeError = tomllib.TOMLDecodeError


def loads(text: str) -> dict[str, Any]:
    """The TOML document ``text`` as a dict (:class:`TOMLDecodeError` when it is not TOML)."""
    data: dict[str, Any] = tomllib.loads(text)
    return data


def load_document(text: str | bytes, *, toml: bool) -> Any:
    """A TOML (``toml``) or JSON document, or :class:`ValueError` saying why it is not one:
    not UTF-8, not TOML or JSON, or nested deeper than the parser goes.

    >>> load_document('a = 1', toml=True), load_document(b'[1]', toml=False)
    ({'a': 1}, [1])
    """
    if toml:
        try:
            return loads(text.decode("utf-8") if isinstance(text, bytes) else text)
        except UnicodeDecodeError as exc:
            raise ValueError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        except TOMLDecodeError as exc:
            raise ValueError(f"not TOML ({exc})") from None
        except RecursionError:
            raise ValueError("not TOML (nested too deeply)") from None
    from jobstate._json import JSONDecodeError
    from jobstate._json import loads as json_loads

    try:
        return json_loads(text)
    except JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc})") from None


def read_small_file(path: str, cap: int, what: str) -> bytes:
    """The bytes of a file that should be small (a spec, a trace), or :class:`ValueError`: it
    cannot be read, is not a regular file (a FIFO would make ``open`` wait, a device never
    ends), or holds more than ``cap`` bytes (``what`` names it in the message)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise ValueError(f"a {what} is a regular file, not a pipe or a device")
        with open(path, "rb") as fh:
            data = fh.read(cap + 1)
    except OSError as exc:
        raise ValueError(f"cannot read ({exc.strerror or exc})") from None
    if len(data) > cap:
        raise ValueError(f"over {cap:,} bytes, which is no {what}")
    return data
