"""Preflight checks: what will happen before anything changes. Pure: plain data in, findings out.

Each check takes summaries or plain dicts the CLI has read and returns `Finding`s, each
with the fix. A blocking finding stops `expose` before any write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from ..errors import InferrouteError
from .findings import ERROR, INFO, SHADOWED_CHECK, WARNING, Finding
from .grants import GrantState
from .inventory import PodCount
from .model import (
    FIELD_MANAGER,
    GATEWAY_GROUP,
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    ObjectRef,
)
from .precedence import hostnames_intersect

HTTP_PROTOCOLS = ("HTTP", "HTTPS")


class PreflightBlocked(InferrouteError):
    """A preflight check found that the apply would fail or do harm: nothing was changed."""


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.blocking]


def blocked_error(findings: Sequence[Finding]) -> PreflightBlocked:
    """The one-line error for the first blocking finding (and how many more there are)."""
    first = findings[0]
    more = f" (and {len(findings) - 1} more blocking finding(s) above)" if len(findings) > 1 else ""
    return PreflightBlocked(f"{first.message}{more}; nothing was changed", first.fix)


# --- 1. permission -------------------------------------------------------------------------------


class AccessCheck(NamedTuple):
    """One verb on one resource in one namespace, as `kubectl auth can-i` asks it."""

    verb: str
    group: str
    resource: str
    namespace: str

    @property
    def qualified(self) -> str:
        return f"{self.resource}.{self.group}" if self.group else self.resource

    def can_i(self) -> str:
        return f"kubectl auth can-i {self.verb} {self.qualified} -n {self.namespace}"


def required_access(
    route_namespace: str,
    gateway: ObjectRef,
    pools: Sequence[tuple[ObjectRef, str]],
) -> tuple[AccessCheck, ...]:
    """What expose needs: create and patch routes; get and list gateways and pools."""
    checks = [
        AccessCheck("create", GATEWAY_GROUP, "httproutes", route_namespace),
        AccessCheck("patch", GATEWAY_GROUP, "httproutes", route_namespace),
        AccessCheck("get", GATEWAY_GROUP, "gateways", gateway.namespace),
        AccessCheck("list", GATEWAY_GROUP, "gateways", gateway.namespace),
    ]
    for ref, group in pools:
        for verb in ("get", "list"):
            check = AccessCheck(verb, group, "inferencepools", ref.namespace)
            if check not in checks:
                checks.append(check)
    return tuple(checks)


def rules_allow(rules: Sequence[Mapping[str, Any]], check: AccessCheck) -> bool:
    """Whether SelfSubjectRulesReview resourceRules grant check (resource-wide, not by name)."""
    for rule in rules:
        if rule.get("resourceNames"):
            continue  # a grant on named objects does not cover create or list
        verbs = rule.get("verbs") or []
        groups = rule.get("apiGroups") or []
        resources = rule.get("resources") or []
        if (
            ("*" in verbs or check.verb in verbs)
            and ("*" in groups or check.group in groups)
            and ("*" in resources or check.resource in resources)
        ):
            return True
    return False


def check_permissions(
    results: Sequence[tuple[AccessCheck, bool]],
    granted: str = "you may create and patch HTTPRoutes and read the Gateway and pools",
) -> list[Finding]:
    """A denial stops everything before any write, naming the `kubectl auth can-i` to run;
    `granted`: what the finding says when every check passed."""
    findings = []
    for check, allowed in results:
        if allowed:
            continue
        findings.append(
            Finding(
                ERROR,
                "",
                f'you may not {check.verb} {check.qualified} in namespace "{check.namespace}"',
                f"ask your cluster admin for {check.verb} on {check.resource} "
                f"(check with `{check.can_i()}`)",
                check="permission",
                blocking=True,
            )
        )
    if results and not findings:
        findings.append(
            Finding(
                INFO,
                "",
                granted,
                check="permission",
            )
        )
    return findings


# --- 2. listener admission -----------------------------------------------------------------------


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """A metav1.LabelSelector against labels: matchLabels and matchExpressions, all must hold."""
    if selector is None:
        return False  # Gateway API: a Selector listener without a selector selects nothing
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op = expr.get("key", ""), expr.get("operator", "")
        values = set(expr.get("values") or [])
        present = key in labels
        if op == "In" and not (present and labels[key] in values):
            return False
        if op == "NotIn" and present and labels[key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False
    return True


def describe_selector(selector: Mapping[str, Any] | None) -> str:
    if not selector:
        return "(none)"
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        values = ",".join(expr.get("values") or [])
        parts.append(f"{expr.get('key')} {expr.get('operator')} ({values})".replace(" ()", ""))
    return ", ".join(parts) or "(empty: every namespace)"


def listener_refusal(
    listener: Mapping[str, Any],
    *,
    gateway_namespace: str,
    route_namespace: str,
    namespace_labels: Mapping[str, str] | None,
    hostnames: Sequence[str],
) -> str | None:
    """Why this listener would not take the route, or None when it would (or may)."""
    protocol = str(listener.get("protocol", ""))
    allowed = listener.get("allowedRoutes") or {}
    kinds = allowed.get("kinds")
    if kinds:
        takes = any(
            k.get("kind") == "HTTPRoute" and (k.get("group") or GATEWAY_GROUP) == GATEWAY_GROUP
            for k in kinds
        )
        if not takes:
            names = ", ".join(str(k.get("kind")) for k in kinds)
            return f"allowedRoutes.kinds allows only {names}"
    elif protocol not in HTTP_PROTOCOLS:
        return f"a {protocol or '?'} listener does not take HTTPRoutes"
    namespaces = allowed.get("namespaces") or {}
    source = namespaces.get("from") or "Same"
    if source == "None":
        return "allowedRoutes.namespaces.from is None: it admits no routes"
    if source == "Same" and route_namespace != gateway_namespace:
        return (
            f'allowedRoutes.namespaces.from is Same: only routes in "{gateway_namespace}", '
            f'not "{route_namespace}"'
        )
    if source == "Selector" and namespace_labels is not None:
        selector = namespaces.get("selector")
        if not selector_matches(selector, namespace_labels):
            return (
                f"allowedRoutes.namespaces.from is Selector ({describe_selector(selector)}) "
                f'and namespace "{route_namespace}" does not match its labels'
            )
    listener_host = str(listener.get("hostname") or "")
    if (
        listener_host
        and hostnames
        and not any(hostnames_intersect(listener_host, h) for h in hostnames)
    ):
        return f"its hostname {listener_host} matches none of " + ", ".join(hostnames)
    return None


def check_listeners(
    gateway: Mapping[str, Any],
    *,
    route_namespace: str,
    namespace_labels: Mapping[str, str] | None,
    hostnames: Sequence[str] = (),
    section_name: str | None = None,
    force: bool = False,
) -> list[Finding]:
    """Would any listener admit the route? If none, say which exist and why each refuses."""
    meta = gateway.get("metadata") or {}
    gw = ObjectRef(str(meta.get("namespace", "")), str(meta.get("name", "")))
    listeners = list((gateway.get("spec") or {}).get("listeners") or [])
    names = [str(lst.get("name", "")) for lst in listeners]
    if section_name is not None and section_name not in names:
        return [
            Finding(
                WARNING if force else ERROR,
                "",
                f'Gateway {gw} has no listener named "{section_name}" (listeners: '
                f"{', '.join(names) or 'none'})",
                "name one of its listeners with --section-name, or leave it out"
                + ("" if force else "; --force creates the route anyway"),
                check="listener",
                blocking=not force,
            )
        ]
    candidates = [lst for lst in listeners if section_name in (None, lst.get("name"))]
    refusals: list[tuple[str, str]] = []
    admitting: list[str] = []
    for lst in candidates:
        why = listener_refusal(
            lst,
            gateway_namespace=gw.namespace,
            route_namespace=route_namespace,
            namespace_labels=namespace_labels,
            hostnames=hostnames,
        )
        if why is None:
            admitting.append(str(lst.get("name", "")))
        else:
            refusals.append((str(lst.get("name", "")), why))
    findings: list[Finding] = []
    selector_unknown = namespace_labels is None and any(
        ((lst.get("allowedRoutes") or {}).get("namespaces") or {}).get("from") == "Selector"
        for lst in candidates
    )
    if selector_unknown:
        findings.append(
            Finding(
                WARNING,
                "",
                f'could not read namespace "{route_namespace}" to check the allowedRoutes '
                "namespace selector",
                f"check it yourself: `kubectl get namespace {route_namespace} --show-labels`",
                check="listener",
            )
        )
    if admitting:
        findings.append(
            Finding(
                INFO,
                "",
                f"Gateway {gw} listener(s) that admit it: {', '.join(admitting)}",
                check="listener",
            )
        )
        for name, why in refusals:
            findings.append(
                Finding(INFO, "", f"listener {name} does not admit it: {why}", check="listener")
            )
        return findings
    detail = "; ".join(f"{name}: {why}" for name, why in refusals) or "it has no listeners"
    findings.append(
        Finding(
            WARNING if force else ERROR,
            "",
            f"no listener of Gateway {gw} would admit this route ({detail})",
            "change the listener's allowedRoutes (or hostname), or pick another listener with "
            "--section-name or other --hostname values"
            + ("" if force else "; --force creates the route anyway"),
            check="listener",
            blocking=not force,
        )
    )
    return findings


# --- 3. cross-namespace pools --------------------------------------------------------------------


def missing_reference_grants(
    route_namespace: str,
    pools: Sequence[tuple[ObjectRef, str]],
    grants_by_namespace: Mapping[str, Sequence[GrantState]],
) -> list[dict[str, Any]]:
    """The ReferenceGrants that must exist for the route's cross-namespace pools."""
    from .manifest import build_reference_grant

    needed = []
    for ref, group in pools:
        if ref.namespace == route_namespace:
            continue
        grants = grants_by_namespace.get(ref.namespace) or ()
        if not any(g.permits(route_namespace, group, ref.name) for g in grants):
            needed.append(build_reference_grant(route_namespace, ref.namespace, group, ref.name))
    return needed


