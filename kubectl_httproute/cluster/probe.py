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
import time
from typing import TYPE_CHECKING

from ..core.model import SERVICES, ObjectRef
from ..core.probe import (
    DEFAULT_TIMEOUT,
    DIRECT,
    GATEWAY_NAME_LABEL,
    IN_CLUSTER,
    SERVICE_PROXY,
    ProbeResult,
    ProbeStep,
    ProbeTarget,
    in_cluster_command,
    is_proxy_failure,
    listed_models,
    probe_requests,
)
from ..errors import InferrouteError

if TYPE_CHECKING:
    from .contract import Cluster


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
        return ProbeStep(f"{method} {path}", resp.status, latency, listed_models(data))
    finally:
        conn.close()


def probe_direct(target: ProbeTarget, model: str | None, timeout: float) -> ProbeResult:
    """Straight at the Gateway's address; raises _CannotConnect when nothing listens there."""
    url = f"http://{target.address}:{target.port}{target.prefix or ''}/"
    steps = tuple(
        _direct_once(target, m, p, b, timeout) for m, p, b in probe_requests(target, model)
    )
    notes = (f"Host: {target.host}",) if target.host else ()
    return ProbeResult(DIRECT, url, steps, notes=notes)


def find_gateway_service(client: Cluster, gateway: ObjectRef) -> tuple[str, list[int]] | None:
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
    client: Cluster,
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
        for method, path, body in probe_requests(target, model):
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
            if is_proxy_failure(resp.status, resp.body) and not steps:
                return None
            steps.append(
                ProbeStep(f"{method} {path}", resp.status, latency, listed_models(resp.body))
            )
    finally:
        client.request_timeout = saved
    notes = ("the service proxy cannot set the Host header: hostname matching is bypassed",)
    return ProbeResult(SERVICE_PROXY, base + (target.prefix or "") + "/", tuple(steps), notes=notes)


def run_probe(
    client: Cluster | None,
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
