"""The controller simulator writes the conditions a gateway implementation would."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fakekube import ControllerSim, FakeCluster, objects
from fakekube.objects import GKE_CLASS, GKE_CONTROLLER

GW = "gateway.networking.k8s.io"
V1 = "inference.networking.k8s.io"
V1A2 = "inference.networking.x-k8s.io"


@pytest.fixture
def cluster():
    with FakeCluster(pool_groups=(V1, V1A2)) as c:
        objects.standard_cluster(c)
        yield c


def settle(cluster: FakeCluster, **kwargs: Any) -> ControllerSim:
    sim = ControllerSim(cluster, delay=0.01, **kwargs)
    sim.reconcile()
    sim.reconcile()
    return sim


def route_conditions(
    cluster: FakeCluster,
    name: str = "qwen-pool",
    ns: str = "llm",
) -> dict[str, tuple[str, str]]:
    route = cluster.get(f"{GW}/v1", "HTTPRoute", ns, name)
    parents = (route.get("status") or {}).get("parents") or []
    if not parents:
        return {}
    assert all(
        c["observedGeneration"] == route["metadata"]["generation"] for c in parents[0]["conditions"]
    )
    return {c["type"]: (c["status"], c["reason"]) for c in parents[0]["conditions"]}


def test_accepted_and_resolved_with_gateway_and_pool_status(cluster):
    cluster.add(objects.httproute())
    settle(cluster)
    assert route_conditions(cluster) == {
        "Accepted": ("True", "Accepted"),
        "ResolvedRefs": ("True", "ResolvedRefs"),
    }
    gw = cluster.get(f"{GW}/v1", "Gateway", "llm", "inference-gateway")["status"]
    assert gw["addresses"] == [{"type": "IPAddress", "value": "127.0.0.1"}]
    assert {c["type"]: c["status"] for c in gw["conditions"]} == {
        "Accepted": "True",
        "Programmed": "True",
    }
    assert gw["listeners"][0]["attachedRoutes"] == 1
    gc = cluster.get(f"{GW}/v1", "GatewayClass", None, "example")["status"]
    assert gc["conditions"][0]["status"] == "True"
    pool = cluster.get(f"{V1}/v1", "InferencePool", "llm", "qwen-pool")["status"]["parents"][0]
    assert pool["parentRef"] == {
        "group": GW,
        "kind": "Gateway",
        "namespace": "llm",
        "name": "inference-gateway",
    }
    assert {c["type"]: c["status"] for c in pool["conditions"]} == {
        "Accepted": "True",
        "ResolvedRefs": "True",
    }


def test_thread_reconciles_changes_and_bumps_observed_generation(cluster):
    with ControllerSim(cluster, delay=0.01):
        cluster.add(objects.httproute())
        deadline = time.monotonic() + 2
        while not route_conditions(cluster) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert route_conditions(cluster)["Accepted"] == ("True", "Accepted")
        route = cluster.get(f"{GW}/v1", "HTTPRoute", "llm", "qwen-pool")
        route["spec"]["hostnames"] = ["chat.example.com"]
        route["metadata"]["generation"] = 2
        cluster.add(route)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            conds = cluster.get(f"{GW}/v1", "HTTPRoute", "llm", "qwen-pool")["status"]["parents"][
                0
            ]["conditions"]
            if conds[0]["observedGeneration"] == 2:
                break
            time.sleep(0.02)
        assert conds[0]["observedGeneration"] == 2


def test_missing_pool_is_backend_not_found(cluster):
    cluster.add(objects.httproute(pool="nope"))
    settle(cluster)
    assert route_conditions(cluster) == {
        "Accepted": ("True", "Accepted"),
        "ResolvedRefs": ("False", "BackendNotFound"),
    }


def test_a_sticky_controller_keeps_backend_not_found_until_the_route_changes(cluster):
    cluster.add(objects.httproute(pool="late"))
    sim = settle(cluster, sticky_not_found=True)
    cluster.add(objects.pool_v1("late"))
    sim.reconcile()
    assert route_conditions(cluster)["ResolvedRefs"] == ("False", "BackendNotFound")
    settle(cluster)  # an ordinary controller looks again
    assert route_conditions(cluster)["ResolvedRefs"] == ("True", "ResolvedRefs")


def test_backend_ref_without_group_means_service(cluster):
    cluster.add(objects.httproute(pool_group=None))
    settle(cluster)
    assert route_conditions(cluster)["ResolvedRefs"] == ("False", "BackendNotFound")


def test_v1alpha2_pool_group(cluster):
    cluster.add(objects.pool_v1alpha2("old-pool"))
    cluster.add(objects.service("old-pool-epp", ports=[9002]))
    cluster.add(objects.httproute(pool="old-pool", pool_group=V1A2))
    settle(cluster)
    assert route_conditions(cluster)["ResolvedRefs"] == ("True", "ResolvedRefs")
    status = cluster.get(f"{V1A2}/v1alpha2", "InferencePool", "llm", "old-pool")["status"]
    assert status["parent"][0]["parentRef"]["name"] == "inference-gateway"


def test_no_controller_means_no_status(cluster):
    cluster.add(objects.gateway_class("other", "other.example.com/controller"))
    cluster.add(objects.gateway("g2", class_name="other"))
    cluster.add(objects.httproute(gateway="g2"))
    settle(cluster)
    assert route_conditions(cluster) == {}
    assert "status" not in cluster.get(f"{GW}/v1", "Gateway", "llm", "g2")


def test_not_allowed_by_listeners_and_selector(cluster):
    cluster.add(objects.namespace("apps", {"team": "ml"}))
    cluster.add(objects.httproute("r", "apps", gateway_namespace="llm", pool_namespace="llm"))
    settle(cluster)
    assert route_conditions(cluster, "r", "apps")["Accepted"] == ("False", "NotAllowedByListeners")
    gw = cluster.get(f"{GW}/v1", "Gateway", "llm", "inference-gateway")
    gw["spec"]["listeners"] = [objects.listener(from_="Selector", selector={"team": "ml"})]
    cluster.add(gw)
    settle(cluster)
    assert route_conditions(cluster, "r", "apps") == {
        "Accepted": ("True", "Accepted"),
        "ResolvedRefs": ("False", "RefNotPermitted"),
    }
    cluster.add(objects.reference_grant("allow-apps", "llm", "apps"))
    settle(cluster)
    assert route_conditions(cluster, "r", "apps")["ResolvedRefs"] == ("True", "ResolvedRefs")


def test_hostname_and_section_mismatch(cluster):
    gw = cluster.get(f"{GW}/v1", "Gateway", "llm", "inference-gateway")
    gw["spec"]["listeners"] = [objects.listener(hostname="*.example.com")]
    cluster.add(gw)
    cluster.add(objects.httproute("a", hostnames=["chat.other.org"]))
    cluster.add(objects.httproute("b", hostnames=["chat.example.com"]))
    cluster.add(objects.httproute("c", section_name="https"))
    settle(cluster)
    assert route_conditions(cluster, "a")["Accepted"] == ("False", "NoMatchingListenerHostname")
    assert route_conditions(cluster, "b")["Accepted"] == ("True", "Accepted")
    assert route_conditions(cluster, "c")["Accepted"] == ("False", "NoMatchingParent")
    listener = cluster.get(f"{GW}/v1", "Gateway", "llm", "inference-gateway")["status"][
        "listeners"
    ][0]
    assert listener["attachedRoutes"] == 1


def test_gke_class_rejects_rule_timeouts(cluster):
    cluster.add(objects.gateway_class(GKE_CLASS, GKE_CONTROLLER))
    cluster.add(objects.gateway("gke", class_name=GKE_CLASS))
    cluster.add(objects.httproute("t", gateway="gke", timeouts={"request": "0s"}))
    cluster.add(objects.httproute("n", gateway="gke"))
    settle(cluster, controller_name=GKE_CONTROLLER)
    assert route_conditions(cluster, "t")["Accepted"] == ("False", "UnsupportedValue")
    assert route_conditions(cluster, "n")["Accepted"] == ("True", "Accepted")
    pool = cluster.get(f"{V1}/v1", "InferencePool", "llm", "qwen-pool")["status"]["parents"]
    reasons = {p["parentRef"]["name"]: p["conditions"][0]["reason"] for p in pool}
    assert reasons == {"gke": "Accepted"}


def test_pool_route_not_accepted_and_invalid_extension_ref(cluster):
    cluster.delete("v1", "services", "llm", "qwen-pool-epp")
    cluster.add(objects.httproute(hostnames=["x.example.com"]))
    gw = cluster.get(f"{GW}/v1", "Gateway", "llm", "inference-gateway")
    gw["spec"]["listeners"] = [objects.listener(hostname="only.example.org")]
    cluster.add(gw)
    settle(cluster)
    conds = cluster.get(f"{V1}/v1", "InferencePool", "llm", "qwen-pool")["status"]["parents"][0][
        "conditions"
    ]
    assert {c["type"]: (c["status"], c["reason"]) for c in conds} == {
        "Accepted": ("False", "HTTPRouteNotAccepted"),
        "ResolvedRefs": ("False", "InvalidExtensionRef"),
    }


def test_invalid_kind_without_inference_pool_support(cluster):
    cluster.add(objects.httproute())
    settle(cluster, supports_inference_pool=False)
    assert route_conditions(cluster)["ResolvedRefs"] == ("False", "InvalidKind")


def test_stale_mode_and_not_programmed(cluster):
    route = objects.httproute()
    cluster.add(route)
    settle(cluster, stale=True, programmed=False)
    got = cluster.get(f"{GW}/v1", "HTTPRoute", "llm", "qwen-pool")
    assert got["status"]["parents"][0]["conditions"][0]["observedGeneration"] == 0
    gw = cluster.get(f"{GW}/v1", "Gateway", "llm", "inference-gateway")["status"]
    assert "addresses" not in gw
    assert {c["type"]: c["status"] for c in gw["conditions"]}["Programmed"] == "False"
