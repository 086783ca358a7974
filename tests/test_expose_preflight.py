"""`expose`'s preflight checks through the CLI, against the fake API server over real HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from fakekube import objects as o

from kubectl_httproute.cli import root

ROUTES = "gateway.networking.k8s.io/v1"
GRANTS = "gateway.networking.k8s.io/v1beta1"
GROUP = "gateway.networking.k8s.io"
APPLY = ("expose", "qwen-pool", "--gateway", "inference-gateway", "--no-wait", "--no-record")


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(root, list(args), input=input, catch_exceptions=False)


def route(cluster: Any, name: str = "qwen-pool", namespace: str = "llm") -> Any:
    return cluster.get(ROUTES, "httproutes", namespace, name)


def real_writes(cluster: Any) -> list[Any]:
    return [
        r
        for r in cluster.requests
        if r.method in ("POST", "PUT", "PATCH", "DELETE")
        and "/selfsubject" not in r.path
        and r.query.get("dryRun") != ["All"]
    ]


def replace_gateway(cluster: Any, **kw: Any) -> None:
    cluster.add(o.gateway(**kw))


# --- the request budget ----------------------------------------------------------------------


def test_expose_with_every_check_sends_at_most_12_requests_before_waiting(
    cluster: Any, kubeconfig: Path
) -> None:
    cluster.clear_requests()
    result = run(*APPLY, "--yes")
    assert result.exit_code == 0, result.output
    sent = [f"{r.method} {r.path}" for r in cluster.requests]
    assert len(sent) <= 12, "\n".join(sent)
    # discovery, gateway, its GatewayClass (the implementation's rules), pool, existing route,
    # one rules review, routes, pods, epp service, dry-run, apply
    assert len(sent) == 11, "\n".join(sent)
    assert sum("selfsubjectrulesreviews" in s for s in sent) == 1
    assert not any("selfsubjectaccessreviews" in s for s in sent)


def test_a_selector_listener_costs_one_namespace_read_and_still_fits(
    cluster: Any, kubeconfig: Path
) -> None:
    replace_gateway(cluster, listeners=[o.listener(from_="Selector", selector={"gw": "yes"})])
    cluster.add(o.namespace("llm", {"gw": "yes"}))
    cluster.clear_requests()
    result = run(*APPLY, "--yes")
    assert result.exit_code == 0, result.output
    assert len(cluster.requests) <= 12
    assert any(r.path == "/api/v1/namespaces/llm" for r in cluster.requests)


# --- 1. permission ---------------------------------------------------------------------------


def test_a_denied_patch_stops_before_any_write_and_names_the_can_i(
    cluster: Any, kubeconfig: Path
) -> None:
    cluster.deny("admin", "patch", GROUP, "httproutes", "llm")
    before = cluster.snapshot()
    result = run(*APPLY, "--yes")
    assert result.exit_code == 1, result.output
    assert 'you may not patch httproutes.gateway.networking.k8s.io in namespace "llm"' in (
        result.output
    )
    assert "kubectl auth can-i patch httproutes.gateway.networking.k8s.io -n llm" in result.output
    assert "nothing was changed" in result.output and "Traceback" not in result.output
    assert cluster.snapshot() == before
    assert not [r for r in cluster.requests if r.method == "PATCH"]  # not even the dry-run


def test_an_incomplete_rules_review_falls_back_to_access_reviews(
    cluster: Any, kubeconfig: Path
) -> None:
    cluster.rules_review_incomplete = True
    cluster.deny("admin", "create", GROUP, "httproutes", "llm")
    result = run(*APPLY, "--yes")
    assert result.exit_code == 1
    assert "you may not create httproutes" in result.output
    reviews = [r for r in cluster.requests if "selfsubjectaccessreviews" in r.path]
    assert reviews and route(cluster) is None


# --- 2. listener admission -------------------------------------------------------------------


def test_no_admitting_listener_stops_and_says_why_each_refuses(
    cluster: Any, kubeconfig: Path
) -> None:
    replace_gateway(
        cluster,
        listeners=[o.listener("http", from_="None"), o.listener("tls", 443, "TLS")],
    )
    before = cluster.snapshot()
    result = run(*APPLY, "--yes")
    assert result.exit_code == 1, result.output
    assert "no listener of Gateway llm/inference-gateway would admit this route" in result.output
    assert "http: allowedRoutes.namespaces.from is None" in result.output
    assert "tls: a TLS listener does not take HTTPRoutes" in result.output
    assert cluster.snapshot() == before


def test_force_applies_anyway(cluster: Any, kubeconfig: Path) -> None:
    replace_gateway(cluster, listeners=[o.listener("http", from_="None")])
    result = run(*APPLY, "--yes", "--force")
    assert result.exit_code == 0, result.output
    assert route(cluster) is not None


def test_a_namespace_outside_the_selector_is_refused(cluster: Any, kubeconfig: Path) -> None:
    replace_gateway(cluster, listeners=[o.listener(from_="Selector", selector={"gw": "yes"})])
    result = run(*APPLY, "--yes")
    assert result.exit_code == 1
    assert 'Selector (gw=yes) and namespace "llm" does not match its labels' in result.output


def test_a_missing_section_name_is_refused(cluster: Any, kubeconfig: Path) -> None:
    result = run(*APPLY, "--yes", "--section-name", "https")
    assert result.exit_code == 1
    assert 'has no listener named "https" (listeners: http)' in result.output


# --- 3. cross-namespace pools ----------------------------------------------------------------


def _pool_elsewhere(cluster: Any) -> None:
    cluster.add(o.namespace("models"))
    cluster.add(o.pool_v1("qwen-pool", "models"))
    cluster.add(o.service("qwen-pool-epp", "models", [9002]))
    cluster.add(o.pod("qwen-0", "models", {"app": "qwen"}))


def test_a_pool_in_another_namespace_shows_the_grant_and_does_not_create_it_unasked(
    cluster: Any, kubeconfig: Path
) -> None:
    _pool_elsewhere(cluster)
    result = run(*APPLY[:1], "models/qwen-pool", *APPLY[2:], "--yes")
    assert result.exit_code == 0, result.output
    assert 'no ReferenceGrant in namespace "models"' in result.output
    assert "kind: ReferenceGrant" in result.output and "--create-reference-grant" in result.output
    assert cluster.list(GRANTS, "referencegrants", "models") == []


def test_create_reference_grant_creates_it_with_the_route(cluster: Any, kubeconfig: Path) -> None:
    _pool_elsewhere(cluster)
    result = run(*APPLY[:1], "models/qwen-pool", *APPLY[2:], "--yes", "--create-reference-grant")
    assert result.exit_code == 0, result.output
    [grant] = cluster.list(GRANTS, "referencegrants", "models")
    assert grant["spec"]["from"][0]["namespace"] == "llm"
    assert grant["spec"]["to"][0] == {
        "group": "inference.networking.k8s.io",
        "kind": "InferencePool",
        "name": "qwen-pool",
    }
    assert route(cluster) is not None


def test_an_existing_grant_is_honoured(cluster: Any, kubeconfig: Path) -> None:
    _pool_elsewhere(cluster)
    cluster.add(o.reference_grant("allow-llm", "models", "llm"))
    result = run(*APPLY[:1], "models/qwen-pool", *APPLY[2:], "--yes", "--create-reference-grant")
    assert result.exit_code == 0, result.output
    assert "ReferenceGrant" not in result.output.split("Server dry-run")[0].split("Preflight")[-1]
    assert len(cluster.list(GRANTS, "referencegrants", "models")) == 1


def test_the_grant_is_removed_when_the_route_cannot_be_applied(
    cluster: Any, kubeconfig: Path
) -> None:
    _pool_elsewhere(cluster)
    before = cluster.snapshot()
    cluster.inject_fault(method="PATCH", path_contains="/httproutes/qwen-pool?", nth=2, status=422)
    result = run(*APPLY[:1], "models/qwen-pool", *APPLY[2:], "--yes", "--create-reference-grant")
    assert result.exit_code == 1, result.output
    assert "the ReferenceGrant created for it was removed" in result.output
    assert cluster.snapshot() == before


def test_server_dry_run_prints_findings_and_stores_nothing(cluster: Any, kubeconfig: Path) -> None:
    _pool_elsewhere(cluster)
    before = cluster.snapshot()
    result = run(
        *APPLY[:1], "models/qwen-pool", *APPLY[2:], "--dry-run=server", "--create-reference-grant"
    )
    assert result.exit_code == 0, result.output
    assert "Preflight checks" in result.output
    assert "will create ReferenceGrant models/" in result.output
    assert cluster.snapshot() == before


# --- 4. shadowing ----------------------------------------------------------------------------


def test_an_older_catch_all_route_shadows_the_new_one(cluster: Any, kubeconfig: Path) -> None:
    cluster.add(o.httproute("older", pool="qwen-pool"))
    result = run(*APPLY, "--dry-run=server")
    assert result.exit_code == 0, result.output
    assert "HTTPRoute llm/qwen-pool would be shadowed on llm/inference-gateway" in result.output
    assert "llm/older" in result.output and "wins" in result.output


def test_a_route_on_another_hostname_does_not_overlap(cluster: Any, kubeconfig: Path) -> None:
    cluster.add(o.httproute("other", hostnames=["other.example.com"]))
    result = run(*APPLY, "--hostname", "llm.example.com", "--dry-run=server")
    assert result.exit_code == 0, result.output
    assert "shadow" not in result.output and "llm/other" not in result.output


# --- 5. existing route -----------------------------------------------------------------------


def test_a_route_someone_else_manages_is_refused_with_the_fields_it_would_change(
    cluster: Any, kubeconfig: Path
) -> None:
    cluster.add(o.httproute("qwen-pool", hostnames=["helm.example.com"]))
    before = cluster.snapshot()
    result = run(*APPLY, "--yes")
    assert result.exit_code == 1, result.output
    assert "kubectl-inferroute does not manage it" in result.output
    # The fields taking it over would change (was: a textual diff, which also showed helm's
    # hostnames going, though a server-side apply leaves them with their owner).
    assert (
        "would change:\n"
        "        metadata.labels: (none) → {app.kubernetes.io/managed-by: kubectl-inferroute}\n"
        "        spec.rules[0].timeouts: (none) → {backendRequest: 0s, request: 0s}\n"
    ) in result.output
    assert "helm.example.com" not in result.output
    assert cluster.snapshot() == before


def test_force_conflicts_takes_it_over(cluster: Any, kubeconfig: Path) -> None:
    cluster.add(o.httproute("qwen-pool", hostnames=["helm.example.com"]))
    result = run(*APPLY, "--yes", "--force-conflicts")
    assert result.exit_code == 0, result.output
    assert route(cluster)["metadata"]["labels"]["app.kubernetes.io/managed-by"] == (
        "kubectl-inferroute"
    )


def test_our_own_route_is_updated_with_the_fields_that_change(
    cluster: Any, kubeconfig: Path
) -> None:
    assert run(*APPLY, "--yes").exit_code == 0
    result = run(*APPLY, "--yes", "--hostname", "llm.example.com")
    assert result.exit_code == 0, result.output
    # Field by field, after the server dry-run (was: "will be updated" and a textual diff).
    assert (
        "Changes to the live HTTPRoute llm/qwen-pool\n"
        "  spec.hostnames: (none) → [llm.example.com]\n\n"
    ) in result.output
    assert route(cluster)["spec"]["hostnames"] == ["llm.example.com"]


# --- 6. timeouts, 7. pool health -------------------------------------------------------------


def test_gke_classes_leave_timeouts_out_and_say_why(cluster: Any, kubeconfig: Path) -> None:
    cluster.add(o.gateway_class(o.GKE_CLASS, o.GKE_CONTROLLER))
    replace_gateway(cluster, class_name=o.GKE_CLASS)
    result = run(*APPLY, "--dry-run=server")
    assert result.exit_code == 0, result.output
    assert "leaves out rules[].timeouts" in result.output and "GCPBackendPolicy" in result.output
    given = run(*APPLY, "--dry-run=server", "--route-timeout", "30s")
    assert "rejects rules[].timeouts" in given.output


def test_a_pool_without_pods_or_endpoint_picker_gets_warnings(
    cluster: Any, kubeconfig: Path
) -> None:
    cluster.delete("v1", "pods", "llm", "qwen-0")
    cluster.delete("v1", "services", "llm", "qwen-pool-epp")
    result = run(*APPLY, "--dry-run=server")
    assert result.exit_code == 0, result.output
    assert "InferencePool llm/qwen-pool selects no pods (selector app=qwen)" in result.output
    assert 'endpoint picker Service "qwen-pool-epp"' in result.output


def test_health_reads_that_are_forbidden_are_noted_not_fatal(
    cluster: Any, kubeconfig: Path
) -> None:
    cluster.deny("admin", "list", "", "pods")
    cluster.deny("admin", "get", "", "services")
    cluster.deny("admin", "list", GROUP, "httproutes")
    result = run(*APPLY, "--yes")
    assert result.exit_code == 0, result.output
    assert "could not list the pods" in result.output
    assert "could not list HTTPRoutes" in result.output


def test_machine_output_keeps_stdout_clean_and_warnings_on_stderr(
    cluster: Any, kubeconfig: Path
) -> None:
    cluster.delete("v1", "pods", "llm", "qwen-0")
    result = run(*APPLY, "--dry-run=server", "-o", "yaml")
    assert result.exit_code == 0
    assert "selects no pods" in result.stderr
    assert "selects no pods" not in result.stdout
    assert result.stdout.startswith("apiVersion:")
