"""The reads preflight needs, the checks run on them, and the grants created with the route.

Every read here is cheap and tolerant: a read the user may not do becomes a finding ("could not
check"), never a failure, so preflight never stops a run that would have worked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.basemodels import ModelMapping
from ..core.findings import INFO, WARNING, Finding
from ..core.grants import GrantState
from ..core.implementations import (
    ImplementationContext,
    Neighbours,
    check_implementation,
    neighbours_on,
)
from ..core.inventory import PodCount
from ..core.model import (
    FIELD_MANAGER,
    GATEWAY_GROUP,
    NAMESPACES,
    ObjectRef,
    ResourceApi,
    RouteSpec,
    ServedApis,
)
from ..core.preflight import (
    AccessCheck,
    check_existing_route,
    check_gateway_controller,
    check_listeners,
    check_model_header,
    check_permissions,
    check_pool_health,
    check_reference_grants,
    check_shadowing,
    check_timeouts,
    missing_reference_grants,
    required_access,
    rules_allow,
)
from ..errors import ApiError
from . import readers
from .contract import Cluster

if TYPE_CHECKING:
    from ..core.inventory import PoolState
    from ..core.options import ExposeOptions
    from ..core.verify import GatewayView


@dataclass
class PreflightResult:
    findings: list[Finding] = field(default_factory=list)
    grants: list[dict[str, Any]] = field(default_factory=list)  # ReferenceGrants still missing
    grant_api: ResourceApi | None = None


def run_preflight(
    client: Cluster,
    options: ExposeOptions,
    served: ServedApis,
    gateway_obj: dict[str, Any],
    gateway: GatewayView,
    pools: Sequence[PoolState],
    spec: RouteSpec,
    manifest: dict[str, Any],
    existing: dict[str, Any] | None,
    controller: str | None = None,
) -> PreflightResult:
    """Read what the checks need (few requests) and run every check.

    `controller`: the GatewayClass's controllerName, None when it could not be read."""
    result = PreflightResult(grant_api=served.reference_grants)
    pool_refs = [(p.ref, p.api.group) for p in pools]
    create_grants = options.create_reference_grant

    # 5. The route of the same name: refuse to take over someone else's.
    result.findings += check_existing_route(
        existing, manifest, force_conflicts=options.force_conflicts
    )

    # 3. Pools in other namespaces need a ReferenceGrant there.
    grants_by_ns: dict[str, list[GrantState]] = {}
    foreign = sorted({ref.namespace for ref, _ in pool_refs if ref.namespace != spec.namespace})
    for namespace in foreign:
        if served.reference_grants is None:
            result.findings.append(
                Finding(
                    WARNING,
                    "",
                    "the cluster does not serve ReferenceGrants: the pools in namespace "
                    f'"{namespace}" cannot be granted to this route',
                    "install the Gateway API CRDs, or put the route in the pools' namespace",
                    check="reference-grant",
                )
            )
            continue
        grants_by_ns[namespace] = _tolerant_grants(client, served.reference_grants, namespace)
    if served.reference_grants is not None:
        result.grants = missing_reference_grants(spec.namespace, pool_refs, grants_by_ns)
        for grant in result.grants:
            grant["apiVersion"] = served.reference_grants.api_version

    # 1. Permissions, before any write.
    checks = list(required_access(spec.namespace, gateway.ref, pool_refs))
    if result.grants and served.reference_grants is not None:
        for grant in result.grants:
            for verb in ("create", "patch"):
                check = AccessCheck(
                    verb, GATEWAY_GROUP, "referencegrants", grant["metadata"]["namespace"]
                )
                if check not in checks:
                    checks.append(check)
    result.findings[:0] = check_permissions(review_access(client, checks))

    # 2. Listener admission (namespace labels only when a listener selects namespaces).
    listeners = (gateway_obj.get("spec") or {}).get("listeners") or []
    labels: dict[str, str] | None = {}
    if any(_from(lst) == "Selector" for lst in listeners):
        ns_obj = _tolerant_get(client, NAMESPACES, None, spec.namespace)
        labels = None if ns_obj is None else (ns_obj.get("metadata") or {}).get("labels") or {}
    result.findings += check_listeners(
        gateway_obj,
        route_namespace=spec.namespace,
        namespace_labels=labels,
        hostnames=spec.hostnames,
        section_name=spec.section_name,
        force=options.force,
    )

    result.findings += check_reference_grants(
        spec.namespace, pool_refs, grants_by_ns, create=create_grants
    )

    # Is anyone there to judge the route? Read off the Gateway we already have.
    result.findings += check_gateway_controller(gateway_obj)

    # 6. Provider-aware timeouts.
    result.findings += check_timeouts(gateway.class_name, options.timeouts_given, controller)

    # 7. Pool health hints.
    for pool in pools:
        pods = None
        if pool.selector:
            pods = _tolerant_pod_count(client, pool.ref.namespace, pool.selector_text)
        picker_found: bool | None = None
        if pool.picker:
            try:
                picker_found = readers.service_exists(client, pool.ref.namespace, pool.picker)
            except ApiError as error:
                if error.status != 403:
                    raise
        result.findings += check_pool_health(
            pool.ref, pool.selector_text, pods, pool.picker, picker_found
        )

    # 4. Shadowing among the routes on the same Gateway; the same list tells the
    # implementation's rules which pools the other routes there send to.
    shadowing, neighbours = _shadowing(client, gateway_obj, manifest, existing)
    result.findings += shadowing

    # 8. What the Gateway's implementation is known to do with such a route.
    context = ImplementationContext(class_name=gateway.class_name, neighbours=neighbours)
    result.findings += check_implementation(controller, manifest, context)

    # 9. Several models on one Gateway: will requests carry the header the route matches?
    if spec.model is not None:
        result.findings += _model_header(client, spec, gateway, controller)
    return result


