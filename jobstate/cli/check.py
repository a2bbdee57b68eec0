"""``jobstate check``: its options, and the run from files to an exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import click

from jobstate._constants import (
    ENGINES,
    FAIL_ON,
    FORMATS,
    KEEP_VIOLATIONS,
    MAX_DOCUMENT,
    MAX_RECORD,
    STALL_SECONDS,
    FailOn,
    Format,
    Mode,
)
from jobstate.cli._common import (
    finite,
    format_option,
    mode_option,
    spec_option,
    stall_option,
)
from jobstate.cli._html import keeps_steps, write_html
from jobstate.cli._report import View, finish, follow_file, read_all, render_report

if TYPE_CHECKING:
    from jobstate.readers import ReadOptions

__all__ = ["check"]

_F = Callable[..., Any]


_INPUT_HELP = """Validate observed status sequences.

\b
FILES are JSON Lines, JSON (an array or one body), HAR 1.2 captures, CSV or TSV,
any of them gzipped, or Parquet; "-" reads standard input. The format comes from the
file name and its first bytes (--input-format overrides it).
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
            "--status-column",
            help="CSV or Parquet status column (default: the spec's status field).",
        ),
        click.option(
            "--percentage-column",
            help="CSV or Parquet progress column (default: the spec's progress field).",
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
    options: list[Callable[[_F], _F]] = [
        *_where_options(),
        click.option(
            "--poll-floor",
            type=click.FloatRange(min=0, min_open=True),
            callback=finite,
            metavar="SECONDS",
            help="Report polls of one monitor sooner than this apart (client finding"
            " poll-interval; Retry-After is always checked where a HAR keeps it).",
        ),
        stall_option(
            "Report a timed job (a HAR, --time-key) that shows the same status and"
            " progress for longer than this (finding stalled); 0: never."
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


def _all_ids() -> list[str]:
    """Every finding id --select/--ignore take: the lifecycle rules, then the client's."""
    from jobstate.validation import RULES
    from jobstate.validation.behaviour import BEHAVIOURS

    return [*RULES, *BEHAVIOURS]


def _rule_ids(values: Iterable[str], param: str) -> set[str]:
    """Rule and client finding ids from ids or prefixes, comma-separated or repeated."""
    ids = _all_ids()
    out: set[str] = set()
    for value in values:
        for part in filter(None, (p.strip() for p in value.split(","))):
            matched = {r for r in ids if r == part or r.startswith(part)}
            if not matched:
                raise click.BadParameter(
                    f"{part!r} is no rule or client finding id or prefix; ids: {', '.join(ids)}",
                    param_hint=param,
                )
            out |= matched
    return out


def _counted_rules(select: Iterable[str], ignore: Iterable[str]) -> frozenset[str] | None:
    """The ids --select/--ignore leave counted, or None for all of them."""
    every = set(_all_ids())
    kept = (_rule_ids(select, "--select") if select else every) - _rule_ids(ignore, "--ignore")
    return None if kept == every else frozenset(kept)


def _make_read_options(values: dict[str, Any]) -> ReadOptions:
    from jobstate.readers import ReadOptions

    fmt: Format | None = values.pop("input_format")
    values["stall"] = values.get("stall", STALL_SECONDS) or None  # 0: never
    return ReadOptions(format=fmt, **values)


@click.command(help=_INPUT_HELP)
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(path_type=str, allow_dash=True, readable=False),  # each input says why
)
@spec_option(help="Which vocabulary and edges to check against.")
@mode_option()
@format_option(
    "text",
    "json",
    "junit",
    "html",
    "jsonl",
    help="How to print the result: text, json, junit, html (one self-contained page), or jsonl"
    " (a line per job, then one of the totals).",
)
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
    callback=finite,
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
        given = {"--explain": explain, "--only-failing": only_failing, "--diagram": diagram_path}
        summaries, unusable = follow_file(
            files, validator, options, idle_exit, rules, fmt, keep_violations, given
        )
        fmt, summary = "text", True  # the violations were printed as they came
    else:
        if only_failing and diagram_path:
            raise click.UsageError("--diagram draws every job: it cannot take --only-failing")
        keep_steps = explain or bool(diagram_path) or (fmt == "html" and keeps_steps(files))
        summaries, unusable = read_all(
            files, validator, options, keep_steps, keep_violations, only_failing
        )
    if color is None:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    view = View(explain, max_violations, quiet, summary, color)
    with paused_gc():  # a report, then its text or JSON: many small objects, no cycles
        report = Report.from_inputs(validator.spec.name, validator.mode, summaries)
        if rules is not None:
            report = report.only(rules)
        if fmt == "html":
            write_html(report, validator, options, keep_steps, fail_on, unusable)
        else:
            render_report(report, fmt, fail_on, unusable, view)
    finish(report, diagram_path, unusable, fail_on)