def check_reference_grants(
    route_namespace: str,
    pools: Sequence[tuple[ObjectRef, str]],
    grants_by_namespace: Mapping[str, Sequence[GrantState]],
    *,
    create: bool,
) -> list[Finding]:
    """A pool in another namespace without a ReferenceGrant: show the grant it needs."""
    from .manifest import render_yaml

    findings = []
    for grant in missing_reference_grants(route_namespace, pools, grants_by_namespace):
        meta = grant["metadata"]
        pool = grant["spec"]["to"][0].get("name", "")
        where = f"InferencePool {meta['namespace']}/{pool}"
        findings.append(
            Finding(
                INFO if create else WARNING,
                "",
                f"will create ReferenceGrant {meta['namespace']}/{meta['name']} so the route "
                f"may use {where}"
                if create
                else f'no ReferenceGrant in namespace "{meta["namespace"]}" lets HTTPRoutes '
                f'from "{route_namespace}" use {where}: the route would get '
                "ResolvedRefs=False/RefNotPermitted",
                ""
                if create
                else "agree to create it at the prompt, or pass --create-reference-grant",
                check="reference-grant",
                yaml=render_yaml(grant),
            )
        )
    return findings


# --- 4. shadowing --------------------------------------------------------------------------------


def check_shadowing(route: Any, others: Sequence[Any]) -> list[Finding]:
    """Routes on the same Gateway whose hostnames and matches overlap: who wins, who loses.

    route and others are `precedence.RouteSummary`s; the new route has no creationTimestamp
    (it is the newest) unless it already exists.
    """
    from .precedence import find_shadowing, hostnames_overlap

    findings = []
    gateways = {(ns, name) for ns, name, _ in route.parents}
    for other in sorted(others, key=lambda o: (o.ref.namespace, o.ref.name)):
        if other.ref == route.ref:
            continue
        if not any((ns, name) in gateways for ns, name, _ in other.parents):
            continue
        if not hostnames_overlap(route.hostnames, other.hostnames):
            continue
        shared = [m for m in route.matches if m in other.matches]
        if not shared:
            continue
        winner = min((route, other), key=_age_rank)
        findings.append(
            Finding(
                INFO,
                "",
                f"HTTPRoute {other.ref} on the same Gateway also matches "
                f"{shared[0].describe()} for overlapping hostnames; {winner.ref} wins "
                "(oldest creationTimestamp, then namespace/name)",
                check="shadowing",
            )
        )
    from .basemodels import route_model

    model = route_model(route)
    for item in find_shadowing(route, others):
        if item.loser == route.ref:
            fix = "add a --hostname, a more specific --path or a --header so requests reach it"
            if model:
                # One route per base model and Gateway: the winner already serves it.
                fix = (
                    f"{item.winner} already takes model {model}'s requests: change that route "
                    f"(--name {item.winner.name}) instead, or give this one its own --hostname"
                )
            findings.append(
                Finding(
                    WARNING,
                    "",
                    f"HTTPRoute {route.ref} would be shadowed on {item.gateway}: {item.detail}",
                    fix,
                    check=SHADOWED_CHECK,
                )
            )
        elif item.winner == route.ref:
            findings.append(
                Finding(
                    WARNING,
                    "",
                    f"HTTPRoute {route.ref} would shadow {item.loser} on {item.gateway}: "
                    f"{item.detail}",
                    f"make sure {item.loser} is meant to stop getting that traffic",
                    check="shadowing",
                )
            )
    return findings


