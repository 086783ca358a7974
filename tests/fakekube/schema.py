"""Structural-schema validation, pruning and defaulting, like kube-apiserver does for CRDs.

Schemas come from the real CRDs in ``<repo>/../shared/crds`` (or ``$INFERROUTE_CRDS_DIR``) when
present, else from the compact hand-written schemas below. The few CEL rules that matter to the
plugin are implemented by hand in :func:`check_cel`.
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CRD_FILES = {
    (group, plural): f"{group}_{plural}.yaml"
    for group, plural in [
        ("gateway.networking.k8s.io", "httproutes"),
        ("gateway.networking.k8s.io", "gateways"),
        ("gateway.networking.k8s.io", "gatewayclasses"),
        ("gateway.networking.k8s.io", "referencegrants"),
        ("inference.networking.k8s.io", "inferencepools"),
        ("inference.networking.x-k8s.io", "inferencepools"),
    ]
}


def crds_dir() -> Path | None:
    """Where the upstream CRDs are, or None in a checkout without them."""
    env = os.environ.get("INFERROUTE_CRDS_DIR")
    path = Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "crds"
    return path if path.is_dir() else None


@dataclass
class FieldError:
    reason: str  # FieldValueInvalid, FieldValueRequired, ...
    field: str
    body: str  # message without the field, e.g. 'Invalid value: "object": ...'

    def __str__(self) -> str:
        return f"{self.field}: {self.body}"


def _quote(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return f'"{_type_name(value)}"'


def _type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if value is None:
        return "null"
    return "string"


def invalid(field: str, value: Any, detail: str) -> FieldError:
    return FieldError("FieldValueInvalid", field, f"Invalid value: {_quote(value)}: {detail}")


def _type_ok(value: Any, typ: str) -> bool:
    if typ == "object":
        return isinstance(value, dict)
    if typ == "array":
        return isinstance(value, list)
    if typ == "string":
        return isinstance(value, str)
    if typ == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if typ == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if typ == "boolean":
        return isinstance(value, bool)
    return True


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def walk(
    value: Any,
    schema: dict[str, Any] | None,
    path: str,
    errors: list[FieldError],
    unknown: list[str],
    defaults: bool = True,
) -> None:
    """Validate ``value`` in place: default missing fields, prune and record unknown ones."""
    if not schema:
        return
    typ = schema.get("type")
    if typ and not _type_ok(value, typ):
        errors.append(
            FieldError(
                "FieldValueTypeInvalid",
                path,
                f"Invalid value: {_quote(value)}: {path} in body must be of type {typ}: "
                f'"{_type_name(value)}"',
            )
        )
        return
    if "enum" in schema and value not in schema["enum"]:
        supported = ", ".join(_quote(v) for v in schema["enum"])
        errors.append(
            FieldError(
                "FieldValueNotSupported",
                path,
                f"Unsupported value: {_quote(value)}: supported values: {supported}",
            )
        )
    if isinstance(value, dict):
        _walk_object(value, schema, path, errors, unknown, defaults)
    elif isinstance(value, list):
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(
                FieldError(
                    "FieldValueTooMany",
                    path,
                    f"Too many: {len(value)}: must have at most {schema['maxItems']} items",
                )
            )
        if "minItems" in schema and len(value) < schema["minItems"]:
            least = schema["minItems"]
            errors.append(
                invalid(path, len(value), f"{path} in body should have at least {least} items")
            )
        for i, item in enumerate(value):
            walk(item, schema.get("items"), f"{path}[{i}]", errors, unknown, defaults)
    elif isinstance(value, str):
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(
                FieldError(
                    "FieldValueTooLong",
                    path,
                    f"Too long: may not be more than {schema['maxLength']} bytes",
                )
            )
        if "minLength" in schema and len(value) < schema["minLength"]:
            errors.append(
                invalid(
                    path,
                    value,
                    f"{path} in body should be at least {schema['minLength']} chars long",
                )
            )
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(
                invalid(path, value, f"{path} in body should match '{schema['pattern']}'")
            )
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(
                invalid(
                    path,
                    value,
                    f"{path} in body should be greater than or equal to {schema['minimum']}",
                )
            )
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(
                invalid(
                    path,
                    value,
                    f"{path} in body should be less than or equal to {schema['maximum']}",
                )
            )


def _walk_object(
    value: dict[str, Any],
    schema: dict[str, Any],
    path: str,
    errors: list[FieldError],
    unknown: list[str],
    defaults: bool,
) -> None:
    props = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    preserve = schema.get("x-kubernetes-preserve-unknown-fields")
    for key in list(value):
        if value[key] is None and key in props:
            del value[key]  # kube drops nulls of non-nullable fields
            continue
        if key in props:
            walk(value[key], props[key], _join(path, key), errors, unknown, defaults)
        elif isinstance(extra, dict):
            walk(value[key], extra, _join(path, key), errors, unknown, defaults)
        elif not preserve and not extra:
            unknown.append(_join(path, key))
            del value[key]
    if defaults:
        for key, sub in props.items():
            if key not in value and "default" in sub:
                value[key] = copy.deepcopy(sub["default"])
                walk(value[key], sub, _join(path, key), errors, unknown, defaults)
    for key in schema.get("required") or ():
        if key not in value:
            errors.append(FieldError("FieldValueRequired", _join(path, key), "Required value"))
    if "maxProperties" in schema and len(value) > schema["maxProperties"]:
        errors.append(
            FieldError(
                "FieldValueTooMany",
                path,
                f"Too many: {len(value)}: must have at most {schema['maxProperties']} items",
            )
        )
    if "minProperties" in schema and len(value) < schema["minProperties"]:
        errors.append(
            invalid(
                path,
                len(value),
                f"{path} in body should have at least {schema['minProperties']} properties",
            )
        )


# ---------------------------------------------------------------- CEL rules, by hand

_DURATION = re.compile(r"([0-9]{1,5})(h|ms|m|s)")
_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def parse_duration(text: str) -> float | None:
    """GEP-2257 duration in seconds, None when malformed."""
    if not isinstance(text, str) or not re.fullmatch(r"([0-9]{1,5}(h|m|s|ms)){1,4}", text):
        return None
    return sum(int(n) * _UNITS[u] for n, u in _DURATION.findall(text))


_PATH_CHARS = re.compile(r"^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$")
_PATH_RULES = [
    (
        lambda v: v.startswith("/"),
        "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']",  # noqa: E501
    ),
    (lambda v: "//" not in v, "must not contain '//' when type one of ['Exact', 'PathPrefix']"),
    (lambda v: "/./" not in v, "must not contain '/./' when type one of ['Exact', 'PathPrefix']"),
    (lambda v: "/../" not in v, "must not contain '/../' when type one of ['Exact', 'PathPrefix']"),
    (lambda v: "%2f" not in v, "must not contain '%2f' when type one of ['Exact', 'PathPrefix']"),
    (lambda v: "%2F" not in v, "must not contain '%2F' when type one of ['Exact', 'PathPrefix']"),
    (lambda v: "#" not in v, "must not contain '#' when type one of ['Exact', 'PathPrefix']"),
    (
        lambda v: not v.endswith("/.."),
        "must not end with '/..' when type one of ['Exact', 'PathPrefix']",
    ),
    (
        lambda v: not v.endswith("/."),
        "must not end with '/.' when type one of ['Exact', 'PathPrefix']",
    ),
    (
        lambda v: bool(_PATH_CHARS.match(v)),
        "must only contain valid characters (matching "
        "^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']",
    ),
]


def _dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    return (
        [(i, v) for i, v in enumerate(value) if isinstance(v, dict)]
        if isinstance(value, list)
        else []
    )


def check_cel(group: str, plural: str, obj: dict[str, Any]) -> list[FieldError]:
    """The x-kubernetes-validations rules that matter here, hand-translated."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return []
    errors: list[FieldError] = []
    if plural == "httproutes":
        for i, rule in _dicts(spec.get("rules")):
            base = f"spec.rules[{i}]"
            timeouts = rule.get("timeouts")
            if isinstance(timeouts, dict):
                req = parse_duration(timeouts.get("request", ""))
                back = parse_duration(timeouts.get("backendRequest", ""))
                if req is not None and back is not None and req != 0 and back > req:
                    errors.append(
                        invalid(
                            f"{base}.timeouts",
                            timeouts,
                            "backendRequest timeout cannot be longer than request timeout",
                        )
                    )
            for j, ref in _dicts(rule.get("backendRefs")):
                if (
                    ref.get("group", "") == ""
                    and ref.get("kind", "Service") == "Service"
                    and ("port" not in ref)
                ):
                    errors.append(
                        invalid(
                            f"{base}.backendRefs[{j}]", ref, "Must have port for Service reference"
                        )
                    )
            for k, match in _dicts(rule.get("matches")):
                path = match.get("path")
                if not isinstance(path, dict):
                    continue
                ptype, pvalue = path.get("type"), path.get("value")
                if ptype in ("Exact", "PathPrefix") and isinstance(pvalue, str):
                    for ok, message in _PATH_RULES:
                        if not ok(pvalue):
                            errors.append(invalid(f"{base}.matches[{k}].path", path, message))
    elif plural == "inferencepools" and group == "inference.networking.k8s.io":
        epp = spec.get("endpointPickerRef")
        if isinstance(epp, dict) and epp.get("kind", "Service") == "Service" and "port" not in epp:
            errors.append(
                invalid(
                    "spec.endpointPickerRef",
                    epp,
                    "port is required when kind is "
                    "'Service' or unspecified (defaults to 'Service')",
                )
            )
        numbers = [p.get("number") for _, p in _dicts(spec.get("targetPorts"))]
        if len(numbers) != len(set(numbers)):
            errors.append(
                invalid("spec.targetPorts", spec["targetPorts"], "port number must be unique")
            )
    return errors


