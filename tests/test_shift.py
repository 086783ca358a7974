"""`shift` end to end, through the CLI, against the fake API server over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import wait_until_reconciled, write_kubeconfig
from fakekube import ControllerSim, FakeCluster
from fakekube import objects as o
from golden import assert_golden
from test_expose import real_writes, writes

from kubectl_httproute.cli import root

ROUTES = "gateway.networking.k8s.io/v1"
POOLS = "inference.networking.k8s.io/v1"
REVISIONS = "inferroute.llm-d.ai/revisions"
QUIET = ("--yes", "--no-record")


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(root, list(args), input=input, catch_exceptions=False)


def stored_route(cluster: Any, name: str = "qwen") -> Any:
    return cluster.get(ROUTES, "httproutes", "llm", name)


def weights(cluster: Any, name: str = "qwen") -> dict[str, int]:
    refs = stored_route(cluster, name)["spec"]["rules"][0]["backendRefs"]
    return {r["name"]: r["weight"] for r in refs}


def revisions(cluster: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(
        stored_route(cluster)["metadata"]["annotations"][REVISIONS]
    )
    return items


def add_pool(cluster: Any, name: str, *, ready: bool = True, epp: bool = True) -> None:
    cluster.add(o.pool_v1(name, selector={"app": name}, epp="NAME-epp" if epp else None))
    cluster.add(o.service(f"{name}-epp", ports=[9002]))
    cluster.add(o.pod(f"{name}-0", labels={"app": name}, ready=ready))


def expose_v1(cluster: Any) -> None:
    """Route qwen: all traffic to qwen-v1; qwen-v2 deployed beside it, not on the route yet."""
    add_pool(cluster, "qwen-v1")
    add_pool(cluster, "qwen-v2")
    result = run("expose", "qwen-v1", "--gateway", "inference-gateway", "--name", "qwen", *QUIET)
    assert result.exit_code == 0, result.output
    cluster.clear_requests()


@pytest.fixture
def two_pools(cluster: Any, kubeconfig: Path) -> Any:
    expose_v1(cluster)
    return cluster


def set_pod_ready(cluster: Any, name: str, ready: bool) -> None:
    pod = cluster.get("v1", "pods", "llm", name)
    state = "True" if ready else "False"
    conditions = [{"type": "Ready", "status": state}, {"type": "ContainersReady", "status": state}]
    cluster.set_status("v1", "pods", "llm", name, {**pod["status"], "conditions": conditions})


@pytest.fixture
def canary_failing_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A cluster whose controller turns qwen-v2's pod unready once qwen-v2 gets 50 or more."""

    def unready_at_half(fake: Any) -> None:
        route = fake.get(ROUTES, "httproutes", "llm", "qwen")
        refs = (route or {}).get("spec", {}).get("rules", [{}])[0].get("backendRefs", [])
        if any(r["name"] == "qwen-v2" and r.get("weight", 1) >= 50 for r in refs):
            pod = fake.get("v1", "pods", "llm", "qwen-v2-0")
            if pod["status"]["conditions"][0]["status"] == "True":
                set_pod_ready(fake, "qwen-v2-0", False)

    fake = FakeCluster()
    with fake:
        o.standard_cluster(fake)
        with ControllerSim(fake, delay=0.02, after_reconcile=unready_at_half):
            wait_until_reconciled(fake)
            config = write_kubeconfig(tmp_path / "kubeconfig", fake.url)
            monkeypatch.setenv("KUBECONFIG", str(config))
            expose_v1(fake)
            yield fake


# --- one step -----------------------------------------------------------------------------------


