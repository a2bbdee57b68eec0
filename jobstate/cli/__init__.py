"""The ``jobstate`` command line: options → the library → a renderer → an exit code.

Exit codes: 0 no errors, 1 errors found, 2 unusable input or usage.

Each command lives in a module of its own, imported only when it runs (as poetry loads its
commands), so ``jobstate check`` pays for neither the server nor the diagrams:

- :mod:`jobstate.cli.check`: ``check`` (its report written by :mod:`jobstate.cli._report`);
- :mod:`jobstate.cli.spec`: ``spec``, ``sql``, ``rules``, ``diagram``;
- :mod:`jobstate.cli.client`: ``client``, ``clients``, ``scenarios``;
- :mod:`jobstate.cli.serve`: ``serve``.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from typing import Any, NoReturn

import click

from jobstate.cli._common import EXIT_ERRORS, EXIT_OK, EXIT_UNUSABLE, OUTPUT_ERRNOS, output_gone

__all__ = ["COMMANDS", "EXIT_ERRORS", "EXIT_OK", "EXIT_UNUSABLE", "main", "run"]

COMMANDS = {
    "check": "jobstate.cli.check:check",
    "spec": "jobstate.cli.spec:spec_cmd",
    "sql": "jobstate.cli.spec:sql_cmd",
    "rules": "jobstate.cli.spec:rules_cmd",
    "diagram": "jobstate.cli.spec:diagram_cmd",
    "client": "jobstate.cli.client:client_cmd",
    "clients": "jobstate.cli.client:clients_cmd",
    "scenarios": "jobstate.cli.client:scenarios_cmd",
    "serve": "jobstate.cli.serve:serve_cmd",
    "conform": "jobstate.cli.conform:conform_cmd",
}
"""Each command's name and where it is defined (``module:attribute``), in help order."""


class _Main(click.Group):
    """The command group, which also ends the ways a run can stop from outside cleanly:
    Ctrl-C exits 130 (not 1, the findings code); output that cannot be written (a full disk, a
    closed pipe) and memory running out (a limit set on the process) exit 2 with a message
    instead of a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = COMMANDS.get(cmd_name)
        if where is None:
            return None
        module, name = where.split(":")
        command: click.Command = getattr(importlib.import_module(module), name)
        return command

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
            if exc.errno not in OUTPUT_ERRNOS:
                raise
            ctx.exit(output_gone(exc))


@click.group(
    cls=_Main,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="jobstate-graph", prog_name="jobstate")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Check Microsoft Graph asyncJobStatus lifecycles (the monitor URL of a long-running job).

    \b
    Exit codes: 0 no errors, 1 errors found, 2 unusable input or usage, 130 interrupted,
    141 the reader of the output went away (| head).
    Defaults for check come from jobstate.toml or pyproject.toml [tool.jobstate] in the
    working directory or its nearest parent that has one.
    Shell completion: eval "$(_JOBSTATE_COMPLETE=bash_source jobstate)".
    """
    if ctx.invoked_subcommand != "check":  # the file holds check's defaults, and only them
        return
    from jobstate.config import load_config, typed
    from jobstate.exceptions import OptionError

    try:
        path, options = load_config()
        if options:
            from jobstate.cli.check import check

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
        code = output_gone(exc)
    except ValueError:  # standard output closed: nothing left to flush
        pass
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code)