# ---------------------------------------------------------------- schemas


def _strip(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _strip(v) for k, v in schema.items() if k != "description"}
    if isinstance(schema, list):
        return [_strip(v) for v in schema]
    return schema


_CACHE: dict[tuple[str, str, str], dict[str, Any] | None] = {}


def load_schema(group: str, version: str, plural: str) -> dict[str, Any] | None:
    """openAPIV3Schema of a served CRD version: the real one when available, else the fallback."""
    key = (group, version, plural)
    if key not in _CACHE:
        _CACHE[key] = _load(group, version, plural)
    return _CACHE[key]


def _load(group: str, version: str, plural: str) -> dict[str, Any] | None:
    directory = crds_dir()
    name = CRD_FILES.get((group, plural))
    if directory and name and (directory / name).is_file():
        crd = yaml.safe_load((directory / name).read_text())
        for ver in crd["spec"]["versions"]:
            if ver["name"] == version:
                return _strip(ver["schema"]["openAPIV3Schema"])
    return copy.deepcopy(FALLBACK.get((group, plural)))


def schema_source() -> str:
    return "crds" if crds_dir() else "fallback"


# Compact hand-written schemas: the fields the plugin and its tests use.
def _o(
    props: dict[str, Any] | None = None, required: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": props or {}}
    if required:
        out["required"] = required
    out.update(extra)
    return out


def _s(**extra: Any) -> dict[str, Any]:
    return {"type": "string", **extra}


def _i(**extra: Any) -> dict[str, Any]:
    return {"type": "integer", **extra}


def _a(items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "array", "items": items, **extra}


_DNS = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
_GROUP = _s(maxLength=253, pattern=r"^$|" + _DNS)
_KIND = _s(maxLength=63, minLength=1, pattern=r"^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$")
_NAME = _s(maxLength=253, minLength=1)
_NS = _s(maxLength=63, minLength=1, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_PORT = _i(minimum=1, maximum=65535)
_SECTION = _s(maxLength=253, minLength=1, pattern=_DNS)
_HOST = _s(
    maxLength=253,
    minLength=1,
    pattern=r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
)
_DURATION_S = _s(pattern=r"^([0-9]{1,5}(h|m|s|ms)){1,4}$")
_LABELS = {"type": "object", "additionalProperties": _s()}
_CONDITION = _o(
    {
        "type": _s(),
        "status": _s(enum=["True", "False", "Unknown"]),
        "reason": _s(),
        "message": _s(),
        "observedGeneration": _i(minimum=0),
        "lastTransitionTime": _s(),
    },
    ["lastTransitionTime", "message", "reason", "status", "type"],
)
_PARENT_REF = _o(
    {
        "group": {**_GROUP, "default": "gateway.networking.k8s.io"},
        "kind": {**_KIND, "default": "Gateway"},
        "name": _NAME,
        "namespace": _NS,
        "sectionName": _SECTION,
        "port": _PORT,
    },
    ["name"],
)
_HEADER_MATCH = _o(
    {
        "type": _s(enum=["Exact", "RegularExpression"], default="Exact"),
        "name": _s(maxLength=256, minLength=1),
        "value": _s(maxLength=4096, minLength=1),
    },
    ["name", "value"],
)
_MATCH = _o(
    {
        "path": _o(
            {
                "type": _s(enum=["Exact", "PathPrefix", "RegularExpression"], default="PathPrefix"),
                "value": _s(maxLength=1024, default="/"),
            },
            default={"type": "PathPrefix", "value": "/"},
        ),
        "headers": _a(_HEADER_MATCH, maxItems=16),
        "queryParams": _a(_HEADER_MATCH, maxItems=16),
        "method": _s(
            enum=["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]
        ),
    }
)
_BACKEND_REF = _o(
    {
        "group": {**_GROUP, "default": ""},
        "kind": {**_KIND, "default": "Service"},
        "name": _NAME,
        "namespace": _NS,
        "port": _PORT,
        "weight": _i(minimum=0, maximum=1000000, default=1),
        "filters": _a(
            {"type": "object", "x-kubernetes-preserve-unknown-fields": True}, maxItems=16
        ),
    },
    ["name"],
)
_ROUTE_PARENT_STATUS = _o(
    {
        "parentRef": _PARENT_REF,
        "controllerName": _s(),
        "conditions": _a(_CONDITION, maxItems=8, minItems=1),
    },
    ["controllerName", "parentRef"],
)
_HTTPROUTE = _o(
    {
        "apiVersion": _s(),
        "kind": _s(),
        "metadata": {"type": "object"},
        "spec": _o(
            {
                "parentRefs": _a(_PARENT_REF, maxItems=32),
                "hostnames": _a(_HOST, maxItems=16),
                "rules": _a(
                    _o(
                        {
                            "name": _SECTION,
                            "matches": _a(
                                _MATCH,
                                maxItems=64,
                                default=[{"path": {"type": "PathPrefix", "value": "/"}}],
                            ),
                            "filters": _a(
                                {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                                maxItems=16,
                            ),
                            "backendRefs": _a(_BACKEND_REF, maxItems=16),
                            "timeouts": _o({"request": _DURATION_S, "backendRequest": _DURATION_S}),
                        }
                    ),
                    maxItems=16,
                    minItems=1,
                    default=[{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}]}],
                ),
            }
        ),
        "status": _o({"parents": _a(_ROUTE_PARENT_STATUS, maxItems=32)}, ["parents"]),
    },
    ["spec"],
)
_LISTENER = _o(
    {
        "name": _SECTION,
        "hostname": _HOST,
        "port": _PORT,
        "protocol": _s(maxLength=255, minLength=1),
        "tls": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
        "allowedRoutes": _o(
            {
                "namespaces": _o(
                    {
                        "from": _s(enum=["All", "Selector", "Same", "None"], default="Same"),
                        "selector": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True,
                        },
                    },
                    default={"from": "Same"},
                ),
                "kinds": _a(
                    _o(
                        {
                            "group": {**_GROUP, "default": "gateway.networking.k8s.io"},
                            "kind": _KIND,
                        },
                        ["kind"],
                    ),
                    maxItems=8,
                ),
            },
            default={"namespaces": {"from": "Same"}},
        ),
    },
    ["name", "port", "protocol"],
)
_GATEWAY = _o(
    {
        "apiVersion": _s(),
        "kind": _s(),
        "metadata": {"type": "object"},
        "spec": _o(
            {
                "gatewayClassName": _s(maxLength=253, minLength=1),
                "listeners": _a(_LISTENER, maxItems=64, minItems=1),
                "addresses": _a(_o({"type": _s(default="IPAddress"), "value": _s()}), maxItems=16),
                "infrastructure": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
            },
            ["gatewayClassName", "listeners"],
        ),
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
    },
    ["spec"],
)
_GATEWAY_CLASS = _o(
    {
        "apiVersion": _s(),
        "kind": _s(),
        "metadata": {"type": "object"},
        "spec": _o(
            {"controllerName": _s(maxLength=253, minLength=1), "description": _s()},
            ["controllerName"],
        ),
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
    },
    ["spec"],
)
_GRANT_REF = _o({"group": _GROUP, "kind": _KIND, "namespace": _NS, "name": _NAME})
_REFERENCE_GRANT = _o(
    {
        "apiVersion": _s(),
        "kind": _s(),
        "metadata": {"type": "object"},
        "spec": _o(
            {
                "from": _a(
                    _o(_GRANT_REF["properties"], ["group", "kind", "namespace"]),
                    maxItems=16,
                    minItems=1,
                ),
                "to": _a(_o(_GRANT_REF["properties"], ["group", "kind"]), maxItems=16, minItems=1),
            },
            ["from", "to"],
        ),
    }
)
_POOL_PARENT_REF = _o(
    {
        "group": {**_GROUP, "default": "gateway.networking.k8s.io"},
        "kind": {**_KIND, "default": "Gateway"},
        "name": _NAME,
        "namespace": _NS,
    },
    ["name"],
)
_POOL_V1 = _o(
    {
        "apiVersion": _s(),
        "kind": _s(),
        "metadata": {"type": "object"},
        "spec": _o(
            {
                "appProtocol": _s(enum=["http", "kubernetes.io/h2c"], default="http"),
                "endpointPickerRef": _o(
                    {
                        "failureMode": _s(enum=["FailOpen", "FailClose"], default="FailClose"),
                        "group": {**_GROUP, "default": ""},
                        "kind": {**_KIND, "default": "Service"},
                        "name": _NAME,
                        "port": _o({"number": _PORT}, ["number"]),
                    },
                    ["name"],
                ),
                "selector": _o(
                    {
                        "matchLabels": {
                            "type": "object",
                            "additionalProperties": _s(maxLength=63),
                            "maxProperties": 64,
                            "minProperties": 1,
                        }
                    },
                    ["matchLabels"],
                ),
                "targetPorts": _a(_o({"number": _PORT}, ["number"]), maxItems=8, minItems=1),
            },
            ["selector", "targetPorts"],
        ),
        "status": _o(
            {
                "parents": _a(
                    _o(
                        {
                            "parentRef": _POOL_PARENT_REF,
                            "controllerName": _s(),
                            "conditions": _a(_CONDITION, maxItems=8),
                        },
                        ["parentRef"],
                    ),
                    maxItems=32,
                )
            }
        ),
    },
    ["spec"],
)
_POOL_V1ALPHA2 = _o(
    {
        "apiVersion": _s(),
        "kind": _s(),
        "metadata": {"type": "object"},
        "spec": _o(
            {
                "extensionRef": _o(
                    {
                        "failureMode": _s(enum=["FailOpen", "FailClose"], default="FailClose"),
                        "group": {**_GROUP, "default": ""},
                        "kind": {**_KIND, "default": "Service"},
                        "name": _NAME,
                        "portNumber": _PORT,
                    },
                    ["name"],
                ),
                "selector": {"type": "object", "additionalProperties": _s(maxLength=63)},
                "targetPortNumber": _PORT,
            },
            ["extensionRef", "selector", "targetPortNumber"],
        ),
        "status": _o(
            {
                "parent": _a(
                    _o(
                        {
                            "parentRef": _POOL_PARENT_REF,
                            "controllerName": _s(),
                            "conditions": _a(_CONDITION, maxItems=8),
                        },
                        ["parentRef"],
                    ),
                    maxItems=32,
                )
            }
        ),
    },
    ["spec"],
)

FALLBACK: dict[tuple[str, str], dict[str, Any]] = {
    ("gateway.networking.k8s.io", "httproutes"): _HTTPROUTE,
    ("gateway.networking.k8s.io", "gateways"): _GATEWAY,
    ("gateway.networking.k8s.io", "gatewayclasses"): _GATEWAY_CLASS,
    ("gateway.networking.k8s.io", "referencegrants"): _REFERENCE_GRANT,
    ("inference.networking.k8s.io", "inferencepools"): _POOL_V1,
    ("inference.networking.x-k8s.io", "inferencepools"): _POOL_V1ALPHA2,
}

_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def check_name(name: Any, label: bool = False) -> list[FieldError]:
    """metadata.name rules: a DNS-1123 subdomain (a label for namespaces)."""
    if not name:
        return [
            FieldError(
                "FieldValueRequired",
                "metadata.name",
                "Required value: name or generateName is required",
            )
        ]
    if label:
        if len(name) > 63 or not _DNS_LABEL.match(name):
            return [
                invalid(
                    "metadata.name",
                    name,
                    "a lowercase RFC 1123 label must consist of "
                    "lower case alphanumeric characters or '-', and must start and end "
                    "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
                    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                )
            ]
        return []
    if len(name) > 253 or not _DNS_SUBDOMAIN.match(name):
        return [
            invalid(
                "metadata.name",
                name,
                "a lowercase RFC 1123 subdomain must consist of "
                "lower case alphanumeric characters, '-' or '.', and must start and end "
                "with an alphanumeric character (e.g. 'example.com', regex used for "
                "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*"
                "[a-z0-9])?)*')",
            )
        ]
    return []


def validate(
    group: str,
    version: str,
    plural: str,
    obj: dict[str, Any],
) -> tuple[list[FieldError], list[str]]:
    """Prune, default and validate ``obj`` in place; returns (errors, unknown field paths)."""
    errors: list[FieldError] = []
    unknown: list[str] = []
    schema = load_schema(group, version, plural)
    if schema is None:
        return errors, unknown
    body = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata")}
    top = dict(schema)
    top["properties"] = {
        k: v
        for k, v in (schema.get("properties") or {}).items()
        if k not in ("apiVersion", "kind", "metadata")
    }
    walk(body, top, "", errors, unknown)
    for key in [k for k in obj if k not in ("apiVersion", "kind", "metadata")]:
        if key not in body:
            del obj[key]
    obj.update(body)
    if not errors:
        errors.extend(check_cel(group, plural, obj))
    return errors, unknown