def test_sets_the_weights_given_and_shows_the_traffic_before_and_after(two_pools: Any) -> None:
    result = run("shift", "qwen", "qwen-v2=10", "qwen-v1=90", *QUIET)

    assert result.exit_code == 0, result.output
    assert weights(two_pools) == {"qwen-v1": 90, "qwen-v2": 10}
    added = stored_route(two_pools)["spec"]["rules"][0]["backendRefs"][1]
    assert added == {
        "group": "inference.networking.k8s.io",
        "kind": "InferencePool",
        "name": "qwen-v2",
        "port": 8000,
        "weight": 10,
    }
    out = result.output
    for expected in (
        "Traffic of HTTPRoute llm/qwen now\nPOOL     WEIGHT    SHARE\nqwen-v1  1         100%",
        "Traffic after\nPOOL     WEIGHT    SHARE\nqwen-v1  90        90%\nqwen-v2  10        10%",
        "Preflight checks",
        "Server dry-run",
        "spec.rules[0].backendRefs[0].weight: 1 → 90",
        "httproute.gateway.networking.k8s.io/qwen configured",
        "Verdict: Ready",
    ):
        assert expected in out
    assert out.index("Traffic after") < out.index("Server dry-run") < out.index("configured")


def test_records_a_revision_with_the_command(two_pools: Any) -> None:
    run("shift", "qwen", "qwen-v2=10", "qwen-v1=90", *QUIET)
    latest = revisions(two_pools)[-1]
    assert [r["number"] for r in revisions(two_pools)] == [1, 2]
    assert latest["command"] == "inferroute shift qwen qwen-v2=10 qwen-v1=90 --yes --no-record"
    assert latest["rules"] == stored_route(two_pools)["spec"]["rules"]


def test_unlisted_pools_keep_their_weight_and_zero_keeps_the_backend_ref(two_pools: Any) -> None:
    run("shift", "qwen", "qwen-v2=10", "qwen-v1=90", *QUIET)
    result = run("shift", "qwen", "qwen-v1=0", *QUIET)

    assert result.exit_code == 0, result.output
    assert weights(two_pools) == {"qwen-v1": 0, "qwen-v2": 10}


def test_a_rerun_that_changes_nothing_applies_nothing(two_pools: Any) -> None:
    run("shift", "qwen", "qwen-v2=10", "qwen-v1=90", *QUIET)
    two_pools.clear_requests()
    result = run("shift", "qwen", "qwen-v2=10", *QUIET)

    assert result.exit_code == 0, result.output
    assert "unchanged" in result.output
    assert real_writes(two_pools) == []


def test_writes_a_record_with_the_traffic(two_pools: Any) -> None:
    result = run("shift", "qwen", "qwen-v2=10", "qwen-v1=90", "--yes", "--record", "shift.md")

    assert result.exit_code == 0, result.output
    text = Path("shift.md").read_text()
    assert "InferencePool qwen-v1: 100% -> 90% of requests (weight 90)." in text
    assert "InferencePool qwen-v2: none -> 10% of requests (weight 10)." in text
    assert "revision 2 recorded on the route" in text


def test_output_yaml_prints_the_applied_object(two_pools: Any) -> None:
    result = run("shift", "qwen", "qwen-v2=10", "-o", "yaml", *QUIET)

    assert result.exit_code == 0, result.output
    obj = yaml.safe_load(result.stdout)
    assert obj["spec"]["rules"][0]["backendRefs"][1]["weight"] == 10
    assert "status" in obj


# --- mirror -------------------------------------------------------------------------------------


