"""What each gateway implementation accepts for InferencePool backends, as data, with sources.

Implementations differ in what they do with an InferencePool backend, and users learn it from a
503 or a silent misroute. Each `Rule` is one (implementation, feature) pair keyed by the
GatewayClass `spec.controllerName`, with the issue or doc it comes from; `check_implementation`
turns the rules a route meets into preflight findings. Pure: a route manifest in, findings out.
An unknown controller gets no finding of its own, only those of the rules for every controller
(ANY: a mirror to a pool, which the spec leaves to each implementation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from .fields import as_list as _list
from .fields import as_map as _map
from .fields import as_str as _str
from .findings import INFO, WARNING, Finding
from .model import ObjectRef

IMPLEMENTATION_CHECK = "implementation"
ANY = "*"  # a rule for every controller: the spec leaves the behaviour to each implementation

GKE = "networking.gke.io/gateway"
KGATEWAY = "kgateway.dev/kgateway"
ISTIO = "istio.io/gateway-controller"
# Envoy AI Gateway runs on Envoy Gateway: its GatewayClass names Envoy Gateway's controller
# (envoyproxy/ai-gateway examples/basic/basic.yaml), so plain Envoy Gateway shares these rules.
ENVOY_AI_GATEWAY = "gateway.envoyproxy.io/gatewayclass-controller"
AGENTGATEWAY = "agentgateway.dev/agentgateway"
NGINX = "gateway.nginx.org/nginx-gateway-controller"

# Features a route can use; each has a detector below.
RULE_TIMEOUTS = "rule-timeouts"
POOLS_IN_ONE_RULE = "several-pools-in-one-rule"
CROSS_NAMESPACE_POOL = "cross-namespace-pool"
POOL_BACKEND = "pool-backend"
ROUTES_WITH_DIFFERENT_POOLS = "routes-with-different-pools"
POOL_AMONG_SEVERAL_BACKENDS = "pool-among-several-backends"
POOL_MIRROR = "pool-mirror"


class Implementation(NamedTuple):
    """A gateway implementation: its controllerName, its name, and the class names its installs
    create (the fallback when the GatewayClass could not be read); "gke-l7-*" is a prefix."""

    controller: str
    name: str
    class_names: tuple[str, ...]


IMPLEMENTATIONS: tuple[Implementation, ...] = (
    Implementation(GKE, "GKE", ("gke-l7-*",)),
    Implementation(KGATEWAY, "kgateway", ("kgateway",)),
    Implementation(ISTIO, "Istio", ("istio",)),
    Implementation(ENVOY_AI_GATEWAY, "Envoy AI Gateway", ("envoy-ai-gateway",)),
    Implementation(AGENTGATEWAY, "agentgateway", ("agentgateway",)),
    Implementation(NGINX, "NGINX Gateway Fabric", ("nginx",)),
)


class Rule(NamedTuple):
    """One thing one implementation does with a feature, where that is known from, and the fix."""

    controller: str  # GatewayClass spec.controllerName, or ANY
    feature: str
    severity: str
    source: str  # "kgateway#11667": the issue, PR or doc that shows it
    url: str
    message: str
    hint: str


GUIDES = "https://gateway-api-inference-extension.sigs.k8s.io/guides/"

RULES: tuple[Rule, ...] = (
    Rule(
        GKE,
        RULE_TIMEOUTS,
        WARNING,
        "kserve#5311",
        "https://github.com/kserve/kserve/issues/5311",
        "GKE's controller rejects rules[].timeouts (Accepted=False, UnsupportedValue)",
        "drop the rule timeouts (--route-timeout/--backend-timeout) and set the timeout with a "
        "GCPBackendPolicy (timeoutSec)",
    ),
    Rule(
        KGATEWAY,
        POOLS_IN_ONE_RULE,
        WARNING,
        "kgateway#11667",
        "https://github.com/kgateway-dev/kgateway/issues/11667",
        "kgateway returned 503 for a rule that weights traffic across several InferencePools",
        "split traffic with one route per pool (and a header or path to tell them apart), or "
        "check that your kgateway release has the fix",
    ),
    Rule(
        KGATEWAY,
        CROSS_NAMESPACE_POOL,
        WARNING,
        "kgateway#11370",
        "https://github.com/kgateway-dev/kgateway/issues/11370",
        "kgateway does not support InferencePool backendRefs into another namespace",
        "create the route in the pool's namespace (-n), on a Gateway that admits it",
    ),
    Rule(
        ISTIO,
        POOL_BACKEND,
        INFO,
        "Inference Extension guides",
        GUIDES,
        "Istio serves InferencePool backends only with inference support enabled in istiod; "
        "without it the route gets ResolvedRefs=False/InvalidKind",
        "istiod Helm value `pilot.env.ENABLE_GATEWAY_API_INFERENCE_EXTENSION=true`",
    ),
    Rule(
        ISTIO,
        ROUTES_WITH_DIFFERENT_POOLS,
        WARNING,
        "istio#58392, fixed by PR#58393",
        "https://github.com/istio/istio/issues/58392",
        "Istio before 1.28 skipped the endpoint picker when several routes on one Gateway send "
        "to different InferencePools",
        "run Istio 1.28 or later (`istioctl version`), or keep one pool per Gateway",
    ),
    Rule(
        ISTIO,
        POOLS_IN_ONE_RULE,
        WARNING,
        "istio#61594, fixed by PR#61601",
        "https://github.com/istio/istio/issues/61594",
        "Istio releases without PR#61601 (2026-09) send two InferencePools in one rule through "
        "one endpoint picker",
        "check that your Istio release has PR#61601, or give each pool its own route",
    ),
    Rule(
        ENVOY_AI_GATEWAY,
        POOL_AMONG_SEVERAL_BACKENDS,
        WARNING,
        "ai-gateway PR#614",
        "https://github.com/envoyproxy/ai-gateway/pull/614",
        "Envoy AI Gateway does not allow an InferencePool among several backends of one rule",
        "give the InferencePool a rule of its own (one backendRef)",
    ),
    Rule(
        ENVOY_AI_GATEWAY,
        POOL_MIRROR,
        WARNING,
        "ai-gateway PR#2205",
        "https://github.com/envoyproxy/ai-gateway/pull/2205",
        "Envoy AI Gateway cannot mirror requests to an InferencePool",
        "mirror to a Service in front of the new pool's model servers, or drop the mirror",
    ),
    Rule(
        ANY,
        POOL_MIRROR,
        WARNING,
        "Gateway API RequestMirror (defined for Services); llm-d blue-green guide",
        "https://gateway-api.sigs.k8s.io/reference/spec/#httprequestmirrorfilter",
        "mirroring to an InferencePool is implementation-specific: the spec defines "
        "RequestMirror for Services, and each implementation decides what it does with a pool",
        "check your implementation's documentation, and compare the new pool's request count "
        "with the share you mirror",
    ),
    Rule(
        AGENTGATEWAY,
        POOL_BACKEND,
        INFO,
        "Inference Extension guides",
        GUIDES,
        "agentgateway serves InferencePool backends only with its inference extension enabled; "
        "without it the route gets ResolvedRefs=False/InvalidKind",
        "agentgateway Helm value `inferenceExtension.enabled=true`",
    ),
    Rule(
        NGINX,
        POOL_BACKEND,
        INFO,
        "Inference Extension guides",
        GUIDES,
        "NGINX Gateway Fabric serves InferencePool backends only with its inference extension "
        "enabled; without it the route gets ResolvedRefs=False/InvalidKind",
        "NGINX Gateway Fabric Helm value `nginxGateway.gwAPIInferenceExtension.enable=true`",
    ),
)


Neighbours = tuple[tuple[ObjectRef, tuple[ObjectRef, ...]], ...]


@dataclass(frozen=True)
class ImplementationContext:
    """What a rule may need beyond the route: the class (for messages and the fallback) and the
    other routes on the same Gateway with the pools they send to."""

    class_name: str = ""
    neighbours: Neighbours = ()


def neighbours_on(gateway: ObjectRef, summaries: Iterable[Any]) -> Neighbours:
    """The routes attached to `gateway` with the pools they send to, for the context, from
    `precedence.RouteSummary`s (the list the shadowing check reads anyway)."""
    return tuple(
        (s.ref, tuple(ObjectRef(ns, name) for _, ns, name, _ in s.pools))
        for s in summaries
        if any(ObjectRef(ns, name) == gateway for ns, name, _ in s.parents)
    )


# --- finding the implementation ------------------------------------------------------------------


def implementation_of(controller: str | None, class_name: str = "") -> Implementation | None:
    """The implementation by controllerName; by well-known class name only when the controller
    is unknown (None: the GatewayClass could not be read)."""
    if controller is not None:
        return next((i for i in IMPLEMENTATIONS if i.controller == controller), None)
    for impl in IMPLEMENTATIONS:
        for pattern in impl.class_names:
            if pattern.endswith("*") and class_name.startswith(pattern[:-1]):
                return impl
            if class_name == pattern:
                return impl
    return None


def rules_for(controller: str | None, class_name: str = "") -> list[Rule]:
    """The implementation's rules, then the rules for every controller on features it has none
    for (its own rule says more than the general one)."""
    impl = implementation_of(controller, class_name)
    own = [r for r in RULES if impl is not None and r.controller == impl.controller]
    features = {r.feature for r in own}
    return own + [r for r in RULES if r.controller == ANY and r.feature not in features]


def rule(controller: str | None, class_name: str, feature: str) -> Rule | None:
    """The implementation's rule on one feature, if any."""
    return next((r for r in rules_for(controller, class_name) if r.feature == feature), None)


