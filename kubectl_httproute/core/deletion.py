"""What deleting an HTTPRoute does: what stops being served, who takes it over, which grants
are left without a user, what access it needs. Pure: plain data in, plain data out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from .fields import as_list as _list
from .fields import as_map as _map
from .fields import as_str as _str
from .findings import WARNING, Finding
from .grants import GrantState
from .manifest import REFERENCE_GRANT_PREFIX
from .model import (
    DEFAULT_POOL_PORT,
    GATEWAY_GROUP,
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    MODEL_HEADER,
    ObjectRef,
    PoolBackend,
)
from .precedence import MatchKey, RouteSummary, Takeover, summarize_route, takeovers
from .preflight import AccessCheck, PreflightBlocked, check_permissions
from .verdict import Verdict


class DeletionPlan(NamedTuple):
    """A route about to be deleted, and what its deletion changes for the traffic."""

    route: ObjectRef
    managed: bool  # labelled app.kubernetes.io/managed-by: kubectl-inferroute
    accepted: bool  # by some parent: does it serve anything now?
    gateways: tuple[str, ...]  # "ns/name[#section]"
    hostnames: tuple[str, ...]
    matches: tuple[MatchKey, ...]
    models: tuple[str, ...]  # exact X-Gateway-Base-Model-Name values
    pools: tuple[PoolBackend, ...]
    takeovers: tuple[Takeover, ...]  # empty when the other routes could not be read
    others_read: bool  # the Gateway's other routes were listed: takeovers are known


def is_labelled_ours(obj: Mapping[str, Any]) -> bool:
    """The route carries the plugin's managed-by label (a field manager alone does not count:
    `kubectl apply --server-side --field-manager kubectl-inferroute` is not expose)."""
    labels = _map(_map(obj.get("metadata")).get("labels"))
    return labels.get(MANAGED_BY_LABEL) == MANAGED_BY_VALUE


def route_pools(obj: Mapping[str, Any]) -> tuple[PoolBackend, ...]:
    """The InferencePool backendRefs of every rule, with port and weight as the route has them."""
    namespace = _str(_map(obj.get("metadata")).get("namespace"))
    pools = []
    for rule in _list(_map(obj.get("spec")).get("rules")):
        for ref in _list(_map(rule).get("backendRefs")):
            ref = _map(ref)
            if _str(ref.get("kind")) != "InferencePool":
                continue
            port, weight = ref.get("port"), ref.get("weight")
            pools.append(
                PoolBackend(
                    name=_str(ref.get("name")),
                    namespace=_str(ref.get("namespace")) or namespace,
                    group=_str(ref.get("group")),
                    port=port if isinstance(port, int) else DEFAULT_POOL_PORT,
                    weight=weight
                    if isinstance(weight, int) and not isinstance(weight, bool)
                    else 1,
                )
            )
    return tuple(pools)


def route_models(summary: RouteSummary) -> tuple[str, ...]:
    """The models the route serves: the values of its exact X-Gateway-Base-Model-Name matches."""
    found: list[str] = []
    for match in summary.matches:
        for kind, name, value in match.header_values:
            exact_model = kind == "Exact" and name.lower() == MODEL_HEADER.lower()
            if exact_model and value and value not in found:
                found.append(value)
    return tuple(found)


def build_deletion_plan(
    obj: Mapping[str, Any],
    accepted: bool,
    others: Iterable[RouteSummary] | None,
) -> DeletionPlan:
    """The plan for deleting route `obj`; `others`: the accepted routes that may share its
    Gateway (None: they could not be listed, so nobody is named as taking over)."""
    summary = summarize_route(dict(obj))
    found = tuple(takeovers(summary, others)) if others is not None else ()
    return DeletionPlan(
        route=summary.ref,
        managed=is_labelled_ours(obj),
        accepted=accepted,
        gateways=tuple(
            f"{ns}/{name}" + (f"#{section}" if section else "")
            for ns, name, section in summary.parents
        ),
        hostnames=summary.hostnames,
        matches=summary.matches,
        models=route_models(summary),
        pools=route_pools(obj),
        takeovers=found,
        others_read=others is not None,
    )


def lists_every_namespace(gateways: Iterable[Mapping[str, Any]]) -> bool:
    """Whether routes from other namespaces may attach to these Gateways (a listener allowing All
    or Selector): then the competing routes are listed across namespaces, as status does."""
    for gateway in gateways:
        for listener in _list(_map(gateway.get("spec")).get("listeners")):
            allowed = _map(_map(_map(listener).get("allowedRoutes")).get("namespaces"))
            if _str(allowed.get("from")) in ("All", "Selector"):
                return True
    return False


def grant_namespaces(plan: DeletionPlan) -> tuple[str, ...]:
    """The namespaces of the route's pools other than its own: where expose put grants."""
    return tuple(sorted({p.namespace for p in plan.pools if p.namespace != plan.route.namespace}))


