"""`shift`: new weights, mirrors and progressive steps over a live route's rules. Pure.

A route's traffic lives in its rules' InferencePool backendRefs. `shift` changes only those
(weights, added pools) and the rules' RequestMirror filters; everything else in the rule is kept
as the server stores it, so the server-side apply changes nothing the command does not name.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from ..errors import InvalidInput
from .findings import ERROR, INFO, WARNING, Finding
from .inventory import PodCount, PoolState
from .model import GATEWAY_GROUP, HTTPROUTES, POOL_GROUP_V1, POOL_GROUPS, ObjectRef, PoolBackend
from .preflight import AccessCheck
from .validation import parse_object_ref
from .verify import GatewayView

MIRROR = "RequestMirror"
GATE_CHECK = "gate"
MAX_STEPS = 20
MIRROR_NOTE = (
    "Mirroring to an InferencePool is implementation-specific: Gateway API defines "
    "RequestMirror (Extended support) for Services; whether a controller mirrors to an "
    "InferencePool, and through its endpoint picker, depends on the implementation (check its "
    "documentation). Mirrored responses are discarded."
)


class Mirror(NamedTuple):
    """--mirror POOL=PERCENT: a copy of that share of requests goes to the pool."""

    ref: ObjectRef
    percent: int


class TrafficRow(NamedTuple):
    """One line of the traffic table: a pool's weight and share in one rule."""

    rule: int  # index in spec.rules
    pool: str  # "qwen" or "other-ns/qwen" (another namespace than the route's)
    weight: int
    share: str  # "90%", "33.3%"; mirrors: "mirror 10%"


class ShiftStep(NamedTuple):
    """One step of a progressive shift: the target's share and every rule's weights."""

    share: int
    rules: list[dict[str, Any]]


# --- input ---------------------------------------------------------------------------------------


def parse_mirror(text: str, default_namespace: str) -> Mirror:
    """[NAMESPACE/]POOL=PERCENT, PERCENT a whole number from 0 to 100 (a trailing % allowed)."""
    hint = "use POOL=PERCENT, e.g. --mirror qwen-v2=10"
    ref_text, sep, percent_text = text.partition("=")
    percent_text = percent_text.removesuffix("%")
    if not sep or not percent_text.isdigit() or not percent_text.isascii():
        raise InvalidInput(f'--mirror "{text}": expected POOL=PERCENT', hint)
    percent = int(percent_text)
    if percent > 100:
        raise InvalidInput(f'--mirror "{text}": percent must be from 0 to 100', hint)
    ref = parse_object_ref(ref_text, default_namespace, "--mirror", example="e.g. qwen-v2=10")
    return Mirror(ref, percent)


def parse_steps(text: str) -> tuple[int, ...]:
    """--steps 10,50,100: shares in percent, rising, each from 1 to 100."""
    hint = "use rising percentages from 1 to 100, e.g. --steps 10,50,100"
    parts = [p.strip() for p in text.split(",")]
    if not all(p.isdigit() and p.isascii() for p in parts):
        raise InvalidInput(f'--steps "{text}": expected percentages separated by commas', hint)
    steps = tuple(int(p) for p in parts)
    if any(not 1 <= s <= 100 for s in steps):
        raise InvalidInput(f'--steps "{text}": each step must be from 1 to 100', hint)
    if any(b <= a for a, b in itertools.pairwise(steps)):
        raise InvalidInput(f'--steps "{text}": the steps must rise', hint)
    if len(steps) > MAX_STEPS:
        raise InvalidInput(f'--steps "{text}": at most {MAX_STEPS} steps', hint)
    return steps


# --- reading the route ---------------------------------------------------------------------------


def is_pool_ref(ref: Any) -> bool:
    """A backendRef (or a mirror's backendRef) to an InferencePool of a group we know."""
    return (
        isinstance(ref, dict)
        and ref.get("kind") == "InferencePool"
        and ref.get("group") in POOL_GROUPS
    )


def ref_of(backend: Mapping[str, Any], route_namespace: str) -> ObjectRef:
    return ObjectRef(str(backend.get("namespace") or route_namespace), str(backend.get("name", "")))


def route_ref(route: Mapping[str, Any]) -> ObjectRef:
    meta = route.get("metadata") or {}
    return ObjectRef(str(meta.get("namespace", "")), str(meta.get("name", "")))


