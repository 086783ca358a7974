"""llm-d's blue-green update (guides/rollouts/blue-green-update.md), done with the plugin alone.

The guide deploys a new pool, optionally mirrors a share of requests to it, splits 90/10,
finishes at 100 and then removes the old pool's traffic, every step with `kubectl edit`. Here each
step is one command, checked against what the API server stored after it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fakekube import objects as o

from kubectl_httproute.cli import root
from kubectl_httproute.core.revisions import list_revisions

ROUTES = "gateway.networking.k8s.io/v1"
QUIET = ("-n", "llm", "--yes", "--no-record")


def run(*args: str) -> Result:
    return CliRunner().invoke(root, list(args), catch_exceptions=False)


def route(cluster: Any) -> Any:
    return cluster.get(ROUTES, "httproutes", "llm", "qwen")


def weights(cluster: Any) -> dict[str, int]:
    refs = route(cluster)["spec"]["rules"][0]["backendRefs"]
    return {ref["name"]: ref.get("weight", 1) for ref in refs}


def mirrors(cluster: Any) -> list[tuple[str, int]]:
    found = []
    for item in route(cluster)["spec"]["rules"][0].get("filters") or []:
        if item.get("type") == "RequestMirror":
            mirror = item["requestMirror"]
            found.append((mirror["backendRef"]["name"], mirror.get("percent", 100)))
    return found


@pytest.fixture
def two_versions(cluster: Any, kubeconfig: Path) -> Any:
    """v1 serving, v2 deployed beside it: a pool, its endpoint picker and a Ready pod each."""
    for version in ("v1", "v2"):
        selector = {"app": f"qwen-{version}"}
        cluster.add(o.pool_v1(f"qwen-{version}", selector=selector))
        cluster.add(o.service(f"qwen-{version}-epp", "llm", [9002]))
        cluster.add(o.pod(f"qwen-{version}-0", labels=selector, ip=f"10.244.1.{len(version)}"))
    return cluster


def test_the_blue_green_update_end_to_end(two_versions: Any) -> None:
    cluster = two_versions

    # 1. v1 takes all the traffic.
    result = run("expose", "qwen-v1", "--name", "qwen", "--gateway", "inference-gateway", *QUIET)
    assert result.exit_code == 0, result.output
    assert weights(cluster) == {"qwen-v1": 1}

    # 2. Copy 10% of the requests to v2 before it takes any.
    result = run("shift", "qwen", "--mirror", "qwen-v2=10", *QUIET)
    assert result.exit_code == 0, result.output
    assert mirrors(cluster) == [("qwen-v2", 10)]
    assert "implementation-specific" in result.output

    # 3. Stop copying; shift to v2 in steps, each applied, verified and held.
    result = run("shift", "qwen", "--no-mirror", *QUIET)
    assert result.exit_code == 0, result.output
    assert mirrors(cluster) == []
    result = run("shift", "qwen", "--to", "qwen-v2", "--steps", "10,50", "--interval", "0s", *QUIET)
    assert result.exit_code == 0, result.output
    assert weights(cluster) == {"qwen-v1": 50, "qwen-v2": 50}

    # 4. The history says who did what, each with its split.
    result = run("history", "qwen", "-n", "llm")
    assert result.exit_code == 0, result.output
    revisions, _ = list_revisions(route(cluster))
    assert [r.number for r in revisions] == [1, 2, 3, 4, 5]
    assert "qwen-v1=50 qwen-v2=50" in result.output

    # 5. Something looks wrong at 50%: back to the step before (10%).
    result = run("rollback", "qwen", *QUIET)
    assert result.exit_code == 0, result.output
    assert weights(cluster) == {"qwen-v1": 90, "qwen-v2": 10}

    # 6. Fixed: finish at 100. v1 keeps its backendRef at weight 0, so going back is instant.
    result = run("shift", "qwen", "--to", "qwen-v2", "--steps", "100", *QUIET)
    assert result.exit_code == 0, result.output
    assert weights(cluster) == {"qwen-v1": 0, "qwen-v2": 100}

    # 7. The old pool's traffic is gone for good: v2 alone, at its full weight.
    result = run("shift", "qwen", "--remove", "qwen-v1", *QUIET)
    assert result.exit_code == 0, result.output
    assert weights(cluster) == {"qwen-v2": 100}
    verdicts = route(cluster)["status"]["parents"][0]["conditions"]
    assert {c["type"]: c["status"] for c in verdicts} == {
        "Accepted": "True",
        "ResolvedRefs": "True",
    }

    # Every change is a revision on the route, the last ten kept.
    revisions, _ = list_revisions(route(cluster))
    assert [r.command.split()[1] for r in revisions] == [
        "expose",
        "shift",
        "shift",
        "shift",
        "shift",
        "rollback",
        "shift",
        "shift",
    ]
