"""Preflight checks as pure functions: plain data in, findings with the fix out."""

from __future__ import annotations

from typing import Any

import pytest
from fakekube.objects import gateway, httproute, listener, reference_grant

from kubectl_httproute.core.changes import ABSENT, FieldChange
from kubectl_httproute.core.findings import ERROR, WARNING, Finding
from kubectl_httproute.core.grants import reduce_grant
from kubectl_httproute.core.inventory import PodCount
from kubectl_httproute.core.model import FIELD_MANAGER, ObjectRef
from kubectl_httproute.core.preflight import (
    AccessCheck,
    blocked_error,
    blocking,
    check_existing_route,
    check_listeners,
    check_permissions,
    check_pool_health,
    check_reference_grants,
    check_timeouts,
    required_access,
    rules_allow,
    selector_matches,
)

V1 = "inference.networking.k8s.io"
MANAGER = "kubectl-inferroute"
GW = ObjectRef("llm", "inference-gateway")


# --- permission ------------------------------------------------------------------------------


def test_required_access_covers_routes_gateways_and_pools() -> None:
    checks = required_access("llm", GW, [(ObjectRef("models", "qwen"), V1)])
    assert ("create", "httproutes", "llm") in [(c.verb, c.resource, c.namespace) for c in checks]
    assert ("patch", "httproutes", "llm") in [(c.verb, c.resource, c.namespace) for c in checks]
    assert AccessCheck("list", V1, "inferencepools", "models") in checks
    assert AccessCheck("get", "gateway.networking.k8s.io", "gateways", "llm") in checks


def test_a_denial_blocks_and_names_verb_resource_namespace_and_can_i() -> None:
    check = AccessCheck("patch", "gateway.networking.k8s.io", "httproutes", "llm")
    findings = check_permissions([(check, False)])
    assert len(findings) == 1 and findings[0].blocking and findings[0].severity == "error"
    assert "patch" in findings[0].message and "httproutes" in findings[0].message
    assert '"llm"' in findings[0].message
    assert "kubectl auth can-i patch httproutes.gateway.networking.k8s.io -n llm" in findings[0].fix


def test_all_allowed_is_one_info_line() -> None:
    check = AccessCheck("create", "gateway.networking.k8s.io", "httproutes", "llm")
    findings = check_permissions([(check, True)])
    assert [f.severity for f in findings] == ["info"] and not blocking(findings)


@pytest.mark.parametrize(
    ("rules", "allowed"),
    [
        ([{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}], True),
        (
            [
                {
                    "verbs": ["create"],
                    "apiGroups": ["gateway.networking.k8s.io"],
                    "resources": ["httproutes"],
                }
            ],
            True,
        ),
        (
            [
                {
                    "verbs": ["get"],
                    "apiGroups": ["gateway.networking.k8s.io"],
                    "resources": ["httproutes"],
                }
            ],
            False,
        ),
        ([{"verbs": ["create"], "apiGroups": [""], "resources": ["httproutes"]}], False),
        (
            [
                {
                    "verbs": ["create"],
                    "apiGroups": ["gateway.networking.k8s.io"],
                    "resources": ["httproutes"],
                    "resourceNames": ["x"],
                }
            ],
            False,
        ),
        ([], False),
    ],
)
def test_rules_review_rules_grant_resource_wide_verbs(
    rules: list[dict[str, Any]], allowed: bool
) -> None:
    check = AccessCheck("create", "gateway.networking.k8s.io", "httproutes", "llm")
    assert rules_allow(rules, check) is allowed


# --- listener admission ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "labels", "matches"),
    [
        ({"matchLabels": {"team": "ml"}}, {"team": "ml"}, True),
        ({"matchLabels": {"team": "ml"}}, {"team": "web"}, False),
        (
            {"matchExpressions": [{"key": "team", "operator": "In", "values": ["ml", "ai"]}]},
            {"team": "ai"},
            True,
        ),
        (
            {"matchExpressions": [{"key": "team", "operator": "NotIn", "values": ["ml"]}]},
            {"team": "ml"},
            False,
        ),
        ({"matchExpressions": [{"key": "gw", "operator": "Exists"}]}, {"gw": ""}, True),
        ({"matchExpressions": [{"key": "gw", "operator": "DoesNotExist"}]}, {"gw": "x"}, False),
        ({}, {"anything": "x"}, True),
        (None, {"anything": "x"}, False),
    ],
)
def test_namespace_selectors_follow_label_selector_rules(
    selector: dict[str, Any] | None, labels: dict[str, str], matches: bool
) -> None:
    assert selector_matches(selector, labels) is matches


def _check(gw: dict[str, Any], **kw: Any) -> list[Finding]:
    kw.setdefault("route_namespace", "llm")
    kw.setdefault("namespace_labels", {"kubernetes.io/metadata.name": kw["route_namespace"]})
    return check_listeners(gw, **kw)


def test_a_same_namespace_route_is_admitted_by_the_default_listener() -> None:
    findings = _check(gateway())
    assert not blocking(findings)
    assert "admit it: http" in findings[0].message


