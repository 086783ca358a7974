"""Status → condition rows and a verdict with the fix.

Everything here is a pure function of the dicts the API server returns: no requests, no printing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, NamedTuple

from .fields import as_int as _int
from .fields import as_list as _list
from .fields import as_map as _map
from .fields import as_str as _str
from .model import GATEWAY_GROUP, POOL_GROUP_V1, POOL_GROUP_V1ALPHA2, Condition, ObjectRef
from .verdict import NO_CONTROLLER, NOT_ACCEPTED, PENDING, READY, STALE, UNRESOLVED, rank
from .verdict import Verdict as Verdict  # route_verdict's result; defined with the ladder

ACCEPTED = "Accepted"
RESOLVED_REFS = "ResolvedRefs"

# The per-route NamedTuples are built by tuple.__new__ (C) from a tuple of every field, in
# order: their generated __new__ is a Python function, and cost as much again as the tuple.
_new = tuple.__new__


class ParentRef(NamedTuple):
    """A status entry's parentRef, defaults filled in: group, kind and the Gateway's namespace."""

    group: str
    kind: str
    namespace: str  # "" for a parent of no namespace (v1alpha2's placeholder "Status/default")
    name: str
    section: str = ""
    port: int | None = None

    @property
    def is_gateway(self) -> bool:
        """This parent is a Gateway (not another kind of parent)."""
        return self.group == GATEWAY_GROUP and self.kind == "Gateway"

    def refers_to(self, gateway: ObjectRef) -> bool:
        """This parent is that Gateway (any of its listeners)."""
        return self.name == gateway.name and self.namespace == gateway.namespace and self.is_gateway

    @property
    def label(self) -> str:
        """ "llm/inference-gateway", plus "#http" for a sectionName and ":80" for a port; any
        kind but Gateway is named ("Status/default")."""
        label = f"{self.namespace}/{self.name}" if self.namespace else self.name
        if self.kind != "Gateway":
            label = f"{self.kind}/{label}"
        if self.section:
            label += f"#{self.section}"
        if self.port is not None:
            label += f":{self.port}"
        return label


class ParentConditions(NamedTuple):
    """One status.parents[] entry: which parent, which controller, what it said."""

    ref: ParentRef
    controller: str
    conditions: tuple[Condition, ...]

    @property
    def parent(self) -> str:
        return self.ref.label


class RouteFacts(NamedTuple):
    """What the verdict reads of an HTTPRoute: from the object (`route_facts`), or from the
    summaries `status` keeps."""

    ref: ObjectRef
    generation: int | None
    hostnames: tuple[str, ...]
    # (group, namespace) of each backendRef: group "" is a core Service
    backends: tuple[tuple[str, str], ...]
    parents: tuple[ParentConditions, ...]


class ListenerView(NamedTuple):
    """A Gateway listener: its spec joined with its status."""

    name: str
    port: int | None
    protocol: str
    hostname: str  # "" when the listener matches every hostname
    allowed_routes: str
    attached_routes: int | None
    conditions: tuple[Condition, ...]

    @property
    def in_spec(self) -> bool:
        """Declared in the Gateway's spec (a status-only listener comes from a ListenerSet)."""
        return bool(self.protocol)


class GatewayView(NamedTuple):
    """A Gateway, for every command: class, conditions, addresses and listeners."""

    ref: ObjectRef
    class_name: str
    conditions: tuple[Condition, ...]
    addresses: tuple[str, ...]
    listeners: tuple[ListenerView, ...]

    def describe(self) -> str:
        ports = ", ".join(
            f"{lst.name} {lst.protocol}/{lst.port}" + (f" {lst.hostname}" if lst.hostname else "")
            for lst in self.listeners
            if lst.in_spec
        )
        return f"Gateway {self.ref} (class {self.class_name or '?'}; listeners: {ports or 'none'})"


# ---------------------------------------------------------------------------------------------
# Small accessors: API objects are untyped JSON, so every read tolerates a missing or null field.


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _generation(obj: Mapping[str, Any]) -> int | None:
    return _int(_map(obj.get("metadata")).get("generation"))


