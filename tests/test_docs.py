"""The README and the documentation site stay in step with the code: rule ids, severities,
provenance, edges, and the output of every command they show."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from jobstate import RULES, get_spec

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
}
ALL = "\n".join(PAGES.values())
README_LIMIT = 10_240


def test_the_readme_is_one_screen_per_job() -> None:
    """The README stays within 10 KB (the manual is the documentation site) and links each
    page of the site that it names."""
    readme = PAGES["README.md"]
    assert len(readme.encode()) <= README_LIMIT
    linked = set(re.findall(r"\]\(docs/([a-z]+\.md)\)", readme))
    assert linked == {p.removeprefix("docs/") for p in PAGES if p.startswith("docs/")}


def test_rule_table_matches_rules() -> None:
    """Each rule id appears in the rules page's table with its severity and provenance."""
    rows = {
        m.group(1): (m.group(2), m.group(3))
        for m in re.finditer(
            r"^\| `([a-z0-9-]+)` \| (error|warning) \| (\w+) \|", PAGES["docs/rules.md"], re.M
        )
    }
    assert rows == {r.id: (r.severity, r.provenance) for r in RULES.values()}


def test_current_edge_table_matches_spec() -> None:
    """The specs page's current-spec table lists exactly the spec's edges and provenance."""
    rows = set(
        re.findall(r"^\| (\w+) \| (\w+) \| (card|doc|inferred) \|", PAGES["docs/specs.md"], re.M)
    )
    spec = get_spec("current")
    assert {(e.source, e.dest, e.provenance) for e in spec.edges} <= rows


def test_the_spec_file_example_prints_what_the_page_shows() -> None:
    """The `check --spec FILE` example prints exactly the lines shown under it, exit 1."""
    from tests.clirun import cli_text

    block = ALL.split("<!-- readme: spec-file -->\n```\n", 1)[1].split("```", 1)[0]
    command, *shown = block.splitlines()
    ran = cli_text(*command.removeprefix("$ jobstate ").split(), cwd=ROOT)
    assert ran.returncode == 1
    assert ran.stdout.splitlines() == shown


def _shown_runs(text: str) -> list[tuple[str, list[str]]]:
    """Each ``$ jobstate ...`` line of a page's code blocks (no shell syntax in it) and the
    lines shown under it, up to the next command or the end of the block."""
    runs: list[tuple[str, list[str]]] = []
    current: tuple[str, list[str]] | None = None
    inside = False
    for line in text.splitlines():
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


RUNS = [(page, *run) for page, text in PAGES.items() for run in _shown_runs(text)]


@pytest.mark.parametrize(("page", "command", "shown"), RUNS, ids=lambda x: str(x)[:60])
def test_each_command_shown_prints_what_the_page_shows(
    page: str, command: str, shown: list[str]
) -> None:
    """Every jobstate command the README or a documentation page shows with its output
    prints exactly that output when run from the repository's root (``python`` in it is this
    interpreter), so no page can drift from the tool."""
    from tests.clirun import cli_text

    args = [sys.executable if a == "python" else a for a in shlex.split(command)[1:]]
    ran = cli_text(*args, cwd=ROOT, env={"COLUMNS": "100"})
    out = ran.stdout.splitlines()
    assert _matches(out, shown), "\n".join([f"{page} shows:", *shown, "the command prints:", *out])


def test_every_page_shows_a_command_that_is_run() -> None:
    """The pages the runs above come from include the README and the site's main pages (a
    change in the block syntax cannot silently leave them unchecked)."""
    pages = {page for page, _, _ in RUNS}
    assert {"README.md", "docs/check.md", "docs/inputs.md", "docs/clients.md"} <= pages
    assert len(RUNS) >= 9
    assert {page for page, _, _ in _shell_blocks()} == {"README.md", "docs/sql.md"}


def _shell_blocks() -> list[tuple[str, str, list[str]]]:
    """Each code block after a ``<!-- docs: shell -->`` marker: its commands as one script and
    the lines it shows."""
    blocks = []
    for page, text in PAGES.items():
        for block in text.split("<!-- docs: shell -->\n```\n")[1:]:
            lines = block.split("```", 1)[0].splitlines()
            script = "\n".join(line[2:] for line in lines if line.startswith("$ "))
            blocks.append((page, script, [line for line in lines if not line.startswith("$ ")]))
    return blocks


@pytest.mark.parametrize(
    ("page", "script", "shown"), _shell_blocks(), ids=[b[0] for b in _shell_blocks()]
)
def test_each_shell_block_prints_what_the_page_shows(
    page: str, script: str, shown: list[str], tmp_path: Path
) -> None:
    """A block of shell commands (redirections, another program) runs in bash, in a fresh
    folder that sees the repository's examples, with ``python`` and ``jobstate`` this
    interpreter's, and prints exactly the lines shown."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, line in (("python", '"$@"'), ("jobstate", '-m jobstate "$@"')):
        (bin_dir / name).write_text(f'#!/bin/sh\nexec "{sys.executable}" {line}\n')
        (bin_dir / name).chmod(0o755)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    ran = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.rstrip("\n").splitlines() == shown, f"{page}:\n{ran.stdout}"


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


def test_the_matcher_reads_elisions() -> None:
    """``[...]`` elides text within a line, or whole lines; anything else must be equal."""
    assert _matches(["a b c", "x", "y"], ["a [...] c", "[...]"])
    assert _matches(["a", "x", "y", "z"], ["a", "[...]", "z"])
    assert not _matches(["a", "b"], ["a"]) and not _matches(["a b"], ["a c"])
    assert not _matches(["a"], ["a", "b"])


def test_the_poller_loop_prints_what_the_page_shows(capsys: pytest.CaptureFixture[str]) -> None:
    """The monitor.wait loop (a MonitorError caught for the lost monitor) runs and prints
    exactly the lines shown under it."""
    block = ALL.split("<!-- readme: poller-loop -->\n```python\n", 1)[1]
    code, rest = block.split("```\n", 1)
    shown = rest.split("```\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "docs/monitor.md", "exec"), {})
    assert capsys.readouterr().out == shown


def test_the_clients_matrix_is_what_the_command_prints() -> None:
    """The real-client matrix shown is exactly `jobstate clients --format markdown`."""
    from tests.clirun import cli_text

    block = ALL.split("<!-- readme: clients-matrix -->\n", 1)[1].split("\n\n", 1)[0]
    assert cli_text("clients", "--format", "markdown").stdout == block + "\n"


def _hooks() -> object:
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_home_page_is_the_readme_with_site_links() -> None:
    """The site's home page is the README: links into docs/ become links between pages, links
    to other files of the repository their bare text, web links and diagrams stay."""
    pytest.importorskip("mkdocs")
    home = _hooks().home_page  # type: ignore[attr-defined]
    text = "[a](docs/check.md) [b](LICENSE) [c](https://x.org) ![d](diagrams/current.svg)"
    assert home(text) == "[a](check.md) b [c](https://x.org) ![d](diagrams/current.svg)"
    assert home("![e](docs/report.png)") == "![e](report.png)"
    assert "](docs/" not in home(PAGES["README.md"])
