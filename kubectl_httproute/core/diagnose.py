"""Summaries → a verdict per route and findings: one line saying what is wrong, one saying the fix.

Pure: it reads the Inventory the cluster reads produced and never asks for more. The route's
own conditions are judged by `verify.route_verdict` (one definition of the verdict); this module
adds what the route's status cannot say: the class with no controller, the listener that does
not admit the namespace, the group that holds a pool of that name, the ReferenceGrant to create,
the Gateway and pools the route depends on, and shadowing by another route.
"""

from __future__ import annotations

from typing import NamedTuple

from .basemodels import (
    MODEL_HEADER,
    in_namespaces,
    mapping_example,
    route_model,
    routes_by_model,
    sets_header_itself,
)
from .findings import ERROR, SHADOWED_CHECK, WARNING, Finding
from .inventory import Inventory, PoolState, RouteInfo
from .model import POOL_GROUP_V1, Condition, ObjectRef
from .precedence import Shadowing, shadowed_routes
from .verdict import (
    DEGRADED,
    NO_CONTROLLER,
    NOT_ACCEPTED,
    PENDING,
    STALE,
    UNRESOLVED,
    Verdict,
    is_healthy,
    shadowed_state,
    worst,
)
from .verify import ACCEPTED, RESOLVED_REFS, GatewayView, route_verdict, stale_not_found


class GatewayJudgement(NamedTuple):
    gateway: ObjectRef
    class_name: str
    verdict: Verdict


class RouteDiagnosis(NamedTuple):
    route: RouteInfo
    verdict: str
    judgements: tuple[GatewayJudgement, ...]
    findings: tuple[Finding, ...]

    @property
    def ready(self) -> bool:
        return is_healthy(self.verdict)


class SharedFindings(NamedTuple):
    """The findings about Gateways and pools, judged once for all the routes of an overview:
    every route on a Gateway, through a pool, gets the same ones."""

    # by the Gateway's key in Inventory.gateways
    gateways: dict[ObjectRef, list[Finding]]
    # by the pool's key in Inventory.pools, the Gateway, and whether the route is accepted there
    pools: dict[tuple[str, ObjectRef, ObjectRef, bool], list[Finding]]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _route_subject(route: RouteInfo) -> str:
    return f"HTTPRoute {route.ref}"


def _find(conditions: tuple[Condition, ...], type_: str) -> Condition | None:
    for condition in conditions:
        if condition.type == type_:
            return condition
    return None


def _failing_condition(route: RouteInfo, gateway: ObjectRef, type_: str) -> Condition | None:
    for parent in route.parents:
        if not parent.ref.refers_to(gateway):
            continue
        condition = _find(parent.conditions, type_)
        if condition is not None and condition.status == "False":
            return condition
    return None


def _controllers(route: RouteInfo, gateway: ObjectRef) -> str:
    names = sorted(
        {p.controller for p in route.parents if p.controller and p.ref.refers_to(gateway)}
    )
    return ", ".join(names)


# ---------------------------------------------------------------------------------------------
# Per reason.


