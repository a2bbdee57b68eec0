"""The commands that show a spec: ``spec``, ``sql``, ``rules`` and ``diagram``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from jobstate._constants import (
    SQL_DIALECTS,
    SQL_REPORTS,
    DiagramFormat,
)
from jobstate.cli._common import (
    EXIT_ERRORS,
    EXIT_OK,
    SpecParam,
    echo_lines,
    fail,
    format_option,
    mode_option,
    spec_option,
    stall_option,
    write,
    write_json,
)

if TYPE_CHECKING:
    from jobstate.spec import Spec

__all__ = ["NO_PROTOCOL", "diagram_cmd", "rules_cmd", "spec_cmd", "sql_cmd"]

NO_PROTOCOL = (
    "the HTTP dialects, deviations and scenarios are the built-in specs' (current, legacy,"
    " any); a spec file describes statuses only"
)

_SPEC_ARG = click.argument("spec_name", required=False, type=SpecParam())


@click.command("spec", short_help="Print a spec, or what changed between two (spec diff A B).")
@click.argument("args", nargs=-1, metavar="[SPEC | diff A B]")
@spec_option("name")
@format_option("text", "json")
def spec_cmd(args: tuple[str, ...], name: Any, fmt: str) -> None:
    """Print a spec (SPEC or --spec: a built-in name or a .toml or .json file): its states,
    their classes, its edges and their provenance; then, for the built-in specs, the monitor's
    HTTP protocol: its dialects and observed deviations.

    \b
    jobstate spec diff A B: what changed from spec A to spec B (states, edges, the initial
    and terminal states, outcomes, provenance); exit 1 when they differ.
    """
    from jobstate.packs.graph.protocol import protocol_dict
    from jobstate.render import protocol_lines, spec_lines
    from jobstate.spec import get_spec
    from jobstate.spec.builtin import is_builtin

    ctx = click.get_current_context()
    if args[:1] == ("diff",):
        if len(args) != 3:
            raise click.UsageError("spec diff takes two specs: jobstate spec diff A B")
        _diff(*(get_spec(SpecParam().convert(x, None, ctx)) for x in args[1:]), fmt=fmt)
    if len(args) > 1:
        raise click.UsageError("spec takes one spec (or: jobstate spec diff A B)")
    spec = get_spec(SpecParam().convert(args[0], None, ctx) if args else name)
    builtin = is_builtin(spec)
    if fmt == "json":
        write_json({**spec.to_dict(), "protocol": protocol_dict() if builtin else None})
    else:
        echo_lines(spec_lines(spec))
        if builtin:
            echo_lines(protocol_lines())
        else:
            click.echo(f"protocol: none ({NO_PROTOCOL})")


def _diff(a: Spec, b: Spec, *, fmt: str) -> NoReturn:
    from jobstate.spec.diff import diff_specs

    found = diff_specs(a, b)
    if fmt == "json":
        write_json(found.to_dict())
    else:
        echo_lines(found.lines())
    sys.exit(EXIT_OK if found.same else EXIT_ERRORS)


@click.command("sql", short_help="Print the SQL that checks a table of polls (DuckDB, Spark).")
@spec_option(help="Which vocabulary and edges the query checks against.")
@mode_option()
@click.option(
    "--dialect",
    type=click.Choice(SQL_DIALECTS),
    default="duckdb",
    show_default=True,
    help="The SQL dialect: duckdb, or spark (Spark SQL, Databricks).",
)
@click.option(
    "--report",
    type=click.Choice(SQL_REPORTS),
    default="jobs",
    show_default=True,
    help="jobs: one row per job; violations: one row per violation.",
)
@click.option("--table", default="polls", show_default=True, help="The table (or view) of polls.")
@click.option("--job-col", default="job", show_default=True, help="The job key column.")
@click.option("--status-col", help="The status column (default: the spec's status field).")
@click.option(
    "--pct-col", help="The progress column, a number (default: the spec's progress field)."
)
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
    help="The code of an error body (needs --http-col): the monitor protocol's gone code says"
    " the monitor is gone whatever the HTTP status.",
)
@click.option(
    "--time-col",
    help="Each poll's time in seconds since the epoch (give it as --order-col too): adds each"
    " job's first_poll, last_poll and duration, and the stalled finding.",
)
@stall_option(
    "With --time-col: the same status and percentage for longer than this is stalled; 0: never."
)
def sql_cmd(
    spec: str,
    mode: str,
    dialect: str,
    report: str,
    table: str,
    job_col: str,
    status_col: str | None,
    pct_col: str | None,
    order_col: str,
    tiebreak_col: str | None,
    http_col: str | None,
    error_code_col: str | None,
    time_col: str | None,
    stall: float,
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
            time=time_col,
            stall=stall or None,
        )
    except OptionError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(text, nl=False)


@click.command("rules", short_help="List the rule and client finding ids.")
@spec_option()
@format_option("text", "json")
def rules_cmd(spec: str, fmt: str) -> None:
    """List the rule ids with their severity, provenance and what each checks (under --spec: a
    spec file's rules say its own fields), then the client-behaviour finding ids (what a
    capture says the client did); --select and --ignore take both."""
    from jobstate import render
    from jobstate.spec import get_spec
    from jobstate.validation.rule_text import behaviours_for, rules_for

    sp = get_spec(spec)
    rules, behaviours = rules_for(sp), behaviours_for(sp)
    if fmt == "json":
        payload = render.rules_payload(rules)
        clients = render.behaviours_payload(behaviours)
        write_json([{**r, "scope": "lifecycle"} for r in payload] + clients)
    else:
        echo_lines(render.rule_lines(rules))
        echo_lines(["", "client-behaviour findings (what the traffic says the client did):"])
        echo_lines(render.behaviour_lines(behaviours))


@click.command("diagram", short_help="Draw a spec's state diagram.")
@_SPEC_ARG
@spec_option("name")
@format_option(
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
                fail(f"{all_dir}: cannot write ({exc.strerror or exc})")
            for path in written:
                click.echo(f"wrote {path}")
            return
        data = diagram(spec_name or name, fmt)
    except DiagramError as exc:
        fail(str(exc))
    if output is not None:
        try:
            with open(output, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            fail(f"{output}: cannot write ({exc.strerror})")
    elif fmt == "png" and sys.stdout.isatty():
        fail("PNG is binary: use -o FILE")
    else:
        write(data)
