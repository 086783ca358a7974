"""The `status -o json|yaml` report: a documented, stable shape for scripts. Pure.

```yaml
apiVersion: inferroute/v1
kind: StatusReport
namespace: llm                  # null with --all-namespaces
routes:
- namespace: llm
  name: qwen-pool
  verdict: Ready                # Ready | NotAccepted | Unresolved | NoController | Stale |
                                # Pending | Shadowed | Degraded
  ready: true
  created: "2025-01-01T00:00:00Z"
  generation: 2
  observedGeneration: 2         # the lowest observedGeneration in the route's conditions
  hostnames: [llm.example.com]
  paths: ["/"]                  # "/x" PathPrefix, "=/x" Exact, "~re" RegularExpression
  model: Qwen/Qwen3-32B         # its exact X-Gateway-Base-Model-Name match; null: any model
  gateways:
  - {namespace: llm, name: inference-gateway, sectionName: null, class: example,
     controller: example.com/gateway-controller, verdict: Ready, addresses: [10.0.0.1],
     programmed: "True"}
  pools:
  - {group: inference.networking.k8s.io, namespace: llm, name: qwen-pool, weight: 1}
  conditions:                   # status.parents[] flattened, as the controller wrote them
  - {parent: llm/inference-gateway, controller: ..., type: Accepted, status: "True",
     reason: Accepted, message: ..., observedGeneration: 2, lastTransitionTime: ...}
  findings:
  - {severity: error, subject: HTTPRoute llm/qwen-pool, what: ..., fix: ..., fixYaml: null}
  events:                       # only for one ROUTE: the newest 10 about the route, each of
                                # its Gateways and each of its pools, newest last
  - {object: {kind: Gateway, namespace: llm, name: inference-gateway}, type: Warning,
     reason: ..., count: 4, firstTimestamp: ..., lastTimestamp: ..., from: ..., message: ...}
unreadable:                     # kinds that could not be read; the rest is still reported
- {kind: gatewayclasses.gateway.networking.k8s.io, namespace: null, reason: forbidden}
probe: null                     # or the probe's result (see probe.ProbeResult.to_dict)
```
Keys are only ever added, never renamed or removed, within apiVersion inferroute/v1. `-o yaml`
keeps the order above; `-o json` prints it as `kubectl get -o json` prints objects (keys sorted,
four spaces a level), one route at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..core.basemodels import route_model
from ..core.diagnose import RouteDiagnosis
from ..core.events import EventSummary, recent
from ..core.inventory import Inventory, RouteInfo
from ..core.model import ObjectRef
from .kubejson import ANY, SCALAR, SCALARS, Record, render_record

API_VERSION = "inferroute/v1"
KIND = "StatusReport"
# How `kubectl get -o name` names an HTTPRoute.
ROUTE_RESOURCE = "httproute.gateway.networking.k8s.io"


CONDITION = Record(
    ("parent", SCALAR),
    ("controller", SCALAR),
    ("type", SCALAR),
    ("status", SCALAR),
    ("reason", SCALAR),
    ("message", SCALAR),
    ("observedGeneration", SCALAR),
    ("lastTransitionTime", SCALAR),
)
GATEWAY = Record(
    ("namespace", SCALAR),
    ("name", SCALAR),
    ("sectionName", SCALAR),
    ("class", SCALAR),
    ("controller", SCALAR),
    ("verdict", SCALAR),
    ("addresses", SCALARS),
    ("programmed", SCALAR),
)
POOL = Record(("group", SCALAR), ("namespace", SCALAR), ("name", SCALAR), ("weight", SCALAR))
FINDING = Record(
    ("severity", SCALAR),
    ("subject", SCALAR),
    ("what", SCALAR),
    ("fix", SCALAR),
    ("fixYaml", SCALAR),
)
# One route of the report: route_entry's dict for -o yaml and JSONPath; -o json writes the same
# row straight to text (render_route_json), because building a dict per route and walking it
# again to indent it was most of the cost of printing ten thousand routes.
ROUTE = Record(
    ("namespace", SCALAR),
    ("name", SCALAR),
    ("verdict", SCALAR),
    ("ready", SCALAR),
    ("created", SCALAR),
    ("generation", SCALAR),
    ("observedGeneration", SCALAR),
    ("hostnames", SCALARS),
    ("paths", SCALARS),
    ("model", SCALAR),
    ("gateways", GATEWAY),
    ("pools", POOL),
    ("conditions", CONDITION),
    ("findings", FINDING),
)
ROUTE_WITH_EVENTS = Record(*ROUTE.members, ("events", ANY))


# What a report's rows take from a Gateway, the same for every route on it: the key its
# judgements go by, its class, addresses and Programmed status (None each when it is not read).
GatewayFacts = tuple[ObjectRef, str | None, tuple[str, ...], str | None]
# A report's GatewayFacts, by the (namespace, name, sectionName) routes name their parents with:
# one per report (iter_report_json's, iter_route_entries'), as ten thousand routes share a
# thousand Gateways.
GatewayCache = dict[tuple[str, str, str | None], GatewayFacts]


def _gateway_facts(parent: tuple[str, str, str | None], inv: Inventory) -> GatewayFacts:
    key = ObjectRef(parent[0], parent[1])
    # Dict lookups, not scans: ten thousand routes times a thousand Gateways is quadratic.
    view = inv.gateways.get(key)
    if view is None:
        return key, None, (), None
    programmed = next((c.status for c in view.conditions if c.type == "Programmed"), None)
    return key, view.class_name, view.addresses, programmed


def _gateway_rows(
    diag: RouteDiagnosis, inv: Inventory, known: GatewayCache
) -> list[tuple[Any, ...]]:
    route = diag.route
    judged = {j.gateway: j.verdict.state for j in diag.judgements}
    # Each Gateway's controllers, from one pass over the route's status entries.
    controllers: dict[tuple[str, str], set[str]] = {}
    for entry in route.parents:
        ref = entry.ref
        if entry.controller and ref.is_gateway:
            controllers.setdefault((ref.namespace, ref.name), set()).add(entry.controller)
    rows = []
    for parent in route.summary.parents:
        facts = known.get(parent)
        if facts is None:
            facts = known[parent] = _gateway_facts(parent, inv)
        key, class_name, addresses, programmed = facts
        names = controllers.get(parent[:2])
        rows.append(
            (
                *parent,
                class_name,
                ", ".join(sorted(names)) if names else None,
                judged.get(key),
                addresses,
                programmed,
            )
        )
    return rows


def _condition_rows(route: RouteInfo) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for entry in route.parents:
        # A Condition's fields are the row's after parent and controller, in the same order.
        head = (entry.parent, entry.controller)
        rows += [
            head + c if c.last_transition_time else head + c[:5] + (None,) for c in entry.conditions
        ]
    return rows


def route_row(
    diag: RouteDiagnosis, inv: Inventory, known: GatewayCache | None = None
) -> tuple[Any, ...]:
    """One route of the report, as a ROUTE row; `known` is the report's GatewayCache."""
    route = diag.route
    summary = route.summary
    return (
        summary.ref.namespace,
        summary.ref.name,
        diag.verdict,
        diag.ready,
        summary.created or None,
        route.generation,
        route.observed_generation,
        summary.hostnames,
        route.paths,
        route_model(summary) or None,
        _gateway_rows(diag, inv, {} if known is None else known),
        summary.pools,
        _condition_rows(route),
        # A Finding's first fields are the row's, in the same order.
        [f[:5] for f in diag.findings],
    )


