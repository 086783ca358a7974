"""The test suite's fake API server in its own process, filled for benchmarks.

    python benchmarks/fakeserver.py ROUTES     print the server's URL, serve until stdin closes

ROUTES HTTPRoutes, ROUTES/10 Gateways and ROUTES/10 InferencePools (v1) across 100 namespaces
(fewer when ROUTES < 1000), with the statuses a gateway implementation writes, plus the standard
`llm` namespace (Gateway inference-gateway, pool qwen-pool, its EPP Service and a Pod).
Lists are served from pre-serialised pages, so what is measured is the client.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import json
import uuid
import zlib

from fakekube import FakeCluster
from fakekube import objects as o
from fakekube.store import field_paths, to_fields_v1

from kubectl_httproute.core.model import MANAGED_BY_LABEL, MANAGED_BY_VALUE

GROUP = "gateway.networking.k8s.io"
POOL_GROUP = "inference.networking.k8s.io"
TIME = "2025-06-01T12:00:00Z"
APPLIER = "kubectl-inferroute"  # the plugin's field manager (server-side apply)
CONTROLLER = "example-gateway-controller"  # the status writer, on the status subresource
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def condition(kind: str, reason: str, generation: int = 1) -> dict[str, Any]:
    return {
        "type": kind,
        "status": "True",
        "reason": reason,
        "message": "",
        "observedGeneration": generation,
        "lastTransitionTime": TIME,
    }


def with_status(
    obj: dict[str, Any], status: dict[str, Any], *, last_applied: bool = False
) -> dict[str, Any]:
    """``obj`` as a real kube-apiserver returns it once its controller has written ``status``.

    What a real server adds, so that a benchmark reads as many bytes per object as a cluster
    sends (figures in ../shared/DOMAIN.md): uid, resourceVersion, generation,
    creationTimestamp, and one managedFields entry per manager -- the applier's (spec) and the
    controller's (status subresource). ``last_applied`` adds the annotation ``kubectl apply``
    writes, as objects made by kubectl rather than by server-side apply carry.
    """
    meta = obj["metadata"]
    if last_applied:
        meta.setdefault("annotations", {})[LAST_APPLIED] = (
            json.dumps(obj, separators=(",", ":"), sort_keys=True) + "\n"
        )
    obj["status"] = status
    api_version = obj["apiVersion"]
    meta.update(
        uid=str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"{obj['kind']}/{meta['namespace']}/{meta['name']}")
        ),
        resourceVersion=str(zlib.crc32(meta["name"].encode()) % 10**8),
        generation=1,
        creationTimestamp=TIME,
        managedFields=[
            {
                "manager": "kubectl" if last_applied else APPLIER,
                "operation": "Update" if last_applied else "Apply",
                "apiVersion": api_version,
                "time": TIME,
                "fieldsType": "FieldsV1",
                "fieldsV1": to_fields_v1(field_paths(obj, False)),
            },
            {
                "manager": CONTROLLER,
                "operation": "Update",
                "apiVersion": api_version,
                "time": TIME,
                "fieldsType": "FieldsV1",
                "fieldsV1": to_fields_v1(field_paths(obj, True)),
                "subresource": "status",
            },
        ],
    )
    return obj


def fill(cluster: FakeCluster, routes: int) -> None:
    o.standard_cluster(cluster)
    namespaces = max(1, min(100, routes // 10))
    gateways = max(1, routes // 10)
    for n in range(namespaces):
        cluster.add(o.namespace(f"team-{n:03d}"))
    parent = {"group": GROUP, "kind": "Gateway", "controllerName": o.EXAMPLE_CONTROLLER}
    for g in range(gateways):
        ns = f"team-{g % namespaces:03d}"
        cluster.add(
            with_status(
                o.gateway(f"gw-{g:04d}", ns),
                {
                    "addresses": [{"type": "IPAddress", "value": f"10.0.{g // 250}.{g % 250}"}],
                    "conditions": [
                        condition("Accepted", "Accepted"),
                        condition("Programmed", "Programmed"),
                    ],
                    "listeners": [
                        {
                            "name": "http",
                            "attachedRoutes": 10,
                            "supportedKinds": [{"group": GROUP, "kind": "HTTPRoute"}],
                            "conditions": [condition("Accepted", "Accepted")],
                        }
                    ],
                },
                last_applied=True,
            )
        )
        cluster.add(
            with_status(
                o.pool_v1(f"pool-{g:04d}", ns),
                {
                    "parents": [
                        {
                            "parentRef": {"group": GROUP, "kind": "Gateway", "name": f"gw-{g:04d}"},
                            "conditions": [
                                condition("Accepted", "Accepted"),
                                condition("ResolvedRefs", "ResolvedRefs"),
                            ],
                        }
                    ]
                },
                last_applied=True,
            )
        )
    for r in range(routes):
        g = r % gateways
        ns = f"team-{g % namespaces:03d}"
        route = o.httproute(
            f"route-{r:05d}",
            ns,
            gateway=f"gw-{g:04d}",
            pool=f"pool-{g:04d}",
            hostnames=[f"m{r}.example.com"],
            labels={MANAGED_BY_LABEL: MANAGED_BY_VALUE},  # as the plugin labels what it makes
        )
        cluster.add(
            with_status(
                route,
                {
                    "parents": [
                        {
                            "parentRef": {"group": GROUP, "kind": "Gateway", "name": f"gw-{g:04d}"},
                            **parent,
                            "conditions": [
                                condition("Accepted", "Accepted"),
                                condition("ResolvedRefs", "ResolvedRefs"),
                            ],
                        }
                    ]
                },
            )
        )


def main() -> int:
    routes = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    cluster = FakeCluster()
    cluster.anonymous_user = "admin"  # kubectl sends no bearer token over plain http
    cluster.start()
    fill(cluster, routes)
    print(cluster.url, flush=True)
    sys.stdin.read()
    cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