def _age_rank(route: Any) -> tuple[int, str, str, str]:
    # Gateway API's tie-break: oldest first; a route not created yet is the newest of all.
    created = str(route.created or "")
    return (0 if created else 1, created, route.ref.namespace, route.ref.name)


# --- 5. existing route ---------------------------------------------------------------------------


def is_managed_by_us(obj: Mapping[str, Any]) -> bool:
    """Our label, or our field manager in managedFields."""
    meta = obj.get("metadata") or {}
    if (meta.get("labels") or {}).get(MANAGED_BY_LABEL) == MANAGED_BY_VALUE:
        return True
    return any(e.get("manager") == FIELD_MANAGER for e in meta.get("managedFields") or [])


def managers_of(obj: Mapping[str, Any]) -> list[str]:
    meta = obj.get("metadata") or {}
    return sorted({str(e.get("manager")) for e in meta.get("managedFields") or []})


def owned_route_override(live: Mapping[str, Any] | None, *, force_conflicts: bool) -> str:
    """The flags that make expose change a route someone else owns: --force, and
    --force-conflicts too when the apply would also take over another manager's fields."""
    if live is None or force_conflicts or is_managed_by_us(live):
        return "--force"
    return "--force --force-conflicts"


def check_existing_route(
    live: Mapping[str, Any] | None, desired: Mapping[str, Any], *, force_conflicts: bool
) -> list[Finding]:
    """Refuse to take over a route someone else manages unless forced, showing what it would
    change. What an apply changes in a route of ours is known after the server dry-run."""
    from .changes import fields_we_set_changes

    if live is None:
        return []
    meta = desired.get("metadata") or {}
    ref = ObjectRef(str(meta.get("namespace", "")), str(meta.get("name", "")))
    if is_managed_by_us(live):
        return [
            Finding(
                INFO,
                "",
                f"HTTPRoute {ref} exists and is managed by kubectl-inferroute: the server "
                "dry-run shows what would change",
                check="existing-route",
            )
        ]
    owners = ", ".join(managers_of(live)) or "unknown"
    # With --force-conflicts the server dry-run says exactly what changes; without, it would
    # only answer with the conflict: these are the fields we set that differ.
    changes = tuple(fields_we_set_changes(live, desired))
    if force_conflicts:
        return [
            Finding(
                WARNING,
                "",
                f"HTTPRoute {ref} exists and is managed by {owners}, not kubectl-inferroute: "
                "--force-conflicts takes it over",
                "",
                check="existing-route",
            )
        ]
    return [
        Finding(
            ERROR,
            "",
            f"HTTPRoute {ref} already exists and kubectl-inferroute does not manage it "
            f"(managed by {owners})",
            "choose another --name, or pass --force-conflicts to take it over",
            check="existing-route",
            blocking=True,
            changes=changes,
        )
    ]