def test_same_refuses_another_namespace_and_says_which_listeners_and_why() -> None:
    gw = gateway(listeners=[listener("http"), listener("https", 443, "HTTPS", from_="None")])
    findings = _check(gw, route_namespace="apps")
    [finding] = blocking(findings)
    assert "no listener of Gateway llm/inference-gateway would admit" in finding.message
    assert "http: allowedRoutes.namespaces.from is Same" in finding.message
    assert "https: allowedRoutes.namespaces.from is None" in finding.message
    assert "--force" in finding.fix


def test_force_turns_the_refusal_into_a_warning() -> None:
    findings = _check(gateway(), route_namespace="apps", force=True)
    assert not blocking(findings)
    assert findings[-1].severity == "warning"


def test_selector_listener_uses_the_route_namespace_labels() -> None:
    gw = gateway(listeners=[listener(from_="Selector", selector={"gateway-access": "yes"})])
    refused = _check(gw, route_namespace="apps", namespace_labels={"team": "x"})
    assert blocking(refused) and "gateway-access=yes" in refused[-1].message
    admitted = _check(gw, route_namespace="apps", namespace_labels={"gateway-access": "yes"})
    assert not blocking(admitted)


def test_unknown_namespace_labels_warn_instead_of_blocking() -> None:
    gw = gateway(listeners=[listener(from_="Selector", selector={"gateway-access": "yes"})])
    findings = _check(gw, route_namespace="apps", namespace_labels=None)
    assert not blocking(findings)
    assert any("could not read namespace" in f.message for f in findings)


def test_kinds_and_protocols_that_do_not_take_httproutes() -> None:
    gw = gateway(
        listeners=[
            listener("grpc", kinds=[{"kind": "GRPCRoute"}]),
            listener("tcp", 9000, "TCP"),
        ]
    )
    [finding] = blocking(_check(gw))
    assert "allowedRoutes.kinds allows only GRPCRoute" in finding.message
    assert "a TCP listener does not take HTTPRoutes" in finding.message


def test_listener_hostname_must_meet_a_route_hostname() -> None:
    gw = gateway(listeners=[listener(hostname="*.example.com")])
    assert not blocking(_check(gw, hostnames=("llm.example.com",)))
    [finding] = blocking(_check(gw, hostnames=("llm.example.org",)))
    assert "hostname *.example.com matches none of llm.example.org" in finding.message


def test_section_name_picks_one_listener_and_must_exist() -> None:
    gw = gateway(listeners=[listener("http"), listener("other", 8080, from_="None")])
    [finding] = blocking(_check(gw, section_name="other"))
    assert "other: allowedRoutes.namespaces.from is None" in finding.message
    [missing] = blocking(_check(gw, section_name="nope"))
    assert 'no listener named "nope"' in missing.message and "http, other" in missing.message


# --- reference grants ------------------------------------------------------------------------


def test_a_cross_namespace_pool_without_grant_shows_the_grant_needed() -> None:
    pools = [(ObjectRef("models", "qwen"), V1)]
    [finding] = check_reference_grants("llm", pools, {"models": []}, create=False)
    assert finding.severity == "warning" and not finding.blocking
    assert "RefNotPermitted" in finding.message and "--create-reference-grant" in finding.fix
    assert finding.yaml is not None and "kind: ReferenceGrant" in finding.yaml
    assert "namespace: models" in finding.yaml and "name: qwen" in finding.yaml


def test_an_existing_grant_or_same_namespace_pool_needs_nothing() -> None:
    grant = reference_grant("g", "models", "llm", to_group=V1)
    pools = [(ObjectRef("models", "qwen"), V1), (ObjectRef("llm", "local"), V1)]
    assert (
        check_reference_grants("llm", pools, {"models": [reduce_grant(grant)]}, create=False) == []
    )


def test_creating_the_grant_is_announced() -> None:
    pools = [(ObjectRef("models", "qwen"), V1)]
    [finding] = check_reference_grants("llm", pools, {}, create=True)
    assert finding.severity == "info" and "will create ReferenceGrant models/" in finding.message


# --- existing route --------------------------------------------------------------------------


def _live(labels: dict[str, str] | None = None, manager: str = "helm") -> dict[str, Any]:
    obj = httproute(labels=labels)
    obj["metadata"].update(
        uid="u",
        resourceVersion="7",
        generation=2,
        creationTimestamp="2025-01-01T00:00:00Z",
        managedFields=[{"manager": manager, "operation": "Apply"}],
    )
    obj["status"] = {"parents": []}
    return obj


def test_an_unmanaged_route_is_refused_with_the_fields_it_would_change() -> None:
    desired = httproute(labels={"app.kubernetes.io/managed-by": "kubectl-inferroute"})
    [finding] = check_existing_route(_live(), desired, force_conflicts=False)
    assert finding.blocking and "managed by helm" in finding.message
    assert "--force-conflicts" in finding.fix
    # Field by field, server-owned metadata and status left out (was: a textual YAML diff).
    assert finding.changes == (
        FieldChange(("metadata", "labels"), ABSENT, {"app.kubernetes.io/managed-by": MANAGER}),
    )