def _namespace(obj: Mapping[str, Any]) -> str:
    return _str(_map(obj.get("metadata")).get("namespace"))


def _api_group(obj: Mapping[str, Any]) -> str:
    api_version = _str(obj.get("apiVersion"))
    return api_version.rpartition("/")[0]


# ---------------------------------------------------------------------------------------------
# Conditions and parent statuses.


def parse_conditions(raw: list[dict[str, Any]] | None) -> tuple[Condition, ...]:
    """Turn a status conditions list into Condition objects, skipping malformed entries."""
    conditions = []
    # Containers and ints are checked inline for what the JSON decoder gives, anything else
    # goes through the tolerant accessor, to the same result: every route has a few of these.
    for item in raw if type(raw) is list else _list(raw):
        if not (type(item) is dict or isinstance(item, Mapping)):
            continue
        type_ = _str(item.get("type"))
        if not type_:
            continue
        status = _str(item.get("status"))
        generation = item.get("observedGeneration")
        # Every route of an overview has a few conditions.
        conditions.append(
            _new(
                Condition,
                (
                    type_,
                    status or "Unknown",
                    _str(item.get("reason")),
                    _str(item.get("message")),
                    generation if type(generation) is int else _int(generation),
                    _str(item.get("lastTransitionTime")),
                ),
            )
        )
    return tuple(conditions)


def _find_condition(conditions: tuple[Condition, ...], type_: str) -> Condition | None:
    # A loop, not next() over a generator: called a few times per route and Gateway.
    for condition in conditions:
        if condition.type == type_:
            return condition
    return None


def parent_ref_of(parent_ref: Mapping[str, Any], default_namespace: str) -> ParentRef:
    """A parentRef with Gateway API's defaults: group gateway.networking.k8s.io, kind Gateway,
    the referrer's namespace (for a Gateway only)."""
    group = parent_ref.get("group")
    kind = _str(parent_ref.get("kind")) or "Gateway"
    # Only a Gateway defaults to the referrer's namespace; v1alpha2's placeholder parent
    # (kind Status, name default) belongs to no namespace.
    namespace = _str(parent_ref.get("namespace")) or (
        default_namespace if kind == "Gateway" else ""
    )
    port = parent_ref.get("port")
    fields = (
        GATEWAY_GROUP if group is None else _str(group),
        kind,
        namespace,
        _str(parent_ref.get("name")),
        _str(parent_ref.get("sectionName")),
        None if port is None else port if type(port) is int else _int(port),
    )
    return _new(ParentRef, fields)


def _parent_conditions(entry: Mapping[str, Any], default_namespace: str) -> ParentConditions:
    ref = entry.get("parentRef")
    return _new(
        ParentConditions,
        (
            parent_ref_of(ref if type(ref) is dict else _map(ref), default_namespace),
            _str(entry.get("controllerName")),
            parse_conditions(entry.get("conditions")),
        ),
    )


def parent_statuses(entries: Any, namespace: str) -> list[ParentConditions]:
    """A status.parents list (any value) of an object in `namespace`: its well-formed entries."""
    return [
        _parent_conditions(e, namespace)
        for e in (entries if type(entries) is list else _list(entries))
        if type(e) is dict or isinstance(e, Mapping)
    ]


def route_parent_statuses(route: Mapping[str, Any]) -> list[ParentConditions]:
    """Every status.parents[] entry of an HTTPRoute, in the order the API returned them."""
    return parent_statuses(_map(route.get("status")).get("parents"), _namespace(route))


def route_facts(route: Mapping[str, Any]) -> RouteFacts:
    """The fields of an HTTPRoute the verdict reads."""
    metadata = _map(route.get("metadata"))
    namespace = _str(metadata.get("namespace"))
    spec = _map(route.get("spec"))
    backends = []
    for rule in _list(spec.get("rules")):
        for ref in _list(_map(rule).get("backendRefs")):
            if isinstance(ref, Mapping):
                backends.append((_str(ref.get("group")), _str(ref.get("namespace")) or namespace))
    return RouteFacts(
        ref=ObjectRef(namespace, _str(metadata.get("name"))),
        generation=_int(metadata.get("generation")),
        hostnames=tuple(h for h in _list(spec.get("hostnames")) if isinstance(h, str)),
        backends=tuple(backends),
        parents=tuple(route_parent_statuses(route)),
    )