# --- 6. provider-aware timeouts ------------------------------------------------------------------


def check_timeouts(
    class_name: str, timeouts_given: bool, controller: str | None = None
) -> list[Finding]:
    """Where the implementation rejects rules[].timeouts, the plan leaves them out: say why.

    Timeouts the user gave anyway are the implementations table's finding
    (`implementations.check_implementation`), which sees them in the route."""
    from .implementations import rejects_rule_timeouts

    if timeouts_given or not rejects_rule_timeouts(controller, class_name):
        return []
    return [
        Finding(
            INFO,
            "",
            f"leaves out rules[].timeouts: GKE's controller (class {class_name}) rejects "
            "them; set the timeout with a GCPBackendPolicy instead",
            check="timeouts",
        )
    ]


# --- the Gateway's controller -------------------------------------------------------------------


def check_gateway_controller(gateway: Mapping[str, Any]) -> list[Finding]:
    """A Gateway no controller has accepted will not give the route a verdict either.

    Without a controller a Gateway keeps the CRD's default status (Accepted Unknown, reason
    Pending, "Waiting for controller") or none at all; the route would then get no status, and
    `expose` would wait for nothing.
    """
    meta = gateway.get("metadata") or {}
    ref = f"{meta.get('namespace', '')}/{meta.get('name', '')}"
    class_name = (gateway.get("spec") or {}).get("gatewayClassName", "")
    conditions = (gateway.get("status") or {}).get("conditions") or []
    accepted = next((c for c in conditions if c.get("type") == "Accepted"), None)
    fix = (
        f"check that GatewayClass {class_name} exists and its controller is running: "
        f"`kubectl get gatewayclass {class_name} -o yaml`"
    )
    if accepted is None or accepted.get("status") == "Unknown":
        reason = "no status" if accepted is None else f"Accepted Unknown ({accepted.get('reason')})"
        return [
            Finding(
                WARNING,
                "",
                f"no controller has accepted Gateway {ref} yet ({reason}): the route may get "
                "no verdict",
                fix,
                check="gateway",
            )
        ]
    if accepted.get("status") == "False":
        return [
            Finding(
                WARNING,
                "",
                f"Gateway {ref} is not accepted by its controller ({accepted.get('reason')}: "
                f"{accepted.get('message', '')})",
                f"fix the Gateway first: `kubectl describe gateway -n {meta.get('namespace')} "
                f"{meta.get('name')}`",
                check="gateway",
            )
        ]
    return []