def test_mirror_adds_a_request_mirror_filter_and_says_it_is_implementation_specific(
    two_pools: Any,
) -> None:
    result = run("shift", "qwen", "--mirror", "qwen-v2=10", *QUIET)

    assert result.exit_code == 0, result.output
    rule = stored_route(two_pools)["spec"]["rules"][0]
    assert rule["filters"] == [
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
    assert weights(two_pools) == {"qwen-v1": 1}  # mirrored, not routed
    assert "qwen-v2  -         mirror 10%" in result.output
    assert "Mirroring to an InferencePool is implementation-specific" in result.output


def test_no_mirror_removes_it(two_pools: Any) -> None:
    run("shift", "qwen", "--mirror", "qwen-v2=10", *QUIET)
    result = run("shift", "qwen", "--no-mirror", *QUIET)

    assert result.exit_code == 0, result.output
    assert "filters" not in stored_route(two_pools)["spec"]["rules"][0]


# --- refusals: nothing changes ------------------------------------------------------------------


def test_a_missing_route_is_one_clear_line(two_pools: Any) -> None:
    before = two_pools.snapshot()
    result = run("shift", "nope", "qwen-v2=10", *QUIET)

    assert result.exit_code == 1
    assert (
        result.output.strip()
        .splitlines()[-1]
        .startswith('error: HTTPRoute "nope" not found in namespace "llm"')
    )
    assert two_pools.snapshot() == before


def test_refuses_without_a_terminal_or_yes_and_changes_nothing(two_pools: Any) -> None:
    before = two_pools.snapshot()
    result = run("shift", "qwen", "qwen-v2=10", "--no-record")

    assert result.exit_code == 4
    assert "not applied: there is no terminal to ask for approval" in result.output
    assert two_pools.snapshot() == before


def test_asks_on_the_terminal_and_a_no_changes_nothing(two_pools: Any, kubeconfig: Path) -> None:
    from test_terminal import installed_plugin, plugin_env, run_in_terminal

    before = two_pools.snapshot()
    argv = [installed_plugin(), "shift", "qwen", "qwen-v2=10", "--no-record"]
    code, out = run_in_terminal(argv, plugin_env(kubeconfig), [("May I proceed", "n")], timeout=90)

    assert code == 4, out
    assert "Does this traffic change look correct? May I proceed with deployment?" in out
    assert two_pools.snapshot() == before

    answers = [("May I proceed", "y"), ("Send a test request", "n")]
    code, out = run_in_terminal(argv, plugin_env(kubeconfig), answers, timeout=90)
    assert code == 0, out
    assert weights(two_pools) == {"qwen-v1": 1, "qwen-v2": 10}


def test_server_dry_run_never_applies(two_pools: Any) -> None:
    before = two_pools.snapshot()
    result = run("shift", "qwen", "qwen-v2=10", "--dry-run=server", "-o", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["spec"]["rules"][0]["backendRefs"][1]["weight"] == 10
    assert real_writes(two_pools) == []
    assert two_pools.snapshot() == before


def test_client_dry_run_sends_no_write(two_pools: Any) -> None:
    before = two_pools.snapshot()
    result = run("shift", "qwen", "qwen-v2=10", "--dry-run=client")

    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.stdout)["spec"]["rules"][0]["backendRefs"][1]["weight"] == 10
    assert writes(two_pools) == []
    assert two_pools.snapshot() == before


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("qwen-v2",), 'POOL "qwen-v2": shift needs the weight'),
        (("qwen-v2=x",), 'POOL "qwen-v2=x"'),
        ((), "shift needs what to change"),
        (("--steps", "10,50"), "--steps, --interval and --probe belong to a progressive shift"),
        (("--to", "qwen-v2"), "--to needs --steps"),
        (("--to", "qwen-v2", "--steps", "50,10"), "the steps must rise"),
        (("--to", "qwen-v2", "--steps", "50", "qwen-v1=1"), "contradict each other"),
        (("--to", "qwen-v2", "--steps", "50", "--no-wait"), "--no-wait cannot be combined"),
        (("--mirror", "qwen-v2=200"), "percent must be from 0 to 100"),
        (("--mirror", "qwen-v2=1", "--no-mirror"), "contradict each other"),
        (("--to", "qwen-v2", "--steps", "50", "--interval", "soon"), "--interval"),
    ],
)
def test_bad_input_is_one_line_before_any_request(
    two_pools: Any, args: tuple[str, ...], says: str
) -> None:
    result = run("shift", "qwen", *args, "--yes")

    assert result.exit_code == 2, result.output
    assert says in result.output
    assert "Traceback" not in result.output
    assert two_pools.requests == []


