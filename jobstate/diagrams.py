"""State diagrams of a spec, and of observed traffic drawn on top of it.

Diagrams are built with ``transitions.extensions.GraphMachine`` from the same spec data as the
canonical machine, with the engine named explicitly (GraphMachine otherwise falls back silently
between engines). What its raw output gets wrong for a specification is fixed in subclasses of
its graph classes: no state is drawn as the model's "active" one, the initial state and the
terminal states are marked (terminals coloured by outcome), edges are styled by provenance, a
legend is drawn, and the Mermaid title is front matter that Mermaid shows.

DOT and Mermaid text need no binary; SVG and PNG need Graphviz's ``dot``.

>>> print(to_mermaid("current").splitlines()[1])
title: asyncJobStatus lifecycle (spec current)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from jobstate._constants import DIAGRAM_FORMATS, SPEC_NAMES, DiagramFormat
from jobstate._words import inert
from jobstate.exceptions import DiagramError
from jobstate.results import JobReport
from jobstate.spec import Spec, get_spec

__all__ = [
    "ObservedCounts",
    "count_observed",
    "diagram",
    "observed_dot",
    "render_dot",
    "to_dot",
    "to_mermaid",
    "write_diagrams",
]

FORMATS = DIAGRAM_FORMATS
EXTENSIONS = {"mermaid": "mmd", "dot": "dot", "svg": "svg", "png": "png"}

_INSTALL_DOT = (
    "SVG and PNG need Graphviz's 'dot' program: install Graphviz"
    " (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz), or use"
    " --format mermaid or dot, which need no binary"
)
_INSTALL_PY = (
    "DOT output needs the 'graphviz' Python package, a jobstate dependency: reinstall jobstate"
    " (pip install . from a clone, or the wheel)"
)

# Colours: terminal states by outcome (fill, border); edges by provenance.
_OUTCOME_STYLE = {
    "success": ("#dff0d8", "#2e7d32"),
    "failure": ("#f8d7da", "#c62828"),
    "cancelled": ("#fff3cd", "#b26a00"),
}
_INITIAL_STYLE = ("#e3f2fd", "#1565c0")
_EDGE_STYLE: dict[str, dict[str, str]] = {
    "card": {"style": "solid", "penwidth": "2.2", "color": "black"},
    "doc": {"style": "solid", "penwidth": "1.2", "color": "black"},
    "inferred": {"style": "dashed", "penwidth": "1.2", "color": "#555555"},
}
_FADED = "#c8c8c8"
# overlay edges that are not spec edges: the legend and the drawing share these
_GAP_STYLE = {"style": "dashed", "color": "#1565c0", "fontcolor": "#1565c0"}
_ILLEGAL_STYLE = {"color": "#d32f2f", "fontcolor": "#d32f2f"}


def _title(spec: Spec) -> str:
    if spec.lifecycle:
        return f"{spec.lifecycle} lifecycle (spec {spec.name})"
    return f"{spec.name} lifecycle"


# ---------------------------------------------------------------------------------------------
# GraphMachine, with its graph classes fixed for specifications
# ---------------------------------------------------------------------------------------------


@dataclass
class _Decor:
    """What the graph classes draw beyond the machine: per-node and per-edge labels/styles."""

    spec: Spec
    node_labels: dict[str, str] = field(default_factory=dict)
    edge_labels: dict[tuple[str, str], str] = field(default_factory=dict)
    edge_attrs: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    node_attrs: dict[str, dict[str, str]] = field(default_factory=dict)


def _node_attrs(spec: Spec, name: str) -> dict[str, str]:
    st = spec.state(name)
    if st.cls == "terminal" and st.outcome in _OUTCOME_STYLE:
        fill, border = _OUTCOME_STYLE[st.outcome]
        return {"fillcolor": fill, "color": border, "peripheries": "2", "penwidth": "1.5"}
    if st.cls == "initial":
        fill, border = _INITIAL_STYLE
        return {"fillcolor": fill, "color": border, "peripheries": "1", "penwidth": "2.5"}
    return {"fillcolor": "white", "color": "black", "peripheries": "1", "penwidth": "1"}


class _Canvas:
    """The model GraphMachine draws for; its state is never styled (see ``_add_nodes``)."""


def _draw(decor: _Decor, engine: Literal["graphviz", "mermaid"]) -> Any:
    """The graph of a GraphMachine of the spec whose graph classes draw ``decor``."""
    from transitions.extensions import GraphMachine
    from transitions.extensions import diagrams_mermaid as mermaid_mod

    if engine == "graphviz":
        from transitions.extensions import diagrams_graphviz as graphviz_mod

        if getattr(graphviz_mod, "pgv", None) is None:
            raise DiagramError(_INSTALL_PY)

        class _DotGraph(graphviz_mod.Graph):
            def _add_nodes(self, states: list[dict[str, Any]], container: Any) -> None:
                for state in states:
                    name = state["name"]
                    attrs = {**_node_attrs(decor.spec, name), **decor.node_attrs.get(name, {})}
                    container.node(name, label=decor.node_labels.get(name, name), **attrs)

            def _add_edges(self, transitions: list[dict[str, str]], container: Any) -> None:
                for t in transitions:
                    key = (t["source"], t["dest"])
                    attrs = decor.edge_attrs.get(key, {})
                    container.edge(*key, label=decor.edge_labels.get(key, ""), **attrs)

        graph_cls: Any = _DotGraph
    else:

        class _MermaidGraph(mermaid_mod.Graph):
            def get_graph(self, title: str | None = None, roi_state: str | None = None) -> Any:
                return mermaid_mod.DigraphMock(_mermaid_text(self, decor))

        graph_cls = _MermaidGraph

    class _SpecGraphMachine(GraphMachine):
        def _init_graphviz_engine(self, graph_engine: str) -> Any:
            return graph_cls

    spec = decor.spec
    canvas = _Canvas()
    _SpecGraphMachine(
        model=canvas,
        states=[{"name": st.name, "final": st.cls == "terminal"} for st in spec.states],
        transitions=[{"trigger": e.dest, "source": e.source, "dest": e.dest} for e in spec.edges],
        initial=spec.initial,
        auto_transitions=False,
        title=_title(spec),
        graph_engine=engine,
    )
    return canvas.get_graph(force_new=True)  # type: ignore[attr-defined]


def _mermaid_text(graph: Any, decor: _Decor) -> str:
    spec = decor.spec
    states, transitions = graph._get_elements()
    lines = ["---", f"title: {_title(spec)}", "---", "stateDiagram-v2", "  direction LR"]
    styles: dict[str, str] = {}
    for name in [s["name"] for s in states]:
        st = spec.state(name)
        if st.cls == "terminal" and st.outcome in _OUTCOME_STYLE:
            fill, border = _OUTCOME_STYLE[st.outcome]
            styles[name] = f"classDef {st.outcome} fill:{fill},stroke:{border},stroke-width:3px"
        elif st.cls == "initial":
            fill, border = _INITIAL_STYLE
            styles[name] = f"classDef initial fill:{fill},stroke:{border},stroke-width:3px"
    lines += [f"  {d}" for d in sorted(set(styles.values()))]
    lines.append("")
    for s in states:
        lines.append(f'  state "{decor.node_labels.get(s["name"], s["name"])}" as {s["name"]}')
    for name, d in styles.items():
        lines.append(f"  class {name} {d.split()[1]}")
    lines.append("")
    lines.append(f"  [*] --> {spec.initial}")
    for t in transitions:
        e = spec.edge(t["source"], t["dest"])
        label = decor.edge_labels.get((t["source"], t["dest"]), e.provenance if e else "")
        lines.append(f"  {t['source']} --> {t['dest']}: {label}")
    for name in spec.names:
        if name in spec.terminal:
            lines.append(f"  {name} --> [*]")
    lines.append("")
    lines.append(
        "  %% edge labels give provenance: card (design card), doc (documented meaning),"
        " inferred (our reading)"
    )
    return "\n".join(lines) + "\n"


def edge_style(spec: Spec, provenance: str) -> dict[str, str]:
    """How an edge of ``provenance`` is drawn: the strongest kind of the spec bold, the weakest
    dashed, those between plain (the built-in specs: card, doc, inferred)."""
    strength = spec.strength(provenance)
    if len(spec.provenances) > 1 and strength == 0.0:
        return dict(_EDGE_STYLE["inferred"])
    return dict(_EDGE_STYLE["card" if strength == 1.0 and len(spec.provenances) > 2 else "doc"])


def _legend(graph: Any, spec: Spec, *, observed: bool) -> None:
    """A legend cluster: provenance line styles, outcome colours, and overlay marks."""
    with graph.subgraph(name="cluster_legend") as leg:
        leg.attr(label="legend", style="rounded", color="#999999", fontsize="11")
        leg.attr("node", shape="plaintext", style="", peripheries="0", fontsize="10", label="")
        leg.attr("edge", fontsize="10", minlen="1")
        rows: list[tuple[str, dict[str, str]]] = [
            (f"{kind} ({meaning})", edge_style(spec, kind)) for kind, meaning in spec.provenances
        ]
        if observed:
            rows += [
                ("observed, with count", {"color": "black", "penwidth": "2.5"}),
                ("never observed", {"color": _FADED}),
                ("gap: states skipped", _GAP_STYLE),
                ("illegal change", {**_ILLEGAL_STYLE, "penwidth": "2"}),
            ]
        for i, (text, attrs) in enumerate(rows):
            leg.node(f"_l{i}a", width="0.1", height="0.1")
            leg.node(f"_l{i}b", label=text)
            leg.edge(f"_l{i}a", f"_l{i}b", **attrs)
        cells = "".join(
            f'<td bgcolor="{fill}" color="{border}" border="2">{name}</td>'
            for name, (fill, border) in [
                ("initial", _INITIAL_STYLE),
                *((f"{o}", c) for o, c in _OUTCOME_STYLE.items()),
            ]
        )
        leg.node(
            "_keys",
            label=f'<<table border="0" cellspacing="3" cellpadding="3"><tr>{cells}</tr></table>>',
        )


def _dot_graph(decor: _Decor, *, observed: bool = False) -> Any:
    graph = _draw(decor, "graphviz")
    # header attributes (DOT applies an attribute statement only to what follows it)
    graph.graph_attr.update(
        labelloc="t", fontsize="16", fontname="Helvetica", nodesep="0.35", ranksep="0.6"
    )
    graph.node_attr.update(fontname="Helvetica", fontsize="12")
    graph.edge_attr.update(fontname="Helvetica", fontsize="11")
    spec = decor.spec
    # the initial state gets an entry arrow from a start point
    graph.node("_start", label="", shape="point", width="0.15", style="filled", color="black")
    graph.edge("_start", spec.initial, label="")
    _legend(graph, decor.spec, observed=observed)
    return graph


def _spec_decor(spec: Spec) -> _Decor:
    decor = _Decor(spec)
    for e in spec.edges:
        decor.edge_attrs[(e.source, e.dest)] = edge_style(spec, e.provenance)
    return decor


def to_dot(spec: str | Spec = "current") -> str:
    """The spec as Graphviz DOT source (needs the ``graphviz`` Python package, no binary)."""
    return str(_dot_graph(_spec_decor(get_spec(spec))).source)


def to_mermaid(spec: str | Spec = "current") -> str:
    """The spec as a Mermaid ``stateDiagram-v2`` (edge labels give provenance)."""
    sp = get_spec(spec)
    return str(_draw(_Decor(sp), "mermaid").source)


def render_dot(dot_source: str, fmt: Literal["svg", "png"]) -> bytes:
    """Render DOT source with Graphviz's ``dot``; :class:`DiagramError` when it is missing."""
    try:
        import graphviz  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - the diagrams extra is missing
        raise DiagramError(_INSTALL_PY) from None
    try:
        return bytes(graphviz.Source(dot_source).pipe(format=fmt))
    except graphviz.ExecutableNotFound:
        raise DiagramError(_INSTALL_DOT) from None
    except graphviz.CalledProcessError as exc:  # pragma: no cover - a dot failure
        raise DiagramError(f"dot exited with an error: {exc.stderr!r}") from None


