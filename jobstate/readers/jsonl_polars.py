"""The JSON Lines fast path: whole chunks parsed into columns by polars (the ``fast`` extra).

Only a chunk whose every line polars and orjson must read alike is taken; anything else is read
line by line by :mod:`jobstate.readers.jsonl`. A property test checks both give the same report.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from jobstate._constants import PCT
from jobstate.readers.fields import body_at, parse_line
from jobstate.readers.polars_columns import feed_polars, http_codes, job_ids
from jobstate.readers.routing import JobRouter
from jobstate.results import Record

if TYPE_CHECKING:  # numpy loads only when a check runs
    from jobstate.validation.stream import Stream

__all__ = ["LazyBodies", "PolarsJsonlReader", "Scan"]

_POOL: ThreadPoolExecutor | None = None
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
"""An escaped surrogate: orjson refuses a lone one where polars takes it (pairs are rare)."""
_ESCAPED_KEY = re.compile(rb'"(?:[^"\\\n]|\\.)*\\(?:[^"\\\n]|\\.)*"\s*:')
"""A key written with an escape: once decoded it may duplicate another key, and the two
libraries keep different ones of duplicates (the counts of plain key names cannot see it)."""


class LazyBodies:
    """The bodies of a chunk's lines, parsed (exactly, with orjson) only when asked for;
    ``ends`` holds the offset of each line's newline, so a line is sliced, not split out."""

    def __init__(self, block: bytes, ends: Any, router: JobRouter) -> None:
        self.block = block
        self.ends = ends
        self.router = router

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, i: int) -> Record:
        start = int(self.ends[i - 1]) + 1 if i else 0
        rec = parse_line(self.block[start : int(self.ends[i])])
        return body_at(self.router.body_get, rec, self.router.opts.body_key)


class Scan(NamedTuple):
    """What the background thread learns of a chunk: its parse (``None``: polars refused it),
    the newline offsets, and how often each guarded pattern occurs (``None``: not UTF-8)."""

    df: Any
    ends: Any
    counts: tuple[int, ...] | None


