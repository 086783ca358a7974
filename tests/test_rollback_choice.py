"""Which revision `rollback` restores and the manifest it applies: pure decisions."""

from __future__ import annotations

from typing import Any

import pytest

from kubectl_httproute.core.model import ObjectRef
from kubectl_httproute.core.revisions import OutsideChange, Revision, digest_rules
from kubectl_httproute.core.rollback import (
    build_rollback_manifest,
    check_restored_pools,
    choose_revision,
    route_gateway,
    rule_backends,
    rule_pools,
)
from kubectl_httproute.errors import InvalidInput

ROUTE = ObjectRef("llm", "qwen")
V1 = "inference.networking.k8s.io"


def pool_ref(name: str, weight: int = 1, **extra: Any) -> dict[str, Any]:
    return {"group": V1, "kind": "InferencePool", "name": name, "weight": weight, **extra}


def revision(number: int, *pools: str) -> Revision:
    rules = [{"backendRefs": [pool_ref(p) for p in pools]}]
    return Revision(
        number, f"2026-05-0{number}T00:00:00Z", "alice", "cmd", digest_rules(rules), rules
    )


REVISIONS = [revision(1, "a"), revision(2, "b"), revision(3, "c")]
EDITED = OutsideChange("kubectl-edit", "2026-05-04T00:00:00Z", [{"backendRefs": []}])


def test_by_default_the_revision_before_the_newest() -> None:
    choice = choose_revision(ROUTE, REVISIONS, None, None)
    assert choice.revision.number == 2
    assert choice.reason == "the revision before the newest (3)"


def test_after_an_outside_change_the_newest_revision_undoes_it() -> None:
    choice = choose_revision(ROUTE, REVISIONS, EDITED, None)
    assert choice.revision.number == 3
    assert "by kubectl-edit at 2026-05-04T00:00:00Z" in choice.reason


def test_a_revision_asked_for_wins_over_the_outside_change() -> None:
    assert choose_revision(ROUTE, REVISIONS, EDITED, 1).revision.number == 1


def test_after_an_outside_change_one_revision_is_enough() -> None:
    assert choose_revision(ROUTE, REVISIONS[:1], EDITED, None).revision.number == 1


@pytest.mark.parametrize(
    ("revisions", "to_revision", "message"),
    [
        ([], None, "HTTPRoute llm/qwen has no revisions to roll back to"),
        ([], 1, "HTTPRoute llm/qwen has no revisions to roll back to"),
        (REVISIONS[:1], None, "HTTPRoute llm/qwen has no revision before revision 1"),
        (REVISIONS, 4, "HTTPRoute llm/qwen has no revision 4"),
    ],
)
def test_nothing_to_go_back_to_is_invalid_input(
    revisions: list[Revision], to_revision: int | None, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        choose_revision(ROUTE, revisions, None, to_revision)
    assert caught.value.message.startswith(message)
    assert "kubectl inferroute history qwen -n llm" in caught.value.hint
    assert caught.value.exit_code == 2


def test_the_manifest_keeps_identity_parents_and_hostnames_and_leaves_server_fields() -> None:
    live = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {
            "name": "qwen",
            "namespace": "llm",
            "labels": {"team": "a"},
            "annotations": {"note": "x"},
            "uid": "u",
            "resourceVersion": "9",
            "generation": 4,
            "creationTimestamp": "2026-05-01T00:00:00Z",
            "managedFields": [{"manager": "kubectl-edit"}],
        },
        "spec": {
            "parentRefs": [{"name": "gw"}],
            "hostnames": ["llm.example.com"],
            "rules": [{"backendRefs": [pool_ref("edited")]}],
        },
        "status": {"parents": []},
    }
    rules = REVISIONS[0].rules

    manifest = build_rollback_manifest(live, rules)

    assert manifest == {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {
            "name": "qwen",
            "namespace": "llm",
            "labels": {"team": "a", "app.kubernetes.io/managed-by": "kubectl-inferroute"},
        },
        "spec": {
            "parentRefs": [{"name": "gw"}],
            "hostnames": ["llm.example.com"],
            "rules": rules,
        },
    }
    assert manifest["spec"]["rules"] is not rules  # a copy: the revision stays as it was


def test_pools_of_backends_and_mirrors_once_each_in_their_namespace() -> None:
    rules = [
        {
            "backendRefs": [
                pool_ref("a", 90),
                pool_ref("b", 10, namespace="models"),
                {"kind": "Service", "name": "svc"},
            ],
            "filters": [
                {
                    "type": "RequestMirror",
                    "requestMirror": {"backendRef": pool_ref("b", namespace="models")},
                },
                {"type": "RequestMirror", "requestMirror": {"backendRef": pool_ref("c")}},
            ],
        }
    ]
    assert rule_pools(rules, "llm") == [
        (ObjectRef("llm", "a"), V1),
        (ObjectRef("models", "b"), V1),
        (ObjectRef("llm", "c"), V1),
    ]
    assert [(b.name, b.namespace, b.weight) for b in rule_backends(rules, "llm")] == [
        ("a", "llm", 90),
        ("b", "models", 10),
    ]


def test_the_gateway_is_the_first_gateway_parent_in_its_namespace() -> None:
    route = {
        "metadata": {"namespace": "llm"},
        "spec": {
            "parentRefs": [
                {"group": "example.com", "kind": "Mesh", "name": "m"},
                {"name": "gw", "namespace": "infra"},
            ]
        },
    }
    assert route_gateway(route) == ObjectRef("infra", "gw")
    assert route_gateway({"metadata": {}, "spec": {}}) is None


def test_a_missing_pool_blocks_unless_forced() -> None:
    missing = [(ObjectRef("llm", "b"), V1)]
    (blocked,) = check_restored_pools(ROUTE, 2, missing, force=False)
    assert blocked.blocking and blocked.severity == "error"
    assert "--force restores it anyway" in blocked.fix
    (forced,) = check_restored_pools(ROUTE, 2, missing, force=True)
    assert not forced.blocking and forced.severity == "warning"