def test_force_conflicts_takes_over_with_a_warning() -> None:
    [finding] = check_existing_route(_live(), httproute(), force_conflicts=True)
    assert finding.severity == "warning" and not finding.blocking


def test_our_own_route_is_left_to_the_server_dry_run_to_compare() -> None:
    # What changes in a route of ours is the server's dry-run answer against the live route
    # (cli/expose.py), so preflight only says it is ours (was: "will be updated" and a diff).
    desired = httproute(hostnames=["llm.example.com"])
    by_label = _live(labels={"app.kubernetes.io/managed-by": "kubectl-inferroute"})
    by_manager = _live(manager=FIELD_MANAGER)
    for live in (by_label, by_manager):
        [finding] = check_existing_route(live, desired, force_conflicts=False)
        assert not finding.blocking and "managed by kubectl-inferroute" in finding.message
        assert finding.severity == "info" and finding.changes == ()


def test_no_existing_route_means_no_finding() -> None:
    assert check_existing_route(None, httproute(), force_conflicts=False) == []


# --- timeouts and pool health ----------------------------------------------------------------


def test_gke_classes_leave_timeouts_out_and_say_why() -> None:
    [note] = check_timeouts("gke-l7-regional-external-managed", timeouts_given=False)
    assert note.severity == "info" and "GCPBackendPolicy" in note.message
    # Timeouts given anyway: the implementations table's warning (tests/test_implementations.py).
    assert check_timeouts("gke-l7-rilb", timeouts_given=True) == []
    assert check_timeouts("istio", timeouts_given=False) == []


def test_pool_health_warns_about_no_pods_no_ready_pods_and_a_missing_picker() -> None:
    pool = ObjectRef("llm", "qwen-pool")
    [none] = check_pool_health(pool, "app=qwen", PodCount(0, 0), "qwen-epp", True)
    assert none.severity == "warning" and "selects no pods" in none.message
    [unready] = check_pool_health(pool, "app=qwen", PodCount(1, 0), "", None)
    assert "none of the 1 pod(s)" in unready.message and "is Ready" in unready.message
    [picker] = check_pool_health(pool, "app=qwen", PodCount(1, 1), "qwen-epp", False)
    assert 'endpoint picker Service "qwen-epp"' in picker.message
    assert check_pool_health(pool, "app=qwen", PodCount(2, 1), "qwen-epp", True) == []
    [unknown] = check_pool_health(pool, "app=qwen", None, "qwen-epp", True)
    assert unknown.severity == "info"
    # The picker Service could not be read (forbidden): nothing is claimed about it.
    assert check_pool_health(pool, "app=qwen", PodCount(1, 1), "qwen-epp", None) == []
    assert not any(f.blocking for f in check_pool_health(pool, "x", PodCount(0, 0), "e", False))


# --- rendering and the blocking error --------------------------------------------------------


def test_blocked_error_carries_the_fix() -> None:
    findings = [
        Finding(ERROR, "", "you may not patch x", "ask", check="permission", blocking=True),
        Finding(ERROR, "", "no listener", "change it", check="listener", blocking=True),
        Finding(WARNING, "", "grant", "", "kind: ReferenceGrant\n", check="reference-grant"),
    ]
    error = blocked_error(blocking(findings))
    assert "you may not patch x (and 1 more blocking finding(s) above)" in error.message
    assert "nothing was changed" in error.message and error.hint == "ask"
    assert error.exit_code == 1


def test_a_gateway_without_a_controller_is_a_warning() -> None:
    from kubectl_httproute.core.preflight import check_gateway_controller

    pending = {
        "metadata": {"namespace": "llm", "name": "gw"},
        "spec": {"gatewayClassName": "istio"},
        "status": {
            "conditions": [
                {
                    "type": "Accepted",
                    "status": "Unknown",
                    "reason": "Pending",
                    "message": "Waiting for controller",
                }
            ]
        },
    }
    [finding] = check_gateway_controller(pending)
    assert finding.severity == "warning"
    assert "no controller has accepted Gateway llm/gw" in finding.message
    assert "kubectl get gatewayclass istio" in finding.fix
    assert not finding.blocking
    no_status = {**pending, "status": {}}
    assert "no status" in check_gateway_controller(no_status)[0].message
    accepted = {**pending, "status": {"conditions": [{"type": "Accepted", "status": "True"}]}}
    assert check_gateway_controller(accepted) == []
    refused = {
        **pending,
        "status": {
            "conditions": [
                {
                    "type": "Accepted",
                    "status": "False",
                    "reason": "InvalidParameters",
                    "message": "bad",
                }
            ]
        },
    }
    assert "not accepted by its controller (InvalidParameters: bad)" in (
        check_gateway_controller(refused)[0].message
    )
