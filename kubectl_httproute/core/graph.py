"""The traffic graph: Gateway (listeners) → HTTPRoute → InferencePool → endpoint picker and model
server pods, each node with a verdict class, each route→pool edge with its traffic share. Pure.

Built only from what `status` already read (an Inventory and its diagnoses): no request of its
own. Nodes and edges are sorted by their ids, so every renderer's output is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from . import basemodels
from .diagnose import RouteDiagnosis
from .inventory import Inventory
from .model import ObjectRef, PoolBackend
from .verdict import DEGRADED, PENDING, READY, SHADOWED, STALE

# Verdict classes, as the legend names them: best first.
OK = "ready"
DEGRADED_CLASS = "degraded"
FAILING = "failing"
UNKNOWN = "unknown"
CLASSES = (OK, DEGRADED_CLASS, FAILING, UNKNOWN)
CLASS_WORDS = {
    OK: "Ready",
    DEGRADED_CLASS: "degraded",
    FAILING: "failing",
    UNKNOWN: "not checked",
}

GATEWAY = "Gateway"
ROUTE = "HTTPRoute"
POOL = "InferencePool"
PICKER = "Service"
PODS = "Pods"


class Node(NamedTuple):
    id: str  # stable: kind and namespace/name
    kind: str
    title: str  # "Gateway llm/inference-gw"
    details: tuple[str, ...]  # one line each: listeners, matches, model, Ready/total
    verdict: str  # one of CLASSES
    state: str  # the words behind the class: "Ready", "NotAccepted", "2/3 Ready"


class Edge(NamedTuple):
    source: str
    target: str
    label: str  # "90%", a listener name, or ""


class Graph(NamedTuple):
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)

    def children(self, node_id: str) -> tuple[Edge, ...]:
        return tuple(e for e in self.edges if e.source == node_id)

    def roots(self) -> tuple[Node, ...]:
        targets = {e.target for e in self.edges}
        return tuple(n for n in self.nodes if n.id not in targets)


def verdict_class(state: str) -> str:
    """The ladder's state as a colour: Ready, degraded (traffic may flow, or soon), failing."""
    if state == READY:
        return OK
    if state in (DEGRADED, SHADOWED, PENDING, STALE):
        return DEGRADED_CLASS
    return FAILING


def shares(weights: Sequence[int]) -> tuple[str, ...]:
    """Each weight's share of the sum, as a whole percent ("0%" each when the sum is 0)."""
    total = sum(max(w, 0) for w in weights)
    return tuple(f"{round(100 * max(w, 0) / total) if total else 0}%" for w in weights)


def _key(ref: ObjectRef) -> str:
    return f"{ref.namespace}/{ref.name}"


def route_model(diag: RouteDiagnosis) -> str:
    """The model a route serves: the value of its exact X-Gateway-Base-Model-Name match."""
    return basemodels.route_model(diag.route.summary)


def _gateway_node(ref: ObjectRef, inv: Inventory) -> Node:
    view = inv.gateways.get(ref)
    if view is None:
        state = "not found" if inv.gateway_known_missing(ref) else "not read"
        verdict = FAILING if state == "not found" else UNKNOWN
        return Node(f"gateway:{_key(ref)}", GATEWAY, f"Gateway {ref}", (), verdict, state)
    listeners = tuple(
        f"listener {lst.name} {lst.protocol}/{lst.port}"
        + (f" {lst.hostname}" if lst.hostname else "")
        for lst in sorted(view.listeners, key=lambda item: item.name)
        if lst.in_spec
    )
    conditions = {c.type: c.status for c in view.conditions}
    if any(conditions.get(t) == "False" for t in ("Accepted", "Programmed")):
        verdict, state = FAILING, "not programmed"
    elif conditions.get("Programmed") == "True":
        verdict, state = OK, "Programmed"
    else:
        verdict, state = DEGRADED_CLASS, "not yet programmed"
    return Node(f"gateway:{_key(ref)}", GATEWAY, f"Gateway {ref}", listeners, verdict, state)


def _route_node(diag: RouteDiagnosis) -> Node:
    route = diag.route
    details = [f"matches {' '.join(route.paths) or '/'}"]
    if route.summary.hostnames:
        details.insert(0, f"hosts {' '.join(route.summary.hostnames)}")
    model = route_model(diag)
    if model:
        details.append(f"model {model}")
    return Node(
        f"route:{_key(route.ref)}",
        ROUTE,
        f"HTTPRoute {route.ref}",
        tuple(details),
        verdict_class(diag.verdict),
        diag.verdict,
    )


