"""Routes someone else owns: expose refuses them, changes nothing, and names the owner's knob;
--force goes ahead. Through the CLI against the fake API server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fakekube import objects as o

from kubectl_httproute.cli import root
from kubectl_httproute.core.ownership import find_owner, refuse_if_owned
from kubectl_httproute.errors import RouteOwned

ROUTES = "gateway.networking.k8s.io/v1"
APPLY = ("expose", "qwen-pool", "--gateway", "inference-gateway", "--no-wait", "--no-record")
# Something expose changes in the route, so that an apply is visible in the stored object.
CHANGE = ("--hostname", "llm.example.com")


def run(*args: str) -> Result:
    return CliRunner().invoke(root, list(args), catch_exceptions=False)


def helm_route() -> dict[str, Any]:
    route = o.httproute(
        labels={"app.kubernetes.io/managed-by": "Helm", "helm.sh/chart": "llm-d-router-gateway-1.0"}
    )
    route["metadata"]["annotations"] = {
        "meta.helm.sh/release-name": "qwen",
        "meta.helm.sh/release-namespace": "llm",
    }
    return route


def owned_route(api_version: str, kind: str, name: str) -> dict[str, Any]:
    route = o.httproute()
    route["metadata"]["ownerReferences"] = [
        {
            "apiVersion": api_version,
            "kind": kind,
            "name": name,
            "uid": "0b1c2d3e-0000-4000-8000-000000000001",
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    return route


def kserve_route() -> dict[str, Any]:
    return owned_route("serving.kserve.io/v1alpha1", "LLMInferenceService", "qwen")


def aigateway_route() -> dict[str, Any]:
    return owned_route("aigateway.envoyproxy.io/v1alpha1", "AIGatewayRoute", "qwen-ai")


def stored(cluster: Any) -> Any:
    return cluster.get(ROUTES, "httproutes", "llm", "qwen-pool")


def real_writes(cluster: Any) -> list[Any]:
    return [
        r
        for r in cluster.requests
        if r.method in ("POST", "PUT", "PATCH", "DELETE")
        and "/selfsubject" not in r.path
        and r.query.get("dryRun") != ["All"]
    ]


# --- who owns it -----------------------------------------------------------------------------


def test_a_helm_route_names_the_release_and_its_values() -> None:
    owner = find_owner(helm_route())
    assert owner is not None and owner.describe() == "Helm release llm/qwen"
    assert "`helm upgrade qwen CHART -n llm --reuse-values" in owner.knob
    assert "(CHART: where the release's llm-d-router-gateway chart comes from)" in owner.knob
    assert "httpRoute." in owner.knob


def test_the_helm_label_without_a_release_is_nobodys() -> None:
    route = o.httproute(labels={"app.kubernetes.io/managed-by": "Helm"})
    assert find_owner(route) is None


def test_a_kserve_route_names_the_llm_inference_service_to_edit() -> None:
    owner = find_owner(kserve_route())
    assert owner is not None and owner.describe() == "LLMInferenceService llm/qwen"
    assert "`kubectl edit llminferenceservice qwen -n llm`" in owner.knob


def test_an_ai_gateway_route_names_the_aigatewayroute_to_edit() -> None:
    owner = find_owner(aigateway_route())
    assert owner is not None and owner.describe() == "AIGatewayRoute llm/qwen-ai"
    assert "`kubectl edit aigatewayroute qwen-ai -n llm`" in owner.knob


def test_other_owner_references_and_our_own_routes_are_nobodys() -> None:
    assert find_owner(owned_route("apps/v1", "Deployment", "web")) is None
    ours = o.httproute(labels={"app.kubernetes.io/managed-by": "kubectl-inferroute"})
    assert find_owner(ours) is None
    assert find_owner(None) is None


def test_the_refusal_raises_unless_forced_and_forced_it_is_a_warning() -> None:
    with pytest.raises(RouteOwned) as refused:
        refuse_if_owned(kserve_route(), False, override="--force")
    assert refused.value.exit_code == 1
    assert "nothing was changed" in refused.value.message
    assert refused.value.hint.endswith("or pass --force to change it here anyway")
    warning = refuse_if_owned(kserve_route(), True)
    assert warning is not None and warning.severity == "warning"
    assert refuse_if_owned(o.httproute(), False) is None


# --- expose over it --------------------------------------------------------------------------

OWNED = [
    ("helm", helm_route, "Helm release llm/qwen", "helm upgrade qwen"),
    ("kserve", kserve_route, "LLMInferenceService llm/qwen", "kubectl edit llminferenceservice"),
    ("aigateway", aigateway_route, "AIGatewayRoute llm/qwen-ai", "kubectl edit aigatewayroute"),
]


@pytest.mark.parametrize(("kind", "make", "owner", "knob"), OWNED, ids=[c[0] for c in OWNED])
def test_expose_refuses_an_owned_route_and_changes_nothing(
    cluster: Any, kubeconfig: Path, kind: str, make: Any, owner: str, knob: str
) -> None:
    cluster.add(make())
    before = cluster.snapshot()  # once the controller has written the route's status
    cluster.clear_requests()
    result = run(*APPLY, *CHANGE, "--yes")
    assert result.exit_code == 1, result.output
    assert f"HTTPRoute llm/qwen-pool is owned by {owner}" in result.output
    assert knob in result.output
    assert "--force --force-conflicts to change it here anyway" in result.output
    assert real_writes(cluster) == []
    assert cluster.snapshot() == before


@pytest.mark.parametrize(("kind", "make", "owner", "knob"), OWNED, ids=[c[0] for c in OWNED])
def test_expose_with_force_changes_an_owned_route_and_warns(
    cluster: Any, kubeconfig: Path, kind: str, make: Any, owner: str, knob: str
) -> None:
    cluster.add(make())
    result = run(*APPLY, *CHANGE, "--yes", "--force", "--force-conflicts")
    assert result.exit_code == 0, result.output
    assert f"warning: HTTPRoute llm/qwen-pool is owned by {owner}" in result.output
    assert stored(cluster)["spec"]["hostnames"] == ["llm.example.com"]


def test_a_server_dry_run_of_an_owned_route_only_warns(cluster: Any, kubeconfig: Path) -> None:
    cluster.add(helm_route())
    before = cluster.snapshot()
    result = run(*APPLY, *CHANGE, "--dry-run=server", "--force-conflicts")
    assert result.exit_code == 0, result.output
    assert "warning: HTTPRoute llm/qwen-pool is owned by Helm release llm/qwen" in result.output
    assert cluster.snapshot() == before