class PolarsJsonlReader:
    """Parse a whole chunk of JSON Lines into columns with polars (the ``fast`` extra).

    Only a chunk whose every line polars and orjson must read alike is taken. The guards:
    every key on the paths used appears exactly as often as the paths name it (a key name the
    paths use twice, such as ``response.status`` and ``response.body.status``, twice), and each
    of those leaves is present on every row, so no line has a duplicate key (the two libraries
    resolve duplicates differently); no key is written with an escape and no surrogate is escaped
    (both read differently); job keys are strings; HTTP statuses are numbers; the row
    count is the line count (polars skips blank lines). Anything else returns ``False`` and the
    chunk is read line by line. Records of irregular jobs are re-parsed with orjson, so their
    messages are the general path's own.
    """

    def __init__(self, pl: Any, router: JobRouter) -> None:
        self.pl = pl
        self.router = router
        self.stream = cast("Stream", router.stream)  # create() admits columnar streams only
        opts = router.opts

        def split(path: str | None) -> list[str] | None:
            return path.split(".") if path else None

        self.key_path = split(opts.job_key)
        self.body_path = split(opts.body_key) or []
        self.http_path = split(opts.http_key)
        self.status_path = [*self.body_path, "status"]
        self.pct_path = [*self.body_path, PCT]
        tree: dict[str, Any] = {}

        def add(path: list[str], leaf: Any) -> None:
            node = tree
            for part in path[:-1]:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise ValueError("one path runs into another's value")
            if path[-1] in node:
                raise ValueError("two paths name the same value")
            node[path[-1]] = leaf

        add(self.status_path, pl.String)
        add(self.pct_path, pl.Float64)
        if self.key_path:
            add(self.key_path, pl.String)
        if self.http_path:
            add(self.http_path, pl.Float64)

        names: Counter[str] = Counter()

        def struct(d: dict[str, Any]) -> dict[str, Any]:
            names.update(d.keys())
            return {k: pl.Struct(struct(v)) if isinstance(v, dict) else v for k, v in d.items()}

        self.schema = struct(tree)
        if names[PCT] != 1:
            raise ValueError(f"{PCT} named twice")
        del names[PCT]  # optional: counted against its non-null rows
        self.counts = [(f'"{name}"'.encode(), k) for name, k in names.items()]
        last = self.key_path[-1] if self.key_path else None
        self.key_patterns = (f'"{last}":"'.encode(), f'"{last}": "'.encode()) if last else ()
        # every pattern counted in one polars query, off the main thread (see scan())
        self.patterns = [p.decode() for p, _ in self.counts]
        self.patterns += [p.decode() for p in self.key_patterns] + [f'"{PCT}"']

    @classmethod
    def create(cls, router: JobRouter) -> PolarsJsonlReader | None:
        """The fast path for this router's options, or ``None`` where it does not apply (no
        polars, ``order_by``, ``time_key``, ``explain``, a small input, paths polars cannot
        follow)."""
        opts = router.opts
        if opts.order_by or opts.time_key or router.stream.explain or not router.stream.columnar:
            return None
        paths = [p for p in (opts.job_key, opts.body_key, opts.http_key) if p]
        if any(part.isdigit() or not part or '"' in part for p in paths for part in p.split(".")):
            return None
        try:
            import polars as pl
        except ImportError:
            return None
        try:
            return cls(pl, router)
        except ValueError:
            return None

    def _walk(self, df: Any, path: list[str]) -> Any:
        col = df.get_column(path[0])
        for part in path[1:]:
            col = col.struct.field(part)
        return col

    def scan(self, block: bytes) -> Scan:
        """Parse ``block`` and run the guards' counts and the newline search: all in polars and
        numpy, which release the GIL, so that a background thread does it while the main thread
        checks the previous chunk."""
        import numpy as np

        pl = self.pl
        ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
        try:
            text = pl.Series([block], dtype=pl.Binary).cast(pl.String)
            found = pl.select(
                pl.lit(text).str.count_matches(p, literal=True).alias(str(i))
                for i, p in enumerate(self.patterns)
            )
            counts: tuple[int, ...] | None = tuple(int(v) for v in found.row(0))
        except (Exception, pl.exceptions.PanicException):  # not UTF-8: read line by line
            counts = None
        df = None
        try:
            if counts is not None:
                df = pl.read_ndjson(io.BytesIO(block), schema=self.schema)
        except (Exception, pl.exceptions.PanicException):  # read the chunk line by line
            df = None
        return Scan(df, ends, counts)

    def submit(self, block: bytes) -> Future[Scan]:
        """Start scanning ``block`` in the background, so that the previous chunk is checked
        meanwhile."""
        global _POOL
        if _POOL is None:
            _POOL = ThreadPoolExecutor(1, thread_name_prefix="jobstate-parse")
        return _POOL.submit(self.scan, block)

    def try_feed(self, block: bytes, start: int, scan: Scan) -> bool:
        """Validate ``block``, whole lines numbered from ``start`` (``scan``: its
        :meth:`scan`); ``False`` if not taken."""
        import numpy as np

        pl = self.pl
        df, counts, n = scan.df, scan.counts, len(scan.ends)
        if df is None or counts is None:
            return False
        if any(c != k * n for c, (_, k) in zip(counts, self.counts, strict=False)):
            return False
        if b"\\" in block and (_SURROGATE.search(block) or _ESCAPED_KEY.search(block)):
            return False
        if self.key_patterns:  # string-valued job keys, in the spacing of the first line
            head = block[: block.find(b"\n")]
            at = next((i for i, p in enumerate(self.key_patterns) if p in head), None)
            if at is None or counts[len(self.counts) + at] != n:
                return False
        if df.height != n:
            return False
        status = self._walk(df, self.status_path)
        pct = self._walk(df, self.pct_path)
        if status.null_count() or counts[-1] != n - pct.null_count():
            return False
        http = None
        if self.http_path:
            column = self._walk(df, self.http_path)
            if column.null_count():
                return False
            http = http_codes(column.to_numpy())
        stream = self.stream
        self.router.shape_checked = True  # every body has a status: no wrapper hint to give
        if self.key_path:
            keys = self._walk(df, self.key_path)
            if keys.null_count():
                return False
            ids, local = job_ids(pl, keys, stream)
        else:
            local = np.zeros(n, dtype=np.int64)
            ids = np.full(n, stream.job_ids([self.router.single_key])[0], dtype=np.int64)
        lines = range(start, start + n)
        bodies = LazyBodies(block, scan.ends, self.router)
        feed_polars(pl, stream, ids, local, status, pct, http, lines, bodies)
        return True
