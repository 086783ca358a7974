"""What `status` knows of the cluster, as summaries, and the reducers that make them (pure).

`cluster/inventory.py` reads the pages and feeds them through these reducers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from .events import EventSummary
from .fields import as_int as _int
from .fields import as_list as _list
from .fields import as_map as _map
from .fields import as_str as _str
from .grants import GrantState  # GrantState stays importable from here (__all__)
from .model import (
    DEFAULT_POOL_PORT,
    POOLS_V1,
    POOLS_V1ALPHA2,
    Condition,
    ObjectRef,
    ResourceApi,
)
from .precedence import RouteSummary, summarize_route_paths
from .verify import (
    ACCEPTED,
    GatewayView,
    ParentConditions,
    RouteFacts,
    parent_statuses,
    parse_conditions,
    pool_parent_statuses,
)

if TYPE_CHECKING:
    pass


class Unreadable(NamedTuple):
    """A kind (in a namespace, or everywhere) that could not be read, and why."""

    kind: str
    namespace: str | None
    reason: str

    def describe(self) -> str:
        where = f" in namespace {self.namespace}" if self.namespace else ""
        return f"{self.kind}{where}: {self.reason}"


class RouteInfo(NamedTuple):
    """An HTTPRoute with at least one InferencePool backendRef, reduced to what status shows."""

    summary: RouteSummary
    generation: int | None
    parents: tuple[ParentConditions, ...]
    paths: tuple[str, ...]  # "/" for PathPrefix /, "=/x" for Exact /x, "~re" for regex

    @property
    def facts(self) -> RouteFacts:
        """What the verdict reads (one definition of the verdict for `expose` and `status`):
        the route's InferencePool backendRefs, the backends `status` judges."""
        summary = self.summary
        namespace = summary.ref.namespace
        return RouteFacts(
            summary.ref,
            self.generation,
            summary.hostnames,
            tuple((group, ns or namespace) for group, ns, _, _ in summary.pools),
            self.parents,
        )

    @property
    def ref(self) -> ObjectRef:
        return self.summary.ref

    @property
    def observed_generation(self) -> int | None:
        seen = [
            c.observed_generation
            for p in self.parents
            for c in p.conditions
            if c.observed_generation is not None
        ]
        return min(seen) if seen else None


class PoolState(NamedTuple):
    """An InferencePool (v1 or v1alpha2), for every command: selector, ports, endpoint picker,
    parent statuses."""

    ref: ObjectRef
    group: str
    version: str
    selector: tuple[tuple[str, str], ...]
    target_ports: tuple[int, ...]
    picker: str  # the endpoint picker Service's name, "" when the pool names none
    picker_port: int | None
    parents: tuple[ParentConditions, ...]
    # metadata.creationTimestamp: a BackendNotFound older than the pool is stale (verify).
    created: str = ""

    @property
    def selector_text(self) -> str:
        return ",".join(f"{k}={v}" for k, v in self.selector)

    @property
    def api(self) -> ResourceApi:
        return POOLS_V1ALPHA2 if self.version == POOLS_V1ALPHA2.version else POOLS_V1

    @property
    def port(self) -> int:
        """The backendRef port a route uses: the pool's first target port."""
        return self.target_ports[0] if self.target_ports else DEFAULT_POOL_PORT

    def describe(self) -> str:
        first = self.target_ports[0] if self.target_ports else "-"
        return (
            f"InferencePool {self.ref} ({self.group}/{self.version}; "
            f"selector {self.selector_text or '-'}; target port {first})"
        )


class ClassState(NamedTuple):
    name: str
    controller: str
    accepted: Condition | None


class PodCount(NamedTuple):
    total: int
    ready: int


