"""The rules for choosing among the Gateways and pools found, and the errors when none fits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..errors import InvalidInput, NotFound
from .inventory import PoolState
from .model import ObjectRef
from .verify import GatewayView

GATEWAY_HOWTO = (
    "create one, e.g. with the llm-d or Inference Extension guide "
    "(a Gateway named inference-gateway), then run this again"
)
POOL_HOWTO = (
    "deploy a model server with its InferencePool first (e.g. the inferencepool Helm chart "
    "of the Gateway API Inference Extension), then run this again"
)


T = TypeVar("T", GatewayView, PoolState)


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
