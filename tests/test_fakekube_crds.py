"""The fake server's verdicts agree with the real CRD schemas (jsonschema) on a corpus."""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import urllib3
import yaml
from fakekube import FakeCluster, objects, schema

CRDS = Path(__file__).resolve().parents[1].parent / "shared" / "crds"
pytestmark = pytest.mark.skipif(
    not CRDS.is_dir(),
    reason=f"upstream CRDs absent ({CRDS}): the schema cross-check needs ../shared/crds",
)
jsonschema = pytest.importorskip("jsonschema")
GW = "gateway.networking.k8s.io"
V1 = "inference.networking.k8s.io"
V1A2 = "inference.networking.x-k8s.io"


@functools.cache
def crd_validator(filename: str, version: str) -> Any:
    return jsonschema.Draft7Validator(crd_schema(filename, version))


def crd_schema(filename: str, version: str) -> dict[str, Any]:
    crd = yaml.safe_load((CRDS / filename).read_text())
    ver = next(v for v in crd["spec"]["versions"] if v["name"] == version)
    out = ver["schema"]["openAPIV3Schema"]

    def close(node: Any) -> None:  # unknown fields are errors for the cross-check
        if isinstance(node, dict):
            if (
                node.get("type") == "object"
                and "properties" in node
                and not node.get("x-kubernetes-preserve-unknown-fields")
            ):
                node.setdefault("additionalProperties", False)
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    out = copy.deepcopy(out)
    close(out)
    out["properties"]["metadata"] = {"type": "object"}
    return out