# --- 7. pool health ------------------------------------------------------------------------------


def check_pool_health(
    pool: ObjectRef,
    selector: str,
    pods: PodCount | None,
    picker_name: str,
    picker_found: bool | None,
) -> list[Finding]:
    """Warnings, never errors: no pods behind the pool, or no endpoint picker Service.

    `pods` and `picker_found` are None when they could not be read (no permission)."""
    findings = []
    if pods is None:
        findings.append(
            Finding(
                INFO,
                "",
                f"could not list the pods of InferencePool {pool} (no permission)",
                f"check with `kubectl get pods -n {pool.namespace} -l {selector}`",
                check="pool-health",
            )
        )
    elif not pods.total:
        findings.append(
            Finding(
                WARNING,
                "",
                f"InferencePool {pool} selects no pods (selector {selector or '-'}): requests "
                "would get 503 no healthy upstream",
                "deploy the model server, or fix the pool's selector to match its pod labels",
                check="pool-health",
            )
        )
    elif not pods.ready:
        findings.append(
            Finding(
                WARNING,
                "",
                f"none of the {pods.total} pod(s) of InferencePool {pool} is Ready",
                f"check them: `kubectl get pods -n {pool.namespace} -l {selector}`",
                check="pool-health",
            )
        )
    if picker_name and picker_found is False:
        findings.append(
            Finding(
                WARNING,
                "",
                f'the endpoint picker Service "{picker_name}" of InferencePool {pool} is missing',
                "deploy the endpoint picker (the inferencepool Helm chart does), or fix the "
                "pool's endpointPickerRef",
                check="pool-health",
            )
        )
    return findings


# --- 8. several models on one Gateway -------------------------------------------------------------

MODEL_CHECK = "model"


