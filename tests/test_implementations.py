"""The implementation's own rules: every row has a source, and each is met through the CLI by a
GatewayClass with that controller, against the fake API server."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fakekube import objects as o
from golden import assert_golden

from kubectl_httproute.cli import root
from kubectl_httproute.core import implementations as impl
from kubectl_httproute.core.implementations import (
    ANY,
    DETECTORS,
    IMPLEMENTATIONS,
    RULES,
    ImplementationContext,
    Rule,
    check_implementation,
)

DRY = ("expose", "--gateway", "inference-gateway", "--dry-run=server", "--no-record")


def run(*args: str) -> Result:
    return CliRunner().invoke(root, list(args), catch_exceptions=False)


def use_controller(cluster: Any, controller: str, class_name: str = "under-test") -> None:
    """The Gateway's class becomes one of this controller (the simulator does not run it)."""
    cluster.add(o.gateway_class(class_name, controller))
    cluster.add(o.gateway(class_name=class_name))


def second_pool(cluster: Any, name: str = "qwen-b", namespace: str = "llm") -> None:
    cluster.add(o.pool_v1(name, namespace))


def implementation_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if re.search(r"\[[^\]]+\]$", line)]


# --- the table -------------------------------------------------------------------------------


@pytest.mark.parametrize("row", RULES, ids=lambda r: f"{r.controller} {r.feature}")
def test_every_row_names_its_source_a_message_and_a_hint(row: Rule) -> None:
    assert row.source.strip() and row.url.startswith("https://")
    assert row.message.strip() and row.hint.strip()
    assert row.feature in DETECTORS
    assert row.controller == ANY or row.controller in {i.controller for i in IMPLEMENTATIONS}


def test_each_implementation_has_each_feature_once() -> None:
    keys = [(r.controller, r.feature) for r in RULES]
    assert len(keys) == len(set(keys))


def test_an_unknown_controller_gets_no_finding_for_the_route_every_rule_dislikes() -> None:
    route = o.httproute(timeouts={"request": "10s"}, pool_namespace="models")
    route["spec"]["rules"][0]["backendRefs"].append({**route["spec"]["rules"][0]["backendRefs"][0]})
    route["spec"]["rules"][0]["backendRefs"][1]["name"] = "qwen-b"
    assert check_implementation("example.com/gateway-controller", route) == []
    assert check_implementation(None, route, ImplementationContext(class_name="example")) == []


def mirrored_route() -> dict[str, Any]:
    route = o.httproute()
    target = {"group": o.POOL_V1_GROUP, "kind": "InferencePool", "name": "qwen-b"}
    route["spec"]["rules"][0]["filters"] = [
        {"type": "RequestMirror", "requestMirror": {"backendRef": target, "percent": 10}}
    ]
    return route


def test_a_mirror_to_a_pool_is_implementation_specific_for_any_controller() -> None:
    # `expose` never writes a mirror; `shift` will. The rule reads the route, so check it here.
    [finding] = check_implementation("example.com/gateway-controller", mirrored_route())
    assert "mirroring to an InferencePool is implementation-specific" in finding.message
    assert "rule 1 mirrors to InferencePool llm/qwen-b" in finding.message


def test_envoy_ai_gateway_says_its_own_word_on_mirrors_instead_of_the_general_one() -> None:
    findings = check_implementation(impl.ENVOY_AI_GATEWAY, mirrored_route())
    mirrors = [f for f in findings if "mirror" in f.message]
    assert len(mirrors) == 1
    assert "cannot mirror requests to an InferencePool" in mirrors[0].message
    assert "[ai-gateway PR#2205]" in mirrors[0].message


# --- each row through the CLI ----------------------------------------------------------------

Setup = Callable[[Any], None]


def nothing(cluster: Any) -> None:
    return None


def pool_in_models(cluster: Any) -> None:
    cluster.add(o.namespace("models"))
    second_pool(cluster, "qwen-pool", "models")


def other_route_with_other_pool(cluster: Any) -> None:
    second_pool(cluster, "qwen-b")
    cluster.add(o.httproute("qwen-b", pool="qwen-b"))


