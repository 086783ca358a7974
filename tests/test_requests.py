"""What each command sends to the API server, at two sizes: pages of 500 like kubectl, one
request per kind per page (never per route), discovery once, one TCP connection per run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import write_kubeconfig
from fakekube import FakeCluster
from fakekube.objects import httproute, standard_cluster

from kubectl_httproute.cli import root

KUBECTL = shutil.which("kubectl")
SIZES = [10, 1200]  # one page of routes; three pages
ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def cluster_with_routes(routes: int, namespaces: int = 4) -> Iterator[FakeCluster]:
    fake = FakeCluster()
    # kubectl sends no bearer token over plain HTTP; the fake then treats it as the admin.
    fake.anonymous_user = "admin"
    with fake:
        standard_cluster(fake)
        for i in range(routes):
            fake.add(httproute(f"route-{i:05d}", f"team-{i % namespaces}", pool=f"pool-{i}"))
        yield fake


def run(fake: FakeCluster, *args: str) -> tuple[Result, list[str], int]:
    """Run the command; (result, "METHOD path" of each request, TCP connections it opened)."""
    config = write_kubeconfig(Path.cwd() / "kubeconfig", fake.url)
    fake.clear_requests()
    connections = fake.connections
    result = CliRunner().invoke(root, ["--kubeconfig", str(config), *args])
    sent = [f"{r.method} {r.path}" for r in fake.requests]
    return result, sent, fake.connections - connections


def kubectl_requests(fake: FakeCluster, *args: str) -> list[str]:
    assert KUBECTL is not None
    config = write_kubeconfig(Path.cwd() / "kubeconfig", fake.url)
    fake.clear_requests()
    done = subprocess.run(
        [KUBECTL, "--kubeconfig", str(config), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(Path.cwd())},  # a cold discovery cache: its worst case
    )
    assert done.returncode == 0, done.stderr
    return [f"{r.method} {r.path}" for r in fake.requests]


def per_kind(sent: list[str]) -> Counter[str]:
    return Counter(s.rsplit("/", 1)[-1] for s in sent if s.startswith("GET /api"))


# --- status -A --------------------------------------------------------------------------------


@pytest.mark.parametrize("routes", SIZES)
def test_status_all_namespaces_sends_one_request_per_kind_per_page(routes: int) -> None:
    with cluster_with_routes(routes) as fake:
        result, sent, connections = run(fake, "status", "-A", "-o", "json")

    assert result.exit_code in (0, 3), result.output
    assert len(json.loads(result.stdout)["routes"]) == routes
    pages = -(-routes // 500)
    kinds = per_kind(sent)
    assert kinds["httproutes"] == pages
    assert kinds["gateways"] == kinds["gatewayclasses"] == kinds["inferencepools"] == 1
    assert sent.count("GET /apis") == 1  # discovery once
    assert len(sent) == 1 + pages + 3
    assert all(s.startswith("GET ") for s in sent)
    assert connections == 1


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH")
@pytest.mark.parametrize("routes", SIZES)
def test_status_all_namespaces_needs_at_most_two_more_than_kubectl_get(routes: int) -> None:
    with cluster_with_routes(routes) as fake:
        _, ours, _ = run(fake, "status", "-A", "-o", "json")
        theirs = kubectl_requests(
            fake, "get", "httproutes,gateways,inferencepools", "-A", "-o", "json"
        )

    assert per_kind(theirs)["httproutes"] == per_kind(ours)["httproutes"]  # the same pages
    assert len(ours) <= len(theirs) + 2, (ours, theirs)


def test_lists_ask_for_pages_of_500_like_kubectl() -> None:
    with cluster_with_routes(1200) as fake:
        run(fake, "status", "-A", "-o", "json")
        lists = [r for r in fake.requests if r.path.endswith("/httproutes")]

    assert [r.query.get("limit") for r in lists] == [["500"]] * 3
    assert [bool(r.query.get("continue")) for r in lists] == [False, True, True]


# --- expose -----------------------------------------------------------------------------------


@pytest.mark.parametrize("routes", [0, 900])
def test_expose_with_every_check_fits_in_12_requests_and_one_connection(routes: int) -> None:
    with cluster_with_routes(0) as fake:
        for i in range(routes):  # routes the shadowing check must read (two pages at 900)
            fake.add(httproute(f"other-{i:04d}", "llm", pool=f"pool-{i}"))
        result, sent, connections = run(
            fake,
            "expose",
            "qwen-pool",
            "--gateway",
            "inference-gateway",
            "-n",
            "llm",
            "--yes",
            "--no-wait",
            "--no-record",
        )

    assert result.exit_code == 0, result.output
    assert len(sent) <= 12, "\n".join(sent)
    assert sent.count("GET /apis") == 1
    assert sum(s.endswith("/httproutes") for s in sent) == max(1, -(-routes // 500))
    assert connections == 1


# --- one route, completion ----------------------------------------------------------------------


@pytest.mark.parametrize("routes", SIZES)
def test_status_of_one_route_does_not_grow_with_the_cluster(routes: int) -> None:
    with cluster_with_routes(routes) as fake:
        fake.add(httproute("qwen-pool", "llm"))
        result, sent, connections = run(fake, "status", "qwen-pool", "-n", "llm", "-o", "json")

    assert result.exit_code in (0, 3), result.output
    assert sent.count("GET /apis") == 1
    # Competing routes come from the route's namespace only, never from every namespace.
    assert not any(s.endswith("/httproutes") and "/namespaces/llm/" not in s for s in sent)
    assert len(sent) <= 12, "\n".join(sent)
    assert connections == 1


@pytest.mark.parametrize("routes", SIZES)
def test_completing_route_names_is_one_list_per_page_and_no_discovery(routes: int) -> None:
    from kubectl_httproute.cli.completion import complete

    with cluster_with_routes(routes, namespaces=1) as fake:
        write_kubeconfig(Path.cwd() / "kubeconfig", fake.url, namespace="team-0")
        os.environ["KUBECONFIG"] = str(Path.cwd() / "kubeconfig")
        try:
            fake.clear_requests()
            before = fake.connections
            names = [str(item.value) for item in complete(["status"], "route-0000")]
            sent = [f"{r.method} {r.path}" for r in fake.requests]
        finally:
            del os.environ["KUBECONFIG"]

    assert names[:1] == ["route-00000"]
    assert sent == ["GET /apis/gateway.networking.k8s.io/v1/namespaces/team-0/httproutes"] * (
        -(-routes // 500)
    )
    assert fake.connections - before == 2  # a TCP probe (skips the client when refused), a pool


def test_completing_names_without_a_reachable_server_answers_nothing_without_the_client() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    config = write_kubeconfig(Path.cwd() / "kubeconfig", f"https://127.0.0.1:{port}")
    script = (
        "import sys\n"
        "from kubectl_httproute.__main__ import main\n"
        "try:\n    main(['__complete', 'status', ''])\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('LOADED ' + ' '.join(m for m in sys.modules if m.startswith("
        "('kubernetes', 'urllib3'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "KUBECONFIG": str(config)},
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout == ":4\n"
    assert done.stderr.rsplit("LOADED ", 1)[1].split() == []


# --- the client's import floor ------------------------------------------------------------------


def test_a_cluster_command_loads_no_api_models_and_leaves_the_client_importable() -> None:
    with cluster_with_routes(1) as fake:
        config = write_kubeconfig(Path.cwd() / "kubeconfig", fake.url)
        script = (
            "import sys\n"
            "from kubectl_httproute.cli import main\n"
            "try:\n    main(['--kubeconfig', sys.argv[1], 'status', '-A', '-o', 'json'])\n"
            "except SystemExit:\n    pass\n"
            "prefixes = ('kubernetes', 'pydantic', 'requests_oauthlib', 'oauthlib')\n"
            "loaded = sorted(m for m in sys.modules if m.startswith(prefixes))\n"
            "import kubernetes\n"
            "from kubernetes import client, config\n"
            "assert client.CoreV1Api and config.load_kube_config\n"
            "from kubernetes.config import kube_config\n"
            "assert kube_config.OAuth2Session(client_id='x').client_id == 'x'  # OIDC refresh\n"
            "sys.stderr.write('LOADED ' + ' '.join(loaded))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script, str(config)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )

    assert done.returncode == 0, done.stderr
    loaded: list[Any] = done.stderr.rsplit("LOADED ", 1)[1].split()
    assert "kubernetes.config.kube_config" in loaded
    assert not [
        m
        for m in loaded
        if m.startswith(("kubernetes.client.models", "pydantic", "requests_oauthlib", "oauthlib"))
    ]
    assert "kubernetes.client.api_client" not in loaded
    assert json.loads(done.stdout)["routes"]


# --- memory -----------------------------------------------------------------------------------


def test_a_list_holds_no_page_while_it_fetches_the_next() -> None:
    """Pages are read one at a time: when the request for the next page goes out, the list
    holds nothing of the previous one (raw or decoded), so peak memory is one page's, not two."""
    from kubectl_httproute.cluster.client import KubeClient
    from kubectl_httproute.cluster.kubeconfig import load_kubeconfig
    from kubectl_httproute.core.model import HTTPROUTES

    with cluster_with_routes(1200) as fake:
        config = write_kubeconfig(Path.cwd() / "kubeconfig", fake.url)
        client = KubeClient(load_kubeconfig(str(config)), request_timeout=30)
        pages = client.list_pages(HTTPROUTES)
        held: list[set[str]] = []
        send = client.request

        def spying_request(*args: Any, **kwargs: Any) -> Any:
            frame = pages.gi_frame
            held.append({name for name in ("resp", "body", "items") if name in frame.f_locals})
            return send(*args, **kwargs)

        client.request = spying_request  # type: ignore[method-assign]
        sizes = []
        for page in pages:
            sizes.append(len(page))
            del page
        client.close()

    assert sizes == [500, 500, 200]
    assert held == [set(), set(), set()]


