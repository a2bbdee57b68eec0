"""The README stays in step with the code: rule ids, severities, provenance, edges, and the
output of every command it shows."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

from jobstate import RULES, get_spec

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_rule_table_matches_rules() -> None:
    """Each rule id appears in the README's table with its severity and provenance."""
    rows = {
        m.group(1): (m.group(2), m.group(3))
        for m in re.finditer(r"^\| `([a-z0-9-]+)` \| (error|warning) \| (\w+) \|", README, re.M)
    }
    assert rows == {r.id: (r.severity, r.provenance) for r in RULES.values()}


def test_current_edge_table_matches_spec() -> None:
    """The README's current-spec table lists exactly the spec's edges and provenance."""
    rows = set(re.findall(r"^\| (\w+) \| (\w+) \| (card|doc|inferred) \|", README, re.M))
    spec = get_spec("current")
    assert {(e.source, e.dest, e.provenance) for e in spec.edges} <= rows


def test_the_spec_file_example_prints_what_the_readme_shows() -> None:
    """The README's `check --spec FILE` example prints exactly the lines shown under it."""
    from click.testing import CliRunner

    from jobstate.cli import main

    block = README.split("<!-- readme: spec-file -->\n```\n", 1)[1].split("```", 1)[0]
    command, *shown = block.splitlines()
    args = command.removeprefix("$ jobstate ").split()
    root = Path(__file__).resolve().parent.parent
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, args)
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == shown


def _shown_runs() -> list[tuple[str, list[str]]]:
    """Each ``$ jobstate ...`` line of the README's code blocks (no shell syntax in it) and
    the lines shown under it, up to the next command or the end of the block."""
    runs: list[tuple[str, list[str]]] = []
    current: tuple[str, list[str]] | None = None
    inside = False
    for line in README.splitlines():
        if line.startswith("```"):
            inside, current = not inside, None
        elif inside and line.startswith("$ "):
            command = line[2:]
            current = None
            if command.startswith("jobstate ") and not set(command) & set("*|&>#"):
                current = (command, [])
                runs.append(current)
        elif current is not None:
            current[1].append(line)
    return runs


@pytest.mark.parametrize(("command", "shown"), _shown_runs(), ids=lambda x: str(x)[:60])
def test_each_command_shown_prints_what_the_readme_shows(command: str, shown: list[str]) -> None:
    """Every jobstate command the README shows with its output prints exactly that output
    when run from the repository's root (so the README cannot drift from the tool)."""
    from tests.clirun import cli_text

    root = Path(__file__).resolve().parent.parent
    ran = cli_text(*shlex.split(command)[1:], cwd=root, env={"COLUMNS": "100"})
    out = ran.stdout.splitlines()
    assert _matches(out, shown), "\n".join(["README shows:", *shown, "the command prints:", *out])


def _matches(out: list[str], shown: list[str]) -> bool:
    """Whether ``out`` is what ``shown`` shows: ``[...]`` in a line stands for any text, and
    a line of its own ``[...]`` for any number of lines."""
    if not shown:
        return not out
    head, rest = shown[0], shown[1:]
    if head == "[...]":
        return any(_matches(out[i:], rest) for i in range(len(out) + 1))
    pattern = ".*".join(map(re.escape, head.split("[...]")))
    return bool(out) and re.fullmatch(pattern, out[0]) is not None and _matches(out[1:], rest)


def test_the_readme_matcher_reads_elisions() -> None:
    """``[...]`` elides text within a line, or whole lines; anything else must be equal."""
    assert _matches(["a b c", "x", "y"], ["a [...] c", "[...]"])
    assert _matches(["a", "x", "y", "z"], ["a", "[...]", "z"])
    assert not _matches(["a", "b"], ["a"]) and not _matches(["a b"], ["a c"])
    assert not _matches(["a"], ["a", "b"])


def test_the_poller_loop_prints_what_the_readme_shows(capsys: pytest.CaptureFixture[str]) -> None:
    """The README's monitor.wait loop (a MonitorError caught for the lost monitor) runs and
    prints exactly the lines shown under it."""
    block = README.split("<!-- readme: poller-loop -->\n```python\n", 1)[1]
    code, rest = block.split("```\n", 1)
    shown = rest.split("```\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out == shown


def test_the_clients_matrix_is_what_the_command_prints() -> None:
    """The README's real-client matrix is exactly `jobstate clients --format markdown`."""
    from tests.clirun import cli_text

    block = README.split("<!-- readme: clients-matrix -->\n", 1)[1].split("\n\n", 1)[0]
    assert cli_text("clients", "--format", "markdown").stdout == block + "\n"
