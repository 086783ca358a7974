"""The probe: does a request through the Gateway reach the model? Every network step has a timeout.

`GET /v1/models`, and with a model a one-token `POST /v1/completions`, on the route's hostname
(Host header) and path:
1. directly at the Gateway's `status.addresses[0]` and listener port (stdlib `http.client`);
2. if that cannot connect, through the API server's service proxy to the Gateway's Service
   (`/api/v1/namespaces/NS/services/NAME:PORT/proxy/...`, the Service labelled
   `gateway.networking.k8s.io/gateway-name`);
3. else it hands back the in-cluster `kubectl run ... curl` command to run.
"""

from __future__ import annotations

import http.client
import json
import shlex
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import InferrouteError
from .model import SERVICES, ObjectRef
from .verify import GatewayView, ListenerView

if TYPE_CHECKING:
    from ..cluster.client import KubeClient

GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name"
DEFAULT_TIMEOUT = 5.0  # seconds, per step (connect, then read)
COMPLETION_PROMPT = "Say hello"
DIRECT = "direct"
SERVICE_PROXY = "service-proxy"
IN_CLUSTER = "in-cluster command"


class ProbeTarget(NamedTuple):
    """Where and how to send the probe: pure, from the route and its Gateway."""

    gateway: ObjectRef
    address: str | None
    port: int
    host: str | None  # the Host header; None: the address itself
    prefix: str  # the route's path prefix, "" for "/"


class ProbeStep(NamedTuple):
    request: str  # "GET /v1/models"
    status: int | None
    latency_ms: int | None
    models: tuple[str, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class ProbeResult(NamedTuple):
    path: str  # direct | service-proxy | in-cluster command
    url: str
    steps: tuple[ProbeStep, ...] = ()
    command: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(s.ok for s in self.steps)

    def to_dict(self) -> dict[str, Any]:
        """The report's `probe` entry."""
        return {
            "path": self.path,
            "url": self.url,
            "ok": self.ok,
            "steps": [
                {
                    "request": s.request,
                    "status": s.status,
                    "latencyMs": s.latency_ms,
                    "models": list(s.models),
                    "error": s.error,
                }
                for s in self.steps
            ],
            "command": self.command,
            "notes": list(self.notes),
        }


def _pick_listener(view: GatewayView, section: str | None) -> ListenerView | None:
    if section:
        named = [lst for lst in view.listeners if lst.name == section]
        if named:
            return named[0]
    http = [lst for lst in view.listeners if lst.protocol == "HTTP"] or list(view.listeners)
    return http[0] if http else None


def _concrete_host(hostname: str) -> str:
    # A wildcard hostname needs some concrete name under it to be matched.
    return "probe" + hostname[1:] if hostname.startswith("*.") else hostname


def plan_probe(
    hostnames: tuple[str, ...],
    paths: tuple[str, ...],
    view: GatewayView,
    section: str | None = None,
) -> ProbeTarget:
    """The Gateway address, listener port, Host header and path prefix the probe uses."""
    listener = _pick_listener(view, section)
    port = listener.port if listener is not None and listener.port else 80
    host = None
    if hostnames:
        host = _concrete_host(hostnames[0])
    elif listener is not None and listener.hostname:
        host = _concrete_host(listener.hostname)
    prefixes = [p for p in paths if not p.startswith(("=", "~"))]
    prefix = (prefixes[0] if prefixes else "/").rstrip("/")
    return ProbeTarget(
        gateway=view.ref,
        address=view.addresses[0] if view.addresses else None,
        port=port,
        host=host,
        prefix=prefix,
    )


def _models(body: bytes) -> tuple[str, ...]:
    try:
        data = json.loads(body)
    except ValueError:
        return ()
    items = data.get("data") if isinstance(data, Mapping) else None
    if not isinstance(items, list):
        return ()
    return tuple(str(m.get("id")) for m in items if isinstance(m, Mapping) and m.get("id"))


def _requests(target: ProbeTarget, model: str | None) -> list[tuple[str, str, bytes | None]]:
    steps: list[tuple[str, str, bytes | None]] = [("GET", f"{target.prefix}/v1/models", None)]
    if model:
        body = json.dumps({"model": model, "prompt": COMPLETION_PROMPT, "max_tokens": 1})
        steps.append(("POST", f"{target.prefix}/v1/completions", body.encode()))
    return steps


class _CannotConnect(Exception):
    pass


def _direct_once(
    target: ProbeTarget, method: str, path: str, body: bytes | None, timeout: float
) -> ProbeStep:
    assert target.address is not None
    conn = http.client.HTTPConnection(target.address, target.port, timeout=timeout)
    started = time.monotonic()
    try:
        try:
            conn.connect()
        except (TimeoutError, OSError) as error:
            raise _CannotConnect(str(error) or type(error).__name__) from None
        headers = {"Accept": "application/json", "User-Agent": "kubectl-inferroute-probe"}
        if target.host:
            headers["Host"] = target.host
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        except TimeoutError:
            return ProbeStep(f"{method} {path}", None, None, error=f"no answer within {timeout:g}s")
        except (OSError, http.client.HTTPException) as error:
            return ProbeStep(f"{method} {path}", None, None, error=str(error) or "failed")
        latency = int((time.monotonic() - started) * 1000)
        return ProbeStep(f"{method} {path}", resp.status, latency, _models(data))
    finally:
        conn.close()


def probe_direct(target: ProbeTarget, model: str | None, timeout: float) -> ProbeResult:
    """Straight at the Gateway's address; raises _CannotConnect when nothing listens there."""
    url = f"http://{target.address}:{target.port}{target.prefix or ''}/"
    steps = tuple(_direct_once(target, m, p, b, timeout) for m, p, b in _requests(target, model))
    notes = (f"Host: {target.host}",) if target.host else ()
    return ProbeResult(DIRECT, url, steps, notes=notes)


def find_gateway_service(client: KubeClient, gateway: ObjectRef) -> tuple[str, list[int]] | None:
    """The Service the implementation created for the Gateway (by its gateway-name label)."""
    items = client.list(
        SERVICES, gateway.namespace, label_selector=f"{GATEWAY_NAME_LABEL}={gateway.name}"
    )
    if not items:
        return None
    svc = items[0]
    ports = [
        p.get("port")
        for p in (svc.get("spec") or {}).get("ports") or []
        if isinstance(p.get("port"), int)
    ]
    return str((svc.get("metadata") or {}).get("name", "")), ports


def probe_service_proxy(
    client: KubeClient,
    target: ProbeTarget,
    service: str,
    port: int,
    model: str | None,
    timeout: float,
) -> ProbeResult | None:
    """Through the API server's service proxy; None when the proxy cannot reach the Service."""
    base = f"/api/v1/namespaces/{target.gateway.namespace}/services/{service}:{port}/proxy"
    steps: list[ProbeStep] = []
    saved = client.request_timeout
    client.request_timeout = timeout
    try:
        for method, path, body in _requests(target, model):
            started = time.monotonic()
            try:
                resp = client.request(
                    method,
                    base + path,
                    body=body.decode() if body is not None else None,
                    what=f"Service {target.gateway.namespace}/{service}",
                    ok_statuses=tuple(range(300, 600)),
                )
            except InferrouteError as error:
                if not steps:
                    return None
                steps.append(ProbeStep(f"{method} {path}", None, None, error=error.message))
                continue
            latency = int((time.monotonic() - started) * 1000)
            if _is_proxy_failure(resp.status, resp.body) and not steps:
                return None
            steps.append(ProbeStep(f"{method} {path}", resp.status, latency, _models(resp.body)))
    finally:
        client.request_timeout = saved
    notes = ("the service proxy cannot set the Host header: hostname matching is bypassed",)
    return ProbeResult(SERVICE_PROXY, base + (target.prefix or "") + "/", tuple(steps), notes=notes)


def _is_proxy_failure(status: int, body: bytes) -> bool:
    # The API server's own failures (no endpoints, cannot dial) come back as a Status object.
    if status < 500 and status != 404:
        return False
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, Mapping) and data.get("kind") == "Status"


