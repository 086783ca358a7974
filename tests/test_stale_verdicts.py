"""A BackendNotFound older than the pool it names is stale: the pool came after the controller
looked, and the controller never looked again (llm-d-modelservice#65). `status` and expose's
verify say so, with the fix, instead of calling the pool missing."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from click.testing import CliRunner
from fakekube import FakeCluster
from fakekube import objects as o
from golden import assert_golden
from status_helpers import freeze_times, kubeconfig_for, running, status
from test_status_cli import view_text

from kubectl_httproute.cli import root

ROUTES = "gateway.networking.k8s.io/v1"
POOLS = "inference.networking.k8s.io/v1"
QWEN_POOL = (POOLS, "InferencePool", "llm", "qwen-pool")
EXPOSE = ("expose", "qwen-pool", "--gateway", "inference-gateway", "--yes", "--no-record")
TOUCH = "kubectl annotate httproute qwen-pool -n llm kubectl-inferroute/touched-at="


def resolved_refs(cluster: FakeCluster) -> dict[str, Any]:
    route = cluster.get(ROUTES, "httproutes", "llm", "qwen-pool")
    conditions = route["status"]["parents"][0]["conditions"]
    found: dict[str, Any] = next(c for c in conditions if c["type"] == "ResolvedRefs")
    return found


def later(timestamp: str, seconds: int = 60) -> str:
    when = datetime.fromisoformat(timestamp.replace("Z", "+00:00")) + timedelta(seconds=seconds)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def add_pool_after_the_verdict(cluster: FakeCluster) -> None:
    """The pool appears a minute after the controller judged the route BackendNotFound."""
    judged = resolved_refs(cluster)
    assert judged["reason"] == "BackendNotFound"
    pool = o.pool_v1("qwen-pool")
    pool["metadata"]["creationTimestamp"] = later(judged["lastTransitionTime"])
    cluster.add(pool)
    wait_for(lambda: (cluster.get(POOLS, "inferencepools", "llm", "qwen-pool") or {}).get("status"))


def wait_for(condition: Callable[[], Any], timeout: float = 5.0) -> None:
    """Until the controller simulator has written what `condition` looks for."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the controller simulator never got there"
        time.sleep(0.01)


@contextmanager
def route_before_its_pool() -> Iterator[FakeCluster]:
    """A route created before its pool, under a controller that never looks again."""
    with running(o.httproute(), without=(QWEN_POOL,), sim={"sticky_not_found": True}) as cluster:
        add_pool_after_the_verdict(cluster)
        yield cluster


def test_status_calls_an_old_backend_not_found_stale_not_a_missing_pool() -> None:
    with route_before_its_pool() as cluster:
        result = status(cluster, "qwen-pool", "-o", "json")
    assert result.exit_code == 3, result.output
    [route] = json.loads(result.stdout)["routes"]
    assert route["verdict"] == "Stale"
    texts = [f["what"] for f in route["findings"]]
    assert any(
        "BackendNotFound) is stale" in t and "before InferencePool llm/qwen-pool" in t
        for t in texts
    ), texts
    assert not any("does not exist" in t for t in texts), texts
    [stale] = [f for f in route["findings"] if "is stale" in f["what"]]
    assert TOUCH in stale["fix"] and "gateway controller's logs" in stale["fix"]


def test_a_backend_not_found_newer_than_the_pool_is_still_a_missing_pool() -> None:
    with running(o.httproute(pool="nope")) as cluster:
        result = status(cluster, "qwen-pool", "-o", "json")
    [route] = json.loads(result.stdout)["routes"]
    assert route["verdict"] != "Stale"
    assert not any("is stale" in f["what"] for f in route["findings"])


def test_status_tables_show_the_stale_verdict() -> None:
    with route_before_its_pool() as cluster:
        freeze_times(cluster)
        with cluster.store.cond:  # the pool a minute younger than the frozen verdict
            pools = cluster.store.bucket("inference.networking.k8s.io", "inferencepools")
            pools[("llm", "qwen-pool")]["metadata"]["creationTimestamp"] = "2025-06-01T12:01:00Z"
        assert_golden("status/overview_stale.txt", view_text(cluster))
        assert_golden("status/detail_stale.txt", view_text(cluster, "qwen-pool"))


def test_expose_over_an_unchanged_route_reports_the_stale_verdict_with_the_fix() -> None:
    with running(sim={"sticky_not_found": True}) as cluster:
        config = kubeconfig_for(cluster)
        first = CliRunner().invoke(root, ["--kubeconfig", config, *EXPOSE])
        assert first.exit_code == 0, first.output
        # The pool goes and comes back a minute after the controller found it missing.
        cluster.delete(POOLS, "inferencepools", "llm", "qwen-pool")
        wait_for(lambda: resolved_refs(cluster)["reason"] == "BackendNotFound")
        add_pool_after_the_verdict(cluster)
        again = CliRunner().invoke(root, ["--kubeconfig", config, *EXPOSE, "--timeout", "5s"])
    assert again.exit_code == 3, again.output
    assert "unchanged" in again.output
    assert "(BackendNotFound) is stale" in again.output
    assert TOUCH in again.output
    assert "the pool does not exist" not in again.output
