"""One reader per kind, shared by every command: Gateways, InferencePools (v1 and v1alpha2),
GatewayClasses, ReferenceGrants, Services, pods, HTTPRoutes, events and the payload processor's
ConfigMaps.

Lists go page by page and reduce each object to its summary as it arrives (`core/`'s reducers),
so no whole object outlives its page.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..core.basemodels import MAPPING_SELECTORS, ModelMapping, reduce_mapping
from ..core.events import EventSummary, reduce_event
from ..core.grants import GrantState, reduce_grant
from ..core.inventory import (
    ClassState,
    PodCount,
    PoolState,
    pod_ready,
    reduce_class,
    reduce_pool,
)
from ..core.model import CONFIG_MAPS, EVENTS, HTTPROUTES, PODS, SERVICES, ObjectRef, ResourceApi
from ..core.verify import GatewayView, gateway_view
from ..errors import NotFound
from .contract import Cluster


def objects(
    cluster: Cluster, api: ResourceApi, namespace: str | None, label_selector: str | None = None
) -> Iterator[dict[str, Any]]:
    """Every object of a kind, one page in memory at a time."""
    for page in cluster.list_pages(api, namespace, label_selector=label_selector):
        yield from page
        # Let the page go before the next one arrives.
        del page


def get_gateway_object(cluster: Cluster, api: ResourceApi, ref: ObjectRef) -> dict[str, Any] | None:
    return cluster.get(api, ref.namespace, ref.name)


def get_gateway(cluster: Cluster, api: ResourceApi, ref: ObjectRef) -> GatewayView | None:
    obj = get_gateway_object(cluster, api, ref)
    return None if obj is None else gateway_view(obj)


def list_gateways(
    cluster: Cluster, api: ResourceApi, namespace: str | None
) -> Iterator[GatewayView]:
    return (gateway_view(obj) for obj in objects(cluster, api, namespace))


def get_pool(cluster: Cluster, apis: Sequence[ResourceApi], ref: ObjectRef) -> PoolState | None:
    """The pool of that name in the first served group that holds it (v1 first)."""
    for api in apis:
        pool = get_pool_in(cluster, api, ref)
        if pool is not None:
            return pool
    return None


def get_pool_in(cluster: Cluster, api: ResourceApi, ref: ObjectRef) -> PoolState | None:
    obj = cluster.get(api, ref.namespace, ref.name)
    return None if obj is None else reduce_pool(obj, api)


def list_pools(
    cluster: Cluster, apis: Sequence[ResourceApi], namespace: str | None
) -> Iterator[PoolState]:
    for api in apis:
        for obj in objects(cluster, api, namespace):
            yield reduce_pool(obj, api)


def list_classes(cluster: Cluster, api: ResourceApi) -> Iterator[ClassState]:
    return (reduce_class(obj) for obj in objects(cluster, api, None))


def get_class(cluster: Cluster, api: ResourceApi, name: str) -> ClassState | None:
    obj = cluster.get(api, None, name)
    return None if obj is None else reduce_class(obj)


def list_grants(cluster: Cluster, api: ResourceApi, namespace: str) -> list[GrantState]:
    return [reduce_grant(obj) for obj in objects(cluster, api, namespace)]


def count_pods(
    cluster: Cluster, namespace: str, selector: str, *, first_page_only: bool = False
) -> PodCount:
    """Pods the selector matches, and how many are Ready; one page answers "any, any ready"."""
    total = ready = 0
    for page in cluster.list_pages(PODS, namespace, label_selector=selector):
        total += len(page)
        ready += sum(pod_ready(pod) for pod in page)
        if first_page_only:
            break
    return PodCount(total, ready)


def service_exists(cluster: Cluster, namespace: str, name: str) -> bool:
    return cluster.get(SERVICES, namespace, name) is not None


def get_route(cluster: Cluster, ref: ObjectRef, api: ResourceApi = HTTPROUTES) -> dict[str, Any]:
    """The live HTTPRoute; missing, one line naming it and how to list those there are."""
    obj = cluster.get(api, ref.namespace, ref.name)
    if obj is None:
        raise NotFound(
            f'HTTPRoute "{ref.name}" not found in namespace "{ref.namespace}"',
            f"list the routes with `kubectl inferroute status -n {ref.namespace}`",
        )
    return obj


def list_routes(
    cluster: Cluster, namespace: str | None, api: ResourceApi = HTTPROUTES
) -> Iterator[dict[str, Any]]:
    return objects(cluster, api, namespace)


def list_events(
    cluster: Cluster, namespace: str | None, field_selector: str
) -> Iterator[EventSummary]:
    """core/v1 Events the field selector picks, each reduced as its page arrives."""
    for page in cluster.list_pages(EVENTS, namespace, field_selector=field_selector):
        yield from (reduce_event(obj) for obj in page)
        del page


def list_model_mappings(cluster: Cluster, namespace: str | None) -> list[ModelMapping]:
    """The payload processor's ConfigMaps (None: every namespace): one list per label."""
    return [
        reduce_mapping(obj)
        for selector in MAPPING_SELECTORS
        for obj in objects(cluster, CONFIG_MAPS, namespace, label_selector=selector)
    ]
