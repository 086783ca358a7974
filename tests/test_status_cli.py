"""`kubectl inferroute status`: tables, -A, the JSON report, exit codes, partial reads, requests."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from fakekube.objects import httproute, namespace
from golden import assert_golden
from status_helpers import freeze_times, kubeconfig_for, report, running, status

from kubectl_httproute.cli import root
from kubectl_httproute.cli.common import GlobalFlags, open_cluster
from kubectl_httproute.cli.status import StatusOptions, build_view

NOW = datetime(2025, 6, 1, 12, 5, 0, tzinfo=timezone.utc)


def view_text(cluster: object, route: str | None = None, **kwargs: object) -> str:
    """Render status at a fixed clock, against the cluster's stored objects."""
    flags = GlobalFlags(kubeconfig=kubeconfig_for(cluster))  # type: ignore[arg-type]
    options = StatusOptions(
        route=route,
        all_namespaces=bool(kwargs.get("all_namespaces", False)),
        output=kwargs.get("output"),  # type: ignore[arg-type]
        watch=False,
        probe=False,
        model=None,
        probe_timeout=5.0,
    )
    client = open_cluster(flags)
    try:
        return build_view(client, options, flags, now=NOW).text + "\n"
    finally:
        client.close()


def mixed_cluster_objects() -> list[dict[str, object]]:
    return [
        namespace("team"),
        httproute(hostnames=["llm.example.com"]),
        httproute("broken", pool="nope", hostnames=["broken.example.com"]),
        httproute("team-route", "team", gateway_namespace="llm", pool_namespace="llm"),
    ]


# --- tables --------------------------------------------------------------------------------------


def test_overview_table_and_findings() -> None:
    with running(*mixed_cluster_objects()) as cluster:
        freeze_times(cluster)
        assert_golden("status/overview.txt", view_text(cluster))


def test_overview_wide_table() -> None:
    with running(*mixed_cluster_objects()) as cluster:
        freeze_times(cluster)
        assert_golden("status/overview_wide.txt", view_text(cluster, output="wide"))


def test_overview_all_namespaces_has_a_namespace_column() -> None:
    with running(*mixed_cluster_objects()) as cluster:
        freeze_times(cluster)
        text = view_text(cluster, all_namespaces=True)
        assert_golden("status/overview_all_namespaces.txt", text)
        assert text.splitlines()[0].startswith("NAMESPACE")
        assert re.search(r"^team\s+team-route\s", text, re.MULTILINE)


@pytest.fixture
def ascii_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    # The detail view opens with the traffic tree: plain ASCII whatever the terminal (goldens).
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.mark.usefixtures("ascii_tree")
def test_detail_of_a_ready_route() -> None:
    with running(httproute(hostnames=["llm.example.com"])) as cluster:
        freeze_times(cluster)
        assert_golden("status/detail_ready.txt", view_text(cluster, "qwen-pool"))


@pytest.mark.usefixtures("ascii_tree")
def test_detail_of_a_cross_namespace_route_shows_grants() -> None:
    from fakekube.objects import pool_v1, reference_grant

    with running(
        namespace("models"),
        pool_v1("qwen-pool", "models"),
        reference_grant("allow-llm", "models", "llm"),
        httproute(pool_namespace="models"),
    ) as cluster:
        freeze_times(cluster)
        text = view_text(cluster, "qwen-pool")
        assert_golden("status/detail_cross_namespace.txt", text)
        assert "InferencePool models/qwen-pool: permitted by models/allow-llm" in text


@pytest.mark.usefixtures("ascii_tree")
def test_detail_of_an_unresolved_route_prints_the_grant_yaml() -> None:
    from fakekube.objects import pool_v1

    with running(
        namespace("models"), pool_v1("qwen-pool", "models"), httproute(pool_namespace="models")
    ) as cluster:
        freeze_times(cluster)
        text = view_text(cluster, "qwen-pool")
        assert_golden("status/detail_ref_not_permitted.txt", text)
        assert "\n    kind: ReferenceGrant\n" in text


# --- CLI -----------------------------------------------------------------------------------------


