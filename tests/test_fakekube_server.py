"""The fake API server answers like kube-apiserver: discovery, CRUD, SSA, validation, errors."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
import urllib3
import yaml
from fakekube import FakeCluster, objects
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

GW = "gateway.networking.k8s.io"
ROUTES = f"/apis/{GW}/v1/namespaces/llm/httproutes"
HTTP = urllib3.PoolManager(retries=False, timeout=5)


@pytest.fixture
def cluster():
    with FakeCluster() as c:
        objects.standard_cluster(c)
        yield c


def api_client(cluster: FakeCluster, token: str = "admin-token") -> client.ApiClient:
    cfg = client.Configuration()
    cfg.host = cluster.url
    cfg.api_key = {"authorization": f"Bearer {token}"}
    return client.ApiClient(cfg)


def call(
    cluster: FakeCluster,
    method: str,
    path: str,
    body: Any = None,
    ctype: str = "application/json",
    token: str | None = "admin-token",
) -> tuple[int, Any, urllib3.HTTPHeaderDict]:
    headers = {"Content-Type": ctype, "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
    resp = HTTP.request(method, cluster.url + path, body=data, headers=headers)
    payload = json.loads(resp.data) if resp.data else None
    return resp.status, payload, resp.headers


def apply(
    cluster: FakeCluster,
    obj: dict[str, Any],
    query: str = "fieldManager=me",
    token: str = "admin-token",
) -> tuple[int, Any, urllib3.HTTPHeaderDict]:
    name = obj["metadata"]["name"]
    return call(
        cluster,
        "PATCH",
        f"{ROUTES}/{name}?{query}",
        yaml.safe_dump(obj),
        "application/apply-patch+yaml",
        token,
    )


# ---------------------------------------------------------------- discovery


@pytest.mark.parametrize(
    "groups",
    [
        (),
        ("inference.networking.k8s.io",),
        ("inference.networking.x-k8s.io",),
        ("inference.networking.k8s.io", "inference.networking.x-k8s.io"),
    ],
)
def test_discovery_lists_only_served_pool_groups(groups):
    with FakeCluster(pool_groups=groups) as c:
        apis = client.ApisApi(api_client(c)).get_api_versions()
        names = {g.name for g in apis.groups}
        assert names == {"authorization.k8s.io", GW, *groups}
        for group in groups:
            version = "v1" if group == "inference.networking.k8s.io" else "v1alpha2"
            status, body, _ = call(c, "GET", f"/apis/{group}/{version}")
            assert status == 200
            pools = next(r for r in body["resources"] if r["name"] == "inferencepools")
            assert pools["shortNames"] == ["infpool"] and pools["namespaced"]
            assert any(r["name"] == "inferencepools/status" for r in body["resources"])


def test_unserved_group_answers_kube_404_status():
    with FakeCluster(pool_groups=(), gateway_api=False) as c:
        status, body, headers = call(c, "GET", f"/apis/{GW}/v1")
        assert status == 404
        assert body == {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": "the server could not find the requested resource",
            "reason": "NotFound",
            "details": {},
            "code": 404,
        }
        assert headers["Content-Type"] == "application/json"
        assert GW not in {g.name for g in client.ApisApi(api_client(c)).get_api_versions().groups}


def test_version_and_core_discovery(cluster):
    assert client.VersionApi(api_client(cluster)).get_code().git_version == "v1.33.0"
    status, body, _ = call(cluster, "GET", "/api/v1")
    assert status == 200 and {"namespaces", "services", "pods"} <= {
        r["name"] for r in body["resources"]
    }
    status, body, _ = call(cluster, "GET", f"/apis/{GW}/v1beta1")
    assert [r["name"] for r in body["resources"]] == ["referencegrants"]


# ---------------------------------------------------------------- CRUD and lists


def test_crud_with_the_official_client(cluster):
    api = client.CustomObjectsApi(api_client(cluster))
    route = objects.httproute("r1")
    created = api.create_namespaced_custom_object(GW, "v1", "llm", "httproutes", route)
    meta = created["metadata"]
    assert meta["generation"] == 1 and meta["uid"] and meta["creationTimestamp"].endswith("Z")
    assert created["spec"]["rules"][0]["backendRefs"][0]["weight"] == 1
    with pytest.raises(ApiException) as err:
        api.create_namespaced_custom_object(GW, "v1", "llm", "httproutes", route)
    assert err.value.status == 409
    assert json.loads(err.value.body)["reason"] == "AlreadyExists"
    got = api.get_namespaced_custom_object(GW, "v1", "llm", "httproutes", "r1")
    got["spec"]["hostnames"] = ["a.example.com"]
    updated = api.replace_namespaced_custom_object(GW, "v1", "llm", "httproutes", "r1", got)
    assert updated["metadata"]["generation"] == 2
    got["metadata"]["resourceVersion"] = meta["resourceVersion"]
    with pytest.raises(ApiException) as err:
        api.replace_namespaced_custom_object(GW, "v1", "llm", "httproutes", "r1", got)
    assert err.value.status == 409 and "the object has been modified" in err.value.body
    api.delete_namespaced_custom_object(GW, "v1", "llm", "httproutes", "r1")
    with pytest.raises(ApiException) as err:
        api.get_namespaced_custom_object(GW, "v1", "llm", "httproutes", "r1")
    body = json.loads(err.value.body)
    assert body["message"] == 'httproutes.gateway.networking.k8s.io "r1" not found'
    assert body["details"] == {"name": "r1", "group": GW, "kind": "httproutes"}


def test_core_objects_and_missing_namespace(cluster):
    core = client.CoreV1Api(api_client(cluster))
    assert [n.metadata.name for n in core.list_namespace().items] == ["llm"]
    assert core.read_namespaced_service("qwen-pool-epp", "llm").spec.ports[0].port == 9002
    status, body, _ = call(
        cluster, "POST", f"/apis/{GW}/v1/namespaces/nope/httproutes", objects.httproute("r", "nope")
    )
    assert status == 404 and body["message"] == 'namespaces "nope" not found'
    status, body, _ = apply(
        cluster, objects.httproute("r", "nope") | {}, "fieldManager=me"
    )  # namespace from the path (llm) exists
    assert status == 400 and "namespace" in body["message"]


def test_list_paging_selectors_and_all_namespaces(cluster):
    cluster.add(objects.namespace("other"))
    for i in range(5):
        cluster.add(objects.httproute(f"r{i}", labels={"tier": "a" if i % 2 else "b"}))
    cluster.add(objects.httproute("x", "other", labels={"tier": "c"}))
    api = client.CustomObjectsApi(api_client(cluster))
    page = api.list_namespaced_custom_object(GW, "v1", "llm", "httproutes", limit=2)
    names = [i["metadata"]["name"] for i in page["items"]]
    assert page["kind"] == "HTTPRouteList" and page["metadata"]["remainingItemCount"] == 3
    assert all(i["kind"] == "HTTPRoute" for i in page["items"])
    while page["metadata"].get("continue"):
        page = api.list_namespaced_custom_object(
            GW, "v1", "llm", "httproutes", limit=2, _continue=page["metadata"]["continue"]
        )
        names += [i["metadata"]["name"] for i in page["items"]]
    assert names == ["r0", "r1", "r2", "r3", "r4"]
    sel = api.list_namespaced_custom_object(GW, "v1", "llm", "httproutes", label_selector="tier=a")
    assert [i["metadata"]["name"] for i in sel["items"]] == ["r1", "r3"]
    every = api.list_cluster_custom_object(GW, "v1", "httproutes", label_selector="tier in (a, c)")
    assert [i["metadata"]["name"] for i in every["items"]] == ["r1", "r3", "x"]
    fields = api.list_cluster_custom_object(
        GW, "v1", "httproutes", field_selector="metadata.namespace=other"
    )
    assert [i["metadata"]["name"] for i in fields["items"]] == ["x"]


# ---------------------------------------------------------------- server-side apply


def test_apply_creates_201_then_updates_200_and_bumps_generation_on_spec_only(cluster):
    route = objects.httproute(labels={"app.kubernetes.io/managed-by": "kubectl-inferroute"})
    status, body, _ = apply(cluster, route)
    assert status == 201 and body["metadata"]["generation"] == 1
    (entry,) = body["metadata"]["managedFields"]
    assert entry["manager"] == "me" and entry["operation"] == "Apply"
    assert entry["fieldsType"] == "FieldsV1" and entry["apiVersion"] == f"{GW}/v1"
    assert "f:rules" in entry["fieldsV1"]["f:spec"]
    assert "f:app.kubernetes.io/managed-by" in entry["fieldsV1"]["f:metadata"]["f:labels"]
    status, again, _ = apply(cluster, route)
    assert (
        status == 200
        and again["metadata"]["resourceVersion"] == (body["metadata"]["resourceVersion"])
    )
    route["metadata"]["labels"]["extra"] = "1"
    status, labelled, _ = apply(cluster, route)
    assert labelled["metadata"]["generation"] == 1
    route["spec"]["hostnames"] = ["chat.example.com"]
    status, changed, _ = apply(cluster, route)
    assert changed["metadata"]["generation"] == 2
    del route["spec"]["hostnames"]
    status, dropped, _ = apply(cluster, route)
    assert "hostnames" not in dropped["spec"] and dropped["metadata"]["generation"] == 3
    cluster.set_status(f"{GW}/v1", "httproutes", "llm", "qwen-pool", {"parents": []})
    assert cluster.get(f"{GW}/v1", "HTTPRoute", "llm", "qwen-pool")["metadata"]["generation"] == 3


def test_apply_requires_field_manager(cluster):
    status, body, _ = apply(cluster, objects.httproute(), query="")
    assert status == 400 and body["reason"] == "BadRequest"
    assert "fieldManager is required" in body["message"]


def test_dry_run_all_persists_nothing(cluster):
    before, rv = cluster.snapshot(), cluster.store.rv
    status, body, _ = apply(cluster, objects.httproute(), "fieldManager=me&dryRun=All")
    assert status == 201 and body["metadata"]["uid"] and body["metadata"]["generation"] == 1
    assert body["metadata"]["managedFields"][0]["manager"] == "me"
    status, _, _ = call(cluster, "POST", f"{ROUTES}?dryRun=All", objects.httproute("r2"))
    assert status == 201
    status, _, _ = call(
        cluster,
        "DELETE",
        "/apis/inference.networking.k8s.io/v1/namespaces/llm/inferencepools/qwen-pool?dryRun=All",
    )
    assert status == 200
    assert cluster.snapshot() == before and cluster.store.rv == rv
    status, body, _ = apply(cluster, objects.httproute(), "fieldManager=me&dryRun=Yes")
    assert status == 422 and 'Unsupported value: "Yes"' in body["message"]


def test_a_dry_run_in_the_delete_options_body_deletes_nothing(cluster):
    # kubectl delete --dry-run=server sends DeleteOptions in the body, not ?dryRun=All.
    before = cluster.snapshot()
    pool = "/apis/inference.networking.k8s.io/v1/namespaces/llm/inferencepools/qwen-pool"
    options = {"kind": "DeleteOptions", "apiVersion": "v1", "dryRun": ["All"]}
    status, body, _ = call(cluster, "DELETE", pool, options)
    assert status == 200 and body["metadata"]["name"] == "qwen-pool"
    assert cluster.snapshot() == before
    status, _, _ = call(cluster, "DELETE", pool, {**options, "dryRun": ["Yes"]})
    assert status == 422
    assert cluster.snapshot() == before


def test_finalizers_hold_a_deleted_object_marked_for_deletion(cluster):
    route = objects.httproute("held")
    route["metadata"]["finalizers"] = ["example.com/cleanup"]
    cluster.add(route)
    status, body, _ = call(cluster, "DELETE", f"{ROUTES}/held")
    assert status == 200 and body["metadata"]["deletionTimestamp"]
    stored = cluster.get(f"{GW}/v1", "httproutes", "llm", "held")
    assert stored["metadata"]["deletionTimestamp"] == body["metadata"]["deletionTimestamp"]
    status, again, _ = call(cluster, "DELETE", f"{ROUTES}/held")  # a second delete changes nothing
    assert (
        status == 200
        and again["metadata"]["resourceVersion"] == stored["metadata"]["resourceVersion"]
    )


def test_apply_conflict_with_another_manager_and_force(cluster):
    api = client.CustomObjectsApi(api_client(cluster))
    route = objects.httproute()
    status, _, _ = call(cluster, "POST", f"{ROUTES}?fieldManager=kubectl-client-side-apply", route)
    assert status == 201
    route["spec"]["rules"][0]["backendRefs"][0]["name"] = "other-pool"
    status, body, _ = apply(cluster, route, "fieldManager=kubectl-inferroute")
    assert status == 409 and body["reason"] == "Conflict"
    assert body["message"] == (
        "Apply failed with 1 conflict: conflict with "
        f'"kubectl-client-side-apply" using {GW}/v1: .spec.rules'
    )
    assert body["details"]["causes"] == [
        {
            "reason": "FieldManagerConflict",
            "field": ".spec.rules",
            "message": f'conflict with "kubectl-client-side-apply" using {GW}/v1',
        }
    ]
    status, body, _ = apply(cluster, route, "fieldManager=kubectl-inferroute&force=true")
    assert status == 200
    managers = {e["manager"]: e for e in body["metadata"]["managedFields"]}
    assert "f:rules" in managers["kubectl-inferroute"]["fieldsV1"]["f:spec"]
    assert "f:rules" not in managers["kubectl-client-side-apply"]["fieldsV1"]["f:spec"]
    got = api.get_namespaced_custom_object(GW, "v1", "llm", "httproutes", "qwen-pool")
    assert got["spec"]["rules"][0]["backendRefs"][0]["name"] == "other-pool"


def test_apply_same_values_owned_by_another_manager_do_not_conflict(cluster):
    route = objects.httproute()
    call(cluster, "POST", f"{ROUTES}?fieldManager=other", route)
    status, _, _ = apply(cluster, route, "fieldManager=me")
    assert status == 200


# ---------------------------------------------------------------- field validation


def test_strict_rejects_timeouts_at_spec_and_accepts_rule_timeouts(cluster):
    bad = objects.httproute()
    bad["spec"]["timeouts"] = {"request": "0s"}
    status, body, _ = call(cluster, "POST", f"{ROUTES}?fieldValidation=Strict", bad)
    assert status == 400 and body["reason"] == "BadRequest"
    assert body["message"] == 'strict decoding error: unknown field "spec.timeouts"'
    status, body, headers = call(cluster, "POST", f"{ROUTES}?fieldValidation=Warn", bad)
    assert status == 201 and "timeouts" not in body["spec"]
    assert headers.get("Warning") == '299 - "unknown field \\"spec.timeouts\\""' or (
        "unknown field" in headers.get("Warning", "")
    )
    good = objects.httproute("ok", timeouts={"request": "0s", "backendRequest": "0s"})
    status, body, _ = call(cluster, "POST", f"{ROUTES}?fieldValidation=Strict", good)
    assert status == 201 and body["spec"]["rules"][0]["timeouts"]["request"] == "0s"


def test_ignore_drops_unknown_fields_silently(cluster):
    bad = objects.httproute()
    bad["spec"]["timeouts"] = {"request": "0s"}
    status, body, headers = call(cluster, "POST", f"{ROUTES}?fieldValidation=Ignore", bad)
    assert status == 201 and "timeouts" not in body["spec"] and "Warning" not in headers


def test_apply_with_unknown_field_fails_like_kube(cluster):
    bad = objects.httproute()
    bad["spec"]["timeouts"] = {"request": "0s"}
    status, body, _ = apply(cluster, bad, "fieldManager=me&fieldValidation=Strict")
    assert status == 500
    assert body["message"] == (
        f"failed to create typed patch object (llm/qwen-pool; {GW}/v1, "
        "Kind=HTTPRoute): .spec.timeouts: field not declared in schema"
    )


def test_cel_timeouts_rule_answers_422_with_causes(cluster):
    route = objects.httproute("qwen", timeouts={"request": "10s", "backendRequest": "20s"})
    status, body, _ = apply(cluster, route)
    assert status == 422 and body["reason"] == "Invalid"
    assert body["message"] == (
        'HTTPRoute.gateway.networking.k8s.io "qwen" is invalid: spec.rules[0].timeouts: '
        'Invalid value: "object": backendRequest timeout cannot be longer than request timeout'
    )
    assert body["details"]["causes"] == [
        {
            "reason": "FieldValueInvalid",
            "field": "spec.rules[0].timeouts",
            "message": 'Invalid value: "object": backendRequest timeout cannot be longer than '
            "request timeout",
        }
    ]
    assert body["details"]["kind"] == "HTTPRoute" and body["details"]["name"] == "qwen"
    route["spec"]["rules"][0]["timeouts"] = {"request": "0s", "backendRequest": "20s"}
    assert apply(cluster, route)[0] == 201


@pytest.mark.parametrize(
    ("mutate", "reason", "field"),
    [
        (
            lambda r: r["spec"]["rules"][0]["backendRefs"][0].update(
                group="", kind="Service", port=None
            ),
            "FieldValueInvalid",
            "spec.rules[0].backendRefs[0]",
        ),
        (
            lambda r: r["spec"]["rules"][0]["matches"][0]["path"].update(value="a//b"),
            "FieldValueInvalid",
            "spec.rules[0].matches[0].path",
        ),
        (
            lambda r: r["spec"]["rules"][0]["matches"][0]["path"].update(type="Glob"),
            "FieldValueNotSupported",
            "spec.rules[0].matches[0].path.type",
        ),
        (
            lambda r: r["spec"]["rules"][0].update(timeouts={"request": "ten"}),
            "FieldValueInvalid",
            "spec.rules[0].timeouts.request",
        ),
        (
            lambda r: r["spec"].update(hostnames=[f"h{i}.example.com" for i in range(17)]),
            "FieldValueTooMany",
            "spec.hostnames",
        ),
        (
            lambda r: r["spec"]["parentRefs"][0].pop("name"),
            "FieldValueRequired",
            "spec.parentRefs[0].name",
        ),
        (
            lambda r: r["spec"]["rules"][0]["backendRefs"][0].update(port=70000),
            "FieldValueInvalid",
            "spec.rules[0].backendRefs[0].port",
        ),
    ],
)
def test_schema_violations_answer_422(cluster, mutate, reason, field):
    route = objects.httproute()
    mutate(route)
    for ref in route["spec"]["rules"][0]["backendRefs"]:
        if ref.get("port", 0) is None:
            del ref["port"]
    status, body, _ = call(cluster, "POST", ROUTES, route)
    assert status == 422, body
    assert (reason, field) in {(c["reason"], c["field"]) for c in body["details"]["causes"]}


def test_defaults_are_applied(cluster):
    route = {
        "apiVersion": f"{GW}/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "d"},
        "spec": {
            "parentRefs": [{"name": "inference-gateway"}],
            "rules": [{"backendRefs": [{"name": "svc", "port": 80}]}],
        },
    }
    status, body, _ = call(cluster, "POST", ROUTES, route)
    assert status == 201
    assert body["spec"]["parentRefs"][0] == {
        "group": GW,
        "kind": "Gateway",
        "name": "inference-gateway",
    }
    rule = body["spec"]["rules"][0]
    assert rule["matches"] == [{"path": {"type": "PathPrefix", "value": "/"}}]
    assert rule["backendRefs"][0] == {
        "name": "svc",
        "port": 80,
        "group": "",
        "kind": "Service",
        "weight": 1,
    }


def test_invalid_name_is_rejected(cluster):
    status, body, _ = call(cluster, "POST", ROUTES, objects.httproute("Bad_Name"))
    assert status == 422 and body["details"]["causes"][0]["field"] == "metadata.name"


def test_status_subresource_changes_only_status(cluster):
    route = cluster.add(objects.httproute())
    patch = {"status": {"parents": []}, "spec": {"hostnames": ["x.example.com"]}}
    status, body, _ = call(
        cluster, "PATCH", f"{ROUTES}/qwen-pool/status", patch, "application/merge-patch+json"
    )
    assert status == 200 and body["status"] == {"parents": []}
    assert "hostnames" not in body["spec"]
    assert body["metadata"]["generation"] == route["metadata"]["generation"]
    status, body, _ = call(
        cluster,
        "PATCH",
        f"{ROUTES}/qwen-pool",
        {"spec": {"hostnames": ["x.example.com"]}, "status": {"x": 1}},
        "application/merge-patch+json",
    )
    assert body["spec"]["hostnames"] == ["x.example.com"] and body["status"] == {"parents": []}
    assert body["metadata"]["generation"] == 2


def test_json_patch_and_unsupported_media_type(cluster):
    cluster.add(objects.httproute())
    ops = [{"op": "add", "path": "/spec/hostnames", "value": ["a.example.com"]}]
    status, body, _ = call(
        cluster, "PATCH", f"{ROUTES}/qwen-pool", ops, "application/json-patch+json"
    )
    assert status == 200 and body["spec"]["hostnames"] == ["a.example.com"]
    status, body, _ = call(cluster, "PATCH", f"{ROUTES}/qwen-pool", {}, "text/plain")
    assert status == 415 and body["reason"] == "UnsupportedMediaType"


# ---------------------------------------------------------------- auth


def test_unknown_token_answers_401(cluster):
    status, body, _ = call(cluster, "GET", ROUTES, token="nope")
    assert status == 401 and body["reason"] == "Unauthorized" and body["code"] == 401
    status, _, _ = call(cluster, "GET", ROUTES, token=None)
    assert status == 401
    cluster.anonymous_user = "system:anonymous"
    assert call(cluster, "GET", ROUTES, token=None)[0] == 200


def test_forbidden_message_and_access_review(cluster):
    cluster.tokens["bob-token"] = "bob"
    cluster.deny("bob", "patch", GW, "httproutes", "llm")
    status, body, _ = apply(cluster, objects.httproute("name"), token="bob-token")
    assert status == 403 and body["reason"] == "Forbidden"
    assert body["message"] == (
        'httproutes.gateway.networking.k8s.io "name" is forbidden: User "bob" cannot patch '
        'resource "httproutes" in API group "gateway.networking.k8s.io" in the namespace "llm"'
    )
    assert body["details"] == {"name": "name", "group": GW, "kind": "httproutes"}
    auth = client.AuthorizationV1Api(api_client(cluster, "bob-token"))
    review = client.V1SelfSubjectAccessReview(
        spec=client.V1SelfSubjectAccessReviewSpec(
            resource_attributes=client.V1ResourceAttributes(
                namespace="llm", verb="patch", group=GW, resource="httproutes"
            )
        )
    )
    assert auth.create_self_subject_access_review(review).status.allowed is False
    review.spec.resource_attributes.verb = "get"
    assert auth.create_self_subject_access_review(review).status.allowed is True
    cluster.deny("bob", "list", "*", "*")
    status, body, _ = call(cluster, "GET", f"/apis/{GW}/v1/httproutes", token="bob-token")
    assert body["message"].endswith(
        f'cannot list resource "httproutes" in API group "{GW}" at the cluster scope'
    )


# ---------------------------------------------------------------- faults and warnings


def test_injected_status_fault_with_retry_after(cluster):
    cluster.inject_fault(
        method="GET", path_contains="httproutes", nth=2, status=429, headers={"Retry-After": "1"}
    )
    assert call(cluster, "GET", ROUTES)[0] == 200
    status, body, headers = call(cluster, "GET", ROUTES)
    assert status == 429 and body["reason"] == "TooManyRequests"
    assert headers["Retry-After"] == "1"
    assert call(cluster, "GET", ROUTES)[0] == 200
    assert [r.status for r in cluster.requests][-3:] == [200, 429, 200]


def test_injected_delay_and_drop(cluster):
    cluster.inject_fault(path_contains="/version", delay=0.3)
    start = time.monotonic()
    assert call(cluster, "GET", "/version")[0] == 200
    assert time.monotonic() - start >= 0.3
    cluster.inject_fault(path_contains="/version", drop=True)
    with pytest.raises(urllib3.exceptions.HTTPError):
        call(cluster, "GET", "/version")
    cluster.inject_fault(path_contains="/version", drop="mid")
    with pytest.raises(urllib3.exceptions.HTTPError):
        call(cluster, "GET", "/version")
    assert call(cluster, "GET", "/version")[0] == 200


def test_warning_headers_reach_the_client(cluster):
    cluster.warnings_for("httproutes", "v1beta1 is deprecated")
    _, _, headers = call(cluster, "GET", ROUTES)
    assert headers["Warning"] == '299 - "v1beta1 is deprecated"'


def test_keep_alive_and_request_log(cluster):
    pool = urllib3.HTTPConnectionPool("127.0.0.1", int(cluster.url.rsplit(":", 1)[1]), maxsize=1)
    for _ in range(3):
        resp = pool.request("GET", "/version", headers={"Authorization": "Bearer admin-token"})
        assert resp.status == 200
    assert pool.num_connections == 1
    req = cluster.requests[-1]
    assert req.method == "GET" and req.path == "/version" and req.user == "admin"
    cluster.clear_requests()
    assert cluster.requests == []


# ---------------------------------------------------------------- watch


def test_watch_streams_events_and_honours_timeout(cluster):
    api = client.CustomObjectsApi(api_client(cluster))

    def later() -> None:
        time.sleep(0.1)
        cluster.add(objects.httproute("w1"))
        cluster.set_status(f"{GW}/v1", "httproutes", "llm", "w1", {"parents": []})
        cluster.delete(f"{GW}/v1", "httproutes", "llm", "w1")

    threading.Thread(target=later, daemon=True).start()
    events = []
    start = time.monotonic()
    for event in watch.Watch().stream(
        api.list_namespaced_custom_object, GW, "v1", "llm", "httproutes", timeout_seconds=1
    ):
        events.append((event["type"], event["object"]["metadata"]["name"]))
    assert events == [("MODIFIED", "w1")] * 0 + [
        ("ADDED", "w1"),
        ("MODIFIED", "w1"),
        ("DELETED", "w1"),
    ]
    assert 0.9 <= time.monotonic() - start < 3


def test_watch_from_resource_version(cluster):
    rv = call(cluster, "GET", ROUTES)[1]["metadata"]["resourceVersion"]
    cluster.add(objects.httproute("w2"))
    resp = HTTP.request(
        "GET",
        f"{cluster.url}{ROUTES}?watch=1&resourceVersion={rv}&timeoutSeconds=1",
        headers={"Authorization": "Bearer admin-token"},
    )
    lines = [json.loads(line) for line in resp.data.decode().splitlines() if line]
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in lines] == [("ADDED", "w2")]
    assert resp.headers["Transfer-Encoding"] == "chunked"