def diagram(spec: str | Spec = "current", fmt: DiagramFormat = "mermaid") -> bytes:
    """The spec's diagram in ``fmt`` (mermaid, dot, svg or png), as bytes."""
    if fmt == "mermaid":
        return to_mermaid(spec).encode()
    dot = to_dot(spec)
    if fmt == "dot":
        return dot.encode()
    return render_dot(dot, fmt)


def write_diagrams(directory: str | Path, specs: Iterable[str] = SPEC_NAMES) -> list[Path]:
    """Write every spec as .mmd, .dot and .svg into ``directory``, with a README embedding the
    Mermaid sources. Returns the paths written."""
    out = Path(directory)
    files: dict[Path, bytes] = {}  # everything is made before anything is written
    sections = []
    for name in specs:
        sp = get_spec(name)
        for fmt in ("mermaid", "dot", "svg"):
            files[out / f"{name}.{EXTENSIONS[fmt]}"] = diagram(sp, fmt)
        sections.append(
            f"## `{name}`: {sp.description}\n\n"
            f"![{name}]({name}.svg)\n\n"
            f"```mermaid\n{to_mermaid(sp)}```\n"
        )
    files[out / "README.md"] = (
        "# Diagrams\n\n"
        "Generated by `jobstate diagram --all diagrams/` from the specs' `transitions`"
        " machines; a test fails when a committed `.mmd` or `.dot` file differs from what the"
        " code generates. Edge styles give provenance: solid bold is the design card, solid is a"
        " documented meaning, dashed is inferred. Terminal states have a double border and the"
        " colour of their outcome (green success, red failure, amber cancelled); the initial"
        " state has a bold blue border.\n\n" + "\n".join(sections)
    ).encode()
    out.mkdir(parents=True, exist_ok=True)
    for path, data in files.items():
        path.write_bytes(data)
    return list(files)


