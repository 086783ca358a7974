"""The benchmark's server serves objects shaped and sized as a real kube-apiserver's."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from fakekube import FakeCluster

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import fakeserver

from kubectl_httproute.core.model import MANAGED_BY_LABEL, MANAGED_BY_VALUE

# ../shared/DOMAIN.md: one plugin-made HTTPRoute with a controller-written status (two
# conditions, one parent, two managedFields entries), as kube-apiserver v1.36 sends it.
REAL_ROUTE_BYTES = 1668


def served(kind: str, api_version: str) -> dict[str, Any]:
    cluster = FakeCluster()
    fakeserver.fill(cluster, 20)
    return next(
        obj
        for obj in cluster.list(api_version, kind)
        if obj["metadata"]["namespace"].startswith("team-")
    )


def test_a_benchmark_route_is_within_a_fifth_of_a_real_servers_size() -> None:
    route = served("HTTPRoute", "gateway.networking.k8s.io/v1")
    size = len(json.dumps(route, separators=(",", ":")))
    assert abs(size - REAL_ROUTE_BYTES) <= 0.2 * REAL_ROUTE_BYTES, size


def test_a_benchmark_route_is_not_smaller_than_a_real_servers() -> None:
    # A route lighter than a cluster's flatters the plugin's memory and time; 5% below the real
    # size is what the objects without the plugin's label or managedFields (1,518-1,535 bytes)
    # fail.
    route = served("HTTPRoute", "gateway.networking.k8s.io/v1")
    size = len(json.dumps(route, separators=(",", ":")))
    assert size >= 0.95 * REAL_ROUTE_BYTES, size
    assert route["metadata"]["labels"] == {MANAGED_BY_LABEL: MANAGED_BY_VALUE}


def test_every_benchmark_object_carries_the_applier_and_the_status_writer() -> None:
    for kind, api_version in (
        ("HTTPRoute", "gateway.networking.k8s.io/v1"),
        ("Gateway", "gateway.networking.k8s.io/v1"),
        ("InferencePool", "inference.networking.k8s.io/v1"),
    ):
        obj = served(kind, api_version)
        meta = obj["metadata"]
        assert {"uid", "resourceVersion", "generation", "creationTimestamp"} <= meta.keys()
        managers = meta["managedFields"]
        assert [(m["manager"], m["operation"], m.get("subresource", "")) for m in managers] == [
            (managers[0]["manager"], managers[0]["operation"], ""),
            (fakeserver.CONTROLLER, "Update", "status"),
        ], kind
        assert managers[0]["manager"] in (fakeserver.APPLIER, "kubectl")
        assert "f:spec" in managers[0]["fieldsV1"] and "f:status" in managers[1]["fieldsV1"]
        for parent in obj["status"].get("parents") or [obj["status"]]:
            for condition in parent["conditions"]:
                assert condition["observedGeneration"] == meta["generation"]
                assert condition["lastTransitionTime"]


def test_objects_made_by_kubectl_apply_carry_its_last_applied_annotation() -> None:
    gateway = served("Gateway", "gateway.networking.k8s.io/v1")
    last = json.loads(gateway["metadata"]["annotations"][fakeserver.LAST_APPLIED])
    assert last["spec"] == gateway["spec"]
