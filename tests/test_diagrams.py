"""Diagrams: parsed DOT and Mermaid checked against the spec, committed files kept current,
the observed-traffic overlay checked against a corpus, and the missing-`dot` message."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pydot
import pytest

from jobstate import SPEC_NAMES, Validator, get_spec, read_input, validate
from jobstate.diagrams import count_observed, observed_dot, to_dot, to_mermaid, write_diagrams
from tests.clirun import Ran, cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "traces"
HAVE_DOT = shutil.which("dot") is not None
# CI sets JOBSTATE_REQUIRE_DOT=1, so a missing Graphviz fails there instead of skipping.
needs_dot = pytest.mark.skipif(
    not HAVE_DOT and not os.environ.get("JOBSTATE_REQUIRE_DOT"),
    reason="Graphviz 'dot' is not installed",
)


def parse(source: str) -> Any:
    graphs = pydot.graph_from_dot_data(source)
    assert graphs is not None
    [graph] = graphs
    return graph


def unq(value: Any) -> str:
    return str(value).strip('"') if value is not None else ""


def state_nodes(graph: Any, spec_name: str) -> dict[str, dict[str, str]]:
    names = set(get_spec(spec_name).names)
    return {
        unq(n.get_name()): {k: unq(v) for k, v in n.get_attributes().items()}
        for n in graph.get_nodes()
        if unq(n.get_name()) in names
    }


def state_edges(graph: Any, spec_name: str) -> dict[tuple[str, str], list[dict[str, str]]]:
    names = set(get_spec(spec_name).names)
    out: dict[tuple[str, str], list[dict[str, str]]] = {}
    for e in graph.get_edges():
        key = (unq(e.get_source()), unq(e.get_destination()))
        if key[0] in names and key[1] in names:
            out.setdefault(key, []).append({k: unq(v) for k, v in e.get_attributes().items()})
    return out


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_dot_has_every_state_and_edge_styled(name: str) -> None:
    """Nodes and edges are the spec's; terminals double-bordered in their outcome's colour;
    inferred edges dashed, card edges bold; nothing styled as GraphMachine's 'active'."""
    spec = get_spec(name)
    graph = parse(to_dot(spec))
    nodes = state_nodes(graph, name)
    assert set(nodes) == set(spec.names)
    for s, attrs in nodes.items():
        assert attrs.get("color") != "red" and attrs.get("fillcolor") != "darksalmon"
        assert attrs["peripheries"] == ("2" if s in spec.terminal else "1")
    assert nodes["completed"]["color"] == "#2e7d32"
    assert nodes["failed"]["color"] == "#c62828"
    assert nodes[spec.initial]["penwidth"] == "2.5"
    edges = state_edges(graph, name)
    assert set(edges) == {(e.source, e.dest) for e in spec.edges}
    for e in spec.edges:
        [attrs] = edges[(e.source, e.dest)]
        assert attrs["style"] == ("dashed" if e.provenance == "inferred" else "solid")
        assert attrs["penwidth"] == ("2.2" if e.provenance == "card" else "1.2")
    start = [x for x in graph.get_edges() if unq(x.get_source()) == "_start"]
    assert [unq(x.get_destination()) for x in start] == [spec.initial]
    legend = graph.get_subgraph("cluster_legend")[0]
    labels = {unq(n.get("label")) for n in legend.get_nodes()}
    assert {"card (design card)", "doc (documented meaning)", "inferred (our reading)"} <= labels


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_mermaid_marks_initial_terminal_and_title(name: str) -> None:
    """Front-matter title, [*] entry and exits, provenance labels, no 'active' class."""
    spec = get_spec(name)
    text = to_mermaid(spec)
    lines = text.splitlines()
    assert lines[:4] == [
        "---",
        f"title: asyncJobStatus lifecycle (spec {name})",
        "---",
        "stateDiagram-v2",
    ]
    assert f"  [*] --> {spec.initial}" in lines
    assert {ln.split()[0] for ln in lines if ln.endswith("--> [*]")} == set(spec.terminal)
    for e in spec.edges:
        assert f"  {e.source} --> {e.dest}: {e.provenance}" in lines
    assert "active" not in text
    assert f"  class {spec.initial} initial" in lines


@pytest.mark.parametrize("name", SPEC_NAMES)
@pytest.mark.parametrize("ext", ["mmd", "dot"])
def test_committed_diagrams_are_current(name: str, ext: str) -> None:
    """diagrams/ holds what the code generates (regenerate: jobstate diagram --all diagrams/)."""
    committed = (ROOT / "diagrams" / f"{name}.{ext}").read_text(encoding="utf-8")
    generated = to_mermaid(name) if ext == "mmd" else to_dot(name)
    assert committed == generated


def test_committed_readme_embeds_mermaid() -> None:
    """diagrams/README.md embeds each spec's Mermaid source and SVG."""
    readme = (ROOT / "diagrams" / "README.md").read_text(encoding="utf-8")
    for name in SPEC_NAMES:
        assert f"```mermaid\n{to_mermaid(name)}```" in readme
        assert f"]({name}.svg)" in readme
        assert (ROOT / "diagrams" / f"{name}.svg").read_bytes().lstrip().startswith(b"<?xml")


