"""The reads `rollback` makes before restoring a revision: its Gateway and the pools it names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from ..core.inventory import PoolState
from ..core.model import GATEWAYS, POOLS_V1, POOLS_V1ALPHA2, ObjectRef
from ..errors import NotFound
from . import readers
from .contract import Cluster

POOL_APIS = {api.group: api for api in (POOLS_V1, POOLS_V1ALPHA2)}


class RestoreTargets(NamedTuple):
    gateway: dict[str, Any] | None
    pools: list[PoolState]  # the pools that exist, for verifying
    missing: list[tuple[ObjectRef, str]]  # named by the revision, not in the cluster


def read_restore_targets(
    client: Cluster, gateway: ObjectRef, pools: Sequence[tuple[ObjectRef, str]]
) -> RestoreTargets:
    """One GET each: the Gateway, every pool (a group the cluster does not serve: missing)."""
    gateway_obj = readers.get_gateway_object(client, GATEWAYS, gateway)
    found: list[PoolState] = []
    missing: list[tuple[ObjectRef, str]] = []
    for ref, group in pools:
        api = POOL_APIS.get(group)
        pool = None
        if api is not None:
            try:
                pool = readers.get_pool_in(client, api, ref)
            except NotFound:  # the API group is not served at all
                pool = None
        if pool is None:
            missing.append((ref, group))
        else:
            found.append(pool)
    return RestoreTargets(gateway_obj, found, missing)
