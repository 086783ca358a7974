"""Gateway API route precedence: who takes the traffic, and when a route is shadowed."""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest
from fakekube.objects import httproute
from hypothesis import given
from hypothesis import strategies as st

from kubectl_httproute.core.model import ObjectRef
from kubectl_httproute.core.precedence import (
    MatchKey,
    find_shadowing,
    hostnames_intersect,
    hostnames_overlap,
    shadowed_routes,
    summarize_route,
)
from kubectl_httproute.core.preflight import listener_refusal


def route(
    name: str,
    created: str = "2025-01-01T00:00:00Z",
    *,
    namespace: str = "llm",
    matches: list[dict[str, Any]] | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    obj = httproute(name, namespace, **kwargs)
    obj["metadata"]["creationTimestamp"] = created
    if matches is not None:
        obj["spec"]["rules"][0]["matches"] = matches
    return obj


def summaries(*objs: dict[str, Any]) -> list[Any]:
    return [summarize_route(o) for o in objs]


def test_summarize_reads_parents_matches_and_pools() -> None:
    obj = route(
        "r",
        hostnames=["LLM.example.com"],
        section_name="http",
        matches=[
            {
                "path": {"type": "PathPrefix", "value": "/v1/"},
                "method": "POST",
                "headers": [{"name": "X-Model", "value": "qwen"}],
            }
        ],
    )
    s = summarize_route(obj)
    assert s.ref == ObjectRef("llm", "r")
    assert s.hostnames == ("llm.example.com",)
    assert s.parents == (("llm", "inference-gateway", "http"),)
    assert s.matches == (
        MatchKey("PathPrefix", "/v1", "POST", 1, 0, (("Exact", "x-model", "qwen"),), ()),
    )
    assert s.pools == (("inference.networking.k8s.io", "llm", "qwen-pool", 1),)


def test_a_rule_without_matches_is_path_prefix_root() -> None:
    obj = route("r")
    del obj["spec"]["rules"][0]["matches"]
    assert summarize_route(obj).matches == (MatchKey("PathPrefix", "/", None, 0, 0),)


@pytest.mark.parametrize(
    ("listener_host", "route_host", "intersect"),
    [
        ("llm.example.com", "llm.example.com", True),
        ("llm.example.com", "other.example.com", False),
        ("*.example.com", "llm.example.com", True),
        ("*.example.com", "a.b.example.com", True),
        ("*.example.com", "example.com", False),
        ("llm.example.com", "*.example.com", True),
        ("*.example.com", "*.b.example.com", True),
        ("*.example.com", "*.example.org", False),
        ("LLM.example.com", "llm.example.com", True),
        ("*.example.com", "llm.xexample.com", False),
        ("*.b.example.com", "*.example.com", True),
    ],
)
def test_hostnames_intersect_like_gateway_api(
    listener_host: str, route_host: str, intersect: bool
) -> None:
    assert hostnames_intersect(listener_host, route_host) is intersect


# Hostnames over two labels, so that hypothesis meets shared suffixes often: precise ones of one
# to four labels, wildcards over one to three.
LABELS = ("a", "b")
_precise = st.lists(st.sampled_from(LABELS), min_size=1, max_size=4).map(".".join)
_wildcard = st.lists(st.sampled_from(LABELS), min_size=1, max_size=3).map(
    lambda labels: "*." + ".".join(labels)
)
_hostname = st.one_of(_precise, _wildcard)
# Every request host hostnames like those can match: one to five labels.
REQUEST_HOSTS = [
    ".".join(labels) for n in range(1, 6) for labels in itertools.product(LABELS, repeat=n)
]


def _matches(hostname: str, host: str) -> bool:
    """The Gateway API rule, read literally: a wildcard label stands for one or more labels."""
    if hostname.startswith("*."):
        return host.endswith(hostname[1:])
    return host == hostname


@given(_hostname, _hostname, st.booleans())
def test_two_hostnames_intersect_when_some_request_host_matches_both(
    a: str, b: str, shout: bool
) -> None:
    expected = any(_matches(a, h) and _matches(b, h) for h in REQUEST_HOSTS)
    assert hostnames_intersect(a.upper() if shout else a, b) is expected
    assert hostnames_intersect(b, a) is expected


@given(st.lists(_hostname, max_size=3), st.lists(_hostname, max_size=3))
def test_hostname_lists_overlap_when_a_pair_intersects_or_either_means_any_host(
    a: list[str], b: list[str]
) -> None:
    expected = not a or not b or any(hostnames_intersect(x, y) for x in a for y in b)
    assert hostnames_overlap(tuple(a), tuple(b)) is expected
    assert hostnames_overlap(tuple(b), tuple(a)) is expected


@given(_hostname, st.lists(_hostname, min_size=1, max_size=3))
def test_a_listener_hostname_refuses_a_route_exactly_when_it_meets_none_of_its_hostnames(
    listener_host: str, hostnames: list[str]
) -> None:
    why = listener_refusal(
        {"name": "http", "protocol": "HTTP", "hostname": listener_host},
        gateway_namespace="llm",
        route_namespace="llm",
        namespace_labels={},
        hostnames=hostnames,
    )
    meets = any(hostnames_intersect(listener_host, h) for h in hostnames)
    assert (why is None) is meets
    if why is not None:
        assert why == f"its hostname {listener_host} matches none of " + ", ".join(hostnames)


def test_hostnames_overlap_per_gateway_api_wildcards() -> None:
    assert hostnames_overlap((), ("a.example.com",))
    assert hostnames_overlap(("*.example.com",), ("a.example.com",))
    assert hostnames_overlap(("*.example.com",), ("a.b.example.com",))
    assert not hostnames_overlap(("*.example.com",), ("example.com",))
    assert hostnames_overlap(("*.example.com",), ("*.b.example.com",))
    assert not hostnames_overlap(("a.example.com",), ("b.example.com",))


def test_the_older_of_two_identical_routes_takes_all_traffic() -> None:
    found = shadowed_routes(summaries(route("new", "2025-02-01T00:00:00Z"), route("old")))
    assert list(found) == [ObjectRef("llm", "new")]
    shadow = found[ObjectRef("llm", "new")]
    assert shadow.winner == ObjectRef("llm", "old")
    assert shadow.gateway == "llm/inference-gateway"
    assert "it is older" in shadow.detail


def test_a_tie_in_age_goes_to_namespace_then_name() -> None:
    found = shadowed_routes(
        summaries(route("b"), route("a"), route("a", namespace="aaa", gateway_namespace="llm"))
    )
    assert found[ObjectRef("llm", "b")].winner == ObjectRef("aaa", "a")
    assert found[ObjectRef("llm", "a")].winner == ObjectRef("aaa", "a")
    assert "comes first by namespace/name" in found[ObjectRef("llm", "b")].detail


def test_a_more_specific_match_is_never_shadowed_by_a_general_one() -> None:
    general = route("general")
    specific = route(
        "specific",
        "2026-01-01T00:00:00Z",
        matches=[{"path": {"type": "PathPrefix", "value": "/v1"}}],
    )
    exact = route(
        "exact", "2026-01-01T00:00:00Z", matches=[{"path": {"type": "Exact", "value": "/"}}]
    )
    header = route(
        "header",
        "2026-01-01T00:00:00Z",
        matches=[
            {"path": {"type": "PathPrefix", "value": "/"}, "headers": [{"name": "x", "value": "1"}]}
        ],
    )
    assert shadowed_routes(summaries(general, specific, exact, header)) == {}


def test_trailing_slash_does_not_make_a_prefix_different() -> None:
    a = route("a", matches=[{"path": {"type": "PathPrefix", "value": "/v1"}}])
    b = route(
        "b", "2026-01-01T00:00:00Z", matches=[{"path": {"type": "PathPrefix", "value": "/v1/"}}]
    )
    assert ObjectRef("llm", "b") in shadowed_routes(summaries(a, b))


def test_different_hostnames_or_gateways_do_not_compete() -> None:
    a = route("a", hostnames=["a.example.com"])
    b = route("b", "2026-01-01T00:00:00Z", hostnames=["b.example.com"])
    c = route("c", "2026-01-01T00:00:00Z", gateway="other-gateway")
    assert shadowed_routes(summaries(a, b, c)) == {}


def test_a_route_on_one_listener_is_taken_by_a_route_on_all_listeners_not_the_reverse() -> None:
    all_listeners = route("all")
    one_listener = route("one", "2024-01-01T00:00:00Z", section_name="http")
    older_all = route("older-all", "2023-01-01T00:00:00Z")
    found = shadowed_routes(summaries(all_listeners, one_listener))
    assert found == {}  # "one" is older; "all" still serves other listeners
    found = shadowed_routes(summaries(older_all, one_listener))
    assert found[ObjectRef("llm", "one")].winner == ObjectRef("llm", "older-all")


def test_a_route_is_shadowed_only_when_every_match_and_hostname_is_taken() -> None:
    old = route("old", hostnames=["a.example.com"])
    new = route("new", "2026-01-01T00:00:00Z", hostnames=["a.example.com", "b.example.com"])
    assert shadowed_routes(summaries(old, new)) == {}
    also_b = route("also-b", hostnames=["b.example.com"])
    found = shadowed_routes(summaries(old, new, also_b))
    assert found[ObjectRef("llm", "new")].winner in (
        ObjectRef("llm", "old"),
        ObjectRef("llm", "also-b"),
    )
    assert "also taken by" in found[ObjectRef("llm", "new")].detail


def test_regular_expression_paths_are_never_judged() -> None:
    regex = [{"path": {"type": "RegularExpression", "value": "/v[0-9]+"}}]
    a = route("a", matches=regex)
    b = route("b", "2026-01-01T00:00:00Z", matches=regex)
    assert shadowed_routes(summaries(a, b)) == {}


def test_find_shadowing_for_a_new_route_names_the_route_that_wins() -> None:
    existing = summarize_route(route("existing"))
    new = route("new")
    del new["metadata"]["creationTimestamp"]  # not created yet: the newest of all
    found = find_shadowing(summarize_route(new), [existing])
    assert [(s.winner, s.loser) for s in found] == [
        (ObjectRef("llm", "existing"), ObjectRef("llm", "new"))
    ]
    assert "already exists" in found[0].detail


def test_find_shadowing_reports_routes_the_new_one_would_take_over() -> None:
    younger = summarize_route(route("younger", "2026-01-01T00:00:00Z"))
    mine = summarize_route(route("mine", "2025-01-01T00:00:00Z"))
    found = find_shadowing(mine, [younger])
    assert [(s.winner, s.loser) for s in found] == [(mine.ref, younger.ref)]


def test_shadowing_is_linear_in_the_number_of_routes() -> None:
    def build(n: int) -> list[Any]:
        return [
            summarize_route(
                route(
                    f"r{i:05d}",
                    f"2025-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z",
                    hostnames=[f"h{i % 50}.example.com"],
                )
            )
            for i in range(n)
        ]

    small, large = build(1000), build(20000)
    started = time.perf_counter()
    shadowed_routes(small)
    t_small = time.perf_counter() - started
    started = time.perf_counter()
    result = shadowed_routes(large)
    t_large = time.perf_counter() - started
    assert len(result) == 20000 - 50  # the oldest route of each hostname wins
    assert t_large < max(t_small, 0.01) * 60  # 20x the routes, far from 400x
