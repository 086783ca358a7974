"""Several models behind one Gateway: `expose --model`, its preflight, and what `status` shows,
through the CLI against the fake API server over real HTTP."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fakekube import objects as o
from golden import assert_golden
from status_helpers import freeze_times, kubeconfig_for, report, running, status

from kubectl_httproute.cli import root
from kubectl_httproute.cli.common import GlobalFlags, open_cluster
from kubectl_httproute.cli.status import StatusOptions, build_view
from kubectl_httproute.core.basemodels import reduce_mapping

ROUTES = "gateway.networking.k8s.io/v1"
QWEN = "Qwen/Qwen3-32B"
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
GATEWAY = ("--gateway", "inference-gateway")
QUIET = ("--yes", "--no-record")


def run(*args: str) -> Result:
    return CliRunner().invoke(root, list(args), catch_exceptions=False)


def stored_route(cluster: Any, name: str) -> Any:
    return cluster.get(ROUTES, "httproutes", "llm", name)


def add_llama_pool(cluster: Any, *, ready: bool = True) -> None:
    """A second model's pool beside the standard cluster's qwen-pool, with its picker and pod."""
    cluster.add(o.pool_v1("llama-pool", selector={"app": "llama"}))
    cluster.add(o.service("llama-pool-epp", ports=[9002], selector={"app": "llama-pool-epp"}))
    cluster.add(o.pod("llama-0", labels={"app": "llama"}, ready=ready, ip="10.244.0.6"))


def map_models(cluster: Any) -> None:
    """The payload processor's ConfigMaps for both models (one under the older BBR label)."""
    cluster.add(o.model_mapping("qwen", QWEN, ("food-review-1",)))
    cluster.add(o.model_mapping("llama", LLAMA, label="inference.networking.k8s.io/bbr-managed"))


def real_writes(cluster: Any) -> list[Any]:
    return [
        r
        for r in cluster.requests
        if r.method in ("POST", "PUT", "PATCH", "DELETE")
        and "/selfsubject" not in r.path
        and r.query.get("dryRun") != ["All"]
    ]


def model_findings(output: str) -> list[str]:
    """The preflight lines the model check wrote (each finding's first line)."""
    marks = ("✗ error:", "! warning:", "· info:")
    return [
        line.strip()
        for line in output.splitlines()
        if line.strip().startswith(marks) and ("model" in line.lower() or "ConfigMap" in line)
    ]


# --- the route -------------------------------------------------------------------------------


