"""JSON Lines: whole-line blocks of about 8 MB, each parsed in one go where it can be (the
polars fast path, or one ``orjson`` call per line with no other Python work), else line by
line; the next block is parsed in the background while this one is checked."""

from __future__ import annotations

import io
import os
import stat
import zlib
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING

from jobstate._json import JSONDecodeError, loads
from jobstate.readers.fields import records_of, strip_bom
from jobstate.readers.routing import JobRouter, Lines
from jobstate.results import InputSummary, Record, Rejected

if TYPE_CHECKING:  # the fast path (polars, numpy, a thread pool) loads for big inputs only
    from concurrent.futures import Future

    from jobstate.readers.jsonl_polars import PolarsJsonlReader, Scan

__all__ = ["CHUNK", "PROBE", "Blocks", "read_jsonl"]

CHUNK = 1 << 23
"""How many bytes one block reads (a line longer than that is held until its end)."""

PROBE = 1 << 16
"""How many bytes before a block's end are read first, on a regular file, to end the block
at the last newline in them (see ``Blocks``)."""

PIECE = 1 << 18
"""How many bytes of a block are parsed line by line at a time (records held at once)."""
_Pending = tuple[bytes, "Future[Scan] | None", str]


def read_jsonl(
    fh: IO[bytes], summary: InputSummary, router: JobRouter, tick: Callable[[], None]
) -> None:
    """Read JSON Lines from ``fh``; a read error (a corrupt gzip) ends the input after what
    came before it, and is raised once that is checked. A line longer than the record cap
    (``ReadOptions.max_record_bytes``) is skipped without being held, and rejected."""
    fast = _fast_path(router)
    checker = _BlockChecker(summary, router, fast)
    blocks = Blocks(fh, router.opts.max_record_bytes)
    pending: _Pending | None = None
    for block, kind in blocks:
        parsing = fast.submit(block) if fast is not None and kind == LINES else None
        if pending is not None:
            checker.check(*pending)
        pending = (block, parsing, kind)
        if kind == LINES:
            tick()
    if pending is not None:
        checker.check(*pending)
    if fast is not None and fast.held and not fast.feed_sorted():
        checker.release()  # values that sort as text: line by line
    if blocks.error is not None:
        raise blocks.error


def _fast_path(router: JobRouter) -> PolarsJsonlReader | None:
    """The polars fast path, imported only where the stream checks as columns (not a small
    input)."""
    if not router.stream.columnar:
        return None
    from jobstate.readers.jsonl_polars import PolarsJsonlReader

    return PolarsJsonlReader.create(router)


LINES, TRUNCATED, OVERSIZED = "lines", "truncated", "oversized"
"""What a block holds: whole lines; the last line, with no final newline; one line over the
record cap, not held (the block is empty)."""


class Blocks:
    """The whole-line blocks of a stream, a BOM stripped, each with its kind (see ``LINES``).
    Memory stays within a chunk plus the record cap, whatever the line lengths. A read error
    ends the iteration and is kept in :attr:`error`.

    On a regular file each read ends at the last newline of its last :data:`PROBE` bytes,
    looked up first, so that a block is the bytes read, not a copy joined to the line the
    last read began (8 MB copied on the main thread, 1-5 ms a block); a line longer than
    that is read as on a stream."""

    def __init__(self, fh: IO[bytes], max_record_bytes: int) -> None:
        self.fh = fh
        self.max_record_bytes = max_record_bytes
        self.chunk = min(CHUNK, max_record_bytes)  # a line within one chunk is within the cap
        self.error: BaseException | None = None
        self.parts: list[bytes | memoryview] = []  # a line begun here, ended in a later chunk
        self.held = 0
        self.skipping = False  # inside a line over the cap: discard up to its newline
        self.positional = _regular_file(fh)

    def __iter__(self) -> Iterator[tuple[bytes, str]]:
        first = True
        while self.error is None:
            chunk = self._read_chunk()
            if not chunk:
                break
            if first:
                first = False
                chunk = strip_bom(chunk)
            if self.skipping or self.parts:
                end = chunk.find(b"\n")
                if end < 0:
                    self._hold(chunk)
                    continue
                if self.skipping or self.held + end > self.max_record_bytes:
                    yield b"", OVERSIZED
                    self._reset()
                    chunk = chunk[end + 1 :]
            yield from self._lines(chunk)
        if self.skipping:
            yield b"", OVERSIZED
        elif self.parts:
            yield b"".join(self.parts), TRUNCATED

    def _lines(self, chunk: bytes) -> Iterator[tuple[bytes, str]]:
        """The whole lines of ``chunk`` (after any held start), holding its unfinished tail."""
        if not chunk:
            return
        cut = chunk.rfind(b"\n") + 1
        if cut == 0:
            self._hold(chunk)
            return
        if self.parts:
            self.parts.append(memoryview(chunk)[:cut])  # one copy of the block: the join
            block = b"".join(self.parts)
            self._reset()
        else:
            block = chunk[:cut] if cut < len(chunk) else chunk
        if cut < len(chunk):
            self._hold(chunk[cut:])
        yield block, LINES

    def _hold(self, piece: bytes) -> None:
        if self.skipping:
            return
        self.held += len(piece)
        if self.held > self.max_record_bytes:
            self.parts.clear()
            self.skipping = True
        else:
            self.parts.append(piece)

    def _reset(self) -> None:
        self.parts.clear()
        self.held = 0
        self.skipping = False

    def _to_newline(self) -> int:
        """How many bytes to read next: a chunk, cut after the last newline of its last
        :data:`PROBE` bytes where there is one (the file read from where it was)."""
        fh = self.fh
        here = fh.tell()
        probe_at = here + self.chunk - PROBE
        if probe_at <= here:
            return self.chunk
        fh.seek(probe_at)
        try:
            cut = fh.read(PROBE).rfind(b"\n") + 1
        finally:
            fh.seek(here)
        return self.chunk - PROBE + cut if cut else self.chunk

    def _read_chunk(self) -> bytes:
        pieces: list[bytes] = []
        size = 0
        want = self.chunk
        if self.positional:
            try:
                want = self._to_newline()
            except (OSError, ValueError) as exc:
                self.error = exc
                return b""
        while size < want:
            try:
                piece = self.fh.read1(want - size)  # type: ignore[attr-defined]
            except (OSError, EOFError, zlib.error) as exc:
                self.error = exc
                break
            if not piece:
                break
            pieces.append(piece)
            size += len(piece)
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)