def route_entry(
    diag: RouteDiagnosis, inv: Inventory, known: GatewayCache | None = None
) -> dict[str, Any]:
    """One route of the report; `known` is the report's GatewayCache."""
    return ROUTE.as_dict(route_row(diag, inv, known))


def render_route_json(
    diag: RouteDiagnosis,
    inv: Inventory,
    events: bool,
    level: int,
    known: GatewayCache | None = None,
) -> str:
    """render_value(the route's iter_route_entries entry, level), without building it; `known`
    is the report's GatewayCache."""
    row = route_row(diag, inv, known)
    if events:
        return render_record(ROUTE_WITH_EVENTS, (*row, route_events(diag, inv)), level)
    return render_record(ROUTE, row, level)


def _event(event: EventSummary) -> dict[str, Any]:
    return {
        "object": {"kind": event.kind, "namespace": event.namespace, "name": event.name},
        "type": event.type,
        "reason": event.reason,
        "count": event.times,
        "firstTimestamp": event.first or None,
        "lastTimestamp": event.last or None,
        "from": event.source or None,
        "message": event.message,
    }


def route_events(diag: RouteDiagnosis, inv: Inventory) -> list[dict[str, Any]]:
    """The events read about a route, its Gateways and its pools, newest last."""
    summary = diag.route.summary
    about = [("HTTPRoute", summary.ref)]
    about += [("Gateway", ObjectRef(ns, name)) for ns, name, _ in summary.parents]
    about += [("InferencePool", ObjectRef(ns, name)) for _, ns, name, _ in summary.pools]
    found = [e for key in dict.fromkeys(about) for e in inv.events.get(key, ())]
    return [_event(e) for e in recent(found, limit=0)]


def build_report(
    diagnoses: list[RouteDiagnosis], inv: Inventory, probe: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The whole report: routes, what could not be read, and the probe's result if any."""
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "namespace": inv.namespace,
        "routes": list(iter_route_entries(diagnoses, inv)),
        "unreadable": [
            {"kind": u.kind, "namespace": u.namespace, "reason": u.reason} for u in inv.unreadable
        ],
        "probe": probe,
    }


def _reports_events(inv: Inventory) -> bool:
    return bool(inv.events_read) or any(u.kind == "events" for u in inv.unreadable)


def iter_route_entries(
    diagnoses: Iterable[RouteDiagnosis], inv: Inventory
) -> Iterator[dict[str, Any]]:
    """The report's routes, one at a time; with their events when events were read."""
    events = _reports_events(inv)
    known: GatewayCache = {}
    for diag in diagnoses:
        entry = route_entry(diag, inv, known)
        if events:
            entry["events"] = route_events(diag, inv)
        yield entry


def render_report_names(report: dict[str, Any]) -> str:
    """`-o name`: one `httproute.gateway.networking.k8s.io/NAME` line per route, as kubectl
    prints them (without the namespace, with --all-namespaces too); nothing when there is none."""
    return "".join(f"{ROUTE_RESOURCE}/{route['name']}\n" for route in report["routes"])


def render_report_json(report: dict[str, Any]) -> str:
    """The report as `kubectl get -o json` prints objects: 4-space indentation, sorted keys,
    Go's escapes, a final newline (render/kubejson.py)."""
    from .kubejson import render_object

    return render_object(report)


def iter_report_json(
    diagnoses: Iterable[RouteDiagnosis], inv: Inventory, probe: dict[str, Any] | None = None
) -> Iterator[str]:
    """render_report_json(build_report(...)) in pieces, one route at a time: neither every
    route's entry nor the whole text (18 MB at ten thousand routes) is ever held."""
    from .kubejson import iter_object

    envelope = build_report([], inv, probe)
    del envelope["routes"]
    events = _reports_events(inv)
    known: GatewayCache = {}
    return iter_object(
        envelope,
        "routes",
        diagnoses,
        lambda diag, level: render_route_json(diag, inv, events, level, known),
    )
