"""Listed objects → an inventory of gateways and pools, and the rules for choosing among them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from ..errors import InvalidInput, NotFound
from .model import DEFAULT_POOL_PORT, ObjectRef, ResourceApi

GATEWAY_HOWTO = (
    "create one, e.g. with the llm-d or Inference Extension guide "
    "(a Gateway named inference-gateway), then run this again"
)
POOL_HOWTO = (
    "deploy a model server with its InferencePool first (e.g. the inferencepool Helm chart "
    "of the Gateway API Inference Extension), then run this again"
)


class ListenerInfo(NamedTuple):
    name: str
    port: int | None
    protocol: str
    hostname: str
    allowed_from: str  # Same | All | Selector | None


class GatewayInfo(NamedTuple):
    ref: ObjectRef
    class_name: str
    listeners: tuple[ListenerInfo, ...]
    addresses: tuple[str, ...]

    def describe(self) -> str:
        ports = ", ".join(
            f"{lst.name} {lst.protocol}/{lst.port}" + (f" {lst.hostname}" if lst.hostname else "")
            for lst in self.listeners
        )
        return f"Gateway {self.ref} (class {self.class_name or '?'}; listeners: {ports or 'none'})"


class PoolInfo(NamedTuple):
    ref: ObjectRef
    api: ResourceApi
    target_port: int | None
    selector: str
    endpoint_picker: str

    @property
    def port(self) -> int:
        return self.target_port or DEFAULT_POOL_PORT

    def describe(self) -> str:
        return (
            f"InferencePool {self.ref} ({self.api.group}/{self.api.version}; "
            f"selector {self.selector or '-'}; target port {self.target_port or '-'})"
        )


def summarize_gateway(obj: dict[str, Any]) -> GatewayInfo:
    """The parts of a Gateway that choosing and explaining need."""
    meta = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    listeners = tuple(
        ListenerInfo(
            name=str(lst.get("name", "")),
            port=lst.get("port"),
            protocol=str(lst.get("protocol", "")),
            hostname=str(lst.get("hostname") or ""),
            allowed_from=str(
                ((lst.get("allowedRoutes") or {}).get("namespaces") or {}).get("from") or "Same"
            ),
        )
        for lst in spec.get("listeners") or []
    )
    addresses = tuple(
        str(a.get("value"))
        for a in (obj.get("status") or {}).get("addresses") or []
        if a.get("value")
    )
    return GatewayInfo(
        ref=ObjectRef(meta.get("namespace", ""), meta.get("name", "")),
        class_name=str(spec.get("gatewayClassName", "")),
        listeners=listeners,
        addresses=addresses,
    )


def summarize_pool(obj: dict[str, Any], api: ResourceApi) -> PoolInfo:
    """The parts of an InferencePool (v1 or v1alpha2) that building a route needs."""
    meta = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    if api.version == "v1alpha2":
        selector = spec.get("selector") or {}
        port = spec.get("targetPortNumber")
        picker = (spec.get("extensionRef") or {}).get("name", "")
    else:
        selector = (spec.get("selector") or {}).get("matchLabels") or {}
        ports = spec.get("targetPorts") or []
        port = ports[0].get("number") if ports and isinstance(ports[0], dict) else None
        picker = (spec.get("endpointPickerRef") or {}).get("name", "")
    return PoolInfo(
        ref=ObjectRef(meta.get("namespace", ""), meta.get("name", "")),
        api=api,
        target_port=port if isinstance(port, int) else None,
        selector=",".join(f"{k}={v}" for k, v in sorted(selector.items())),
        endpoint_picker=str(picker or ""),
    )


def is_gke_class(class_name: str) -> bool:
    """GKE's gateway controllers reject rules[].timeouts (kserve issue 5311)."""
    return class_name.startswith("gke-l7-")


T = TypeVar("T", GatewayInfo, PoolInfo)


@dataclass(frozen=True)
class Choice(Generic[T]):
    """The outcome of choosing: one picked, or several to ask the user about."""

    picked: T | None
    candidates: tuple[T, ...]
    reason: str  # "named", "only", or "ask"


def choose(
    found: Sequence[T],
    *,
    kind: str,
    namespace: str,
) -> Choice[T]:
    """Pick the only candidate, or hand back several to ask about; none is an error."""
    if not found:
        raise NotFound(f'no {kind} found in namespace "{namespace}" or any other', _howto(kind))
    ordered = tuple(sorted(found, key=lambda item: (item.ref.namespace, item.ref.name)))
    if len(ordered) == 1:
        return Choice(ordered[0], ordered, "only")
    return Choice(None, ordered, "ask")


def several_error(choice: Choice[T], kind: str, flag: str) -> InvalidInput:
    """Several candidates and nobody to ask: name them and the flag that picks one."""
    names = ", ".join(str(item.ref) for item in choice.candidates)
    return InvalidInput(
        f"{len(choice.candidates)} {kind}s found ({names}) and no terminal to ask which",
        f"name one with {flag}",
    )


def missing_named(kind: str, ref: ObjectRef, existing: Sequence[ObjectRef]) -> NotFound:
    """A named object is not there: say so and list what is."""
    listing = ", ".join(str(r) for r in sorted(existing, key=str))
    hint = f"existing {kind}s: {listing}" if listing else _howto(kind)
    return NotFound(f'{kind} "{ref.name}" not found in namespace "{ref.namespace}"', hint)


def _howto(kind: str) -> str:
    return GATEWAY_HOWTO if kind == "Gateway" else POOL_HOWTO
