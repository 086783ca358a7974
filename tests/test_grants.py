"""ReferenceGrants: one reduction and one check, shared by expose's preflight and status."""

from __future__ import annotations

from fakekube.objects import reference_grant

from kubectl_httproute.core.grants import GrantState, reduce_grant
from kubectl_httproute.core.model import ObjectRef
from kubectl_httproute.core.preflight import missing_reference_grants

V1 = "inference.networking.k8s.io"
ALPHA = "inference.networking.x-k8s.io"


def test_grants_are_group_and_name_aware() -> None:
    grant = reduce_grant(reference_grant("g", "models", "llm", to_group=V1, to_name="qwen"))
    assert grant.permits("llm", V1, "qwen")
    assert not grant.permits("llm", V1, "other")
    assert not grant.permits("llm", ALPHA, "qwen")
    assert not grant.permits("apps", V1, "qwen")
    assert reduce_grant(reference_grant("g", "models", "llm", to_group=V1)).permits(
        "llm", V1, "any"
    )


def test_a_grant_to_another_kind_or_from_another_kind_permits_nothing() -> None:
    to_services = reduce_grant(reference_grant("g", "models", "llm", to_kind="Service"))
    assert not to_services.permits("llm", V1, "qwen")
    from_grpc = reference_grant("g", "models", "llm", to_group=V1)
    from_grpc["spec"]["from"][0]["kind"] = "GRPCRoute"
    assert not reduce_grant(from_grpc).permits("llm", V1, "qwen")


def test_reduces_what_the_api_returns_tolerating_missing_and_null_fields() -> None:
    grant = reduce_grant(reference_grant("g", "models", "llm", to_group=V1, to_name="qwen"))
    assert grant == GrantState(
        ObjectRef("models", "g"),
        (("gateway.networking.k8s.io", "HTTPRoute", "llm"),),
        ((V1, "InferencePool", "qwen"),),
    )
    empty = reduce_grant({"metadata": None, "spec": {"from": None, "to": [None]}})
    assert empty == GrantState(ObjectRef("", ""), (), (("", "", ""),))
    assert not empty.permits("llm", V1, "qwen")


def test_preflight_asks_for_exactly_the_grants_the_check_finds_missing() -> None:
    pools = [(ObjectRef("models", "qwen"), V1), (ObjectRef("models", "mixtral"), V1)]
    only_qwen = reference_grant("g", "models", "llm", to_group=V1, to_name="qwen")
    [needed] = missing_reference_grants("llm", pools, {"models": [reduce_grant(only_qwen)]})
    assert needed["metadata"]["namespace"] == "models"
    assert needed["spec"]["to"][0]["name"] == "mixtral"
    assert reduce_grant(needed).permits("llm", V1, "mixtral")


def test_inventory_keeps_exporting_the_one_grant_type() -> None:
    from kubectl_httproute.core import inventory

    assert inventory.GrantState is GrantState
