"""Who takes a deleted route's requests (Gateway API precedence), and which grants go with it."""

from __future__ import annotations

from typing import Any

from fakekube import objects as o

from kubectl_httproute.core.deletion import build_deletion_plan, grants_to_offer
from kubectl_httproute.core.grants import reduce_grant
from kubectl_httproute.core.manifest import build_reference_grant
from kubectl_httproute.core.model import ObjectRef
from kubectl_httproute.core.precedence import summarize_route, takeovers

POOLS = "inference.networking.k8s.io"


def route(
    name: str,
    *,
    path: str = "/",
    path_type: str = "PathPrefix",
    hostnames: list[str] | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
    created: str = "2026-01-01T00:00:00Z",
    section: str | None = None,
    gateway: str = "inference-gateway",
    namespace: str = "llm",
    pool_namespace: str | None = None,
) -> dict[str, Any]:
    obj = o.httproute(
        name,
        namespace,
        gateway=gateway,
        hostnames=hostnames,
        section_name=section,
        pool_namespace=pool_namespace,
    )
    match: dict[str, Any] = {"path": {"type": path_type, "value": path}}
    if headers:
        match["headers"] = [{"type": "Exact", "name": k, "value": v} for k, v in headers.items()]
    if method:
        match["method"] = method
    obj["spec"]["rules"][0]["matches"] = [match]
    obj["metadata"]["creationTimestamp"] = created
    return obj


def successors(deleted: dict[str, Any], *others: dict[str, Any]) -> list[str | None]:
    found = takeovers(summarize_route(deleted), [summarize_route(r) for r in others])
    return [str(t.successor) if t.successor else None for t in found]


def test_nobody_takes_over_when_no_other_route_matches() -> None:
    assert successors(route("mine"), route("other", path="/v2")) == [None]


def test_a_wider_prefix_takes_over_a_narrower_one_but_not_the_other_way() -> None:
    assert successors(route("mine", path="/v1"), route("root")) == ["llm/root"]
    assert successors(route("mine"), route("narrow", path="/v1")) == [None]


def test_a_prefix_matches_whole_path_elements_only() -> None:
    assert successors(route("mine", path="/v10"), route("v1", path="/v1")) == [None]
    assert successors(route("mine", path="/v1/models"), route("v1", path="/v1")) == ["llm/v1"]


def test_the_most_specific_covering_match_wins_before_age() -> None:
    old_root = route("root", created="2020-01-01T00:00:00Z")
    young_v1 = route("v1", path="/v1", created="2026-06-01T00:00:00Z")
    assert successors(route("mine", path="/v1/chat"), old_root, young_v1) == ["llm/v1"]


def test_between_equal_matches_the_oldest_wins_then_the_name() -> None:
    young = route("b-young", created="2026-06-01T00:00:00Z")
    old = route("z-old", created="2020-01-01T00:00:00Z")
    assert successors(route("mine", path="/v1"), young, old) == ["llm/z-old"]
    twin = route("a-twin", created="2020-01-01T00:00:00Z")
    assert successors(route("mine", path="/v1"), old, twin) == ["llm/a-twin"]


def test_an_older_route_with_the_same_match_already_has_the_requests() -> None:
    deleted = route("mine", created="2026-06-01T00:00:00Z")
    [takeover] = takeovers(
        summarize_route(deleted), [summarize_route(route("older", created="2020-01-01T00:00:00Z"))]
    )
    assert takeover.already
    [takeover] = takeovers(
        summarize_route(route("mine", created="2020-01-01T00:00:00Z")),
        [summarize_route(route("younger", created="2026-06-01T00:00:00Z"))],
    )
    assert not takeover.already and str(takeover.successor) == "llm/younger"


def test_a_match_with_more_conditions_never_takes_over_one_with_fewer() -> None:
    model = {"X-Gateway-Base-Model-Name": "Qwen/Qwen3-8B"}
    assert successors(route("mine"), route("model", headers=model)) == [None]
    assert successors(route("mine", headers=model), route("any")) == ["llm/any"]
    assert successors(route("mine"), route("posts", method="POST")) == [None]
    assert successors(route("mine", method="POST"), route("any")) == ["llm/any"]


def test_an_exact_path_is_taken_by_the_same_exact_path_or_a_prefix() -> None:
    exact = route("mine", path="/v1/models", path_type="Exact")
    assert successors(exact, route("same", path="/v1/models", path_type="Exact")) == ["llm/same"]
    assert successors(exact, route("other", path="/v1", path_type="Exact")) == [None]
    assert successors(route("mine", path="/v1"), route("exact", path="/v1", path_type="Exact")) == [
        None
    ]


def test_hostnames_a_route_takes_only_the_hosts_it_covers() -> None:
    mine = route("mine", hostnames=["a.example.com", "b.other.com"])
    wildcard = route("wild", hostnames=["*.example.com"])
    assert successors(mine, wildcard) == ["llm/wild", None]
    # A route without hostnames takes every host; one with hostnames never takes "any host".
    assert successors(mine, route("any")) == ["llm/any", "llm/any"]
    assert successors(route("mine"), wildcard) == [None]


