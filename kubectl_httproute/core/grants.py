"""ReferenceGrants: who may refer to what across namespaces, reduced once and checked once. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from .fields import as_list as _list
from .fields import as_map as _map
from .fields import as_str as _str
from .model import GATEWAY_GROUP, ObjectRef


class GrantState(NamedTuple):
    """A ReferenceGrant: who (from) may refer to what (to) in its namespace."""

    ref: ObjectRef
    from_: tuple[tuple[str, str, str], ...]  # (group, kind, namespace)
    to: tuple[tuple[str, str, str], ...]  # (group, kind, name or "")

    def permits(self, route_ns: str, pool_group: str, pool_name: str) -> bool:
        """Whether HTTPRoutes in route_ns may use this InferencePool (a "to" without a name
        covers every pool of the group)."""
        src = any(
            g == GATEWAY_GROUP and k == "HTTPRoute" and ns == route_ns for g, k, ns in self.from_
        )
        dst = any(
            g == pool_group and k == "InferencePool" and n in ("", pool_name) for g, k, n in self.to
        )
        return src and dst


def reduce_grant(obj: Mapping[str, Any]) -> GrantState:
    """A ReferenceGrant object, as the API returns it, reduced to what `permits` reads."""
    meta = _map(obj.get("metadata"))
    spec = _map(obj.get("spec"))
    return GrantState(
        ref=ObjectRef(_str(meta.get("namespace")), _str(meta.get("name"))),
        from_=tuple(
            (_str(_map(f).get("group")), _str(_map(f).get("kind")), _str(_map(f).get("namespace")))
            for f in _list(spec.get("from"))
        ),
        to=tuple(
            (_str(_map(t).get("group")), _str(_map(t).get("kind")), _str(_map(t).get("name")))
            for t in _list(spec.get("to"))
        ),
    )