def _no_controller(
    route: RouteInfo, gateway: ObjectRef, view: GatewayView | None, inv: Inventory
) -> Finding:
    subject = _route_subject(route)
    if view is None:
        if inv.gateway_known_missing(gateway):
            return Finding(
                ERROR,
                subject,
                f"no controller has written status: its parent Gateway {gateway} does not exist",
                f"create Gateway {gateway}, or point spec.parentRefs at an existing Gateway "
                f"(`kubectl get gateways -A`)",
            )
        return Finding(
            ERROR,
            subject,
            f"no controller has written status for Gateway {gateway} (the Gateway could not "
            "be read)",
            f"check `kubectl get gateway {gateway.name} -n {gateway.namespace} -o yaml` and its "
            "GatewayClass's controller",
        )
    cls = view.class_name or "<none>"
    state = inv.classes.get(view.class_name)
    if state is None and inv.classes_read:
        installed = ", ".join(sorted(inv.classes)) or "none"
        return Finding(
            ERROR,
            subject,
            f"no controller has written status: Gateway {gateway} uses GatewayClass {cls}, "
            "which does not exist",
            f"set the Gateway's spec.gatewayClassName to an installed class (installed: "
            f"{installed}), or install the gateway implementation that provides {cls}",
        )
    if state is None:
        return Finding(
            ERROR,
            subject,
            f"no controller has written status for Gateway {gateway} (class {cls}; the "
            "GatewayClass could not be read)",
            f"check `kubectl get gatewayclass {cls} -o yaml` and that its controller is running",
        )
    controller = state.controller or "<none>"
    if state.accepted is None or state.accepted.status != "True":
        how = (
            "has no status"
            if state.accepted is None
            else f"is not Accepted ({state.accepted.reason or state.accepted.status})"
        )
        return Finding(
            ERROR,
            subject,
            f"no controller has written status: GatewayClass {cls} (controllerName "
            f"{controller}) {how}, so no controller owns Gateway {gateway}",
            f"install or start the controller {controller} (check its pods and logs), or use a "
            "GatewayClass whose controller runs",
        )
    return Finding(
        ERROR,
        subject,
        f"no controller has written status for Gateway {gateway}: GatewayClass {cls} is "
        f"Accepted (controllerName {controller}) but the route was never processed",
        f"check the logs of {controller}; the route may be filtered (e.g. by namespace or "
        "label) by that controller",
    )


def _listener_words(view: GatewayView | None) -> str:
    if view is None or not view.listeners:
        return "no listeners known"
    return "; ".join(
        f"{lst.name} ({lst.protocol}/{lst.port if lst.port is not None else '?'}"
        + (f", hostname {lst.hostname}" if lst.hostname else "")
        + f", allowedRoutes {lst.allowed_routes or 'Same'})"
        for lst in view.listeners
    )


def _not_accepted(
    route: RouteInfo,
    gateway: ObjectRef,
    view: GatewayView | None,
    verdict: Verdict,
    cond: Condition,
) -> Finding:
    subject = _route_subject(route)
    reason = cond.reason
    if reason == "NotAllowedByListeners":
        return Finding(
            ERROR,
            subject,
            f"Gateway {gateway} does not admit routes from namespace {route.ref.namespace}: "
            f"listeners {_listener_words(view)}",
            verdict.fix,
        )
    if reason == "NoMatchingListenerHostname":
        hosts = ", ".join(route.summary.hostnames) or "none"
        return Finding(
            ERROR,
            subject,
            f"the route's hostnames ({hosts}) match no listener hostname of Gateway {gateway}: "
            f"listeners {_listener_words(view)}",
            verdict.fix,
        )
    if reason == "NoMatchingParent":
        sections = [s for ns, n, s in route.summary.parents if ObjectRef(ns, n) == gateway and s]
        named = f"sectionName {', '.join(sections)}" if sections else "its sectionName or port"
        return Finding(
            ERROR,
            subject,
            f"the parentRef's {named} names no listener of Gateway {gateway}: listeners "
            f"{_listener_words(view)}",
            verdict.fix,
        )
    return Finding(ERROR, subject, verdict.summary, verdict.fix)


