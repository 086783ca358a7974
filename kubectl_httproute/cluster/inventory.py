"""Reading the cluster for `status`: list each kind page by page, keep only compact summaries.

The overview sends one list request per kind per page (500 objects a page, like kubectl), never
one per route, and reduces every page to small summaries as it arrives: no whole object outlives
its page. A kind that cannot be read (403, 404, an error) is recorded in `unreadable` and the
rest goes on. The detail view of one route may GET the objects it names. Every read goes through
the readers `expose` uses too (`readers.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..core.events import EventQuery, keep, kind_query
from ..core.inventory import Inventory, RouteInfo, Unreadable, reduce_route
from ..core.model import HTTPROUTES, ObjectRef, ResourceApi
from ..core.precedence import RouteSummary
from ..core.verify import GatewayView
from ..errors import ApiError, NotFound
from . import readers
from .contract import Cluster


def _reason(error: Exception) -> str:
    if isinstance(error, ApiError) and error.status == 403:
        return "forbidden"
    if isinstance(error, NotFound):
        return "not served by this cluster"
    message = getattr(error, "message", str(error))
    return " ".join(str(message).split())[:200]


class _Reader:
    """Runs each read, recording what could not be read instead of failing."""

    def __init__(self, cluster: Cluster, inv: Inventory) -> None:
        self.cluster = cluster
        self.inv = inv

    def attempt(self, kind: str, namespace: str | None, read: Callable[[], None]) -> bool:
        try:
            read()
            return True
        except (ApiError, NotFound) as error:
            self.inv.unreadable.append(Unreadable(kind, namespace, _reason(error)))
            return False


def _kind_name(api: ResourceApi) -> str:
    return f"{api.plural}.{api.group}" if api.group else api.plural


def _add_routes(inv: Inventory, objs: Iterable[dict[str, object]]) -> None:
    for obj in objs:
        summary, info, accepted = reduce_route(obj)
        if accepted:
            inv.competitors.append(summary)
        if info is not None:
            inv.routes.append(info)


def read_overview(client: Cluster, namespace: str | None) -> Inventory:
    """The overview's reads: each kind listed page by page; a few GETs for objects elsewhere."""
    inv = Inventory(namespace=namespace)
    reader = _Reader(client, inv)
    served = client.served_apis()
    inv.pool_groups = tuple(api.group for api in served.pools)
    routes_api = served.httproutes or HTTPROUTES
    reader.attempt(
        _kind_name(routes_api),
        namespace,
        lambda: _add_routes(inv, readers.list_routes(client, namespace, routes_api)),
    )
    _read_gateways(reader, served.gateways, namespace, _parent_gateways(inv.routes))
    if served.gateway_classes is not None:
        classes_api = served.gateway_classes
        inv.classes_read = reader.attempt(
            _kind_name(classes_api),
            None,
            lambda: _add_classes(inv, classes_api, reader.cluster),
        )
    _read_pools(reader, served.pools, namespace, _pool_refs(inv.routes))
    _read_model_mappings(reader, namespace, inv.routes)
    return inv


def _read_model_mappings(
    reader: _Reader, namespace: str | None, routes: Iterable[RouteInfo]
) -> None:
    """The payload processor's ConfigMaps, only when some route takes one model's requests:
    one list per label in the namespace and in each such route's Gateway's namespace, or once
    across the cluster for every namespace; never one request per route."""
    from ..core.basemodels import route_model

    wanted: set[str | None] = set()
    for route in routes:
        if route_model(route.summary):
            wanted.add(namespace)
            if namespace is not None:
                wanted.update(ns for ns, _, _ in route.summary.parents)
    if not wanted:
        return
    found: list[object] = []
    complete = True
    for scope in sorted(wanted, key=lambda ns: ns or ""):

        def list_all(scope: str | None = scope) -> None:
            found.extend(readers.list_model_mappings(reader.cluster, scope))

        complete &= reader.attempt("configmaps", scope, list_all)
    reader.inv.model_mappings = found if complete else None


def _add_classes(inv: Inventory, api: ResourceApi, cluster: Cluster) -> None:
    for state in readers.list_classes(cluster, api):
        inv.classes[state.name] = state


