"""`status ROUTE` ends each object with its newest Events, as `kubectl describe` does: the
route's, each Gateway's and each pool's, read with one request per kind at most."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fakekube import FakeCluster
from fakekube.objects import event, httproute
from golden import assert_golden
from status_helpers import freeze_times, route_report, running, status
from test_status_cli import view_text

from kubectl_httproute.core.events import EventSummary, event_age, recent, reduce_event

GW = "gateway.networking.k8s.io/v1"
POOL = "inference.networking.k8s.io/v1"


@pytest.fixture(autouse=True)
def ascii_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    # The tree at the top of the detail view: plain ASCII whatever the terminal (goldens).
    monkeypatch.setenv("NO_COLOR", "1")


def route_uid(cluster: FakeCluster, name: str = "qwen-pool") -> str:
    obj = cluster.get(GW, "HTTPRoute", "llm", name)
    assert obj is not None
    return str(obj["metadata"]["uid"])


def seed_events(cluster: FakeCluster) -> None:
    """A Warning repeated four times and a Normal about the route, one about its Gateway, one
    about its pool, and events about others that must not show."""
    uid = route_uid(cluster)
    for obj in (
        event(
            "qwen-pool.1", "llm", (GW, "HTTPRoute", "qwen-pool"), "Accepted",
            "Route accepted by inference-gateway", first="2025-06-01T12:00:00Z", uid=uid,
        ),
        event(
            "qwen-pool.2", "llm", (GW, "HTTPRoute", "qwen-pool"), "BackendNotReady",
            "no ready endpoints for   qwen-pool\n(yet)", type_="Warning", count=4,
            first="2025-06-01T11:55:00Z", last="2025-06-01T12:04:30Z", uid=uid,
        ),
        event(
            "qwen-pool.old", "llm", (GW, "HTTPRoute", "qwen-pool"), "Deleted",
            "an earlier route of the same name", uid="0000-earlier",
        ),
        event(
            "inference-gateway.1", "llm", (GW, "Gateway", "inference-gateway"), "Programmed",
            "Address 127.0.0.1 assigned", first="2025-06-01T11:59:00Z",
        ),
        event(
            "other-gateway.1", "llm", (GW, "Gateway", "other-gateway"), "Programmed",
            "not this route's Gateway",
        ),
        event(
            "qwen-pool-ip.1", "llm", (POOL, "InferencePool", "qwen-pool"), "EndpointPickerFound",
            "qwen-pool-epp:9002", first="2025-06-01T12:01:00Z", component="",
        ),
    ):  # fmt: skip
        cluster.add(obj)
    # The new recorder (events.k8s.io/v1) fills reportingComponent, not source: describe's From.
    pool_event = cluster.get("v1", "Event", "llm", "qwen-pool-ip.1")
    assert pool_event is not None
    pool_event["reportingComponent"] = "epp"
    cluster.add(pool_event)


def test_detail_lists_the_events_of_the_route_its_gateway_and_its_pool() -> None:
    with running(httproute(hostnames=["llm.example.com"])) as cluster:
        freeze_times(cluster)
        seed_events(cluster)
        text = view_text(cluster, "qwen-pool")
    assert_golden("status/detail_events.txt", text)
    # A repeated event's Age as describe prints it; its message on one line.
    assert "BackendNotReady  30s (x4 over 10m)" in text
    assert "no ready endpoints for qwen-pool (yet)" in text
    assert "an earlier route of the same name" not in text
    assert "not this route's Gateway" not in text


def test_events_are_listed_newest_last_and_only_the_newest_ten() -> None:
    with running(httproute()) as cluster:
        uid = route_uid(cluster)
        for minute in range(12):  # seeded out of order
            when = f"2025-06-01T12:{(minute * 7) % 12:02d}:00Z"
            about = (GW, "HTTPRoute", "qwen-pool")
            seeded = event(f"e{minute}", "llm", about, "Synced", f"at {when}", first=when, uid=uid)
            cluster.add(seeded)
        events = route_report(cluster, "qwen-pool")["events"]
    assert [e["message"] for e in events] == [
        f"at 2025-06-01T12:{minute:02d}:00Z" for minute in range(2, 12)
    ]


def test_the_json_report_of_one_route_carries_its_events() -> None:
    with running(httproute()) as cluster:
        seed_events(cluster)
        entry = route_report(cluster, "qwen-pool")
    assert [(e["object"]["kind"], e["reason"]) for e in entry["events"]] == [
        ("Gateway", "Programmed"),  # last seen 11:59
        ("HTTPRoute", "Accepted"),  # 12:00
        ("InferencePool", "EndpointPickerFound"),  # 12:01
        ("HTTPRoute", "BackendNotReady"),  # 12:04:30: newest last
    ]
    repeated = entry["events"][-1]
    assert repeated == {
        "object": {"kind": "HTTPRoute", "namespace": "llm", "name": "qwen-pool"},
        "type": "Warning",
        "reason": "BackendNotReady",
        "count": 4,
        "firstTimestamp": "2025-06-01T11:55:00Z",
        "lastTimestamp": "2025-06-01T12:04:30Z",
        "from": "example.com/gateway-controller",
        "message": "no ready endpoints for qwen-pool (yet)",
    }


def test_the_overview_report_has_no_events() -> None:
    with running(httproute()) as cluster:
        seed_events(cluster)
        result = status(cluster, "-o", "json")
    assert "events" not in json.loads(result.stdout)["routes"][0]


def test_events_that_may_not_be_read_are_a_note_not_a_failure() -> None:
    with running(httproute()) as cluster:
        seed_events(cluster)
        cluster.deny("admin", "list", "", "events")
        result = status(cluster, "qwen-pool")
        data = json.loads(status(cluster, "qwen-pool", "-o", "json").stdout)
    assert result.exit_code == 0, result.output
    assert "Verdict: Ready" in result.stdout
    assert result.stdout.count("Events: not read") == 3  # the route, its Gateway, its pool
    assert result.stdout.count("could not read events in namespace llm: forbidden") == 1
    assert data["routes"][0]["events"] == []
    assert data["unreadable"] == [{"kind": "events", "namespace": "llm", "reason": "forbidden"}]


def test_a_route_whose_objects_had_no_events_says_none() -> None:
    with running(httproute()) as cluster:
        text = status(cluster, "qwen-pool").stdout
    assert text.count("Events: <none>") == 3


def test_gateways_in_several_namespaces_are_one_list_in_every_namespace() -> None:
    from fakekube.objects import gateway, namespace

    route = httproute()
    route["spec"]["parentRefs"].append(
        {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "edge",
         "namespace": "infra"}
    )  # fmt: skip
    with running(namespace("infra"), gateway("edge", "infra", "example"), route) as cluster:
        cluster.add(
            event("edge.1", "infra", (GW, "Gateway", "edge"), "Programmed", "edge is programmed")
        )
        cluster.clear_requests()
        text = status(cluster, "qwen-pool").stdout
        lists = [r for r in cluster.requests if r.path.endswith("/events")]
    assert "edge is programmed" in text
    selectors = {r.path: r.query.get("fieldSelector") for r in lists}
    assert selectors["/api/v1/events"] == ["involvedObject.kind=Gateway"]
    assert len(lists) == 3


# --- the fake API server serves events as kube-apiserver does ------------------------------------


def test_the_fake_server_rejects_an_unknown_event_field_like_the_real_one() -> None:
    import urllib.error
    import urllib.request

    with running(controller=False) as cluster:
        cluster.anonymous_user = "admin"
        url = f"{cluster.url}/api/v1/namespaces/llm/events?fieldSelector=spec.nodeName%3Dx"
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(url, timeout=10)
    assert caught.value.code == 400
    assert "field label not supported" in json.loads(caught.value.read())["message"]


# --- the reducer ---------------------------------------------------------------------------------


def summary(**changes: Any) -> EventSummary:
    base = EventSummary(
        "HTTPRoute", "llm", "r", "Normal", "Synced", "m", "c", 1, "2025-06-01T12:00:00Z", ""
    )
    return base._replace(**changes)


def test_an_event_written_by_the_new_recorder_counts_its_series() -> None:
    # events.k8s.io/v1 writers fill eventTime, series and reportingComponent (core's names).
    obj = {
        "involvedObject": {"kind": "Gateway", "namespace": "llm", "name": "gw"},
        "eventTime": "2025-06-01T12:00:00.123456Z",
        "series": {"count": 3, "lastObservedTime": "2025-06-01T12:04:00.000001Z"},
        "reportingComponent": "gateway-controller",
        "type": "Warning",
        "reason": "Invalid",
        "message": "  listener https has no certificate  ",
    }
    reduced = reduce_event(obj)
    assert (reduced.times, reduced.source, reduced.message) == (
        3,
        "gateway-controller",
        "listener https has no certificate",
    )
    from datetime import datetime, timezone

    now = datetime(2025, 6, 1, 12, 5, tzinfo=timezone.utc)
    assert event_age(reduced, now) == "59s (x3 over 4m59s)"


def test_an_event_without_times_has_an_unknown_age_and_sorts_first() -> None:
    from datetime import datetime, timezone

    now = datetime(2025, 6, 1, 12, 5, tzinfo=timezone.utc)
    timeless = summary(first="", last="", reason="Old")
    assert event_age(timeless, now) == "<unknown>"
    assert [e.reason for e in recent([summary(), timeless])] == ["Old", "Synced"]


# --- the tree at the top -------------------------------------------------------------------------


def test_the_detail_view_opens_with_the_traffic_tree_of_its_route() -> None:
    with running(httproute(), httproute("other", pool="nope")) as cluster:
        text = status(cluster, "qwen-pool").stdout
        tree = status(cluster, "qwen-pool", "-o", "tree").stdout
    head = text.split("\n\nHTTPRoute llm/qwen-pool\n")[0] + "\n"
    assert head == tree  # the same tree as -o tree, before any table
    assert "HTTPRoute llm/other" not in head


def test_the_tree_at_the_top_is_unicode_on_a_utf8_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    with running(httproute()) as cluster:
        text = view_text(cluster, "qwen-pool")
    assert text.startswith("✓ Gateway llm/inference-gateway")
    assert "└── ✓ HTTPRoute llm/qwen-pool" in text


def test_the_controller_simulator_records_events_a_route_then_shows() -> None:
    with running(httproute(), sim={"record_events": True}) as cluster:
        text = status(cluster, "qwen-pool").stdout
        entry = route_report(cluster, "qwen-pool")
    kinds = {(e["object"]["kind"], e["reason"]) for e in entry["events"]}
    assert {("HTTPRoute", "Accepted"), ("Gateway", "Programmed")} <= kinds
    assert ("InferencePool", "Accepted") in kinds
    assert all(e["from"] == "example.com/gateway-controller" for e in entry["events"])
    assert "Normal  Accepted" in text
