"""The CLI, in process (a real process where that is the point): every exit code, both output
formats, bad input."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
from pathlib import Path

import click
import orjson
import pytest

from tests.clirun import Ran, cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "traces"


def run(*args: str, stdin: bytes | None = None) -> Ran:
    """The CLI, in process (tests.clirun)."""
    return cli(*args, stdin=stdin)


@pytest.mark.parametrize(
    "name", ["copy-completed", "copy-waiting-retry", "copy-cancelled", "sampled-gaps"]
)
def test_valid_examples_exit_0(name: str) -> None:
    """Each valid example passes with exit code 0 and an OK line."""
    proc = run("check", str(EXAMPLES / f"{name}.jsonl"))
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.startswith(b"OK ")
    assert proc.stderr == b""


def test_invalid_example_exits_1_with_every_rule_and_line() -> None:
    """The invalid example reports its violations with line numbers and exits 1."""
    proc = run("check", str(EXAMPLES / "invalid.jsonl"))
    assert proc.returncode == 1
    out = proc.stdout.decode()
    for line, rule in [
        (3, "percentage-regression"),
        (5, "unknown-status"),
        (5, "percentage-type"),
        (6, "illegal-transition"),
        (7, "malformed-record"),
        (8, "completed-not-100"),
        (9, "after-terminal"),
    ]:
        assert any(f"line {line}" in row and rule in row for row in out.splitlines()), rule
    assert "9 lines read = 7 observations + 1 rejected + 1 blank" in out


def test_json_output_schema() -> None:
    """--format json has ok, spec, mode, totals and per-job violations with line numbers."""
    proc = run("check", "--format", "json", str(EXAMPLES / "invalid.jsonl"))
    assert proc.returncode == 1
    data = orjson.loads(proc.stdout)
    assert data["ok"] is False and data["spec"] == "current" and data["mode"] == "sampled"
    assert data["totals"]["errors"] == 5 and data["totals"]["warnings"] == 2
    assert data["totals"]["read"] == 9
    [job] = data["jobs"]
    assert job["outcome"] == "success"
    assert [v["line"] for v in job["violations"]] == [3, 5, 5, 6, 7, 8, 9]
    assert {"rule", "severity", "index", "line", "http_status", "message"} == set(
        job["violations"][0]
    )
    assert job["key"] == job["input"] and job["lines"] == [1, 9] and job["http_status"] is None
    [acc] = data["inputs"]
    assert acc["read"] == acc["observations"] + acc["rejected"] + acc["blank"] + acc["skipped"]


def test_spec_and_mode_options() -> None:
    """--spec legacy accepts 'updating'; --mode step rejects a skipped state."""
    legacy = EXAMPLES / "legacy-updating.jsonl"
    assert run("check", str(legacy)).returncode == 1
    assert run("check", "--spec", "legacy", str(legacy)).returncode == 0
    assert run("check", "--spec", "any", str(legacy)).returncode == 0
    gaps = EXAMPLES / "sampled-gaps.jsonl"
    assert run("check", "--mode", "step", str(gaps)).returncode == 1


def test_stdin() -> None:
    """'-' reads standard input."""
    proc = run("check", "-", stdin=b'{"status": "inProgress"}\n{"status": "completed"}\n')
    assert proc.returncode == 0 and b"<stdin>" in proc.stdout


def test_several_files_one_job_each() -> None:
    """Several files are several jobs; the worst is listed first."""
    proc = run("check", str(EXAMPLES / "copy-completed.jsonl"), str(EXAMPLES / "invalid.jsonl"))
    assert proc.returncode == 1
    lines = proc.stdout.decode().splitlines()
    assert lines[0].startswith("FAIL") and "2 jobs (1 ok, 1 with errors" in lines[-1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("check", "no-such-file.jsonl"), b"no such file"),
        (("check", "."), b"is a directory"),
        (("check", "--spec", "v9", "x"), b"Invalid value for '--spec'"),
        (("check",), b"Missing argument"),
        (("frobnicate",), b"No such command"),
    ],
)
def test_unusable_input_or_usage_exits_2(args: tuple[str, ...], message: bytes) -> None:
    """Missing files, directories and bad usage exit 2 with a message and no traceback."""
    proc = run(*args)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert b"Traceback" not in proc.stderr + proc.stdout


def test_empty_input_exits_2(tmp_path: Path) -> None:
    """A file with no records is unusable, said on stderr."""
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"\n\n")
    proc = run("check", str(empty))
    assert proc.returncode == 2
    assert b"no records" in proc.stderr


def test_bad_lines_are_reported_and_the_rest_checked(tmp_path: Path) -> None:
    """Invalid JSON, a non-object and invalid UTF-8 each become malformed-record; nothing stops."""
    f = tmp_path / "bad.jsonl"
    f.write_bytes(b'{"status": "inProgress"}\n{oops\n[1, 2]\n\xff\xfe\n{"status": "notStarted"}\n')
    proc = run("check", "--format", "json", str(f))
    assert proc.returncode == 1
    [job] = orjson.loads(proc.stdout)["jobs"]
    assert [(v["rule"], v["line"]) for v in job["violations"]] == [
        ("malformed-record", 2),
        ("malformed-record", 3),
        ("malformed-record", 4),
        ("illegal-transition", 5),
    ]


def test_spec_command_text_and_json() -> None:
    """jobstate spec prints states, classes, edges and provenance."""
    text = run("spec", "--spec", "legacy").stdout.decode()
    assert "deletePending -> deleteFailed" in text and "inferred" in text
    data = orjson.loads(run("spec", "--format", "json").stdout)
    assert data["initial"] == "notStarted"
    assert {"source": "cancelPending", "dest": "cancelled"}.items() <= data["edges"][4].items()


def test_version_and_help() -> None:
    """--version prints the package version; --help exits 0."""
    from jobstate import __version__

    proc = run("--version")
    assert proc.returncode == 0 and __version__.encode() in proc.stdout
    assert run("--help").returncode == 0
    assert b"Exit codes" in run("--help").stdout


def test_the_command_leaves_without_the_interpreters_teardown() -> None:
    """`jobstate` (``cli.run``) flushes its output and leaves with its exit code at once: an
    exit handler, which the interpreter's teardown would run, never runs."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('torn down'))\n"
        "from jobstate.cli import run\n"
        "sys.argv[1:] = ['check', sys.argv[1]]\n"
        "run()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(EXAMPLES / "invalid.jsonl")],
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith(b"FAIL ") and proc.stdout.endswith(b"mode sampled\n")
    assert b"torn down" not in proc.stdout


