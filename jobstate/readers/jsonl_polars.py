"""The JSON Lines fast path: whole chunks parsed into columns by polars (the ``fast`` extra).

Only a chunk whose every line polars and orjson must read alike is taken; anything else is read
line by line by :mod:`jobstate.readers.jsonl`. With ``order_by`` (all text or all numbers)
the chunks are held as columns and sorted at the end; the first chunk read line by line sends
the held ones that way too, in order. Properties check both ways give the same report.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from jobstate.readers.fields import body_at, parse_line
from jobstate.readers.key_cache import KeyCache
from jobstate.readers.polars_columns import feed_polars, http_codes
from jobstate.readers.routing import FLUSH_BATCH, JobRouter
from jobstate.results import Record

if TYPE_CHECKING:  # numpy loads only when a check runs
    from jobstate.validation.stream import Stream

__all__ = ["Columns", "HeldChunk", "LazyBodies", "PolarsJsonlReader", "Scan"]

_POOL: ThreadPoolExecutor | None = None
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
"""An escaped surrogate: orjson refuses a lone one where polars takes it (pairs are rare)."""
_NUMBER = r"^-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$"
"""How polars writes a JSON number it reads into a text column (``true``, ``{}``: as is)."""
_LITERALS = ("true", "false")  # (a JSON null is null in polars too, not "null")
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
    the newline offsets, how often each guarded key name and then ``percentageComplete`` occur
    (``None``: not UTF-8), how often a job key begins a text value in the first line's spacing
    (``None``: the first line has none), how often an ``order_by`` value does: in the
    first line's spacing where it is text there (``order_text``), else in either; how often a
    percentage is text (in any spacing, then in each of
    the two looked for), and a status is not (counted only for a spec with a state whose name
    polars writes for a value that is not text, such as ``5`` or ``true``); how often a
    percentage is an explicit ``null``, in each of the two spacings."""

    df: Any
    ends: Any
    counts: tuple[int, ...] | None
    key: int | None = None
    order: tuple[int, ...] = ()
    order_text: bool = False
    pct_text: int = 0
    pct_spaced: tuple[int, ...] = ()
    status_other: int = 0
    pct_nulls: tuple[int, ...] = ()


class Columns(NamedTuple):
    """A chunk's columns: job keys (``None``: the input's one job), statuses, percentages, HTTP
    codes (``None`` without ``http_key``) and the ``order_by`` values, text or numbers (or
    ``None``)."""

    keys: Any
    status: Any
    pct: Any
    http: Any
    order: Any


class HeldChunk(NamedTuple):
    """A chunk held for ``order_by``: its bytes, newline offsets, first line and columns."""

    block: bytes
    ends: Any
    start: int
    cols: Columns