# --- the traffic graph ------------------------------------------------------------------------


@pytest.mark.parametrize("output", ["dot", "mermaid", "tree"])
def test_the_graph_of_every_namespace_sends_what_status_sends(output: str) -> None:
    with cluster_with_routes(10) as fake:
        _, table, _ = run(fake, "status", "-A", "-o", "json")
        result, sent, connections = run(fake, "status", "-A", "-o", output)

    assert result.exit_code in (0, 3), result.output
    assert "route-00009" in result.stdout
    assert sent == table  # no request per route, pod or Service of its own
    assert connections == 1


def test_the_graph_of_one_route_sends_what_its_status_sends() -> None:
    with cluster_with_routes(10) as fake:
        fake.add(httproute("qwen-pool", "llm"))
        _, detail, _ = run(fake, "status", "qwen-pool", "-n", "llm", "-o", "json")
        result, sent, _ = run(fake, "status", "qwen-pool", "-n", "llm", "-o", "dot")

    assert result.exit_code in (0, 3), result.output
    assert '"pods:inference.networking.k8s.io/llm/qwen-pool"' in result.stdout
    assert sent == [s for s in detail if not s.endswith("/events")]  # it draws no events


# --- events -----------------------------------------------------------------------------------


def test_status_of_one_route_reads_events_with_one_list_per_kind() -> None:
    with cluster_with_routes(10) as fake:
        fake.add(httproute("qwen-pool", "llm"))
        _, graph, _ = run(fake, "status", "qwen-pool", "-n", "llm", "-o", "dot")
        result, sent, connections = run(fake, "status", "qwen-pool", "-n", "llm")
        selectors = [
            r.query["fieldSelector"][0] for r in fake.requests if r.path.endswith("/events")
        ]

    assert result.exit_code in (0, 3), result.output
    # Exactly the graph's requests (which shows no events) and one events list per kind.
    assert [s for s in sent if not s.endswith("/events")] == graph
    assert sent[len(graph) :] == ["GET /api/v1/namespaces/llm/events"] * 3
    assert selectors[0].startswith("involvedObject.kind=HTTPRoute,involvedObject.name=qwen-pool,")
    assert "involvedObject.uid=" in selectors[0]  # as kubectl describe: not an earlier route's
    assert selectors[1:] == [
        "involvedObject.kind=Gateway,involvedObject.name=inference-gateway,"
        "involvedObject.namespace=llm",
        "involvedObject.kind=InferencePool,involvedObject.name=qwen-pool,"
        "involvedObject.namespace=llm",
    ]
    assert connections == 1


