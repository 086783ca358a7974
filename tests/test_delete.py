"""`delete` end to end, through the CLI, against the fake API server over real HTTP."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from fakekube import objects as o
from golden import assert_golden
from test_expose import real_writes, run, stored_route, writes

from kubectl_httproute.core.manifest import build_reference_grant
from kubectl_httproute.core.model import ObjectRef, PoolBackend
from kubectl_httproute.core.verdict import Verdict
from kubectl_httproute.render.record import RecordData, render_record

GROUP = "gateway.networking.k8s.io"
OURS = {"app.kubernetes.io/managed-by": "kubectl-inferroute"}
MODEL = "Qwen/Qwen3-8B"
KIND = "httproute.gateway.networking.k8s.io"


def managed_route(name: str = "qwen-pool", **kwargs: Any) -> dict[str, Any]:
    return o.httproute(name, labels=OURS, **kwargs)


def for_model(route: dict[str, Any], path: str = "/v1") -> dict[str, Any]:
    """The route's rule matches one path and the model header, as llm-d's multi-model routes."""
    route["spec"]["rules"][0]["matches"] = [
        {
            "path": {"type": "PathPrefix", "value": path},
            "headers": [{"type": "Exact", "name": "X-Gateway-Base-Model-Name", "value": MODEL}],
        }
    ]
    return route


def older(route: dict[str, Any]) -> dict[str, Any]:
    route["metadata"]["creationTimestamp"] = "2020-01-01T00:00:00Z"
    return route


def seed(cluster: Any, *routes: dict[str, Any]) -> None:
    """Add the routes and let the controller accept them (a takeover needs an accepted route)."""
    for route in routes:
        cluster.add(route)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        stored = [stored_route(cluster, r["metadata"]["name"], namespace_of(r)) for r in routes]
        if all((s.get("status") or {}).get("parents") for s in stored):
            cluster.snapshot()  # waits for the controller to be idle
            return
        time.sleep(0.02)
    raise AssertionError("the controller never accepted the seeded routes")


def namespace_of(obj: dict[str, Any]) -> str:
    return str(obj["metadata"]["namespace"])


def deletes(cluster: Any) -> list[Any]:
    return [r for r in real_writes(cluster) if r.method == "DELETE"]


def records() -> list[Path]:
    return list(Path.cwd().glob("*.inferroute.md"))


# --- the happy path ---------------------------------------------------------------------------


def test_deletes_a_managed_route_waits_until_it_is_gone_and_records_it(
    cluster: Any, kubeconfig: Path
) -> None:
    seed(cluster, for_model(managed_route()))
    result = run("delete", "qwen-pool", "--yes")
    assert result.exit_code == 0, result.output
    assert stored_route(cluster) is None
    out = result.output
    for expected in (
        "HTTPRoute llm/qwen-pool to delete",
        "Gateway: llm/inference-gateway",
        "Matches: PathPrefix /v1 +1 header(s)",
        f"Models (header X-Gateway-Base-Model-Name): {MODEL}",
        "Pools: InferencePool llm/qwen-pool (weight 1, 100%)",
        "nobody; the Gateway answers 404",
        f'{KIND} "qwen-pool" deleted',
        "Verdict: Deleted",
    ):
        assert expected in out, out
    [record] = records()
    text = record.read_text()
    assert text.startswith("# Deletion record: HTTPRoute llm/qwen-pool")
    assert "name: qwen-pool" in text and MODEL in text
    assert "**Deleted**" in text
    assert "admin-token" not in text
    # After the DELETE, it looked again until the server said 404.
    sent = [f"{r.method} {r.path}" for r in cluster.requests]
    after = sent[sent.index(f"DELETE /apis/{GROUP}/v1/namespaces/llm/httproutes/qwen-pool", 6) :]
    assert after[-1] == f"GET /apis/{GROUP}/v1/namespaces/llm/httproutes/qwen-pool"


def test_names_the_route_whose_wider_match_takes_the_traffic_over(
    cluster: Any, kubeconfig: Path
) -> None:
    seed(cluster, for_model(managed_route()), older(o.httproute("fallback")))
    result = run("delete", "qwen-pool", "--yes", "--no-record")
    assert result.exit_code == 0, result.output
    assert (
        "llm/inference-gateway, any host, PathPrefix /v1 +1 header(s), model Qwen/Qwen3-8B: "
        "HTTPRoute llm/fallback takes over (its match PathPrefix / covers it)"
    ) in result.output
    assert stored_route(cluster, "fallback") is not None


def test_an_older_route_with_the_same_match_already_has_the_traffic(
    cluster: Any, kubeconfig: Path
) -> None:
    seed(cluster, managed_route(), older(o.httproute("fallback")))
    result = run("delete", "qwen-pool", "--yes", "--no-record")
    assert result.exit_code == 0, result.output
    assert (
        "any host, PathPrefix /: HTTPRoute llm/fallback, which already wins these requests"
    ) in result.output


def test_a_route_on_another_gateway_takes_nothing_over(cluster: Any, kubeconfig: Path) -> None:
    cluster.add(o.gateway("other-gateway", "llm"))
    seed(cluster, managed_route(), older(o.httproute("elsewhere", gateway="other-gateway")))
    result = run("delete", "qwen-pool", "--yes", "--no-record")
    assert result.exit_code == 0, result.output
    assert "any host, PathPrefix /: nobody; the Gateway answers 404" in result.output
    assert "elsewhere" not in result.output


def test_a_gateway_open_to_all_namespaces_is_checked_across_them(
    cluster: Any, kubeconfig: Path
) -> None:
    cluster.add(o.gateway(listeners=[o.listener(from_="All")]))
    cluster.add(o.namespace("team"))
    seed(
        cluster,
        for_model(managed_route()),
        older(o.httproute("fallback", "team", gateway_namespace="llm", pool="qwen-pool")),
    )
    result = run("delete", "qwen-pool", "--yes", "--no-record")
    assert result.exit_code == 0, result.output
    assert "HTTPRoute team/fallback takes over" in result.output
    lists = [r for r in cluster.requests if r.method == "GET" and r.path.endswith("/httproutes")]
    assert [r.path for r in lists] == [f"/apis/{GROUP}/v1/httproutes"]


def test_without_permission_to_list_routes_the_takeover_is_unknown_and_no_grant_offered(
    cluster: Any, kubeconfig: Path
) -> None:
    _pool_elsewhere(cluster)
    seed(cluster, managed_route("far-pool", pool="far-pool", pool_namespace="models"))
    cluster.deny("admin", "list", GROUP, "httproutes")
    result = run("delete", "far-pool", "--yes", "--no-record")
    assert result.exit_code == 0, result.output
    assert "Unknown: the other HTTPRoutes could not be listed (no permission)" in result.output
    assert stored_route(cluster, "far-pool") is None
    assert stored_grant(cluster) is not None  # who else needs it is unknown: never offered


def test_output_name_prints_kubectls_resource_slash_name(cluster: Any, kubeconfig: Path) -> None:
    seed(cluster, managed_route())
    result = run("delete", "qwen-pool", "--yes", "--no-record", "-o", "name")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{KIND}/qwen-pool\n"
    assert stored_route(cluster) is None


def test_output_yaml_prints_the_deleted_object(cluster: Any, kubeconfig: Path) -> None:
    seed(cluster, managed_route())
    result = run("delete", "qwen-pool", "--yes", "--no-record", "-o", "yaml")
    assert result.exit_code == 0, result.output
    obj = yaml.safe_load(result.stdout)
    assert (obj["kind"], obj["metadata"]["name"]) == ("HTTPRoute", "qwen-pool")
    assert "managedFields" not in obj["metadata"]


# --- refusals ---------------------------------------------------------------------------------


def test_refuses_a_route_the_plugin_did_not_make_and_changes_nothing(
    cluster: Any, kubeconfig: Path
) -> None:
    seed(cluster, o.httproute())
    before = cluster.snapshot()
    result = run("delete", "qwen-pool", "--yes")
    assert result.exit_code == 1
    assert "was not created by kubectl-inferroute" in result.output
    assert "--force" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert cluster.snapshot() == before
    assert writes(cluster) == []
    assert records() == []


def test_force_deletes_a_route_the_plugin_did_not_make(cluster: Any, kubeconfig: Path) -> None:
    seed(cluster, o.httproute())
    result = run("delete", "qwen-pool", "--yes", "--force", "--no-record")
    assert result.exit_code == 0, result.output
    assert "not created by kubectl-inferroute: deleting it anyway (--force)" in result.output
    assert stored_route(cluster) is None


def test_refuses_without_a_terminal_or_yes_and_changes_nothing(
    cluster: Any, kubeconfig: Path
) -> None:
    seed(cluster, managed_route())
    before = cluster.snapshot()
    result = run("delete", "qwen-pool")
    assert result.exit_code == 4
    assert "not deleted: there is no terminal to ask for approval" in result.output
    assert "--yes" in result.output
    assert cluster.snapshot() == before
    assert real_writes(cluster) == []
    assert records() == []


def test_a_missing_route_is_one_line(cluster: Any, kubeconfig: Path) -> None:
    result = run("delete", "nope", "--yes")
    assert result.exit_code == 1
    assert result.output.strip() == (
        f'error: {KIND.split(".", 1)[0]}s.{GROUP} "nope" not found in namespace "llm"; '
        "list the routes with `kubectl inferroute status -n llm`"
    )
    assert writes(cluster) == []


def test_no_permission_to_delete_is_one_line_before_any_write(
    cluster: Any, kubeconfig: Path
) -> None:
    seed(cluster, managed_route())
    cluster.deny("admin", "delete", GROUP, "httproutes", "llm")
    before = cluster.snapshot()
    result = run("delete", "qwen-pool", "--yes")
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()[-1:]
    assert 'you may not delete httproutes.gateway.networking.k8s.io in namespace "llm"' in line
    assert "kubectl auth can-i delete httproutes.gateway.networking.k8s.io -n llm" in line
    assert cluster.snapshot() == before
    assert [r for r in writes(cluster) if r.method == "DELETE"] == []


def test_a_403_on_the_delete_itself_is_one_line(cluster: Any, kubeconfig: Path) -> None:
    seed(cluster, managed_route())
    cluster.inject_fault(
        "DELETE",
        "/httproutes/qwen-pool",
        nth=2,  # the server dry-run passes; the delete is refused
        status=403,
        body={
            "kind": "Status",
            "apiVersion": "v1",
            "status": "Failure",
            "reason": "Forbidden",
            "code": 403,
            "message": 'httproutes.gateway.networking.k8s.io "qwen-pool" is forbidden: '
            "denied by policy",
        },
    )
    result = run("delete", "qwen-pool", "--yes", "--no-record")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        'error: httproutes.gateway.networking.k8s.io "qwen-pool" is forbidden: denied by policy; '
        "ask for access; check it with "
        "`kubectl auth can-i delete httproutes.gateway.networking.k8s.io -n llm`"
    )
    assert stored_route(cluster) is not None


def test_bad_input_fails_before_any_request(cluster: Any, kubeconfig: Path) -> None:
    for args, text in (
        (("delete", "Not_A_Name"), 'ROUTE "Not_A_Name"'),
        (("delete", "qwen-pool", "--timeout", "soon"), "--timeout"),
        (("delete", "qwen-pool", "--record", "x.md", "--no-record"), "contradict"),
    ):
        result = run(*args)
        assert result.exit_code == 2, result.output
        assert text in result.output
    assert cluster.requests == []


# --- dry runs ---------------------------------------------------------------------------------


def test_server_dry_run_keeps_the_route_and_asks_nothing(cluster: Any, kubeconfig: Path) -> None:
    seed(cluster, managed_route())
    before = cluster.snapshot()
    result = run("delete", "qwen-pool", "--dry-run=server")
    assert result.exit_code == 0, result.output
    assert f'{KIND} "qwen-pool" deleted (server dry run)' in result.output
    assert cluster.snapshot() == before
    [dry] = [r for r in writes(cluster) if r.method == "DELETE"]
    assert dry.query["dryRun"] == ["All"]
    assert real_writes(cluster) == []
    assert records() == []


def test_server_dry_run_prints_the_object_the_server_would_delete(
    cluster: Any, kubeconfig: Path
) -> None:
    seed(cluster, managed_route())
    result = run("delete", "qwen-pool", "--dry-run=server", "-o", "json")
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.stdout)["metadata"]["name"] == "qwen-pool"
    assert stored_route(cluster) is not None


def test_client_dry_run_reads_but_sends_no_write(cluster: Any, kubeconfig: Path) -> None:
    seed(cluster, managed_route())
    before = cluster.snapshot()
    result = run("delete", "qwen-pool", "--dry-run=client")
    assert result.exit_code == 0, result.output
    assert f'{KIND} "qwen-pool" deleted (dry run)' in result.output
    assert "What stops being served" in result.output
    assert writes(cluster) == []
    assert cluster.snapshot() == before


# --- waiting ----------------------------------------------------------------------------------


def test_a_route_held_by_a_finalizer_is_reported_still_there(
    cluster: Any, kubeconfig: Path
) -> None:
    route = managed_route()
    route["metadata"]["finalizers"] = ["example.com/cleanup"]
    seed(cluster, route)
    result = run("delete", "qwen-pool", "--yes", "--timeout", "1s")
    assert result.exit_code == 3, result.output
    assert "Verdict: Terminating" in result.output
    assert "held by finalizers example.com/cleanup" in result.output
    assert stored_route(cluster)["metadata"]["deletionTimestamp"]
    [record] = records()
    assert "**Terminating**" in record.read_text()


def test_no_wait_does_not_look_again(cluster: Any, kubeconfig: Path) -> None:
    route = managed_route()
    route["metadata"]["finalizers"] = ["example.com/cleanup"]
    seed(cluster, route)
    cluster.clear_requests()
    result = run("delete", "qwen-pool", "--yes", "--no-wait", "--no-record")
    assert result.exit_code == 0, result.output
    sent = [f"{r.method} {r.path}" for r in cluster.requests]
    assert sent[-1] == f"DELETE /apis/{GROUP}/v1/namespaces/llm/httproutes/qwen-pool"


def test_a_failure_while_waiting_says_the_route_was_deleted_and_keeps_the_record(
    cluster: Any, kubeconfig: Path
) -> None:
    seed(cluster, managed_route())
    # The route's first GET reads it; every GET after the delete fails.
    cluster.inject_fault("GET", "/httproutes/qwen-pool", nth=2, status=500, times=10)
    result = run("delete", "qwen-pool", "--yes")
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("error: deleted HTTPRoute llm/qwen-pool, but checking that it is gone failed: ")
    )
    assert stored_route(cluster) is None
    [record] = records()
    assert "wait | failed:" in record.read_text()


def test_ctrl_c_while_waiting_says_it_was_deleted_and_keeps_the_record(
    cluster: Any, kubeconfig: Path, tmp_path: Path
) -> None:
    from test_interrupts import interrupt, start, wait_until

    route = managed_route()
    route["metadata"]["finalizers"] = ["example.com/cleanup"]
    seed(cluster, route)
    record = tmp_path / "gone.md"
    run_ = start(kubeconfig, tmp_path, "delete", "qwen-pool", "--yes", "--record", str(record))
    wait_until(lambda: "waiting for the route to be gone" in run_.read()[1], "the wait")
    code, _, err = interrupt(run_)
    assert code == 130, err
    assert "interrupted: HTTPRoute llm/qwen-pool was deleted" in err
    assert "**Interrupted**" in record.read_text()


# --- ReferenceGrants --------------------------------------------------------------------------


def _pool_elsewhere(cluster: Any) -> None:
    cluster.add(o.namespace("models"))
    cluster.add(o.pool_v1("far-pool", "models"))
    cluster.add(build_reference_grant("llm", "models", "inference.networking.k8s.io", "far-pool"))


GRANT = "inferroute-from-llm-to-far-pool"


def stored_grant(cluster: Any) -> Any:
    return cluster.get(f"{GROUP}/v1beta1", "referencegrants", "models", GRANT)


def test_deletes_the_grant_expose_made_when_no_other_route_needs_it(
    cluster: Any, kubeconfig: Path
) -> None:
    _pool_elsewhere(cluster)
    seed(cluster, managed_route("far-pool", pool="far-pool", pool_namespace="models"))
    result = run("delete", "far-pool", "--yes", "--no-record")
    assert result.exit_code == 0, result.output
    assert f"ReferenceGrant models/{GRANT} (created by expose" in result.output
    assert f'referencegrant.gateway.networking.k8s.io "{GRANT}" deleted' in result.output
    assert stored_grant(cluster) is None
    # At the version the cluster serves (v1beta1 here), checked before: may we delete it?
    assert f"DELETE /apis/{GROUP}/v1beta1/namespaces/models/referencegrants/{GRANT}" in [
        f"{r.method} {r.path}" for r in deletes(cluster)
    ]


def test_keeps_the_grant_another_route_of_the_namespace_still_uses(
    cluster: Any, kubeconfig: Path
) -> None:
    _pool_elsewhere(cluster)
    seed(
        cluster,
        managed_route("far-pool", pool="far-pool", pool_namespace="models"),
        o.httproute("other", pool="far-pool", pool_namespace="models"),
    )
    result = run("delete", "far-pool", "--yes", "--no-record")
    assert result.exit_code == 0, result.output
    assert "ReferenceGrant" not in result.output
    assert stored_grant(cluster) is not None
    assert [r.path.rsplit("/", 2)[-2] for r in deletes(cluster)] == ["httproutes"]


def test_a_grant_made_by_hand_is_never_offered(cluster: Any, kubeconfig: Path) -> None:
    _pool_elsewhere(cluster)
    cluster.delete(f"{GROUP}/v1beta1", "referencegrants", "models", GRANT)
    cluster.add(o.reference_grant("by-hand", "models", "llm", to_name="far-pool"))
    seed(cluster, managed_route("far-pool", pool="far-pool", pool_namespace="models"))
    result = run("delete", "far-pool", "--yes", "--no-record")
    assert result.exit_code == 0, result.output
    assert "ReferenceGrant" not in result.output
    assert cluster.get(f"{GROUP}/v1beta1", "referencegrants", "models", "by-hand") is not None


def test_no_permission_on_grants_leaves_the_grant_and_still_deletes_the_route(
    cluster: Any, kubeconfig: Path
) -> None:
    _pool_elsewhere(cluster)
    seed(cluster, managed_route("far-pool", pool="far-pool", pool_namespace="models"))
    cluster.deny("admin", "delete", GROUP, "referencegrants", "models")
    result = run("delete", "far-pool", "--yes", "--no-record")
    assert result.exit_code == 0, result.output
    assert 'you may not delete referencegrants in namespace "models"' in result.output
    assert stored_route(cluster, "far-pool") is None
    assert stored_grant(cluster) is not None


@pytest.mark.parametrize("answer", ["y", "n"])
def test_on_a_terminal_the_grant_is_a_second_question(
    cluster: Any, kubeconfig: Path, answer: str
) -> None:
    from test_terminal import installed_plugin, plugin_env, run_in_terminal

    _pool_elsewhere(cluster)
    seed(cluster, managed_route("far-pool", pool="far-pool", pool_namespace="models"))
    code, terminal = run_in_terminal(
        [installed_plugin(), "delete", "far-pool", "--no-record"],
        plugin_env(kubeconfig),
        [("Delete this HTTPRoute?", "y"), ("Also delete ReferenceGrant", answer)],
    )
    assert code == 0, terminal
    assert f"Also delete ReferenceGrant models/{GRANT}?" in terminal
    assert stored_route(cluster, "far-pool") is None
    assert (stored_grant(cluster) is None) == (answer == "y")


def test_declining_at_the_terminal_deletes_nothing(cluster: Any, kubeconfig: Path) -> None:
    from test_terminal import installed_plugin, plugin_env, run_in_terminal

    seed(cluster, managed_route())
    before = cluster.snapshot()
    code, terminal = run_in_terminal(
        [installed_plugin(), "delete", "qwen-pool"],
        plugin_env(kubeconfig),
        [("Delete this HTTPRoute?", "n")],
    )
    assert code == 4, terminal
    assert "not deleted: you did not approve" in terminal
    assert cluster.snapshot() == before


def test_a_grant_that_cannot_be_deleted_after_the_route_fails_and_keeps_the_record(
    cluster: Any, kubeconfig: Path
) -> None:
    _pool_elsewhere(cluster)
    seed(cluster, managed_route("far-pool", pool="far-pool", pool_namespace="models"))
    cluster.inject_fault("DELETE", "/referencegrants/", status=409, body={"kind": "Status"})
    result = run("delete", "far-pool", "--yes")
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(
            f"error: deleted HTTPRoute llm/far-pool, but ReferenceGrant models/{GRANT} could not "
            "be deleted: "
        )
    )
    assert stored_route(cluster, "far-pool") is None
    assert stored_grant(cluster) is not None
    [record] = records()
    assert "not deleted" in record.read_text()


# --- the record -------------------------------------------------------------------------------


def test_a_whole_deletion_record() -> None:
    data = RecordData(
        timestamp=datetime(2026, 12, 3, 10, 0, 0, tzinfo=timezone.utc),
        context="kind-llm",
        server="https://127.0.0.1:6443",
        namespace="llm",
        user="kind-llm",
        plugin_version="0.1.0",
        route=ObjectRef("llm", "qwen-v1"),
        gateway=ObjectRef("llm", "inference-gateway"),
        pools=(PoolBackend("qwen-v1", "llm", weight=1),),
        manifest_yaml="apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n",
        rules_summary=(
            "Gateway: llm/inference-gateway",
            "Matches: PathPrefix /",
            "Takes over: llm/inference-gateway, any host, PathPrefix /: HTTPRoute llm/qwen-v2 "
            "takes over (its match PathPrefix / covers it)",
        ),
        dry_run_verdict="accepted by the API server (permission and admission passed)",
        warnings=(),
        verification="Gone: the API server answers 404 for the route (after 0.1s).",
        verdict=Verdict("Deleted", True, "the API server no longer has the route", ""),
        events=(("approval", "approved with --yes"), ("delete", "HTTPRoute llm/qwen-v1 deleted")),
        action="delete",
    )
    assert_golden("record/deleted.md", render_record(data))


@pytest.mark.parametrize("output", [None, "name"])
def test_the_record_path_is_said_where_it_does_not_mix_with_output(
    cluster: Any, kubeconfig: Path, output: str | None
) -> None:
    seed(cluster, managed_route())
    target = Path.cwd() / "gone.md"
    args = ["delete", "qwen-pool", "--yes", "--record", str(target)]
    result = run(*args, *(["-o", output] if output else []))
    assert result.exit_code == 0, result.output
    assert target.exists()
    assert (f"Deletion record: {target}" in result.stdout) == (output is None)
    assert f"Deletion record: {target}" in result.output


# --- completion -------------------------------------------------------------------------------


def test_completes_route_names_from_the_cluster(cluster: Any, kubeconfig: Path) -> None:
    from kubectl_httproute.cli.completion import complete, kubectl_complete

    seed(cluster, managed_route(), o.httproute("other"))
    assert [str(i.value) for i in complete(["delete"], "")] == ["other", "qwen-pool"]
    assert [str(i.value) for i in complete(["delete"], "qw")] == ["qwen-pool"]
    # kubectl's completer (`kubectl inferroute delete <TAB>`) answers the same.
    assert kubectl_complete(["delete", "qw"]) == "qwen-pool\n:4\n"