def live_rules(route: Mapping[str, Any]) -> list[dict[str, Any]]:
    rules = (route.get("spec") or {}).get("rules") or []
    return [r for r in rules if isinstance(r, dict)]


def pool_rule_indexes(rules: Sequence[Mapping[str, Any]]) -> list[int]:
    """The rules that send traffic to at least one InferencePool: the ones `shift` changes."""
    return [
        i
        for i, rule in enumerate(rules)
        if any(is_pool_ref(b) for b in rule.get("backendRefs") or [])
    ]


def route_pools(route: Mapping[str, Any]) -> dict[ObjectRef, tuple[str, int | None]]:
    """Every InferencePool the route's rules name (backends and mirrors): its group and port."""
    namespace = route_ref(route).namespace
    found: dict[ObjectRef, tuple[str, int | None]] = {}
    for rule in live_rules(route):
        refs = list(rule.get("backendRefs") or [])
        refs += [
            (f.get("requestMirror") or {}).get("backendRef")
            for f in rule.get("filters") or []
            if isinstance(f, dict) and f.get("type") == MIRROR
        ]
        for ref in refs:
            if is_pool_ref(ref):
                port = ref.get("port")
                found.setdefault(
                    ref_of(ref, namespace),
                    (str(ref["group"]), port if isinstance(port, int) else None),
                )
    return found


def weights_of(rule: Mapping[str, Any], route_namespace: str) -> list[tuple[ObjectRef, int]]:
    """The rule's InferencePool backends and their weights (1 when unset, as the API defaults)."""
    out = []
    for ref in rule.get("backendRefs") or []:
        if is_pool_ref(ref):
            weight = ref.get("weight", 1)
            out.append((ref_of(ref, route_namespace), weight if isinstance(weight, int) else 1))
    return out


def require_pool_rules(route: Mapping[str, Any]) -> list[int]:
    indexes = pool_rule_indexes(live_rules(route))
    if not indexes:
        ref = route_ref(route)
        raise InvalidInput(
            f"HTTPRoute {ref} sends no traffic to an InferencePool: nothing to shift",
            "shift changes the weights of a route's InferencePool backendRefs; create one with "
            "`kubectl inferroute expose`",
        )
    return indexes


# --- planning one change -------------------------------------------------------------------------


def backend_ref(pool: PoolBackend, route_namespace: str) -> dict[str, Any]:
    """A backendRef in the shape `expose` writes: group and kind always, namespace when other."""
    ref: dict[str, Any] = {"group": pool.group, "kind": "InferencePool", "name": pool.name}
    if pool.namespace != route_namespace:
        ref["namespace"] = pool.namespace
    ref["port"] = pool.port
    ref["weight"] = pool.weight
    return ref


def mirror_filter(pool: PoolBackend, percent: int, route_namespace: str) -> dict[str, Any]:
    """A RequestMirror filter to an InferencePool. The CRD requires a port only for a Service
    (group "" and kind Service); it is set anyway, as on the backendRefs, so the mirror goes to
    the same port traffic does."""
    ref: dict[str, Any] = {"group": pool.group, "kind": "InferencePool", "name": pool.name}
    if pool.namespace != route_namespace:
        ref["namespace"] = pool.namespace
    ref["port"] = pool.port
    return {"type": MIRROR, "requestMirror": {"backendRef": ref, "percent": percent}}


def with_weights(
    rules: Sequence[Mapping[str, Any]],
    route_namespace: str,
    weights: Mapping[ObjectRef, int],
    added: Mapping[ObjectRef, PoolBackend],
) -> list[dict[str, Any]]:
    """Rules with the listed pools' weights set in every InferencePool rule; unlisted pools keep
    theirs, a weight of 0 keeps the backendRef, a listed pool missing from a rule is appended."""
    out = [copy.deepcopy(dict(r)) for r in rules]
    for index in pool_rule_indexes(out):
        rule = out[index]
        refs = rule.setdefault("backendRefs", [])
        present = set()
        for ref in refs:
            if not is_pool_ref(ref):
                continue
            key = ref_of(ref, route_namespace)
            present.add(key)
            if key in weights:
                ref["weight"] = weights[key]
        for key, weight in weights.items():
            if key not in present:
                pool = added.get(key)
                if pool is None:
                    raise InvalidInput(
                        f"InferencePool {key} is not on the route and was not found",
                        "name a pool that exists",
                    )
                refs.append(backend_ref(pool._replace(weight=weight), route_namespace))
        check_rule_weights(rule, route_namespace)
    return out