def _parent_gateways(routes: Iterable[RouteInfo]) -> set[ObjectRef]:
    return {ObjectRef(ns, name) for r in routes for ns, name, _ in r.summary.parents}


def _pool_refs(routes: Iterable[RouteInfo]) -> set[ObjectRef]:
    return {ObjectRef(ns, name) for r in routes for _, ns, name, _ in r.summary.pools}


def _read_gateways(
    reader: _Reader, api: ResourceApi | None, namespace: str | None, wanted: set[ObjectRef]
) -> None:
    inv = reader.inv
    if api is None:
        inv.unreadable.append(Unreadable("gateways.gateway.networking.k8s.io", None, "not served"))
        return

    def add(view: GatewayView) -> None:
        if namespace is None or view.ref in wanted or view.ref.namespace == namespace:
            inv.gateways[view.ref] = view

    def list_all() -> None:
        for view in readers.list_gateways(reader.cluster, api, namespace):
            add(view)

    if reader.attempt(_kind_name(api), namespace, list_all):
        inv.gateway_scopes.add(namespace)
    # Gateways in other namespaces that routes here attach to: one GET per Gateway (not route).
    for ref in sorted(wanted, key=str):
        if ref in inv.gateways or inv.gateway_known_missing(ref):
            continue

        def get_one(ref: ObjectRef = ref) -> None:
            view = readers.get_gateway(reader.cluster, api, ref)
            if view is not None:
                add(view)

        reader.attempt(f"{_kind_name(api)} {ref.name}", ref.namespace, get_one)


def _read_pools(
    reader: _Reader,
    apis: tuple[ResourceApi, ...],
    namespace: str | None,
    wanted: set[ObjectRef],
) -> None:
    inv = reader.inv
    if not apis:
        inv.unreadable.append(
            Unreadable("inferencepools", None, "no InferencePool API is served by this cluster")
        )
        return
    listed_everywhere = True
    for api in apis:

        def list_all(api: ResourceApi = api) -> None:
            for state in readers.list_pools(reader.cluster, (api,), namespace):
                inv.pools[(api.group, state.ref)] = state

        listed_everywhere &= reader.attempt(_kind_name(api), namespace, list_all)
        for ref in sorted(wanted, key=str):
            if namespace is None or ref.namespace == namespace:
                continue

            def get_one(ref: ObjectRef = ref, api: ResourceApi = api) -> None:
                state = readers.get_pool_in(reader.cluster, api, ref)
                if state is not None:
                    inv.pools[(api.group, state.ref)] = state

            if not reader.attempt(f"{_kind_name(api)} {ref.name}", ref.namespace, get_one):
                listed_everywhere = False
    if listed_everywhere:
        inv.pool_scopes.add(namespace)
        inv.pool_scopes.update(ref.namespace for ref in wanted)


def read_detail(client: Cluster, namespace: str, name: str, *, events: bool = False) -> Inventory:
    """One route and everything it names: Gateways, classes, pools, grants, Services, pods;
    with `events`, the newest events about the route, its Gateways and its pools too."""
    inv = Inventory(namespace=namespace)
    reader = _Reader(client, inv)
    served = client.served_apis()
    inv.pool_groups = tuple(api.group for api in served.pools)
    routes_api = served.httproutes or HTTPROUTES
    obj = readers.get_route(client, ObjectRef(namespace, name), routes_api)
    summary, info, _ = reduce_route(obj)
    uid = str((obj.get("metadata") or {}).get("uid") or "")
    del obj
    if info is None:
        raise NotFound(
            f"HTTPRoute {namespace}/{name} sends no traffic to an InferencePool",
            "status shows routes with InferencePool backendRefs",
        )
    inv.routes.append(info)
    # Other routes in the namespace, for shadowing: one list, paged.
    reader.attempt(
        _kind_name(routes_api),
        namespace,
        lambda: _add_competitors(inv, readers.list_routes(client, namespace, routes_api)),
    )
    for ns, gw_name, _ in summary.parents:
        ref = ObjectRef(ns, gw_name)
        api = served.gateways
        if api is None:
            break

        def get_gateway(ref: ObjectRef = ref, api: ResourceApi = api) -> None:
            view = readers.get_gateway(client, api, ref)
            if view is not None:
                inv.gateways[ref] = view

        reader.attempt(f"{_kind_name(api)} {ref.name}", ref.namespace, get_gateway)
    inv.gateway_scopes.update(ns for ns, _, _ in summary.parents)
    if served.gateway_classes is not None:
        # One list (classes are few): it also names the installed classes when one is missing.
        classes_api = served.gateway_classes
        inv.classes_read = reader.attempt(
            _kind_name(classes_api),
            None,
            lambda: _add_classes(inv, classes_api, reader.cluster),
        )
    _read_pool_details(reader, served.pools, summary)
    _read_grants(reader, served.reference_grants, summary)
    if events:
        _read_events(reader, summary, uid)
    _read_model_mappings(reader, namespace, [info])
    return inv