def test_every_route_ready_exits_0() -> None:
    with running(httproute()) as cluster:
        result = status(cluster)
        assert result.exit_code == 0, result.output
        assert "qwen-pool" in result.stdout and "Ready" in result.stdout


def test_a_route_not_ready_exits_3() -> None:
    with running(httproute(), httproute("broken", pool="nope", hostnames=["x.example.com"])) as c:
        result = status(c)
        assert result.exit_code == 3
        assert "Unresolved" in result.stdout
        assert "error: HTTPRoute llm/broken: InferencePool llm/nope does not exist" in result.stdout


def test_detail_of_a_missing_route_exits_1() -> None:
    with running() as cluster:
        result = status(cluster, "nope")
        assert result.exit_code == 1
        assert 'error: HTTPRoute "nope" not found in namespace "llm"' in result.output


def test_bad_usage_exits_2_before_any_request() -> None:
    with running() as cluster:
        cluster.clear_requests()
        for args in (["qwen-pool", "-A"], ["--probe"], ["-o", "names"], ["--model", "m"]):
            result = status(cluster, *args)
            assert result.exit_code == 2, (args, result.output)
        assert cluster.requests == []


def test_unreachable_cluster_exits_1(tmp_path: Path) -> None:
    from conftest import write_kubeconfig

    path = write_kubeconfig(tmp_path / "kc", "http://127.0.0.1:9")
    result = CliRunner().invoke(root, ["status", "--kubeconfig", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith("error: cannot reach the API server")


def test_no_routes_says_so_and_exits_0() -> None:
    with running() as cluster:
        result = status(cluster)
        assert result.exit_code == 0
        assert (
            'No HTTPRoutes with InferencePool backends found in namespace "llm".' in result.stdout
        )


def test_routes_without_pools_are_not_shown() -> None:
    plain = httproute("web", pool="web", pool_group=None)
    with running(plain, httproute()) as cluster:
        routes = report(cluster)["routes"]
        assert [r["name"] for r in routes] == ["qwen-pool"]


def test_all_namespaces_lists_every_namespace() -> None:
    with running(*mixed_cluster_objects()) as cluster:
        data = report(cluster, "-A")
        assert data["namespace"] is None
        assert [(r["namespace"], r["name"]) for r in data["routes"]] == [
            ("llm", "broken"),
            ("llm", "qwen-pool"),
            ("team", "team-route"),
        ]


def test_json_report_shape() -> None:
    with running(httproute(hostnames=["llm.example.com"])) as cluster:
        data = report(cluster)
        assert set(data) == {"apiVersion", "kind", "namespace", "routes", "unreadable", "probe"}
        assert (data["apiVersion"], data["kind"]) == ("inferroute/v1", "StatusReport")
        (route,) = data["routes"]
        assert set(route) == {
            "namespace", "name", "verdict", "ready", "created", "generation",
            "observedGeneration", "hostnames", "paths", "model", "gateways", "pools",
            "conditions", "findings",
        }  # fmt: skip
        assert route["model"] is None  # no X-Gateway-Base-Model-Name match: any model
        assert route["verdict"] == "Ready" and route["ready"] is True
        assert route["hostnames"] == ["llm.example.com"]
        assert route["paths"] == ["/"]
        assert route["pools"] == [
            {"group": "inference.networking.k8s.io", "namespace": "llm", "name": "qwen-pool",
             "weight": 1}
        ]  # fmt: skip
        (gw,) = route["gateways"]
        assert gw["name"] == "inference-gateway" and gw["class"] == "example"
        assert gw["controller"] == "example.com/gateway-controller"
        assert gw["addresses"] == ["127.0.0.1"] and gw["programmed"] == "True"
        assert {c["type"] for c in route["conditions"]} == {"Accepted", "ResolvedRefs"}
        assert set(route["conditions"][0]) == {
            "parent", "controller", "type", "status", "reason", "message",
            "observedGeneration", "lastTransitionTime",
        }  # fmt: skip
        assert route["findings"] == []
        assert data["unreadable"] == [] and data["probe"] is None


def test_yaml_report_is_the_same_as_json() -> None:
    with running(httproute()) as cluster:
        as_yaml = yaml.safe_load(status(cluster, "-o", "yaml").stdout)
        assert as_yaml == report(cluster)


def test_json_is_printed_for_a_single_route_too() -> None:
    with running(httproute()) as cluster:
        data = report(cluster, "qwen-pool")
        assert [r["name"] for r in data["routes"]] == ["qwen-pool"]


# --- partial reads -------------------------------------------------------------------------------


def test_a_kind_that_cannot_be_read_is_named_and_the_rest_is_shown() -> None:
    with running(httproute()) as cluster:
        cluster.deny("admin", "list", "gateway.networking.k8s.io", "gatewayclasses")
        result = status(cluster)
        assert result.exit_code == 0
        assert "qwen-pool" in result.stdout
        assert "could not read gatewayclasses.gateway.networking.k8s.io: forbidden" in result.output
        data = json.loads(status(cluster, "-o", "json").stdout)
        assert data["unreadable"] == [
            {"kind": "gatewayclasses.gateway.networking.k8s.io", "namespace": None,
             "reason": "forbidden"}
        ]  # fmt: skip


def test_unreadable_pools_still_give_route_verdicts() -> None:
    with running(httproute()) as cluster:
        cluster.deny("admin", "list", "inference.networking.k8s.io", "inferencepools")
        data = report(cluster)
        assert data["routes"][0]["verdict"] == "Ready"
        assert data["unreadable"][0]["kind"] == "inferencepools.inference.networking.k8s.io"


def test_unreadable_routes_exit_1() -> None:
    with running(httproute()) as cluster:
        cluster.deny("admin", "list", "gateway.networking.k8s.io", "httproutes")
        result = status(cluster)
        assert result.exit_code == 1
        assert (
            "could not read httproutes.gateway.networking.k8s.io in namespace llm: forbidden"
            in (result.output)
        )


# --- requests ------------------------------------------------------------------------------------


def _list_requests(cluster: object, n: int) -> list[str]:
    for i in range(n):
        cluster.add(httproute(f"route-{i:04d}", hostnames=[f"h{i}.example.com"]))  # type: ignore[attr-defined]
    cluster.clear_requests()  # type: ignore[attr-defined]
    result = status(cluster, "-o", "json")  # type: ignore[arg-type]
    assert result.exit_code in (0, 3), result.output
    assert len(json.loads(result.stdout)["routes"]) == n
    return [f"{r.method} {r.path}" for r in cluster.requests]  # type: ignore[attr-defined]


def test_requests_do_not_grow_with_routes() -> None:
    with running(controller=False) as one, running(controller=False) as many:
        few = _list_requests(one, 1)
        lots = _list_requests(many, 200)
    assert few == lots
    assert len(few) == 5  # discovery, routes, gateways, classes, pools
    assert all(r.startswith("GET ") for r in few)


def test_requests_grow_with_pages_of_500() -> None:
    with running(controller=False) as cluster:
        requests = _list_requests(cluster, 1001)
    assert len(requests) == 7  # three pages of routes
    assert sum("/httproutes" in r for r in requests) == 3


# --- watch ---------------------------------------------------------------------------------------


def test_watch_re_renders_when_something_changes() -> None:
    from kubectl_httproute.cli.status import watch_loop

    with running(httproute()) as cluster:
        flags = GlobalFlags(kubeconfig=kubeconfig_for(cluster))
        options = StatusOptions(None, False, None, True, False, None, 5.0)
        client = open_cluster(flags)
        emitted: list[str] = []
        sleeps: list[float] = []

        def sleep(seconds: float) -> None:
            sleeps.append(seconds)
            if len(sleeps) == 2:  # after one unchanged poll, break the pool's endpoint picker
                cluster.delete("v1", "Service", "llm", "qwen-pool-epp")
                cluster.add(httproute(labels={"poke": "1"}))  # make the controller look again

                import time

                deadline = time.monotonic() + 3
                while time.monotonic() < deadline:
                    pool = cluster.get("inference.networking.k8s.io/v1", "inferencepools", "llm",
                                       "qwen-pool")  # fmt: skip
                    if "InvalidExtensionRef" in json.dumps(pool.get("status")):
                        break
                    time.sleep(0.02)

        last = watch_loop(
            lambda: build_view(client, options, flags, now=NOW),
            lambda view: emitted.append(view.text),
            lambda: len(emitted) >= 2,
            sleep=sleep,
            interval=0.5,
        )
        client.close()
        assert len(emitted) == 2
        assert "Ready" in emitted[0]
        assert "Degraded" in emitted[1] and "InvalidExtensionRef" in emitted[1]
        assert last is not None and last.exit_code == 3
        assert sleeps[:2] == [0.5, 0.75]  # backoff while nothing changes


def test_watch_loop_backs_off_and_resets_on_change() -> None:
    from kubectl_httproute.cli.status import StatusView, watch_loop

    keys = iter(["a", "a", "a", "a", "b", "b"])
    emitted: list[str] = []
    sleeps: list[float] = []
    remaining = [6]

    def snapshot() -> StatusView:
        remaining[0] -= 1
        key = next(keys)
        return StatusView(key, key, 0)

    watch_loop(
        snapshot,
        lambda v: emitted.append(v.key),
        lambda: remaining[0] == 0,
        sleep=sleeps.append,
        interval=1.0,
        max_interval=2.0,
    )
    assert emitted == ["a", "b"]
    assert sleeps == [1.0, 1.5, 2.0, 2.0, 1.0]


def test_watch_output_is_printed_once_then_on_changes(monkeypatch: object) -> None:
    import kubectl_httproute.cli.status as status_cli

    def one_round(snapshot, emit, stop, **_):  # type: ignore[no-untyped-def]
        emit(snapshot())
        raise KeyboardInterrupt

    monkeypatch.setattr(status_cli, "watch_loop", one_round)  # type: ignore[attr-defined]
    with running(httproute()) as cluster:
        result = status(cluster, "--watch")
        # Ctrl-C ends a watch as kubectl's `get --watch` ends: exit 130 (was 0), and only
        # `interrupted`, since status changes nothing.
        assert result.exit_code == 130, result.output
        assert result.stderr.strip() == "interrupted"
        assert result.stdout.startswith("--- ")
        assert "qwen-pool" in result.stdout


# --- the probe offered at the end of an interactive expose ---------------------------------------


def test_interactive_expose_offers_the_probe_when_the_route_is_ready(
    cluster: object, kubeconfig: Path
) -> None:
    from test_terminal import plugin_env, python_plugin, run_in_terminal

    code, out = run_in_terminal(
        [*python_plugin(), "expose", "qwen-pool", "--gateway", "inference-gateway"],
        plugin_env(kubeconfig),
        [
            ("May I proceed with deployment? [y/N]", "y"),
            ("Write the deployment record", "n"),
            ("Send a test request through the Gateway (GET /v1/models)? [y/N]", "y"),
        ],
    )
    assert code == 0, out
    # Nothing listens on the Gateway's address and it has no Service: the in-cluster command.
    assert "Probe (in-cluster command)" in out
    assert "kubectl run inferroute-probe -n llm" in out


def test_expose_with_yes_and_no_terminal_does_not_ask_to_probe(
    cluster: object, kubeconfig: Path
) -> None:
    result = CliRunner().invoke(
        root, ["expose", "qwen-pool", "--gateway", "inference-gateway", "--yes", "--no-record"]
    )
    assert result.exit_code == 0, result.output
    assert "Send a test request" not in result.output


def test_report_json_is_indented_as_kubectl_prints_objects() -> None:
    # Was one route per line, two spaces: changed on purpose to kubectl's -o json (issue 15).
    from kubectl_httproute.render.report import render_report_json

    data = {
        "apiVersion": "inferroute/v1",
        "kind": "StatusReport",
        "namespace": None,
        "routes": [{"name": "a", "findings": []}, {"name": "b", "hostnames": ["é.example"]}],
        "unreadable": [],
        "probe": None,
    }
    text = render_report_json(data)
    assert json.loads(text) == data
    assert text == json.dumps(data, indent=4, sort_keys=True, ensure_ascii=False) + "\n"
    assert '        {\n            "findings": [],\n            "name": "a"\n        },\n' in text
    assert '\n    "unreadable": []\n}\n' in text