def _backend_not_found(route: RouteInfo, inv: Inventory, verdict: Verdict) -> list[Finding]:
    subject = _route_subject(route)
    findings = []
    for group, ns, name, _ in route.summary.pools:
        ref = ObjectRef(ns, name)
        if inv.pool(group, ref) is not None:
            continue
        elsewhere = [g for g in inv.pool_groups if g != group and inv.pool(g, ref) is not None]
        if elsewhere:
            findings.append(
                Finding(
                    ERROR,
                    subject,
                    f"backendRef {name} uses group {group or '<none>'}, but the InferencePool "
                    f"{ref} is in group {elsewhere[0]}",
                    f"set the backendRef's group to {elsewhere[0]} (`kubectl edit httproute "
                    f"{route.ref.name} -n {route.ref.namespace}`)",
                )
            )
        elif group not in inv.pool_groups and inv.pool_groups:
            findings.append(
                Finding(
                    ERROR,
                    subject,
                    f"backendRef {name} uses group {group or '<none>'}, which this cluster does "
                    f"not serve (it serves {', '.join(inv.pool_groups)})",
                    f"set the backendRef's group to {inv.pool_groups[0]}",
                )
            )
        elif inv.pool_known_missing(ref):
            findings.append(
                Finding(
                    ERROR,
                    subject,
                    f"InferencePool {ref} does not exist (backendRef group {group})",
                    f"create the pool (e.g. the inferencepool Helm chart) or fix the "
                    f"backendRef name; see `kubectl get inferencepools -n {ns}`",
                )
            )
    return findings or [Finding(ERROR, subject, verdict.summary, verdict.fix)]


def _ref_not_permitted(route: RouteInfo, verdict: Verdict) -> list[Finding]:
    from .manifest import build_reference_grant, render_yaml

    subject = _route_subject(route)
    findings = []
    for group, ns, name, _ in route.summary.pools:
        if ns == route.ref.namespace:
            continue
        grant = build_reference_grant(route.ref.namespace, ns, group or POOL_GROUP_V1, name)
        findings.append(
            Finding(
                ERROR,
                subject,
                f"backendRef to InferencePool {ns}/{name} is not permitted: no ReferenceGrant "
                f"in namespace {ns} allows HTTPRoutes from namespace {route.ref.namespace}",
                f"create this ReferenceGrant in namespace {ns} (`kubectl apply -f -`)",
                render_yaml(grant),
            )
        )
    return findings or [Finding(ERROR, subject, verdict.summary, verdict.fix)]


def _unresolved(
    route: RouteInfo, inv: Inventory, verdict: Verdict, cond: Condition
) -> list[Finding]:
    if cond.reason == "BackendNotFound":
        return _backend_not_found(route, inv, verdict)
    if cond.reason == "RefNotPermitted":
        return _ref_not_permitted(route, verdict)
    return [Finding(ERROR, _route_subject(route), verdict.summary, verdict.fix)]


def _gateway_findings(view: GatewayView) -> list[Finding]:
    subject = f"Gateway {view.ref}"
    findings = []
    programmed = _find(view.conditions, "Programmed")
    if view.conditions and (programmed is None or programmed.status != "True"):
        why = (
            f"{programmed.reason}: {_one_line(programmed.message)}"
            if programmed is not None
            else "no Programmed condition"
        )
        findings.append(
            Finding(
                ERROR,
                subject,
                f"the Gateway is not Programmed ({why})",
                f"check the gateway implementation's pods and its load balancer "
                f"(`kubectl describe gateway {view.ref.name} -n {view.ref.namespace}`)",
            )
        )
    if view.conditions and not view.addresses:
        findings.append(
            Finding(
                ERROR,
                subject,
                "the Gateway has no address (status.addresses is empty)",
                "wait for the load balancer, or check the Gateway's Service and the "
                "implementation's logs; without an address no client can reach it",
            )
        )
    return findings


def _edit_pool(pool: PoolState) -> str:
    return f"`kubectl edit inferencepool {pool.ref.name} -n {pool.ref.namespace}`"


