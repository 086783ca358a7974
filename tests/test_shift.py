"""`shift` end to end, through the CLI, against the fake API server over real HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fakekube import objects as o

from kubectl_httproute.cli import root

ROUTES = "gateway.networking.k8s.io/v1"
POOLS = "inference.networking.k8s.io/v1"


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(root, list(args), input=input, catch_exceptions=False)


def stored_route(cluster: Any, name: str = "qwen") -> Any:
    return cluster.get(ROUTES, "httproutes", "llm", name)


def weights(cluster: Any, name: str = "qwen") -> dict[str, int]:
    refs = stored_route(cluster, name)["spec"]["rules"][0]["backendRefs"]
    return {r["name"]: r["weight"] for r in refs}


def add_pool(cluster: Any, name: str, *, ready: bool = True, epp: bool = True) -> None:
    cluster.add(o.pool_v1(name, selector={"app": name}))
    if epp:
        cluster.add(o.service(f"{name}-epp", ports=[9002]))
    cluster.add(o.pod(f"{name}-0", labels={"app": name}, ready=ready))


@pytest.fixture
def two_pools(cluster: Any, kubeconfig: Path) -> Any:
    """Route qwen: 100% to qwen-v1; pool qwen-v2 deployed beside it, not on the route yet."""
    add_pool(cluster, "qwen-v1")
    add_pool(cluster, "qwen-v2")
    result = run("expose", "qwen-v1", "--gateway", "inference-gateway", "--name", "qwen", "--yes", "--no-record")
    assert result.exit_code == 0, result.output
    return cluster


def test_smoke(two_pools: Any) -> None:
    result = run("shift", "qwen", "qwen-v2=10", "qwen-v1=90", "--yes", "--no-record")
    print(result.output)
    assert result.exit_code == 0, result.output
    assert weights(two_pools) == {"qwen-v1": 90, "qwen-v2": 10}
    result = run("shift", "qwen", "--to", "qwen-v2", "--steps", "50,100", "--interval", "0.2s", "--yes", "--no-record")
    print(result.output)
    assert result.exit_code == 0, result.output
    assert weights(two_pools) == {"qwen-v1": 0, "qwen-v2": 100}