def test_a_missing_pool_is_named_with_those_that_exist(two_pools: Any) -> None:
    before = two_pools.snapshot()
    result = run("shift", "qwen", "qwen-v3=10", *QUIET)

    assert result.exit_code == 1
    assert 'InferencePool "qwen-v3" not found in namespace "llm"' in result.output
    assert "llm/qwen-v2" in result.output
    assert two_pools.snapshot() == before


def test_every_weight_zero_is_refused(two_pools: Any) -> None:
    result = run("shift", "qwen", "qwen-v1=0", *QUIET)
    assert result.exit_code == 2
    assert "would send no traffic" in result.output


# --- gates --------------------------------------------------------------------------------------


def break_pods(cluster: Any) -> None:
    set_pod_ready(cluster, "qwen-v2-0", False)


def delete_picker(cluster: Any) -> None:
    cluster.delete("v1", "services", "llm", "qwen-v2-epp")


def drop_picker_ref(cluster: Any) -> None:
    pool = cluster.get(POOLS, "inferencepools", "llm", "qwen-v2")
    del pool["spec"]["endpointPickerRef"]
    cluster.add(pool)


def delete_pool_on_the_route(cluster: Any) -> None:
    assert run("shift", "qwen", "qwen-v2=0", *QUIET).exit_code == 0
    cluster.delete(POOLS, "inferencepools", "llm", "qwen-v2")


GATES: dict[str, tuple[Callable[[Any], None], str]] = {
    "no Ready pod": (break_pods, "InferencePool llm/qwen-v2 has no Ready pod"),
    "no endpoint picker Service": (
        delete_picker,
        'the endpoint picker Service "qwen-v2-epp" of InferencePool llm/qwen-v2 is missing',
    ),
    "no endpoint picker": (drop_picker_ref, "InferencePool llm/qwen-v2 names no endpoint picker"),
    "the pool does not exist": (
        delete_pool_on_the_route,
        "InferencePool llm/qwen-v2 does not exist",
    ),
}


@pytest.mark.parametrize("gate", list(GATES))
def test_a_failed_gate_blocks_the_apply_and_changes_nothing(two_pools: Any, gate: str) -> None:
    breaks, says = GATES[gate]
    breaks(two_pools)
    before = two_pools.snapshot()
    result = run("shift", "qwen", "qwen-v2=10", *QUIET)

    assert result.exit_code == 1, result.output
    assert says in result.output
    assert "--force" in result.output.strip().splitlines()[-1]
    assert two_pools.snapshot() == before


@pytest.mark.parametrize("gate", ["no Ready pod", "no endpoint picker Service"])
def test_force_applies_past_a_failed_gate(two_pools: Any, gate: str) -> None:
    GATES[gate][0](two_pools)
    result = run("shift", "qwen", "qwen-v2=10", "--force", *QUIET)

    assert result.exit_code == 0, result.output
    assert "--force: applying anyway" in result.output
    assert weights(two_pools) == {"qwen-v1": 1, "qwen-v2": 10}


def test_a_pool_getting_no_traffic_is_not_gated(two_pools: Any) -> None:
    break_pods(two_pools)
    result = run("shift", "qwen", "qwen-v2=0", *QUIET)
    assert result.exit_code == 0, result.output


# --- progressive ----------------------------------------------------------------------------------


STEPS = ("--to", "qwen-v2", "--steps", "10,50,100", "--interval", "0.1s")


