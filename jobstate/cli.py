"""The ``jobstate`` command line: options → the library → a renderer → an exit code.

Exit codes: 0 no errors, 1 errors found, 2 unusable input or usage.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

import click

from jobstate._constants import (
    DEFAULT_CLIENT_SPECS,
    DIALECT_NAMES,
    ECHO_BATCH,
    ENDS_ON,
    ENGINES,
    FAIL_ON,
    FORMATS,
    KEEP_VIOLATIONS,
    MAX_DOCUMENT,
    MAX_RECORD,
    MODES,
    ON_GONE,
    ON_REDIRECT,
    ON_SERVER_ERROR,
    PCT,
    PROFILE_NAMES,
    PROGRESS_BYTES,
    SPEC_NAMES,
    SQL_DIALECTS,
    SQL_REPORTS,
    UNKNOWN_ACTIONS,
    DiagramFormat,
    FailOn,
    Format,
    Mode,
)

if TYPE_CHECKING:
    from jobstate.clients import ClientModel
    from jobstate.readers import ReadOptions
    from jobstate.results import InputSummary, Report, Violation
    from jobstate.validation import Validator

EXIT_OK, EXIT_ERRORS, EXIT_UNUSABLE = 0, 1, 2

_F = Callable[..., Any]


def _format_option(*choices: str, help: str | None = None) -> Callable[[_F], _F]:
    """``--format`` with ``choices``, the first being the default."""
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=choices[0], show_default=True,
        help=help,
    )  # fmt: skip


def _spec_option(dest: str = "spec", help: str | None = None) -> Callable[[_F], _F]:
    """``--spec`` naming a built-in spec, default ``current``."""
    return click.option(
        "--spec", dest, type=click.Choice(SPEC_NAMES), default="current", show_default=True,
        help=help,
    )  # fmt: skip


def _write(data: bytes) -> None:
    sys.stdout.buffer.write(data)


WRITE_BEHIND_JOBS = 16_384
"""A report of at least this many jobs is written by :class:`_WriteBehind` (a polars window)."""


class _WriteBehind:
    """Standard output written on a thread of its own, up to two pieces behind the caller, so
    that the next piece of a big report is made while the last one is written (1M jobs' JSON,
    457 MB: its writing took 0.7 s of the main thread). It writes to the file descriptor, not
    through ``sys.stdout``'s buffer, whose lock a thread must not hold when the interpreter
    exits (Ctrl-C). A write error is raised in the caller, at its next piece or at the end."""

    def __init__(self, fd: int) -> None:
        import queue
        import threading

        self.fd = fd
        self.pieces: queue.Queue[bytes | None] = queue.Queue(2)
        self.error: OSError | None = None
        self.thread = threading.Thread(target=self._run, name="jobstate-write", daemon=True)
        self.thread.start()

    @classmethod
    def start(cls) -> _WriteBehind | None:
        """A writer of standard output, or ``None`` where it has no file descriptor (a test
        runner's capture, a notebook)."""
        try:
            fd = sys.stdout.fileno()
        except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
            return None
        sys.stdout.flush()
        sys.stdout.buffer.flush()
        return cls(fd)

    def _run(self) -> None:
        while (piece := self.pieces.get()) is not None:
            view = memoryview(piece)
            while self.error is None and view:
                try:
                    view = view[os.write(self.fd, view) :]
                except OSError as exc:
                    self.error = exc

    def write(self, piece: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.pieces.put(piece)

    def __enter__(self) -> _WriteBehind:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is KeyboardInterrupt:  # exit now: the thread ends with the process
            return
        self.pieces.put(None)
        self.thread.join()
        if kind is None and self.error is not None:
            raise self.error


def _write_json(value: Any) -> None:
    from jobstate._json import dumps

    _write(dumps(value, indent=True) + b"\n")


def _echo_lines(lines: Iterable[str], *, color: bool | None = None) -> None:
    """``lines``, each ended by a newline, written a few thousand at a time (a report of a
    million jobs is never one string), or at once for an item that holds many lines (clean
    jobs written by polars); click strips colour off a pipe unless told."""
    batch: list[str] = []
    wrote = False
    for line in lines:
        batch.append(line)
        if len(batch) == ECHO_BATCH or len(line) > ECHO_BATCH:
            click.echo("\n".join(batch), color=color)
            batch, wrote = [], True
    if batch or not wrote:
        click.echo("\n".join(batch), color=color)


def _error(message: str) -> None:
    """An error on standard error, its untrusted parts (file names, keys) made inert."""
    from jobstate._words import inert

    click.echo(f"jobstate: error: {inert(message)}", err=True)


def _fail(message: str) -> NoReturn:
    _error(message)
    sys.exit(EXIT_UNUSABLE)


class _Main(click.Group):
    """The command group, which also ends the ways a run can stop from outside cleanly:
    Ctrl-C exits 130 (not 1, the findings code); output that cannot be written (a full disk, a
    closed pipe) and memory running out (a limit set on the process) exit 2 with a message
    instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("jobstate: interrupted", err=True)
            ctx.exit(130)
        except MemoryError:
            click.echo(
                "jobstate: error: out of memory (lower --keep-violations or"
                " --max-record-bytes, or give --order-by up: it holds every record)",
                err=True,
            )
            ctx.exit(EXIT_UNUSABLE)
        except OSError as exc:
            if exc.errno not in _OUTPUT_ERRNOS:
                raise
            _cannot_write(exc)
            ctx.exit(EXIT_UNUSABLE)


_OUTPUT_ERRNOS = {errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT}


def _cannot_write(exc: OSError) -> None:
    """Say that the output cannot be written, and stop writing it."""
    _silence_stdout()
    click.echo(f"jobstate: error: cannot write the output ({exc.strerror})", err=True)


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's final flush finds no error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - no usable file descriptor
        pass


@click.group(
    cls=_Main,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="jobstate", prog_name="jobstate")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Check Microsoft Graph asyncJobStatus lifecycles (the monitor URL of a long-running job).

    \b
    Exit codes: 0 no errors, 1 errors found, 2 unusable input or usage, 130 interrupted.
    Defaults for check come from jobstate.toml or pyproject.toml [tool.jobstate] in the
    working directory. Shell completion: eval "$(_JOBSTATE_COMPLETE=bash_source jobstate)".
    """
    if ctx.invoked_subcommand != "check":  # the file holds check's defaults, and only them
        return
    from jobstate.config import load_config, typed
    from jobstate.exceptions import OptionError

    try:
        path, options = load_config()
        if options:
            typed(ctx, check, path or "", options)
    except OptionError as exc:
        raise click.UsageError(str(exc)) from None
    if options:
        ctx.default_map = {"check": options}


def run() -> NoReturn:
    """The ``jobstate`` command: :func:`main`, then out of the process as soon as its output
    is flushed, as mypy does. The interpreter's teardown (every module and object freed:
    numpy's, polars') took 60-145 ms after a check had finished. A run that raises anything
    but ``SystemExit`` (a bug: its traceback) ends the usual way."""
    try:
        main(prog_name="jobstate")
        code: Any = EXIT_OK
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = EXIT_OK
    elif not isinstance(code, int):  # as the interpreter does with a message
        print(code, file=sys.stderr)
        code = EXIT_ERRORS
    try:
        sys.stdout.flush()
    except OSError as exc:  # the interpreter's own final flush would print a traceback
        _cannot_write(exc)
        code = EXIT_UNUSABLE
    except ValueError:  # standard output closed: nothing left to flush
        pass
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code)


_INPUT_HELP = """Validate observed status sequences.

\b
FILES are JSON Lines, JSON (an array or one body), HAR 1.2 captures, CSV or TSV,
any of them gzipped; "-" reads standard input. The format comes from the file name
and its first bytes (--input-format overrides it).
\b
Without --job-key, a JSON Lines or JSON input is one job; a HAR input has one job
per monitor URL (query aside); a CSV input one job per job_id.
\b
Exit codes: 0 nothing at the --fail-on severity, 1 findings, 2 unusable input or usage.
"""


def _where_options() -> list[Callable[[_F], _F]]:
    """Where things sit in the records: format, keys, columns, order, times."""
    return [
        click.option(
            "--input-format",
            type=click.Choice(FORMATS),
            help="Read every FILE as this format instead of detecting it.",
        ),
        click.option("--job-key", metavar="PATH", help="Dotted path (CSV: column) of the job key."),
        click.option(
            "--body-key", metavar="PATH", help="Dotted path of the monitor body in a record."
        ),
        click.option(
            "--order-by",
            metavar="PATH",
            help="Order each job by this value (a timestamp) instead of input order;"
            " holds each job's records in memory until its input ends.",
        ),
        click.option(
            "--http-key", metavar="PATH", help="Dotted path (CSV: column) of the HTTP status."
        ),
        click.option(
            "--status-column", default="status", show_default=True, help="CSV status column."
        ),
        click.option(
            "--percentage-column", default=PCT, show_default=True, help="CSV percentage column."
        ),
        click.option(
            "--time-key",
            metavar="PATH",
            help="Dotted path (CSV: column) of each poll's time (RFC 3339 or epoch seconds);"
            " turns on the client-behaviour findings (a HAR has them always).",
        ),
    ]


def _read_options(f: _F) -> _F:
    """The options that say where things sit in the records and how to read them (they make a
    ReadOptions)."""
    options = [
        *_where_options(),
        click.option(
            "--poll-floor",
            type=click.FloatRange(min=0, min_open=True),
            metavar="SECONDS",
            help="Report polls of one monitor sooner than this apart (client finding"
            " poll-interval; Retry-After is always checked where a HAR keeps it).",
        ),
        click.option(
            "--engine",
            type=click.Choice(ENGINES),
            default="auto",
            show_default=True,
            help="What checks the input: python (record by record), polars (columns; numpy"
            " screens), duckdb (Parquet files: the generated SQL screens); auto: the fastest"
            " that applies. Flagged jobs always get the exact engine: reports are the same.",
        ),
        click.option(
            "--max-record-bytes",
            type=click.IntRange(min=1024),
            default=MAX_RECORD,
            show_default=True,
            metavar="N",
            help="Reject a JSON Lines line or CSV row longer than N bytes (skipped, never held).",
        ),
        click.option(
            "--max-document-bytes",
            type=click.IntRange(min=1024),
            default=MAX_DOCUMENT,
            show_default=True,
            metavar="N",
            help="Refuse a JSON or HAR document larger than N bytes (they are read whole).",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _diagram_suffix(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--diagram is refused before the run when its file type is not one it can write."""
    if value is not None and os.path.splitext(value)[1].lower() not in (".svg", ".png", ".dot"):
        raise click.BadParameter("use a .svg, .png or .dot file name", ctx, param)
    return value


def _rule_ids(values: Iterable[str], param: str) -> set[str]:
    """Rule ids from ids or prefixes, comma-separated or repeated."""
    from jobstate.validation import RULES

    out: set[str] = set()
    for value in values:
        for part in filter(None, (p.strip() for p in value.split(","))):
            matched = {r for r in RULES if r == part or r.startswith(part)}
            if not matched:
                raise click.BadParameter(
                    f"{part!r} is no rule id or prefix; rules: {', '.join(RULES)}",
                    param_hint=param,
                )
            out |= matched
    return out


def _counted_rules(select: Iterable[str], ignore: Iterable[str]) -> frozenset[str] | None:
    """The rules --select/--ignore leave counted, or None for all of them."""
    from jobstate.validation import RULES

    kept = (_rule_ids(select, "--select") if select else set(RULES)) - _rule_ids(ignore, "--ignore")
    return None if kept == set(RULES) else frozenset(kept)


def _make_read_options(values: dict[str, Any]) -> ReadOptions:
    from jobstate.readers import ReadOptions

    fmt: Format | None = values.pop("input_format")
    return ReadOptions(format=fmt, **values)


@main.command(help=_INPUT_HELP)
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(path_type=str, allow_dash=True, readable=False),  # each input says why
)
@_spec_option(help="Which vocabulary and edges to check against.")
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="sampled",
    show_default=True,
    help="sampled: client polls, skipped states are fine; step: every change is one edge.",
)
@_format_option("text", "json", "junit")
@_read_options
@click.option(
    "--explain",
    is_flag=True,
    help="Show every step of every job: stutter, edge, gap and path (keeps every step).",
)
@click.option(
    "--max-violations",
    type=click.IntRange(min=0),
    metavar="N",
    help="Print at most N violations (all are still counted).",
)
@click.option(
    "--keep-violations",
    type=click.IntRange(min=0),
    default=KEEP_VIOLATIONS,
    show_default=True,
    metavar="N",
    help="Keep at most N violations per input in full; the rest are counted by job and rule,"
    " so memory grows with jobs, not violations.",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="error",
    show_default=True,
    help="The severity that makes the exit code 1.",
)
@click.option(
    "--diagram",
    "diagram_path",
    type=click.Path(dir_okay=False, path_type=str),
    callback=_diagram_suffix,
    help="Also draw the observed traffic on the spec: FILE.svg, .png or .dot (keeps every step).",
)
@click.option(
    "--select",
    multiple=True,
    metavar="RULES",
    help="Count only these rule ids or prefixes (comma-separated or repeated).",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="RULES",
    help="Do not count these rule ids or prefixes, e.g. --ignore percentage-regression.",
)
@click.option("-q", "--quiet", is_flag=True, help="Show only failing jobs and the totals.")
@click.option("--summary", is_flag=True, help="Show only the totals line.")
@click.option(
    "--only-failing",
    is_flag=True,
    help="List only the jobs with findings (any format); the others are counted in the totals,"
    " so memory grows with the failing jobs, not all jobs.",
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the text report (default: on a terminal, unless NO_COLOR is set).",
)
@click.option(
    "--follow",
    is_flag=True,
    help="Watch one JSON Lines FILE as it grows (like tail -f), printing each violation as it"
    " happens; Ctrl-C (or --idle-exit) ends the watch with the totals.",
)
@click.option(
    "--idle-exit",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="With --follow: stop after SECONDS with no new line.",
)
def check(
    files: tuple[str, ...],
    spec: str,
    mode: Mode,
    fmt: str,
    explain: bool,
    max_violations: int | None,
    keep_violations: int,
    fail_on: FailOn,
    diagram_path: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    quiet: bool,
    summary: bool,
    only_failing: bool,
    color: bool | None,
    follow: bool,
    idle_exit: float | None,
    **read_options: Any,
) -> None:
    from jobstate._gc import paused_gc
    from jobstate.results import Report
    from jobstate.validation import Validator

    rules = _counted_rules(select, ignore)
    validator = Validator(spec, mode)
    options = _make_read_options(read_options)
    if follow:
        summaries, unusable = _follow(files, validator, options, idle_exit, rules, fmt)
        fmt, summary = "text", True  # the violations were printed as they came
    else:
        if only_failing and diagram_path:
            raise click.UsageError("--diagram draws every job: it cannot take --only-failing")
        keep_steps = explain or bool(diagram_path)
        summaries, unusable = _read_all(
            files, validator, options, keep_steps, keep_violations, only_failing
        )
    if color is None:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    view = _View(explain, max_violations, quiet, summary, color)
    with paused_gc():  # a report, then its text or JSON: many small objects, no cycles
        report = Report.from_inputs(validator.spec.name, validator.mode, summaries)
        if rules is not None:
            report = report.only(rules)
        _render_report(report, fmt, fail_on, unusable, view)
    if diagram_path is not None:
        error = _write_observed(diagram_path, report)
        if error:
            unusable.append(error)
    for msg in unusable:
        _error(msg)
    if unusable:
        sys.exit(EXIT_UNUSABLE)
    from jobstate.render import failed

    findings = report.unattributed or any(failed(j, fail_on) for j in report.flagged)
    sys.exit(EXIT_ERRORS if findings else EXIT_OK)


def _follow(
    files: tuple[str, ...],
    validator: Validator,
    options: ReadOptions,
    idle_exit: float | None,
    rules: frozenset[str] | None,
    fmt: str,
) -> tuple[list[InputSummary], list[str]]:
    """check --follow: one JSON Lines file, violations printed as they are found."""
    from jobstate.exceptions import InputError
    from jobstate.readers.follow import follow
    from jobstate.render.text import violation_line

    if len(files) != 1 or files[0] == "-" or fmt != "text" or options.order_by:
        raise click.UsageError("--follow watches one JSON Lines file, in text, with no --order-by")
    if options.engine not in ("auto", "python"):
        raise click.UsageError("--follow checks each line as it comes (--engine python)")

    def show(job: str, v: Violation) -> None:
        if rules is None or v.rule in rules:
            click.echo(violation_line(job, v), color=False)

    try:
        summary = follow(files[0], validator, options, on_violation=show, idle_exit=idle_exit)
    except InputError as exc:
        return [], [str(exc)]
    return [summary], []


def _read_all(
    files: Iterable[str],
    validator: Validator,
    options: ReadOptions,
    keep_steps: bool,
    keep_violations: int,
    only_failing: bool = False,
) -> tuple[list[InputSummary], list[str]]:
    """Every input read, and the messages of those that are unusable."""
    from jobstate.exceptions import InputError
    from jobstate.readers import read_input

    summaries: list[InputSummary] = []
    unusable: list[str] = []
    for name in files:
        try:
            with _Progress(name) as progress:
                summary = read_input(
                    name,
                    validator,
                    options,
                    explain=keep_steps,
                    progress=progress,
                    keep_violations=keep_violations,
                    only_failing=only_failing,
                )
        except InputError as exc:
            unusable.append(str(exc))
            continue
        summaries.append(summary)
        if summary.problem is not None:
            unusable.append(summary.problem)
    return summaries, unusable


class _View(NamedTuple):
    """How much of the text report to show."""

    explain: bool
    max_violations: int | None
    quiet: bool
    summary: bool
    color: bool


def _render_report(
    report: Report, fmt: str, fail_on: FailOn, unusable: list[str], view: _View
) -> None:
    from jobstate import render

    if fmt == "json":
        pieces = render.report_json(report, fail_on=fail_on, unusable=unusable)
        big = sum(len(i.jobs) for i in report.inputs) >= WRITE_BEHIND_JOBS
        behind = _WriteBehind.start() if big else None
        if behind is None:
            for piece in pieces:
                _write(piece)  # a batch of jobs at a time: no whole document in memory
            _write(b"\n")
            return
        with behind:
            for piece in pieces:
                behind.write(piece)
            behind.write(b"\n")
    elif fmt == "junit":
        _write(render.junit_xml(report, fail_on=fail_on, unusable=unusable))
    else:
        _echo_lines(render.text_lines(report, fail_on=fail_on, **view._asdict()), color=view.color)


class _Progress:
    """A progress bar on standard error for a large input, when it is a terminal.

    Large means ``PROGRESS_BYTES`` (32 MB) on disk, or ``JOBSTATE_PROGRESS_BYTES``.
    """

    def __init__(self, name: str) -> None:
        setting = os.environ.get("JOBSTATE_PROGRESS_BYTES", str(PROGRESS_BYTES))
        if not setting.strip().isdigit():
            raise click.UsageError(
                f"JOBSTATE_PROGRESS_BYTES must be a whole number of bytes, not {setting!r}"
            )
        self.threshold = int(setting)
        self.name = name
        self.bar: Any = None
        self.done = 0

    def __enter__(self) -> _Progress:
        return self

    def __call__(self, position: int, size: int) -> None:
        if self.bar is None:
            if size < self.threshold or not sys.stderr.isatty():
                return
            self.bar = click.progressbar(
                length=size, label=self.name, file=sys.stderr, show_percent=True, show_eta=True
            )
            self.bar.__enter__()
        self.bar.update(max(position - self.done, 0))
        self.done = max(position, self.done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.update(max(self.bar.length - self.done, 0))
            self.bar.__exit__(None, None, None)


def _write_observed(path: str, report: Report) -> str | None:
    """Write the observed-traffic diagram; an error message when it cannot be made."""
    from pathlib import Path

    from jobstate.diagrams import observed_dot, render_dot
    from jobstate.exceptions import DiagramError

    suffix = Path(path).suffix.lower().lstrip(".")  # one of these: checked before the run
    try:
        dot = observed_dot(report.spec, report.jobs)
        data = (
            dot.encode()
            if suffix == "dot"
            else render_dot(dot, "svg" if suffix == "svg" else "png")
        )
        Path(path).write_bytes(data)
    except DiagramError as exc:
        return str(exc)
    except OSError as exc:
        return f"--diagram {path}: cannot write ({exc.strerror or exc})"
    return None


_SPEC_ARG = click.argument("spec_name", required=False, type=click.Choice(SPEC_NAMES))


@main.command("spec", short_help="Print a spec: states, edges, provenance.")
@_SPEC_ARG
@_spec_option("name")
@_format_option("text", "json")
def spec_cmd(spec_name: str | None, name: str, fmt: str) -> None:
    """Print a spec (SPEC_NAME or --spec): its states, their classes, its edges and their
    provenance; then the monitor's HTTP protocol: its dialects and observed deviations."""
    from jobstate.render import protocol_lines, spec_lines
    from jobstate.spec import get_spec
    from jobstate.spec.protocol import protocol_dict

    spec = get_spec(spec_name or name)
    if fmt == "json":
        _write_json({**spec.to_dict(), "protocol": protocol_dict()})
    else:
        _echo_lines(spec_lines(spec))
        _echo_lines(protocol_lines())


@main.command("sql", short_help="Print the SQL that checks a table of polls (DuckDB, Spark).")
@_spec_option(help="Which vocabulary and edges the query checks against.")
@click.option("--mode", type=click.Choice(MODES), default="sampled", show_default=True)
@click.option("--dialect", type=click.Choice(SQL_DIALECTS), default="duckdb", show_default=True)
@click.option(
    "--report",
    type=click.Choice(SQL_REPORTS),
    default="jobs",
    show_default=True,
    help="jobs: one row per job; violations: one row per violation.",
)
@click.option("--table", default="polls", show_default=True, help="The table (or view) of polls.")
@click.option("--job-col", default="job", show_default=True)
@click.option("--status-col", default="status", show_default=True)
@click.option("--pct-col", default=PCT, show_default=True)
@click.option("--order-col", default="ts", show_default=True, help="Orders a job's polls.")
@click.option(
    "--tiebreak-col",
    help="Breaks ties in the order column (a line number): give one if it may tie.",
)
@click.option(
    "--http-col",
    help="The answer's HTTP status (captured traffic): redirects, error answers and a monitor"
    " gone (404, 410) are read as `check --http-key` reads them.",
)
@click.option(
    "--error-code-col",
    help="The code of an error body (needs --http-col): operationNotFound says the monitor"
    " is gone.",
)
def sql_cmd(
    spec: str,
    mode: str,
    dialect: str,
    report: str,
    table: str,
    job_col: str,
    status_col: str,
    pct_col: str,
    order_col: str,
    tiebreak_col: str | None,
    http_col: str | None,
    error_code_col: str | None,
) -> None:
    """Print one query that checks every poll of a table against the spec: every rule per
    observation, then a report per job (or one row per violation), as the Python engine gives
    it. Nothing needs installing where it runs: Spark SQL, Databricks, DuckDB, dbt."""
    from jobstate.exceptions import OptionError
    from jobstate.sql import generate_sql

    try:
        text = generate_sql(
            spec,
            mode,
            dialect=dialect,
            report=report,
            table=table,
            job=job_col,
            status=status_col,
            percentage=pct_col,
            order=order_col,
            tiebreak=tiebreak_col,
            http=http_col,
            error_code=error_code_col,
        )
    except OptionError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(text, nl=False)


@main.command("rules", short_help="List the rule ids, severities and provenance.")
@_format_option("text", "json")
def rules_cmd(fmt: str) -> None:
    """List the rule ids with their severity, provenance and what each checks."""
    from jobstate import render
    from jobstate.validation import RULES

    if fmt == "json":
        _write_json(render.rules_payload(RULES.values()))
    else:
        _echo_lines(render.rule_lines(RULES.values()))


@main.command("diagram", short_help="Draw a spec's state diagram.")
@_SPEC_ARG
@_spec_option("name")
@_format_option(
    "mermaid",
    "dot",
    "svg",
    "png",
    help="mermaid and dot need no binary; svg and png need Graphviz's dot.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=str),
    help="Write to FILE instead of standard output.",
)
@click.option(
    "--all",
    "all_dir",
    type=click.Path(file_okay=False, path_type=str),
    help="Regenerate every spec as .mmd, .dot and .svg in DIR, with a README.",
)
def diagram_cmd(
    spec_name: str | None, name: str, fmt: DiagramFormat, output: str | None, all_dir: str | None
) -> None:
    """Draw a spec's state diagram, SPEC_NAME or --spec (built with transitions' GraphMachine)."""
    from jobstate.diagrams import diagram, write_diagrams
    from jobstate.exceptions import DiagramError

    try:
        if all_dir is not None:
            try:
                written = write_diagrams(all_dir)
            except OSError as exc:
                _fail(f"{all_dir}: cannot write ({exc.strerror or exc})")
            for path in written:
                click.echo(f"wrote {path}")
            return
        data = diagram(spec_name or name, fmt)
    except DiagramError as exc:
        _fail(str(exc))
    if output is not None:
        try:
            with open(output, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            _fail(f"{output}: cannot write ({exc.strerror})")
    elif fmt == "png" and sys.stdout.isatty():
        _fail("PNG is binary: use -o FILE")
    else:
        _write(data)


def _values(text: str | None) -> list[str]:
    return [v.strip() for v in (text or "").split(",") if v.strip()]


@main.command("client", short_help="Check a client's assumptions against a spec.")
@click.option(
    "--profile",
    type=click.Choice(sorted(PROFILE_NAMES)),
    help="A built-in real-client profile (see `jobstate clients`).",
)
@click.option(
    "--model",
    "model_file",
    type=click.Path(dir_okay=False, path_type=str),
    help="A client model in a JSON or TOML file.",
)
@click.option("--success", help="Values the client treats as success (comma-separated).")
@click.option("--failure", help="Values it treats as failure.")
@click.option("--cancelled", help="Values it treats as cancelled.")
@click.option("--poll", help="Values it keeps polling on ('*': every other value).")
@click.option("--crash", help="Values it cannot parse.")
@click.option(
    "--unknown",
    type=click.Choice(UNKNOWN_ACTIONS),
    help="What it does with a value it does not know (default poll).",
)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Its timeout, s.")
@_spec_option()
@_format_option("text", "json")
@click.option("--ends-on", help="What ends its loop (comma-separated): " + ", ".join(ENDS_ON))
@click.option("--on-redirect", type=click.Choice(ON_REDIRECT), help="What it does on a 303.")
@click.option("--on-gone", type=click.Choice(ON_GONE), help="What it does on a 404 (expired).")
@click.option("--on-5xx", "on_server_error", type=click.Choice(ON_SERVER_ERROR), help="On a 5xx.")
@click.option("--interval", type=click.FloatRange(min=0), help="Seconds between its polls.")
@click.option(
    "--retry-after/--no-retry-after", default=None, help="Whether it honours Retry-After."
)
def client_cmd(
    profile: str | None,
    model_file: str | None,
    spec: str,
    fmt: str,
    **lists: Any,
) -> None:
    """Check what a client assumes: for each wrong assumption, the shortest trace that breaks it.

    \b
    Exit codes: 0 no error finding, 1 an error finding, 2 usage or a bad model file.
    """
    from jobstate import render
    from jobstate.clients import check_client, with_protocol

    protocol = {k: lists.pop(k) for k in _PROTOCOL_OPTIONS}
    model = _client_model(profile, model_file, lists)
    try:
        model = with_protocol(model, **protocol)
    except ValueError as exc:
        _fail(str(exc))
    findings = check_client(model, spec)
    if fmt == "json":
        _write_json(render.client_payload(model, spec, findings))
    else:
        _echo_lines(render.client_lines(model, spec, findings))
    sys.exit(EXIT_ERRORS if any(f.severity == "error" for f in findings) else EXIT_OK)


_PROTOCOL_OPTIONS = (
    "ends_on",
    "on_redirect",
    "on_gone",
    "on_server_error",
    "interval",
    "retry_after",
)


def _client_model(
    profile: str | None, model_file: str | None, lists: dict[str, Any]
) -> ClientModel:
    """The model from exactly one of a profile, a file, or the value lists."""
    from jobstate.clients import ClientModel, load_model

    given_lists = any(v is not None for v in lists.values())
    if sum((profile is not None, model_file is not None, given_lists)) != 1:
        raise click.UsageError("give exactly one of --profile, --model, or the value lists")
    try:
        if profile is not None:
            from jobstate.profiles import PROFILES

            return PROFILES[profile]
        if model_file is not None:
            return load_model(model_file)
        return ClientModel.from_lists(
            "ad-hoc",
            **{k: _values(lists[k]) for k in ("success", "failure", "cancelled", "poll", "crash")},
            unknown=lists["unknown"],
            timeout=lists["timeout"],
        )
    except (ValueError, OSError) as exc:
        _fail(str(exc))


@main.command("clients", short_help="Real-client profiles x specs, with their findings.")
@click.option(
    "--spec",
    "specs",
    type=click.Choice(SPEC_NAMES),
    multiple=True,
    help="Specs to check against (repeatable; default current and legacy).",
)
@_format_option("text", "markdown", "json")
def clients_cmd(specs: tuple[str, ...], fmt: str) -> None:
    """The matrix of real-client profiles x specs with their findings."""
    from jobstate import render
    from jobstate.clients import matrix
    from jobstate.profiles import PROFILES

    names = list(specs or DEFAULT_CLIENT_SPECS)
    table = matrix(PROFILES, names)
    if fmt == "json":
        _write_json(render.matrix_payload(table, PROFILES))
    elif fmt == "markdown":
        _echo_lines(render.matrix_markdown(table, names))
    else:
        _echo_lines(render.matrix_table(table, names))


@main.command("scenarios", short_help="List the monitor scenarios 'jobstate serve' plays.")
@_format_option("text", "json")
def scenarios_cmd(fmt: str) -> None:
    """List the monitor scenarios, each with the answers its monitor gives, poll by poll."""
    from jobstate.spec.scenarios import SCENARIOS

    if fmt == "json":
        _write_json([s.to_dict() for s in SCENARIOS.values()])
        return
    for s in SCENARIOS.values():
        click.echo(f"{s.name:<20} {s.dialect:<9} {s.description}")
        click.echo(f"{'':<20} {' | '.join(s.trace)}")


_LOOPBACK = ("127.0.0.1", "::1", "localhost")


@main.command("serve", short_help="Serve monitor scenarios over HTTP and grade the client.")
@click.option(
    "--scenario",
    "names",
    multiple=True,
    metavar="NAME",
    help="A scenario to play (repeatable; default: every one). See 'jobstate scenarios'.",
)
@click.option(
    "--trace",
    "traces",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Also play a trace file: JSON Lines, a status body or {http, body, headers} per line.",
)
@click.option("--dialect", type=click.Choice(DIALECT_NAMES), help="Answer in this dialect.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=0, show_default=True, type=click.IntRange(0, 65535))
@click.option("--record", type=click.Path(dir_okay=False), help="Write every request as HAR.")
@click.option("--duration", default=60.0, show_default=True, type=click.FloatRange(min=0.1))
@click.option(
    "--max-polls",
    default=20,
    show_default=True,
    type=click.IntRange(min=1),
    help="Polls of an ended monitor answered before 429 (the monitor is then settled).",
)
@click.option(
    "--idle",
    default=2.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds without a poll after the end that settle a monitor.",
)
@click.option("--poll-floor", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS")
@_format_option("text", "json", help="How to print the grades when the server stops.")
def serve_cmd(
    names: tuple[str, ...],
    traces: tuple[str, ...],
    dialect: str | None,
    host: str,
    port: int,
    record: str | None,
    duration: float,
    max_polls: int,
    idle: float,
    poll_floor: float | None,
    fmt: str,
) -> None:
    """Serve monitor URLs that play scenarios, one answer per poll, to any client in any
    language. The first lines printed are 'monitor URL SCENARIO'; point the client at them.
    The server stops when every monitor has ended and gone idle (or was polled --max-polls
    times past its end), after --duration seconds, or on Ctrl-C/SIGTERM; it then prints a
    grade per monitor URL (exit 1 if any is not ok) and writes --record.
    """
    scenarios = _scenarios(names, traces, dialect)
    if host not in _LOOPBACK:
        _error(f"warning: binding {host}: the emulator is reachable from other machines")
    try:
        from jobstate.emulator import MonitorServer
    except ImportError:  # pragma: no cover - depends on the environment
        _fail("jobstate serve needs uvicorn: pip install 'jobstate[serve]'")
    try:
        server = MonitorServer(
            scenarios, host=host, port=port, max_polls=max_polls, idle=idle,
            duration=duration, floor=poll_floor,
        )  # fmt: skip
    except OSError as exc:
        _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    urls = [(server.play(name), name) for name in scenarios]
    signalled = _catch_stop_signals()

    def ready() -> None:
        for url, name in urls:
            click.echo(f"monitor {url} {name}")
        sys.stdout.flush()

    why = server.run(on_ready=ready)
    if signalled:
        why = f"stopped by {signalled[0]}"
    _serve_report(server, why, record, fmt)


def _scenarios(
    names: tuple[str, ...], traces: tuple[str, ...], dialect: str | None
) -> dict[str, Any]:
    from jobstate._json import JSONDecodeError, loads
    from jobstate.spec.scenarios import SCENARIOS, scenario_from_lines

    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise click.BadParameter(
            f"no scenario {unknown[0]!r}; scenarios: {', '.join(SCENARIOS)}",
            param_hint="--scenario",
        )
    chosen = {n: SCENARIOS[n] for n in (names or (() if traces else SCENARIOS))}
    from pathlib import Path

    for path in traces:
        records = []
        with open(path, "rb") as fh:
            for number, raw in enumerate(fh, 1):
                if raw.strip():
                    try:
                        records.append(loads(raw))
                    except JSONDecodeError as exc:
                        _fail(f"{path}: line {number}: not JSON ({exc})")
        try:
            chosen[Path(path).stem] = scenario_from_lines(Path(path).stem, records)
        except (ValueError, TypeError) as exc:
            _fail(f"{path}: {exc}")
    if dialect:
        chosen = {n: s.in_dialect(dialect) for n, s in chosen.items()}
    return chosen


def _catch_stop_signals() -> list[str]:
    """SIGINT/SIGTERM noted (uvicorn stops on them, then re-raises them to these handlers)."""
    import signal

    seen: list[str] = []

    def note(sig: int, frame: object) -> None:
        seen.append(signal.Signals(sig).name)

    signal.signal(signal.SIGINT, note)
    signal.signal(signal.SIGTERM, note)
    return seen


def _serve_report(server: Any, why: str, record: str | None, fmt: str) -> None:
    grades = server.grades()
    if record:
        from jobstate._json import dumps

        try:
            with open(record, "wb") as fh:
                fh.write(dumps(server.har(), indent=True) + b"\n")
        except OSError as exc:
            _fail(f"cannot write {record}: {exc.strerror or exc}")
    if fmt == "json":
        _write_json({"stopped": why, "recording": record, "grades": grades})
    else:
        from jobstate.render import grade_line

        click.echo(f"stopped: {why}")
        for g in grades:
            click.echo(grade_line(g))
        if server.not_recorded:
            click.echo(f"note: {server.not_recorded:,} requests counted, not recorded")
    sys.exit(EXIT_OK if all(g["ok"] for g in grades) else EXIT_ERRORS)


if __name__ == "__main__":  # pragma: no cover
    run()