# ---------------------------------------------------------------------------------------------
# Observed traffic on top of the spec
# ---------------------------------------------------------------------------------------------


@dataclass
class ObservedCounts:
    """What a corpus shows, step by step: a directly-follows graph over the status values."""

    jobs: int = 0
    observations: Counter[str] = field(default_factory=Counter)
    edges: Counter[tuple[str, str]] = field(default_factory=Counter)
    gaps: Counter[tuple[str, str]] = field(default_factory=Counter)
    illegal: Counter[tuple[str, str]] = field(default_factory=Counter)
    unknown: Counter[str] = field(default_factory=Counter)


def count_observed(jobs: Iterable[JobReport]) -> ObservedCounts:
    """Count observations per status and changes per kind over ``jobs``."""
    counts = ObservedCounts()
    for job in jobs:
        counts.jobs += 1
        for step in job.steps:
            if step.status is None:
                if step.unknown is not None:
                    counts.unknown[step.unknown] += 1
                continue
            counts.observations[step.status] += 1
            key = (step.source or "", step.status)
            if step.kind == "edge":
                counts.edges[key] += 1
            elif step.kind == "gap":
                counts.gaps[key] += 1
            elif step.kind in ("illegal", "after-terminal"):
                counts.illegal[key] += 1
    return counts