def _gateway_entries(route: RouteFacts, gateway: ObjectRef) -> list[ParentConditions]:
    # A route may name one Gateway several times (one entry per sectionName), so keep them all.
    return [p for p in route.parents if p.ref.refers_to(gateway)]


def _is_current(condition: Condition, generation: int | None) -> bool:
    # A condition without observedGeneration, or a route without generation, cannot be compared:
    # count it as current. "Ahead" only happens in a delete/recreate race; waiting on it would hang.
    if condition.observed_generation is None or generation is None:
        return True
    return condition.observed_generation >= generation


def _stale_condition(entry: ParentConditions, generation: int | None) -> Condition | None:
    # Accepted decides settledness; ResolvedRefs is checked too so that a half-updated entry is
    # never read as a verdict on the latest spec.
    for type_ in (ACCEPTED, RESOLVED_REFS):
        condition = _find_condition(entry.conditions, type_)
        if condition is not None and not _is_current(condition, generation):
            return condition
    return None


def is_settled(route: RouteFacts, gateway: ObjectRef) -> bool:
    """True once the Gateway's controller has judged the route's current generation."""
    entries = _gateway_entries(route, gateway)
    if not entries:
        return False
    for entry in entries:
        accepted = _find_condition(entry.conditions, ACCEPTED)
        # Accepted=Unknown (reason Pending) is the controller saying "not decided yet".
        if accepted is None or accepted.status == "Unknown":
            return False
        if _stale_condition(entry, route.generation) is not None:
            return False
    return True


# ---------------------------------------------------------------------------------------------
# The verdict.


def _pool_namespaces(route: RouteFacts) -> list[str]:
    namespaces = list(dict.fromkeys(ns for _, ns in route.backends if ns))
    return namespaces or ([route.ref.namespace] if route.ref.namespace else [])


def _pool_groups(route: RouteFacts) -> list[str]:
    return list(dict.fromkeys(group or "core (no group: a Service)" for group, _ in route.backends))


def _describe_route(route: RouteFacts) -> str:
    name, namespace = route.ref.name or "ROUTE", route.ref.namespace or "NS"
    return f"`kubectl describe httproute {name} -n {namespace}`"


def _class_phrase(gateway_class: str | None) -> str:
    return gateway_class or "<class>"


def _is_gke(gateway_class: str | None) -> bool:
    # A verdict has no GatewayClass read: the implementations table goes by the class name.
    from .implementations import rejects_rule_timeouts

    return rejects_rule_timeouts(None, gateway_class or "")


def _summary(condition: Condition) -> str:
    text = f"{condition.type}={condition.status} ({condition.reason or 'no reason'})"
    message = _one_line(condition.message)
    return f"{text}: {message}" if message else text


def _generic_fix(route: RouteFacts, condition: Condition) -> str:
    message = _one_line(condition.message) or "no message"
    return (
        f"the controller reported {condition.type}={condition.status} "
        f"({condition.reason or 'no reason'}): {message}; "
        f"see {_describe_route(route)} and the gateway controller's logs"
    )


