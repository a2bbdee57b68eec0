"""Readers: turn captured files into records for the validator, accounting for every line.

Every line read is either a record (a JSON value: an object is an observation, anything else a
rejected line that the validator reports as ``malformed-record``) or blank, so that
``lines_read == records + blank`` always holds.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from jobstate._json import JSONDecodeError, loads
from jobstate.validation import Record, _Rejected

__all__ = ["Input", "InputError", "read_jsonl"]

_BOM = b"\xef\xbb\xbf"


class InputError(Exception):
    """An input that cannot be read at all (missing, a directory, unreadable)."""


@dataclass
class Input:
    """What one input held: its records in order, with the line each came from."""

    name: str
    records: list[Record] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    lines_read: int = 0
    blank: int = 0

    @property
    def rejected(self) -> int:
        return sum(1 for r in self.records if not isinstance(r, dict))

    def accounting(self) -> dict[str, Any]:
        """Lines read = observations + rejected + blank."""
        rejected = self.rejected
        return {
            "name": self.name,
            "lines_read": self.lines_read,
            "observations": len(self.records) - rejected,
            "rejected": rejected,
            "blank": self.blank,
        }


_POSITION = re.compile(r": line \d+ column \d+ \(char (\d+)\)$")


def _json_reason(exc: JSONDecodeError) -> str:
    """orjson's message, with its position given as a column of the line."""
    text = _POSITION.sub(lambda m: f" at column {int(m.group(1)) + 1}", str(exc))
    if text.startswith("str is not valid UTF-8"):
        return "invalid UTF-8 (" + text + ")"
    return "invalid JSON: " + text


def _parse_lines(name: str, raw_lines: Iterable[bytes]) -> Input:
    result = Input(name)
    records, lines = result.records, result.lines
    number = 0
    last_had_newline = True
    for number, raw in enumerate(raw_lines, start=1):
        if number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        last_had_newline = raw.endswith(b"\n")
        if not raw.strip():
            result.blank += 1
            continue
        try:
            value = loads(raw)
        except JSONDecodeError as exc:
            records.append(_Rejected(_json_reason(exc)))
        else:
            records.append(value)
        lines.append(number)
    result.lines_read = number
    if records and not last_had_newline and isinstance(records[-1], _Rejected):
        records[-1] = _Rejected(records[-1].reason + " (last line has no newline: truncated?)")
    return result


def read_jsonl(source: str | Path | IO[bytes], name: str | None = None) -> Input:
    """Read JSON Lines (one monitor body per line) from a path, ``-`` (stdin) or a binary file.

    Raises :class:`InputError` when the input cannot be opened or read.
    """
    if isinstance(source, (str, Path)):
        label = name or str(source)
        if str(source) == "-":
            return _parse_lines(name or "<stdin>", sys.stdin.buffer)
        try:
            with open(source, "rb") as fh:
                return _parse_lines(label, fh)
        except FileNotFoundError:
            raise InputError(f"{label}: no such file") from None
        except IsADirectoryError:
            raise InputError(f"{label}: is a directory, not a file") from None
        except OSError as exc:
            raise InputError(f"{label}: cannot read ({exc.strerror or exc})") from None
    return _parse_lines(name or str(getattr(source, "name", "<stream>")), source)
