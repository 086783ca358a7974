"""The words for a deletion: what stops being served and who takes the traffic over."""

from __future__ import annotations

from ..core.deletion import DeletionPlan
from ..core.explain import share_percent
from ..core.precedence import ANY_HOST, Takeover


def render_served(plan: DeletionPlan) -> list[str]:
    """What the route serves now, each a sentence: Gateways, hostnames, paths, models, pools."""
    lines = []
    if not plan.accepted:
        lines.append("No Gateway has accepted this route: it serves no traffic now.")
    gateways = ", ".join(plan.gateways) or "none"
    lines.append(f"Gateway{'s' if len(plan.gateways) > 1 else ''}: {gateways}")
    lines.append("Hostnames: " + (", ".join(plan.hostnames) or "any host"))
    lines.append("Matches: " + (", ".join(m.describe() for m in plan.matches) or "none"))
    if plan.models:
        lines.append("Models (header X-Gateway-Base-Model-Name): " + ", ".join(plan.models))
    total = sum(max(p.weight, 0) for p in plan.pools)
    pools = [
        f"InferencePool {p.namespace}/{p.name} (weight {p.weight}, "
        f"{share_percent(max(p.weight, 0), total)})"
        for p in plan.pools
    ]
    lines.append("Pools: " + (", ".join(pools) or "none"))
    return lines


def _where(takeover: Takeover) -> str:
    host = takeover.host if takeover.host != ANY_HOST else "any host"
    return f"{takeover.gateway}, {host}, {takeover.match.describe()}"


def render_takeovers(plan: DeletionPlan) -> list[str]:
    """Per (Gateway, hostname, match): the route that takes the requests, or nobody (404)."""
    if not plan.others_read:
        return [
            "Unknown: the other HTTPRoutes could not be listed (no permission); check with "
            "`kubectl get httproutes -A`"
        ]
    lines = []
    for takeover in plan.takeovers:
        where = _where(takeover)
        if takeover.successor is None and takeover.match.path_type == "RegularExpression":
            lines.append(
                f"{where}: not judged (a RegularExpression path ranks as the implementation "
                "decides)"
            )
        elif takeover.successor is None:
            lines.append(
                f"{where}: nobody; the Gateway answers 404 (no other route matches all of these "
                "requests)"
            )
        elif takeover.already:
            lines.append(
                f"{where}: HTTPRoute {takeover.successor}, which already wins these requests "
                "(older, same match): deleting this route changes nothing here"
            )
        else:
            assert takeover.successor_match is not None
            lines.append(
                f"{where}: HTTPRoute {takeover.successor} takes over "
                f"(its match {takeover.successor_match.describe()} covers it)"
            )
    return lines or ["No matches: the route serves nothing."]
