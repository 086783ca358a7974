"""Helpers for the status tests: a fake cluster in a given state, and running `status` on it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from conftest import write_kubeconfig
from fakekube import ControllerSim, FakeCluster
from fakekube.objects import standard_cluster

from kubectl_httproute.cli import root

V1 = "inference.networking.k8s.io"
V1ALPHA2 = "inference.networking.x-k8s.io"
FIXED_TIME = "2025-06-01T12:00:00Z"


@contextmanager
def running(
    *objects: dict[str, Any],
    standard: dict[str, Any] | None = None,
    sim: dict[str, Any] | None = None,
    controller: bool = True,
    pool_groups: tuple[str, ...] = (V1,),
    without: tuple[tuple[str, str, str, str], ...] = (),
) -> Iterator[FakeCluster]:
    """A started fake cluster: standard objects (unless standard is None and objects are given),
    extra objects, `without` objects deleted, and a controller simulator that has settled."""
    fake = FakeCluster(pool_groups=pool_groups)
    with fake:
        standard_cluster(fake, **(standard or {}))
        for api_version, kind, namespace, name in without:
            fake.delete(api_version, kind, namespace, name)
        for obj in objects:
            fake.add(obj)
        if not controller:
            yield fake
            return
        with ControllerSim(fake, delay=0.01, **(sim or {})) as simulator:
            simulator.wait_idle()
            yield fake


def kubeconfig_for(cluster: FakeCluster, namespace: str = "llm") -> str:
    path = Path.cwd() / f"kubeconfig-{id(cluster)}"
    write_kubeconfig(path, cluster.url, namespace=namespace)
    return str(path)


def status(cluster: FakeCluster, *args: str) -> Result:
    """Run `kubectl inferroute status ARGS` against the cluster."""
    return CliRunner().invoke(root, ["status", "--kubeconfig", kubeconfig_for(cluster), *args])


def report(cluster: FakeCluster, *args: str) -> dict[str, Any]:
    """The -o json report."""
    result = status(cluster, *args, "-o", "json")
    assert result.exit_code in (0, 3), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def route_report(cluster: FakeCluster, name: str, *args: str) -> dict[str, Any]:
    data = report(cluster, name, *args)
    entry: dict[str, Any] = data["routes"][0]
    return entry


def findings(cluster: FakeCluster, name: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = route_report(cluster, name)["findings"]
    return found


def freeze_times(cluster: FakeCluster, when: str = FIXED_TIME) -> None:
    """Set every creationTimestamp and lastTransitionTime to `when` (for golden text)."""

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "lastTransitionTime" in value:
                value["lastTransitionTime"] = when
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    with cluster.store.cond:
        for bucket in cluster.store.objects.values():
            for obj in bucket.values():
                obj["metadata"]["creationTimestamp"] = when
                walk(obj.get("status"))