def _pool_findings(
    pool: PoolState, gateway: ObjectRef, route_accepted: bool, inv: Inventory
) -> list[Finding]:
    subject = f"InferencePool {pool.ref}"
    findings: list[Finding] = []
    reasons = {
        c.reason: c
        for p in pool.parents
        for c in p.conditions
        if c.status == "False" and p.ref.refers_to(gateway)
    }
    if "EndpointPickerRefMissing" in reasons or (not pool.picker and pool.group == POOL_GROUP_V1):
        edit = _edit_pool(pool)
        findings.append(
            Finding(
                ERROR,
                subject,
                "the pool names no endpoint picker (spec.endpointPickerRef is missing)",
                f"set spec.endpointPickerRef to the endpoint picker Service ({edit}), or "
                "reinstall the pool with the inferencepool Helm chart, which deploys one",
            )
        )
    picker = ObjectRef(pool.ref.namespace, pool.picker) if pool.picker else None
    if "InvalidExtensionRef" in reasons or (
        picker is not None and inv.services.get(picker) is False
    ):
        name = pool.picker or "<none>"
        edit = _edit_pool(pool)
        findings.append(
            Finding(
                ERROR,
                subject,
                f"the endpoint picker Service {pool.ref.namespace}/{name} does not exist "
                "(InvalidExtensionRef)",
                f"deploy the endpoint picker (EPP) Service {name} in namespace "
                f"{pool.ref.namespace}, or point the pool's endpoint picker at the right Service "
                f"({edit})",
            )
        )
    if route_accepted and not any(p.ref.refers_to(gateway) for p in pool.parents):
        findings.append(
            Finding(
                WARNING,
                subject,
                f"the pool has no status for Gateway {gateway}: its controller has not taken "
                "the pool as a backend",
                "check that the gateway implementation's inference extension is enabled and "
                "look at its logs",
            )
        )
    count = inv.pods.get((pool.group, pool.ref))
    if count is not None and count.total == 0:
        findings.append(
            Finding(
                ERROR,
                subject,
                f"the selector {pool.selector_text or '<empty>'} matches no pods in namespace "
                f"{pool.ref.namespace}",
                "fix spec.selector to match the model server pods' labels, or deploy the model "
                "server (`kubectl get pods -n " + pool.ref.namespace + " --show-labels`)",
            )
        )
    elif count is not None and count.ready == 0:
        findings.append(
            Finding(
                ERROR,
                subject,
                f"none of the {count.total} pods the selector matches is Ready",
                f"check the model server pods (`kubectl get pods -n {pool.ref.namespace} -l "
                f"{pool.selector_text}`)",
            )
        )
    return findings


# ---------------------------------------------------------------------------------------------
# The route.


def _existing_pools(route: RouteInfo, inv: Inventory) -> list[tuple[str, ObjectRef, PoolState]]:
    """The route's pools that the inventory holds, each with its key there, in backendRef order
    (repeats kept)."""
    pools = []
    for group, ns, name, _ in route.summary.pools:
        ref = ObjectRef(ns, name)
        pool = inv.pool(group, ref)
        if pool is not None:
            pools.append((group, ref, pool))
    return pools


def _pools_created(pools: list[tuple[str, ObjectRef, PoolState]]) -> dict[ObjectRef, str]:
    """The route's pools that exist, with their creationTimestamp (a stale BackendNotFound)."""
    created = {}
    for _, _, pool in pools:
        created[pool.ref] = pool.created
    return created


def _accepted_on(route: RouteInfo, gateway: ObjectRef) -> bool:
    for parent in route.parents:
        if parent.ref.refers_to(gateway):
            for condition in parent.conditions:
                if condition.type == ACCEPTED and condition.status == "True":
                    return True
    return False


# ---------------------------------------------------------------------------------------------
# Several models on one Gateway.


