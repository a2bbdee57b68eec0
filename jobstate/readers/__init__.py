"""② Readers: turn captured files into jobs for the validator, accounting for every input unit.

Formats: JSON Lines, JSON (an array or one body), HAR 1.2, CSV, TSV and Parquet; any of them
gzipped (Parquet compresses itself);
``-`` is standard input. Every unit read (a line, an array element, a HAR entry, a CSV row) ends
up as an observation, a rejected record (reported as ``malformed-record``), a blank line, or a
skipped HAR entry with its reason::

    read = observations + rejected + blank + skipped

JSON Lines, CSV and Parquet files (by path) are streamed: memory grows with the number of
jobs, not with the input (``order_by`` is the exception: it holds each job's records until the
input ends, to sort them). A Parquet stream (standard input, gzip) is read whole.

``opening`` (paths, gzip, detection) → one module per format (``jsonl``, ``jsonl_polars``,
``json_doc``, ``har``, ``csv``) → ``routing`` (records to jobs) → the validation stream;
``fields`` holds what every format reads out of a record.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import IO, TYPE_CHECKING

from jobstate._constants import ENGINES, FORMATS, KEEP_VIOLATIONS, Engine, Format
from jobstate._gc import paused_gc
from jobstate._words import plural
from jobstate.exceptions import InputError
from jobstate.readers.graded import carry, flagged_by_traffic, grade
from jobstate.readers.opening import Opened, detect_format, display_name, peek_head
from jobstate.readers.options import ReadOptions
from jobstate.readers.parts import located, parts_of
from jobstate.readers.routing import JobRouter
from jobstate.results import InputSummary, Keep
from jobstate.validation import Validator

if TYPE_CHECKING:  # numpy loads only for inputs that need it
    from jobstate.readers.parquet_duckdb import CleanJobs
    from jobstate.validation.checker import CheckerStream
    from jobstate.validation.stream import Stream

__all__ = [
    "ENGINES",
    "FORMATS",
    "POLARS_FROM",
    "SMALL_INPUT",
    "ReadOptions",
    "choose_engine",
    "detect_format",
    "read_input",
]

_Tick = Callable[..., None]


def _read(
    fmt: Format,
    fh: IO[bytes],
    summary: InputSummary,
    router: JobRouter,
    tick: _Tick,
    path: str | list[str] | None = None,
) -> None:
    """The reader of format ``fmt``, each imported when first used (``path``: the file's,
    or a folder's or glob's Parquet files)."""
    if fmt == "jsonl":
        from jobstate.readers.jsonl import read_jsonl

        read_jsonl(fh, summary, router, tick)
    elif fmt == "json":
        from jobstate.readers.json_doc import read_json

        read_json(fh, summary, router)
    elif fmt == "har":
        from jobstate.readers.har import read_har
        from jobstate.spec import get_spec

        read_har(fh, summary, router, frozenset(get_spec("any").names))
    elif fmt == "parquet":
        from jobstate.readers.parquet import read_parquet

        read_parquet(fh, summary, router, tick, path)
    else:
        from jobstate.readers.csv import read_csv

        read_csv(fh, summary, router, "\t" if fmt == "tsv" else ",", tick)


SMALL_INPUT = 1 << 20
"""An uncompressed file smaller than this (bytes on disk) is checked on the general path alone:
importing numpy (and polars) would cost more than the whole check."""


POLARS_FROM = 1 << 23
"""An uncompressed JSON Lines file smaller than this (one chunk of 8 MiB, about 100,000 polls)
is read line by line into the array stream: importing polars (0.2 s) costs more than its columns
save on it (measured on 50,000 polls: 0.1 s less without polars)."""


def _sized_under(opened: Opened, size: int) -> bool:
    """Whether ``opened`` is a file on disk, not gzipped, of fewer than ``size`` bytes."""
    return not opened.stdin and not opened.compressed and opened.size < size


def _installed(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


def choose_engine(
    options: ReadOptions, fmt: Format, opened: Opened, name: str, explain: bool
) -> Engine:
    """The engine that checks this input: ``options.engine``, or for ``auto`` the fastest
    that applies (measured: polars, then DuckDB, on Parquet; the exact engine alone on a small
    uncompressed file, where importing numpy would cost more than the check). An engine that
    cannot read the input is an :class:`~jobstate.InputError` saying why."""
    engine = options.engine
    if engine == "auto":
        if fmt == "parquet":  # compresses (1M polls can be 50 KB): never "small"
            if (
                _installed("polars")
                or not _installed("duckdb")
                or _duckdb_refuses(options, opened, explain)
            ):
                return "polars"
            return "duckdb"
        return "python" if _sized_under(opened, SMALL_INPUT) else "polars"
    if engine == "polars" and not _installed("polars"):
        raise InputError(
            f"{name}: --engine polars needs polars: pip install 'jobstate-graph[fast]'"
        )
    if engine == "duckdb":
        why = (
            "it reads Parquet files"
            if fmt != "parquet"
            else _duckdb_refuses(options, opened, explain)
        )
        if why:
            raise InputError(f"{name}: --engine duckdb cannot check this input: {why}")
    return engine


def _duckdb_refuses(options: ReadOptions, opened: Opened, explain: bool) -> str | None:
    """Why the DuckDB engine cannot take an input, or ``None``."""
    if opened.stdin or opened.compressed:
        return "it reads Parquet files by path, not standard input or gzip"
    taken = ["--time-key"] if options.time_key else []
    if explain:
        taken.append("--explain/--diagram")
    return f"it does not take {', '.join(taken)}" if taken else None


def _stream(engine: Engine) -> type[Stream] | type[CheckerStream]:
    """The validation stream of an engine: the general path alone (``python``; ``duckdb``,
    which hands it the flagged jobs only), else the columnar stream (numpy), each imported
    when first needed."""
    if engine in ("python", "duckdb"):
        from jobstate.validation.checker import CheckerStream

        return CheckerStream
    from jobstate.validation.stream import Stream

    return Stream


def _ticker(opened: Opened, progress: Callable[[int, int], None] | None) -> _Tick:
    """What a reader calls as it goes: progress in bytes read, or as ``fraction`` of the file
    (Parquet by path, read by rows, not through the handle)."""

    def tick(fraction: float | None = None) -> None:
        if progress is not None:
            at = opened.position() if fraction is None else int(opened.size * fraction)
            progress(at, opened.size)

    return tick


def _collect(
    summary: InputSummary,
    stream: CheckerStream | Stream,
    screened: CleanJobs | None,
    validator: Validator,
    only_failing: bool,
) -> None:
    """The input's job reports, once read: the stream's (``only_failing``: the failing ones
    listed, the others counted), the screened jobs' among them, each violation's own file and
    row for a folder or glob."""
    flagged = flagged_by_traffic(summary) if only_failing else None
    with paused_gc():  # one report per job: no cycles among them to look for
        summary.jobs = stream.reports(flagged)
        if only_failing:
            summary.unlisted = stream.unlisted
        if screened is not None:  # the flagged jobs' exact reports among the clean ones
            unlisted = summary.unlisted if only_failing else None
            summary.jobs = screened.reports(summary.jobs, validator.tables, summary.name, unlisted)
        if summary.parts:
            summary.jobs = located(summary.jobs, summary)


def read_input(
    source: str,
    validator: Validator,
    options: ReadOptions | None = None,
    *,
    explain: bool = False,
    progress: Callable[[int, int], None] | None = None,
    keep_violations: int | None = KEEP_VIOLATIONS,
    only_failing: bool = False,
) -> InputSummary:
    """Read one input (a path or ``-``), validating its jobs as they stream by.

    At most ``keep_violations`` violations and units rejected outside jobs are kept in full
    (``None``: all); the rest are counted by job and rule, so memory grows with the number of
    jobs, never with the number of violations. ``only_failing``: list only the jobs with
    findings; the clean ones are counted (``summary.unlisted``), not listed.

    Raises :class:`~jobstate.InputError` when the input cannot be used at all. An input that
    breaks off (a corrupt gzip, a read error) keeps what was read before, with ``error`` set.

        >>> options = ReadOptions(http_key="http_status")
        >>> summary = read_input("examples/polls.csv", Validator(), options)
        >>> last = summary.jobs[-1]
        >>> summary.format, summary.units_read, (last.key, last.errors, last.expired)
        ('csv', 29, ('op-0007', 0, 3))
    """
    options = options or ReadOptions()
    name = display_name(source)
    parts = parts_of(source)  # a folder or glob: its Parquet files, read as one
    opened = Opened(parts[0] if parts else source)
    try:
        fh = opened.stream
        fmt: Format = options.format or detect_format(opened.name, peek_head(fh, name))
        keep = Keep(keep_violations)
        summary = InputSummary(name, fmt, keep=keep)
        engine = choose_engine(options, fmt, opened, name, explain)
        if parts and fmt != "parquet":
            raise InputError(f"{name}: a folder or glob is read as Parquet files")
        stream = _stream(engine)(validator.tables, input=name, explain=explain, keep=keep)
        if options.engine == "auto" and fmt == "jsonl" and _sized_under(opened, POLARS_FROM):
            stream.columnar = False  # the array stream, lines parsed one by one: no polars
        router = JobRouter(summary, stream, options, name)
        screened: CleanJobs | None = None

        tick = _ticker(opened, progress)

        try:
            if engine == "duckdb":
                from jobstate.readers.parquet_duckdb import read_parquet_duckdb

                screened = read_parquet_duckdb(
                    parts or source, summary, router, validator.tables, tick, only_failing
                )
            else:
                path = None if opened.stdin or opened.compressed else source
                _read(fmt, fh, summary, router, tick, parts or path)
        except (OSError, EOFError, zlib.error) as exc:
            import gzip  # its error class only, so not at start-up

            gz = isinstance(exc, (gzip.BadGzipFile, EOFError, zlib.error))
            what = "corrupt gzip" if gz else "read error"
            done = plural(summary.units_read, summary.unit)
            summary.error = f"{name}: {what} after {done} ({exc})"
        router.flush()
        grade(summary, router)
        _collect(summary, stream, screened, validator, only_failing)
        if summary.clients or router.starts:  # the client's grade, time, jobs never polled
            carry(summary, router, validator)
        return summary
    finally:
        opened.close()