@pytest.mark.parametrize("args", [("-A",), ("-n", "team-0"), ("-A", "-o", "wide")])
def test_the_route_lists_read_no_events(args: tuple[str, ...]) -> None:
    with cluster_with_routes(10) as fake:
        result, sent, _ = run(fake, "status", *args)

    assert result.exit_code in (0, 3), result.output
    assert not [s for s in sent if "/events" in s]
    assert len(sent) == 5  # discovery, routes, gateways, classes, pools: as before events


# --- history, rollback --------------------------------------------------------------------------


def _two_revisions(fake: FakeCluster) -> None:
    for path in ("/", "/v1"):
        result, _, _ = run(
            fake,
            "expose",
            "qwen-pool",
            "--gateway",
            "inference-gateway",
            "-n",
            "llm",
            "--path",
            path,
            "--yes",
            "--no-wait",
            "--no-record",
        )
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize("routes", [0, 900])
def test_history_is_one_get_of_the_route_and_no_discovery(routes: int) -> None:
    with cluster_with_routes(0) as fake:
        for i in range(routes):
            fake.add(httproute(f"other-{i:04d}", "llm", pool=f"pool-{i}"))
        _two_revisions(fake)
        result, sent, connections = run(fake, "history", "qwen-pool", "-n", "llm")

    assert result.exit_code == 0, result.output
    assert sent == ["GET /apis/gateway.networking.k8s.io/v1/namespaces/llm/httproutes/qwen-pool"]
    assert connections == 1


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH")
def test_history_sends_fewer_requests_than_kubectl_get_of_the_route() -> None:
    with cluster_with_routes(0) as fake:
        _two_revisions(fake)
        _, ours, _ = run(fake, "history", "qwen-pool", "-n", "llm")
        theirs = kubectl_requests(fake, "get", "httproute", "qwen-pool", "-n", "llm", "-o", "yaml")

    assert len(ours) < len(theirs), (ours, theirs)


@pytest.mark.parametrize("routes", [0, 900])
def test_rollback_reads_the_route_gateway_and_pools_once_and_writes_twice(routes: int) -> None:
    with cluster_with_routes(0) as fake:
        for i in range(routes):  # other routes in the namespace: rollback never lists them
            fake.add(httproute(f"other-{i:04d}", "llm", pool=f"pool-{i}"))
        _two_revisions(fake)
        result, sent, connections = run(
            fake, "rollback", "qwen-pool", "-n", "llm", "--yes", "--no-wait", "--no-record"
        )

    assert result.exit_code == 0, result.output
    route = "/apis/gateway.networking.k8s.io/v1/namespaces/llm/httproutes/qwen-pool"
    assert sent == [
        f"GET {route}",
        "POST /apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
        "GET /apis/gateway.networking.k8s.io/v1/namespaces/llm/gateways/inference-gateway",
        "GET /apis/inference.networking.k8s.io/v1/namespaces/llm/inferencepools/qwen-pool",
        f"PATCH {route}",  # the server dry-run
        f"PATCH {route}",
    ]
    assert connections == 1
