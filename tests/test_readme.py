"""The README's tables stay in step with the code: rule ids, severities, provenance, edges."""

from __future__ import annotations

import os
import re
from pathlib import Path

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
