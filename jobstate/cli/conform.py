"""``jobstate conform -- CMD ARG...``: play every scenario to a fresh run of any client, in any
language, and grade what it concluded as well as what it sent (:mod:`jobstate.conform`)."""

from __future__ import annotations

from typing import Any

import click

from jobstate._constants import DIALECT_NAMES
from jobstate.cli._common import (
    EXIT_ERRORS,
    EXIT_OK,
    echo_lines,
    finite,
    format_option,
    need,
    scenario_option,
    spec_option,
    write,
    write_json,
)

__all__ = ["conform_cmd"]


@click.command(
    "conform",
    short_help="Play every scenario to a client command and grade what it concluded.",
    context_settings={"ignore_unknown_options": True},
)
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@scenario_option()
@click.option(
    "--dialect",
    type=click.Choice(DIALECT_NAMES),
    help="Only the scenarios of this dialect of the monitor protocol.",
)
@spec_option(help="The spec whose scenarios are played (a file's are generated from it).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    callback=finite,
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="The most one run of the client may take; a client still running then is killed.",
)
@format_option(
    "text",
    "json",
    "html",
    help="How to print the table: text, json, or html (one self-contained page).",
)
def conform_cmd(
    command: tuple[str, ...],
    names: tuple[str, ...],
    dialect: str | None,
    spec: Any,
    timeout: float,
    fmt: str,
) -> None:
    """Run COMMAND once per scenario against a monitor emulator on loopback and grade it.

    In COMMAND's arguments, {url} is the monitor URL of the run (also in the environment as
    JOBSTATE_MONITOR_URL). The client's conclusion is the last line of its standard output:
    an outcome (success, failure, cancelled, or unknown) and, optionally, a space and the new
    resource's id. A case passes when the client concluded the scenario's true outcome (for a
    monitor lost before any end: failure or unknown), named the true resource if it named one,
    and sent no traffic the client-behaviour findings call an error. A client that exits
    non-zero without a conclusion crashed; one that outlives --timeout is killed and fails.

    Put -- before COMMAND so that its options are not read as jobstate's:

        jobstate conform -- python my_poller.py {url}

    Exit codes: 0 every case passed, 1 a case failed, 2 usage (an unknown scenario, a
    missing extra).
    """
    scenarios = _chosen(names, dialect, spec)
    need("uvicorn", "jobstate conform")
    from jobstate import conform
    from jobstate.emulator import MonitorServer

    with MonitorServer(scenarios, idle=0.5, duration=timeout * len(scenarios) + 60) as server:
        cases = conform.run_command(server, scenarios, command, timeout=timeout)
        entries = server.har()["log"]["entries"] if fmt == "html" else []
    if fmt == "html":
        from jobstate.render.html import conform_html

        write(conform_html(cases, command, entries).encode("utf-8"))
    elif fmt == "json":
        payload = {"ok": all(c.ok for c in cases), "command": list(command)}
        write_json({**payload, "cases": [c.to_dict() for c in cases]})
    else:
        echo_lines(conform.table_lines(cases))
    raise SystemExit(EXIT_OK if all(c.ok for c in cases) else EXIT_ERRORS)


def _chosen(names: tuple[str, ...], dialect: str | None, spec: Any) -> dict[str, Any]:
    """The scenarios asked for, by name and dialect, from the spec's pool."""
    from jobstate.cli.serve import scenario_pool

    pool = scenario_pool(spec)
    unknown = [n for n in names if n not in pool]
    if unknown:
        raise click.BadParameter(
            f"no scenario {unknown[0]!r}; scenarios: {', '.join(pool)}", param_hint="--scenario"
        )
    chosen = {n: pool[n] for n in names or pool}
    if dialect is not None:
        chosen = {n: s for n, s in chosen.items() if s.dialect == dialect}
    if not chosen:
        raise click.UsageError(f"no scenario is in the {dialect} dialect among those chosen")
    return chosen
