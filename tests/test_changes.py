"""Field changes: what an apply changes, whatever order keys come in, as `path: before → after`."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from fakekube.objects import httproute

from kubectl_httproute.core.changes import (
    ABSENT,
    FieldChange,
    fields_we_set_changes,
    is_unchanged,
    object_changes,
)
from kubectl_httproute.render.changes import render_changes, render_path, render_value


def served(obj: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    """obj as an API server returns it: keys sorted, server-owned metadata and status added."""
    out = copy.deepcopy(obj)
    server_set = {
        "uid": "1f0c",
        "resourceVersion": "42",
        "generation": 3,
        "creationTimestamp": "2026-01-01T00:00:00Z",
        "managedFields": [
            {"manager": "kubectl-inferroute", "operation": "Apply", "time": "2026-01-01T00:00:00Z"}
        ],
    }
    out["metadata"].update({**server_set, **metadata})
    out["status"] = {"parents": [{"controllerName": "example.com/gateway-controller"}]}
    sorted_obj: dict[str, Any] = json.loads(json.dumps(out, sort_keys=True))
    return sorted_obj


def changed(obj: dict[str, Any], edit: Any) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    edit(out)
    return out


ROUTE = httproute(
    hostnames=["a.example.com"],
    timeouts={"request": "300s"},
    labels={"app.kubernetes.io/managed-by": "kubectl-inferroute"},
)


def _rule(obj: dict[str, Any]) -> dict[str, Any]:
    rule: dict[str, Any] = obj["spec"]["rules"][0]
    return rule


CASES: dict[str, tuple[Any, list[str]]] = {
    "nothing but key order and server metadata": (lambda o: None, []),
    "a longer timeout": (
        lambda o: _rule(o).__setitem__("timeouts", {"request": "600s"}),
        ["spec.rules[0].timeouts.request: 300s → 600s"],
    ),
    "a hostname more": (
        lambda o: o["spec"]["hostnames"].append("b.example.com"),
        ["spec.hostnames[1]: (none) → b.example.com"],
    ),
    "hostnames gone": (
        lambda o: o["spec"].pop("hostnames"),
        ["spec.hostnames: [a.example.com] → (none)"],
    ),
    "a label with dots and slashes": (
        lambda o: o["metadata"]["labels"].__setitem__("team.io/owner", "ml"),
        ['metadata.labels["team.io/owner"]: (none) → ml'],
    ),
    "a weight as a number, a name that looks like one": (
        lambda o: _rule(o)["backendRefs"][0].update(weight=5, name="8000"),
        [
            'spec.rules[0].backendRefs[0].name: qwen-pool → "8000"',
            "spec.rules[0].backendRefs[0].weight: 1 → 5",
        ],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_only_the_fields_that_change_are_listed(name: str) -> None:
    edit, expected = CASES[name]
    live = served(ROUTE)
    stored = served(changed(ROUTE, edit), resourceVersion="43", generation=4)
    assert render_changes(object_changes(live, stored)) == expected
    assert is_unchanged(live, stored) == (not expected)


def test_a_change_of_field_manager_alone_is_a_change() -> None:
    live = served(ROUTE)
    stored = served(ROUTE)
    stored["metadata"]["managedFields"].append({"manager": "helm", "operation": "Update"})
    assert object_changes(live, stored) == []
    assert not is_unchanged(live, stored)


def test_a_new_time_on_the_same_field_manager_is_no_change() -> None:
    live = served(ROUTE)
    stored = served(ROUTE)
    stored["metadata"]["managedFields"][0]["time"] = "2026-02-02T00:00:00Z"
    assert is_unchanged(live, stored)


def test_fields_we_do_not_set_are_no_change_of_ours() -> None:
    # Defaults the server filled in, and fields another manager owns, are left out.
    live = served(ROUTE)
    live["spec"]["rules"][0]["matches"][0]["path"]["extra"] = "defaulted"
    live["metadata"]["labels"] = {"helm.sh/chart": "x"}
    desired = changed(ROUTE, lambda o: _rule(o).__setitem__("timeouts", {"request": "1s"}))
    desired["metadata"]["labels"] = {"app.kubernetes.io/managed-by": "kubectl-inferroute"}
    assert fields_we_set_changes(live, desired) == [
        FieldChange(
            ("metadata", "labels", "app.kubernetes.io/managed-by"), ABSENT, "kubectl-inferroute"
        ),
        FieldChange(("spec", "rules", 0, "timeouts", "request"), "300s", "1s"),
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (ABSENT, "(none)"),
        ("300s", "300s"),
        ("", '""'),
        ("true", '"true"'),
        ("a: b", '"a: b"'),
        (True, "true"),
        (None, "null"),
        ({"b": 1, "a": [1, "x"]}, "{a: [1, x], b: 1}"),
    ],
)
def test_values_read_as_yaml_on_one_line(value: Any, text: str) -> None:
    assert render_value(value) == text


def test_paths_read_as_kubectl_writes_them() -> None:
    assert render_path(("spec", "rules", 0, "timeouts", "request")) == (
        "spec.rules[0].timeouts.request"
    )
    assert render_path(("metadata", "annotations", "a.b/c")) == 'metadata.annotations["a.b/c"]'
