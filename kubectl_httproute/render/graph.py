"""The traffic graph as text: Graphviz DOT, Mermaid (GitHub and GitLab render it) and a terminal
tree like kubectl-tree. Deterministic: the graph comes sorted, ids are stable, labels escaped."""

from __future__ import annotations

from collections.abc import Mapping

from ..core.graph import CLASS_WORDS, CLASSES, Graph, Node

# (fill, border) per verdict class: the same colours in DOT and Mermaid.
COLOURS = {
    "ready": ("#d4edda", "#2e7d32"),
    "degraded": ("#fff3cd", "#b26a00"),
    "failing": ("#f8d7da", "#c62828"),
    "unknown": ("#eeeeee", "#757575"),
}


def _lines(node: Node) -> list[str]:
    state = f"[{node.state}]" if node.state else ""
    return [node.title, *node.details, *([state] if state else [])]


# --- DOT ------------------------------------------------------------------------------------------


def _dot_string(text: str) -> str:
    """A DOT double-quoted string: backslash and quote escaped, one line (no raw newline)."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + " ".join(text.splitlines()) + '"'


def _dot_label(lines: list[str]) -> str:
    # DOT's own line break (\n) goes between lines escaped one by one, so it stays a break.
    return '"' + "\\n".join(_dot_string(line)[1:-1] for line in lines) + '"'


def render_dot(graph: Graph) -> str:
    """The graph in Graphviz DOT (`dot -Tsvg`), left to right, coloured by verdict, legend."""
    out = [
        "digraph inferroute {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for node in graph.nodes:
        fill, border = COLOURS[node.verdict]
        out.append(
            f"  {_dot_string(node.id)} [label={_dot_label(_lines(node))}, "
            f'fillcolor="{fill}", color="{border}"];'
        )
    for edge in graph.edges:
        label = f" [label={_dot_string(edge.label)}]" if edge.label else ""
        out.append(f"  {_dot_string(edge.source)} -> {_dot_string(edge.target)}{label};")
    out += [
        "  subgraph cluster_legend {",
        '    label="verdict"; fontname="Helvetica"; fontsize=10; color="#bbbbbb";',
    ]
    for cls in CLASSES:
        fill, border = COLOURS[cls]
        out.append(
            f'    "legend:{cls}" [label="{CLASS_WORDS[cls]}", fillcolor="{fill}", '
            f'color="{border}"];'
        )
    out += ["  }", "}"]
    return "\n".join(out) + "\n"


# --- Mermaid --------------------------------------------------------------------------------------

# Mermaid reads #name; and #NN; as entities inside quoted labels: every character that could end
# the label or start markup is written as one.
_MERMAID_ESCAPES = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "`": "#96;",
    "|": "#124;",
    "&": "#amp;",
}


def _mermaid_text(text: str) -> str:
    return "".join(_MERMAID_ESCAPES.get(ch, ch) for ch in " ".join(text.splitlines()))


def _mermaid_ids(graph: Graph) -> Mapping[str, str]:
    # Mermaid ids must be plain words: n0, n1, ... in the graph's sorted order.
    return {node.id: f"n{i}" for i, node in enumerate(graph.nodes)}


def render_mermaid(graph: Graph) -> str:
    """The graph as a Mermaid flowchart, coloured by verdict, with a legend."""
    ids = _mermaid_ids(graph)
    out = ["flowchart LR"]
    for node in graph.nodes:
        label = "<br/>".join(_mermaid_text(line) for line in _lines(node))
        out.append(f'  {ids[node.id]}["{label}"]:::{node.verdict}')
    for edge in graph.edges:
        arrow = f'-->|"{_mermaid_text(edge.label)}"|' if edge.label else "-->"
        out.append(f"  {ids[edge.source]} {arrow} {ids[edge.target]}")
    out.append('  subgraph legend["verdict"]')
    for cls in CLASSES:
        out.append(f'    legend_{cls}["{CLASS_WORDS[cls]}"]:::{cls}')
    out.append("  end")
    for cls in CLASSES:
        fill, border = COLOURS[cls]
        out.append(f"  classDef {cls} fill:{fill},stroke:{border},color:#000000")
    return "\n".join(out) + "\n"


# --- tree -----------------------------------------------------------------------------------------

_UNICODE = {"tee": "├── ", "last": "└── ", "pipe": "│   ", "space": "    "}
_ASCII = {"tee": "|-- ", "last": "`-- ", "pipe": "|   ", "space": "    "}
_MARKS_UNICODE = {"ready": "✓", "degraded": "!", "failing": "✗", "unknown": "?"}
_MARKS_ASCII = {"ready": "+", "degraded": "!", "failing": "x", "unknown": "?"}


def wants_ascii(encoding: str | None, environ: Mapping[str, str]) -> bool:
    """Plain ASCII when NO_COLOR is set (non-empty, as no-color.org says) or the terminal is not
    UTF-8: the stream's encoding when it has one, else the locale (LC_ALL, LC_CTYPE, LANG, in
    the order the C library reads them)."""
    if environ.get("NO_COLOR"):
        return True
    if encoding:
        return encoding.lower().replace("-", "").replace("_", "") != "utf8"
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = environ.get(name)
        if value:
            return "utf8" not in value.lower().replace("-", "")
    return True


def _tree_line(node: Node, marks: Mapping[str, str]) -> str:
    details = f" ({'; '.join(node.details)})" if node.details else ""
    state = f" {node.state}" if node.state else ""
    return f"{marks[node.verdict]} {node.title}{state}{details}"


def render_tree(graph: Graph, *, ascii_only: bool) -> str:
    """The graph as an indented tree from each Gateway down, with marks and shares."""
    parts = _ASCII if ascii_only else _UNICODE
    marks = _MARKS_ASCII if ascii_only else _MARKS_UNICODE
    out: list[str] = []

    def walk(node_id: str, prefix: str, seen: frozenset[str]) -> None:
        children = graph.children(node_id)
        for i, edge in enumerate(children):
            last = i == len(children) - 1
            child = graph.node(edge.target)
            share = f"{edge.label} " if edge.label and edge.label.endswith("%") else ""
            branch = parts["last"] if last else parts["tee"]
            out.append(f"{prefix}{branch}{share}{_tree_line(child, marks)}")
            if child.id not in seen:
                walk(
                    child.id,
                    prefix + (parts["space"] if last else parts["pipe"]),
                    seen | {child.id},
                )

    for root in graph.roots():
        out.append(_tree_line(root, marks))
        walk(root.id, "", frozenset({root.id}))
    legend = "  ".join(f"{marks[cls]} {CLASS_WORDS[cls]}" for cls in CLASSES)
    out.append(f"({legend})")
    return "\n".join(out) + "\n"
