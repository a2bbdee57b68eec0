"""JSON Lines: whole-line blocks of about 8 MB, each parsed in one go where it can be (the
polars fast path, or one ``orjson`` call per line with no other Python work), else line by
line; the next block is parsed in the background while this one is checked."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import IO, Any

from jobstate._json import JSONDecodeError, loads
from jobstate.readers.fields import records_of, strip_bom
from jobstate.readers.jsonl_polars import PolarsJsonlReader
from jobstate.readers.routing import JobRouter, Lines
from jobstate.results import InputSummary, Record

__all__ = ["CHUNK", "read_jsonl"]

CHUNK = 1 << 23
"""How many bytes one block reads (a line longer than that is held until its end)."""

_Pending = tuple[bytes, "Future[Any] | None", bool]


def read_jsonl(
    fh: IO[bytes], summary: InputSummary, router: JobRouter, tick: Callable[[], None]
) -> None:
    """Read JSON Lines from ``fh``; a read error (a corrupt gzip) ends the input after what
    came before it, and is raised once that is checked."""
    fast = PolarsJsonlReader.create(router)
    checker = _BlockChecker(summary, router, fast)
    blocks = _Blocks(fh)
    pending: _Pending | None = None
    for block, truncated in blocks:
        parsing = fast.submit(block) if fast is not None and not truncated else None
        if pending is not None:
            checker.check(*pending)
        pending = (block, parsing, truncated)
        if not truncated:
            tick()
    if pending is not None:
        checker.check(*pending)
    if blocks.error is not None:
        raise blocks.error


class _Blocks:
    """The whole-line blocks of a stream, a BOM stripped; the last may be ``truncated`` (no
    final newline). A read error ends the iteration and is kept in :attr:`error`."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.error: BaseException | None = None

    def __iter__(self) -> Iterator[tuple[bytes, bool]]:
        parts: list[bytes] = []
        first = True
        while self.error is None:
            chunk = self._read_chunk()
            if not chunk:
                break
            if first:
                first = False
                chunk = strip_bom(chunk)
            cut = chunk.rfind(b"\n") + 1
            if cut == 0:  # a line longer than a chunk: hold it until its end comes
                parts.append(chunk)
                continue
            if parts:
                parts.append(chunk[:cut])
                block = b"".join(parts)
                parts.clear()
            else:
                block = chunk[:cut] if cut < len(chunk) else chunk
            if cut < len(chunk):
                parts.append(chunk[cut:])
            yield block, False
        if parts:
            yield b"".join(parts), True

    def _read_chunk(self) -> bytes:
        pieces: list[bytes] = []
        size = 0
        while size < CHUNK:
            try:
                piece = self.fh.read1(CHUNK - size)  # type: ignore[attr-defined]
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

    def check(self, block: bytes, parsed: Future[Any] | None, truncated: bool) -> None:
        """Read ``block``: whole lines, each ending in a newline unless ``truncated``."""
        n = 1 if truncated else block.count(b"\n")
        start = self.line0 + 1
        self.line0 += n
        self.summary.units_read = self.line0
        if not truncated and self.fast is not None and self.fast.try_feed(block, n, start, parsed):
            return
        raws = block.split(b"\n")
        if not truncated:
            raws.pop()
        lines: Lines
        try:
            recs: list[Record] = list(map(loads, raws))
            lines = range(start, start + n)
        except JSONDecodeError:
            recs, lines = records_of(raws, start, self.summary, truncated)
        self.router.route_records(recs, lines)