def _from(listener: dict[str, Any]) -> str:
    return str(((listener.get("allowedRoutes") or {}).get("namespaces") or {}).get("from") or "")


def review_access(client: Cluster, checks: Sequence[AccessCheck]) -> list[tuple[AccessCheck, bool]]:
    """One SelfSubjectRulesReview per namespace; SelfSubjectAccessReviews where it says nothing."""
    results: dict[AccessCheck, bool] = {}
    for namespace in dict.fromkeys(c.namespace for c in checks):
        in_ns = [c for c in checks if c.namespace == namespace]
        review = client.rules_review(namespace)
        if review is None:
            continue
        rules, incomplete = review
        for check in in_ns:
            allowed = rules_allow(rules, check)
            if allowed or not incomplete:
                results[check] = allowed
    for check in checks:
        if check not in results:
            results[check] = client.access_review(
                check.verb, check.group, check.resource, check.namespace
            )
    return [(check, results[check]) for check in checks]


def _shadowing(
    client: Cluster,
    gateway_obj: dict[str, Any],
    manifest: dict[str, Any],
    existing: dict[str, Any] | None,
) -> tuple[list[Finding], Neighbours]:
    """The shadowing findings, and the other routes on this Gateway with their pools."""
    from ..core.precedence import summarize_route

    meta = gateway_obj.get("metadata") or {}
    listeners = (gateway_obj.get("spec") or {}).get("listeners") or []
    # Only routes that may attach matter: a Gateway whose listeners take routes from their own
    # namespace only needs that namespace listed.
    wide = any(_from(lst) in ("All", "Selector") for lst in listeners)
    namespace = None if wide else str(meta.get("namespace", ""))
    # Summarised page by page: no whole route outlives its page, even with 10,000 of them.
    try:
        others = [summarize_route(r) for r in readers.list_routes(client, namespace)]
    except ApiError as error:
        if error.status != 403:
            raise
        others = None
    if others is None:
        return [
            Finding(
                INFO,
                "",
                "could not list HTTPRoutes to check for overlapping routes (no permission)",
                "check with `kubectl get httproutes -A`",
                check="shadowing",
            )
        ], ()
    gateway = ObjectRef(str(meta.get("namespace", "")), str(meta.get("name", "")))
    neighbours = neighbours_on(gateway, others)
    if existing is not None:
        created = (existing.get("metadata") or {}).get("creationTimestamp")
    else:
        # The server stamps a new route to the second; a route created in that same second
        # ties with it on age, and then namespace/name decides (Gateway API precedence).
        from datetime import datetime, timezone

        created = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    ours = {**manifest, "metadata": {**manifest["metadata"], "creationTimestamp": created}}
    return check_shadowing(summarize_route(ours), others), neighbours


def _model_header(
    client: Cluster, spec: RouteSpec, gateway: GatewayView, controller: str | None
) -> list[Finding]:
    """The payload processor's ConfigMaps where it may run (the route's and the Gateway's
    namespaces); with the GatewayClass's controllerName (read once, for the implementation's
    rules): does something set the header?"""
    assert spec.model is not None
    namespaces = list(dict.fromkeys((spec.namespace, gateway.ref.namespace)))
    mappings: list[ModelMapping] | None = []
    try:
        for namespace in namespaces:
            assert mappings is not None
            mappings += readers.list_model_mappings(client, namespace)
    except ApiError as error:
        if error.status != 403:
            raise
        mappings = None
    return check_model_header(spec.model, mappings, controller=controller, namespaces=namespaces)


def _tolerant_grants(client: Cluster, api: ResourceApi, namespace: str) -> list[GrantState]:
    """The grants in a namespace; none when they may not be listed (preflight says so)."""
    try:
        return readers.list_grants(client, api, namespace)
    except ApiError as error:
        if error.status == 403:
            return []
        raise


def _tolerant_pod_count(client: Cluster, namespace: str, selector: str) -> PodCount | None:
    try:
        # One page answers "are there any, are any ready".
        return readers.count_pods(client, namespace, selector, first_page_only=True)
    except ApiError as error:
        if error.status == 403:
            return None
        raise


def _tolerant_get(
    client: Cluster, api: ResourceApi, namespace: str | None, name: str
) -> dict[str, Any] | None:
    try:
        return client.get(api, namespace, name)
    except ApiError as error:
        if error.status == 403:
            return None
        raise


def apply_grants(
    client: Cluster, api: ResourceApi, grants: Sequence[dict[str, Any]], *, dry_run: bool
) -> list[ObjectRef]:
    """Server-side apply each grant; returns what was created, for undoing."""
    done = []
    for grant in grants:
        client.apply(api, grant, field_manager=FIELD_MANAGER, dry_run=dry_run)
        meta = grant["metadata"]
        done.append(ObjectRef(meta["namespace"], meta["name"]))
    return done


def undo_grants(client: Cluster, api: ResourceApi, created: Sequence[ObjectRef]) -> list[str]:
    """Delete grants this run created when the route itself could not be applied."""
    left = []
    for ref in created:
        try:
            client.delete(api, ref.namespace, ref.name)
        except Exception:  # best effort: report what is left rather than hide the first error
            left.append(str(ref))
    return left
