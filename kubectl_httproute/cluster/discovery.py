"""Finding the Gateway and InferencePools `expose` routes between, through the shared readers.

Several candidates and no name: the caller's `pick` decides (it may ask the user; nothing here
prompts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..core.discovery import Choice, choose, missing_named
from ..core.inventory import PoolState
from ..core.model import ResourceApi, ServedApis
from ..core.options import ExposeOptions
from ..core.verify import GatewayView, gateway_view
from . import readers
from .contract import Cluster

# (the choice, the kind, where they were found) -> the one to use
Pick = Callable[[Choice[Any], str, str], Any]


def find_gateway(
    cluster: Cluster, options: ExposeOptions, api: ResourceApi, pick: Pick
) -> tuple[GatewayView, dict[str, Any]]:
    """The Gateway's summary, and the object itself (preflight reads its listeners)."""
    if options.gateway is not None:
        obj = readers.get_gateway_object(cluster, api, options.gateway)
        if obj is None:
            existing = [view.ref for view in readers.list_gateways(cluster, api, None)]
            raise missing_named("Gateway", options.gateway, existing)
        return gateway_view(obj), obj
    scope = f'namespace "{options.namespace}"'
    objs = list(readers.objects(cluster, api, options.namespace))
    if not objs:
        objs = list(readers.objects(cluster, api, None))
        scope = "the cluster"
    views = [gateway_view(o) for o in objs]
    raw = {view.ref: obj for view, obj in zip(views, objs, strict=True)}
    picked: GatewayView = pick(
        choose(views, kind="Gateway", namespace=options.namespace), "Gateway", scope
    )
    return picked, raw[picked.ref]


def find_controller(cluster: Cluster, served: ServedApis, class_name: str) -> str | None:
    """The GatewayClass's spec.controllerName (one GET): None when it cannot be read (not
    served, forbidden, missing), and the implementations table goes by the class name."""
    from ..errors import ApiError

    if served.gateway_classes is None or not class_name:
        return None
    try:
        state = readers.get_class(cluster, served.gateway_classes, class_name)
    except ApiError as error:
        if error.status != 403:
            raise
        return None
    return None if state is None else state.controller


def find_pools(
    cluster: Cluster, options: ExposeOptions, apis: Sequence[ResourceApi], pick: Pick
) -> list[PoolState]:
    """The named pools (each in the first of `apis` that holds it), or the one to pick."""
    if options.pools:
        result = []
        for request in options.pools:
            found = readers.get_pool(cluster, apis, request.ref)
            if found is None:
                existing = [p.ref for p in readers.list_pools(cluster, apis, request.ref.namespace)]
                raise missing_named("InferencePool", request.ref, existing)
            result.append(found)
        return result
    scope = f'namespace "{options.namespace}"'
    pools = list(readers.list_pools(cluster, apis, options.namespace))
    if not pools:
        pools = list(readers.list_pools(cluster, apis, None))
        scope = "the cluster"
    choice = choose(pools, kind="InferencePool", namespace=options.namespace)
    picked: PoolState = pick(choice, "InferencePool", scope)
    return [picked]