def _not_accepted_fix(
    route: RouteFacts, gateway: ObjectRef, condition: Condition, gateway_class: str | None
) -> str:
    reason = condition.reason
    route_ns = route.ref.namespace or "the route's namespace"
    edit_gateway = f"`kubectl edit gateway {gateway.name} -n {gateway.namespace}`"
    if reason == "NotAllowedByListeners":
        return (
            f"the listener's allowedRoutes does not admit namespace {route_ns}: edit the "
            f"Gateway's listeners[].allowedRoutes ({edit_gateway}) or create the route in "
            f"namespace {gateway.namespace}"
        )
    if reason == "NoMatchingListenerHostname":
        hostnames = ", ".join(route.hostnames)
        return (
            f"the route's hostnames ({hostnames or 'none'}) match no listener hostname on "
            f"{gateway}: use a hostname a listener serves, or set none"
        )
    if reason == "NoMatchingParent":
        return (
            f"the parentRef's sectionName/port names no listener on {gateway}: use a listener "
            f"name and port from `kubectl get gateway {gateway.name} -n {gateway.namespace} "
            f"-o yaml`"
        )
    if reason == "UnsupportedValue":
        gke_fix = "remove rules[].timeouts and set the timeout with a GCPBackendPolicy"
        if _is_gke(gateway_class):
            return f"GKE class {gateway_class} rejects rules[].timeouts: {gke_fix}"
        message = _one_line(condition.message) or "no message"
        return (
            f"the controller rejects a value in the route ({message}): change or remove that "
            f"field; on GKE classes (gke-l7-*) {gke_fix}"
        )
    if reason == "Pending":
        return "wait: the controller has not finished processing the route"
    return _generic_fix(route, condition)


def _invalid_kind_fix(gateway_class: str | None) -> str:
    # The settings live in the implementations table, with their source; by class name, as a
    # verdict has no GatewayClass read.
    from .implementations import all_pool_backend_hints, pool_backend_hint

    chosen = pool_backend_hint(None, gateway_class or "")
    options = chosen or "; ".join(all_pool_backend_hints())
    return (
        "the gateway implementation does not support InferencePool backends: "
        f"enable its inference extension ({options})"
    )


def _unresolved_fix(route: RouteFacts, condition: Condition, gateway_class: str | None) -> str:
    reason = condition.reason
    pool_namespaces = _pool_namespaces(route)
    if reason == "BackendNotFound":
        commands = ", ".join(f"`kubectl get inferencepools -n {ns}`" for ns in pool_namespaces)
        groups = ", ".join(_pool_groups(route))
        uses = f" (the route uses {groups})" if groups else ""
        return (
            "the pool does not exist, or its group differs from the one the cluster serves"
            f"{uses}: check {commands or '`kubectl get inferencepools`'}"
        )
    if reason == "RefNotPermitted":
        route_ns = route.ref.namespace or "ROUTE_NS"
        foreign = [ns for ns in pool_namespaces if ns != route_ns] or pool_namespaces
        where = ", ".join(foreign) or "the pool's namespace"
        return (
            f"create a ReferenceGrant in namespace {where} allowing HTTPRoute from namespace "
            f"{route_ns} to InferencePool"
        )
    if reason == "InvalidKind":
        return _invalid_kind_fix(gateway_class)
    if reason == "UnsupportedProtocol":
        return (
            "the implementation does not support the backend's protocol: check the pool's "
            "spec.appProtocol (http or kubernetes.io/h2c) and the listener's protocol"
        )
    return _generic_fix(route, condition)


# Nothing in it names the route: one value serves every healthy route of an overview.
_READY = Verdict(READY, True, "Accepted and all references resolved", "")


def _entry_verdict(
    route: RouteFacts,
    gateway: ObjectRef,
    entry: ParentConditions,
    gateway_class: str | None,
) -> Verdict:
    accepted = _find_condition(entry.conditions, ACCEPTED)
    resolved = _find_condition(entry.conditions, RESOLVED_REFS)
    if accepted is None:
        return Verdict(
            PENDING,
            False,
            f"the controller for {entry.parent} has not reported Accepted yet",
            "wait, or check the gateway controller's logs",
        )
    if accepted.status == "False":
        return Verdict(
            NOT_ACCEPTED,
            False,
            _summary(accepted),
            _not_accepted_fix(route, gateway, accepted, gateway_class),
        )
    if accepted.status != "True":
        return Verdict(
            PENDING,
            False,
            _summary(accepted),
            "wait: the controller has not finished processing the route",
        )
    if resolved is None:
        return Verdict(
            PENDING,
            False,
            f"the controller for {entry.parent} has not reported ResolvedRefs yet",
            "wait, or check the gateway controller's logs",
        )
    if resolved.status == "False":
        return Verdict(
            UNRESOLVED,
            False,
            _summary(resolved),
            _unresolved_fix(route, resolved, gateway_class),
        )
    if resolved.status != "True":
        return Verdict(
            PENDING,
            False,
            _summary(resolved),
            "wait: the controller has not finished resolving the backends",
        )
    return _READY