@dataclass
class Inventory:
    """Everything status knows about the cluster, as summaries."""

    namespace: str | None  # None: every namespace
    routes: list[RouteInfo] = field(default_factory=list)
    # Routes accepted by some Gateway: the ones that can take traffic from others (shadowing).
    competitors: list[RouteSummary] = field(default_factory=list)
    gateways: dict[ObjectRef, GatewayView] = field(default_factory=dict)
    classes: dict[str, ClassState] = field(default_factory=dict)
    classes_read: bool = False
    pools: dict[tuple[str, ObjectRef], PoolState] = field(default_factory=dict)
    pool_groups: tuple[str, ...] = ()
    # Pools were listed here (None: everywhere): a pool missing from there is really missing.
    pool_scopes: set[str | None] = field(default_factory=set)
    gateway_scopes: set[str | None] = field(default_factory=set)
    services: dict[ObjectRef, bool] = field(default_factory=dict)  # exists?
    pods: dict[tuple[str, ObjectRef], PodCount] = field(default_factory=dict)
    grants: dict[str, list[GrantState]] = field(default_factory=dict)  # by namespace
    unreadable: list[Unreadable] = field(default_factory=list)
    # One route's detail only: its, its Gateways' and its pools' newest events, by kind and
    # object, and the kinds whose events were read (an object of such a kind without events
    # had none).
    events: dict[tuple[str, ObjectRef], list[EventSummary]] = field(default_factory=dict)
    events_read: set[str] = field(default_factory=set)
    # The payload processor's ConfigMaps (basemodels.ModelMapping), read only when some route
    # takes one model's requests; None: not read (no such route, or it could not be listed).
    model_mappings: list[Any] | None = None

    def pool(self, group: str, ref: ObjectRef) -> PoolState | None:
        return self.pools.get((group, ref))

    def pool_known_missing(self, ref: ObjectRef) -> bool:
        return None in self.pool_scopes or ref.namespace in self.pool_scopes

    def gateway_known_missing(self, ref: ObjectRef) -> bool:
        return None in self.gateway_scopes or ref.namespace in self.gateway_scopes


# ---------------------------------------------------------------------------------------------
# Reducers: one object → one summary. Pure.


_PATH_MARKS = {"Exact": "=", "RegularExpression": "~"}


def _accepted_anywhere(parents: tuple[ParentConditions, ...]) -> bool:
    for parent in parents:
        for condition in parent.conditions:
            if condition.type == ACCEPTED and condition.status == "True":
                return True
    return False


def reduce_route(obj: dict[str, Any]) -> tuple[RouteSummary, RouteInfo | None, bool]:
    """(precedence summary, the route's status info when it uses a pool, accepted anywhere?)."""
    summary, match_paths = summarize_route_paths(obj)
    status = obj.get("status")
    entries = (status if type(status) is dict else _map(status)).get("parents")
    parents = tuple(parent_statuses(entries, summary.ref.namespace))
    if not summary.pools:
        return summary, None, _accepted_anywhere(parents)  # not shown: does it compete?
    meta = obj.get("metadata")
    generation = (meta if type(meta) is dict else _map(meta)).get("generation")
    # The match paths, each once, in order: "/" for PathPrefix /, "=/x" for Exact /x.
    paths = tuple(dict.fromkeys([_PATH_MARKS.get(kind, "") + path for kind, path in match_paths]))
    # tuple.__new__, not RouteInfo's Python __new__, as for the summary's NamedTuples.
    info = tuple.__new__(
        RouteInfo,
        (summary, generation if type(generation) is int else _int(generation), parents, paths),
    )
    return summary, info, _accepted_anywhere(parents)


def reduce_pool(obj: dict[str, Any], api: ResourceApi) -> PoolState:
    meta = _map(obj.get("metadata"))
    spec = _map(obj.get("spec"))
    if api.version == "v1alpha2":
        selector = _map(spec.get("selector"))
        port = _int(spec.get("targetPortNumber"))
        ports: tuple[int, ...] = (port,) if port is not None else ()
        picker_ref = _map(spec.get("extensionRef"))
        picker_port = _int(picker_ref.get("portNumber"))
    else:
        selector = _map(_map(spec.get("selector")).get("matchLabels"))
        ports = tuple(
            p for p in (_int(_map(t).get("number")) for t in _list(spec.get("targetPorts"))) if p
        )
        picker_ref = _map(spec.get("endpointPickerRef"))
        picker_port = _int(_map(picker_ref.get("port")).get("number"))
    return PoolState(
        ref=ObjectRef(_str(meta.get("namespace")), _str(meta.get("name"))),
        group=api.group,
        version=api.version,
        selector=tuple(sorted((str(k), str(v)) for k, v in selector.items())),
        target_ports=ports,
        picker=_str(picker_ref.get("name")),
        picker_port=picker_port,
        parents=tuple(pool_parent_statuses(obj)),
        created=_str(meta.get("creationTimestamp")),
    )


def reduce_class(obj: dict[str, Any]) -> ClassState:
    conditions = parse_conditions(_map(obj.get("status")).get("conditions"))
    return ClassState(
        name=_str(_map(obj.get("metadata")).get("name")),
        controller=_str(_map(obj.get("spec")).get("controllerName")),
        accepted=next((c for c in conditions if c.type == ACCEPTED), None),
    )


def pod_ready(obj: Mapping[str, Any]) -> bool:
    conditions = _list(_map(obj.get("status")).get("conditions"))
    return any(
        _map(c).get("type") == "Ready" and _map(c).get("status") == "True" for c in conditions
    )
