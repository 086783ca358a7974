"""The traffic graph: `status -o dot|mermaid|tree` for a two-pool canary, golden and parsed by
Graphviz; the tree's ASCII choice; the record's Mermaid diagram."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest
from fakekube.objects import httproute, pod, pool_v1, service
from golden import assert_golden
from status_helpers import freeze_times, running
from test_status_cli import view_text

from kubectl_httproute.core.graph import shares
from kubectl_httproute.render.graph import render_mermaid, wants_ascii


def canary_objects() -> list[dict[str, Any]]:
    """qwen-pool (1 pod, Ready) takes 90%, qwen-canary (2 pods, one Ready) 10%, for one model."""
    route = httproute("qwen", hostnames=["llm.example.com"])
    rule = route["spec"]["rules"][0]
    rule["matches"][0]["headers"] = [
        {"type": "Exact", "name": "X-Gateway-Base-Model-Name", "value": 'Qwen/Qwen3-8B "<a|b>"'}
    ]
    rule["backendRefs"] = [
        {
            "group": "inference.networking.k8s.io",
            "kind": "InferencePool",
            "name": n,
            "port": 8000,
            "weight": w,
        }
        for n, w in (("qwen-pool", 9), ("qwen-canary", 1))
    ]
    return [
        pool_v1("qwen-canary", selector={"app": "qwen-canary"}),
        service("qwen-canary-epp", "llm", [9002], selector={"app": "qwen-canary-epp"}),
        pod("canary-0", "llm", {"app": "qwen-canary"}),
        pod("canary-1", "llm", {"app": "qwen-canary"}, ready=False),
        route,
    ]


@pytest.mark.parametrize("output", ["dot", "mermaid", "tree"])
def test_a_two_pool_canary_is_drawn_the_same_every_time(
    output: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    with running(*canary_objects()) as cluster:
        freeze_times(cluster)
        first = view_text(cluster, "qwen", output=output)
        assert first == view_text(cluster, "qwen", output=output)
        assert_golden(f"graph/canary.{output}", first)


def test_the_namespace_graph_has_every_route(monkeypatch: pytest.MonkeyPatch) -> None:
    with running(*canary_objects(), httproute("other", pool="nope")) as cluster:
        freeze_times(cluster)
        text = view_text(cluster, all_namespaces=True, output="dot")
        assert '"route:llm/qwen"' in text and '"route:llm/other"' in text
        assert_golden("graph/all-namespaces.dot", text)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_graphviz_parses_the_dot_output() -> None:
    with running(*canary_objects()) as cluster:
        text = view_text(cluster, "qwen", output="dot")
    done = subprocess.run(
        ["dot", "-Tsvg"], input=text, capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert not done.stderr, done.stderr  # dot warns on stderr about syntax it had to guess
    assert "<svg" in done.stdout and "HTTPRoute llm/qwen" in done.stdout


@pytest.mark.parametrize(
    ("encoding", "env", "ascii_only"),
    [
        ("utf-8", {}, False),
        ("UTF8", {"LANG": "C"}, False),
        ("ascii", {"LANG": "en_US.UTF-8"}, True),
        ("ANSI_X3.4-1968", {}, True),
        ("utf-8", {"NO_COLOR": "1"}, True),
        ("utf-8", {"NO_COLOR": ""}, False),
        (None, {"LC_ALL": "C", "LANG": "en_US.UTF-8"}, True),
        (None, {"LANG": "en_US.utf8"}, False),
        (None, {}, True),
    ],
)
def test_the_tree_is_ascii_without_utf8_or_with_no_color(
    encoding: str | None, env: dict[str, str], ascii_only: bool
) -> None:
    assert wants_ascii(encoding, env) is ascii_only


def test_the_tree_is_plain_ascii_when_no_color_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    with running(*canary_objects()) as cluster:
        freeze_times(cluster)
        text = view_text(cluster, "qwen", output="tree")
    assert text.isascii()
    assert_golden("graph/canary-ascii.tree", text)


def test_shares_are_whole_percents_of_the_weights() -> None:
    assert shares([9, 1]) == ("90%", "10%")
    assert shares([0, 0]) == ("0%", "0%")
    assert shares([1, 1, 1]) == ("33%", "33%", "33%")


def test_mermaid_labels_cannot_break_out_of_their_quotes() -> None:
    from kubectl_httproute.core.graph import Graph, Node

    graph = Graph((Node("a", "HTTPRoute", 'x"]; click n0 call evil()%%', (), "ready", ""),), ())
    text = render_mermaid(graph)
    assert '"]' not in text.split("\n")[1][: -len('"]:::ready')]