def rejects_rule_timeouts(controller: str | None, class_name: str) -> bool:
    """Whether the implementation rejects rules[].timeouts (the plan leaves them out there)."""
    return rule(controller, class_name, RULE_TIMEOUTS) is not None


# --- what a route uses ---------------------------------------------------------------------------


def _is_pool(ref: Mapping[str, Any]) -> bool:
    return _str(ref.get("kind")) == "InferencePool"


def _pool_ref(ref: Mapping[str, Any], namespace: str) -> ObjectRef:
    return ObjectRef(_str(ref.get("namespace")) or namespace, _str(ref.get("name")))


def _rules(route: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [_map(r) for r in _list(_map(route.get("spec")).get("rules"))]


def _backends(rule: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [_map(b) for b in _list(rule.get("backendRefs"))]


def _namespace(route: Mapping[str, Any]) -> str:
    return _str(_map(route.get("metadata")).get("namespace"))


def route_pools(route: Mapping[str, Any]) -> tuple[ObjectRef, ...]:
    """The InferencePools a route's backendRefs name, in order, once each."""
    namespace = _namespace(route)
    refs = [_pool_ref(b, namespace) for r in _rules(route) for b in _backends(r) if _is_pool(b)]
    return tuple(dict.fromkeys(refs))


def _has_timeouts(route: Mapping[str, Any], _: ImplementationContext) -> str | None:
    numbers = [str(i) for i, r in enumerate(_rules(route), start=1) if r.get("timeouts")]
    return f"rule {', '.join(numbers)} sets timeouts" if numbers else None


def _several_pools(route: Mapping[str, Any], _: ImplementationContext) -> str | None:
    namespace = _namespace(route)
    for number, r in enumerate(_rules(route), start=1):
        pools = list(dict.fromkeys(_pool_ref(b, namespace) for b in _backends(r) if _is_pool(b)))
        if len(pools) > 1:
            return f"rule {number} splits between {', '.join(map(str, pools))}"
    return None


def _cross_namespace(route: Mapping[str, Any], _: ImplementationContext) -> str | None:
    namespace = _namespace(route)
    foreign = [p for p in route_pools(route) if p.namespace != namespace]
    if not foreign:
        return None
    return f"the route in {namespace} sends to {', '.join(map(str, foreign))}"


def _any_pool(route: Mapping[str, Any], _: ImplementationContext) -> str | None:
    pools = route_pools(route)
    return f"the route sends to {', '.join(map(str, pools))}" if pools else None


def _neighbour_pools(route: Mapping[str, Any], context: ImplementationContext) -> str | None:
    ours = set(route_pools(route))
    if not ours:
        return None
    meta = _map(route.get("metadata"))
    me = ObjectRef(_str(meta.get("namespace")), _str(meta.get("name")))
    for other, pools in sorted(context.neighbours, key=lambda n: str(n[0])):
        different = [p for p in pools if p not in ours]
        if other != me and different:
            return f"HTTPRoute {other} on the same Gateway sends to {different[0]}"
    return None


def _pool_among_others(route: Mapping[str, Any], _: ImplementationContext) -> str | None:
    for number, r in enumerate(_rules(route), start=1):
        backends = _backends(r)
        if len(backends) > 1 and any(_is_pool(b) for b in backends):
            return f"rule {number} has {len(backends)} backendRefs, an InferencePool among them"
    return None


def _mirror_filters(rule: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    filters = [_map(f) for f in _list(rule.get("filters"))]
    for backend in _backends(rule):
        filters += [_map(f) for f in _list(backend.get("filters"))]
    return [f for f in filters if _str(f.get("type")) == "RequestMirror"]


def _pool_mirror(route: Mapping[str, Any], _: ImplementationContext) -> str | None:
    namespace = _namespace(route)
    for number, r in enumerate(_rules(route), start=1):
        for mirror in _mirror_filters(r):
            target = _map(_map(mirror.get("requestMirror")).get("backendRef"))
            if _is_pool(target):
                return f"rule {number} mirrors to InferencePool {_pool_ref(target, namespace)}"
    return None


Detector = Callable[[Mapping[str, Any], ImplementationContext], "str | None"]

DETECTORS: dict[str, Detector] = {
    RULE_TIMEOUTS: _has_timeouts,
    POOLS_IN_ONE_RULE: _several_pools,
    CROSS_NAMESPACE_POOL: _cross_namespace,
    POOL_BACKEND: _any_pool,
    ROUTES_WITH_DIFFERENT_POOLS: _neighbour_pools,
    POOL_AMONG_SEVERAL_BACKENDS: _pool_among_others,
    POOL_MIRROR: _pool_mirror,
}


# --- the check -----------------------------------------------------------------------------------


def rule_finding(rule: Rule, detail: str, class_name: str = "") -> Finding:
    """The finding for a rule the route meets: what happens there, the route's part, the source."""
    where = f" (class {class_name})" if class_name else ""
    return Finding(
        rule.severity,
        "",
        f"{rule.message}{where}: {detail} [{rule.source}]",
        rule.hint,
        check=IMPLEMENTATION_CHECK,
    )


def check_implementation(
    controller_name: str | None,
    route: Mapping[str, Any],
    context: ImplementationContext | None = None,
) -> list[Finding]:
    """What the Gateway's implementation is known to do with this route (a manifest or a stored
    object), as findings; none for an unknown controller. `controller_name` None: the
    GatewayClass could not be read, so the class name in `context` decides."""
    context = context or ImplementationContext()
    findings = []
    for item in rules_for(controller_name, context.class_name):
        detail = DETECTORS[item.feature](route, context)
        if detail is not None:
            findings.append(rule_finding(item, detail, context.class_name))
    return findings


def pool_backend_hint(controller: str | None, class_name: str) -> str | None:
    """How to turn on InferencePool support in this implementation, when the table knows."""
    found = rule(controller, class_name, POOL_BACKEND)
    return None if found is None else f"{found.hint} [{found.source}]"


def all_pool_backend_hints() -> Sequence[str]:
    """Every implementation's way to turn on InferencePool support (the class is unknown)."""
    return [r.hint for r in RULES if r.feature == POOL_BACKEND]
