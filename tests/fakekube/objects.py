"""Realistic objects to seed a FakeCluster with."""

from __future__ import annotations

from typing import Any

from .store import GATEWAY_GROUP, POOL_V1_GROUP, POOL_V1ALPHA2_GROUP

EXAMPLE_CONTROLLER = "example.com/gateway-controller"
GKE_CONTROLLER = "networking.gke.io/gateway"
GKE_CLASS = "gke-l7-regional-external-managed"


def _meta(
    name: str,
    namespace: str | None = None,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = dict(labels)
    return meta


def namespace(name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    merged = {"kubernetes.io/metadata.name": name, **(labels or {})}
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": _meta(name, None, merged),
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def gateway_class(name: str = "example", controller: str = EXAMPLE_CONTROLLER) -> dict[str, Any]:
    return {
        "apiVersion": f"{GATEWAY_GROUP}/v1",
        "kind": "GatewayClass",
        "metadata": _meta(name),
        "spec": {"controllerName": controller},
    }


def listener(
    name: str = "http",
    port: int = 80,
    protocol: str = "HTTP",
    hostname: str | None = None,
    from_: str = "Same",
    selector: dict[str, str] | None = None,
    kinds: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": name,
        "port": port,
        "protocol": protocol,
        "allowedRoutes": {"namespaces": {"from": from_}},
    }
    if hostname:
        out["hostname"] = hostname
    if selector is not None:
        out["allowedRoutes"]["namespaces"]["selector"] = {"matchLabels": dict(selector)}
    if kinds is not None:
        out["allowedRoutes"]["kinds"] = kinds
    return out


def gateway(
    name: str = "inference-gateway",
    namespace: str = "llm",
    class_name: str = "example",
    listeners: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "apiVersion": f"{GATEWAY_GROUP}/v1",
        "kind": "Gateway",
        "metadata": _meta(name, namespace),
        "spec": {"gatewayClassName": class_name, "listeners": listeners or [listener()]},
    }


def pool_v1(
    name: str = "qwen-pool",
    namespace: str = "llm",
    target_port: int = 8000,
    selector: dict[str, str] | None = None,
    epp: str | None = "NAME-epp",
    epp_port: int = 9002,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "selector": {"matchLabels": dict(selector or {"app": "qwen"})},
        "targetPorts": [{"number": target_port}],
    }
    if epp:
        spec["endpointPickerRef"] = {
            "name": epp.replace("NAME", name),
            "port": {"number": epp_port},
        }
    return {
        "apiVersion": f"{POOL_V1_GROUP}/v1",
        "kind": "InferencePool",
        "metadata": _meta(name, namespace),
        "spec": spec,
    }


def pool_v1alpha2(
    name: str = "qwen-pool",
    namespace: str = "llm",
    target_port: int = 8000,
    selector: dict[str, str] | None = None,
    epp: str = "NAME-epp",
) -> dict[str, Any]:
    return {
        "apiVersion": f"{POOL_V1ALPHA2_GROUP}/v1alpha2",
        "kind": "InferencePool",
        "metadata": _meta(name, namespace),
        "spec": {
            "selector": dict(selector or {"app": "qwen"}),
            "targetPortNumber": target_port,
            "extensionRef": {"name": epp.replace("NAME", name)},
        },
    }


def service(
    name: str,
    namespace: str = "llm",
    ports: list[int] | None = None,
    labels: dict[str, str] | None = None,
    selector: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(name, namespace, labels),
        "spec": {
            "type": "ClusterIP",
            "clusterIP": "10.96.0.10",
            "selector": dict(selector or {}),
            "ports": [
                {"name": f"p{p}", "port": p, "protocol": "TCP", "targetPort": p}
                for p in (ports or [80])
            ],
        },
    }


def pod(
    name: str,
    namespace: str = "llm",
    labels: dict[str, str] | None = None,
    port: int = 8000,
    ready: bool = True,
    ip: str = "10.244.0.5",
) -> dict[str, Any]:
    state = "True" if ready else "False"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": _meta(name, namespace, labels),
        "spec": {
            "containers": [
                {
                    "name": "vllm",
                    "image": "vllm/vllm-openai:latest",
                    "ports": [{"containerPort": port, "protocol": "TCP"}],
                }
            ]
        },
        "status": {
            "phase": "Running",
            "podIP": ip,
            "conditions": [
                {"type": "Ready", "status": state},
                {"type": "ContainersReady", "status": state},
            ],
        },
    }


def model_mapping(
    name: str,
    base_model: str,
    adapters: tuple[str, ...] = (),
    namespace: str = "llm",
    label: str = "inference.llm-d.ai/ipp-managed",
) -> dict[str, Any]:
    """The payload processor's ConfigMap: a base model and its adapters (YAML list in a string)."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta(name, namespace, {label: "true"}),
        "data": {"baseModel": base_model, "adapters": "".join(f"- {a}\n" for a in adapters)},
    }


def reference_grant(
    name: str,
    namespace: str,
    from_namespace: str,
    to_kind: str = "InferencePool",
    to_group: str = POOL_V1_GROUP,
    to_name: str | None = None,
) -> dict[str, Any]:
    to: dict[str, Any] = {"group": to_group, "kind": to_kind}
    if to_name:
        to["name"] = to_name
    return {
        "apiVersion": f"{GATEWAY_GROUP}/v1beta1",
        "kind": "ReferenceGrant",
        "metadata": _meta(name, namespace),
        "spec": {
            "from": [{"group": GATEWAY_GROUP, "kind": "HTTPRoute", "namespace": from_namespace}],
            "to": [to],
        },
    }


def httproute(
    name: str = "qwen-pool",
    namespace: str = "llm",
    gateway: str = "inference-gateway",
    pool: str = "qwen-pool",
    pool_group: str | None = POOL_V1_GROUP,
    pool_namespace: str | None = None,
    hostnames: list[str] | None = None,
    section_name: str | None = None,
    gateway_namespace: str | None = None,
    timeouts: dict[str, str] | None = None,
    port: int | None = 8000,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    parent: dict[str, Any] = {"group": GATEWAY_GROUP, "kind": "Gateway", "name": gateway}
    if gateway_namespace:
        parent["namespace"] = gateway_namespace
    if section_name:
        parent["sectionName"] = section_name
    backend: dict[str, Any] = {"name": pool}
    if pool_group is not None:
        backend.update({"group": pool_group, "kind": "InferencePool"})
    if pool_namespace:
        backend["namespace"] = pool_namespace
    if port is not None:
        backend["port"] = port
    backend["weight"] = 1
    rule: dict[str, Any] = {
        "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
        "backendRefs": [backend],
    }
    if timeouts is not None:
        rule["timeouts"] = dict(timeouts)
    spec: dict[str, Any] = {"parentRefs": [parent], "rules": [rule]}
    if hostnames:
        spec["hostnames"] = list(hostnames)
    return {
        "apiVersion": f"{GATEWAY_GROUP}/v1",
        "kind": "HTTPRoute",
        "metadata": _meta(name, namespace, labels),
        "spec": spec,
    }


def standard_objects(
    namespace_name: str = "llm",
    pool_group: str = POOL_V1_GROUP,
    class_name: str = "example",
    controller: str = EXAMPLE_CONTROLLER,
) -> list[dict[str, Any]]:
    """The llm-d typical setup: namespace, class, gateway, pool, its EPP service and a pod."""
    pool = (
        pool_v1("qwen-pool", namespace_name)
        if pool_group == POOL_V1_GROUP
        else pool_v1alpha2("qwen-pool", namespace_name)
    )
    return [
        namespace(namespace_name),
        gateway_class(class_name, controller),
        gateway("inference-gateway", namespace_name, class_name),
        pool,
        service("qwen-pool-epp", namespace_name, [9002], selector={"app": "qwen-pool-epp"}),
        pod("qwen-0", namespace_name, {"app": "qwen"}),
    ]


def standard_cluster(cluster: Any, **kwargs: Any) -> Any:
    """Seed ``cluster`` with :func:`standard_objects`; returns the cluster."""
    for obj in standard_objects(**kwargs):
        cluster.add(obj)
    return cluster


def event(
    name: str,
    namespace: str,
    involved: tuple[str, str, str],
    reason: str,
    message: str,
    *,
    type_: str = "Normal",
    count: int = 1,
    first: str = "2025-06-01T12:00:00Z",
    last: str | None = None,
    component: str = EXAMPLE_CONTROLLER,
    uid: str | None = None,
) -> dict[str, Any]:
    """A core/v1 Event about involved=(apiVersion, kind, name) in namespace, as client-go's
    recorder writes one: source.component, first/lastTimestamp and count (no series)."""
    api_version, kind, obj_name = involved
    reference: dict[str, Any] = {
        "apiVersion": api_version,
        "kind": kind,
        "namespace": namespace,
        "name": obj_name,
    }
    if uid:
        reference["uid"] = uid
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": _meta(name, namespace),
        "involvedObject": reference,
        "reason": reason,
        "message": message,
        "type": type_,
        "count": count,
        "firstTimestamp": first,
        "lastTimestamp": last or first,
        "source": {"component": component},
        "reportingComponent": component,
    }