def test_an_exact_hostname_beats_a_wildcard_and_any_host() -> None:
    mine = route("mine", hostnames=["a.example.com"])
    exact = route("exact", hostnames=["a.example.com"], created="2026-06-01T00:00:00Z")
    wild = route("wild", hostnames=["*.example.com"], created="2020-01-01T00:00:00Z")
    anyhost = route("any", created="2020-01-01T00:00:00Z")
    assert successors(mine, anyhost, wild, exact) == ["llm/exact"]
    assert successors(mine, anyhost, wild) == ["llm/wild"]


def test_only_routes_on_the_same_gateway_and_listener_take_over() -> None:
    mine = route("mine", section="https")
    assert successors(mine, route("elsewhere", gateway="other")) == [None]
    assert successors(mine, route("http", section="http")) == [None]
    assert successors(mine, route("every-listener")) == ["llm/every-listener"]
    # A route on all listeners is not taken over by one on a single listener.
    assert successors(route("mine"), route("https", section="https")) == [None]


def test_a_regular_expression_path_is_never_judged() -> None:
    regex = route("mine", path="/v[0-9]+", path_type="RegularExpression")
    assert successors(regex, route("root")) == [None]


# --- grants ---------------------------------------------------------------------------------------


def _grants(*objs: dict[str, Any]) -> dict[str, Any]:
    by_ns: dict[str, list[Any]] = {}
    for obj in objs:
        by_ns.setdefault(obj["metadata"]["namespace"], []).append(reduce_grant(obj))
    return by_ns


def test_offers_the_grant_expose_made_for_the_routes_pool() -> None:
    deleted = route("mine", pool_namespace="models")
    plan = build_deletion_plan(deleted, True, [])
    grant = build_reference_grant("llm", "models", POOLS, "qwen-pool")
    assert grants_to_offer(plan, _grants(grant), []) == [
        ObjectRef("models", "inferroute-from-llm-to-qwen-pool")
    ]


def test_keeps_a_grant_while_another_route_of_the_namespace_uses_a_pool_there() -> None:
    plan = build_deletion_plan(route("mine", pool_namespace="models"), True, [])
    grant = build_reference_grant("llm", "models", POOLS, "qwen-pool")
    other = summarize_route(route("other", pool_namespace="models"))
    assert grants_to_offer(plan, _grants(grant), [other]) == []
    # A route in another namespace has grants of its own: it does not keep this one.
    elsewhere = summarize_route(route("other", namespace="team", pool_namespace="models"))
    assert grants_to_offer(plan, _grants(grant), [elsewhere]) != []


def test_never_offers_a_grant_named_otherwise_or_for_another_namespace() -> None:
    plan = build_deletion_plan(route("mine", pool_namespace="models"), True, [])
    by_hand = o.reference_grant("by-hand", "models", "llm", to_name="qwen-pool")
    for_team = build_reference_grant("team", "models", POOLS, "qwen-pool")
    assert grants_to_offer(plan, _grants(by_hand, for_team), []) == []


def test_a_route_with_pools_in_its_own_namespace_has_no_grant_to_offer() -> None:
    plan = build_deletion_plan(route("mine"), True, [])
    grant = build_reference_grant("llm", "llm", POOLS, "qwen-pool")
    assert grants_to_offer(plan, _grants(grant), []) == []


# --- the words ------------------------------------------------------------------------------------


def test_the_takeover_lines_say_who_nobody_or_not_judged() -> None:
    from kubectl_httproute.render.deletion import render_takeovers

    regex = route("mine", path="/v[0-9]+", path_type="RegularExpression")
    [line] = render_takeovers(build_deletion_plan(regex, True, [summarize_route(route("root"))]))
    assert line.endswith(
        "not judged (a RegularExpression path ranks as the implementation decides)"
    )
    [line] = render_takeovers(build_deletion_plan(route("mine"), True, []))
    assert line == (
        "llm/inference-gateway, any host, PathPrefix /: nobody; the Gateway answers 404 "
        "(no other route matches all of these requests)"
    )
    [line] = render_takeovers(build_deletion_plan(route("mine"), True, None))
    assert line.startswith("Unknown: the other HTTPRoutes could not be listed")


def test_what_stops_being_served_names_models_pools_and_shares() -> None:
    from kubectl_httproute.render.deletion import render_served

    obj = route("mine", hostnames=["llm.example.com"], headers={"X-Gateway-Base-Model-Name": "m"})
    refs = obj["spec"]["rules"][0]["backendRefs"]
    refs[0]["weight"] = 3
    refs.append({**refs[0], "name": "canary", "weight": 1})
    assert render_served(build_deletion_plan(obj, False, [])) == [
        "No Gateway has accepted this route: it serves no traffic now.",
        "Gateway: llm/inference-gateway",
        "Hostnames: llm.example.com",
        "Matches: PathPrefix / +1 header(s), model m",
        "Models (header X-Gateway-Base-Model-Name): m",
        "Pools: InferencePool llm/qwen-pool (weight 3, 75%), InferencePool llm/canary "
        "(weight 1, 25%)",
    ]
