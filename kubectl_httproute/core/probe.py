"""The probe's plan and results: where a request through the Gateway goes, and what came back.

Pure: `cluster/probe.py` sends the requests.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from typing import Any, NamedTuple

from .model import ObjectRef
from .verify import GatewayView, ListenerView

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


def listed_models(body: bytes) -> tuple[str, ...]:
    try:
        data = json.loads(body)
    except ValueError:
        return ()
    items = data.get("data") if isinstance(data, Mapping) else None
    if not isinstance(items, list):
        return ()
    return tuple(str(m.get("id")) for m in items if isinstance(m, Mapping) and m.get("id"))


def probe_requests(target: ProbeTarget, model: str | None) -> list[tuple[str, str, bytes | None]]:
    steps: list[tuple[str, str, bytes | None]] = [("GET", f"{target.prefix}/v1/models", None)]
    if model:
        body = json.dumps({"model": model, "prompt": COMPLETION_PROMPT, "max_tokens": 1})
        steps.append(("POST", f"{target.prefix}/v1/completions", body.encode()))
    return steps


def is_proxy_failure(status: int, body: bytes) -> bool:
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