def route_verdict(
    route: RouteFacts, gateway: ObjectRef, gateway_class: str | None = None
) -> Verdict:
    """Judge the route from the Gateway's controller's status: the state, what is wrong, the fix."""
    entries = _gateway_entries(route, gateway)
    if not entries:
        cls = _class_phrase(gateway_class)
        return Verdict(
            NO_CONTROLLER,
            False,
            f"no controller has processed the route for Gateway {gateway}",
            f"check the GatewayClass {cls} exists, is Accepted, and its controller is running: "
            f"`kubectl get gatewayclass {cls} -o yaml`",
        )
    generation = route.generation
    for entry in entries:
        stale = _stale_condition(entry, generation)
        if stale is not None:
            return Verdict(
                STALE,
                False,
                f"the controller has not processed the latest change: {stale.type} is for "
                f"generation {stale.observed_generation}, the route is at {generation}",
                "wait, or check the gateway controller's logs",
            )
    if len(entries) == 1:
        return _entry_verdict(route, gateway, entries[0], gateway_class)
    verdicts = [_entry_verdict(route, gateway, e, gateway_class) for e in entries]
    # When one Gateway has several entries (one per listener), report the worst.
    return min(verdicts, key=lambda v: rank(v.state))


def stale_not_found(
    route: RouteFacts, gateway: ObjectRef, pools_created: Mapping[ObjectRef, str]
) -> Verdict | None:
    """A BackendNotFound older than a pool the route names that exists now: the controller looked
    before the pool was created and never looked again (llm-d-modelservice#65; NGF PR#5207).

    `pools_created`: the route's pools that exist, with their creationTimestamp. None when the
    verdict is not such a BackendNotFound, or its age cannot be compared."""
    for entry in _gateway_entries(route, gateway):
        resolved = _find_condition(entry.conditions, RESOLVED_REFS)
        if resolved is None or resolved.status != "False" or resolved.reason != "BackendNotFound":
            continue
        since = parse_time(resolved.last_transition_time)
        if since is None:
            continue
        younger = sorted(
            (ref, created)
            for ref, created in pools_created.items()
            if (born := parse_time(created)) is not None and born > since
        )
        if not younger:
            continue
        pool, created = younger[0]
        name, namespace = route.ref.name or "ROUTE", route.ref.namespace or "NS"
        return Verdict(
            STALE,
            False,
            f"ResolvedRefs=False (BackendNotFound) is stale: the controller judged the route at "
            f"{resolved.last_transition_time}, before InferencePool {pool} was created "
            f"({created}), and has not looked again",
            "make the controller look again with a no-op change: `kubectl annotate httproute "
            f"{name} -n {namespace} kubectl-inferroute/touched-at=$(date +%s) --overwrite`; "
            "if it stays BackendNotFound, check the gateway controller's logs "
            "(llm-d-modelservice#65)",
        )
    return None


# ---------------------------------------------------------------------------------------------
# Gateways and pools.


def _allowed_routes(allowed: Mapping[str, Any]) -> str:
    namespaces = _map(allowed.get("namespaces"))
    source = _str(namespaces.get("from")) or "Same"
    text = source
    if source == "Selector":
        selector = _map(namespaces.get("selector"))
        terms = [f"{k}={v}" for k, v in _map(selector.get("matchLabels")).items()]
        for expr in _list(selector.get("matchExpressions")):
            expr = _map(expr)
            values = ",".join(str(v) for v in _list(expr.get("values")))
            term = f"{_str(expr.get('key'))} {_str(expr.get('operator'))}"
            terms.append(f"{term} ({values})" if values else term)
        if terms:
            text += " " + ",".join(terms)
    kinds = [_str(_map(k).get("kind")) for k in _list(allowed.get("kinds"))]
    kinds = [k for k in kinds if k]
    if kinds:
        text += " kinds=" + ",".join(kinds)
    return text