def grants_to_offer(
    plan: DeletionPlan,
    grants_by_namespace: Mapping[str, Sequence[GrantState]],
    routes_in_namespace: Iterable[RouteSummary],
) -> list[ObjectRef]:
    """The ReferenceGrants expose made for this route that nothing else needs once it is gone.

    A grant is expose's when it is labelled as ours (the caller lists by label) and named for the
    route's namespace; it is offered when it permits one of the route's pools and no other
    HTTPRoute of the namespace refers to any pool in the grant's namespace (conservative: a
    pool the grant does not cover may still be covered by a grant widened by hand)."""
    namespace = plan.route.namespace
    prefix = REFERENCE_GRANT_PREFIX + namespace
    still_used = {
        pool_ns
        for other in routes_in_namespace
        if other.ref != plan.route and other.ref.namespace == namespace
        for _, pool_ns, _, _ in other.pools
    }
    offered = []
    for pool_ns in grant_namespaces(plan):
        if pool_ns in still_used:
            continue
        for grant in grants_by_namespace.get(pool_ns) or ():
            name = grant.ref.name
            if name != prefix and not name.startswith(prefix + "-to-"):
                continue
            permits = any(grant.permits(namespace, p.group, p.name) for p in plan.pools)
            if permits and grant.ref not in offered:
                offered.append(grant.ref)
    return offered


def required_delete_access(
    route: ObjectRef, grants: Sequence[ObjectRef]
) -> tuple[AccessCheck, ...]:
    """What delete needs: delete on httproutes, and on referencegrants where one is offered."""
    checks = [AccessCheck("delete", GATEWAY_GROUP, "httproutes", route.namespace)]
    for grant in grants:
        check = AccessCheck("delete", GATEWAY_GROUP, "referencegrants", grant.namespace)
        if check not in checks:
            checks.append(check)
    return tuple(checks)


def refuse_unmanaged(plan: DeletionPlan, *, force: bool) -> None:
    """A route someone else made is theirs: refused after reading it, as expose refuses to take
    one over (a preflight refusal, exit 1: the input was valid, the cluster says no)."""
    if plan.managed or force:
        return
    raise PreflightBlocked(
        f"HTTPRoute {plan.route} was not created by kubectl-inferroute (no label "
        f"{MANAGED_BY_LABEL}={MANAGED_BY_VALUE}); nothing was deleted",
        "delete it with whatever created it, or pass --force to delete it anyway",
    )


def settle_delete_access(
    results: Sequence[tuple[AccessCheck, bool]], grants: Sequence[ObjectRef]
) -> tuple[list[ObjectRef], list[Finding]]:
    """The access reviews' answers: no delete on httproutes is a blocking finding; no delete on
    a grant's namespace leaves that grant in place (a warning) and the route deletion goes on."""
    route_results = [(c, ok) for c, ok in results if c.resource == "httproutes"]
    findings = [f for f in check_permissions(route_results) if f.blocking]
    denied = {c.namespace for c, ok in results if not ok and c.resource == "referencegrants"}
    for grant in grants:
        if grant.namespace in denied:
            findings.append(
                Finding(
                    WARNING,
                    f"ReferenceGrant {grant}",
                    f'you may not delete referencegrants in namespace "{grant.namespace}": '
                    "the grant is left in place",
                    "ask your cluster admin to delete it (check with `kubectl auth can-i delete "
                    f"referencegrants.gateway.networking.k8s.io -n {grant.namespace}`)",
                    check="permission",
                )
            )
    return [g for g in grants if g.namespace not in denied], findings


def deletion_verdict(
    left: Mapping[str, Any] | None, *, waited: bool, timeout_ms: int, seconds: float
) -> tuple[Verdict | None, str]:
    """After the wait: Deleted when the server answered 404, Terminating when it still has the
    route (`left`); no verdict without a wait. With the line the record's Deletion section says."""
    if not waited:
        return None, "Not waited for (--no-wait): the API server accepted the delete."
    if left is None:
        return (
            Verdict("Deleted", True, "the API server no longer has the route", ""),
            f"Gone: the API server answers 404 for the route (after {seconds:.1f}s).",
        )
    meta = _map(left.get("metadata"))
    what = deletion_state(left)
    timeout = f"{timeout_ms / 1000:g}s"
    return (
        Verdict(
            "Terminating",
            False,
            f"the route is still there after {timeout}: {what}",
            f"see what holds it: kubectl get httproute {_str(meta.get('name'))} -n "
            f"{_str(meta.get('namespace'))} -o yaml (metadata.finalizers); wait longer with "
            "--timeout",
        ),
        f"Still present after {timeout}: {what}.",
    )


def deletion_state(obj: Mapping[str, Any] | None) -> str:
    """After waiting: "gone", or why the object is still there (finalizers, deletionTimestamp)."""
    if obj is None:
        return "gone"
    meta = _map(obj.get("metadata"))
    finalizers = [_str(f) for f in _list(meta.get("finalizers"))]
    if finalizers:
        return "held by finalizers " + ", ".join(finalizers)
    if meta.get("deletionTimestamp"):
        return "being deleted"
    return "still present"
