"""verify: from the status the API returns to condition rows and a verdict that names the fix."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from kubectl_httproute.core.inventory import reduce_pool
from kubectl_httproute.core.model import (
    DEFAULT_POOL_PORT,
    GATEWAY_GROUP,
    POOLS_V1,
    POOLS_V1ALPHA2,
    Condition,
    ObjectRef,
)
from kubectl_httproute.core.verify import (
    ParentConditions,
    ParentRef,
    condition_age,
    gateway_view,
    is_settled,
    parse_conditions,
    pool_parent_statuses,
    route_facts,
    route_parent_statuses,
    route_verdict,
    stale_not_found,
)

GATEWAY = ObjectRef("llm", "inference-gateway")
CONTROLLER = "istio.io/gateway-controller"
T0 = "2026-11-29T22:15:00Z"


def cond(
    type_: str, status: str, reason: str, message: str = "", generation: int | None = 2
) -> dict[str, Any]:
    """A condition as the API returns it."""
    raw: dict[str, Any] = {
        "type": type_,
        "status": status,
        "reason": reason,
        "message": message,
        "lastTransitionTime": T0,
    }
    if generation is not None:
        raw["observedGeneration"] = generation
    return raw


def accepted(generation: int | None = 2) -> dict[str, Any]:
    return cond("Accepted", "True", "Accepted", "Route was valid", generation)


def resolved(generation: int | None = 2) -> dict[str, Any]:
    return cond("ResolvedRefs", "True", "ResolvedRefs", "All references resolved", generation)


def parent_entry(
    *conditions: dict[str, Any],
    name: str = "inference-gateway",
    namespace: str | None = None,
    **ref: Any,
) -> dict[str, Any]:
    parent_ref: dict[str, Any] = {"group": "gateway.networking.k8s.io", "kind": "Gateway"}
    parent_ref["name"] = name
    if namespace is not None:
        parent_ref["namespace"] = namespace
    parent_ref.update(ref)
    return {"parentRef": parent_ref, "controllerName": CONTROLLER, "conditions": list(conditions)}


def route(
    *parents: dict[str, Any],
    generation: int = 2,
    namespace: str = "llm",
    backend_namespace: str | None = None,
    hostnames: list[str] | None = None,
) -> dict[str, Any]:
    """An HTTPRoute the way GET returns it, with status.parents when given."""
    backend: dict[str, Any] = {
        "group": "inference.networking.k8s.io",
        "kind": "InferencePool",
        "name": "qwen-pool",
        "port": 8000,
        "weight": 1,
    }
    if backend_namespace:
        backend["namespace"] = backend_namespace
    obj: dict[str, Any] = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "qwen-pool", "namespace": namespace, "generation": generation},
        "spec": {
            "parentRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway",
                            "name": "inference-gateway", "namespace": "llm"}],
            "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                       "backendRefs": [backend]}],
        },
    }  # fmt: skip
    if hostnames:
        obj["spec"]["hostnames"] = hostnames
    if parents:
        obj["status"] = {"parents": list(parents)}
    return obj


# --- parse_conditions ------------------------------------------------------------------------


def test_conditions_keep_every_field_the_controller_wrote() -> None:
    (c,) = parse_conditions([cond("Accepted", "False", "NotAllowedByListeners", "no", 3)])
    assert c == Condition("Accepted", "False", "NotAllowedByListeners", "no", 3, T0)


def test_missing_or_malformed_conditions_become_nothing() -> None:
    assert parse_conditions(None) == ()
    assert parse_conditions([{"status": "True"}, "junk"]) == ()  # type: ignore[list-item]


def test_a_condition_without_observed_generation_has_none() -> None:
    (c,) = parse_conditions([cond("Accepted", "True", "Accepted", generation=None)])
    assert c.observed_generation is None


# --- parent statuses -------------------------------------------------------------------------


def test_parent_label_defaults_to_the_routes_namespace() -> None:
    (p,) = route_parent_statuses(route(parent_entry(accepted())))
    gateway = ParentRef(GATEWAY_GROUP, "Gateway", "llm", "inference-gateway")
    assert p == ParentConditions(gateway, CONTROLLER, parse_conditions([accepted()]))
    assert p.parent == "llm/inference-gateway"
    assert p.ref.refers_to(ObjectRef("llm", "inference-gateway"))
    assert not p.ref.refers_to(ObjectRef("infra", "inference-gateway"))


def test_a_parent_of_another_group_or_kind_is_not_the_gateway() -> None:
    other = parent_entry(accepted())
    other["parentRef"] = {**other["parentRef"], "kind": "Mesh", "group": "example.com"}
    (p,) = route_parent_statuses(route(other))
    assert p.parent.startswith("Mesh/")
    assert not p.ref.refers_to(ObjectRef("llm", "inference-gateway"))


def test_parent_label_shows_section_name_and_port() -> None:
    entry = parent_entry(accepted(), namespace="infra", sectionName="http", port=80)
    (p,) = route_parent_statuses(route(entry))
    assert p.parent == "infra/inference-gateway#http:80"


def test_a_route_without_status_has_no_parent_statuses() -> None:
    assert route_parent_statuses(route()) == []


def test_judges_only_the_status_entry_of_the_named_gateway() -> None:
    other = parent_entry(accepted(), name="other-gateway")
    ours = parent_entry(accepted(), resolved())
    # The other Gateway's entry lacks ResolvedRefs: taken for ours, it would make this Pending.
    assert route_verdict(route_facts(route(other, ours)), GATEWAY).state == "Ready"
    assert is_settled(route_facts(route(other, ours)), GATEWAY)
    assert route_verdict(route_facts(route(other)), GATEWAY).state == "NoController"


def test_does_not_take_a_same_named_gateway_in_another_namespace() -> None:
    elsewhere = route(parent_entry(accepted(), resolved(), namespace="infra"))
    assert route_verdict(route_facts(elsewhere), GATEWAY).state == "NoController"
    assert not is_settled(route_facts(elsewhere), GATEWAY)


def test_does_not_take_a_parent_of_another_kind() -> None:
    service = route(parent_entry(accepted(), resolved(), group="", kind="Service"))
    assert route_verdict(route_facts(service), GATEWAY).state == "NoController"
    assert not is_settled(route_facts(service), GATEWAY)


# --- is_settled ------------------------------------------------------------------------------


def test_not_settled_before_any_controller_writes_status() -> None:
    assert not is_settled(route_facts(route()), GATEWAY)


def test_settled_when_accepted_is_for_the_current_generation() -> None:
    assert is_settled(
        route_facts(route(parent_entry(accepted(2), resolved(2)), generation=2)), GATEWAY
    )


def test_not_settled_while_accepted_is_for_an_older_generation() -> None:
    assert not is_settled(
        route_facts(route(parent_entry(accepted(1), resolved(1)), generation=2)), GATEWAY
    )


def test_a_condition_without_observed_generation_counts_as_current() -> None:
    entry = parent_entry(accepted(None), resolved(None))
    assert is_settled(route_facts(route(entry, generation=7)), GATEWAY)


def test_not_settled_while_the_controller_says_pending() -> None:
    pending = cond("Accepted", "Unknown", "Pending", "Waiting for controller")
    assert not is_settled(route_facts(route(parent_entry(pending))), GATEWAY)


# --- route_verdict: one test per state -------------------------------------------------------


def test_ready_when_accepted_and_references_resolved() -> None:
    v = route_verdict(route_facts(route(parent_entry(accepted(), resolved()))), GATEWAY)
    assert (v.state, v.healthy, v.fix) == ("Ready", True, "")
    assert v.summary == "Accepted and all references resolved"


def test_no_controller_names_the_gateway_class_to_check() -> None:
    v = route_verdict(route_facts(route()), GATEWAY, gateway_class="istio")
    assert (v.state, v.healthy) == ("NoController", False)
    assert "no controller has processed the route" in v.summary
    assert "GatewayClass istio exists, is Accepted, and its controller is running" in v.fix
    assert "`kubectl get gatewayclass istio -o yaml`" in v.fix


def test_no_controller_without_a_known_class_says_so() -> None:
    assert (
        "`kubectl get gatewayclass <class> -o yaml`"
        in route_verdict(route_facts(route()), GATEWAY).fix
    )


def test_stale_while_the_controller_has_not_seen_the_latest_change() -> None:
    v = route_verdict(
        route_facts(route(parent_entry(accepted(1), resolved(1)), generation=2)), GATEWAY
    )
    assert (v.state, v.healthy) == ("Stale", False)
    assert "has not processed the latest change" in v.summary
    assert v.fix == "wait, or check the gateway controller's logs"


def test_stale_when_only_resolved_refs_lags_behind() -> None:
    v = route_verdict(
        route_facts(route(parent_entry(accepted(2), resolved(1)), generation=2)), GATEWAY
    )
    assert v.state == "Stale"


def test_pending_while_accepted_is_unknown() -> None:
    pending = cond("Accepted", "Unknown", "Pending", "Waiting for controller")
    v = route_verdict(route_facts(route(parent_entry(pending))), GATEWAY)
    assert (v.state, v.healthy) == ("Pending", False)
    assert v.fix.startswith("wait")


def test_pending_while_resolved_refs_is_not_reported_yet() -> None:
    v = route_verdict(route_facts(route(parent_entry(accepted()))), GATEWAY)
    assert v.state == "Pending"
    assert "ResolvedRefs" in v.summary


def not_accepted(reason: str, message: str = "msg", **kwargs: Any) -> dict[str, Any]:
    entry = parent_entry(cond("Accepted", "False", reason, message), resolved())
    return route(entry, **kwargs)


def unresolved(reason: str, message: str = "msg", **kwargs: Any) -> dict[str, Any]:
    entry = parent_entry(accepted(), cond("ResolvedRefs", "False", reason, message))
    return route(entry, **kwargs)


def test_not_accepted_summary_carries_reason_and_message() -> None:
    v = route_verdict(
        route_facts(not_accepted("NotAllowedByListeners", "not allowed\nby listener")), GATEWAY
    )
    assert (v.state, v.healthy) == ("NotAccepted", False)
    assert v.summary == "Accepted=False (NotAllowedByListeners): not allowed by listener"


def test_unresolved_summary_carries_reason_and_message() -> None:
    v = route_verdict(
        route_facts(unresolved("BackendNotFound", "pool qwen-pool not found")), GATEWAY
    )
    assert (v.state, v.healthy) == ("Unresolved", False)
    assert v.summary == "ResolvedRefs=False (BackendNotFound): pool qwen-pool not found"


def test_a_missing_pool_is_unresolved_even_though_accepted() -> None:
    assert route_verdict(route_facts(unresolved("BackendNotFound")), GATEWAY).state == "Unresolved"


# --- route_verdict: one test per reason's fix ------------------------------------------------


def test_not_allowed_by_listeners_says_to_edit_allowed_routes_or_move_the_route() -> None:
    entry = parent_entry(cond("Accepted", "False", "NotAllowedByListeners"), namespace="llm")
    fix = route_verdict(route_facts(route(entry, namespace="apps")), GATEWAY).fix
    assert "allowedRoutes does not admit namespace apps" in fix
    assert "listeners[].allowedRoutes" in fix
    assert "`kubectl edit gateway inference-gateway -n llm`" in fix
    assert "create the route in namespace llm" in fix


def test_no_matching_listener_hostname_names_the_routes_hostnames() -> None:
    r = not_accepted("NoMatchingListenerHostname", hostnames=["chat.example.com"])
    fix = route_verdict(route_facts(r), GATEWAY).fix
    assert "hostnames (chat.example.com) match no listener hostname on llm/inference-gateway" in fix


def test_no_matching_parent_says_the_section_name_or_port_names_no_listener() -> None:
    fix = route_verdict(route_facts(not_accepted("NoMatchingParent")), GATEWAY).fix
    assert "sectionName/port names no listener" in fix


def test_unsupported_value_on_gke_says_to_use_a_gcp_backend_policy() -> None:
    v = route_verdict(
        route_facts(not_accepted("UnsupportedValue")), GATEWAY, "gke-l7-regional-external-managed"
    )
    assert "remove rules[].timeouts and set the timeout with a GCPBackendPolicy" in v.fix
    assert "GKE class gke-l7-regional-external-managed" in v.fix


def test_unsupported_value_elsewhere_quotes_the_message_and_mentions_gke() -> None:
    fix = route_verdict(
        route_facts(not_accepted("UnsupportedValue", "bad filter")), GATEWAY, "istio"
    ).fix
    assert "(bad filter)" in fix
    assert "on GKE classes (gke-l7-*)" in fix


def test_accepted_false_pending_says_wait() -> None:
    assert route_verdict(route_facts(not_accepted("Pending")), GATEWAY).fix.startswith("wait")


def test_backend_not_found_says_to_list_pools_in_the_pools_namespace() -> None:
    fix = route_verdict(
        route_facts(unresolved("BackendNotFound", backend_namespace="models")), GATEWAY
    ).fix
    assert "the pool does not exist, or its group differs from the one the cluster serves" in fix
    assert "inference.networking.k8s.io" in fix
    assert "`kubectl get inferencepools -n models`" in fix


def test_ref_not_permitted_says_to_create_a_reference_grant_in_the_pools_namespace() -> None:
    fix = route_verdict(
        route_facts(unresolved("RefNotPermitted", backend_namespace="models")), GATEWAY
    ).fix
    assert "create a ReferenceGrant in namespace models" in fix
    assert "from namespace llm to InferencePool" in fix


@pytest.mark.parametrize(
    ("gateway_class", "setting"),
    [
        ("istio", "pilot.env.ENABLE_GATEWAY_API_INFERENCE_EXTENSION=true"),
        ("agentgateway", "inferenceExtension.enabled=true"),
        ("nginx", "nginxGateway.gwAPIInferenceExtension.enable=true"),
    ],
)
def test_invalid_kind_names_the_setting_that_enables_inference_pools(
    gateway_class: str, setting: str
) -> None:
    fix = route_verdict(route_facts(unresolved("InvalidKind")), GATEWAY, gateway_class).fix
    assert "does not support InferencePool" in fix
    assert setting in fix


def test_invalid_kind_for_an_unknown_class_lists_every_known_setting() -> None:
    fix = route_verdict(route_facts(unresolved("InvalidKind")), GATEWAY, "kgateway").fix
    assert "ENABLE_GATEWAY_API_INFERENCE_EXTENSION" in fix
    assert "inferenceExtension.enabled" in fix
    assert "gwAPIInferenceExtension" in fix


def test_unsupported_protocol_points_at_the_pools_app_protocol() -> None:
    fix = route_verdict(route_facts(unresolved("UnsupportedProtocol")), GATEWAY).fix
    assert "spec.appProtocol" in fix


def test_an_unknown_not_accepted_reason_gets_an_honest_fix_with_the_message() -> None:
    fix = route_verdict(route_facts(not_accepted("SomethingNew", "listener on fire")), GATEWAY).fix
    assert "Accepted=False (SomethingNew): listener on fire" in fix
    assert "`kubectl describe httproute qwen-pool -n llm`" in fix


def test_an_unknown_unresolved_reason_gets_an_honest_fix_with_the_message() -> None:
    fix = route_verdict(route_facts(unresolved("Weird", "pool exploded")), GATEWAY).fix
    assert "ResolvedRefs=False (Weird): pool exploded" in fix


def test_with_two_entries_for_one_gateway_the_worse_one_decides() -> None:
    good = parent_entry(accepted(), resolved(), sectionName="http")
    bad = parent_entry(cond("Accepted", "False", "NoMatchingParent", "x"), sectionName="h")
    assert route_verdict(route_facts(route(good, bad)), GATEWAY).state == "NotAccepted"


def test_status_for_another_gateway_only_means_no_controller_for_ours() -> None:
    other = parent_entry(accepted(), resolved(), name="other-gateway")
    assert route_verdict(route_facts(route(other)), GATEWAY).state == "NoController"


# --- gateway_view ----------------------------------------------------------------------------


def gateway() -> dict[str, Any]:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": "inference-gateway", "namespace": "llm", "generation": 1},
        "spec": {
            "gatewayClassName": "istio",
            "listeners": [
                {"name": "http", "port": 80, "protocol": "HTTP"},
                {"name": "https", "port": 443, "protocol": "HTTPS", "hostname": "*.example.com",
                 "allowedRoutes": {"namespaces": {"from": "All"},
                                   "kinds": [{"kind": "HTTPRoute"}, {"kind": "GRPCRoute"}]}},
                {"name": "team", "port": 8080, "protocol": "HTTP",
                 "allowedRoutes": {"namespaces": {"from": "Selector",
                                                  "selector": {"matchLabels": {"team": "ml"}}}}},
            ],
        },
        "status": {
            "addresses": [{"type": "IPAddress", "value": "10.96.0.20"}],
            "conditions": [
                cond("Accepted", "True", "Accepted", "Resource accepted", 1),
                cond("Programmed", "True", "Programmed", "Resource programmed", 1),
            ],
            "listeners": [
                {"name": "https", "attachedRoutes": 0, "conditions": [
                    cond("ResolvedRefs", "False", "InvalidCertificateRef", "no cert", 1)]},
                {"name": "http", "attachedRoutes": 2, "conditions": [
                    cond("Programmed", "True", "Programmed", "", 1)]},
            ],
        },
    }  # fmt: skip


def test_gateway_view_joins_listener_spec_with_status_by_name() -> None:
    view = gateway_view(gateway())
    assert view.ref == GATEWAY
    assert view.class_name == "istio"
    assert view.addresses == ("10.96.0.20",)
    assert [c.type for c in view.conditions] == ["Accepted", "Programmed"]
    http, https, team = view.listeners
    assert (http.name, http.port, http.protocol, http.attached_routes) == ("http", 80, "HTTP", 2)
    assert https.hostname == "*.example.com"
    assert https.conditions[0].reason == "InvalidCertificateRef"
    assert team.attached_routes is None  # the controller has not reported it


def test_allowed_routes_default_to_same_and_show_selectors_and_kinds() -> None:
    http, https, team = gateway_view(gateway()).listeners
    assert http.allowed_routes == "Same"
    assert https.allowed_routes == "All kinds=HTTPRoute,GRPCRoute"
    assert team.allowed_routes == "Selector team=ml"


def test_a_listener_only_in_status_is_still_shown() -> None:
    gw = gateway()
    gw["status"]["listeners"].append({"name": "from-set", "attachedRoutes": 1, "conditions": []})
    assert gateway_view(gw).listeners[-1].name == "from-set"


def test_a_gateway_without_status_has_no_conditions_or_addresses() -> None:
    gw = gateway()
    del gw["status"]
    view = gateway_view(gw)
    assert (view.conditions, view.addresses) == ((), ())
    assert all(listener.attached_routes is None for listener in view.listeners)


# --- pools -----------------------------------------------------------------------------------


def pool_v1(**status: Any) -> dict[str, Any]:
    return {
        "apiVersion": "inference.networking.k8s.io/v1",
        "kind": "InferencePool",
        "metadata": {"name": "qwen-pool", "namespace": "llm", "generation": 1},
        "spec": {
            "selector": {"matchLabels": {"app": "qwen"}},
            "targetPorts": [{"number": 8000}],
            "endpointPickerRef": {"kind": "Service", "name": "qwen-epp", "port": {"number": 9002}},
        },
        "status": status,
    }


def pool_v1alpha2(**status: Any) -> dict[str, Any]:
    return {
        "apiVersion": "inference.networking.x-k8s.io/v1alpha2",
        "kind": "InferencePool",
        "metadata": {"name": "qwen-pool", "namespace": "llm", "generation": 1},
        "spec": {
            "selector": {"app": "qwen"},
            "targetPortNumber": 8001,
            "extensionRef": {"name": "qwen-epp"},
        },
        "status": status,
    }


def test_v1_pool_statuses_come_from_status_parents() -> None:
    entry = {
        "parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway",
                      "namespace": "llm", "name": "inference-gateway"},
        "controllerName": CONTROLLER,
        "conditions": [cond("Accepted", "True", "Accepted", "", 1)],
    }  # fmt: skip
    (p,) = pool_parent_statuses(pool_v1(parents=[entry]))
    assert (p.parent, p.controller, p.conditions[0].type) == (
        "llm/inference-gateway",
        CONTROLLER,
        "Accepted",
    )


def test_v1alpha2_pool_statuses_come_from_the_singular_status_parent() -> None:
    entry = {
        "parentRef": {"kind": "Status", "name": "default"},
        "conditions": [cond("Accepted", "Unknown", "Pending", "Waiting for controller", None)],
    }
    (p,) = pool_parent_statuses(pool_v1alpha2(parent=[entry]))
    assert (p.parent, p.controller) == ("Status/default", "")
    assert p.conditions[0].reason == "Pending"


def test_a_v1alpha2_pool_ignores_a_plural_key_it_does_not_have() -> None:
    assert pool_parent_statuses(pool_v1alpha2(parents=[{"parentRef": {"name": "x"}}])) == []


def test_a_pool_without_status_has_no_parent_statuses() -> None:
    pool = pool_v1()
    del pool["status"]
    assert pool_parent_statuses(pool) == []


def test_target_port_per_version() -> None:
    assert reduce_pool(pool_v1(), POOLS_V1).port == 8000
    assert reduce_pool(pool_v1alpha2(), POOLS_V1ALPHA2).port == 8001


def test_a_pool_without_target_ports_gets_the_default_port() -> None:
    pool = pool_v1()
    pool["spec"]["targetPorts"] = []
    assert reduce_pool(pool, POOLS_V1).target_ports == ()
    assert reduce_pool(pool, POOLS_V1).port == DEFAULT_POOL_PORT


# --- condition_age ---------------------------------------------------------------------------

NOW = datetime(2026, 11, 29, 22, 15, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("ago", "age"),
    [
        (timedelta(seconds=5), "5s"),
        (timedelta(seconds=119), "119s"),
        (timedelta(minutes=3), "3m"),
        (timedelta(minutes=3, seconds=20), "3m20s"),
        (timedelta(minutes=45), "45m"),
        (timedelta(hours=2), "120m"),  # kubectl switches to hours at 3h
        (timedelta(hours=3), "3h"),
        (timedelta(hours=3, minutes=30), "3h30m"),
        (timedelta(hours=20), "20h"),
        (timedelta(days=4), "4d"),
        (timedelta(days=4, hours=3), "4d3h"),
        (timedelta(days=30), "30d"),
        (timedelta(days=800), "2y70d"),
    ],
)
def test_condition_age_reads_like_kubectl(ago: timedelta, age: str) -> None:
    changed = (NOW - ago).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert condition_age(Condition("Accepted", "True", last_transition_time=changed), NOW) == age


def test_condition_age_is_unknown_without_a_transition_time() -> None:
    assert condition_age(Condition("Accepted", "True"), NOW) == "<unknown>"


def test_condition_age_tolerates_a_little_clock_skew() -> None:
    future = (NOW + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert condition_age(Condition("Accepted", "True", last_transition_time=future), NOW) == "0s"


# --- a BackendNotFound older than its pool --------------------------------------------------


def test_a_backend_not_found_older_than_the_pool_is_stale_with_the_touch_to_fix_it() -> None:
    facts = route_facts(unresolved("BackendNotFound"))
    pool = ObjectRef("llm", "qwen-pool")
    v = stale_not_found(facts, GATEWAY, {pool: "2026-11-29T23:00:00Z"})
    assert v is not None and v.state == "Stale" and not v.healthy
    assert "before InferencePool llm/qwen-pool was created (2026-11-29T23:00:00Z)" in v.summary
    assert "kubectl annotate httproute" in v.fix


def test_a_backend_not_found_after_the_pool_or_without_times_is_not_stale() -> None:
    facts = route_facts(unresolved("BackendNotFound"))
    pool = ObjectRef("llm", "qwen-pool")
    assert stale_not_found(facts, GATEWAY, {pool: T0}) is None  # same second: not older
    assert stale_not_found(facts, GATEWAY, {pool: ""}) is None
    assert stale_not_found(facts, GATEWAY, {}) is None
    other = route_facts(unresolved("RefNotPermitted"))
    assert stale_not_found(other, GATEWAY, {pool: "2026-11-29T23:00:00Z"}) is None