class _Exited(Exception):
    """What the monkeypatched ``os._exit`` raises, with the code it was given."""


class _ClosedPipe(io.StringIO):
    def flush(self) -> None:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


@pytest.mark.parametrize(
    ("raised", "code", "said"),
    [
        (None, 0, ""),
        (SystemExit(None), 0, ""),
        (SystemExit(2), 2, ""),
        (SystemExit("no"), 1, "no\n"),
    ],
)
def test_run_leaves_with_the_commands_exit_code(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    raised: SystemExit | None,
    code: int,
    said: str,
) -> None:
    """``run`` gives ``os._exit`` the code the interpreter would give for the command's end:
    0 for a plain return or ``None``, the number, or 1 with a text printed."""
    from jobstate import cli

    def command(prog_name: str) -> None:
        assert prog_name == "jobstate"
        if raised is not None:
            raise raised

    def leave(status: int) -> None:
        raise _Exited(status)

    monkeypatch.setattr(cli, "main", command)
    monkeypatch.setattr(os, "_exit", leave)
    with pytest.raises(_Exited) as left:
        cli.run()
    assert left.value.args == (code,)
    assert capsys.readouterr().err == said


class _FullDisk(io.StringIO):
    def flush(self) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize(
    ("stdout", "code", "said"),
    [
        (_ClosedPipe, 141, ""),
        (_FullDisk, 2, "jobstate: error: cannot write the output (No space left on device)\n"),
    ],
)
def test_run_ends_quietly_when_the_reader_goes_away(
    monkeypatch: pytest.MonkeyPatch, stdout: type[io.StringIO], code: int, said: str
) -> None:
    """Output still buffered at the end: a reader gone (`| head`) ends the run silently with
    141 (128 + SIGPIPE, as other commands end); a full disk is a message and exit 2. The
    interpreter's own final flush printed "Exception ignored" and exited 120."""
    from jobstate import cli
    from jobstate.cli import _common as common

    silenced: list[bool] = []
    err = io.StringIO()

    def leave(status: int) -> None:
        raise _Exited(status)

    monkeypatch.setattr(cli, "main", lambda prog_name: None)
    monkeypatch.setattr(os, "_exit", leave)
    monkeypatch.setattr(common, "silence_stdout", lambda: silenced.append(True))
    monkeypatch.setattr(sys, "stdout", stdout())
    monkeypatch.setattr(sys, "stderr", err)
    with pytest.raises(_Exited) as left:
        cli.run()
    assert left.value.args == (code,) and silenced == [True]
    assert err.getvalue() == said


def test_a_small_file_is_checked_without_numpy_or_polars(tmp_path: Path) -> None:
    """`check` on a small uncompressed file imports neither numpy nor polars (their imports
    cost more than the check), nor what else costs start-up time and a small check does not
    need: ``transitions`` (the built-in specs' machine facts are kept), ``logging`` (the thread
    pool of the polars path), ``pathlib``, ``gzip``."""
    heavy = ("numpy", "polars", "transitions", "logging", "pathlib", "gzip", "concurrent.futures")
    code = (
        "import sys\n"
        "from jobstate.cli import main\n"
        "try: main(['check', sys.argv[1]])\n"
        "except SystemExit as exc: print(exc.code)\n"
        f"print(*(m in sys.modules for m in {heavy!r}))\n"
    )
    example = str(Path(__file__).resolve().parents[2] / "examples" / "traces" / "invalid.jsonl")
    out = subprocess.run(
        [sys.executable, "-c", code, example],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    ).stdout.splitlines()
    assert out[-2:] == ["1", " ".join(["False"] * len(heavy))]


def test_every_option_of_every_command_says_what_it_does() -> None:
    """Each option of each command has help text (--help lists none bare)."""
    import importlib

    from jobstate.cli import COMMANDS

    bare = []
    for name, where in COMMANDS.items():
        module, attr = where.split(":")
        command = getattr(importlib.import_module(module), attr)
        bare += [
            f"{name} {p.opts[0]}"
            for p in command.params
            if isinstance(p, click.Option) and not p.help and p.opts[0] != "--help"
        ]
    assert bare == []
