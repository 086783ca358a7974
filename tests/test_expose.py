"""`expose` end to end, through the CLI, against the fake API server over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import write_kubeconfig
from fakekube import ControllerSim, FakeCluster
from fakekube import objects as o
from golden import assert_golden

from kubectl_httproute.cli import root

ROUTES = "gateway.networking.k8s.io/v1"


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(root, list(args), input=input, catch_exceptions=False)


def stored_route(cluster: Any, name: str = "qwen-pool", namespace: str = "llm") -> Any:
    return cluster.get(ROUTES, "httproutes", namespace, name)


def writes(cluster: Any) -> list[Any]:
    # Access reviews are POSTs that store nothing: preflight's permission check sends them.
    return [
        r
        for r in cluster.requests
        if r.method in ("POST", "PUT", "PATCH", "DELETE") and "/selfsubject" not in r.path
    ]


def real_writes(cluster: Any) -> list[Any]:
    return [r for r in writes(cluster) if r.query.get("dryRun") != ["All"]]


# --- the happy path ---------------------------------------------------------------------------


def test_applies_a_route_and_reports_it_ready(cluster: Any, kubeconfig: Path) -> None:
    result = run("expose", "qwen-pool", "--gateway", "inference-gateway", "--yes")
    assert result.exit_code == 0, result.output
    route = stored_route(cluster)
    assert route["spec"]["rules"][0]["backendRefs"] == [
        {
            "group": "inference.networking.k8s.io",
            "kind": "InferencePool",
            "name": "qwen-pool",
            "port": 8000,
            "weight": 1,
        }
    ]
    assert route["spec"]["rules"][0]["timeouts"] == {"request": "0s", "backendRequest": "0s"}
    assert "timeouts" not in route["spec"]
    assert route["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "kubectl-inferroute"}
    out = result.output
    for expected in (
        "Gateway llm/inference-gateway",
        "InferencePool llm/qwen-pool",
        "What it does",
        "Server dry-run",
        "httproute.gateway.networking.k8s.io/qwen-pool created",
        "HTTPRoute qwen-pool conditions",
        "Gateway llm/inference-gateway (class example) conditions",
        "InferencePool llm/qwen-pool (inference.networking.k8s.io/v1) conditions",
        "Verdict: Ready",
    ):
        assert expected in out
    assert out.index("Server dry-run") < out.index("created") < out.index("Verdict: Ready")


def test_dry_runs_with_server_side_apply_before_applying(cluster: Any, kubeconfig: Path) -> None:
    run("expose", "qwen-pool", "--gateway", "inference-gateway", "--yes", "--no-record")
    patches = [r for r in writes(cluster) if "httproutes" in r.path]
    assert [r.method for r in patches] == ["PATCH", "PATCH"]
    dry, real = patches
    for request in patches:
        assert request.headers["Content-Type"] == "application/apply-patch+yaml"
        assert request.query["fieldManager"] == ["kubectl-inferroute"]
        assert request.query["fieldValidation"] == ["Strict"]
        assert "force" not in request.query
    assert dry.query["dryRun"] == ["All"]
    assert "dryRun" not in real.query
    assert dry.json() == real.json()


def test_uses_the_only_gateway_and_pool_and_says_so(cluster: Any, kubeconfig: Path) -> None:
    result = run("expose", "--yes", "--no-record")
    assert result.exit_code == 0, result.output
    assert 'Using Gateway llm/inference-gateway: the only one in namespace "llm"' in result.output
    assert 'Using InferencePool llm/qwen-pool: the only one in namespace "llm"' in result.output
    assert stored_route(cluster) is not None


def test_rerunning_updates_our_own_route(cluster: Any, kubeconfig: Path) -> None:
    run("expose", "qwen-pool", "--gateway", "inference-gateway", "--yes", "--no-record")
    result = run(
        "expose",
        "qwen-pool",
        "--gateway",
        "inference-gateway",
        "--yes",
        "--no-record",
        "--route-timeout",
        "5m",
    )
    assert result.exit_code == 0, result.output
    route = stored_route(cluster)
    assert route["spec"]["rules"][0]["timeouts"]["request"] == "5m"
    assert route["metadata"]["generation"] == 2
    assert "qwen-pool configured" in result.output


def test_splits_traffic_between_pools_by_weight(cluster: Any, kubeconfig: Path) -> None:
    cluster.add(o.pool_v1("qwen-b", "llm", target_port=8001))
    result = run(
        "expose",
        "qwen-pool=90",
        "qwen-b=10",
        "--gateway",
        "inference-gateway",
        "--yes",
        "--no-record",
    )
    assert result.exit_code == 0, result.output
    refs = stored_route(cluster)["spec"]["rules"][0]["backendRefs"]
    assert [(r["name"], r["port"], r["weight"]) for r in refs] == [
        ("qwen-pool", 8000, 90),
        ("qwen-b", 8001, 10),
    ]
    assert "Sends 90% of matching traffic to InferencePool qwen-pool" in result.output
    assert "Sends 10% of matching traffic to InferencePool qwen-b" in result.output


def test_writes_every_match_and_parent_setting(cluster: Any, kubeconfig: Path) -> None:
    cluster.add(o.namespace("infra"))
    cluster.add(o.gateway("shared", "infra", listeners=[o.listener("web", 80, from_="All")]))
    result = run(
        "expose",
        "qwen-pool",
        "--gateway",
        "infra/shared",
        "--section-name",
        "web",
        "--hostname",
        "llm.example.com",
        "--path",
        "/v1",
        "--path-type",
        "Exact",
        "--header",
        "x-model=qwen",
        "--port",
        "9000",
        "--name",
        "qwen-route",
        "--route-timeout",
        "10m",
        "--backend-timeout",
        "9m",
        "--yes",
        "--no-record",
    )
    assert result.exit_code == 0, result.output
    spec = stored_route(cluster, "qwen-route")["spec"]
    assert spec["parentRefs"] == [
        {
            "group": "gateway.networking.k8s.io",
            "kind": "Gateway",
            "name": "shared",
            "namespace": "infra",
            "sectionName": "web",
        }
    ]
    assert spec["hostnames"] == ["llm.example.com"]
    rule = spec["rules"][0]
    assert rule["matches"] == [
        {
            "path": {"type": "Exact", "value": "/v1"},
            "headers": [{"type": "Exact", "name": "x-model", "value": "qwen"}],
        }
    ]
    assert rule["backendRefs"][0]["port"] == 9000
    assert rule["timeouts"] == {"request": "10m", "backendRequest": "9m"}


def test_a_pool_in_another_namespace_gets_a_namespace(cluster: Any, kubeconfig: Path) -> None:
    cluster.add(o.namespace("models"))
    cluster.add(o.pool_v1("far-pool", "models"))
    result = run(
        "expose",
        "models/far-pool",
        "--gateway",
        "inference-gateway",
        "--yes",
        "--no-record",
        "--create-reference-grant",
    )
    assert result.exit_code == 0, result.output
    ref = stored_route(cluster, "far-pool")["spec"]["rules"][0]["backendRefs"][0]
    assert ref["namespace"] == "models"


# --- API groups -------------------------------------------------------------------------------


def test_uses_the_v1alpha2_group_when_that_is_what_holds_the_pool(tmp_path: Path) -> None:
    with FakeCluster(pool_groups=("inference.networking.x-k8s.io",)) as cluster:
        o.standard_cluster(cluster, pool_group="inference.networking.x-k8s.io")
        with ControllerSim(cluster, delay=0.02):
            path = write_kubeconfig(tmp_path / "kc", cluster.url)
            result = run(
                "--kubeconfig",
                str(path),
                "expose",
                "qwen-pool",
                "--gateway",
                "inference-gateway",
                "--yes",
                "--no-record",
            )
            assert result.exit_code == 0, result.output
            ref = stored_route(cluster)["spec"]["rules"][0]["backendRefs"][0]
            assert ref["group"] == "inference.networking.x-k8s.io"
            assert "inference.networking.x-k8s.io/v1alpha2" in result.output


def test_picks_the_group_that_holds_the_pool_when_both_are_served(tmp_path: Path) -> None:
    both = ("inference.networking.k8s.io", "inference.networking.x-k8s.io")
    with FakeCluster(pool_groups=both) as cluster:
        o.standard_cluster(cluster, pool_group="inference.networking.x-k8s.io")
        path = write_kubeconfig(tmp_path / "kc", cluster.url)
        result = run(
            "--kubeconfig",
            str(path),
            "expose",
            "qwen-pool",
            "--gateway",
            "inference-gateway",
            "--dry-run=server",
            "-o",
            "json",
        )
        assert result.exit_code == 0, result.output
        obj = json.loads(result.stdout)
        assert obj["spec"]["rules"][0]["backendRefs"][0]["group"] == (
            "inference.networking.x-k8s.io"
        )


def test_says_which_crd_is_missing_when_no_pool_api_is_served(tmp_path: Path) -> None:
    with FakeCluster(pool_groups=()) as cluster:
        path = write_kubeconfig(tmp_path / "kc", cluster.url)
        result = run("--kubeconfig", str(path), "expose", "--yes")
        assert result.exit_code == 1
        assert "serves no InferencePool API" in result.output
        assert "Inference Extension CRDs" in result.output


def test_says_gateway_api_is_missing(tmp_path: Path) -> None:
    with FakeCluster(gateway_api=False) as cluster:
        path = write_kubeconfig(tmp_path / "kc", cluster.url)
        result = run("--kubeconfig", str(path), "expose", "--yes")
        assert result.exit_code == 1
        assert "does not serve Gateway API" in result.output


# --- choosing ---------------------------------------------------------------------------------


def test_several_gateways_and_no_terminal_lists_them(cluster: Any, kubeconfig: Path) -> None:
    cluster.add(o.gateway("second-gateway", "llm"))
    before = cluster.snapshot()
    result = run("expose", "qwen-pool", "--yes")
    assert result.exit_code == 2
    assert "llm/inference-gateway, llm/second-gateway" in result.output
    assert "--gateway" in result.output
    assert cluster.snapshot() == before


def test_a_missing_gateway_is_named_with_those_that_exist(cluster: Any, kubeconfig: Path) -> None:
    result = run("expose", "qwen-pool", "--gateway", "nope", "--yes")
    assert result.exit_code == 1
    assert 'Gateway "nope" not found in namespace "llm"' in result.output
    assert "llm/inference-gateway" in result.output
    assert real_writes(cluster) == []


def test_a_missing_pool_is_named_with_those_that_exist(cluster: Any, kubeconfig: Path) -> None:
    result = run("expose", "qwin-pool", "--gateway", "inference-gateway", "--yes")
    assert result.exit_code == 1
    assert 'InferencePool "qwin-pool" not found' in result.output
    assert "llm/qwen-pool" in result.output


def test_no_gateway_at_all_says_how_to_create_one(bare_cluster: Any, tmp_path: Path) -> None:
    bare_cluster.add(o.namespace("llm"))
    path = write_kubeconfig(tmp_path / "kc", bare_cluster.url)
    result = run("--kubeconfig", str(path), "expose", "--yes")
    assert result.exit_code == 1
    assert "no Gateway found" in result.output
    assert "create one" in result.output


# --- approval ---------------------------------------------------------------------------------


def test_refuses_without_a_terminal_or_yes_and_changes_nothing(
    cluster: Any, kubeconfig: Path
) -> None:
    before = cluster.snapshot()
    result = run("expose", "qwen-pool", "--gateway", "inference-gateway")
    assert result.exit_code == 4
    assert "no terminal to ask for approval" in result.output
    assert "--yes" in result.output
    assert cluster.snapshot() == before
    assert real_writes(cluster) == []
    assert list(Path.cwd().glob("*.inferroute.md")) == []


def test_server_dry_run_never_applies_nor_asks(cluster: Any, kubeconfig: Path) -> None:
    before = cluster.snapshot()
    result = run("expose", "qwen-pool", "--gateway", "inference-gateway", "--dry-run=server")
    assert result.exit_code == 0, result.output
    assert "May I proceed" not in result.output
    assert cluster.snapshot() == before
    assert real_writes(cluster) == []


def test_server_dry_run_prints_what_the_server_would_store(cluster: Any, kubeconfig: Path) -> None:
    result = run(
        "expose", "qwen-pool", "--gateway", "inference-gateway", "--dry-run=server", "-o", "yaml"
    )
    assert result.exit_code == 0, result.output
    obj = yaml.safe_load(result.stdout)
    assert obj["kind"] == "HTTPRoute"
    assert obj["metadata"]["uid"]
    assert "managedFields" not in obj["metadata"]
    assert stored_route(cluster) is None


# --- offline ----------------------------------------------------------------------------------


def test_client_dry_run_needs_no_kubeconfig_and_sends_nothing() -> None:
    result = run(
        "expose",
        "qwen-pool",
        "--gateway",
        "inference-gateway",
        "-n",
        "llm",
        "--dry-run=client",
        "-o",
        "yaml",
    )
    assert result.exit_code == 0, result.output
    assert_golden("expose/client-dry-run.yaml", result.output)


def test_client_dry_run_prints_json_and_honours_the_pool_group() -> None:
    result = run(
        "expose",
        "qwen-pool",
        "--gateway",
        "inference-gateway",
        "--dry-run=client",
        "-o",
        "json",
        "--pool-group",
        "inference.networking.x-k8s.io",
    )
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    assert obj["metadata"]["namespace"] == "default"
    assert obj["spec"]["rules"][0]["backendRefs"][0]["group"] == "inference.networking.x-k8s.io"


def test_client_dry_run_needs_explicit_names() -> None:
    result = run("expose", "--dry-run=client")
    assert result.exit_code == 2
    assert "needs the pool named" in result.output


# --- inputs are checked before any request --------------------------------------------------


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--route-timeout", "10 minutes"], "--route-timeout"),
        (["--backend-timeout", "2h", "--route-timeout", "1h"], "--backend-timeout"),
        (["--path", "no-slash"], "--path"),
        (["--hostname", "10.0.0.1"], "--hostname"),
        (["--header", "bad header=x"], "--header"),
        (["--port", "70000"], "--port"),
        (["--name", "Not_A_Name"], "--name"),
        (["--gateway", "UPPER"], "--gateway"),
    ],
)
def test_bad_input_fails_before_any_request(
    cluster: Any, kubeconfig: Path, args: list[str], flag: str
) -> None:
    base = ["expose", "qwen-pool", "--yes"]
    if "--gateway" not in args:
        base += ["--gateway", "inference-gateway"]
    cluster.clear_requests()
    result = run(*base, *args)
    assert result.exit_code == 2, result.output
    assert flag in result.output
    assert result.output.startswith("error: ")
    assert "Traceback" not in result.output
    assert cluster.requests == []


def test_weights_must_not_all_be_zero(cluster: Any, kubeconfig: Path) -> None:
    cluster.clear_requests()
    result = run("expose", "a=0", "b=0", "--gateway", "g", "--yes")
    assert result.exit_code == 2
    assert cluster.requests == []


# --- conflicts --------------------------------------------------------------------------------


def test_an_apply_conflict_names_the_other_manager_and_the_flag(
    cluster: Any, kubeconfig: Path
) -> None:
    # Someone else owns the rules with other values (e.g. a kubectl apply of a hand-written file).
    theirs = o.httproute("qwen-pool", "llm", gateway="inference-gateway", pool="qwen-pool")
    theirs["metadata"]["labels"] = {"app.kubernetes.io/managed-by": "kubectl-inferroute"}
    _apply_as(cluster, theirs, manager="kubectl-client-side-apply")
    result = run(
        "expose",
        "qwen-pool",
        "--gateway",
        "inference-gateway",
        "--yes",
        "--route-timeout",
        "5m",
        "--no-record",
    )
    assert result.exit_code == 1, result.output
    assert "conflict" in result.output
    assert "--force-conflicts" in result.output
    forced = run(
        "expose",
        "qwen-pool",
        "--gateway",
        "inference-gateway",
        "--yes",
        "--route-timeout",
        "5m",
        "--no-record",
        "--force-conflicts",
    )
    assert forced.exit_code == 0, forced.output
    assert stored_route(cluster)["spec"]["rules"][0]["timeouts"]["request"] == "5m"


def _apply_as(cluster: Any, obj: dict[str, Any], manager: str) -> None:
    import urllib.request

    meta = obj["metadata"]
    req = urllib.request.Request(
        f"{cluster.url}/apis/gateway.networking.k8s.io/v1/namespaces/{meta['namespace']}"
        f"/httproutes/{meta['name']}?fieldManager={manager}",
        data=json.dumps(obj).encode(),
        method="PATCH",
        headers={
            "Content-Type": "application/apply-patch+yaml",
            "Authorization": "Bearer admin-token",
        },
    )
    with urllib.request.urlopen(req) as resp:
        assert resp.status in (200, 201)


# --- verification -----------------------------------------------------------------------------


def test_no_controller_verdict_exits_3_and_says_what_to_check(
    bare_cluster: Any, tmp_path: Path
) -> None:
    o.standard_cluster(bare_cluster)
    path = write_kubeconfig(tmp_path / "kc", bare_cluster.url)
    result = run(
        "--kubeconfig",
        str(path),
        "expose",
        "qwen-pool",
        "--gateway",
        "inference-gateway",
        "--yes",
        "--timeout",
        "1s",
        "--no-record",
    )
    assert result.exit_code == 3, result.output
    assert "NoController" in result.output
    assert "GatewayClass" in result.output
    assert "waiting for the gateway controller" in result.output
    assert stored_route(bare_cluster) is not None


def test_a_pool_deleted_before_the_controller_looks_is_unresolved(
    bare_cluster: Any, tmp_path: Path
) -> None:
    import threading
    import time

    o.standard_cluster(bare_cluster)
    path = write_kubeconfig(tmp_path / "kc", bare_cluster.url)

    def delete_pool_once_the_route_lands() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if stored_route(bare_cluster) is not None:
                bare_cluster.delete(
                    "inference.networking.k8s.io/v1", "inferencepools", "llm", "qwen-pool"
                )
                return
            time.sleep(0.005)

    saboteur = threading.Thread(target=delete_pool_once_the_route_lands)
    saboteur.start()
    with ControllerSim(bare_cluster, delay=0.3):
        result = run(
            "--kubeconfig",
            str(path),
            "expose",
            "qwen-pool",
            "--gateway",
            "inference-gateway",
            "--yes",
            "--no-record",
        )
    saboteur.join()
    assert result.exit_code == 3, result.output
    assert "BackendNotFound" in result.output
    assert "Verdict: Unresolved" in result.output


def test_no_wait_skips_verification(bare_cluster: Any, tmp_path: Path) -> None:
    o.standard_cluster(bare_cluster)
    path = write_kubeconfig(tmp_path / "kc", bare_cluster.url)
    result = run(
        "--kubeconfig",
        str(path),
        "expose",
        "qwen-pool",
        "--gateway",
        "inference-gateway",
        "--yes",
        "--no-wait",
        "--no-record",
    )
    assert result.exit_code == 0, result.output
    assert "Verdict" not in result.output


def test_output_yaml_prints_the_applied_object_with_status(cluster: Any, kubeconfig: Path) -> None:
    result = CliRunner().invoke(
        root,
        [
            "expose",
            "qwen-pool",
            "--gateway",
            "inference-gateway",
            "--yes",
            "-o",
            "yaml",
            "--no-record",
        ],
    )
    assert result.exit_code == 0, result.output
    obj = yaml.safe_load(result.stdout)
    assert obj["status"]["parents"][0]["conditions"][0]["type"] == "Accepted"


# --- record -----------------------------------------------------------------------------------


def test_writes_a_markdown_record_without_secrets(cluster: Any, kubeconfig: Path) -> None:
    result = run("expose", "qwen-pool", "--gateway", "inference-gateway", "--yes")
    assert result.exit_code == 0, result.output
    records = list(Path.cwd().glob("qwen-pool-*.inferroute.md"))
    assert len(records) == 1
    text = records[0].read_text()
    for expected in (
        "test",  # context
        cluster.url,
        "tester",
        "kind: HTTPRoute",
        "backendRequest: 0s",
        "Accepted",
        "Ready",
    ):
        assert expected in text
    assert "admin-token" not in text
    assert f"Deployment record: {records[0].name}" in result.output


def test_record_goes_where_asked_and_never_over_a_file(cluster: Any, kubeconfig: Path) -> None:
    target = Path.cwd() / "deploy.md"
    result = run(
        "expose", "qwen-pool", "--gateway", "inference-gateway", "--yes", "--record", str(target)
    )
    assert result.exit_code == 0, result.output
    first = target.read_text()
    again = run(
        "expose", "qwen-pool", "--gateway", "inference-gateway", "--yes", "--record", str(target)
    )
    assert again.exit_code == 0, again.output
    assert target.read_text() == first
    assert "# " in again.output  # the record is printed instead


# --- flags like kubectl -----------------------------------------------------------------------


def test_global_flags_work_before_and_after_the_subcommand(cluster: Any, tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "kc", cluster.url, context="elsewhere", namespace="llm")
    before = run(
        "--kubeconfig",
        str(path),
        "--context",
        "elsewhere",
        "expose",
        "qwen-pool",
        "--gateway",
        "inference-gateway",
        "--dry-run=server",
        "-o",
        "json",
    )
    after = run(
        "expose",
        "qwen-pool",
        "--gateway",
        "inference-gateway",
        "--dry-run=server",
        "-o",
        "json",
        "--kubeconfig",
        str(path),
        "--context",
        "elsewhere",
    )
    assert before.exit_code == after.exit_code == 0, before.output + after.output
    assert json.loads(before.stdout)["spec"] == json.loads(after.stdout)["spec"]


def test_namespace_flag_overrides_the_contexts(cluster: Any, tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "kc", cluster.url, namespace="elsewhere")
    result = run(
        "--kubeconfig",
        str(path),
        "-n",
        "llm",
        "expose",
        "qwen-pool",
        "--gateway",
        "inference-gateway",
        "--dry-run=server",
        "-o",
        "json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["metadata"]["namespace"] == "llm"


def test_server_warnings_are_shown(cluster: Any, kubeconfig: Path) -> None:
    cluster.warnings_for("httproutes", "this is a test warning")
    result = run("expose", "qwen-pool", "--gateway", "inference-gateway", "--dry-run=server")
    assert result.exit_code == 0
    assert "this is a test warning" in result.output


def exec_plugin_user(tmp_path: Path, script: str) -> dict[str, Any]:
    """A kubeconfig user whose credentials come from an exec plugin running `script`."""
    plugin = tmp_path / "cred-plugin"
    plugin.write_text(f"#!/bin/sh\n{script}\n")
    plugin.chmod(0o755)
    return {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": str(plugin),
            "interactiveMode": "Never",
        }
    }


def test_a_failing_exec_plugin_stops_before_any_request(cluster: Any, tmp_path: Path) -> None:
    user = exec_plugin_user(tmp_path, "echo 'token expired: run login' >&2\nexit 1")
    path = write_kubeconfig(tmp_path / "kc", cluster.url, user=user)
    cluster.clear_requests()
    result = run(
        "--kubeconfig", str(path), "expose", "qwen-pool", "--gateway", "inference-gateway", "--yes"
    )
    assert result.exit_code == 1
    assert "exec credential plugin" in result.output
    assert "Traceback" not in result.output
    assert cluster.requests == []


def test_unknown_token_is_refused_with_a_hint(cluster: Any, tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "kc", cluster.url, token="wrong")
    result = run(
        "--kubeconfig", str(path), "expose", "qwen-pool", "--gateway", "inference-gateway", "--yes"
    )
    assert result.exit_code == 1
    assert result.output.startswith("error: Unauthorized")
    assert "credentials" in result.output


def test_a_dead_server_is_one_line(tmp_path: Path) -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    path = write_kubeconfig(tmp_path / "kc", f"http://127.0.0.1:{port}")
    result = run("--kubeconfig", str(path), "expose", "qwen-pool", "--gateway", "g", "--yes")
    assert result.exit_code == 1
    assert "cannot reach the API server" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


# --- discovery --------------------------------------------------------------------------------


def test_discovery_is_one_aggregated_request(cluster: Any, kubeconfig: Path) -> None:
    cluster.clear_requests()
    result = run("expose", "qwen-pool", "--gateway", "inference-gateway", "--dry-run=server")
    assert result.exit_code == 0, result.output
    discovery = [
        r.path for r in cluster.requests if r.path.startswith("/apis") and r.path.count("/") <= 3
    ]
    assert discovery == ["/apis"]


def test_discovery_falls_back_to_group_lists_on_older_servers(tmp_path: Path) -> None:
    both = ("inference.networking.k8s.io", "inference.networking.x-k8s.io")
    with FakeCluster(pool_groups=both, aggregated_discovery=False) as cluster:
        o.standard_cluster(cluster)
        path = write_kubeconfig(tmp_path / "kc", cluster.url)
        result = run(
            "--kubeconfig",
            str(path),
            "expose",
            "qwen-pool",
            "--gateway",
            "inference-gateway",
            "--dry-run=server",
            "-o",
            "json",
        )
        assert result.exit_code == 0, result.output
        paths = {r.path for r in cluster.requests}
        assert "/apis/gateway.networking.k8s.io/v1" in paths
        assert "/apis/inference.networking.x-k8s.io/v1alpha2" in paths
        ref = json.loads(result.stdout)["spec"]["rules"][0]["backendRefs"][0]
        assert ref["group"] == "inference.networking.k8s.io"


def test_an_exec_plugin_token_is_sent(cluster: Any, tmp_path: Path) -> None:
    user = exec_plugin_user(
        tmp_path,
        'echo \'{"apiVersion": "client.authentication.k8s.io/v1beta1", '
        '"kind": "ExecCredential", "status": {"token": "admin-token"}}\'',
    )
    path = write_kubeconfig(tmp_path / "kc", cluster.url, user=user)
    cluster.clear_requests()
    result = run(
        "--kubeconfig",
        str(path),
        "expose",
        "qwen-pool",
        "--gateway",
        "inference-gateway",
        "--dry-run=server",
    )
    assert result.exit_code == 0, result.output
    assert {r.user for r in cluster.requests} == {"admin"}


# --- faults while verifying -------------------------------------------------------------------


def test_a_passing_fault_while_waiting_is_retried(cluster: Any, kubeconfig: Path) -> None:
    # The first GET of the route is the existing-route check; the second is the first poll.
    cluster.inject_fault(
        method="GET",
        path_contains="/httproutes/qwen-pool",
        nth=2,
        status=503,
        headers={"Retry-After": "0"},
    )
    cluster.inject_fault(method="GET", path_contains="/httproutes/qwen-pool", nth=3, drop="mid")
    result = run("expose", "qwen-pool", "--gateway", "inference-gateway", "--yes", "--no-record")
    assert result.exit_code == 0, result.output
    assert "Verdict: Ready" in result.output


def test_a_lasting_fault_while_waiting_says_the_route_is_applied(
    cluster: Any, kubeconfig: Path
) -> None:
    cluster.inject_fault(
        method="GET", path_contains="/httproutes/qwen-pool", nth=2, status=403, times=100
    )
    result = run("expose", "qwen-pool", "--gateway", "inference-gateway", "--yes")
    assert result.exit_code == 1, result.output
    assert "applied HTTPRoute llm/qwen-pool, but checking it failed" in result.output
    assert "Traceback" not in result.output
    assert stored_route(cluster) is not None
    record = next(Path.cwd().glob("qwen-pool-*.inferroute.md")).read_text()
    assert "failed" in record


def test_warns_before_applying_when_no_controller_owns_the_gateway(
    bare_cluster: Any, tmp_path: Path
) -> None:
    o.standard_cluster(bare_cluster)
    path = write_kubeconfig(tmp_path / "kc", bare_cluster.url)
    result = run(
        "--kubeconfig",
        str(path),
        "expose",
        "qwen-pool",
        "--gateway",
        "inference-gateway",
        "--dry-run=server",
    )
    assert result.exit_code == 0, result.output
    assert "no controller has accepted Gateway llm/inference-gateway" in result.output


def test_a_route_an_older_one_shadows_is_not_reported_healthy(
    cluster: Any, kubeconfig: Path
) -> None:
    run("expose", "qwen-pool", "--gateway", "inference-gateway", "--yes", "--no-record")
    # Named after qwen-pool alphabetically, so it loses even when both share a creation second.
    result = run(
        "expose",
        "qwen-pool",
        "--gateway",
        "inference-gateway",
        "--name",
        "standby",
        "--yes",
        "--no-record",
    )
    assert result.exit_code == 3, result.output
    assert "Verdict: Shadowed — HTTPRoute llm/standby would be shadowed" in result.output
    assert "Verdict: Ready" not in result.output
    status = run("status", "standby")
    assert status.exit_code == 3
    assert "Shadowed" in status.output