@needs_dot
def test_write_all_regenerates_the_folder(tmp_path: Path) -> None:
    """--all writes .mmd, .dot, .svg per spec and a README; text files match the committed ones."""
    written = write_diagrams(tmp_path)
    assert {p.name for p in written} == {
        f"{n}.{x}" for n in SPEC_NAMES for x in ("mmd", "dot", "svg")
    } | {"README.md"}
    for n in SPEC_NAMES:
        assert (tmp_path / f"{n}.dot").read_text() == (ROOT / "diagrams" / f"{n}.dot").read_text()
        assert b"<svg" in (tmp_path / f"{n}.svg").read_bytes()
    assert (tmp_path / "README.md").read_text() == (ROOT / "diagrams" / "README.md").read_text()


def corpus() -> list[Any]:
    jobs: list[Any] = []
    for f in sorted(EXAMPLES.glob("*.jsonl")):
        jobs.extend(read_input(str(f), Validator(), explain=True).jobs)
    return jobs


def test_observed_counts_on_the_example_corpus() -> None:
    """Counts of edges, gaps, illegal changes and unknown statuses over the examples."""
    counts = count_observed(corpus())
    assert counts.jobs == 7
    assert counts.edges[("notStarted", "inProgress")] == 7
    assert counts.edges[("inProgress", "completed")] == 4
    assert counts.gaps == {("inProgress", "cancelled"): 1, ("notStarted", "completed"): 1}
    assert counts.illegal == {("inProgress", "notStarted"): 1, ("completed", "inProgress"): 1}
    assert counts.unknown == {"Running": 1, "updating": 1}
    assert counts.observations["inProgress"] == 22


def test_observed_dot_draws_counts_gaps_illegal_unknown_and_faded() -> None:
    """The overlay DOT: counted spec edges, dashed gaps, red illegal edges, red unknown nodes,
    faded never-observed edges."""
    graph = parse(observed_dot("current", corpus()))
    edges = state_edges(graph, "current")
    [observed] = edges[("notStarted", "inProgress")]
    assert observed["label"] == "7" and observed["color"] == "black"
    [never] = edges[("waiting", "failed")]
    assert never["color"] == "#c8c8c8" and never["label"] == ""
    [gap] = edges[("inProgress", "cancelled")]
    assert gap["style"] == "dashed" and gap["label"] == "1 gap"
    illegal = edges[("inProgress", "notStarted")]
    assert [(a["color"], a["label"]) for a in illegal] == [("#d32f2f", "1 illegal")]
    unknown = {unq(n.get_name()): n for n in graph.get_nodes() if "unknown:" in n.get_name()}
    labels = {unq(n.get("label")).split("\n")[0] for n in unknown.values()}
    assert labels == {"Running", "updating"}
    assert all(unq(n.get("color")) == "#d32f2f" for n in unknown.values())
    assert "observed traffic of 7 jobs" in unq(graph.get("label"))


def test_one_job_overlay_is_its_path() -> None:
    """For one job the overlay shows exactly that job's changes."""
    job = validate([{"status": "notStarted"}, {"status": "inProgress"}, {"status": "failed"}])
    counts = count_observed(job.jobs)
    assert dict(counts.edges) == {("notStarted", "inProgress"): 1, ("inProgress", "failed"): 1}


def run(*args: str, env: dict[str, str] | None = None) -> Ran:
    """The CLI in process (tests.clirun)."""
    return cli(*args, env=env)


def test_cli_diagram_text_formats() -> None:
    """jobstate diagram prints Mermaid by default and DOT on request, no binary needed."""
    assert run("diagram").stdout.decode() == to_mermaid("current")
    assert run("diagram", "--spec", "legacy", "--format", "dot").stdout.decode() == to_dot("legacy")


@needs_dot
@pytest.mark.parametrize(("fmt", "magic"), [("svg", b"<?xml"), ("png", b"\x89PNG")])
def test_cli_diagram_renders(tmp_path: Path, fmt: str, magic: bytes) -> None:
    """SVG and PNG are rendered by Graphviz to -o FILE."""
    out = tmp_path / f"d.{fmt}"
    proc = run("diagram", "--format", fmt, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(magic)


@needs_dot
def test_cli_check_diagram_overlay(tmp_path: Path) -> None:
    """check --diagram writes the overlay and keeps check's exit code."""
    out = tmp_path / "observed.svg"
    proc = run("check", "--diagram", str(out), *map(str, sorted(EXAMPLES.glob("*.jsonl"))))
    assert proc.returncode == 1  # invalid.jsonl has errors
    assert b"1 illegal" in out.read_bytes()


def test_cli_missing_dot_exits_2_with_install_hint(tmp_path: Path) -> None:
    """Without Graphviz on PATH, svg output exits 2 with an install hint and no traceback."""
    env = {**os.environ, "PATH": str(tmp_path)}
    for args in (
        ("diagram", "--format", "svg"),
        ("check", "--diagram", str(tmp_path / "o.svg"), str(EXAMPLES / "sampled-gaps.jsonl")),
    ):
        proc = run(*args, env=env)
        assert proc.returncode == 2
        assert (
            b"apt-get install graphviz" in proc.stderr and b"brew install graphviz" in proc.stderr
        )
        assert b"Traceback" not in proc.stderr


def test_cli_check_diagram_bad_extension(tmp_path: Path) -> None:
    """An overlay file name that is not .svg, .png or .dot is a usage error (exit 2)."""
    proc = run("check", "--diagram", str(tmp_path / "o.txt"), str(EXAMPLES / "sampled-gaps.jsonl"))
    assert proc.returncode == 2 and b".svg, .png or .dot" in proc.stderr