def _model_findings(
    route: RouteInfo,
    inv: Inventory,
    twins: dict[tuple[ObjectRef, str], tuple[ObjectRef, ...]],
    shadowed: bool,
) -> list[Finding]:
    """A route that takes one model's requests: another route for that model on the Gateway,
    nothing that sets the header, a model name that is an adapter, a pool with no Ready pod."""
    model = route_model(route.summary)
    if not model:
        return []
    from .manifest import render_yaml  # PyYAML: only for a route that takes one model

    subject = _route_subject(route)
    findings: list[Finding] = []
    gateways = list(dict.fromkeys(ObjectRef(ns, n) for ns, n, _ in route.summary.parents))
    for gateway in gateways:
        same = twins.get((gateway, model), ())
        if len(same) > 1 and not shadowed:  # a shadowed route's finding says it already
            # Named up to three: thousands of routes for one model stay linear, and readable.
            named = [r for r in same[:4] if r != route.ref][:3]
            more = len(same) - 1 - len(named)
            who = ", ".join(f"HTTPRoute {r}" for r in named) + (f" and {more} more" if more else "")
            findings.append(
                Finding(
                    WARNING,
                    subject,
                    f"{who} also take{'s' if len(same) == 2 else ''} model {model} "
                    f"on Gateway {gateway}: which one gets a request depends on hostnames, "
                    "paths and age",
                    "keep one route per model and Gateway: put the pools in one route (weights "
                    "split the traffic), or delete the extra route",
                )
            )
        if inv.model_mappings is None:
            continue  # not read: unreadable says so
        index = in_namespaces(inv.model_mappings, (route.ref.namespace, gateway.namespace))
        view = inv.gateways.get(gateway)
        state = inv.classes.get(view.class_name) if view is not None else None
        itself = state is not None and sets_header_itself(state.controller)
        bases = [base for _, base in index.adapters.get(model, ()) if base]
        if bases and not index.declares_base(model):
            findings.append(
                Finding(
                    ERROR,
                    subject,
                    f"model {model} is an adapter of base model {bases[0]}: the {MODEL_HEADER} "
                    "header carries base model names, so no request matches this route",
                    f"match the base model instead: header value {bases[0]}",
                )
            )
        elif not index.declares_base(model) and not itself and state is not None:
            findings.append(
                Finding(
                    WARNING,
                    subject,
                    f"nothing sets {MODEL_HEADER} for model {model} on Gateway {gateway}: no "
                    "payload processor ConfigMap declares it and the implementation "
                    f"({state.controller or '<none>'}) does not set the header itself",
                    "add the mapping for the payload processor (IPP) with `kubectl apply -f -`:",
                    render_yaml(mapping_example(model, route.ref.namespace)),
                )
            )
    for group, ns, name, _ in route.summary.pools:
        pool = inv.pool(group, ObjectRef(ns, name))
        count = inv.pods.get((group, pool.ref)) if pool is not None else None
        if count is not None and count.ready == 0:
            pods = f"{count.total} pod(s), none Ready" if count.total else "no pods"
            findings.append(
                Finding(
                    ERROR,
                    subject,
                    f"model {model} has no Ready model server: InferencePool {ns}/{name} has "
                    f"{pods}, so its requests get 503",
                    f"check the model server pods (`kubectl get pods -n {ns} -l "
                    f"{pool.selector_text if pool is not None else ''}`)",
                )
            )
    return findings


def _add_new(findings: list[Finding], found: list[Finding]) -> None:
    """Append the findings not there yet: a pool the route reaches through two Gateways may say
    the same thing for each."""
    for finding in found:
        if finding not in findings:
            findings.append(finding)


