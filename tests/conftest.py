"""Shared fixtures: an isolated environment, a fake API server, a kubeconfig pointing at it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Keep the developer's kubeconfig, KUBE* variables and proxies out of every test."""
    home = tmp_path_factory.mktemp("home")
    for key in list(os.environ):
        if key.startswith("KUBE") or key.lower() in ("http_proxy", "https_proxy", "all_proxy"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    work = tmp_path_factory.mktemp("cwd")
    monkeypatch.chdir(work)
    yield home


@pytest.fixture(autouse=True)
def route_json_as_the_generic_encoder_prints_the_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    """`status -o json` writes each route with its own writer (render_route_json): in every
    test that prints one, hold its text to the generic encoder's text of the route's entry."""
    from kubectl_httproute.render import report
    from kubectl_httproute.render.kubejson import render_value

    written = report.render_route_json

    def checked(diag: Any, inv: Any, events: bool, level: int, known: Any = None) -> str:
        text = written(diag, inv, events, level, known)
        entry = report.route_entry(diag, inv)
        if events:
            entry["events"] = report.route_events(diag, inv)
        assert text == render_value(entry, level)
        return text

    monkeypatch.setattr(report, "render_route_json", checked)


def write_kubeconfig(
    path: Path,
    server: str,
    *,
    token: str | None = "admin-token",
    context: str = "test",
    namespace: str | None = "llm",
    user: dict[str, Any] | None = None,
) -> Path:
    """A kubeconfig with one context pointing at `server`."""
    ctx: dict[str, Any] = {"cluster": "fake", "user": "tester"}
    if namespace:
        ctx["namespace"] = namespace
    user_body = user if user is not None else ({"token": token} if token else {})
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "fake", "cluster": {"server": server}}],
        "users": [{"name": "tester", "user": user_body}],
        "contexts": [{"name": context, "context": ctx}],
        "current-context": context,
    }
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture
def cluster() -> Iterator[Any]:
    """A running fake API server with the llm-d typical objects and a gateway controller."""
    from fakekube import ControllerSim, FakeCluster
    from fakekube.objects import standard_cluster

    fake = FakeCluster()
    with fake:
        standard_cluster(fake)
        with ControllerSim(fake, delay=0.02) as sim:
            wait_until_reconciled(fake)
            take_snapshot = fake.snapshot

            def settled_snapshot() -> Any:
                # A test's own seeding (a new route, a replaced Gateway) makes the controller
                # write status a moment later: compare states the controller has caught up with.
                sim.wait_idle()
                return take_snapshot()

            fake.snapshot = settled_snapshot
            yield fake


def wait_until_reconciled(fake: Any, timeout: float = 5.0) -> None:
    """Let the controller write the Gateway's status first, so snapshots compare only our writes."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        gateway = fake.get("gateway.networking.k8s.io/v1", "gateways", "llm", "inference-gateway")
        if gateway and (gateway.get("status") or {}).get("addresses"):
            return
        time.sleep(0.01)
    raise AssertionError("the controller simulator never reconciled the Gateway")


@pytest.fixture
def bare_cluster() -> Iterator[Any]:
    """A running fake API server with no objects and no controller."""
    from fakekube import FakeCluster

    with FakeCluster() as fake:
        yield fake


@pytest.fixture
def kubeconfig(tmp_path: Path, cluster: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$KUBECONFIG points at the fake cluster, namespace llm."""
    path = write_kubeconfig(tmp_path / "kubeconfig", cluster.url)
    monkeypatch.setenv("KUBECONFIG", str(path))
    return path
