"""The one way tests run the CLI: in process, through click's runner, with what a finished
process gives (exit code, standard output and error as bytes). An exception the CLI does not
handle is in ``stderr`` as its traceback, as the interpreter would print it, so the tests that
promise "no traceback" hold in process too. Tests where a real process is the point (signals,
pipes, exit codes of the console script, packaging) start one themselves."""

from __future__ import annotations

import contextlib
import os
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

__all__ = ["Ran", "RanText", "cli", "cli_text"]


@dataclass(frozen=True)
class Ran:
    """What a CLI run gave, shaped like :class:`subprocess.CompletedProcess` with bytes."""

    returncode: int
    stdout: bytes
    stderr: bytes


@contextlib.contextmanager
def _cwd(path: Path | str | None) -> Iterator[None]:
    if path is None:
        yield
        return
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def cli(
    *args: str,
    stdin: bytes | str | None = None,
    cwd: Path | str | None = None,
    env: Mapping[str, str | None] | None = None,
) -> Ran:
    """Run ``jobstate ARGS`` in process (``env``: variables set for the run, ``None`` unset)."""
    from jobstate.cli import main

    with _cwd(cwd):
        result = CliRunner().invoke(main, list(args), input=stdin, env=env)
    stderr = result.stderr_bytes or b""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        exc = result.exception
        stderr += "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).encode()
        return Ran(1, result.stdout_bytes, stderr)
    return Ran(result.exit_code, result.stdout_bytes, stderr)


@dataclass(frozen=True)
class RanText:
    """:class:`Ran` with its output decoded (``subprocess.run(..., text=True)``)."""

    returncode: int
    stdout: str
    stderr: str


def cli_text(
    *args: str,
    stdin: bytes | str | None = None,
    cwd: Path | str | None = None,
    env: Mapping[str, str | None] | None = None,
) -> RanText:
    """:func:`cli` with its output as text."""
    ran = cli(*args, stdin=stdin, cwd=cwd, env=env)
    return RanText(ran.returncode, ran.stdout.decode(), ran.stderr.decode())
