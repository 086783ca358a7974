"""Object storage for the fake API server: resource types, metadata, managed fields, events.

Managed fields are tracked at this granularity (enough for conflict detection): each key of a
top-level field (``spec.rules``, ``spec.parentRefs``, ``status.parents``), a top-level scalar
(``data``), and each key of ``metadata.labels`` / ``metadata.annotations``.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
import uuid
from dataclasses import dataclass
from typing import Any

GATEWAY_GROUP = "gateway.networking.k8s.io"
POOL_V1_GROUP = "inference.networking.k8s.io"
POOL_V1ALPHA2_GROUP = "inference.networking.x-k8s.io"
POOL_VERSIONS = {POOL_V1_GROUP: "v1", POOL_V1ALPHA2_GROUP: "v1alpha2"}
VOLATILE = ("uid", "resourceVersion", "creationTimestamp", "managedFields", "generation")


@dataclass(frozen=True)
class ResourceType:
    group: str
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    has_status: bool = True
    verbs: tuple[str, ...] = (
        "create",
        "delete",
        "deletecollection",
        "get",
        "list",
        "patch",
        "update",
        "watch",
    )
    categories: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def kind_qualified(self) -> str:
        return f"{self.kind}.{self.group}" if self.group else self.kind

    @property
    def is_crd(self) -> bool:
        return self.group in (GATEWAY_GROUP, POOL_V1_GROUP, POOL_V1ALPHA2_GROUP)


def build_registry(pool_groups: tuple[str, ...], gateway_api: bool) -> list[ResourceType]:
    """The resource types served for a cluster configuration."""
    types = [
        ResourceType("", "v1", "namespaces", "namespace", "Namespace", False, ("ns",)),
        ResourceType("", "v1", "services", "service", "Service", True, ("svc",)),
        ResourceType("", "v1", "pods", "pod", "Pod", True, ("po",)),
        ResourceType("", "v1", "events", "event", "Event", True, ("ev",), False),
        # The payload processor's model mappings (several models on one Gateway).
        ResourceType("", "v1", "configmaps", "configmap", "ConfigMap", True, ("cm",), False),
        ResourceType(
            "authorization.k8s.io",
            "v1",
            "selfsubjectaccessreviews",
            "selfsubjectaccessreview",
            "SelfSubjectAccessReview",
            False,
            (),
            False,
            ("create",),
        ),
        ResourceType(
            "authorization.k8s.io",
            "v1",
            "selfsubjectrulesreviews",
            "selfsubjectrulesreview",
            "SelfSubjectRulesReview",
            False,
            (),
            False,
            ("create",),
        ),
    ]
    if gateway_api:
        types += [
            ResourceType(
                GATEWAY_GROUP,
                "v1",
                "gatewayclasses",
                "gatewayclass",
                "GatewayClass",
                False,
                ("gc",),
                categories=("gateway-api",),
            ),
            ResourceType(
                GATEWAY_GROUP,
                "v1",
                "gateways",
                "gateway",
                "Gateway",
                True,
                ("gtw",),
                categories=("gateway-api",),
            ),
            ResourceType(
                GATEWAY_GROUP,
                "v1",
                "httproutes",
                "httproute",
                "HTTPRoute",
                True,
                (),
                categories=("gateway-api",),
            ),
            ResourceType(
                GATEWAY_GROUP,
                "v1beta1",
                "referencegrants",
                "referencegrant",
                "ReferenceGrant",
                True,
                ("refgrant",),
                False,
                categories=("gateway-api",),
            ),
        ]
    for group in pool_groups:
        types.append(
            ResourceType(
                group,
                POOL_VERSIONS[group],
                "inferencepools",
                "inferencepool",
                "InferencePool",
                True,
                ("infpool",),
            )
        )
    return types


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


MISSING: Any = object()


def field_paths(obj: dict[str, Any], status: bool = False) -> set[tuple[str, ...]]:
    """The managed-field paths an object sets, at this module's granularity."""
    paths: set[tuple[str, ...]] = set()
    meta = obj.get("metadata") or {}
    for key in ("labels", "annotations"):
        for name in meta.get(key) or {}:
            paths.add(("metadata", key, name))
    for top, value in obj.items():
        if top in ("apiVersion", "kind", "metadata") or (top == "status") != status:
            continue
        if isinstance(value, dict) and value:
            paths.update((top, key) for key in value)
        else:
            paths.add((top,))
    return paths


def get_path(obj: dict[str, Any], path: tuple[str, ...]) -> Any:
    cur: Any = obj
    for part in path:
        if not isinstance(cur, dict) or part not in cur:
            return MISSING
        cur = cur[part]
    return cur


