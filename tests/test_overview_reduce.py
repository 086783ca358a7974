"""The overview's reducer and diagnosis on objects no controller would write (nulls, wrong types,
missing keys), and the diagnosis of routes that share a Gateway and a pool, judged once for all."""

from __future__ import annotations

from typing import Any

from fakekube.objects import gateway, httproute, pool_v1

from kubectl_httproute.core.diagnose import diagnose_all, diagnose_route
from kubectl_httproute.core.fields import as_int
from kubectl_httproute.core.inventory import Inventory, reduce_pool, reduce_route
from kubectl_httproute.core.model import GATEWAY_GROUP, POOLS_V1, Condition, ObjectRef
from kubectl_httproute.core.precedence import (
    MatchKey,
    RouteSummary,
    shadowed_routes,
    summarize_route,
)
from kubectl_httproute.core.verify import ParentConditions, ParentRef, gateway_view

T0 = "2025-06-01T12:00:00Z"

MALFORMED: dict[str, Any] = {
    "metadata": {"name": "r", "namespace": "llm", "generation": "2", "creationTimestamp": None},
    "spec": {
        "parentRefs": [
            None,
            {"name": "gw", "group": None, "kind": None},
            {"name": "other", "group": 1},
            "junk",
        ],
        "hostnames": [None, 7, "A.example.com"],
        "rules": [
            None,
            {
                "matches": [
                    None,
                    {"path": None, "headers": None, "queryParams": {}},
                    {"path": {"type": None, "value": 5}, "headers": "x", "method": 1},
                ],
                "backendRefs": [
                    None,
                    {"kind": "InferencePool", "name": "p", "group": None, "weight": True},
                    {"kind": None, "name": "svc"},
                ],
            },
            {"matches": "junk", "backendRefs": {"kind": "InferencePool"}},
        ],
    },
    "status": {
        "parents": [
            None,
            "junk",
            {
                "parentRef": None,
                "controllerName": 3,
                "conditions": [
                    None,
                    {"type": 1},
                    {"type": "Accepted", "status": None, "observedGeneration": True},
                ],
            },
            {"parentRef": {"name": "gw", "port": "80"}, "conditions": {"type": "Accepted"}},
        ]
    },
}


def test_null_and_wrongly_typed_fields_read_as_absent_or_are_skipped() -> None:
    summary, info, accepted = reduce_route(MALFORMED)
    any_path = MatchKey("PathPrefix", "/", None, 0, 0)
    assert summary == RouteSummary(
        ref=ObjectRef("llm", "r"),
        created="",
        hostnames=("a.example.com",),
        # null entries are Gateways with no name; a group that is not a string is no Gateway's
        parents=(("llm", "", None), ("llm", "gw", None)),
        matches=(any_path,),  # null, string and numeric fields fall back to PathPrefix /
        pools=(("", "llm", "p", 1),),  # a boolean weight is no weight
    )
    assert info is not None
    assert info.generation is None  # "2" is not a number
    assert info.paths == ("/",)
    gateway_parent = ParentRef(GATEWAY_GROUP, "Gateway", "llm", "")
    assert info.parents == (
        ParentConditions(gateway_parent, "", (Condition("Accepted", "Unknown"),)),
        ParentConditions(ParentRef(GATEWAY_GROUP, "Gateway", "llm", "gw"), "", ()),
    )
    assert not accepted


def test_an_object_without_metadata_spec_or_status_reduces_to_an_empty_summary() -> None:
    for obj in ({}, {"metadata": None, "spec": [], "status": "x"}):
        summary, info, accepted = reduce_route(obj)
        assert summary == RouteSummary(ObjectRef("", ""), "", (), (), (), ())
        assert info is None
        assert not accepted


def test_a_route_without_pools_competes_when_a_well_formed_entry_says_accepted() -> None:
    def accepted_with(parents: Any) -> bool:
        shown = httproute("r", "llm")
        shown["status"] = {"parents": parents}
        _, info, accepted = reduce_route(shown)
        assert info is not None
        # A route with a Service backend is not shown: its conditions are read, not kept.
        plain = httproute("r", "llm")
        plain["spec"]["rules"][0]["backendRefs"] = [{"name": "svc", "port": 80}]
        plain["status"] = {"parents": parents}
        _, no_info, plain_accepted = reduce_route(plain)
        assert no_info is None
        assert plain_accepted == accepted
        return accepted

    accepted = {"type": "Accepted", "status": "True"}
    assert accepted_with([None, "junk", {"conditions": [None, 1, accepted]}])
    assert accepted_with([{"conditions": None}, {"parentRef": 3, "conditions": [accepted]}])
    assert not accepted_with(None)
    assert not accepted_with({"conditions": [accepted]})  # parents is no list
    assert not accepted_with([{"conditions": {"x": accepted}}])  # conditions is no list
    assert not accepted_with([{"conditions": [{"type": "Accepted", "status": "False"}]}])
    assert not accepted_with([{"conditions": [{"type": "Accepted", "status": True}]}])
    assert not accepted_with([{"conditions": [{"type": "Accepted"}]}])  # status Unknown