def gateway_view(gateway: dict[str, Any]) -> GatewayView:
    """A Gateway's class, conditions, addresses and listeners (spec joined with status by name)."""
    metadata = _map(gateway.get("metadata"))
    spec = _map(gateway.get("spec"))
    status = _map(gateway.get("status"))
    listener_status = {_str(_map(s).get("name")): _map(s) for s in _list(status.get("listeners"))}
    listeners = []
    seen = set()
    for item in _list(spec.get("listeners")):
        listener = _map(item)
        name = _str(listener.get("name"))
        seen.add(name)
        st = listener_status.get(name, {})
        listeners.append(
            ListenerView(
                name=name,
                port=_int(listener.get("port")),
                protocol=_str(listener.get("protocol")),
                hostname=_str(listener.get("hostname")),
                allowed_routes=_allowed_routes(_map(listener.get("allowedRoutes"))),
                attached_routes=_int(st.get("attachedRoutes")),
                conditions=parse_conditions(st.get("conditions")),
            )
        )
    # Status may name listeners the spec does not (ListenerSets): show them rather than hide them.
    for name, st in listener_status.items():
        if name and name not in seen:
            listeners.append(
                ListenerView(
                    name=name,
                    port=None,
                    protocol="",
                    hostname="",
                    allowed_routes="",
                    attached_routes=_int(st.get("attachedRoutes")),
                    conditions=parse_conditions(st.get("conditions")),
                )
            )
    addresses = tuple(
        _str(_map(a).get("value")) for a in _list(status.get("addresses")) if _map(a).get("value")
    )
    return GatewayView(
        ref=ObjectRef(_str(metadata.get("namespace")), _str(metadata.get("name"))),
        class_name=_str(spec.get("gatewayClassName")),
        conditions=parse_conditions(status.get("conditions")),
        addresses=addresses,
        listeners=tuple(listeners),
    )


def _is_v1alpha2(pool: Mapping[str, Any], v1alpha2_key: str, v1_key: str, section: str) -> bool:
    group = _api_group(pool)
    if group == POOL_GROUP_V1ALPHA2:
        return True
    if group == POOL_GROUP_V1:
        return False
    # No apiVersion (a hand-built dict): go by which key is present.
    part = _map(pool.get(section))
    return v1alpha2_key in part and v1_key not in part


def pool_parent_statuses(pool: dict[str, Any]) -> list[ParentConditions]:
    """Status entries of an InferencePool: v1 `status.parents`, v1alpha2 `status.parent`."""
    key = "parent" if _is_v1alpha2(pool, "parent", "parents", "status") else "parents"
    namespace = _namespace(pool)
    entries = _list(_map(pool.get("status")).get(key))
    return [
        _parent_conditions(e, namespace)
        for e in entries
        if type(e) is dict or isinstance(e, Mapping)
    ]


def parse_time(value: str) -> datetime | None:
    """An RFC 3339 timestamp as the API writes it; None when absent or malformed (UTC if naive)."""
    if not value:
        return None
    try:
        # fromisoformat on 3.10 does not take "Z".
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def human_duration(seconds: float) -> str:
    """A duration the way kubectl prints ages (apimachinery's HumanDuration)."""
    whole = int(seconds)
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 120:
        return f"{whole}s"
    minutes = whole // 60
    if minutes < 10:
        secs = whole % 60
        return f"{minutes}m{secs}s" if secs else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = whole // 3600
    if hours < 8:
        mins = minutes % 60
        return f"{hours}h{mins}m" if mins else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d{rest}h" if rest else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y{days}d" if days else f"{hours // 24 // 365}y"
    return f"{hours // 24 // 365}y"


def condition_age(cond: Condition, now: datetime) -> str:
    """Time since the condition last changed, kubectl-style ("5s", "3m", "2h", "4d")."""
    changed = parse_time(cond.last_transition_time)
    if changed is None:
        return "<unknown>"
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return human_duration((now - changed).total_seconds())
