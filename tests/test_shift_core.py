"""`shift`'s pure rules: weights, mirrors, steps and the traffic table."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fakekube.objects import httproute
from golden import assert_golden
from hypothesis import given
from hypothesis import strategies as st

from kubectl_httproute.core.inventory import PodCount, PoolState
from kubectl_httproute.core.model import ObjectRef, PoolBackend
from kubectl_httproute.core.shift import (
    PoolHealth,
    build_shift_manifest,
    check_gates,
    parse_mirror,
    parse_steps,
    plan_steps,
    split_by_largest_remainder,
    step_weights,
    traffic_pools,
    traffic_rows,
    weights_of,
    with_mirror,
    with_weights,
)
from kubectl_httproute.errors import InvalidInput
from kubectl_httproute.render.shift import render_steps, render_traffic

V1 = ObjectRef("llm", "qwen-v1")
V2 = ObjectRef("llm", "qwen-v2")
V3 = ObjectRef("llm", "qwen-v3")
NEW_V2 = {V2: PoolBackend("qwen-v2", "llm", port=8000)}


def two_pool_route(w1: int = 90, w2: int = 10) -> dict[str, Any]:
    route = httproute("qwen", pool="qwen-v1")
    refs = route["spec"]["rules"][0]["backendRefs"]
    refs[0]["weight"] = w1
    refs.append({**refs[0], "name": "qwen-v2", "weight": w2})
    route["metadata"]["uid"] = "server-owned"
    return route


def rules_of(route: dict[str, Any]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = route["spec"]["rules"]
    return rules


# --- one change ---------------------------------------------------------------------------------


def test_listed_pools_get_their_weight_and_unlisted_keep_theirs() -> None:
    route = two_pool_route()
    route["spec"]["rules"][0]["backendRefs"].append(
        {**route["spec"]["rules"][0]["backendRefs"][0], "name": "qwen-v3", "weight": 5}
    )
    rules = with_weights(rules_of(route), "llm", {V1: 50, V2: 0}, {})
    assert weights_of(rules[0], "llm") == [(V1, 50), (V2, 0), (V3, 5)]


def test_weight_zero_keeps_the_backend_ref() -> None:
    rules = with_weights(rules_of(two_pool_route()), "llm", {V2: 0}, {})
    assert [r["name"] for r in rules[0]["backendRefs"]] == ["qwen-v1", "qwen-v2"]
    assert rules[0]["backendRefs"][1]["weight"] == 0


def test_a_pool_not_on_the_route_is_added_as_expose_writes_it() -> None:
    route = httproute("qwen", pool="qwen-v1")
    other = PoolBackend("qwen-v2", "models", group="inference.networking.x-k8s.io", port=8200)
    rules = with_weights(
        rules_of(route),
        "llm",
        {ObjectRef("models", "qwen-v2"): 10},
        {ObjectRef("models", "qwen-v2"): other},
    )
    assert rules[0]["backendRefs"][1] == {
        "group": "inference.networking.x-k8s.io",
        "kind": "InferencePool",
        "name": "qwen-v2",
        "namespace": "models",
        "port": 8200,
        "weight": 10,
    }


def test_every_weight_zero_is_refused() -> None:
    with pytest.raises(InvalidInput, match="weight 0"):
        with_weights(rules_of(two_pool_route()), "llm", {V1: 0, V2: 0}, {})


def test_the_live_rules_are_not_changed_in_place() -> None:
    route = two_pool_route()
    before = copy.deepcopy(route)
    with_weights(rules_of(route), "llm", {V1: 1}, {})
    with_mirror(rules_of(route), "llm", NEW_V2[V2], 10)
    assert route == before


def test_the_manifest_keeps_identity_parents_and_hostnames_without_server_fields() -> None:
    route = httproute("qwen", pool="qwen-v1", hostnames=["llm.example.com"], labels={"a": "b"})
    route["metadata"].update(uid="x", resourceVersion="7", generation=3)
    route["status"] = {"parents": []}
    manifest = build_shift_manifest(route, rules_of(route))
    assert manifest["metadata"] == {"name": "qwen", "namespace": "llm", "labels": {"a": "b"}}
    assert manifest["spec"]["hostnames"] == ["llm.example.com"]
    assert manifest["spec"]["parentRefs"] == route["spec"]["parentRefs"]
    assert "status" not in manifest


# --- mirror -------------------------------------------------------------------------------------


def test_mirror_adds_one_request_mirror_filter_in_the_crd_shape() -> None:
    rules = with_mirror(rules_of(two_pool_route()), "llm", NEW_V2[V2], 10)
    assert rules[0]["filters"] == [
        {
            "type": "RequestMirror",
            "requestMirror": {
                "backendRef": {
                    "group": "inference.networking.k8s.io",
                    "kind": "InferencePool",
                    "name": "qwen-v2",
                    "port": 8000,
                },
                "percent": 10,
            },
        }
    ]


def test_a_new_mirror_replaces_the_old_and_no_mirror_removes_it_keeping_other_filters() -> None:
    header = {"type": "RequestHeaderModifier", "requestHeaderModifier": {"set": []}}
    route = two_pool_route()
    route["spec"]["rules"][0]["filters"] = [header]
    once = with_mirror(rules_of(route), "llm", NEW_V2[V2], 10)
    twice = with_mirror(once, "llm", NEW_V2[V2], 50)
    assert [f["type"] for f in twice[0]["filters"]] == ["RequestHeaderModifier", "RequestMirror"]
    assert twice[0]["filters"][1]["requestMirror"]["percent"] == 50
    assert with_mirror(twice, "llm", None, 0)[0]["filters"] == [header]
    assert (
        "filters"
        not in with_mirror(
            with_mirror(rules_of(two_pool_route()), "llm", NEW_V2[V2], 5), "llm", None, 0
        )[0]
    )


def test_a_mirrored_pool_gets_traffic_and_so_is_gated() -> None:
    rules = with_mirror(rules_of(httproute("qwen", pool="qwen-v1")), "llm", NEW_V2[V2], 10)
    assert traffic_pools(rules, "llm") == [V1, V2]


@pytest.mark.parametrize("text", ["qwen-v2", "qwen-v2=101", "qwen-v2=-1", "qwen-v2=ten", "=10"])
def test_bad_mirror_arguments_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_mirror(text, "llm")


def test_mirror_takes_a_percent_sign() -> None:
    assert parse_mirror("models/qwen-v2=10%", "llm").percent == 10


# --- steps --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "10,,50", "50,10", "0,50", "10,101", "10,10", "a"])
def test_bad_steps_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_steps(text)


def test_steps_from_90_10_to_v2() -> None:
    steps = plan_steps(two_pool_route(), V2, (10, 50, 100), {})
    assert [weights_of(s.rules[0], "llm") for s in steps] == [
        [(V1, 90), (V2, 10)],
        [(V1, 50), (V2, 50)],
        [(V1, 0), (V2, 100)],
    ]


def test_the_rest_is_split_in_proportion_rounded_by_largest_remainder() -> None:
    # 2:1 of 67 is 44.67 and 22.33: 44 and 22, the one left goes to the larger remainder.
    assert step_weights([(V1, 2), (V3, 1), (V2, 0)], V2, 33) == {V1: 45, V3: 22, V2: 33}
    assert split_by_largest_remainder(10, [1, 1, 1]) == [4, 3, 3]  # a tie: the earlier first


def test_a_target_not_on_the_route_is_added_at_its_share() -> None:
    steps = plan_steps(httproute("qwen", pool="qwen-v1"), V2, (10,), NEW_V2)
    assert weights_of(steps[0].rules[0], "llm") == [(V1, 90), (V2, 10)]


def test_shifting_to_the_only_pool_is_refused() -> None:
    with pytest.raises(InvalidInput, match="only pool"):
        plan_steps(httproute("qwen", pool="qwen-v1"), V1, (50,), {})


weights = st.lists(st.integers(0, 1_000_000), min_size=1, max_size=6)


@given(weights, st.integers(1, 100))
def test_each_step_sums_to_100_with_the_target_at_its_share(before: list[int], share: int) -> None:
    refs = [ObjectRef("llm", f"p{i}") for i in range(len(before))]
    target = ObjectRef("llm", "target")
    out = step_weights([*zip(refs, before, strict=True), (target, 7)], target, share)
    assert out[target] == share
    assert sum(out.values()) == 100
    assert set(out) == {*refs, target}  # nobody dropped, a weight of 0 included


@given(weights, st.integers(1, 100))
def test_the_others_keep_their_proportions_within_one(before: list[int], share: int) -> None:
    split = split_by_largest_remainder(100 - share, before)
    base = before if any(before) else [1] * len(before)
    for got, weight in zip(split, base, strict=True):
        assert abs(got - (100 - share) * weight / sum(base)) < 1


@given(weights)
def test_at_100_the_others_keep_weight_zero(before: list[int]) -> None:
    refs = [ObjectRef("llm", f"p{i}") for i in range(len(before))]
    out = step_weights([*zip(refs, before, strict=True)], ObjectRef("llm", "t"), 100)
    assert all(out[r] == 0 for r in refs)


@given(st.dictionaries(st.sampled_from(["qwen-v1", "qwen-v2"]), st.integers(0, 1000), min_size=1))
def test_shift_sets_listed_weights_and_keeps_unlisted(listed: dict[str, int]) -> None:
    asked = {ObjectRef("llm", k): v for k, v in listed.items()}
    try:
        rules = with_weights(rules_of(two_pool_route(90, 10)), "llm", asked, {})
    except InvalidInput:
        assert all(v == 0 for v in {V1: 90, V2: 10, **asked}.values())
        return
    got = dict(weights_of(rules[0], "llm"))
    assert got == {V1: 90, V2: 10, **asked}


# --- tables -------------------------------------------------------------------------------------


def test_traffic_table_before_and_after() -> None:
    route = two_pool_route()
    after = with_mirror(
        with_weights(rules_of(route), "llm", {V1: 50, V2: 50}, {}),
        "llm",
        PoolBackend("qwen-v3", "models"),
        10,
    )
    text = render_traffic(traffic_rows(rules_of(route), "llm"))
    text += "\n---\n" + render_traffic(traffic_rows(after, "llm")) + "\n"
    assert_golden("shift/traffic.txt", text)


def test_thirds_show_one_decimal() -> None:
    rules = with_weights(rules_of(two_pool_route(1, 2)), "llm", {}, {})
    assert [r.share for r in traffic_rows(rules, "llm")] == ["33.3%", "66.7%"]


def test_steps_table() -> None:
    from kubectl_httproute.core.shift import weights_text

    route = two_pool_route()
    steps = plan_steps(route, V2, (10, 50, 100), {})
    text = render_steps(
        "qwen-v2",
        [(s, weights_text(s.rules, "llm")) for s in steps],
        weights_text(rules_of(route), "llm"),
    )
    assert_golden("shift/steps.txt", text + "\n")


# --- gates --------------------------------------------------------------------------------------


def pool(name: str, picker: str = "epp") -> PoolState:
    return PoolState(
        ObjectRef("llm", name),
        "inference.networking.k8s.io",
        "v1",
        (("app", name),),
        (8000,),
        picker,
        9002,
        (),
    )


@pytest.mark.parametrize(
    ("health", "message"),
    [
        (PoolHealth(V2, None, None, None), "does not exist"),
        (PoolHealth(V2, pool("qwen-v2"), PodCount(0, 0), True), "selects no pods"),
        (PoolHealth(V2, pool("qwen-v2"), PodCount(2, 0), True), "none of its 2 pod(s) is Ready"),
        (
            PoolHealth(V2, pool("qwen-v2", picker=""), PodCount(1, 1), None),
            "names no endpoint picker",
        ),
        (PoolHealth(V2, pool("qwen-v2"), PodCount(1, 1), False), 'Service "epp"'),
    ],
)
def test_each_gate_blocks_unless_forced(health: PoolHealth, message: str) -> None:
    (finding,) = check_gates([health], force=False)
    assert finding.blocking and message in finding.message and "--force" in finding.fix
    (forced,) = check_gates([health], force=True)
    assert not forced.blocking and forced.severity == "warning"


def test_healthy_pools_pass_every_gate() -> None:
    (finding,) = check_gates([PoolHealth(V1, pool("qwen-v1"), PodCount(1, 1), True)], force=False)
    assert finding.severity == "info" and not finding.blocking


def test_every_rule_with_a_pool_is_shifted_and_the_table_names_the_rule() -> None:
    route = two_pool_route()
    second = copy.deepcopy(route["spec"]["rules"][0])
    second["matches"] = [{"path": {"type": "PathPrefix", "value": "/v2"}}]
    service_rule = {"backendRefs": [{"group": "", "kind": "Service", "name": "web", "port": 80}]}
    route["spec"]["rules"] = [route["spec"]["rules"][0], service_rule, second]

    rules = with_weights(rules_of(route), "llm", {V2: 30}, {})
    assert weights_of(rules[0], "llm") == weights_of(rules[2], "llm") == [(V1, 90), (V2, 30)]
    assert rules[1] == service_rule  # a rule without an InferencePool is left alone
    assert render_traffic(traffic_rows(rules, "llm")).splitlines()[0].split() == [
        "RULE", "POOL", "WEIGHT", "SHARE",
    ]  # fmt: skip


def test_a_route_without_an_inference_pool_has_nothing_to_shift() -> None:
    from kubectl_httproute.core.shift import require_pool_rules

    with pytest.raises(InvalidInput, match="sends no traffic to an InferencePool"):
        require_pool_rules(httproute("web", pool="web", pool_group=None))
