"""The reads `delete` needs, and its writes: the route, its Gateways' other routes (one list,
paged, never one request per route), the ReferenceGrants expose made for it; DELETE, dry or not.

Reads other than the route itself are tolerant: one the user may not do leaves that part
unknown (said so), never stops a deletion that would work.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..core.grants import GrantState, reduce_grant
from ..core.inventory import reduce_route
from ..core.model import (
    GATEWAYS,
    HTTPROUTES,
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    ObjectRef,
    ResourceApi,
    ServedApis,
)
from ..core.precedence import RouteSummary
from ..errors import ApiError, NotFound
from . import readers
from .contract import Cluster


class DeletionReads(NamedTuple):
    """What the deletion plan is made from."""

    route: dict[str, Any]
    accepted: bool  # by some parent
    competitors: list[RouteSummary] | None  # accepted routes that may share a Gateway; None: 403
    in_namespace: list[RouteSummary] | None  # every other route of the route's namespace
    grants: dict[str, list[GrantState]]  # the plugin's grants in each pool namespace read


def get_route(client: Cluster, api: ResourceApi, ref: ObjectRef) -> dict[str, Any]:
    """The live route; missing is kubectl's NotFound line (exit 1)."""
    obj = client.get(api, ref.namespace, ref.name)
    if obj is None:
        raise NotFound(
            f'httproutes.{api.group} "{ref.name}" not found in namespace "{ref.namespace}"',
            f"list the routes with `kubectl inferroute status -n {ref.namespace}`",
        )
    return obj


def read_for_deletion(client: Cluster, served: ServedApis, route: ObjectRef) -> DeletionReads:
    """The route, its Gateways (for how wide to list), the routes that may compete, the grants."""
    from ..core.deletion import lists_every_namespace, route_pools

    api = served.httproutes or HTTPROUTES
    obj = get_route(client, api, route)
    summary, _, accepted = reduce_route(obj)
    gateways = []
    for namespace, name, _ in summary.parents:
        gateway = _tolerant(lambda ns=namespace, n=name: client.get(GATEWAYS, ns, n))
        if gateway is not None:
            gateways.append(gateway)
    # As expose's shadowing check: only listeners that take routes from other namespaces make
    # the list span every namespace; one list, page by page, each route reduced as it comes.
    scope = None if lists_every_namespace(gateways) else route.namespace
    competitors: list[RouteSummary] = []
    in_namespace: list[RouteSummary] = []
    listed = True
    try:
        for other in readers.list_routes(client, scope, api):
            other_summary, _, other_accepted = reduce_route(other)
            if other_summary.ref == route:
                continue
            if other_accepted:
                competitors.append(other_summary)
            if other_summary.ref.namespace == route.namespace:
                in_namespace.append(other_summary)
    except ApiError as error:
        if error.status != 403:
            raise
        listed = False
    grants: dict[str, list[GrantState]] = {}
    grant_api = served.reference_grants
    pool_namespaces = sorted({p.namespace for p in route_pools(obj)} - {route.namespace})
    if grant_api is not None:
        for namespace in pool_namespaces:
            found = _tolerant(lambda ns=namespace: _our_grants(client, grant_api, ns))
            if found is not None:
                grants[namespace] = found
    return DeletionReads(
        obj,
        accepted,
        competitors if listed else None,
        in_namespace if listed else None,
        grants,
    )


def _our_grants(client: Cluster, api: ResourceApi, namespace: str) -> list[GrantState]:
    selector = f"{MANAGED_BY_LABEL}={MANAGED_BY_VALUE}"
    return [reduce_grant(g) for g in readers.objects(client, api, namespace, selector)]


def _tolerant(read: Any) -> Any:
    """The read's answer; None when it is forbidden or the object is not there."""
    try:
        return read()
    except ApiError as error:
        if error.status == 403:
            return None
        raise
    except NotFound:
        return None


def delete_object(
    client: Cluster, api: ResourceApi, ref: ObjectRef, *, dry_run: bool
) -> dict[str, Any] | None:
    """DELETE (dryRun=All when `dry_run`): the object as the server deleted it, None if gone."""
    return client.delete(api, ref.namespace, ref.name, dry_run=dry_run)
