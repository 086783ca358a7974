"""The probe: a local HTTP server stands in for the Gateway, direct or behind the service proxy."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fakekube.objects import gateway, httproute, listener, service
from status_helpers import report, running, status

from kubectl_httproute.core.model import ObjectRef
from kubectl_httproute.core.probe import in_cluster_command, plan_probe
from kubectl_httproute.core.verify import GatewayView, ListenerView

MODEL = "Qwen/Qwen3-8B"


@dataclass
class Stub:
    """A model server behind a Gateway: /v1/models and /v1/completions."""

    port: int = 0
    delay: float = 0.0
    status: int = 200
    seen: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def stub_server(delay: float = 0.0, status_code: int = 200) -> Iterator[Stub]:
    stub = Stub(delay=delay, status=status_code)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            stub.seen.append(
                {"method": self.command, "path": self.path, "host": self.headers.get("Host"),
                 "body": json.loads(body) if body else None}
            )  # fmt: skip
            if stub.delay:
                time.sleep(stub.delay)
            if self.path.endswith("/v1/models"):
                payload: dict[str, Any] = {"object": "list", "data": [{"id": MODEL}]}
            else:
                payload = {"choices": [{"text": "Hi"}]}
            data = json.dumps(payload).encode()
            try:
                self.send_response(stub.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the probe gave up waiting (the timeout test)
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stub.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def gateway_on(port: int) -> dict[str, Any]:
    return gateway(listeners=[listener(port=port)])


def gateway_service(port: int) -> dict[str, Any]:
    return service(
        "inference-gateway-istio",
        ports=[port],
        labels={"gateway.networking.k8s.io/gateway-name": "inference-gateway"},
    )


# --- directly at the Gateway's address -----------------------------------------------------------


def test_probe_goes_straight_to_the_gateway_address_with_the_route_hostname() -> None:
    with (
        stub_server() as stub,
        running(gateway_on(stub.port), httproute(hostnames=["llm.example.com"])) as cluster,
    ):
        probe = report(cluster, "qwen-pool", "--probe", "--model", MODEL)["probe"]
        assert probe["path"] == "direct"
        assert probe["url"] == f"http://127.0.0.1:{stub.port}/"
        assert probe["ok"] is True
        models, completion = probe["steps"]
        assert (models["request"], models["status"], models["models"]) == (
            "GET /v1/models", 200, [MODEL],
        )  # fmt: skip
        assert (completion["request"], completion["status"]) == ("POST /v1/completions", 200)
        assert isinstance(models["latencyMs"], int)
        assert [(s["method"], s["path"], s["host"]) for s in stub.seen] == [
            ("GET", "/v1/models", "llm.example.com"),
            ("POST", "/v1/completions", "llm.example.com"),
        ]
        assert stub.seen[1]["body"]["model"] == MODEL
        assert stub.seen[1]["body"]["max_tokens"] == 1


def test_probe_prints_path_status_latency_and_models() -> None:
    with stub_server() as stub, running(gateway_on(stub.port), httproute()) as cluster:
        result = status(cluster, "qwen-pool", "--probe")
        assert result.exit_code == 0, result.output
        assert f"Probe (direct): http://127.0.0.1:{stub.port}/" in result.stdout
        assert "  GET /v1/models: HTTP 200 in " in result.stdout
        assert f"; models: {MODEL}" in result.stdout
        assert [s["path"] for s in stub.seen] == ["/v1/models"]  # no --model, no completion


def test_a_failing_probe_exits_3() -> None:
    with (
        stub_server(status_code=404) as stub,
        running(gateway_on(stub.port), httproute()) as cluster,
    ):
        result = status(cluster, "qwen-pool", "--probe")
        assert result.exit_code == 3
        assert "GET /v1/models: HTTP 404" in result.stdout


def test_a_gateway_that_does_not_answer_times_out() -> None:
    with stub_server(delay=3) as stub, running(gateway_on(stub.port), httproute()) as cluster:
        started = time.monotonic()
        result = status(cluster, "qwen-pool", "--probe", "--probe-timeout", "300ms")
        elapsed = time.monotonic() - started
        assert result.exit_code == 3
        assert "GET /v1/models: failed: no answer within 0.3s" in result.stdout
        assert elapsed < 2.5


# --- through the API server's service proxy ------------------------------------------------------


def test_probe_falls_back_to_the_service_proxy_when_the_address_cannot_connect() -> None:
    port = closed_port()
    with (
        stub_server() as stub,
        running(gateway_on(port), gateway_service(port), httproute()) as cluster,
    ):
        cluster.proxy_service("llm", "inference-gateway-istio", port, stub.url)
        probe = report(cluster, "qwen-pool", "--probe", "--model", MODEL)["probe"]
        assert probe["path"] == "service-proxy"
        assert probe["url"] == (
            f"/api/v1/namespaces/llm/services/inference-gateway-istio:{port}/proxy/"
        )
        assert [s["status"] for s in probe["steps"]] == [200, 200]
        assert probe["steps"][0]["models"] == [MODEL]
        assert any(f"cannot connect to 127.0.0.1:{port}" in n for n in probe["notes"])
        assert [(s["method"], s["path"]) for s in stub.seen] == [
            ("GET", "/v1/models"),
            ("POST", "/v1/completions"),
        ]
        proxied = [r.path for r in cluster.requests if "/proxy/" in r.path]
        assert proxied == [
            f"/api/v1/namespaces/llm/services/inference-gateway-istio:{port}/proxy/v1/models",
            f"/api/v1/namespaces/llm/services/inference-gateway-istio:{port}/proxy/v1/completions",
        ]


def test_probe_prints_the_in_cluster_command_when_nothing_else_reaches_the_gateway() -> None:
    port = closed_port()
    with running(gateway_on(port), gateway_service(port), httproute()) as cluster:
        result = status(cluster, "qwen-pool", "--probe")
        assert result.exit_code == 0, result.output  # not probed is not a failure
        assert "Probe (in-cluster command)" in result.stdout
        assert "the API server's service proxy cannot reach Service inference-gateway-istio" in (
            result.stdout
        )
        assert (
            "kubectl run inferroute-probe -n llm --rm -i --restart=Never "
            f"--image=curlimages/curl -- curl -sS -m 5 http://127.0.0.1:{port}/v1/models"
        ) in result.stdout


def test_probe_without_gateway_address_or_service_names_the_service_dns() -> None:
    with running(httproute(hostnames=["llm.example.com"]), sim={"programmed": False}) as cluster:
        probe = report(cluster, "qwen-pool", "--probe")["probe"]
        assert probe["path"] == "in-cluster command"
        assert "Gateway llm/inference-gateway has no address" in probe["notes"]
        assert "http://inference-gateway.llm.svc.cluster.local:80/v1/models" in probe["command"]
        assert "'Host: llm.example.com'" in probe["command"]


# --- pure planning -------------------------------------------------------------------------------


def _view(hostname: str = "", port: int = 8080) -> GatewayView:
    return GatewayView(
        ref=ObjectRef("llm", "gw"),
        class_name="example",
        conditions=(),
        addresses=("10.0.0.1",),
        listeners=(ListenerView("http", port, "HTTP", hostname, "Same", 1, ()),),
    )


def test_plan_uses_the_listener_port_route_host_and_path_prefix() -> None:
    target = plan_probe(("*.example.com",), ("/llm/",), _view())
    assert (target.address, target.port, target.host, target.prefix) == (
        "10.0.0.1", 8080, "probe.example.com", "/llm",
    )  # fmt: skip
    assert plan_probe((), ("/",), _view("llm.example.com")).host == "llm.example.com"
    assert plan_probe((), ("=/exact",), _view()).prefix == ""


def test_in_cluster_command_posts_a_one_token_completion_with_a_model() -> None:
    target = plan_probe(("llm.example.com",), ("/",), _view())
    command = in_cluster_command(target, MODEL, None, 5)
    assert '"max_tokens": 1' in command
    assert "http://10.0.0.1:8080/v1/completions" in command