def test_shifts_step_by_step_to_the_pool_under_one_approval(two_pools: Any) -> None:
    run("shift", "qwen", "qwen-v2=0", *QUIET)
    two_pools.clear_requests()
    result = run("shift", "qwen", *STEPS, *QUIET)

    assert result.exit_code == 0, result.output
    assert weights(two_pools) == {"qwen-v1": 0, "qwen-v2": 100}
    out = result.output
    assert (
        "STEP              QWEN-V2 SHARE    WEIGHTS\n"
        "1                 10%              qwen-v1=90 qwen-v2=10\n"
        "2                 50%              qwen-v1=50 qwen-v2=50\n"
        "3                 100%             qwen-v1=0 qwen-v2=100\n"
        "on a failed gate  -                qwen-v1=1 qwen-v2=0"
    ) in out
    for n, share in ((1, 10), (2, 50), (3, 100)):
        assert f"step {n}/3 ({share}% to qwen-v2): Ready, gates passed" in out
    # One revision per applied step, each with the weights of its step.
    split = [
        {r["name"]: r["weight"] for r in rev["rules"][0]["backendRefs"]}
        for rev in revisions(two_pools)
    ]
    assert split[-3:] == [
        {"qwen-v1": 90, "qwen-v2": 10},
        {"qwen-v1": 50, "qwen-v2": 50},
        {"qwen-v1": 0, "qwen-v2": 100},
    ]


def test_progress_goes_to_stderr(two_pools: Any) -> None:
    result = CliRunner().invoke(root, ["shift", "qwen", *STEPS, *QUIET], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "waiting for the hold of step 1/3 (10% to qwen-v2) on llm/qwen" in result.stderr
    assert "waiting for the hold" not in result.stdout


def test_a_pool_failing_at_step_2_puts_the_weights_back_and_exits_3(canary_failing_at: Any) -> None:
    cluster = canary_failing_at
    result = run(
        "shift",
        "qwen",
        "--to",
        "qwen-v2",
        "--steps",
        "10,50,100",
        "--interval",
        "0.5s",
        "--yes",
        "--record",
        "shift.md",
    )

    assert result.exit_code == 3, result.output
    assert weights(cluster) == {"qwen-v1": 1}  # the route as it was before the shift
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("error: step 2/3 (50% to qwen-v2) failed a gate: InferencePool")
    assert "has no Ready pod" in last and "put back to its weights before the shift" in last
    assert "step 1/3 (10% to qwen-v2): Ready, gates passed" in result.output
    assert "step 3/3" not in result.output
    record = Path("shift.md").read_text()
    assert "weights before the shift restored: qwen-v1=1" in record
    # The revert is a revision too: expose's, steps 1 and 2, the revert.
    assert len(revisions(cluster)) == 4
    assert revisions(cluster)[-1]["rules"] == stored_route(cluster)["spec"]["rules"]


def test_a_failing_probe_reverts_at_the_first_step(two_pools: Any) -> None:
    result = run("shift", "qwen", *STEPS, "--probe", *QUIET)

    assert result.exit_code == 3, result.output
    assert "the probe through the Gateway failed" in result.output
    assert weights(two_pools) == {"qwen-v1": 1}


def test_a_route_not_ready_fails_the_route_gate(two_pools: Any) -> None:
    from kubectl_httproute.core.shift import check_route_gate

    route = stored_route(two_pools)
    assert check_route_gate(route) is None
    route["metadata"]["generation"] += 1  # the controller has not looked at the change yet
    failed = check_route_gate(route)
    assert failed is not None and "is Stale on Gateway llm/inference-gateway" in failed.message


def test_progressive_refusal_without_a_terminal_changes_nothing(two_pools: Any) -> None:
    before = two_pools.snapshot()
    result = run("shift", "qwen", *STEPS, "--no-record")

    assert result.exit_code == 4
    assert two_pools.snapshot() == before


def normalised_record(path: Path) -> str:
    import re

    text = path.read_text()
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "TIME", text)
    text = re.sub(r"http://127\.0\.0\.1:\d+", "http://127.0.0.1:PORT", text)
    # The pools' tables are read as the controller writes them: their timing is not the record's.
    return re.sub(
        r"## Verification\n.*?\n## Verdict",
        "## Verification\n\n...\n\n## Verdict",
        text,
        flags=re.S,
    )