def _pool_nodes(group: str, ref: ObjectRef, inv: Inventory) -> tuple[list[Node], list[Edge]]:
    pool_id = f"pool:{group}/{_key(ref)}"
    state = inv.pool(group, ref)
    if state is None:
        missing = inv.pool_known_missing(ref)
        node = Node(
            pool_id,
            POOL,
            f"InferencePool {ref}",
            (),
            FAILING if missing else UNKNOWN,
            "not found" if missing else "not read",
        )
        return [node], []
    nodes: list[Node] = []
    edges: list[Edge] = []
    pods = inv.pods.get((group, ref))
    rejected = any(c.status == "False" for p in state.parents for c in p.conditions)
    pool_verdict, pool_state = (
        (DEGRADED_CLASS, "a parent reports a problem")
        if rejected
        else (
            OK,
            "Accepted",
        )
    )
    if pods is not None:
        pods_id = f"pods:{group}/{_key(ref)}"
        if pods.ready == 0:
            pods_verdict = FAILING
        elif pods.ready < pods.total:
            pods_verdict = DEGRADED_CLASS
        else:
            pods_verdict = OK
        words = f"{pods.ready}/{pods.total} Ready"
        nodes.append(
            Node(
                pods_id,
                PODS,
                "model servers",
                (f"selector {state.selector_text or '-'}",),
                pods_verdict,
                words,
            )
        )
        edges.append(Edge(pool_id, pods_id, ""))
        if pods_verdict == FAILING:
            pool_verdict, pool_state = FAILING, "no model server Ready"
        elif pods_verdict == DEGRADED_CLASS and pool_verdict == OK:
            pool_verdict, pool_state = DEGRADED_CLASS, words
    if state.picker:
        svc = ObjectRef(ref.namespace, state.picker)
        picker_id = f"picker:{_key(svc)}"
        exists = inv.services.get(svc)
        picker_verdict = UNKNOWN if exists is None else (OK if exists else FAILING)
        picker_state = "not checked" if exists is None else ("found" if exists else "not found")
        port = f" port {state.picker_port}" if state.picker_port else ""
        nodes.append(
            Node(
                picker_id,
                PICKER,
                f"endpoint picker {svc}",
                (f"Service{port}",),
                picker_verdict,
                picker_state,
            )
        )
        edges.append(Edge(pool_id, picker_id, "picks"))
        if picker_verdict == FAILING:
            pool_verdict, pool_state = FAILING, "endpoint picker Service not found"
    ports = ",".join(str(p) for p in state.target_ports) or "-"
    nodes.append(
        Node(
            pool_id,
            POOL,
            f"InferencePool {ref}",
            (f"{state.group}/{state.version} port {ports}",),
            pool_verdict,
            pool_state,
        )
    )
    return nodes, edges


def build_graph(diagnoses: Iterable[RouteDiagnosis], inv: Inventory) -> Graph:
    """The graph of the diagnosed routes, from what status read (no request of its own)."""
    nodes: dict[str, Node] = {}
    edges: set[Edge] = set()
    for diag in diagnoses:
        route = _route_node(diag)
        nodes[route.id] = route
        for ns, name, section in diag.route.summary.parents:
            gateway = _gateway_node(ObjectRef(ns, name), inv)
            nodes[gateway.id] = gateway
            edges.add(Edge(gateway.id, route.id, section or ""))
        pools = diag.route.summary.pools
        for (group, ns, name, _), share in zip(pools, shares([w for *_, w in pools]), strict=True):
            pool_nodes, pool_edges = _pool_nodes(group, ObjectRef(ns, name), inv)
            for node in pool_nodes:
                nodes[node.id] = node
            edges.update(pool_edges)
            edges.add(Edge(route.id, pool_nodes[-1].id, share))
    return Graph(tuple(nodes[k] for k in sorted(nodes)), tuple(sorted(edges)))


def build_record_graph(
    route: ObjectRef, gateway: ObjectRef, pools: Sequence[PoolBackend], state: str | None
) -> Graph:
    """The graph a deployment record shows: its Gateway, route and pools with their shares
    (the record knows the route's verdict, not its pods: those nodes are left out)."""
    route_id = f"route:{_key(route)}"
    route_node = Node(
        route_id,
        ROUTE,
        f"HTTPRoute {route}",
        (),
        verdict_class(state) if state else UNKNOWN,
        state or "not verified",
    )
    gateway_node = Node(f"gateway:{_key(gateway)}", GATEWAY, f"Gateway {gateway}", (), UNKNOWN, "")
    nodes = {route_node.id: route_node, gateway_node.id: gateway_node}
    edges = {Edge(gateway_node.id, route_id, "")}
    for pool, share in zip(pools, shares([p.weight for p in pools]), strict=True):
        ref = ObjectRef(pool.namespace, pool.name)
        node = Node(
            f"pool:{pool.group}/{_key(ref)}",
            POOL,
            f"InferencePool {ref}",
            (f"port {pool.port}",),
            UNKNOWN,
            "",
        )
        nodes[node.id] = node
        edges.add(Edge(route_id, node.id, share))
    return Graph(tuple(nodes[k] for k in sorted(nodes)), tuple(sorted(edges)))
