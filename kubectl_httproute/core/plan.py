"""The route `expose` plans: from the checked options and what discovery found. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import NotFound
from .inventory import PoolState
from .model import (
    CRD_HINTS,
    GATEWAY_GROUP,
    POOL_GROUP_V1,
    ObjectRef,
    PoolBackend,
    ResourceApi,
    RouteSpec,
    ServedApis,
)
from .options import ExposeOptions
from .validation import check_route_spec, derive_route_name
from .verify import GatewayView


def require_apis(served: ServedApis) -> ServedApis:
    """Gateway API and an InferencePool API must be served; say which CRDs to install if not."""
    if served.httproutes is None or served.gateways is None:
        raise NotFound(
            "the cluster does not serve Gateway API (gateway.networking.k8s.io/v1 gateways and "
            "httproutes)",
            CRD_HINTS[GATEWAY_GROUP],
        )
    if not served.pools:
        raise NotFound(
            "the cluster serves no InferencePool API (inference.networking.k8s.io/v1 or "
            "inference.networking.x-k8s.io/v1alpha2)",
            CRD_HINTS[POOL_GROUP_V1],
        )
    return served


def pool_apis(served: ServedApis, group: str | None) -> tuple[ResourceApi, ...]:
    """The InferencePool APIs to look in: every served one (v1 first), or the group asked for."""
    if not group:
        return served.pools
    apis = tuple(a for a in served.pools if a.group == group)
    if not apis:
        raise NotFound(
            f"the cluster does not serve InferencePools in {group}",
            "drop --pool-group to use the group the cluster serves",
        )
    return apis


def plan_route(
    options: ExposeOptions,
    gateway: GatewayView,
    pools: Sequence[PoolState],
    controller: str | None = None,
) -> tuple[RouteSpec, list[str]]:
    """The route spec from the flags and what discovery found, and notes for the explanation.

    `controller`: the GatewayClass's controllerName, None when it could not be read (the
    implementations table then goes by the class name)."""
    from .implementations import rejects_rule_timeouts

    gke = rejects_rule_timeouts(controller, gateway.class_name)
    notes = []
    if gke and not options.timeouts_given:
        notes.append(
            f"Leaves out rules[].timeouts: GKE's controller (class {gateway.class_name}) rejects "
            "them; set the timeout with a GCPBackendPolicy instead."
        )
    weights = {p.ref: p.weight for p in options.pools}
    backends = tuple(
        PoolBackend(
            name=pool.ref.name,
            namespace=pool.ref.namespace,
            group=pool.group,
            port=options.port or pool.port,
            weight=_weight_or_one(weights.get(pool.ref)),
        )
        for pool in pools
    )
    return build_route_spec(options, gateway.ref, backends, gke=gke), notes


def plan_offline_route(options: ExposeOptions) -> RouteSpec:
    """The route from the flags alone (`--dry-run=client`): no cluster, so no discovery."""
    assert options.gateway is not None
    group = options.pool_group or POOL_GROUP_V1
    backends = tuple(
        PoolBackend(
            name=p.ref.name,
            namespace=p.ref.namespace,
            group=group,
            port=options.port or 8000,
            weight=_weight_or_one(p.weight),
        )
        for p in options.pools
    )
    return build_route_spec(options, options.gateway, backends, gke=False)


def _weight_or_one(weight: int | None) -> int:
    return 1 if weight is None else weight


def build_route_spec(
    options: ExposeOptions, gateway: ObjectRef, backends: tuple[PoolBackend, ...], *, gke: bool
) -> RouteSpec:
    """The checked RouteSpec; GKE classes get no timeouts unless the user set them."""
    name = options.name or derive_route_name(backends[0].name)
    request_timeout: str | None = options.request_timeout or "0s"
    backend_timeout: str | None = options.backend_timeout or "0s"
    if gke and not options.timeouts_given:
        request_timeout = backend_timeout = None
    return check_route_spec(
        RouteSpec(
            name=name,
            namespace=options.namespace,
            gateway=gateway,
            backends=backends,
            section_name=options.section_name,
            hostnames=options.hostnames,
            path=options.path,
            path_type=options.path_type,
            headers=options.headers,
            request_timeout=request_timeout,
            backend_timeout=backend_timeout,
            model=options.model,
        )
    )


def apply_outcome(existing: dict[str, Any] | None, applied: dict[str, Any]) -> str:
    """kubectl's word for what an apply did: created, configured or unchanged."""
    from .changes import is_unchanged

    if existing is None:
        return "created"
    return "unchanged" if is_unchanged(existing, applied) else "configured"