def test_the_record_of_a_reverted_shift_shows_the_route_as_put_back(canary_failing_at: Any) -> None:
    result = run(
        "shift", "qwen", "--to", "qwen-v2", "--steps", "10,50,100", "--interval", "0.5s",
        "--yes", "--record", "shift.md",
    )  # fmt: skip

    assert result.exit_code == 3, result.output
    assert_golden("shift/reverted-record.md", normalised_record(Path("shift.md")))


def test_progressive_output_yaml_prints_the_route_after_the_last_step(two_pools: Any) -> None:
    result = run("shift", "qwen", *STEPS, "-o", "yaml", *QUIET)

    assert result.exit_code == 0, result.output
    obj = yaml.safe_load(result.stdout)
    assert {r["name"]: r["weight"] for r in obj["spec"]["rules"][0]["backendRefs"]} == {
        "qwen-v1": 0,
        "qwen-v2": 100,
    }


def test_progressive_server_dry_run_checks_the_first_step_and_applies_nothing(
    two_pools: Any,
) -> None:
    before = two_pools.snapshot()
    result = run("shift", "qwen", *STEPS, "--dry-run=server", "-o", "json")

    assert result.exit_code == 0, result.output
    refs = json.loads(result.stdout)["spec"]["rules"][0]["backendRefs"]
    assert [r["weight"] for r in refs] == [90, 10]
    assert real_writes(two_pools) == []
    assert two_pools.snapshot() == before


# --- pools elsewhere, other groups, permissions -------------------------------------------------


def test_a_pool_in_another_namespace_needs_a_reference_grant(two_pools: Any) -> None:
    two_pools.add(o.namespace("models"))
    two_pools.add(o.pool_v1("qwen-v3", "models", selector={"app": "qwen-v3"}))
    two_pools.add(o.service("qwen-v3-epp", "models", [9002]))
    two_pools.add(o.pod("qwen-v3-0", "models", {"app": "qwen-v3"}))

    result = run("shift", "qwen", "models/qwen-v3=10", *QUIET)
    assert result.exit_code == 3, result.output  # applied, RefNotPermitted
    assert 'no ReferenceGrant in namespace "models" lets HTTPRoutes from "llm"' in result.output
    assert stored_route(two_pools)["spec"]["rules"][0]["backendRefs"][-1]["namespace"] == "models"

    result = run("shift", "qwen", "models/qwen-v3=20", "--create-reference-grant", *QUIET)
    assert result.exit_code == 0, result.output
    grants = two_pools.list("gateway.networking.k8s.io/v1beta1", "referencegrants", "models")
    assert [g["spec"]["to"] for g in grants] == [
        [{"group": "inference.networking.k8s.io", "kind": "InferencePool", "name": "qwen-v3"}]
    ]


def test_a_new_pool_gets_the_group_the_cluster_serves_it_in(tmp_path: Path) -> None:
    alpha = "inference.networking.x-k8s.io"
    with FakeCluster(pool_groups=(alpha,)) as cluster:
        o.standard_cluster(cluster, pool_group=alpha)
        cluster.add(o.pool_v1alpha2("qwen-v2", selector={"app": "qwen-v2"}))
        cluster.add(o.service("qwen-v2-epp", ports=[9002]))
        cluster.add(o.pod("qwen-v2-0", labels={"app": "qwen-v2"}))
        cluster.add(o.httproute("qwen", pool="qwen-pool", pool_group=alpha))
        with ControllerSim(cluster, delay=0.02):
            path = write_kubeconfig(tmp_path / "kc", cluster.url)
            result = run(
                "--kubeconfig", str(path), "shift", "qwen", "qwen-v2=10", "--force-conflicts",
                *QUIET,
            )  # fmt: skip
            assert result.exit_code == 0, result.output
            refs = stored_route(cluster)["spec"]["rules"][0]["backendRefs"]
            assert [(r["name"], r["group"]) for r in refs] == [
                ("qwen-pool", alpha),
                ("qwen-v2", alpha),
            ]