class _BlockChecker:
    """Numbers the lines of each block and hands its records to the router."""

    def __init__(
        self, summary: InputSummary, router: JobRouter, fast: PolarsJsonlReader | None
    ) -> None:
        self.summary = summary
        self.router = router
        self.fast = fast
        self.line0 = 0

    def check(self, block: bytes, parsed: Future[Scan] | None, kind: str) -> None:
        """Read ``block``: whole lines, each ending in a newline unless ``kind`` says the block
        is the last line, with none, or one line over the cap."""
        truncated = kind != LINES
        scan = None
        if not truncated and self.fast is not None:  # its newlines are found in the background
            scan = parsed.result() if parsed is not None else self.fast.scan(block)
        n = 1 if truncated else len(scan.ends) if scan is not None else block.count(b"\n")
        start = self.line0 + 1
        self.line0 += n
        self.summary.units_read = self.line0
        if kind == OVERSIZED:
            self.release()
            cap = self.router.opts.max_record_bytes
            why = f"line longer than {cap:,} bytes (--max-record-bytes): skipped unread"
            self.router.route_records([Rejected(why)], [start])
            return
        if scan is not None and self.fast is not None and self.fast.try_feed(block, start, scan):
            return
        if kind == TRUNCATED and self.fast is not None and self.fast.holding:
            whole = block + b"\n"  # the last line, ended: held as columns if it can be
            if self.fast.try_feed(whole, start, self.fast.scan(whole)):
                return
        self.release()
        if truncated:
            self._lines(block, start, truncated=True)
            return
        self._route(block, start)

    def release(self) -> None:
        """Read the chunks the fast path held for ``order_by`` line by line, in input order
        (before this block, or at the end when they sort as text); from now on all are."""
        if self.fast is not None:
            for chunk in self.fast.take_held():
                self._route(chunk.block, chunk.start)

    def _route(self, block: bytes, start: int) -> None:
        """Route ``block``'s whole lines, numbered from ``start``, in pieces: parsed records
        cost many times the bytes."""
        pos = 0
        while pos < len(block):
            end = block.find(b"\n", pos + PIECE - 1) + 1 or len(block)
            piece = block[pos:end]
            start = self._lines(piece, start, truncated=False)
            pos = end

    def _lines(self, piece: bytes, start: int, *, truncated: bool) -> int:
        """Route the records of ``piece``'s lines, numbered from ``start``; the next number."""
        raws = piece.split(b"\n")
        if not truncated:
            raws.pop()
        lines: Lines
        try:
            recs: list[Record] = list(map(loads, raws))
            lines = range(start, start + len(raws))
        except JSONDecodeError:
            recs, lines = records_of(raws, start, self.summary, truncated)
        self.router.route_records(recs, lines)
        return start + len(raws)


def _regular_file(fh: IO[bytes]) -> bool:
    """Whether ``fh`` reads a regular file directly (not a pipe, not decompressed), so that
    it can be read at an offset and back."""
    raw = getattr(fh, "raw", None)
    if not isinstance(fh, io.BufferedReader) or not isinstance(raw, io.FileIO):
        return False
    try:
        return stat.S_ISREG(os.fstat(raw.fileno()).st_mode) and fh.seekable()
    except (OSError, ValueError):
        return False