class _HeldBodies:
    """Bodies of sorted rows from many held chunks: row ``i`` is row ``rows[i]`` of chunk
    ``chunks[i]``, parsed only when asked for."""

    def __init__(self, lazies: list[LazyBodies], chunks: Any, rows: Any) -> None:
        self.lazies, self.chunks, self.rows = lazies, chunks, rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> Record:
        return self.lazies[int(self.chunks[i])][int(self.rows[i])]


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
        self.key_ids = KeyCache(pl, self.stream)
        self.order_path = split(opts.order_by)
        self.held: list[HeldChunk] = []  # order_by: chunks held as columns until the end
        self.holding = self.order_path is not None
        self.body_path = split(opts.body_key) or []
        self.http_path = split(opts.http_key)
        tables = self.stream.tables
        self.status_path = [*self.body_path, tables.status_field]
        progress = tables.progress.field if tables.progress is not None else None
        self.pct_path = [*self.body_path, progress] if progress is not None else None
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
        if self.pct_path is not None:  # text: a mistyped value is one row's, not the chunk's
            add(self.pct_path, pl.String)
        if self.key_path:
            add(self.key_path, pl.String)
        if self.http_path:
            add(self.http_path, pl.Float64)
        if self.order_path:
            add(self.order_path, pl.String)

        names: Counter[str] = Counter()

        def struct(d: dict[str, Any]) -> dict[str, Any]:
            names.update(d.keys())
            return {k: pl.Struct(struct(v)) if isinstance(v, dict) else v for k, v in d.items()}

        self.schema = struct(tree)
        if progress is not None:
            if names[progress] != 1:
                raise ValueError(f"{progress} named twice")
            del names[progress]  # optional: counted against its non-null rows
        self.counts = [(f'"{name}"'.encode(), k) for name, k in names.items()]
        self._patterns(progress)

    def _patterns(self, progress: str | None) -> None:
        """What :meth:`scan` counts, in one polars query off the main thread: literal patterns
        (each key name; a job key's, an ``order_by`` value's and a percentage's text value in
        either spacing), then regular expressions (a text percentage or a status that is not
        text, in any spacing)."""
        tables = self.stream.tables
        self.key_patterns = _spaced(self.key_path, '"')
        self.order_patterns = _spaced(self.order_path, '"')
        self.patterns = [p.decode() for p, _ in self.counts]
        if progress is not None:
            self.patterns.append(f'"{progress}"')
        self.pct_literals = _spaced(self.pct_path, '"')
        self.null_literals = _spaced(self.pct_path, "null")
        self.regexes = [re.escape(f'"{progress}"') + r"\s*:\s*\""] if progress else []
        self.status_guard = any(map(_not_text_like, tables.spec.names))
        if self.status_guard:
            self.regexes.append(re.escape(f'"{tables.status_field}"') + r'\s*:\s*[^"\s]')

    @classmethod
    def create(cls, router: JobRouter) -> PolarsJsonlReader | None:
        """The fast path for this router's options, or ``None`` where it does not apply (no
        polars, ``time_key``, ``explain``, a small input, paths polars cannot follow)."""
        opts = router.opts
        if opts.time_key or router.stream.explain or not router.stream.columnar:
            return None
        paths = [p for p in (opts.job_key, opts.body_key, opts.http_key, opts.order_by) if p]
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

    def scan(self, block: bytes, ends: Any = None) -> Scan:
        """Parse ``block`` and run the guards' counts (and the newline search, unless ``ends``
        holds it): all in polars and numpy, which release the GIL, so that a background thread
        does it while the main thread checks the previous chunk."""
        pl = self.pl
        if ends is None:
            ends = _newlines(block)
        # With every key name counted once a line, the first line's spacing is every line's:
        # a text value is counted in that spacing only (a number in either, to find none).
        head = block[: int(ends[0])] if len(ends) else block
        key = [p.decode() for p in self.key_patterns if p in head][:1]
        order = [p.decode() for p in self.order_patterns if p in head][:1]
        order_text = bool(order)
        if not order_text:
            order = [p.decode() for p in self.order_patterns]
        spaced = [p.decode() for p in self.pct_literals]
        nulls = [p.decode() for p in self.null_literals]
        patterns = [*self.patterns, *key, *order, *spaced, *nulls]
        try:
            text = pl.Series([block], dtype=pl.Binary).cast(pl.String)
            found = pl.select(
                pl.lit(text).str.count_matches(p, literal=i < len(patterns)).alias(str(i))
                for i, p in enumerate([*patterns, *self.regexes])
            )
            row = tuple(int(v) for v in found.row(0))
        except (Exception, pl.exceptions.PanicException):  # not UTF-8: read line by line
            return Scan(None, ends, None)
        df = None
        try:
            df = pl.read_ndjson(io.BytesIO(block), schema=self.schema)
        except (Exception, pl.exceptions.PanicException):  # read the chunk line by line
            df = None
        at = len(self.patterns)
        end = len(patterns) - len(spaced) - len(nulls)
        odd = row[len(patterns) :]
        return Scan(
            df,
            ends,
            row[:at],
            row[at] if key else None,
            row[at + len(key) : end],
            order_text,
            odd[0] if self.pct_path else 0,
            row[end : end + len(spaced)],
            odd[-1] if self.status_guard else 0,
            row[end + len(spaced) : len(patterns)],
        )

    def submit(self, block: bytes) -> Future[Scan]:
        """Start scanning ``block`` in the background, so that the previous chunk is checked
        meanwhile."""
        global _POOL
        if _POOL is None:
            _POOL = ThreadPoolExecutor(1, thread_name_prefix="jobstate-parse")
        ends = _newlines(block)  # here: the main thread waits for the parse thread anyway
        return _POOL.submit(self.scan, block, ends)

    def try_feed(self, block: bytes, start: int, scan: Scan) -> bool:
        """Validate ``block``, whole lines numbered from ``start`` (``scan``: its
        :meth:`scan`), or hold it (``order_by``, until :meth:`feed_sorted`); ``False`` if not
        taken."""
        cols = self._columns(block, scan)
        if cols is None or (self.order_path is not None and not self.holding):
            return False
        self.router.shape_checked = True  # every body has a status: no wrapper hint to give
        if self.order_path is not None:
            self.held.append(HeldChunk(block, scan.ends, start, cols))
            return True
        ids, local = self._ids(cols.keys, len(scan.ends))
        lines = range(start, start + len(scan.ends))
        bodies = LazyBodies(block, scan.ends, self.router)
        feed_polars(
            self.pl, self.stream, ids, local, cols.status, cols.pct, cols.http, lines, bodies
        )
        return True

    def _guarded(self, block: bytes, scan: Scan) -> bool:
        """Whether polars and orjson must read every line of ``block`` alike (see the class)."""
        df, counts, n = scan.df, scan.counts, len(scan.ends)
        if df is None or counts is None or df.height != n:
            return False
        if any(c != k * n for c, (_, k) in zip(counts, self.counts, strict=False)):
            return False
        if b"\\" in block and (_SURROGATE.search(block) or _ESCAPED_KEY.search(block)):
            return False
        if scan.status_other:  # a status that is not text, written as a state's name
            return False
        return not self.key_patterns or scan.key == n  # string-valued job keys, spaced alike

    def _order(self, scan: Scan) -> Any:
        """The ``order_by`` values of a guarded chunk: all text (a polars String column), all
        numbers (Float64, each within 2**53, where a float is the integer orjson reads), else
        ``None``."""
        pl, n = self.pl, len(scan.ends)
        values = self._walk(scan.df, self.order_path or [])
        if values.null_count():
            return None
        if scan.order_text:
            return values if scan.order == (n,) else None  # text values, spaced alike
        if any(scan.order) or not values.str.contains(_NUMBER).all():  # numbers written as text
            return None
        numbers = values.cast(pl.Float64)
        return numbers if (numbers.abs() < 2.0**53).all() else None

    def _columns(self, block: bytes, scan: Scan) -> Columns | None:
        """The columns of ``block``'s lines, or ``None`` where they must be read line by line."""
        if not self._guarded(block, scan):
            return None
        df, counts, n = scan.df, scan.counts, len(scan.ends)
        assert counts is not None
        status = self._walk(df, self.status_path)
        if self.pct_path is None:  # no progress field: every value absent
            pct = self.pl.repeat(None, n, dtype=self.pl.Float64, eager=True)
        else:
            text = self._walk(df, self.pct_path)
            nulls = sum(scan.pct_nulls)  # an explicit null is absent, as orjson's None is
            if counts[-1] != n - text.null_count() + nulls:
                return None
            if nulls and not self._nulls_placed(block, scan, text):
                return None
            pct = self._numbers(block, scan, text)
            if pct is None:
                return None
        if status.null_count():
            return None
        http = None
        if self.http_path:
            column = self._walk(df, self.http_path)
            if column.null_count():
                return None
            http = http_codes(column.to_numpy())
        keys = self._walk(df, self.key_path) if self.key_path else None
        if keys is not None and keys.null_count():
            return None
        order = self._order(scan) if self.order_path else None
        if self.order_path and order is None:
            return None
        return Columns(keys, status, pct, http, order)

    def _nulls_placed(self, block: bytes, scan: Scan, text: Any) -> bool:
        """Whether each explicit null percentage is its row's only one, where polars read none
        (a line with the key twice, ``5`` then ``null``, is read line by line: orjson keeps
        the last)."""
        import numpy as np

        spaced = zip(self.null_literals, scan.pct_nulls, strict=True)
        at = [i for p, count in spaced for i in _finds(block, p, count)]
        rows = np.searchsorted(scan.ends, at)
        return len(np.unique(rows)) == len(rows) and bool(text.gather(rows).is_null().all())

    def _numbers(self, block: bytes, scan: Scan, text: Any) -> Any:
        """The percentages of a guarded chunk (read as text) as numbers: NaN where a value is
        not a number (text, ``true``, a list: the general path reports it), null where there is
        none; ``None`` where a text value is spaced unlike the two spacings looked for."""
        import numpy as np

        pl = self.pl
        pct = text.cast(pl.Float64, strict=False)
        odd = pct.is_null() & text.is_not_null()  # true, [1], {}: written as text by polars
        if scan.pct_text:  # text values that read as numbers too ("50"): found by position
            if sum(scan.pct_spaced) != scan.pct_text:
                return None
            spaced = zip(self.pct_literals, scan.pct_spaced, strict=True)
            at = [i for p, count in spaced for i in _finds(block, p, count)]
            rows = np.zeros(len(text), dtype=bool)
            rows[np.searchsorted(scan.ends, at)] = True
            odd = odd | pl.Series(rows)
        if not odd.any():
            return pct
        return pct.zip_with(~odd, pl.repeat(float("nan"), len(pct), eager=True))

    def _ids(self, keys: Any, n: int) -> tuple[Any, Any]:
        """The stream's job ids of ``n`` rows and ids local to them (see :class:`KeyCache`)."""
        import numpy as np

        if keys is not None:
            return self.key_ids(keys)
        one = self.stream.job_ids([self.router.single_key])[0]
        return np.full(n, one, dtype=np.int64), np.zeros(n, dtype=np.int64)

    def take_held(self) -> list[HeldChunk]:
        """The chunks held so far, in input order, given up (to be read line by line); from
        now on none is held."""
        held, self.held, self.holding = self.held, [], False
        return held

    def feed_sorted(self) -> bool:
        """Feed the held chunks, every job's rows sorted by their ``order_by`` values, numbers
        or RFC 3339 times (one stable ``numpy.lexsort``; ties in line order), in the row-by-row
        way's batches; ``False``, nothing fed, where the values sort as text."""
        import numpy as np

        from jobstate.readers.ordering import column_positions

        pl, held = self.pl, self.held
        if len({c.cols.order.dtype for c in held}) > 1:  # numbers and text: sorted as text
            return False
        keys = pl.concat([c.cols.keys for c in held]) if self.key_path else None
        at = column_positions(pl, keys, pl.concat([c.cols.order for c in held]))
        if at is None:
            return False
        sizes = [len(c.ends) for c in held]
        lines = np.concatenate([np.arange(c.start, c.start + len(c.ends)) for c in held])
        chunks = np.repeat(np.arange(len(held)), sizes)[at]
        rows = np.concatenate([np.arange(k) for k in sizes])[at]
        status = pl.concat([c.cols.status for c in held])[at]
        pct = pl.concat([c.cols.pct for c in held])[at]
        http = np.concatenate([c.cols.http for c in held])[at] if self.http_path else None
        lazies = [LazyBodies(c.block, c.ends, self.router) for c in held]
        for a in range(0, len(at), FLUSH_BATCH):
            part = slice(a, a + FLUSH_BATCH)
            ids, local = self._ids(keys[at[part]] if keys is not None else None, len(at[part]))
            feed_polars(
                pl,
                self.stream,
                ids,
                local,
                status[part],
                pct[part],
                http[part] if http is not None else None,
                lines[at[part]].tolist(),
                _HeldBodies(lazies, chunks[part], rows[part]),
            )
        self.held = []
        return True


def _newlines(block: bytes) -> Any:
    """The offsets of ``block``'s newlines (a numpy array)."""
    import numpy as np

    return np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)


def _not_text_like(name: str) -> bool:
    """Whether polars writes some value that is not text as ``name`` (``5``, ``true``)."""
    return bool(re.fullmatch(_NUMBER, name)) or name in _LITERALS or name[:1] in ("[", "{")


def _finds(block: bytes, pattern: bytes, count: int) -> list[int]:
    """The offsets of the first ``count`` times ``pattern`` occurs in ``block`` (found one
    after another, so that the search stops at the last)."""
    found, i = [], -1
    for _ in range(count):
        i = block.find(pattern, i + 1)
        found.append(i)
    return found


def _spaced(path: list[str] | None, value: str) -> tuple[bytes, ...]:
    """How the last key of ``path`` is followed by ``value`` (``"``: a text value begins;
    ``null``), in either spacing (none: no path)."""
    if not path:
        return ()
    return (f'"{path[-1]}":{value}'.encode(), f'"{path[-1]}": {value}'.encode())
