"""Route spec → HTTPRoute object → YAML text. Pure: no I/O, no cluster."""

from __future__ import annotations

import copy
import re
from typing import Any

import yaml

from .model import (
    GATEWAY_GROUP,
    HTTPROUTES,
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    REFERENCE_GRANTS_V1BETA1,
    RouteSpec,
)

# Name of a ReferenceGrant the plugin writes; at most 253 characters (a DNS-1123 subdomain).
REFERENCE_GRANT_PREFIX = "inferroute-from-"


def build_httproute(spec: RouteSpec) -> dict[str, Any]:
    """Return the HTTPRoute object for spec, in the shape and key order of DOMAIN.md."""
    parent: dict[str, Any] = {"group": GATEWAY_GROUP, "kind": "Gateway", "name": spec.gateway.name}
    # Namespace only when it differs: the API server defaults it to the route's own namespace.
    if spec.gateway.namespace != spec.namespace:
        parent["namespace"] = spec.gateway.namespace
    if spec.section_name:
        parent["sectionName"] = spec.section_name

    match: dict[str, Any] = {"path": {"type": spec.path_type, "value": spec.path}}
    if spec.all_headers:
        match["headers"] = [
            {"type": "Exact", "name": header.name, "value": header.value}
            for header in spec.all_headers
        ]

    backend_refs: list[dict[str, Any]] = []
    for backend in spec.backends:
        # group and kind always: without them the ref means a core Service (BackendNotFound).
        ref: dict[str, Any] = {
            "group": backend.group,
            "kind": "InferencePool",
            "name": backend.name,
        }
        if backend.namespace != spec.namespace:
            ref["namespace"] = backend.namespace
        ref["port"] = backend.port
        ref["weight"] = backend.weight
        backend_refs.append(ref)

    rule: dict[str, Any] = {"matches": [match], "backendRefs": backend_refs}
    # Timeouts belong to the rule (at spec they are an unknown field). None leaves a timeout out:
    # GKE classes reject rules[].timeouts altogether.
    timeouts: dict[str, str] = {}
    if spec.request_timeout is not None:
        timeouts["request"] = spec.request_timeout
    if spec.backend_timeout is not None:
        timeouts["backendRequest"] = spec.backend_timeout
    if timeouts:
        rule["timeouts"] = timeouts

    route_spec: dict[str, Any] = {"parentRefs": [parent]}
    if spec.hostnames:
        route_spec["hostnames"] = list(spec.hostnames)
    route_spec["rules"] = [rule]

    return {
        "apiVersion": HTTPROUTES.api_version,
        "kind": HTTPROUTES.kind,
        "metadata": _metadata(spec.name, spec.namespace, dict(spec.labels)),
        "spec": route_spec,
    }


def build_reference_grant(
    route_namespace: str, pool_namespace: str, pool_group: str, pool_name: str | None = None
) -> dict[str, Any]:
    """Return the ReferenceGrant that lets HTTPRoutes in route_namespace use pools elsewhere."""
    name = REFERENCE_GRANT_PREFIX + route_namespace
    to: dict[str, Any] = {"group": pool_group, "kind": "InferencePool"}
    if pool_name:
        # A grant narrowed to one pool gets its own name, so granting a second pool does not
        # overwrite (and revoke) the grant for the first.
        name = f"{name}-to-{pool_name}"
        to["name"] = pool_name
    return {
        "apiVersion": REFERENCE_GRANTS_V1BETA1.api_version,
        "kind": REFERENCE_GRANTS_V1BETA1.kind,
        "metadata": _metadata(
            _trim_name(name), pool_namespace, {MANAGED_BY_LABEL: MANAGED_BY_VALUE}
        ),
        "spec": {
            "from": [
                {"group": GATEWAY_GROUP, "kind": HTTPROUTES.kind, "namespace": route_namespace}
            ],
            "to": [to],
        },
    }


def _metadata(name: str, namespace: str, labels: dict[str, str]) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    if labels:
        metadata["labels"] = labels
    return metadata


def _trim_name(name: str) -> str:
    # Parts are valid names already; only the joined length can break the 253-character limit.
    return name[:253].rstrip("-.")


def for_display(obj: dict[str, Any]) -> dict[str, Any]:
    """Return a copy without metadata.managedFields, as `kubectl get -o yaml` shows objects."""
    shown = copy.deepcopy(obj)
    metadata = shown.get("metadata")
    if isinstance(metadata, dict):
        metadata.pop("managedFields", None)
    return shown


# Plain scalars that YAML readers other than PyYAML (YAML 1.2, or go-yaml as used by kubectl)
# take for numbers, booleans or null, while PyYAML's YAML 1.1 resolver would leave them unquoted.
_OTHER_READERS_NON_STRING = re.compile(
    r"""[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?   # 1e3, 10, 1.5, .5
    |[-+]?0x[0-9a-fA-F_]+|0o[0-7_]+|[-+]?0b[01_]+            # other integer bases
    |[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)
    |[yYnN]|~|null|Null|NULL|true|True|TRUE|false|False|FALSE
    |[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?                  # YAML 1.1 base-60
    """,
    re.VERBOSE,
)


class _Dumper(yaml.SafeDumper):
    """Block-style, alias-free dumper for Kubernetes objects."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "'" if _OTHER_READERS_NON_STRING.fullmatch(data) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)


def render_yaml(obj: Any) -> str:
    """Render one object as block-style YAML, keys in insertion order, ambiguous strings quoted."""
    return yaml.dump(
        obj,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=1_000_000,  # never fold long values (header values, descriptions)
    )