def test_null_or_empty_header_and_query_conditions_are_the_same_match_as_none() -> None:
    def match_of(match: dict[str, Any]) -> MatchKey:
        obj = httproute("r", "llm")
        obj["spec"]["rules"][0]["matches"] = [match]
        (key,) = summarize_route(obj).matches
        return key

    path = {"type": "Exact", "value": "/v1"}
    plain = match_of({"path": path})
    for empty in (None, [], {}, ""):
        assert match_of({"path": path, "headers": empty, "queryParams": empty}) == plain
    with_header = match_of({"path": path, "headers": [{"name": "X-M", "value": "q"}]})
    assert with_header.header_values == (("Exact", "x-m", "q"),)
    assert with_header.headers == 1


def test_a_boolean_is_not_an_integer_but_an_integer_is() -> None:
    assert as_int(3) == 3
    assert as_int(True) is None
    assert as_int("3") is None


def test_a_malformed_route_is_pending_on_each_gateway_it_names() -> None:
    _, info, _ = reduce_route(MALFORMED)
    assert info is not None
    (diagnosis,) = diagnose_all(Inventory(None, routes=[info]))
    assert diagnosis.verdict == "Pending"
    assert [j.gateway for j in diagnosis.judgements] == [
        ObjectRef("llm", ""),
        ObjectRef("llm", "gw"),
    ]
    assert [f.message for f in diagnosis.findings] == [
        "Accepted=Unknown (no reason)",
        "the controller for llm/gw has not reported Accepted yet",
    ]


def route_on(name: str, accepted: str) -> dict[str, Any]:
    obj = httproute(name, "llm", gateway="gw", pool="p")
    obj["metadata"]["generation"] = 1
    conditions = [
        {"type": "Accepted", "status": accepted, "reason": "X", "lastTransitionTime": T0},
        {"type": "ResolvedRefs", "status": "True", "reason": "Y", "lastTransitionTime": T0},
    ]
    parent_ref = {"group": GATEWAY_GROUP, "kind": "Gateway", "name": "gw"}
    obj["status"] = {"parents": [{"parentRef": parent_ref, "conditions": conditions}]}
    return obj


def shared_inventory() -> Inventory:
    """Three routes on one Gateway and one pool; the pool names no endpoint picker and has no
    status for the Gateway; the middle route is not accepted there."""
    inv = Inventory(None, pool_groups=(POOLS_V1.group,))
    for obj in (route_on("a", "True"), route_on("b", "False"), route_on("c", "True")):
        summary, info, accepted = reduce_route(obj)
        assert info is not None
        inv.routes.append(info)
        if accepted:
            inv.competitors.append(summary)
    view = gateway_view(gateway("gw", "llm"))
    inv.gateways[view.ref] = view
    pool = reduce_pool(pool_v1("p", "llm", epp=None), POOLS_V1)
    inv.pools[(pool.group, pool.ref)] = pool
    return inv


def test_routes_sharing_a_pool_each_get_its_findings_for_their_own_acceptance() -> None:
    by_route = {d.route.ref.name: d for d in diagnose_all(shared_inventory())}
    no_picker = "the pool names no endpoint picker (spec.endpointPickerRef is missing)"
    no_status = "the pool has no status for Gateway llm/gw"
    for name in ("a", "b", "c"):
        messages = [f.message for f in by_route[name].findings]
        assert no_picker in messages
        # only a route the Gateway accepted expects the pool to be taken as its backend
        assert any(m.startswith(no_status) for m in messages) == (name != "b")


def test_diagnosing_all_routes_gives_each_what_diagnosing_it_alone_gives() -> None:
    inv = shared_inventory()
    shadowed = shadowed_routes(inv.competitors)  # c has a's match, and a comes first
    assert list(shadowed) == [ObjectRef("llm", "c")]
    alone = [diagnose_route(r, inv, shadowed.get(r.ref)) for r in inv.routes]
    assert diagnose_all(inv) == alone
