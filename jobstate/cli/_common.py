"""What every command of the CLI shares: the exit codes, the ``--format`` and ``--spec``
options, and writing output and errors."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NoReturn

import click

from jobstate._constants import ECHO_BATCH, MODES, SPEC_NAMES, STALL_SECONDS

__all__ = [
    "EXIT_ERRORS",
    "EXIT_OK",
    "EXIT_PIPE",
    "EXIT_UNUSABLE",
    "OUTPUT_ERRNOS",
    "SPEC_HELP",
    "SpecParam",
    "cannot_write",
    "echo_lines",
    "error",
    "fail",
    "finite",
    "format_option",
    "mode_option",
    "need",
    "output_gone",
    "scenario_option",
    "silence_stdout",
    "spec_option",
    "stall_option",
    "warn",
    "write",
    "write_json",
]

EXIT_OK, EXIT_ERRORS, EXIT_UNUSABLE = 0, 1, 2

_F = Callable[..., Any]


def mode_option() -> Callable[[_F], _F]:
    """``--mode sampled|step``, default ``sampled``."""
    return click.option(
        "--mode",
        type=click.Choice(MODES),
        default="sampled",
        show_default=True,
        help="sampled: client polls, skipped states are fine; step: every change is one edge.",
    )


def stall_option(help: str) -> Callable[[_F], _F]:
    """``--stall SECONDS``: the stall threshold (``0``: never), default five minutes."""
    return click.option(
        "--stall",
        type=click.FloatRange(min=0),
        callback=finite,
        default=STALL_SECONDS,
        show_default=True,
        metavar="SECONDS",
        help=help,
    )


def scenario_option() -> Callable[[_F], _F]:
    """``--scenario NAME`` (repeatable) into ``names``."""
    return click.option(
        "--scenario",
        "names",
        multiple=True,
        metavar="NAME",
        help="A scenario to play (repeatable; default: every one). See 'jobstate scenarios'.",
    )


def format_option(*choices: str, help: str | None = None) -> Callable[[_F], _F]:
    """``--format`` with ``choices``, the first being the default."""
    kind = click.Choice(choices)
    text = help or f"How to print the result: {', '.join(choices)}."
    return click.option(
        "--format", "fmt", type=kind, default=choices[0], show_default=True, help=text
    )


if TYPE_CHECKING:  # generic in newer click only
    _ParamType = click.ParamType[Any]
else:
    _ParamType = click.ParamType


class SpecParam(_ParamType):
    """A spec: a built-in name (kept as the name: nothing is loaded for it) or a ``.toml`` or
    ``.json`` spec file, loaded and checked here, so a bad one is a usage error (exit 2) that
    names the file, the place in it and the problem."""

    name = "spec"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "NAME|FILE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str) or value in SPEC_NAMES:
            return value
        from jobstate.exceptions import SpecError
        from jobstate.spec.loading import load_spec

        try:
            return load_spec(value)
        except SpecError as exc:
            self.fail(str(exc), param, ctx)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[Any]:
        from click.shell_completion import CompletionItem

        names = [CompletionItem(n) for n in SPEC_NAMES if n.startswith(incomplete)]
        return [*names, CompletionItem(incomplete, type="file")]


SPEC_HELP = "a built-in spec (current, legacy, any) or a .toml or .json spec file"


def spec_option(dest: str = "spec", help: str | None = None) -> Callable[[_F], _F]:
    """``--spec NAME|FILE``, default ``current``."""
    text = f"{help} NAME|FILE: {SPEC_HELP}." if help else f"The spec: {SPEC_HELP}."
    return click.option(
        "--spec", dest, type=SpecParam(), default="current", show_default=True, help=text
    )


def write(data: bytes) -> None:
    """Bytes to standard output."""
    sys.stdout.buffer.write(data)


def write_json(value: Any) -> None:
    from jobstate._json import dumps

    write(dumps(value, indent=True) + b"\n")


def echo_lines(lines: Iterable[str], *, color: bool | None = None) -> None:
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


def error(message: str) -> None:
    """An error on standard error, its untrusted parts (file names, keys) made inert."""
    from jobstate._words import inert

    click.echo(f"jobstate: error: {inert(message)}", err=True)


def warn(message: str) -> None:
    """A warning on standard error (``jobstate: warning: ...``), made inert like an error."""
    from jobstate._words import inert

    click.echo(f"jobstate: warning: {inert(message)}", err=True)


def finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """A click callback: a number option must be finite (``nan`` passes click's ranges, and a
    ``--duration nan`` would never end)."""
    import math

    if value is not None and not math.isfinite(value):
        raise click.BadParameter("must be a finite number", ctx, param)
    return value


def fail(message: str) -> NoReturn:
    """:func:`error`, then exit 2."""
    error(message)
    sys.exit(EXIT_UNUSABLE)


OUTPUT_ERRNOS = {errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT}


def need(module: str, what: str) -> None:
    """Exit 2 with the install command when ``module``, which ``what`` needs, is missing (it
    installs with the package: an environment that lost it), never a traceback later."""
    from importlib.util import find_spec

    if find_spec(module) is None:
        fail(f"{what} needs {module}, which installs with jobstate: pip install {module}")


def cannot_write(exc: OSError) -> None:
    """Say that the output cannot be written, and stop writing it."""
    silence_stdout()
    click.echo(f"jobstate: error: cannot write the output ({exc.strerror})", err=True)


EXIT_PIPE = 141
"""The exit code when the reader of the output went away (``| head``): 128 + SIGPIPE, as a
command killed by that signal reports, silently, as such commands end."""


def output_gone(exc: OSError) -> int:
    """The exit code for output that cannot be written: a reader that went away (a closed
    pipe) is no error to report, so only the output stops (:data:`EXIT_PIPE`); a full disk or
    an I/O error is said, and is exit 2."""
    if exc.errno == errno.EPIPE:
        silence_stdout()
        return EXIT_PIPE
    cannot_write(exc)
    return EXIT_UNUSABLE


def silence_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's final flush finds no error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - no usable file descriptor
        pass