def _read_events(reader: _Reader, summary: RouteSummary, uid: str) -> None:
    """At most one list per kind: the route's, its Gateways', its pools' events."""
    inv = reader.inv
    queries = [
        kind_query("HTTPRoute", [summary.ref], uid),
        kind_query("Gateway", {ObjectRef(ns, name) for ns, name, _ in summary.parents}),
        kind_query("InferencePool", {ObjectRef(ns, name) for _, ns, name, _ in summary.pools}),
    ]
    for query in queries:
        if query is None:
            continue

        def read(query: EventQuery = query) -> None:
            found = keep(
                query, readers.list_events(reader.cluster, query.namespace, query.field_selector)
            )
            for ref, items in found.items():
                inv.events[(query.kind, ref)] = items

        before = len(inv.unreadable)
        if reader.attempt("events", query.namespace, read):
            inv.events_read.add(query.kind)
        elif inv.unreadable[-1] in inv.unreadable[:before]:
            inv.unreadable.pop()  # the same namespace, the same reason: said once


def _add_competitors(inv: Inventory, objs: Iterable[dict[str, object]]) -> None:
    for obj in objs:
        summary, _, accepted = reduce_route(obj)
        if accepted:
            inv.competitors.append(summary)


def _read_pool_details(
    reader: _Reader, apis: tuple[ResourceApi, ...], summary: RouteSummary
) -> None:
    inv = reader.inv
    refs = sorted({ObjectRef(ns, name) for _, ns, name, _ in summary.pools}, key=str)
    complete = True
    for ref in refs:
        # Every served group: a pool of that name in another group explains BackendNotFound.
        for api in apis:

            def get_pool(ref: ObjectRef = ref, api: ResourceApi = api) -> None:
                state = readers.get_pool_in(reader.cluster, api, ref)
                if state is not None:
                    inv.pools[(api.group, ref)] = state

            complete &= reader.attempt(_kind_name(api), ref.namespace, get_pool)
    if complete and apis:
        inv.pool_scopes.update(ref.namespace for ref in refs)
    for state in list(inv.pools.values()):
        if state.picker:
            svc = ObjectRef(state.ref.namespace, state.picker)

            def get_service(svc: ObjectRef = svc) -> None:
                inv.services[svc] = readers.service_exists(reader.cluster, svc.namespace, svc.name)

            reader.attempt("services", svc.namespace, get_service)
        if state.selector:
            selector = state.selector_text
            key = (state.group, state.ref)

            def count_pods(
                key: tuple[str, ObjectRef] = key, ns: str = state.ref.namespace, sel: str = selector
            ) -> None:
                inv.pods[key] = readers.count_pods(reader.cluster, ns, sel)

            reader.attempt("pods", state.ref.namespace, count_pods)


def _read_grants(reader: _Reader, api: ResourceApi | None, summary: RouteSummary) -> None:
    inv = reader.inv
    foreign = sorted({ns for _, ns, _, _ in summary.pools if ns != summary.ref.namespace})
    if not foreign:
        return
    if api is None:
        inv.unreadable.append(Unreadable("referencegrants", None, "not served"))
        return
    for ns in foreign:

        def list_grants(ns: str = ns, api: ResourceApi = api) -> None:
            inv.grants[ns] = readers.list_grants(reader.cluster, api, ns)

        reader.attempt(_kind_name(api), ns, list_grants)
