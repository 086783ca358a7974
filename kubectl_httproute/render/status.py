"""`status` as text: the overview table (and -o wide), one route in detail, findings. Pure.

Every function returns a string; the clock is a parameter so that output is reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ..core.diagnose import RouteDiagnosis
from ..core.events import event_age
from ..core.findings import Finding
from ..core.inventory import Inventory, PoolState, RouteInfo, Unreadable
from ..core.model import Condition, ObjectRef
from ..core.verify import condition_age, human_duration, parse_time
from .findings import finding_lines
from .tables import NONE, render_gateway, render_table


def _age(created: str, now: datetime) -> str:
    then = parse_time(created)
    if then is None:
        return NONE
    return human_duration((now - then).total_seconds())


def _statuses(route: RouteInfo, type_: str) -> str:
    values = []
    for parent in route.parents:
        condition = next((c for c in parent.conditions if c.type == type_), None)
        value = condition.status if condition is not None else "Unknown"
        if value not in values:
            values.append(value)
    return ",".join(values) or NONE


def _gateways(route: RouteInfo) -> str:
    names = []
    for ns, name, section in route.summary.parents:
        label = name if ns == route.ref.namespace else f"{ns}/{name}"
        names.append(label + (f"#{section}" if section else ""))
    return ",".join(names) or NONE


def _pools(route: RouteInfo) -> str:
    return ",".join(
        (name if ns == route.ref.namespace else f"{ns}/{name}") + f"={weight}"
        for _, ns, name, weight in route.summary.pools
    )


def _hosts_paths(route: RouteInfo) -> str:
    hosts = ",".join(route.summary.hostnames) or "*"
    return f"{hosts}{','.join(route.paths)}" if route.paths else hosts


def _controllers(route: RouteInfo) -> str:
    return ",".join(sorted({p.controller for p in route.parents if p.controller})) or NONE


def _addresses(route: RouteInfo, inv: Inventory) -> str:
    found: list[str] = []
    for ns, name, _ in route.summary.parents:
        view = inv.gateways.get(ObjectRef(ns, name))
        for address in view.addresses if view is not None else ():
            if address not in found:
                found.append(address)
    return ",".join(found) or NONE


def render_overview(
    diagnoses: Sequence[RouteDiagnosis],
    inv: Inventory,
    now: datetime,
    *,
    all_namespaces: bool = False,
    wide: bool = False,
) -> str:
    """One row per route: where it attaches, where it sends traffic, what the controller said."""
    from ..core.basemodels import route_model

    headers = ["ROUTE", "GATEWAYS", "POOLS", "HOSTS/PATHS", "ACCEPTED", "RESOLVED", "AGE"]
    headers.append("VERDICT")
    # MODEL only when some route takes one model's requests (several models on one Gateway):
    # the table of a one-model cluster stays as it was.
    models = [route_model(d.route.summary) for d in diagnoses]
    with_models = any(models)
    if with_models:
        headers.insert(3, "MODEL")
    if all_namespaces:
        headers.insert(0, "NAMESPACE")
    if wide:
        headers += ["CONTROLLERS", "ADDRESSES", "GENERATION", "OBSERVEDGEN"]
    rows = []
    for diag, model in zip(diagnoses, models, strict=True):
        route = diag.route
        row: list[object] = [
            route.ref.name,
            _gateways(route),
            _pools(route),
            *([model or NONE] if with_models else []),
            _hosts_paths(route),
            _statuses(route, "Accepted") if route.parents else NONE,
            _statuses(route, "ResolvedRefs") if route.parents else NONE,
            _age(route.summary.created, now),
            diag.verdict,
        ]
        if all_namespaces:
            row.insert(0, route.ref.namespace)
        if wide:
            row += [
                _controllers(route),
                _addresses(route, inv),
                NONE if route.generation is None else route.generation,
                NONE if route.observed_generation is None else route.observed_generation,
            ]
        rows.append(row)
    return render_table(headers, rows)


def render_findings(diagnoses: Sequence[RouteDiagnosis]) -> str:
    """Every finding: `SUBJECT: what` then `  fix: ...`, with YAML to apply indented below."""
    blocks = []
    for diag in diagnoses:
        for finding in diag.findings:
            blocks.append(_finding_block(finding))
    return "\n".join(blocks)


def _finding_block(finding: Finding) -> str:
    # Marked like expose's preflight findings; flush left, the fix below it, YAML below that.
    return "\n".join(finding_lines(finding, indent="", fix_indent="  ", yaml_indent="    "))


def render_unreadable(items: Sequence[Unreadable]) -> str:
    """What could not be read, so that a partial view is never mistaken for the whole."""
    return "\n".join(f"could not read {u.describe()}" for u in items)


# ---------------------------------------------------------------------------------------------
# Detail.


def _conditions_rows(
    parents: Sequence[tuple[str, str, tuple[Condition, ...]]], now: datetime
) -> list[list[object]]:
    rows: list[list[object]] = []
    for parent, controller, conditions in parents:
        for c in conditions:
            rows.append(
                [
                    parent,
                    controller,
                    c.type,
                    c.status,
                    c.reason,
                    c.message,
                    NONE if c.observed_generation is None else c.observed_generation,
                    condition_age(c, now) if c.last_transition_time else NONE,
                ]
            )
    return rows


_CONDITION_HEADERS = (
    "PARENT",
    "CONTROLLER",
    "TYPE",
    "STATUS",
    "REASON",
    "MESSAGE",
    "OBSERVEDGEN",
    "AGE",
)


def _pool_block(pool: PoolState, inv: Inventory, now: datetime) -> str:
    lines = [f"InferencePool {pool.ref} ({pool.group}/{pool.version})"]
    lines.append(f"  Selector: {pool.selector_text or NONE}")
    ports = ",".join(str(p) for p in pool.target_ports) or NONE
    lines.append(f"  Target ports: {ports}")
    if pool.picker:
        exists = inv.services.get(ObjectRef(pool.ref.namespace, pool.picker))
        state = {True: "Service exists", False: "Service missing", None: "Service not checked"}
        port = f":{pool.picker_port}" if pool.picker_port else ""
        lines.append(f"  Endpoint picker: {pool.picker}{port} ({state[exists]})")
    else:
        lines.append(f"  Endpoint picker: {NONE}")
    count = inv.pods.get((pool.group, pool.ref))
    if count is not None:
        lines.append(f"  Pods: {count.total} matching, {count.ready} ready")
    rows = _conditions_rows([(p.parent, p.controller, p.conditions) for p in pool.parents], now)
    if rows:
        lines.append(render_table(_CONDITION_HEADERS, rows))
    else:
        lines.append("  no controller has written status for this pool")
    return "\n".join(lines)


def _listener_conditions(inv: Inventory, ref: ObjectRef) -> str:
    view = inv.gateways[ref]
    rows = [
        [listener.name, c.type, c.status, c.reason, c.message]
        for listener in view.listeners
        for c in listener.conditions
    ]
    if not rows:
        return ""
    return "Listener conditions:\n" + render_table(
        ("LISTENER", "TYPE", "STATUS", "REASON", "MESSAGE"), rows
    )


def render_events(inv: Inventory, kind: str, ref: ObjectRef, now: datetime) -> str:
    """An object's newest events, as `kubectl describe` ends with them: newest last."""
    if kind not in inv.events_read:
        return "Events: not read"
    events = inv.events.get((kind, ref))
    if not events:
        return f"Events: {NONE}"
    rows = [[e.type, e.reason, event_age(e, now), e.source or NONE, e.message] for e in events]
    return "Events:\n" + render_table(("TYPE", "REASON", "AGE", "FROM", "MESSAGE"), rows)


