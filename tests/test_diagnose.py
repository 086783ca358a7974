"""One test per diagnosis: the fake cluster produces the condition, status names it and the fix."""

from __future__ import annotations

from typing import Any

import yaml
from fakekube.objects import (
    GKE_CLASS,
    GKE_CONTROLLER,
    gateway,
    gateway_class,
    httproute,
    listener,
    namespace,
    pool_v1,
)
from status_helpers import V1, V1ALPHA2, findings, route_report, running

QWEN_EPP = ("v1", "Service", "llm", "qwen-pool-epp")


def one(found: list[dict[str, Any]], contains: str) -> dict[str, Any]:
    matching = [f for f in found if contains in f["what"]]
    assert len(matching) == 1, [f["what"] for f in found]
    return matching[0]


def test_no_controller_when_the_gateway_class_does_not_exist() -> None:
    with running(
        gateway("inference-gateway", "llm", class_name="missing-class"), httproute()
    ) as cluster:
        entry = route_report(cluster, "qwen-pool")
        assert entry["verdict"] == "NoController"
        finding = one(entry["findings"], "GatewayClass missing-class")
        assert "does not exist" in finding["what"]
        assert "installed: example" in finding["fix"]


def test_no_controller_when_nobody_runs_the_class_controller() -> None:
    with running(
        gateway_class("other", "other.example/controller"),
        gateway("inference-gateway", "llm", class_name="other"),
        httproute(),
    ) as cluster:
        entry = route_report(cluster, "qwen-pool")
        assert entry["verdict"] == "NoController"
        finding = one(entry["findings"], "GatewayClass other")
        assert "controllerName other.example/controller" in finding["what"]
        assert "has no status" in finding["what"]
        assert "install or start the controller other.example/controller" in finding["fix"]


def test_stale_when_observed_generation_is_behind() -> None:
    with running(httproute(), sim={"stale": True}) as cluster:
        entry = route_report(cluster, "qwen-pool")
        assert entry["verdict"] == "Stale"
        finding = one(entry["findings"], "stale status")
        assert "generation 0, the route is at 1" in finding["what"]
        assert "example.com/gateway-controller" in finding["fix"]


def test_not_allowed_by_listeners_shows_allowed_routes_and_the_route_namespace() -> None:
    with running(
        namespace("team"),
        httproute(namespace="team", gateway_namespace="llm", pool_namespace="llm"),
    ) as cluster:
        entry = route_report(cluster, "qwen-pool", "-n", "team")
        assert entry["verdict"] == "NotAccepted"
        finding = one(entry["findings"], "does not admit routes from namespace team")
        assert "allowedRoutes Same" in finding["what"]
        assert "allowedRoutes" in finding["fix"]


def test_no_matching_listener_hostname() -> None:
    gw = gateway(listeners=[listener(hostname="a.example.com")])
    with running(gw, httproute(hostnames=["b.example.com"])) as cluster:
        entry = route_report(cluster, "qwen-pool")
        assert entry["verdict"] == "NotAccepted"
        finding = one(entry["findings"], "match no listener hostname")
        assert "b.example.com" in finding["what"] and "a.example.com" in finding["what"]
        assert "use a hostname a listener serves" in finding["fix"]


def test_no_matching_parent_names_the_section() -> None:
    with running(httproute(section_name="https")) as cluster:
        entry = route_report(cluster, "qwen-pool")
        assert entry["verdict"] == "NotAccepted"
        finding = one(entry["findings"], "sectionName https names no listener")
        assert "http (HTTP/80" in finding["what"]
        assert "use a listener name and port" in finding["fix"]


def test_backend_not_found_when_the_pool_is_missing() -> None:
    with running(httproute(pool="nope")) as cluster:
        entry = route_report(cluster, "qwen-pool")
        assert entry["verdict"] == "Unresolved"
        finding = one(entry["findings"], "InferencePool llm/nope does not exist")
        assert "kubectl get inferencepools -n llm" in finding["fix"]


def test_backend_not_found_says_which_group_holds_the_pool() -> None:
    with running(httproute(pool_group=V1ALPHA2), pool_groups=(V1, V1ALPHA2)) as cluster:
        entry = route_report(cluster, "qwen-pool")
        assert entry["verdict"] == "Unresolved"
        finding = one(entry["findings"], "uses group inference.networking.x-k8s.io")
        assert f"is in group {V1}" in finding["what"]
        assert f"set the backendRef's group to {V1}" in finding["fix"]


def test_backend_not_found_for_a_group_the_cluster_does_not_serve() -> None:
    with running(httproute(pool="ghost", pool_group=V1ALPHA2)) as cluster:
        finding = one(findings(cluster, "qwen-pool"), "which this cluster does not serve")
        assert f"set the backendRef's group to {V1}" in finding["fix"]


def test_ref_not_permitted_prints_the_reference_grant_that_fixes_it() -> None:
    with running(
        namespace("models"),
        pool_v1("qwen-pool", "models"),
        httproute(pool_namespace="models"),
    ) as cluster:
        entry = route_report(cluster, "qwen-pool")
        assert entry["verdict"] == "Unresolved"
        finding = one(entry["findings"], "is not permitted")
        assert "ReferenceGrant in namespace models" in finding["what"]
        grant = yaml.safe_load(finding["fixYaml"])
        assert grant["kind"] == "ReferenceGrant"
        assert grant["metadata"]["namespace"] == "models"
        assert grant["spec"]["from"] == [
            {"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": "llm"}
        ]
        assert grant["spec"]["to"] == [{"group": V1, "kind": "InferencePool", "name": "qwen-pool"}]
        # Applying the printed grant is the fix.
        cluster.add(grant)
        cluster.add(httproute(pool_namespace="models", labels={"touched": "yes"}))
        import time

        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            if route_report(cluster, "qwen-pool")["verdict"] != "Unresolved":
                break
            time.sleep(0.05)
        assert route_report(cluster, "qwen-pool")["verdict"] != "Unresolved"