def test_client_dry_run_adds_the_model_header_to_the_match_and_keeps_the_name() -> None:
    result = run(
        "expose", "qwen-pool", *GATEWAY, "-n", "llm", "--model", QWEN, "--path", "/v1",
        "--header", "x-team=a", "--dry-run=client", "-o", "yaml",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert_golden("expose/client-dry-run-model.yaml", result.stdout)


def test_a_model_name_no_header_can_carry_is_refused_before_any_request() -> None:
    result = run("expose", "qwen-pool", *GATEWAY, "--model", "Qwen\r\nX: y", "--dry-run=client")
    assert result.exit_code == 2
    assert "--model" in result.output and "control character" in result.output
    assert "Traceback" not in result.output


def test_model_and_a_header_of_the_same_name_contradict() -> None:
    result = run(
        "expose", "qwen-pool", *GATEWAY, "--model", QWEN,
        "--header", f"x-gateway-base-model-name={QWEN}", "--dry-run=client",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "give the model once, with --model" in result.output


def test_the_explanation_says_which_models_requests_the_route_takes(
    cluster: Any, kubeconfig: Path
) -> None:
    map_models(cluster)
    result = run("expose", "qwen-pool", *GATEWAY, "--model", QWEN, "--dry-run=server")
    assert result.exit_code == 0, result.output
    assert (
        f"Takes only the requests for model {QWEN}: header X-Gateway-Base-Model-Name is "
        f"exactly '{QWEN}'"
    ) in result.output


# --- two models on one Gateway ----------------------------------------------------------------


def test_two_models_on_one_gateway_both_reach_ready(cluster: Any, kubeconfig: Path) -> None:
    add_llama_pool(cluster)
    map_models(cluster)
    first = run("expose", "qwen-pool", *GATEWAY, "--model", QWEN, *QUIET)
    second = run("expose", "llama-pool", *GATEWAY, "--model", LLAMA, *QUIET)

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "Verdict: Ready" in first.output and "Verdict: Ready" in second.output
    # Different header values are different matches: neither shadows the other.
    assert "shadow" not in second.output
    for name, model in (("qwen-pool", QWEN), ("llama-pool", LLAMA)):
        match = stored_route(cluster, name)["spec"]["rules"][0]["matches"][0]
        assert match["headers"] == [
            {"type": "Exact", "name": "X-Gateway-Base-Model-Name", "value": model}
        ]
    status = run("status", "-o", "json")
    assert status.exit_code == 0, status.output
    routes = {r["name"]: r for r in json.loads(status.stdout)["routes"]}
    assert {n: (r["model"], r["verdict"]) for n, r in routes.items()} == {
        "llama-pool": (LLAMA, "Ready"),
        "qwen-pool": (QWEN, "Ready"),
    }


# --- preflight, each finding once ---------------------------------------------------------------


def test_a_mapped_base_model_is_confirmed(cluster: Any, kubeconfig: Path) -> None:
    map_models(cluster)
    result = run("expose", "qwen-pool", *GATEWAY, "--model", QWEN, "--dry-run=server")
    assert model_findings(result.output) == [
        f"· info: ConfigMap llm/qwen declares base model {QWEN}: the payload processor sets "
        "X-Gateway-Base-Model-Name for its requests"
    ]


def test_an_unmapped_model_warns_that_requests_carry_no_header_and_shows_the_mapping(
    cluster: Any, kubeconfig: Path
) -> None:
    result = run("expose", "qwen-pool", *GATEWAY, "--model", QWEN, *QUIET)
    assert result.exit_code == 0, result.output  # a warning: the route is still created
    assert model_findings(result.output) == [
        f'! warning: no payload processor ConfigMap in namespace "llm" declares base model '
        f"{QWEN}, and the Gateway's implementation (example.com/gateway-controller) does not "
        "set the header itself: requests will not carry X-Gateway-Base-Model-Name, and this "
        "route would take none of them"
    ]
    assert "inference.llm-d.ai/ipp-managed: 'true'" in result.output
    assert f"baseModel: {QWEN}" in result.output


def test_agentgateway_sets_the_header_itself_so_no_mapping_is_needed(
    cluster: Any, kubeconfig: Path
) -> None:
    cluster.add(o.gateway_class("example", "agentgateway.dev/agentgateway"))
    result = run("expose", "qwen-pool", *GATEWAY, "--model", QWEN, "--dry-run=server")
    assert result.exit_code == 0, result.output
    assert model_findings(result.output) == [
        "· info: the Gateway's implementation (agentgateway.dev/agentgateway) sets "
        "X-Gateway-Base-Model-Name itself, with an AgentgatewayPolicy (traffic.phase "
        "PreRouting): no payload processor needed"
    ]


def test_an_adapter_name_is_refused_naming_the_base_model_and_nothing_changes(
    cluster: Any, kubeconfig: Path
) -> None:
    map_models(cluster)
    before = cluster.snapshot()
    result = run("expose", "qwen-pool", *GATEWAY, "--model", "food-review-1", *QUIET)

    assert result.exit_code == 1, result.output
    assert model_findings(result.output) == [
        f"✗ error: food-review-1 is an adapter of base model {QWEN} (ConfigMap llm/qwen): the "
        "X-Gateway-Base-Model-Name header carries the base model's name, so no request would "
        "match this route"
    ]
    assert f"use --model {QWEN}" in result.output
    assert "nothing was changed" in result.output and "Traceback" not in result.output
    assert stored_route(cluster, "qwen-pool") is None
    assert cluster.snapshot() == before
    assert real_writes(cluster) == []


def test_a_name_two_configmaps_declare_is_refused_naming_both(
    cluster: Any, kubeconfig: Path
) -> None:
    map_models(cluster)
    cluster.add(o.model_mapping("qwen-copy", QWEN))
    before = cluster.snapshot()
    result = run("expose", "qwen-pool", *GATEWAY, "--model", QWEN, *QUIET)

    assert result.exit_code == 1, result.output
    assert (
        f"✗ error: ConfigMap llm/qwen and ConfigMap llm/qwen-copy both declare the model name "
        f"{QWEN}"
    ) in result.output
    assert cluster.snapshot() == before


def test_a_configmap_whose_adapters_are_not_a_list_is_a_warning_not_a_traceback(
    cluster: Any, kubeconfig: Path
) -> None:
    broken = o.model_mapping("broken", "other-model")
    broken["data"]["adapters"] = "- [unclosed\n: :"
    cluster.add(broken)
    map_models(cluster)
    result = run("expose", "qwen-pool", *GATEWAY, "--model", QWEN, "--dry-run=server")

    assert result.exit_code == 0, result.output
    assert (
        "! warning: ConfigMap llm/broken of the payload processor cannot be read fully "
        "(data.adapters is not YAML): the processor may ignore it"
    ) in result.output
    assert "Traceback" not in result.output


def test_configmaps_it_may_not_list_are_a_note_not_a_failure(
    cluster: Any, kubeconfig: Path
) -> None:
    cluster.deny("admin", "list", "", "configmaps", "llm")
    result = run("expose", "qwen-pool", *GATEWAY, "--model", QWEN, *QUIET)

    assert result.exit_code == 0, result.output
    assert model_findings(result.output)[0].startswith(
        '· info: could not list the payload processor\'s ConfigMaps in namespace "llm" (no '
        "permission)"
    )
    assert stored_route(cluster, "qwen-pool") is not None


def test_a_second_route_for_the_same_model_is_shadowed_and_the_older_named_as_winner(
    cluster: Any, kubeconfig: Path
) -> None:
    add_llama_pool(cluster)
    map_models(cluster)
    assert run("expose", "qwen-pool", *GATEWAY, "--model", QWEN, *QUIET).exit_code == 0
    result = run(
        "expose", "llama-pool", *GATEWAY, "--model", QWEN, "--name", "qwen-too",
        "--dry-run=server",
    )  # fmt: skip

    assert (
        "! warning: HTTPRoute llm/qwen-too would be shadowed on llm/inference-gateway: "
        "llm/qwen-pool has the same match (PathPrefix / +1 header(s), model "
        f"{QWEN}) for any host, and "
    ) in result.output
    assert (
        f"fix: llm/qwen-pool already takes model {QWEN}'s requests: change that route "
        "(--name qwen-pool) instead"
    ) in result.output


def test_the_model_check_reads_configmaps_once_per_label(cluster: Any, kubeconfig: Path) -> None:
    map_models(cluster)
    cluster.clear_requests()
    result = run("expose", "qwen-pool", *GATEWAY, "--model", QWEN, *QUIET, "--no-wait")

    assert result.exit_code == 0, result.output
    lists = [r for r in cluster.requests if r.path.endswith("/configmaps")]
    assert [(r.path, r.query.get("labelSelector")) for r in lists] == [
        ("/api/v1/namespaces/llm/configmaps", ["inference.llm-d.ai/ipp-managed=true"]),
        ("/api/v1/namespaces/llm/configmaps", ["inference.networking.k8s.io/bbr-managed=true"]),
    ]
    # The GatewayClass is read once, for the implementation's rules: two lists more than a
    # plain expose (11 requests).
    assert sum("gatewayclasses" in r.path for r in cluster.requests) == 1
    assert len(cluster.requests) == 11 + 2, [f"{r.method} {r.path}" for r in cluster.requests]


def test_an_unmapped_model_also_reads_the_gatewayclass_once(cluster: Any, kubeconfig: Path) -> None:
    cluster.clear_requests()
    run("expose", "qwen-pool", *GATEWAY, "--model", QWEN, *QUIET, "--no-wait")
    sent = [f"{r.method} {r.path}" for r in cluster.requests]
    assert sent.count("GET /apis/gateway.networking.k8s.io/v1/gatewayclasses/example") == 1
    assert len(sent) == 11 + 2


# --- status ------------------------------------------------------------------------------------

NOW = datetime(2025, 6, 1, 12, 5, 0, tzinfo=timezone.utc)


def model_route(
    name: str, pool: str, model: str, namespace: str = "llm", **kw: Any
) -> dict[str, Any]:
    """A route as `expose POOL --model MODEL` writes it, seeded straight into the store."""
    route = o.httproute(name, namespace, pool=pool, **kw)
    route["spec"]["rules"][0]["matches"][0]["headers"] = [
        {"type": "Exact", "name": "X-Gateway-Base-Model-Name", "value": model}
    ]
    return route


def several_models() -> list[dict[str, Any]]:
    """Four routes on one Gateway: two models mapped, one adapter name, one model unmapped;
    and a route for any model."""
    return [
        o.pool_v1("llama-pool", selector={"app": "llama"}),
        o.service("llama-pool-epp", ports=[9002], selector={"app": "llama-pool-epp"}),
        o.pod("llama-0", labels={"app": "llama"}, ip="10.244.0.6"),
        o.model_mapping("qwen", QWEN, ("food-review-1",)),
        o.model_mapping("llama", LLAMA, label="inference.networking.k8s.io/bbr-managed"),
        model_route("qwen", "qwen-pool", QWEN),
        model_route("qwen-eu", "qwen-pool", QWEN, hostnames=["eu.example.com"]),
        model_route("llama", "llama-pool", LLAMA),
        model_route("food-review", "qwen-pool", "food-review-1"),
        model_route("mistral", "qwen-pool", "mistralai/Mistral-7B"),
        o.httproute("catch-all", hostnames=["any.example.com"]),
    ]


def view_text(cluster: Any, route: str | None = None, *, all_namespaces: bool = False) -> str:
    """status's text at a fixed clock, against the cluster's stored objects."""
    flags = GlobalFlags(kubeconfig=kubeconfig_for(cluster))
    options = StatusOptions(route, all_namespaces, None, False, False, None, 5.0)
    client = open_cluster(flags)
    try:
        return build_view(client, options, flags, now=NOW).text + "\n"
    finally:
        client.close()


def test_status_shows_each_routes_model_and_what_is_wrong_with_it() -> None:
    with running(*several_models()) as cluster:
        freeze_times(cluster)
        assert_golden("status/overview_models.txt", view_text(cluster))


def test_status_json_names_the_model_of_each_route() -> None:
    with running(*several_models()) as cluster:
        routes = {r["name"]: r["model"] for r in report(cluster)["routes"]}
    assert routes == {
        "catch-all": None,
        "food-review": "food-review-1",
        "llama": LLAMA,
        "mistral": "mistralai/Mistral-7B",
        "qwen": QWEN,
        "qwen-eu": QWEN,
    }


def test_two_routes_for_one_model_on_one_gateway_are_named_on_both() -> None:
    with running(*several_models()) as cluster:
        found = {r["name"]: [f["what"] for f in r["findings"]] for r in report(cluster)["routes"]}
    twin = "also takes model Qwen/Qwen3-32B on Gateway llm/inference-gateway"
    assert [w for w in found["qwen"] if twin in w] == [
        f"HTTPRoute llm/qwen-eu {twin}"
        + (": which one gets a request depends on hostnames, paths and age")
    ]
    assert any(w.startswith(f"HTTPRoute llm/qwen {twin}") for w in found["qwen-eu"])
    assert not any(twin in w for w in found["llama"])


def test_a_model_nothing_sets_the_header_for_is_a_warning() -> None:
    with running(*several_models()) as cluster:
        found = {r["name"]: [f["what"] for f in r["findings"]] for r in report(cluster)["routes"]}
    assert found["mistral"] == [
        "nothing sets X-Gateway-Base-Model-Name for model mistralai/Mistral-7B on Gateway "
        "llm/inference-gateway: no payload processor ConfigMap declares it and the "
        "implementation (example.com/gateway-controller) does not set the header itself"
    ]
    assert found["llama"] == [] and found["qwen-eu"][1:] == []


def test_agentgateway_is_a_header_source_in_status_too() -> None:
    objects = [model_route("mistral", "qwen-pool", "mistralai/Mistral-7B")]
    standard = {"controller": "agentgateway.dev/agentgateway"}
    sim = {"controller_name": "agentgateway.dev/agentgateway"}
    with running(*objects, standard=standard, sim=sim) as cluster:
        (route,) = report(cluster)["routes"]
    assert (route["verdict"], route["findings"]) == ("Ready", [])


def test_a_route_for_an_adapter_name_is_degraded_naming_the_base_model() -> None:
    with running(*several_models()) as cluster:
        (route,) = report(cluster, "food-review")["routes"]
    assert route["verdict"] == "Degraded"
    assert [f["fix"] for f in route["findings"]] == [
        f"match the base model instead: header value {QWEN}"
    ]


def test_a_model_whose_pool_has_no_ready_pod_says_its_requests_get_503() -> None:
    objects = [*several_models(), o.pod("llama-0", labels={"app": "llama"}, ready=False)]
    with running(*objects) as cluster:
        (route,) = report(cluster, "llama")["routes"]
    assert route["verdict"] == "Degraded"
    assert (
        f"model {LLAMA} has no Ready model server: InferencePool llm/llama-pool has 1 pod(s), "
        "none Ready, so its requests get 503"
    ) in [f["what"] for f in route["findings"]]


def test_status_without_models_reads_no_configmaps() -> None:
    with running(o.httproute()) as cluster:
        cluster.clear_requests()
        report(cluster, "-A")
        assert not any("configmaps" in r.path for r in cluster.requests)


def test_status_reads_configmaps_once_per_label_however_many_model_routes() -> None:
    routes = [model_route(f"m-{i:03d}", "qwen-pool", f"model-{i}") for i in range(40)]
    with running(*routes, o.namespace("team")) as cluster:
        for i in range(40):
            cluster.add(model_route(f"t-{i:03d}", "qwen-pool", f"model-{i}", "team"))
        cluster.clear_requests()
        data = report(cluster, "-A")
        everywhere = [f"{r.method} {r.path}" for r in cluster.requests]
        cluster.clear_requests()
        report(cluster)
        one_namespace = [f"{r.method} {r.path}" for r in cluster.requests]

    assert len(data["routes"]) == 80
    # -A: one list per label across the cluster, beside discovery and one list per other kind.
    assert [s for s in everywhere if "configmaps" in s] == ["GET /api/v1/configmaps"] * 2
    assert len(everywhere) == 1 + 4 + 2
    # One namespace (its routes' Gateway lives there too): one list per label in it.
    assert [s for s in one_namespace if "configmaps" in s] == [
        "GET /api/v1/namespaces/llm/configmaps"
    ] * 2
    assert len(one_namespace) == 1 + 4 + 2


def test_status_notes_configmaps_it_may_not_list_and_still_succeeds() -> None:
    with running(model_route("qwen", "qwen-pool", QWEN)) as cluster:
        cluster.deny("admin", "list", "", "configmaps", "llm")
        result = status(cluster)
    assert result.exit_code == 0, result.output
    assert "could not read configmaps in namespace llm: forbidden" in result.output
    assert "nothing sets" not in result.output  # not read: no verdict on the header source


@pytest.mark.parametrize(
    ("data", "problem", "adapters"),
    [
        ({"baseModel": "m", "adapters": "- a\n- b\n"}, "", ("a", "b")),
        ({"baseModel": "m", "adapters": ""}, "", ()),
        ({"baseModel": "m"}, "", ()),
        ({"baseModel": "m", "adapters": "a: b"}, "data.adapters is not a YAML list", ()),
        ({"baseModel": "m", "adapters": "- {a: b}"}, "an entry that is not a name", ()),
        ({"baseModel": "m", "adapters": "- [x"}, "data.adapters is not YAML", ()),
        ({"adapters": "- a"}, "data.baseModel is missing or empty", ("a",)),
        (None, "data.baseModel is missing or empty", ()),
    ],
)
def test_a_mapping_configmap_is_read_tolerantly(
    data: Any, problem: str, adapters: tuple[str, ...]
) -> None:
    mapping = reduce_mapping({"metadata": {"name": "x", "namespace": "llm"}, "data": data})
    assert problem in mapping.problem and bool(problem) == bool(mapping.problem)
    assert mapping.adapters == adapters


def test_an_empty_model_name_is_refused() -> None:
    result = run("expose", "qwen-pool", *GATEWAY, "--model", "", "--dry-run=client")
    assert result.exit_code == 2
    assert "--model: the model name is empty" in result.output


def test_many_routes_for_one_model_name_three_and_count_the_rest() -> None:
    routes = [
        model_route(f"q{i}", "qwen-pool", QWEN, hostnames=[f"h{i}.example.com"]) for i in range(5)
    ]
    with running(*routes, o.model_mapping("qwen", QWEN)) as cluster:
        found = {r["name"]: [f["what"] for f in r["findings"]] for r in report(cluster)["routes"]}
    assert found["q0"] == [
        "HTTPRoute llm/q1, HTTPRoute llm/q2, HTTPRoute llm/q3 and 1 more also take model "
        f"{QWEN} on Gateway llm/inference-gateway: which one gets a request depends on "
        "hostnames, paths and age"
    ]