def render_detail(diag: RouteDiagnosis, inv: Inventory, now: datetime, tree: str = "") -> str:
    """One route: the traffic tree, its conditions per parent, each Gateway, each pool, grants,
    then findings; with the events of each when they were read."""
    route = diag.route
    summary = route.summary
    parts = [tree] if tree else []
    # Events are read with the detail view's text and JSON; a caller that did not ask for them
    # (the graph formats) gets no Events lines.
    with_events = bool(inv.events_read) or any(u.kind == "events" for u in inv.unreadable)
    head = [
        f"HTTPRoute {route.ref}",
        f"  Verdict: {diag.verdict}",
        f"  Hostnames: {','.join(summary.hostnames) or '* (any the listener accepts)'}",
        f"  Paths: {','.join(route.paths) or NONE}",
        f"  Pools: {_pools(route) or NONE}",
        f"  Generation: {NONE if route.generation is None else route.generation}, observed: "
        f"{NONE if route.observed_generation is None else route.observed_generation}",
        f"  Age: {_age(summary.created, now)}",
    ]
    parts.append("\n".join(head))
    rows = _conditions_rows([(p.parent, p.controller, p.conditions) for p in route.parents], now)
    if rows:
        parts.append("Conditions:\n" + render_table(_CONDITION_HEADERS, rows))
    else:
        parts.append("Conditions: no controller has written status for this route")
    if with_events:
        parts[-1] += "\n" + render_events(inv, "HTTPRoute", route.ref, now)
    for ns, name, _ in dict.fromkeys((ns, n, None) for ns, n, _ in summary.parents):
        ref = ObjectRef(ns, name)
        view = inv.gateways.get(ref)
        if view is None:
            parts.append(f"Gateway {ref}: not found or not readable")
            continue
        block = [render_gateway(view)]
        listener_conditions = _listener_conditions(inv, ref)
        if listener_conditions:
            block.append(listener_conditions)
        cls = inv.classes.get(view.class_name)
        if cls is not None:
            accepted = cls.accepted.status if cls.accepted is not None else NONE
            block.append(
                f"GatewayClass {cls.name}: controller {cls.controller or NONE}, Accepted {accepted}"
            )
        elif inv.classes_read:
            block.append(f"GatewayClass {view.class_name or NONE}: not found")
        if with_events:
            block.append(render_events(inv, "Gateway", ref, now))
        parts.append("\n".join(block))
    shown: set[tuple[str, ObjectRef]] = set()
    for group, ns, name, _ in summary.pools:
        ref = ObjectRef(ns, name)
        pool = inv.pool(group, ref)
        if pool is None:
            others = [g for g in inv.pool_groups if g != group and inv.pool(g, ref) is not None]
            where = f" (a pool of that name is in group {others[0]})" if others else ""
            parts.append(f"InferencePool {ref} ({group or 'no group'}): not found{where}")
            continue
        if (group, ref) not in shown:
            shown.add((group, ref))
            pool_text = _pool_block(pool, inv, now)
            if with_events:
                pool_text += "\n" + render_events(inv, "InferencePool", ref, now)
            parts.append(pool_text)
    foreign = sorted({(g, ns, n) for g, ns, n, _ in summary.pools if ns != route.ref.namespace})
    if foreign:
        lines = ["ReferenceGrants:"]
        for group, ns, name in foreign:
            grants = inv.grants.get(ns)
            if grants is None:
                lines.append(f"  {ns}: not read")
                continue
            permitting = [g for g in grants if g.permits(route.ref.namespace, group, name)]
            if permitting:
                names = ", ".join(str(g.ref) for g in permitting)
                lines.append(f"  InferencePool {ns}/{name}: permitted by {names}")
            else:
                lines.append(f"  InferencePool {ns}/{name}: no ReferenceGrant permits it")
        parts.append("\n".join(lines))
    if diag.findings:
        parts.append("Findings:\n" + render_findings([diag]))
    else:
        parts.append("Findings: none")
    if inv.unreadable:
        parts.append(render_unreadable(inv.unreadable))
    return "\n\n".join(p.rstrip("\n") for p in parts) + "\n"
