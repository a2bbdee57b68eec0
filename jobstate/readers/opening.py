"""Opening an input: a path or ``-``, gzip recognised by its magic bytes, the format detected
from the name and the first bytes."""

from __future__ import annotations

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

__all__ = [
    "EXTENSIONS",
    "GzipStream",
    "Opened",
    "detect_format",
    "display_name",
    "open_file",
    "peek_head",
]

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
    ".parquet": "parquet",
}
_DECISIVE = (".har", ".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".jsonlines", ".parquet")
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
    if head.startswith(b"PAR1"):
        return "parquet"
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


def display_name(path: str) -> str:
    """A path as reports show it: ``<stdin>`` for ``-``, bytes that are not UTF-8 (carried by
    the OS as surrogates) written as ``\\xNN``.

    >>> display_name(os.fsdecode(b"poll\\xff.jsonl")), display_name("-")
    ('poll\\\\xff.jsonl', '<stdin>')
    """
    if path == "-":
        return "<stdin>"
    return os.fsencode(path).decode("utf-8", "backslashreplace")


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


class GzipStream(io.RawIOBase):
    """Decompressed gzip (members one after another, as ``zcat`` reads them) that hands out
    every byte before a break: a truncated stream, a corrupt block or junk after the last
    member ends the stream with an error only once all that came before it was read.

    At most ``_OUT`` bytes are inflated at a time, so a bomb costs time, not memory. A piece of
    input that fails is fed again byte by byte from a copy of the decompressor, so what is lost
    at a corrupt block is at most what zlib itself cannot decode.
    """

    _PIECE = 1 << 14
    _OUT = 1 << 20

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.inflate: Any = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.in_member = False  # bytes of the current member were fed, and it has not ended
        self.members = 0
        self.tail = b""  # compressed bytes read but not yet inflated
        self.out = b""
        self.pos = 0
        self.error: BaseException | None = None
        self.done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self.pos >= len(self.out) and not self.done:
            self._step()
        left = len(self.out) - self.pos
        if left <= 0:
            if self.error is not None:
                error, self.error = self.error, None
                raise error
            return 0
        n = min(len(buffer), left)
        buffer[:n] = memoryview(self.out)[self.pos : self.pos + n]
        self.pos += n
        return n

    def _step(self) -> None:
        """Inflate the next bytes into ``out`` (possibly none)."""
        self.out, self.pos = b"", 0
        if not self.tail:
            self.tail = self.raw.read(self._PIECE)
            if not self.tail:
                self.done = True
                if self.in_member:
                    self.error = EOFError("compressed data ends before the end of the stream")
                return
        if not self.in_member and not self._next_member():
            return
        saved = self.inflate.copy()
        try:
            self.out = self.inflate.decompress(self.tail, self._OUT)
        except zlib.error as exc:
            self.out = _salvage(saved, self.tail[: self._PIECE])
            self._stop(exc)
            return
        self.tail = self.inflate.unconsumed_tail
        if self.inflate.eof:
            self.members += 1
            self.in_member = False
            self.tail = self.inflate.unused_data

    def _next_member(self) -> bool:
        """Start the member ``tail`` begins with; ``False`` if it is padding or junk."""
        self.tail = self.tail.lstrip(b"\0")  # zero padding between members, as gzip allows
        if not self.tail:
            return False
        if not self.tail.startswith(b"\x1f\x8b"[: len(self.tail)]):
            import gzip  # its error class only (zlib inflates), so not at start-up

            self._stop(gzip.BadGzipFile(f"junk after gzip member {self.members}"))
            return False
        self.inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.in_member = True
        return True

    def _stop(self, error: BaseException) -> None:
        self.error, self.done, self.in_member = error, True, False


def _salvage(inflate: Any, piece: bytes) -> bytes:
    """What ``piece`` decodes to, fed byte by byte, up to the byte that breaks it."""
    got: list[bytes] = []
    for i in range(len(piece)):
        try:
            got.append(inflate.decompress(piece[i : i + 1]))
        except zlib.error:
            break
    return b"".join(got)


class Opened:
    """An input (a path, or ``-`` for standard input) opened for reading, or
    :class:`InputError`: ``stream`` (decompressed), the file under it, its size on disk, and
    :meth:`position` in that file (for progress)."""

    def __init__(self, source: str) -> None:
        self.name = source
        self.stdin = source == "-"
        if self.stdin:
            self.raw: IO[bytes] = sys.stdin.buffer
            self.size = 0
        else:
            self.raw = open_file(source, display_name(source))
            self.size = os.fstat(self.raw.fileno()).st_size
        buffered: Any = self.raw if hasattr(self.raw, "peek") else io.BufferedReader(self.raw)
        try:
            magic = buffered.peek(2)[:2]
        except OSError as exc:
            self.close()
            raise InputError(f"{display_name(source)}: cannot read ({exc})") from None
        self.stream: IO[bytes] = buffered
        self.compressed = magic == b"\x1f\x8b"
        if self.compressed:
            self.stream = io.BufferedReader(GzipStream(buffered), _GZIP_BUFFER)

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