def check_rule_weights(rule: Mapping[str, Any], route_namespace: str) -> None:
    weights = weights_of(rule, route_namespace)
    if weights and not any(w for _, w in weights):
        raise InvalidInput(
            "every pool of the route would have weight 0, so it would send no traffic",
            "give at least one pool a weight above 0, e.g. qwen-v1=1",
        )


def with_mirror(
    rules: Sequence[Mapping[str, Any]],
    route_namespace: str,
    mirror: PoolBackend | None,
    percent: int,
) -> list[dict[str, Any]]:
    """Rules whose RequestMirror filters are replaced by one to `mirror` (None: removed) in each
    rule with an InferencePool backendRef; other filters stay, in their order."""
    out = [copy.deepcopy(dict(r)) for r in rules]
    for index in pool_rule_indexes(out):
        rule = out[index]
        kept = [
            f
            for f in rule.get("filters") or []
            if not (isinstance(f, dict) and f.get("type") == MIRROR)
        ]
        if mirror is not None:
            kept.append(mirror_filter(mirror, percent, route_namespace))
        if kept:
            rule["filters"] = kept
        else:
            rule.pop("filters", None)
    return out


def build_shift_manifest(route: Mapping[str, Any], rules: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole object the plugin applies: the live route's identity, labels, parents and
    hostnames (server-owned metadata left out), with these rules."""
    meta = route.get("metadata") or {}
    spec = route.get("spec") or {}
    metadata: dict[str, Any] = {"name": meta.get("name"), "namespace": meta.get("namespace")}
    if meta.get("labels"):
        metadata["labels"] = dict(meta["labels"])
    new_spec: dict[str, Any] = {"parentRefs": copy.deepcopy(spec.get("parentRefs") or [])}
    if spec.get("hostnames"):
        new_spec["hostnames"] = list(spec["hostnames"])
    new_spec["rules"] = rules
    return {
        "apiVersion": HTTPROUTES.api_version,
        "kind": HTTPROUTES.kind,
        "metadata": metadata,
        "spec": new_spec,
    }


def new_backend(pool: PoolState) -> PoolBackend:
    """A pool not on the route yet, as `expose` would add it: its group, its first target port."""
    return PoolBackend(pool.ref.name, pool.ref.namespace, pool.group, pool.port, 0)


def mirror_backend(
    ref: ObjectRef, on_route: Mapping[ObjectRef, tuple[str, int | None]], pool: PoolState | None
) -> PoolBackend:
    """Where a mirror goes: the port the route already uses for the pool, else its own."""
    group, port = on_route.get(ref, (pool.group if pool is not None else POOL_GROUP_V1, None))
    if pool is not None:
        group = pool.group
    return PoolBackend(ref.name, ref.namespace, group, port or (pool.port if pool else 8000))


def without_pools(
    rules: Sequence[Mapping[str, Any]], route_namespace: str, removed: Sequence[ObjectRef]
) -> list[dict[str, Any]]:
    """Rules without the removed pools' backendRefs (and mirrors to them): the pool may then be
    deleted without leaving the route a reference it cannot resolve."""
    out = [copy.deepcopy(dict(r)) for r in rules]
    if not removed:
        return out
    gone = set(removed)
    found: set[ObjectRef] = set()
    for index in pool_rule_indexes(out):
        rule = out[index]
        kept = []
        for ref in rule.get("backendRefs") or []:
            if is_pool_ref(ref) and ref_of(ref, route_namespace) in gone:
                found.add(ref_of(ref, route_namespace))
            else:
                kept.append(ref)
        if not kept:
            raise InvalidInput(
                f"removing {', '.join(str(r) for r in removed)} would leave rule {index + 1} "
                "with no backend, so the Gateway would answer its requests with an error",
                "give another pool traffic first (shift ROUTE POOL=WEIGHT), or delete the route",
            )
        rule["backendRefs"] = kept
        filters = [
            f
            for f in rule.get("filters") or []
            if not (
                f.get("type") == "RequestMirror"
                and is_pool_ref((f.get("requestMirror") or {}).get("backendRef"))
                and ref_of(f["requestMirror"]["backendRef"], route_namespace) in gone
            )
        ]
        if filters:
            rule["filters"] = filters
        else:
            rule.pop("filters", None)
        check_rule_weights(rule, route_namespace)
    missing = [ref for ref in removed if ref not in found]
    if missing:
        raise InvalidInput(
            f"InferencePool {missing[0]} is not on the route: there is nothing to remove",
            "see the route's pools with `kubectl inferroute status ROUTE`",
        )
    return out


def plan_change(
    route: Mapping[str, Any],
    weights: Mapping[ObjectRef, int],
    added: Mapping[ObjectRef, PoolBackend],
    mirror: tuple[PoolBackend, int] | None,
    *,
    no_mirror: bool,
    removed: Sequence[ObjectRef] = (),
) -> list[dict[str, Any]]:
    """One step's rules: the removed pools taken off, the weights given, then the mirror set
    (or removed)."""
    namespace = route_ref(route).namespace
    rules = without_pools(live_rules(route), namespace, removed)
    rules = with_weights(rules, namespace, weights, added)
    if mirror is not None:
        rules = with_mirror(rules, namespace, mirror[0], mirror[1])
    elif no_mirror:
        rules = with_mirror(rules, namespace, None, 0)
    return rules


def parent_gateway(route: dict[str, Any]) -> GatewayView:
    """The route's first parent Gateway, as the verdict reads it: its name is enough (the tables
    read it again after the verdict), so no request is sent for it here."""
    namespace = str((route.get("metadata") or {}).get("namespace", ""))
    for parent in (route.get("spec") or {}).get("parentRefs") or []:
        if parent.get("kind", "Gateway") == "Gateway":
            ref = ObjectRef(str(parent.get("namespace") or namespace), str(parent.get("name")))
            return GatewayView(ref, "", (), (), ())
    return GatewayView(ObjectRef(namespace, ""), "", (), (), ())


def backends_of(rules: list[dict[str, Any]], namespace: str) -> tuple[PoolBackend, ...]:
    """The record's pool table: each InferencePool backendRef of the first pool rule."""
    out = []
    for index in pool_rule_indexes(rules)[:1]:
        for ref in rules[index].get("backendRefs") or []:
            if is_pool_ref(ref):
                out.append(
                    PoolBackend(
                        str(ref["name"]),
                        str(ref.get("namespace") or namespace),
                        str(ref["group"]),
                        int(ref.get("port") or 0),
                        int(ref.get("weight", 1)),
                    )
                )
    return tuple(out)