def set_path(obj: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    cur = obj
    for part in path[:-1]:
        cur = cur.setdefault(part, {})
    cur[path[-1]] = copy.deepcopy(value)


def del_path(obj: dict[str, Any], path: tuple[str, ...]) -> None:
    cur: Any = obj
    parents = []
    for part in path[:-1]:
        if not isinstance(cur, dict) or part not in cur:
            return
        parents.append((cur, part))
        cur = cur[part]
    if isinstance(cur, dict):
        cur.pop(path[-1], None)
    for parent, part in reversed(parents):  # drop emptied maps, as a real apply would
        if parent[part] == {} and part not in ("metadata",):
            del parent[part]


def to_fields_v1(paths: set[tuple[str, ...]]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in sorted(paths):
        cur = tree
        for part in path:
            cur = cur.setdefault(f"f:{part}", {})
    return tree


def from_fields_v1(tree: dict[str, Any], prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    keys = [k for k in tree if k.startswith("f:")]
    if not keys:
        return {prefix} if prefix else out
    for key in keys:
        path = (*prefix, key[2:])
        limit = 3 if path[0] == "metadata" else 2
        if len(path) >= limit:
            out.add(path[:limit])
        else:
            out |= from_fields_v1(tree[key], path)
    return out


Owner = tuple[str, str, str, str]  # manager, operation, apiVersion, subresource


def read_owners(obj: dict[str, Any]) -> dict[Owner, set[tuple[str, ...]]]:
    owners: dict[Owner, set[tuple[str, ...]]] = {}
    for entry in (obj.get("metadata") or {}).get("managedFields") or []:
        key = (
            entry.get("manager", ""),
            entry.get("operation", "Update"),
            entry.get("apiVersion", ""),
            entry.get("subresource", ""),
        )
        owners[key] = owners.get(key, set()) | from_fields_v1(entry.get("fieldsV1") or {})
    return owners


def write_owners(
    obj: dict[str, Any],
    owners: dict[Owner, set[tuple[str, ...]]],
    old: dict[str, Any] | None,
    touched: set[Owner],
) -> None:
    times = {}
    for entry in ((old or {}).get("metadata") or {}).get("managedFields") or []:
        times[
            (
                entry.get("manager", ""),
                entry.get("operation", "Update"),
                entry.get("apiVersion", ""),
                entry.get("subresource", ""),
            )
        ] = entry.get("time")
    entries = []
    for key, paths in owners.items():
        if not paths:
            continue
        manager, operation, api_version, subresource = key
        entry: dict[str, Any] = {
            "manager": manager,
            "operation": operation,
            "apiVersion": api_version,
            "time": now() if key in touched or key not in times else times[key],
            "fieldsType": "FieldsV1",
            "fieldsV1": to_fields_v1(paths),
        }
        if subresource:
            entry["subresource"] = subresource
        entries.append(entry)
    obj.setdefault("metadata", {})["managedFields"] = entries


def record_update(
    old: dict[str, Any] | None,
    new: dict[str, Any],
    manager: str,
    api_version: str,
    subresource: str = "",
) -> None:
    """Give ``manager`` (operation Update) the fields that changed, taking them from others."""
    status = subresource == "status"
    owners = read_owners(old or new)
    new_paths = field_paths(new, status)
    old_paths = field_paths(old, status) if old else set()
    changed = {p for p in new_paths if old is None or get_path(old, p) != get_path(new, p)}
    removed = old_paths - new_paths
    for paths in owners.values():
        paths -= changed | removed
    key = (manager, "Update", api_version, subresource)
    owners[key] = owners.get(key, set()) | changed
    write_owners(new, owners, old, {key} if changed else set())


def strip_volatile(obj: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    meta = out.get("metadata") or {}
    for key in VOLATILE:
        meta.pop(key, None)
    return out


class Store:
    """Thread-safe objects, a resourceVersion counter and an event log for watches."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.objects: dict[tuple[str, str], dict[tuple[str, str], dict[str, Any]]] = {}
        self.rv = 100
        self.events: list[tuple[int, str, str, str, dict[str, Any]]] = []

    def bucket(self, group: str, plural: str) -> dict[tuple[str, str], dict[str, Any]]:
        return self.objects.setdefault((group, plural), {})

    def get(self, group: str, plural: str, namespace: str, name: str) -> dict[str, Any] | None:
        with self.cond:
            obj = self.bucket(group, plural).get((namespace, name))
            return copy.deepcopy(obj) if obj is not None else None

    def list(self, group: str, plural: str, namespace: str | None = None) -> list[dict[str, Any]]:
        with self.cond:
            items = [
                copy.deepcopy(o)
                for (ns, _), o in sorted(self.bucket(group, plural).items())
                if namespace is None or ns == namespace
            ]
            return items

    def next_rv(self) -> str:
        self.rv += 1
        return str(self.rv)

    def put(self, group: str, plural: str, obj: dict[str, Any], event: str) -> dict[str, Any]:
        """Store (ADDED/MODIFIED) with a fresh resourceVersion; returns a copy."""
        with self.cond:
            meta = obj["metadata"]
            meta["resourceVersion"] = self.next_rv()
            key = (meta.get("namespace", ""), meta["name"])
            self.bucket(group, plural)[key] = copy.deepcopy(obj)
            self.events.append((self.rv, group, plural, event, copy.deepcopy(obj)))
            self.cond.notify_all()
            return copy.deepcopy(obj)

    def delete(
        self,
        group: str,
        plural: str,
        namespace: str,
        name: str,
    ) -> dict[str, Any] | None:
        with self.cond:
            obj = self.bucket(group, plural).pop((namespace, name), None)
            if obj is not None:
                obj["metadata"]["resourceVersion"] = self.next_rv()
                self.events.append((self.rv, group, plural, "DELETED", copy.deepcopy(obj)))
                self.cond.notify_all()
            return obj

    def new_metadata(self, meta: dict[str, Any]) -> None:
        meta.setdefault("uid", str(uuid.uuid4()))
        meta.setdefault("creationTimestamp", now())
        meta.setdefault("generation", 1)
