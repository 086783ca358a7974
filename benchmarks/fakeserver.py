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

from fakekube import FakeCluster
from fakekube import objects as o

GROUP = "gateway.networking.k8s.io"
POOL_GROUP = "inference.networking.k8s.io"
TIME = "2025-06-01T12:00:00Z"


def condition(kind: str, reason: str, generation: int = 1) -> dict[str, Any]:
    return {
        "type": kind,
        "status": "True",
        "reason": reason,
        "message": "",
        "observedGeneration": generation,
        "lastTransitionTime": TIME,
    }


def with_status(obj: dict[str, Any], status: dict[str, Any]) -> dict[str, Any]:
    obj["metadata"]["generation"] = 1
    obj["status"] = status
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