def route_with(mutate: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    route = objects.httproute("r", timeouts={"request": "0s", "backendRequest": "0s"})
    mutate(route)
    return route


def set_rule(**kwargs: Any) -> Callable[[dict[str, Any]], None]:
    return lambda r: r["spec"]["rules"][0].update(kwargs)


ROUTES = [
    ("plain", lambda r: None),
    ("hostnames", lambda r: r["spec"].update(hostnames=["chat.example.com", "*.example.org"])),
    ("timeouts 10s", set_rule(timeouts={"request": "10s", "backendRequest": "5s"})),
    ("timeouts bad format", set_rule(timeouts={"request": "10 seconds"})),
    ("timeouts at spec", lambda r: r["spec"].update(timeouts={"request": "0s"})),
    ("weight negative", lambda r: r["spec"]["rules"][0]["backendRefs"][0].update(weight=-1)),
    ("port too big", lambda r: r["spec"]["rules"][0]["backendRefs"][0].update(port=70000)),
    ("no rules", lambda r: r["spec"].update(rules=[])),
    ("too many rules", lambda r: r["spec"].update(rules=r["spec"]["rules"] * 17)),
    (
        "too many hostnames",
        lambda r: r["spec"].update(hostnames=[f"h{i}.example.com" for i in range(17)]),
    ),
    ("bad hostname", lambda r: r["spec"].update(hostnames=["Bad_Host"])),
    (
        "path type unknown",
        lambda r: r["spec"]["rules"][0]["matches"][0]["path"].update(type="Glob"),
    ),
    ("parentRef without name", lambda r: r["spec"]["parentRefs"][0].pop("name")),
    ("backendRef without name", lambda r: r["spec"]["rules"][0]["backendRefs"][0].pop("name")),
    ("rules not a list", lambda r: r["spec"].update(rules={"a": 1})),
    ("header match", set_rule(matches=[{"headers": [{"name": "x-model", "value": "qwen"}]}])),
    ("unknown field in rule", set_rule(retries=3)),
]

POOLS_V1 = [
    ("plain", lambda p: None),
    ("no selector", lambda p: p["spec"].pop("selector")),
    ("empty matchLabels", lambda p: p["spec"]["selector"].update(matchLabels={})),
    (
        "nine target ports",
        lambda p: p["spec"].update(targetPorts=[{"number": 8000 + i} for i in range(9)]),
    ),
    ("port zero", lambda p: p["spec"].update(targetPorts=[{"number": 0}])),
    ("bad app protocol", lambda p: p["spec"].update(appProtocol="grpc")),
    ("old field", lambda p: p["spec"].update(targetPortNumber=8000)),
]

POOLS_V1ALPHA2 = [
    ("plain", lambda p: None),
    ("no extensionRef", lambda p: p["spec"].pop("extensionRef")),
    ("port too big", lambda p: p["spec"].update(targetPortNumber=65536)),
    ("v1 field", lambda p: p["spec"].update(targetPorts=[{"number": 8000}])),
]


def server_verdict(cluster: FakeCluster, path: str, obj: dict[str, Any]) -> bool:
    resp = urllib3.request(
        "POST",
        f"{cluster.url}{path}?fieldValidation=Strict&dryRun=All",
        body=json.dumps(obj),
        headers={"Authorization": "Bearer admin-token", "Content-Type": "application/json"},
    )
    assert resp.status in (201, 400, 422), resp.data
    return resp.status == 201


def schema_verdict(validator: Any, obj: dict[str, Any]) -> bool:
    return not list(validator.iter_errors(obj))


@pytest.fixture(scope="module")
def cluster():
    with FakeCluster(pool_groups=(V1, V1A2)) as c:
        c.add(objects.namespace("llm"))
        yield c


def test_server_uses_the_real_crds():
    assert schema.schema_source() == "crds"


@pytest.mark.parametrize(("label", "mutate"), ROUTES, ids=[r[0] for r in ROUTES])
def test_httproute_verdicts_match_the_crd(cluster, label, mutate):
    route = route_with(mutate)
    expected = schema_verdict(crd_validator(f"{GW}_httproutes.yaml", "v1"), route)
    if expected and label.startswith("timeouts"):  # CEL: jsonschema cannot see it
        timeouts = route["spec"]["rules"][0].get("timeouts", {})
        req = schema.parse_duration(timeouts.get("request", ""))
        back = schema.parse_duration(timeouts.get("backendRequest", ""))
        expected = not (req and back and back > req)
    assert server_verdict(cluster, f"/apis/{GW}/v1/namespaces/llm/httproutes", route) == expected


@pytest.mark.parametrize(("label", "mutate"), POOLS_V1, ids=[p[0] for p in POOLS_V1])
def test_pool_v1_verdicts_match_the_crd(cluster, label, mutate):
    pool = objects.pool_v1("p")
    mutate(pool)
    expected = schema_verdict(crd_validator(f"{V1}_inferencepools.yaml", "v1"), pool)
    assert server_verdict(cluster, f"/apis/{V1}/v1/namespaces/llm/inferencepools", pool) == expected


@pytest.mark.parametrize(("label", "mutate"), POOLS_V1ALPHA2, ids=[p[0] for p in POOLS_V1ALPHA2])
def test_pool_v1alpha2_verdicts_match_the_crd(cluster, label, mutate):
    pool = objects.pool_v1alpha2("p")
    mutate(pool)
    expected = schema_verdict(crd_validator(f"{V1A2}_inferencepools.yaml", "v1alpha2"), pool)
    assert (
        server_verdict(cluster, f"/apis/{V1A2}/v1alpha2/namespaces/llm/inferencepools", pool)
        == expected
    )


@pytest.mark.parametrize(("label", "mutate"), ROUTES, ids=[r[0] for r in ROUTES])
def test_fallback_schemas_agree_with_the_crds(monkeypatch, label, mutate):
    """Without ../shared/crds the hand-written schemas give the same verdicts."""
    route = route_with(mutate)
    real = copy.deepcopy(route)
    real_errors, real_unknown = schema.validate(GW, "v1", "httproutes", real)
    monkeypatch.setattr(schema, "_CACHE", {})
    monkeypatch.setenv("INFERROUTE_CRDS_DIR", "/nonexistent")
    assert schema.schema_source() == "fallback"
    fallback = copy.deepcopy(route)
    errors, unknown = schema.validate(GW, "v1", "httproutes", fallback)
    assert (not real_errors and not real_unknown) == (not errors and not unknown)
    assert fallback == real
    monkeypatch.setattr(schema, "_CACHE", {})