def in_cluster_command(
    target: ProbeTarget, model: str | None, service: str | None, timeout: float
) -> str:
    """The `kubectl run ... curl` command that probes from inside the cluster."""
    address = target.address or (
        f"{service}.{target.gateway.namespace}.svc.cluster.local"
        if service
        else f"{target.gateway.name}.{target.gateway.namespace}.svc.cluster.local"
    )
    url = f"http://{address}:{target.port}{target.prefix}"
    curl = ["curl", "-sS", "-m", f"{max(int(timeout), 1)}"]
    if target.host:
        curl += ["-H", f"Host: {target.host}"]
    if model:
        body = json.dumps({"model": model, "prompt": COMPLETION_PROMPT, "max_tokens": 1})
        curl += ["-H", "Content-Type: application/json", "-d", body, f"{url}/v1/completions"]
    else:
        curl.append(f"{url}/v1/models")
    kubectl = [
        "kubectl",
        "run",
        "inferroute-probe",
        "-n",
        target.gateway.namespace,
        "--rm",
        "-i",
        "--restart=Never",
        "--image=curlimages/curl",
        "--",
    ]
    return " ".join(shlex.quote(part) for part in kubectl + curl)


def run_probe(
    client: KubeClient | None,
    target: ProbeTarget,
    model: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> ProbeResult:
    """Direct first, then the service proxy, else the in-cluster command. Never hangs."""
    notes: list[str] = []
    if target.address:
        try:
            return probe_direct(target, model, timeout)
        except _CannotConnect as error:
            notes.append(f"cannot connect to {target.address}:{target.port}: {error}")
    else:
        notes.append(f"Gateway {target.gateway} has no address")
    service = None
    if client is not None:
        try:
            found = find_gateway_service(client, target.gateway)
        except InferrouteError as error:
            found = None
            notes.append(f"cannot look up the Gateway's Service: {error.message}")
        if found is None:
            notes.append(f"no Service labelled {GATEWAY_NAME_LABEL}={target.gateway.name}")
        else:
            service, ports = found
            port = target.port if target.port in ports or not ports else ports[0]
            result = probe_service_proxy(client, target, service, port, model, timeout)
            if result is not None:
                return ProbeResult(
                    result.path, result.url, result.steps, notes=(*notes, *result.notes)
                )
            notes.append(f"the API server's service proxy cannot reach Service {service}")
    command = in_cluster_command(target, model, service, timeout)
    return ProbeResult(IN_CLUSTER, "", (), command=command, notes=tuple(notes))


def render_probe(result: ProbeResult) -> str:
    """The probe's result for people: the path taken, each request's status, latency, models."""
    lines = [f"Probe ({result.path}){': ' + result.url if result.url else ''}"]
    for step in result.steps:
        if step.status is None:
            lines.append(f"  {step.request}: failed: {step.error}")
            continue
        text = f"  {step.request}: HTTP {step.status} in {step.latency_ms} ms"
        if step.models:
            text += f"; models: {', '.join(step.models)}"
        lines.append(text)
    lines.extend(f"  note: {n}" for n in result.notes)
    if result.command:
        lines.append("  Run this to probe from inside the cluster:")
        lines.append(f"    {result.command}")
    return "\n".join(lines)