def test_invalid_kind_says_how_to_enable_the_inference_extension_on_istio() -> None:
    with running(
        httproute(),
        standard={"class_name": "istio"},
        sim={"supports_inference_pool": False},
    ) as cluster:
        entry = route_report(cluster, "qwen-pool")
        assert entry["verdict"] == "Unresolved"
        finding = entry["findings"][0]
        assert "InvalidKind" in finding["what"]
        assert "pilot.env.ENABLE_GATEWAY_API_INFERENCE_EXTENSION=true" in finding["fix"]


def test_invalid_kind_on_an_unknown_class_lists_every_implementation() -> None:
    with running(httproute(), sim={"supports_inference_pool": False}) as cluster:
        fix = findings(cluster, "qwen-pool")[0]["fix"]
        assert "inferenceExtension.enabled=true" in fix  # agentgateway
        assert "nginxGateway.gwAPIInferenceExtension.enable=true" in fix  # NGINX Gateway Fabric
        assert "ENABLE_GATEWAY_API_INFERENCE_EXTENSION" in fix  # istio


def test_gke_rejects_timeouts_and_the_fix_is_a_gcp_backend_policy() -> None:
    with running(
        httproute(timeouts={"request": "0s"}),
        standard={"class_name": GKE_CLASS, "controller": GKE_CONTROLLER},
        sim={"controller_name": GKE_CONTROLLER},
    ) as cluster:
        entry = route_report(cluster, "qwen-pool")
        assert entry["verdict"] == "NotAccepted"
        finding = entry["findings"][0]
        assert "UnsupportedValue" in finding["what"]
        assert "remove rules[].timeouts" in finding["fix"]
        assert "GCPBackendPolicy" in finding["fix"]


def test_pool_without_endpoint_picker() -> None:
    with running(pool_v1(epp=None), httproute()) as cluster:
        entry = route_report(cluster, "qwen-pool")
        finding = one(entry["findings"], "names no endpoint picker")
        assert finding["subject"] == "InferencePool llm/qwen-pool"
        assert "spec.endpointPickerRef" in finding["fix"]
        assert entry["verdict"] == "Degraded"


def test_pool_whose_endpoint_picker_service_is_missing() -> None:
    with running(httproute(), without=(QWEN_EPP,)) as cluster:
        entry = route_report(cluster, "qwen-pool")
        finding = one(entry["findings"], "endpoint picker Service llm/qwen-pool-epp does not exist")
        assert "deploy the endpoint picker (EPP) Service qwen-pool-epp" in finding["fix"]
        assert entry["verdict"] == "Degraded"


def test_pool_with_no_parent_status_while_the_route_is_accepted() -> None:
    with running(httproute(), controller=False) as cluster:
        # A controller that writes the route's status but not the pool's.
        cluster.set_status(
            "gateway.networking.k8s.io/v1",
            "httproutes",
            "llm",
            "qwen-pool",
            {
                "parents": [
                    {
                        "parentRef": {
                            "group": "gateway.networking.k8s.io",
                            "kind": "Gateway",
                            "name": "inference-gateway",
                        },
                        "controllerName": "example.com/gateway-controller",
                        "conditions": [
                            {
                                "type": "Accepted",
                                "status": "True",
                                "reason": "Accepted",
                                "observedGeneration": 1,
                            },
                            {
                                "type": "ResolvedRefs",
                                "status": "True",
                                "reason": "ResolvedRefs",
                                "observedGeneration": 1,
                            },
                        ],
                    }
                ]
            },
        )
        entry = route_report(cluster, "qwen-pool")
        finding = one(entry["findings"], "the pool has no status for Gateway")
        assert finding["severity"] == "warning"
        assert "inference extension is enabled" in finding["fix"]


def test_pool_selector_matching_no_pods_in_the_detail_view() -> None:
    with running(pool_v1(selector={"app": "nothing"}), httproute()) as cluster:
        entry = route_report(cluster, "qwen-pool")
        finding = one(entry["findings"], "matches no pods")
        assert "app=nothing" in finding["what"]
        assert "--show-labels" in finding["fix"]


def test_gateway_not_programmed_and_without_address() -> None:
    with running(httproute(), sim={"programmed": False}) as cluster:
        entry = route_report(cluster, "qwen-pool")
        programmed = one(entry["findings"], "not Programmed")
        assert "AddressNotAssigned" in programmed["what"]
        assert "kubectl describe gateway inference-gateway -n llm" in programmed["fix"]
        address = one(entry["findings"], "has no address")
        assert address["subject"] == "Gateway llm/inference-gateway"
        assert entry["verdict"] == "Degraded"


def test_shadowed_by_an_older_route_with_the_same_match() -> None:
    older = httproute("aaa-old", pool="qwen-pool")
    older["metadata"]["creationTimestamp"] = "2024-01-01T00:00:00Z"
    newer = httproute("zzz-new", pool="qwen-pool")
    newer["metadata"]["creationTimestamp"] = "2025-01-01T00:00:00Z"
    with running(older, newer) as cluster:
        entry = route_report(cluster, "zzz-new")
        assert entry["verdict"] == "Shadowed"
        finding = one(entry["findings"], "shadowed on Gateway llm/inference-gateway")
        assert "llm/aaa-old takes all its traffic" in finding["what"]
        assert "it is older" in finding["what"]
        assert "more specific match" in finding["fix"]
        assert route_report(cluster, "aaa-old")["verdict"] == "Ready"
