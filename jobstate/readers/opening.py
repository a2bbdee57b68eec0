"""Opening an input: a path or ``-``, gzip recognised by its magic bytes, the format detected
from the name and the first bytes."""

from __future__ import annotations

import gzip
import io
import os
import re
import sys
import zlib
from typing import IO, Any

from jobstate._constants import Format
from jobstate._json import JSONDecodeError, loads
from jobstate.exceptions import InputError
from jobstate.readers.fields import strip_bom

__all__ = ["EXTENSIONS", "Opened", "detect_format", "open_file", "peek_head"]

EXTENSIONS: dict[str, Format] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonlines": "jsonl",
    ".log": "jsonl",
    ".json": "json",
    ".har": "har",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
}
_DECISIVE = (".har", ".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".jsonlines")
"""Extensions that decide the format whatever the content (``.json`` and ``.log`` do not)."""
_GZIP_BUFFER = 1 << 16
_HEAD = 1 << 16
"""How many decompressed bytes format detection reads."""


def _strip_gz(name: str) -> str:
    return name[:-3] if name.lower().endswith(".gz") else name


def detect_format(name: str, head: bytes) -> Format:
    """The format of an input from its name and its first bytes (decompressed).

    >>> detect_format("polls.jsonl.gz", b'{"status": "inProgress"}')
    'jsonl'
    >>> detect_format("-", b'{"log": {"version": "1.2", "entries": []}}')
    'har'
    >>> detect_format("export", b"job_id,status,percentageComplete\\n")
    'csv'
    """
    ext = os.path.splitext(_strip_gz(name))[1].lower()
    if ext in _DECISIVE:
        return EXTENSIONS[ext]
    text = strip_bom(head).lstrip()
    first_line = text.partition(b"\n")[0]
    if text.startswith(b"{"):
        return _json_object_format(text, first_line)
    if text.startswith(b"["):
        return "json"
    if ext in EXTENSIONS:
        return EXTENSIONS[ext]
    return _text_format(first_line)


def _json_object_format(text: bytes, first_line: bytes) -> Format:
    try:
        value = loads(first_line)
    except JSONDecodeError:
        value = None
    if isinstance(value, dict):
        return "har" if isinstance(value.get("log"), dict) else "jsonl"
    # one object over several lines: a JSON document (HAR files are such documents)
    return "har" if re.match(rb'\{\s*"log"\s*:', text) else "json"


def _text_format(first_line: bytes) -> Format:
    if not first_line or b"\0" in first_line:
        return "jsonl"
    try:
        header = first_line.decode("utf-8")
    except UnicodeDecodeError:
        return "jsonl"
    if "\t" in header:
        return "tsv"
    if "," in header and not header.lstrip().startswith(('"', "{")):
        return "csv"
    return "jsonl"


def open_file(path: str, label: str) -> IO[bytes]:
    """``path`` opened for binary reading, or :class:`InputError` saying why it cannot be."""
    try:
        if os.path.isdir(path):
            raise InputError(f"{label}: is a directory, not a file")
        return open(path, "rb")
    except FileNotFoundError:
        raise InputError(f"{label}: no such file") from None
    except PermissionError:
        raise InputError(f"{label}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{label}: cannot read ({exc.strerror or exc})") from None


class Opened:
    """An input (a path, or ``-`` for standard input) opened for reading, or
    :class:`InputError`: ``stream`` (decompressed), the file under it, its size on disk, and
    :meth:`position` in that file (for progress)."""

    def __init__(self, source: str) -> None:
        self.stdin = source == "-"
        if self.stdin:
            self.raw: IO[bytes] = sys.stdin.buffer
            self.size = 0
        else:
            self.raw = open_file(source, source)
            self.size = os.fstat(self.raw.fileno()).st_size
        buffered: Any = self.raw if hasattr(self.raw, "peek") else io.BufferedReader(self.raw)
        try:
            magic = buffered.peek(2)[:2]
        except OSError as exc:
            self.close()
            raise InputError(f"{source}: cannot read ({exc})") from None
        self.stream: IO[bytes] = buffered
        if magic == b"\x1f\x8b":
            gz = gzip.GzipFile(fileobj=buffered)
            self.stream = io.BufferedReader(gz, _GZIP_BUFFER)

    def position(self) -> int:
        try:
            return self.raw.tell()
        except OSError:
            return 0

    def close(self) -> None:
        if not self.stdin:
            self.stream.close()
            self.raw.close()


def peek_head(fh: IO[bytes], name: str) -> bytes:
    """The first decompressed bytes, for format detection (nothing is consumed)."""
    try:
        return fh.peek(_HEAD)[:_HEAD]  # type: ignore[attr-defined, no-any-return]
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{name}: corrupt gzip ({exc})") from None