CASES: list[tuple[str, Setup, tuple[str, ...], str]] = [
    (impl.GKE, nothing, ("qwen-pool", "--route-timeout", "30s"), "kserve#5311"),
    (impl.KGATEWAY, second_pool, ("qwen-pool=90", "qwen-b=10"), "kgateway#11667"),
    (impl.KGATEWAY, pool_in_models, ("models/qwen-pool",), "kgateway#11370"),
    (impl.ISTIO, nothing, ("qwen-pool",), "Inference Extension guides"),
    (impl.ISTIO, other_route_with_other_pool, ("qwen-pool",), "istio#58392, fixed by PR#58393"),
    (impl.ISTIO, second_pool, ("qwen-pool=50", "qwen-b=50"), "istio#61594, fixed by PR#61601"),
    (impl.ENVOY_AI_GATEWAY, second_pool, ("qwen-pool", "qwen-b"), "ai-gateway PR#614"),
    (impl.AGENTGATEWAY, nothing, ("qwen-pool",), "Inference Extension guides"),
    (impl.NGINX, nothing, ("qwen-pool",), "Inference Extension guides"),
]
MIRRORS = {(impl.ENVOY_AI_GATEWAY, impl.POOL_MIRROR), (ANY, impl.POOL_MIRROR)}


def test_every_row_but_the_mirrors_is_met_by_a_cli_case() -> None:
    met = {(c, s) for c, _, _, s in CASES}
    rows = {(r.controller, r.source) for r in RULES if (r.controller, r.feature) not in MIRRORS}
    assert rows <= met


@pytest.mark.parametrize(
    ("controller", "setup", "pools", "source"), CASES, ids=[f"{c[0]} {c[3]}" for c in CASES]
)
def test_the_gateways_implementation_rule_shows_in_preflight(
    cluster: Any,
    kubeconfig: Path,
    controller: str,
    setup: Setup,
    pools: tuple[str, ...],
    source: str,
) -> None:
    use_controller(cluster, controller)
    setup(cluster)
    result = run(*DRY, *pools)
    assert result.exit_code == 0, result.output
    [row] = [r for r in RULES if r.controller == controller and r.source == source]
    [line] = [line for line in implementation_lines(result.output) if f"[{source}]" in line]
    assert f"{row.severity}: {row.message} (class under-test): " in line
    assert f"fix: {row.hint}" in result.output


def test_kgateway_two_pools_one_rule_preflight_golden(cluster: Any, kubeconfig: Path) -> None:
    use_controller(cluster, impl.KGATEWAY, "kgateway")
    second_pool(cluster)
    result = run(*DRY, "qwen-pool=90", "qwen-b=10")
    assert result.exit_code == 0, result.output
    block = result.output.split("Preflight checks\n", 1)[1].split("\n\n", 1)[0]
    assert_golden("expose/preflight-kgateway-two-pools.txt", block + "\n")


def test_an_unknown_controller_gets_no_implementation_finding(
    cluster: Any, kubeconfig: Path
) -> None:
    second_pool(cluster)
    result = run(*DRY, "qwen-pool=90", "qwen-b=10", "--route-timeout", "30s")
    assert result.exit_code == 0, result.output
    assert implementation_lines(result.output) == []


def test_an_unreadable_gateway_class_falls_back_to_the_gke_class_name(
    cluster: Any, kubeconfig: Path
) -> None:
    use_controller(cluster, impl.GKE, o.GKE_CLASS)
    cluster.deny("admin", "get", "gateway.networking.k8s.io", "gatewayclasses")
    result = run(*DRY, "qwen-pool")
    assert result.exit_code == 0, result.output
    assert "leaves out rules[].timeouts" in result.output
    assert "timeouts:" not in result.output.split("What it does", 1)[0]


def test_a_gke_class_name_with_another_controller_keeps_its_timeouts(
    cluster: Any, kubeconfig: Path
) -> None:
    # The controllerName decides once the GatewayClass is read, not the class's name.
    use_controller(cluster, o.EXAMPLE_CONTROLLER, "gke-l7-lookalike")
    result = run(*DRY, "qwen-pool")
    assert result.exit_code == 0, result.output
    assert "leaves out rules[].timeouts" not in result.output
    assert "timeouts:" in result.output