def test_no_permission_to_patch_the_route_stops_before_any_write(two_pools: Any) -> None:
    two_pools.deny("admin", "patch", "gateway.networking.k8s.io", "httproutes", "llm")
    before = two_pools.snapshot()
    result = run("shift", "qwen", "qwen-v2=10", *QUIET)

    assert result.exit_code == 1, result.output
    assert 'you may not patch httproutes.gateway.networking.k8s.io in namespace "llm"' in (
        result.output
    )
    assert real_writes(two_pools) == []
    assert two_pools.snapshot() == before


def test_a_route_made_by_someone_else_conflicts_until_force_conflicts(two_pools: Any) -> None:
    two_pools.add(o.httproute("theirs", pool="qwen-v1"))
    before = two_pools.snapshot()
    result = run("shift", "theirs", "qwen-v2=10", *QUIET)

    assert result.exit_code == 1
    assert "--force-conflicts" in result.output.strip().splitlines()[-1]
    assert two_pools.snapshot() == before
    result = run("shift", "theirs", "qwen-v2=10", "--force-conflicts", *QUIET)
    assert result.exit_code == 0, result.output
    assert weights(two_pools, "theirs") == {"qwen-v1": 1, "qwen-v2": 10}


def test_help_has_examples() -> None:
    result = run("shift", "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert "kubectl inferroute shift qwen --to qwen-v2 --steps 10,50,100" in result.output


def test_a_passing_probe_lets_every_step_through(two_pools: Any) -> None:
    from test_probe import stub_server

    with stub_server() as stub:
        gateway = o.gateway(listeners=[o.listener(port=stub.port)])
        two_pools.add(gateway)
        result = run("shift", "qwen", *STEPS, "--probe", *QUIET)

        assert result.exit_code == 0, result.output
        assert weights(two_pools) == {"qwen-v1": 0, "qwen-v2": 100}
        assert [s["path"] for s in stub.seen].count("/v1/models") >= 3  # a probe a step at least


def test_a_route_the_controller_does_not_judge_fails_the_route_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeCluster() as cluster:
        o.standard_cluster(cluster)
        for name in ("qwen-v1", "qwen-v2"):
            add_pool(cluster, name)
        cluster.add(o.httproute("qwen", pool="qwen-v1"))
        with ControllerSim(cluster, delay=0.02, stale=True):  # reports on the generation before
            monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(tmp_path / "kc", cluster.url)))
            result = run(
                "shift", "qwen", *STEPS, "--timeout", "300ms", "--force-conflicts", *QUIET
            )  # fmt: skip

    assert result.exit_code == 3, result.output
    last = result.output.strip().splitlines()[-1]
    assert "step 1/3 (10% to qwen-v2) failed a gate: HTTPRoute llm/qwen is Stale" in last
    assert weights(cluster) == {"qwen-v1": 1}


def test_a_step_gate_does_not_offer_force(canary_failing_at: Any) -> None:
    result = run("shift", "qwen", *STEPS, "--yes", "--no-record")
    assert result.exit_code == 3, result.output
    assert "--force" not in result.output.strip().splitlines()[-1]


def test_one_approval_on_the_terminal_covers_every_step(two_pools: Any, kubeconfig: Path) -> None:
    from test_terminal import installed_plugin, plugin_env, run_in_terminal

    argv = [installed_plugin(), "shift", "qwen", *STEPS, "--no-record"]
    code, out = run_in_terminal(
        argv, plugin_env(kubeconfig), [("the whole shift?", "y")], timeout=90
    )

    assert code == 0, out
    assert out.count("May I proceed") == 1
    assert weights(two_pools) == {"qwen-v1": 0, "qwen-v2": 100}