def model_needs_controller(model: str, mappings: Sequence[Any] | None) -> bool:
    """Whether the check needs the GatewayClass's controllerName: only when no mapping names
    model (a base model needs no other source; an adapter name is refused whatever sets it)."""
    from .basemodels import index_mappings

    index = index_mappings(mappings or ())
    return not index.declares_base(model) and model not in index.adapters


def check_model_header(
    model: str,
    mappings: Sequence[Any] | None,
    *,
    controller: str | None,
    namespaces: Sequence[str],
) -> list[Finding]:
    """Will requests for model carry the base-model header the route matches?

    mappings are the payload processor's `basemodels.ModelMapping`s found in namespaces (None:
    they could not be listed); controller is the GatewayClass's controllerName (None: unknown).
    An adapter name or a name two ConfigMaps declare stops `expose`; no mapping is a warning,
    unless the implementation sets the header itself (agentgateway).
    """
    from .basemodels import (
        IPP_LABEL,
        MODEL_HEADER,
        duplicate_names,
        index_mappings,
        mapping_example,
        refs_text,
        sets_header_itself,
    )
    from .manifest import render_yaml

    where = " or ".join(f'"{ns}"' for ns in namespaces)
    findings: list[Finding] = []
    itself = controller is not None and sets_header_itself(controller)
    if mappings is None:
        findings.append(
            Finding(
                INFO,
                "",
                f"could not list the payload processor's ConfigMaps in namespace {where} (no "
                f"permission): not checked that model {model} is mapped",
                f"check with `kubectl get configmaps -l {IPP_LABEL}=true -n {namespaces[0]}`",
                check=MODEL_CHECK,
            )
        )
        mappings = []
    for mapping in mappings:
        if mapping.problem:
            findings.append(
                Finding(
                    WARNING,
                    "",
                    f"ConfigMap {mapping.ref} of the payload processor cannot be read fully "
                    f"({mapping.problem}): the processor may ignore it",
                    "write data.baseModel as a name and data.adapters as a YAML list of names, "
                    'e.g. adapters: "- food-review-1"',
                    check=MODEL_CHECK,
                )
            )
    index = index_mappings(mappings)
    for name, refs in duplicate_names(index):
        ours = name == model
        findings.append(
            Finding(
                ERROR if ours else WARNING,
                "",
                f"{refs_text(refs)} both declare the model name {name}: every base and adapter "
                "name must be unique, so the payload processor cannot tell which base model it is",
                "keep the name in one ConfigMap only",
                check=MODEL_CHECK,
                blocking=ours,
            )
        )
    adapter_of = [(ref, base) for ref, base in index.adapters.get(model, ()) if base]
    if adapter_of and not index.declares_base(model):
        ref, base = adapter_of[0]
        findings.append(
            Finding(
                ERROR,
                "",
                f"{model} is an adapter of base model {base} (ConfigMap {ref}): the "
                f"{MODEL_HEADER} header carries the base model's name, so no request would "
                "match this route",
                f"use --model {base}: one route per base model serves its adapters too",
                check=MODEL_CHECK,
                blocking=True,
            )
        )
    elif index.declares_base(model):
        refs = index.bases[model]
        findings.append(
            Finding(
                INFO,
                "",
                f"{refs_text(refs[:1])} declares base model {model}: the payload processor "
                f"sets {MODEL_HEADER} for its requests",
                check=MODEL_CHECK,
            )
        )
    elif itself:
        findings.append(
            Finding(
                INFO,
                "",
                f"the Gateway's implementation ({controller}) sets {MODEL_HEADER} itself, with "
                "an AgentgatewayPolicy (traffic.phase PreRouting): no payload processor needed",
                "make sure that policy exists for this Gateway",
                check=MODEL_CHECK,
            )
        )
    else:
        findings.append(
            Finding(
                WARNING,
                "",
                f"no payload processor ConfigMap in namespace {where} declares base model "
                f"{model}, and the Gateway's implementation ({controller or 'unknown'}) does not "
                f"set the header itself: requests will not carry {MODEL_HEADER}, and this route "
                "would take none of them",
                "add the mapping for the payload processor (IPP) with `kubectl apply -f -`:",
                yaml=render_yaml(mapping_example(model, namespaces[0])),
                check=MODEL_CHECK,
            )
        )
    return findings