def diagnose_route(
    route: RouteInfo,
    inv: Inventory,
    shadowing: Shadowing | None = None,
    twins: dict[tuple[ObjectRef, str], tuple[ObjectRef, ...]] | None = None,
    shared: SharedFindings | None = None,
) -> RouteDiagnosis:
    """The route's verdict (worst over its Gateways) and every finding with its fix; `shared`
    keeps the Gateways' and pools' findings for the next route."""
    findings: list[Finding] = []
    judgements: list[GatewayJudgement] = []
    states: list[str] = []
    gateways = list(dict.fromkeys(ObjectRef(ns, n) for ns, n, _ in route.summary.parents))
    subject = _route_subject(route)
    if not gateways:
        findings.append(
            Finding(
                ERROR,
                subject,
                "the route has no Gateway in spec.parentRefs",
                "add a parentRef to the Gateway that should serve it",
            )
        )
        states.append(NO_CONTROLLER)
    if shared is None:
        shared = SharedFindings({}, {})  # one route alone (status ROUTE): nothing to share
    # Once per route, not per Gateway: what the verdict reads, and the pools the route names.
    facts = route.facts
    pools = _existing_pools(route, inv)
    pools_created = _pools_created(pools)
    for gateway in gateways:
        view = inv.gateways.get(gateway)
        class_name = view.class_name if view is not None else ""
        verdict = route_verdict(facts, gateway, class_name or None)
        stale_refs = stale_not_found(facts, gateway, pools_created)
        verdict = stale_refs or verdict
        judgements.append(GatewayJudgement(gateway, class_name, verdict))
        states.append(verdict.state)
        if verdict.state == NO_CONTROLLER:
            findings.append(_no_controller(route, gateway, view, inv))
        elif stale_refs is not None:
            # Not a missing pool: the pool came after the controller's last look.
            findings.append(Finding(ERROR, subject, verdict.summary, verdict.fix))
        elif verdict.state == STALE:
            controller = _controllers(route, gateway) or "the gateway controller"
            findings.append(
                Finding(
                    WARNING,
                    subject,
                    f"stale status: {verdict.summary}",
                    f"wait a moment; if it stays behind, {controller} is stuck or failing: "
                    "check its logs",
                )
            )
        elif verdict.state == NOT_ACCEPTED:
            cond = _failing_condition(route, gateway, ACCEPTED)
            if cond is not None:
                findings.append(_not_accepted(route, gateway, view, verdict, cond))
            else:
                findings.append(Finding(ERROR, subject, verdict.summary, verdict.fix))
        elif verdict.state == UNRESOLVED:
            cond = _failing_condition(route, gateway, RESOLVED_REFS)
            if cond is not None:
                findings.extend(_unresolved(route, inv, verdict, cond))
            else:
                findings.append(Finding(ERROR, subject, verdict.summary, verdict.fix))
        elif verdict.state == PENDING:
            findings.append(Finding(WARNING, subject, verdict.summary, verdict.fix))
        if view is not None:
            found = shared.gateways.get(gateway)
            if found is None:
                found = shared.gateways[gateway] = _gateway_findings(view)
            _add_new(findings, found)
        accepted = _accepted_on(route, gateway)
        for group, ref, pool in pools:
            key = (group, ref, gateway, accepted)
            found = shared.pools.get(key)
            if found is None:
                found = shared.pools[key] = _pool_findings(pool, gateway, accepted, inv)
            _add_new(findings, found)
    state = worst(states)
    if shadowing is not None:
        findings.append(
            Finding(
                ERROR,
                subject,
                f"shadowed on Gateway {shadowing.gateway}: {shadowing.winner} takes all its "
                f"traffic ({shadowing.detail})",
                f"give the route a more specific match (a longer path prefix, a header) or its "
                f"own hostname, or delete the older route {shadowing.winner}",
                check=SHADOWED_CHECK,
            )
        )
        state = shadowed_state(state)
    if twins is None:
        twins = routes_by_model([route.summary, *inv.competitors])
    _add_new(findings, _model_findings(route, inv, twins, shadowing is not None))
    if is_healthy(state) and any(f.severity == ERROR for f in findings):
        state = DEGRADED
    return RouteDiagnosis(route, state, tuple(judgements), tuple(findings))


def diagnose_all(inv: Inventory) -> list[RouteDiagnosis]:
    """Every route of the inventory, diagnosed; shadowing computed once over all routes, each
    Gateway's and pool's findings once for the routes that share it."""
    shadowed = shadowed_routes(inv.competitors)
    # Only a route that takes one model's requests reads twins: most overviews have none.
    takes_a_model = any(route_model(r.summary) for r in inv.routes)
    summaries = [*(r.summary for r in inv.routes), *inv.competitors] if takes_a_model else []
    twins = routes_by_model(summaries)
    # An ObjectRef is (namespace, name): ordered by it, routes are by namespace, then name.
    ordered = sorted(inv.routes, key=lambda r: r.summary.ref)
    shared = SharedFindings({}, {})
    return [diagnose_route(r, inv, shadowed.get(r.summary.ref), twins, shared) for r in ordered]
