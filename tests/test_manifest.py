"""The HTTPRoute the plugin writes: golden YAML, the real CRD's schema, and the renderers."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest
import yaml
from crds import closed_schema, load_crd_schema
from golden import assert_golden

from kubectl_httproute.core.manifest import (
    build_httproute,
    build_reference_grant,
    for_display,
    render_yaml,
)
from kubectl_httproute.core.model import (
    POOL_GROUP_V1,
    POOL_GROUP_V1ALPHA2,
    HeaderMatch,
    ObjectRef,
    PoolBackend,
    RouteSpec,
)
from kubectl_httproute.core.validation import check_route_spec
from kubectl_httproute.render.kubejson import render_object

DEFAULT = RouteSpec(
    name="qwen-pool",
    namespace="llm",
    gateway=ObjectRef("llm", "inference-gateway"),
    backends=(PoolBackend("qwen-pool", "llm"),),
)

CASES: dict[str, RouteSpec] = {
    "default": DEFAULT,
    "weighted": DEFAULT._replace(
        backends=(
            PoolBackend("qwen-pool", "llm", weight=90),
            PoolBackend("qwen-canary", "llm", weight=10),
        ),
    ),
    "cross_namespace": DEFAULT._replace(
        gateway=ObjectRef("gateways", "llm-d-inference-gateway"),
        backends=(PoolBackend("qwen-pool", "pools"),),
    ),
    "hostnames_headers_exact": DEFAULT._replace(
        section_name="http",
        hostnames=("llm.example.com", "*.llm.example.com"),
        path="/v1/completions",
        path_type="Exact",
        headers=(HeaderMatch("x-model", "qwen"), HeaderMatch("X-Tenant", "true")),
        request_timeout="10m",
        backend_timeout="9m30s",
    ),
    "gke_no_timeouts": DEFAULT._replace(request_timeout=None, backend_timeout=None),
    "v1alpha2_pool": DEFAULT._replace(
        backends=(PoolBackend("qwen-pool", "llm", group=POOL_GROUP_V1ALPHA2),)
    ),
    # Several models on one Gateway: the base-model header beside a --header of the user's.
    "model": DEFAULT._replace(headers=(HeaderMatch("x-team", "a"),), model="Qwen/Qwen3-32B"),
}


def httproute_schema() -> dict[str, Any]:
    return closed_schema(load_crd_schema("gateway.networking.k8s.io_httproutes.yaml", "v1"))


def schema_errors(obj: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft7Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(obj)]


@pytest.mark.parametrize("case", sorted(CASES))
def test_renders_the_golden_route(case: str) -> None:
    spec = check_route_spec(CASES[case])
    assert_golden(f"manifest/{case}.yaml", render_yaml(build_httproute(spec)))


@pytest.mark.parametrize("case", sorted(CASES))
def test_generated_route_validates_against_the_real_crd(case: str) -> None:
    assert schema_errors(build_httproute(CASES[case]), httproute_schema()) == []


def test_rejects_timeouts_at_spec() -> None:
    route = build_httproute(DEFAULT)
    moved = copy.deepcopy(route)
    moved["spec"]["timeouts"] = moved["spec"]["rules"][0].pop("timeouts")
    errors = schema_errors(moved, httproute_schema())
    assert any("timeouts" in error for error in errors), errors


def test_rejects_an_unknown_field_in_a_backend_ref() -> None:
    route = build_httproute(DEFAULT)
    route["spec"]["rules"][0]["backendRefs"][0]["weigth"] = 1
    assert schema_errors(route, httproute_schema()) != []


def test_builds_the_route_of_the_domain_notes() -> None:
    assert build_httproute(DEFAULT) == {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {
            "name": "qwen-pool",
            "namespace": "llm",
            "labels": {"app.kubernetes.io/managed-by": "kubectl-inferroute"},
        },
        "spec": {
            "parentRefs": [
                {
                    "group": "gateway.networking.k8s.io",
                    "kind": "Gateway",
                    "name": "inference-gateway",
                }
            ],
            "rules": [
                {
                    "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                    "backendRefs": [
                        {
                            "group": POOL_GROUP_V1,
                            "kind": "InferencePool",
                            "name": "qwen-pool",
                            "port": 8000,
                            "weight": 1,
                        }
                    ],
                    "timeouts": {"request": "0s", "backendRequest": "0s"},
                }
            ],
        },
    }


def test_keeps_key_order_of_the_domain_notes() -> None:
    route = build_httproute(CASES["cross_namespace"])
    assert list(route) == ["apiVersion", "kind", "metadata", "spec"]
    [ref] = route["spec"]["rules"][0]["backendRefs"]
    assert list(ref) == ["group", "kind", "name", "namespace", "port", "weight"]
    assert list(route["spec"]["parentRefs"][0]) == ["group", "kind", "name", "namespace"]


def test_splits_traffic_by_weight() -> None:
    refs = build_httproute(CASES["weighted"])["spec"]["rules"][0]["backendRefs"]
    assert [(ref["name"], ref["weight"]) for ref in refs] == [
        ("qwen-pool", 90),
        ("qwen-canary", 10),
    ]


def test_names_namespaces_only_when_they_differ_from_the_route() -> None:
    same = build_httproute(DEFAULT)["spec"]
    other = build_httproute(CASES["cross_namespace"])["spec"]
    assert "namespace" not in same["parentRefs"][0]
    assert "namespace" not in same["rules"][0]["backendRefs"][0]
    assert other["parentRefs"][0]["namespace"] == "gateways"
    assert other["rules"][0]["backendRefs"][0]["namespace"] == "pools"


def test_puts_timeouts_in_the_rule_never_at_spec() -> None:
    route = build_httproute(DEFAULT)
    assert "timeouts" not in route["spec"]
    assert route["spec"]["rules"][0]["timeouts"] == {"request": "0s", "backendRequest": "0s"}


def test_omits_timeouts_for_gke_classes() -> None:
    assert "timeouts" not in build_httproute(CASES["gke_no_timeouts"])["spec"]["rules"][0]


@pytest.mark.parametrize(
    ("request_", "backend", "expected"),
    [("5m", None, {"request": "5m"}), (None, "5m", {"backendRequest": "5m"})],
)
def test_includes_only_the_timeout_given(
    request_: str | None, backend: str | None, expected: dict[str, str]
) -> None:
    spec = DEFAULT._replace(request_timeout=request_, backend_timeout=backend)
    assert build_httproute(spec)["spec"]["rules"][0]["timeouts"] == expected


def test_omits_hostnames_headers_section_and_labels_when_not_given() -> None:
    route = build_httproute(DEFAULT._replace(labels=()))
    assert "hostnames" not in route["spec"]
    assert "headers" not in route["spec"]["rules"][0]["matches"][0]
    assert "sectionName" not in route["spec"]["parentRefs"][0]
    assert "labels" not in route["metadata"]


def test_matches_headers_exactly() -> None:
    match = build_httproute(CASES["hostnames_headers_exact"])["spec"]["rules"][0]["matches"][0]
    assert match["headers"] == [
        {"type": "Exact", "name": "x-model", "value": "qwen"},
        {"type": "Exact", "name": "X-Tenant", "value": "true"},
    ]


# ---------------------------------------------------------------- ReferenceGrant


def test_renders_the_golden_reference_grant() -> None:
    grant = build_reference_grant("llm", "pools", POOL_GROUP_V1)
    assert_golden("manifest/reference_grant.yaml", render_yaml(grant))


@pytest.mark.parametrize("pool_name", [None, "qwen-pool"])
def test_reference_grant_validates_against_the_real_crd(pool_name: str | None) -> None:
    schema = closed_schema(
        load_crd_schema("gateway.networking.k8s.io_referencegrants.yaml", "v1beta1")
    )
    grant = build_reference_grant("llm", "pools", POOL_GROUP_V1ALPHA2, pool_name)
    assert schema_errors(grant, schema) == []


def test_reference_grant_lives_in_the_pool_namespace_and_admits_the_route_namespace() -> None:
    grant = build_reference_grant("llm", "pools", POOL_GROUP_V1)
    assert grant["apiVersion"] == "gateway.networking.k8s.io/v1beta1"
    assert grant["metadata"]["name"] == "inferroute-from-llm"
    assert grant["metadata"]["namespace"] == "pools"
    assert grant["spec"]["from"] == [
        {"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": "llm"}
    ]
    assert grant["spec"]["to"] == [{"group": POOL_GROUP_V1, "kind": "InferencePool"}]


def test_reference_grant_for_one_pool_gets_its_own_name() -> None:
    grant = build_reference_grant("llm", "pools", POOL_GROUP_V1, "qwen-pool")
    assert grant["metadata"]["name"] == "inferroute-from-llm-to-qwen-pool"
    assert grant["spec"]["to"] == [
        {"group": POOL_GROUP_V1, "kind": "InferencePool", "name": "qwen-pool"}
    ]


def test_reference_grant_name_stays_within_253_characters() -> None:
    name = build_reference_grant("a" * 63, "pools", POOL_GROUP_V1, "p" * 253)["metadata"]["name"]
    assert len(name) <= 253 and name[-1].isalnum()


# ---------------------------------------------------------------- renderers


@pytest.mark.parametrize(
    "value",
    [
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "y",
        "n",
        "null",
        "~",
        "1",
        "1e3",
        "0x1f",
        "0o17",
        "1.5",
        ".inf",
        ".nan",
        "12:30",
        "010",
        "",
    ],
)
def test_quotes_strings_that_look_like_other_types(value: str) -> None:
    text = render_yaml({"name": value})
    assert text in (f"name: '{value}'\n", f'name: "{value}"\n'), text
    assert yaml.safe_load(text) == {"name": value}


@pytest.mark.parametrize("value", ["qwen-pool", "0s", "10m", "/", "inference.networking.k8s.io"])
def test_leaves_plain_strings_unquoted(value: str) -> None:
    assert render_yaml({"name": value}) == f"name: {value}\n"


def test_renders_block_style_without_aliases() -> None:
    shared = {"a": 1}
    text = render_yaml({"x": [shared, shared], "z": shared})
    assert "&" not in text and "*" not in text and "{" not in text
    assert text == "x:\n- a: 1\n- a: 1\nz:\n  a: 1\n"


def test_never_folds_long_values() -> None:
    value = "v " * 3000
    text = render_yaml({"value": value.strip()})
    assert text.count("\n") == 1


def test_preserves_key_order_in_yaml_and_sorts_json_keys_as_kubectl() -> None:
    # JSON was insertion-ordered with two spaces: changed on purpose to kubectl's -o json.
    obj = {"zeta": 1, "alpha": {"b": 2, "a": 3}}
    assert render_yaml(obj) == "zeta: 1\nalpha:\n  b: 2\n  a: 3\n"
    assert render_object(obj) == (
        '{\n    "alpha": {\n        "a": 3,\n        "b": 2\n    },\n    "zeta": 1\n}\n'
    )


def test_renders_json_that_round_trips() -> None:
    route = build_httproute(CASES["hostnames_headers_exact"])
    text = render_object(route)
    assert text.endswith("}\n")
    assert json.loads(text) == route


def test_renders_yaml_that_round_trips() -> None:
    for spec in CASES.values():
        route = build_httproute(spec)
        assert yaml.safe_load(render_yaml(route)) == route


def test_display_copy_drops_managed_fields_only() -> None:
    live = build_httproute(DEFAULT)
    live["metadata"]["managedFields"] = [{"manager": "kubectl-inferroute"}]
    live["metadata"]["resourceVersion"] = "42"
    shown = for_display(live)
    assert "managedFields" not in shown["metadata"]
    assert shown["metadata"]["resourceVersion"] == "42"
    assert "managedFields" in live["metadata"]  # the input is left alone


def test_display_copy_tolerates_objects_without_metadata() -> None:
    assert for_display({"kind": "Status"}) == {"kind": "Status"}


# --- what the day-two commands apply ---------------------------------------------------------


def _shifted_routes() -> dict[str, dict[str, Any]]:
    from datetime import datetime, timezone

    from kubectl_httproute.core.model import ObjectRef
    from kubectl_httproute.core.revisions import with_revision
    from kubectl_httproute.core.shift import (
        build_shift_manifest,
        plan_change,
        plan_steps,
        with_mirror,
    )

    live = build_httproute(DEFAULT)
    canary = PoolBackend("qwen-b", "llm", port=8000)
    other_ns = PoolBackend("qwen-c", "models", port=8000)
    split = plan_change(
        live,
        {ObjectRef("llm", "qwen-b"): 10},
        {ObjectRef("llm", "qwen-b"): canary},
        None,
        no_mirror=False,
    )
    mirrored = with_mirror(live["spec"]["rules"], "llm", other_ns, 10)
    split_route = build_shift_manifest(live, split)
    steps = plan_steps(split_route, ObjectRef("llm", "qwen-b"), (50, 100), {})
    removed = plan_change(
        build_shift_manifest(live, steps[-1].rules),
        {},
        {},
        None,
        no_mirror=False,
        removed=[ObjectRef("llm", "qwen-pool")],
    )
    now = datetime(2026, 12, 3, tzinfo=timezone.utc)
    return {
        "split": split_route,
        "mirror-across-namespaces": build_shift_manifest(live, mirrored),
        "last-step": build_shift_manifest(live, steps[-1].rules),
        "removed": build_shift_manifest(live, removed),
        "with-revision": with_revision(split_route, live, "tester", "inferroute shift", now),
    }


@pytest.mark.parametrize("case", sorted(_shifted_routes()))
def test_what_shift_and_its_revisions_apply_validates_against_the_real_crd(case: str) -> None:
    assert schema_errors(_shifted_routes()[case], httproute_schema()) == []


def test_the_shifted_cases_are_what_their_names_say() -> None:
    routes = _shifted_routes()

    def names(case: str) -> list[tuple[str, int]]:
        refs = routes[case]["spec"]["rules"][0]["backendRefs"]
        return [(r["name"], r["weight"]) for r in refs]

    assert names("split") == [("qwen-pool", 1), ("qwen-b", 10)]
    assert names("last-step") == [("qwen-pool", 0), ("qwen-b", 100)]
    assert names("removed") == [("qwen-b", 100)]
    mirror = routes["mirror-across-namespaces"]["spec"]["rules"][0]["filters"][0]
    assert mirror["requestMirror"]["backendRef"]["namespace"] == "models"
    assert "inferroute.llm-d.ai/revisions" in routes["with-revision"]["metadata"]["annotations"]