# --- progressive steps ---------------------------------------------------------------------------


def split_by_largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """`total` split in proportion to `weights` into whole numbers that sum to `total`.

    Each gets the floor of its exact share; what is left goes one by one to the largest
    fractional remainders, the earlier on the route first on a tie (Hamilton's method). All
    weights 0: an equal split."""
    if not weights:
        return []
    base = list(weights) if any(weights) else [1] * len(weights)
    whole = sum(base)
    exact = [total * w for w in base]  # in units of 1/whole
    shares = [e // whole for e in exact]
    left = total - sum(shares)
    order = sorted(range(len(base)), key=lambda i: (-(exact[i] % whole), i))
    for i in order[:left]:
        shares[i] += 1
    return shares


def step_weights(
    before: Sequence[tuple[ObjectRef, int]], target: ObjectRef, share: int
) -> dict[ObjectRef, int]:
    """One step's weights in one rule, summing to 100: the target gets `share`, the others split
    the rest in proportion to their weights before the shift (at 100 they keep weight 0)."""
    others = [(ref, w) for ref, w in before if ref != target]
    split = split_by_largest_remainder(100 - share, [w for _, w in others])
    weights = {ref: w for (ref, _), w in zip(others, split, strict=True)}
    weights[target] = share
    return weights


def plan_steps(
    route: Mapping[str, Any],
    target: ObjectRef,
    shares: Sequence[int],
    added: Mapping[ObjectRef, PoolBackend],
) -> list[ShiftStep]:
    """The rules of each step of a progressive shift to `target`, from the live route."""
    namespace = route_ref(route).namespace
    rules = live_rules(route)
    indexes = require_pool_rules(route)
    befores = {i: weights_of(rules[i], namespace) for i in indexes}
    if all(all(ref == target for ref, _ in befores[i]) for i in indexes):
        raise InvalidInput(
            f"InferencePool {target} is the only pool of the route: there is nothing to shift from",
            "add the pool to shift to first: shift ROUTE NEW-POOL=0, or --to another pool",
        )
    steps = []
    for share in shares:
        out = [copy.deepcopy(r) for r in rules]
        for i in indexes:
            weights = step_weights(befores[i], target, share)
            out[i] = with_weights([out[i]], namespace, weights, added)[0]
        steps.append(ShiftStep(share, out))
    return steps


# --- showing the traffic -------------------------------------------------------------------------


def _pool_label(ref: ObjectRef, route_namespace: str) -> str:
    return ref.name if ref.namespace == route_namespace else str(ref)


def format_share(weight: int, total: int) -> str:
    """The share of a weight, in percent: whole when it is, else to one decimal."""
    if total <= 0:
        return "0%"
    tenths = round(weight * 1000 / total)
    return f"{tenths // 10}%" if tenths % 10 == 0 else f"{tenths / 10:.1f}%"


def traffic_rows(rules: Sequence[Mapping[str, Any]], route_namespace: str) -> list[TrafficRow]:
    """Each InferencePool rule's pools with weight and share, then its mirrors."""
    rows = []
    for index in pool_rule_indexes(rules):
        rule = rules[index]
        weights = weights_of(rule, route_namespace)
        total = sum(w for _, w in weights)
        for ref, weight in weights:
            rows.append(
                TrafficRow(
                    index, _pool_label(ref, route_namespace), weight, format_share(weight, total)
                )
            )
        for item in rule.get("filters") or []:
            if not (isinstance(item, dict) and item.get("type") == MIRROR):
                continue
            mirror = item.get("requestMirror") or {}
            backend = mirror.get("backendRef") or {}
            percent = mirror.get("percent", 100)
            label = _pool_label(ref_of(backend, route_namespace), route_namespace)
            rows.append(TrafficRow(index, label, 0, f"mirror {percent}%"))
    return rows


def weights_text(rules: Sequence[Mapping[str, Any]], route_namespace: str) -> str:
    """`qwen-v1=90 qwen-v2=10` (rules after the first InferencePool rule after a `;`)."""
    parts = []
    for index in pool_rule_indexes(rules):
        weights = weights_of(rules[index], route_namespace)
        parts.append(" ".join(f"{_pool_label(r, route_namespace)}={w}" for r, w in weights))
    return "; ".join(parts)


def traffic_summary(before: Sequence[TrafficRow], after: Sequence[TrafficRow]) -> list[str]:
    """The record's sentences: each pool's share before and after."""
    was = {(r.rule, r.pool, r.share.startswith("mirror")): r for r in before}
    lines = []
    for row in after:
        mirror = row.share.startswith("mirror")
        old = was.get((row.rule, row.pool, mirror))
        then = old.share if old is not None else "none"
        if mirror:
            lines.append(f"Mirror to InferencePool {row.pool}: {then} -> {row.share}.")
        else:
            lines.append(
                f"InferencePool {row.pool}: {then} -> {row.share} of requests "
                f"(weight {row.weight})."
            )
    mirrored_after = {(r.rule, r.pool) for r in after if r.share.startswith("mirror")}
    for row in before:
        if row.share.startswith("mirror") and (row.rule, row.pool) not in mirrored_after:
            lines.append(f"Mirror to InferencePool {row.pool}: {row.share} -> removed.")
    return lines


# --- gates ---------------------------------------------------------------------------------------


class PoolHealth(NamedTuple):
    """What the gates read of one pool: the pool (None: not found), its pods and picker."""

    ref: ObjectRef
    pool: PoolState | None
    pods: PodCount | None  # None: could not be read
    picker_found: bool | None  # None: the pool names none, or it could not be read


def traffic_pools(rules: Sequence[Mapping[str, Any]], route_namespace: str) -> list[ObjectRef]:
    """The pools that get requests under these rules: weight above 0, or a mirror."""
    pools: dict[ObjectRef, None] = {}
    for index in pool_rule_indexes(rules):
        for ref, weight in weights_of(rules[index], route_namespace):
            if weight > 0:
                pools[ref] = None
        for item in rules[index].get("filters") or []:
            if isinstance(item, dict) and item.get("type") == MIRROR:
                backend = (item.get("requestMirror") or {}).get("backendRef")
                if isinstance(backend, dict) and is_pool_ref(backend):
                    pools[ref_of(backend, route_namespace)] = None
    return list(pools)


def check_gates(
    health: Sequence[PoolHealth], *, force: bool, forceable: bool = True
) -> list[Finding]:
    """Every pool that gets traffic exists, has a Ready pod and its endpoint picker Service.

    A failed gate blocks the apply unless --force (then it is a warning, kept on record);
    `forceable` False: a step's gate during a progressive shift, which --force does not pass."""
    findings = []
    for item in health:
        problem, fix = _gate_problem(item)
        if not problem:
            continue
        if forceable:
            fix += "; or pass --force to apply anyway"
        findings.append(
            Finding(
                ERROR if not force else WARNING,
                "",
                problem + ("" if not force else " (--force: applying anyway)"),
                fix if not force else "",
                check=GATE_CHECK,
                blocking=not force,
            )
        )
    if health and not findings:
        names = ", ".join(str(h.ref) for h in health)
        findings.append(
            Finding(
                INFO,
                "",
                f"every pool that gets traffic has a Ready pod and its endpoint picker: {names}",
                check=GATE_CHECK,
            )
        )
    return findings


def _gate_problem(item: PoolHealth) -> tuple[str, str]:
    ref, pool = item.ref, item.pool
    if pool is None:
        return (
            f"InferencePool {ref} does not exist",
            f"create it, or check the name with `kubectl get inferencepools -n {ref.namespace}`",
        )
    selector = pool.selector_text
    if item.pods is not None and not item.pods.ready:
        what = (
            f"none of its {item.pods.total} pod(s) is Ready"
            if item.pods.total
            else f"it selects no pods (selector {selector or '-'})"
        )
        return (
            f"InferencePool {ref} has no Ready pod: {what}",
            f"wait for the model server: `kubectl get pods -n {ref.namespace} -l {selector}`",
        )
    if not pool.picker:
        return (
            f"InferencePool {ref} names no endpoint picker",
            "set the pool's endpointPickerRef (the inferencepool Helm chart does)",
        )
    if item.picker_found is False:
        return (
            f'the endpoint picker Service "{pool.picker}" of InferencePool {ref} is missing',
            "deploy the endpoint picker (the inferencepool Helm chart does), or fix the pool's "
            "endpointPickerRef",
        )
    return "", ""


def required_shift_access(
    route: ObjectRef, pools: Sequence[tuple[ObjectRef, str]]
) -> tuple[AccessCheck, ...]:
    """What shift needs: patch the route; get the pools, their pods and Services."""
    checks = [AccessCheck("patch", GATEWAY_GROUP, "httproutes", route.namespace)]
    for ref, group in pools:
        for check in (
            AccessCheck("get", group, "inferencepools", ref.namespace),
            AccessCheck("list", "", "pods", ref.namespace),
            AccessCheck("get", "", "services", ref.namespace),
        ):
            if check not in checks:
                checks.append(check)
    return tuple(checks)


def check_route_gate(route: Mapping[str, Any]) -> Finding | None:
    """The route Ready on every parent Gateway, for its current generation (a step's gate)."""
    from .verify import route_facts, route_verdict

    facts = route_facts(route)
    namespace = route_ref(route).namespace
    for parent in (route.get("spec") or {}).get("parentRefs") or []:
        if parent.get("kind", "Gateway") != "Gateway":
            continue
        gateway = ObjectRef(str(parent.get("namespace") or namespace), str(parent.get("name")))
        verdict = route_verdict(facts, gateway)
        if not verdict.healthy:
            return Finding(
                ERROR,
                "",
                f"HTTPRoute {facts.ref} is {verdict.state} on Gateway {gateway}: {verdict.summary}",
                verdict.fix,
                check="gate-route",
            )
    return None


def check_probe_gate(result: Any, route: ObjectRef) -> Finding | None:
    """--probe: the request through the Gateway answered 2xx (a `core.probe.ProbeResult`)."""
    if result.ok:
        return None
    failed = next((s for s in result.steps if not s.ok), None)
    what = (
        f"{failed.request} answered {failed.status if failed.status is not None else failed.error}"
        if failed is not None
        else "no request could be sent: " + "; ".join(result.notes)
    )
    return Finding(
        ERROR,
        "",
        f"the probe through the Gateway failed: {what}",
        f"look at it with `kubectl inferroute status {route.name} -n {route.namespace} --probe`",
        check="gate-probe",
    )
