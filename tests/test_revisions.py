"""The revision history kept on the route: parse, append, bound, outside changes, split."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from kubectl_httproute.core.revisions import (
    MAX_REVISIONS,
    REVISIONS_ANNOTATION,
    digest_rules,
    find_outside_change,
    list_revisions,
    traffic_split,
    with_revision,
)

NOW = datetime(2026, 12, 2, 21, 0, tzinfo=timezone.utc)


def _rules(*weights: tuple[str, int]) -> list[dict[str, Any]]:
    refs = [
        {"group": "inference.networking.k8s.io", "kind": "InferencePool", "name": n, "weight": w}
        for n, w in weights
    ]
    return [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}], "backendRefs": refs}]


def _manifest(rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {"metadata": {"name": "qwen", "namespace": "llm"}, "spec": {"rules": rules}}


def test_a_first_change_becomes_revision_one_on_the_manifest() -> None:
    manifest = with_revision(_manifest(_rules(("qwen-v1", 1))), None, "alice", "expose qwen", NOW)
    revisions, findings = list_revisions(manifest)
    assert findings == []
    assert [(r.number, r.time, r.user, r.command) for r in revisions] == [
        (1, "2026-12-02T21:00:00Z", "alice", "expose qwen")
    ]


def test_history_keeps_only_the_last_ten() -> None:
    route: dict[str, Any] | None = None
    for step in range(MAX_REVISIONS + 3):
        route = with_revision(_manifest(_rules(("p", step))), route, "u", f"c{step}", NOW)
    revisions, _ = list_revisions(route)
    assert [r.number for r in revisions] == list(range(4, MAX_REVISIONS + 4))


def test_a_corrupt_annotation_is_a_finding_not_a_crash() -> None:
    route = _manifest(_rules(("p", 1)))
    route["metadata"]["annotations"] = {REVISIONS_ANNOTATION: "{not json"}
    revisions, findings = list_revisions(route)
    assert revisions == []
    assert [f.severity for f in findings] == ["warning"]
    assert REVISIONS_ANNOTATION in findings[0].message


def test_no_outside_change_when_rules_match_the_last_revision() -> None:
    route = with_revision(_manifest(_rules(("p", 1))), None, "u", "c", NOW)
    assert find_outside_change(route, list_revisions(route)[0]) is None


def test_an_edit_by_another_manager_is_named() -> None:
    route = with_revision(_manifest(_rules(("p", 1))), None, "u", "c", NOW)
    route["spec"]["rules"] = _rules(("p", 5))
    route["metadata"]["managedFields"] = [
        {
            "manager": "kubectl-inferroute",
            "time": "2026-12-02T21:00:00Z",
            "fieldsV1": {"f:spec": {}},
        },
        {"manager": "kubectl-edit", "time": "2026-12-02T21:05:00Z", "fieldsV1": {"f:spec": {}}},
        {
            "manager": "ctrl",
            "time": "2026-12-02T21:06:00Z",
            "subresource": "status",
            "fieldsV1": {},
        },
    ]
    change = find_outside_change(route, list_revisions(route)[0])
    assert change is not None
    assert (change.manager, change.time) == ("kubectl-edit", "2026-12-02T21:05:00Z")


def test_the_digest_ignores_key_order() -> None:
    assert digest_rules([{"a": 1, "b": 2}]) == digest_rules(json.loads('[{"b": 2, "a": 1}]'))


def test_the_split_lists_weights_and_mirrors() -> None:
    rules = _rules(("qwen-v1", 90), ("qwen-v2", 10))
    rules[0]["filters"] = [
        {
            "type": "RequestMirror",
            "requestMirror": {"backendRef": {"name": "qwen-v3"}, "percent": 5},
        }
    ]
    assert traffic_split(rules) == "qwen-v1=90 qwen-v2=10 mirror:qwen-v3=5%"
