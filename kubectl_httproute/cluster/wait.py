"""Waiting for the gateway controller's verdict (or for a deleted object to be gone), and reading
what verifying shows."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeVar

from ..core.inventory import PoolState
from ..core.model import GATEWAYS, HTTPROUTES, ObjectRef, ResourceApi
from ..core.verify import GatewayView, is_settled, route_facts
from ..errors import NotFound
from . import readers
from .contract import Cluster

Read = TypeVar("Read")
# Told the seconds waited so far, before each pause: the terminal shows progress.
OnWaiting = Callable[[float], None]


def wait_for_verdict(
    cluster: Cluster,
    route: ObjectRef,
    gateway: ObjectRef,
    timeout_ms: int,
    on_waiting: OnWaiting,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[dict[str, Any], bool]:
    """Poll the route until its controller reports on the current generation, or time runs out.

    Returns the route as last read and whether the controller had settled on it."""

    def read() -> dict[str, Any]:
        obj = cluster.get(HTTPROUTES, route.namespace, route.name)
        if obj is None:
            raise NotFound(
                f"HTTPRoute {route} disappeared while waiting",
                "someone deleted it: run expose again",
            )
        return obj

    return _poll(
        read, lambda obj: is_settled(route_facts(obj), gateway), timeout_ms, on_waiting, sleep
    )


def _poll(
    read: Callable[[], Read],
    done: Callable[[Read], bool],
    timeout_ms: int,
    on_waiting: OnWaiting,
    sleep: Callable[[float], None],
) -> tuple[Read, bool]:
    """Read until done(what was read) or time runs out, backing off from 0.1 s to 1 s a
    pause; (the last read, done?)."""
    start = time.monotonic()
    deadline = start + timeout_ms / 1000.0
    interval = 0.1
    while True:
        obj = read()
        if done(obj):
            return obj, True
        now = time.monotonic()
        if now >= deadline:
            return obj, False
        on_waiting(now - start)
        sleep(min(interval, max(0.0, deadline - now)))
        interval = min(interval * 1.5, 1.0)


class VerifiedObjects(NamedTuple):
    """The Gateway and pools as they are after the verdict, for the condition tables."""

    gateway: GatewayView | None
    pools: tuple[PoolState, ...]


def read_verified_objects(
    cluster: Cluster, gateway: ObjectRef, pools: Sequence[PoolState]
) -> VerifiedObjects:
    """The Gateway and each pool read again: their status now, after the controller looked."""
    view = readers.get_gateway(cluster, GATEWAYS, gateway)
    found = (readers.get_pool_in(cluster, pool.api, pool.ref) for pool in pools)
    return VerifiedObjects(view, tuple(p for p in found if p is not None))


def wait_until_gone(
    cluster: Cluster,
    api: ResourceApi,
    ref: ObjectRef,
    timeout_ms: int,
    on_waiting: OnWaiting,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any] | None:
    """Poll the object until the API server answers 404, or time runs out (0: look once).

    Returns None when it is gone, else the object as last read (finalizers may hold it)."""
    obj, _ = _poll(
        lambda: cluster.get(api, ref.namespace, ref.name),
        lambda obj: obj is None,
        timeout_ms,
        on_waiting,
        sleep,
    )
    return obj