def dot_text(text: str) -> str:
    r"""An observed string as DOT label text: control characters made visible escapes, and
    backslashes doubled (DOT reads ``\n``, ``\l`` and a final ``\`` as escapes of its own).

    >>> print(dot_text("done\\"), dot_text("a\x1b"))
    done\\ a\\x1b
    """
    return inert(text).replace("\\", "\\\\")


def _width(n: int, top: int) -> str:
    return f"{1.2 + 3.5 * math.log1p(n) / math.log1p(max(top, 1)):.2f}"


def observed_dot(spec: str | Spec, jobs: Iterable[JobReport]) -> str:
    """DOT source of the spec with the observed traffic of ``jobs`` drawn on it.

    Each observed change is an edge labelled with its count; gaps (skipped states in sampled
    mode) are dashed blue edges; illegal changes red edges; unknown statuses red nodes; spec
    edges never observed are faded.
    """
    sp = get_spec(spec)
    counts = count_observed(jobs)
    decor = _spec_decor(sp)
    top = max([*counts.edges.values(), *counts.gaps.values(), *counts.illegal.values(), 1])
    for e in sp.edges:
        key = (e.source, e.dest)
        n = counts.edges.get(key, 0)
        if n:
            decor.edge_labels[key] = f"{n:,}"
            decor.edge_attrs[key] = {
                **edge_style(sp, e.provenance),
                "color": "black",
                "penwidth": _width(n, top),
            }
        else:
            decor.edge_attrs[key] = {
                **edge_style(sp, e.provenance),
                "color": _FADED,
                "fontcolor": _FADED,
                "penwidth": "1",
            }
    for name in sp.names:
        n = counts.observations.get(name, 0)
        decor.node_labels[name] = f"{name}\n{n:,} obs" if n else name
        if not n:
            decor.node_attrs[name] = {"fontcolor": "#888888", "color": _FADED}
    graph = _dot_graph(decor, observed=True)
    graph.attr(
        label=f"{_title(sp)}: observed traffic of {counts.jobs:,}"
        f" job{'s' if counts.jobs != 1 else ''}"
    )
    for i, (status, n) in enumerate(sorted(counts.unknown.items())):
        graph.node(
            f"unknown:{i}",  # an observed string is never a DOT identifier
            label=f"{dot_text(status)}\n(unknown) {n:,} obs",
            shape="octagon",
            style="filled",
            fillcolor="#ffcdd2",
            color="#d32f2f",
            fontcolor="#b71c1c",
        )
    for counter, word, style in (
        (counts.gaps, "gap", _GAP_STYLE),
        (counts.illegal, "illegal", _ILLEGAL_STYLE),
    ):
        for (src, dst), n in sorted(counter.items()):
            graph.edge(
                src,
                dst,
                label=f"{n:,} {word}",
                penwidth=_width(n, top),
                constraint="false",
                **style,
            )
    return str(graph.source)
