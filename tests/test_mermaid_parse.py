"""The Mermaid that `status -o mermaid` and every deployment record carry is parsed by Mermaid's
own parser (the npm package GitHub and GitLab draw with), installed by `make tools` under
build/mermaid; without Node.js or that install the tests skip and say why."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from golden import GOLDEN_DIR
from status_helpers import freeze_times, running
from test_graph import canary_objects
from test_status_cli import view_text

ROOT = Path(__file__).resolve().parent.parent
MERMAID_DIR = ROOT / "build" / "mermaid"
SCRIPT = Path(__file__).with_name("mermaid_parse.mjs")

NODE = shutil.which("node")
INSTALLED = (MERMAID_DIR / "node_modules" / "mermaid" / "package.json").is_file() and (
    MERMAID_DIR / "node_modules" / "jsdom" / "package.json"
).is_file()
pytestmark = [
    pytest.mark.skipif(NODE is None, reason="Node.js is not installed: no Mermaid parser"),
    pytest.mark.skipif(
        not INSTALLED, reason="Mermaid is not installed under build/mermaid: run `make tools`"
    ),
]


def parse(*diagrams: str) -> list[dict[str, Any]]:
    """Mermaid's verdict on each diagram: {ok, type} or {ok: False, error}."""
    assert NODE is not None
    done = subprocess.run(
        [NODE, "--input-type=module", "-e", SCRIPT.read_text(encoding="utf-8")],
        input=json.dumps(list(diagrams)),
        capture_output=True,
        text=True,
        cwd=MERMAID_DIR,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


def record_diagrams() -> list[str]:
    """The Mermaid block of each golden record (test_record holds them to the renderer)."""
    blocks = []
    for path in sorted((GOLDEN_DIR / "record").glob("*.md")):
        found = re.findall(r"^(`{3,})mermaid\n(.*?)\n\1$", path.read_text("utf-8"), re.M | re.S)
        assert len(found) == 1, path
        blocks.append(found[0][1] + "\n")
    return blocks


def test_mermaid_parses_the_graph_of_a_route_and_of_every_namespace() -> None:
    with running(*canary_objects()) as cluster:
        freeze_times(cluster)
        one = view_text(cluster, "qwen", output="mermaid")
        every = view_text(cluster, all_namespaces=True, output="mermaid")

    assert parse(one, every) == [{"ok": True, "type": "flowchart-v2"}] * 2


def test_mermaid_parses_the_diagram_of_every_record() -> None:
    diagrams = record_diagrams()

    assert diagrams
    assert parse(*diagrams) == [{"ok": True, "type": "flowchart-v2"}] * len(diagrams)


def test_mermaid_parses_labels_made_to_break_out_of_their_quotes() -> None:
    from kubectl_httproute.core.graph import Edge, Graph, Node
    from kubectl_httproute.render.graph import render_mermaid

    hostile = 'x"]; click n0 call evil()%% <b>#1</b> `code` a|b & c'
    graph = Graph(
        (
            Node("a", "HTTPRoute", hostile, (hostile,), "ready", hostile),
            Node("b", "x", "y", (), "failing", ""),
        ),
        (Edge("a", "b", hostile),),
    )

    assert parse(render_mermaid(graph)) == [{"ok": True, "type": "flowchart-v2"}]


def test_the_parser_rejects_broken_diagrams() -> None:
    with running(*canary_objects()) as cluster:
        good = view_text(cluster, "qwen", output="mermaid")
    unclosed_label = good.replace('"]:::', ":::", 1)
    raw_quote = good.replace("Gateway llm/inference-gateway", 'Gateway "llm"', 1)
    unclosed_subgraph = good.replace("\n  end\n", "\n", 1)

    results = parse(good, unclosed_label, raw_quote, unclosed_subgraph)

    assert [r["ok"] for r in results] == [True, False, False, False], results
    assert all("Parse error" in r["error"] or "Expecting" in r["error"] for r in results[1:])
