"""The route in plain words: what it matches, where it attaches, who gets which share."""

from __future__ import annotations

from collections.abc import Sequence

from .model import MODEL_HEADER, RouteSpec
from .verify import GatewayView


def share_percent(weight: int, total: int) -> str:
    """A pool's share of the traffic, to a tenth of a percent: "90%", "33.3%"."""
    if total <= 0:
        return "0%"
    return f"{weight * 100 / total:.1f}".rstrip("0").rstrip(".") + "%"


def explain_route(
    spec: RouteSpec, gateway: GatewayView | None, notes: Sequence[str] = ()
) -> list[str]:
    """Sentences describing the route, one per line, every non-default setting included."""
    lines: list[str] = []
    match = "is exactly" if spec.path_type == "Exact" else "starts with"
    hosts = (
        "for host " + ", ".join(spec.hostnames)
        if spec.hostnames
        else "for any hostname the listener accepts"
    )
    lines.append(f"Matches HTTP requests whose path {match} {spec.path} {hosts}.")
    for header in spec.headers:
        lines.append(f"Only when header {header.name} is exactly {header.value!r}.")
    if spec.model is not None:
        lines.append(
            f"Takes only the requests for model {spec.model}: header {MODEL_HEADER} is exactly "
            f'{spec.model!r} (the payload processor sets it from the body\'s "model"; other '
            "models' requests go to their own routes)."
        )
    where = f"Gateway {spec.gateway}"
    if spec.section_name:
        where += f", listener {spec.section_name} only"
    elif gateway is not None and any(lst.in_spec for lst in gateway.listeners):
        names = ", ".join(
            f"{lst.name} ({lst.protocol}/{lst.port})" for lst in gateway.listeners if lst.in_spec
        )
        where += f", on whichever of its listeners admit it: {names}"
    lines.append(f"Attaches to {where}.")
    total = sum(b.weight for b in spec.backends)
    for backend in spec.backends:
        where_pool = (
            backend.name
            if backend.namespace == spec.namespace
            else (f"{backend.namespace}/{backend.name}")
        )
        share = share_percent(backend.weight, total)
        lines.append(
            f"Sends {share} of matching traffic to InferencePool {where_pool} "
            f"({backend.group}, weight {backend.weight}); the pool's endpoint picker chooses "
            "the model server pod."
        )
    if spec.request_timeout is None and spec.backend_timeout is None:
        lines.append("Sets no timeouts: the gateway implementation's defaults apply.")
    else:
        lines.append(
            "Timeouts: request "
            + _timeout_words(spec.request_timeout)
            + ", backend request "
            + _timeout_words(spec.backend_timeout)
            + " (long generations are not cut off at the gateway's default)."
        )
    if any(b.port != 8000 for b in spec.backends):
        ports = ", ".join(f"{b.name}:{b.port}" for b in spec.backends)
        lines.append(f"backendRef ports: {ports} (implementations use the pool's target ports).")
    lines.extend(notes)
    return lines


def _timeout_words(value: str | None) -> str:
    if value is None:
        return "unset (implementation default)"
    return "none (0s)" if value == "0s" else value
