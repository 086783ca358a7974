"""`shift` heeds who owns the route and what its Gateway's implementation is known to do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fakekube import objects as o
from test_ownership import OWNED, real_writes, stored

from kubectl_httproute.cli import root
from kubectl_httproute.core import implementations as impl

SPLIT = ("shift", "qwen-pool", "qwen-pool=90", "qwen-b=10", "--no-wait", "--no-record")


def run(*args: str) -> Result:
    return CliRunner().invoke(root, list(args), catch_exceptions=False)


def canary_pool(cluster: Any) -> None:
    """qwen-b beside qwen-pool, healthy: its endpoint picker and a Ready pod."""
    cluster.add(o.pool_v1("qwen-b", selector={"app": "qwen-b"}))
    cluster.add(o.service("qwen-b-epp", "llm", [9002]))
    cluster.add(o.pod("qwen-b-0", labels={"app": "qwen-b"}, ip="10.244.0.9"))


def judged_by(route: dict[str, Any], controller: str) -> dict[str, Any]:
    """The route as a controller of another implementation left it: its status names it."""
    route["status"] = {
        "parents": [
            {
                "parentRef": {"name": "inference-gateway"},
                "controllerName": controller,
                "conditions": [
                    {
                        "type": kind,
                        "status": "True",
                        "reason": kind,
                        "message": "",
                        "observedGeneration": 1,
                        "lastTransitionTime": "2025-06-01T12:00:00Z",
                    }
                    for kind in ("Accepted", "ResolvedRefs")
                ],
            }
        ]
    }
    return route


@pytest.mark.parametrize(("kind", "make", "owner", "knob"), OWNED, ids=[c[0] for c in OWNED])
def test_shift_refuses_an_owned_route_and_changes_nothing(
    cluster: Any, kubeconfig: Path, kind: str, make: Any, owner: str, knob: str
) -> None:
    canary_pool(cluster)
    cluster.add(make())
    before = cluster.snapshot()
    cluster.clear_requests()
    result = run(*SPLIT, "--yes")
    assert result.exit_code == 1, result.output
    assert f"HTTPRoute llm/qwen-pool is owned by {owner}" in result.output
    assert knob in result.output
    assert real_writes(cluster) == []
    assert cluster.snapshot() == before


def test_shift_with_force_changes_an_owned_route_and_warns(cluster: Any, kubeconfig: Path) -> None:
    from test_ownership import kserve_route

    canary_pool(cluster)
    cluster.add(kserve_route())
    result = run(*SPLIT, "--yes", "--force", "--force-conflicts")
    assert result.exit_code == 0, result.output
    assert "warning: HTTPRoute llm/qwen-pool is owned by LLMInferenceService llm/qwen" in (
        result.output
    )
    refs = stored(cluster)["spec"]["rules"][0]["backendRefs"]
    assert {r["name"]: r["weight"] for r in refs} == {"qwen-pool": 90, "qwen-b": 10}


def test_a_split_across_pools_on_kgateway_warns_of_its_503(cluster: Any, kubeconfig: Path) -> None:
    canary_pool(cluster)
    cluster.add(judged_by(o.httproute(), impl.KGATEWAY))
    result = run(*SPLIT, "--dry-run=server", "--force-conflicts")
    assert result.exit_code == 0, result.output
    assert "kgateway#11667" in result.output


def test_the_same_split_on_an_unknown_implementation_warns_of_nothing(
    cluster: Any, kubeconfig: Path
) -> None:
    canary_pool(cluster)
    cluster.add(judged_by(o.httproute(), "example.com/unknown"))
    result = run(*SPLIT, "--dry-run=server", "--force-conflicts")
    assert result.exit_code == 0, result.output
    assert "kgateway#11667" not in result.output
    assert "#" not in "".join(line for line in result.output.splitlines() if "warning" in line)


def test_a_mirror_to_a_pool_on_envoy_ai_gateway_names_its_limit(
    cluster: Any, kubeconfig: Path
) -> None:
    canary_pool(cluster)
    cluster.add(judged_by(o.httproute(), impl.ENVOY_AI_GATEWAY))
    result = run(
        "shift",
        "qwen-pool",
        "--mirror",
        "qwen-b=10",
        "--dry-run=server",
        "--no-record",
        "--force-conflicts",
    )
    assert result.exit_code == 0, result.output
    assert "PR#2205" in result.output or "ai-gateway#2205" in result.output


# --- --remove ----------------------------------------------------------------------------------


def split_route(cluster: Any) -> None:
    canary_pool(cluster)
    result = run(
        "expose",
        "qwen-pool=0",
        "qwen-b=100",
        "--gateway",
        "inference-gateway",
        "--yes",
        "--no-record",
    )
    assert result.exit_code == 0, result.output


def test_remove_takes_the_old_pool_off_the_route(cluster: Any, kubeconfig: Path) -> None:
    split_route(cluster)
    result = run("shift", "qwen-pool", "--remove", "qwen-pool", "--yes", "--no-record")
    assert result.exit_code == 0, result.output
    refs = stored(cluster)["spec"]["rules"][0]["backendRefs"]
    assert [(r["name"], r["weight"]) for r in refs] == [("qwen-b", 100)]
    assert "Verdict: Ready" in result.output


def test_remove_takes_a_mirror_to_that_pool_off_too(cluster: Any, kubeconfig: Path) -> None:
    split_route(cluster)
    assert (
        run("shift", "qwen-pool", "--mirror", "qwen-pool=10", "--yes", "--no-record").exit_code == 0
    )
    result = run("shift", "qwen-pool", "--remove", "qwen-pool", "--yes", "--no-record")
    assert result.exit_code == 0, result.output
    assert "filters" not in stored(cluster)["spec"]["rules"][0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--remove", "qwen-b", "--remove", "qwen-pool"), "would leave rule 1 with no backend"),
        (("--remove", "nope"), "InferencePool llm/nope is not on the route"),
        (("--remove", "qwen-b"), "every pool of the route would have weight 0"),
    ],
)
def test_a_removal_that_would_break_the_route_changes_nothing(
    cluster: Any, kubeconfig: Path, args: tuple[str, ...], message: str
) -> None:
    split_route(cluster)
    before = cluster.snapshot()
    cluster.clear_requests()
    result = run("shift", "qwen-pool", *args, "--yes", "--no-record")
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert real_writes(cluster) == []
    assert cluster.snapshot() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--to", "qwen-b", "--steps", "100", "--remove", "qwen-pool"), "--remove cannot be"),
        (("qwen-pool=1", "--remove", "qwen-pool"), "is given a weight and --remove"),
        (("--remove", "Bad_Name"), "--remove"),
    ],
)
def test_remove_refuses_contradicting_flags_before_any_request(
    cluster: Any, kubeconfig: Path, args: tuple[str, ...], message: str
) -> None:
    cluster.clear_requests()
    result = run("shift", "qwen-pool", *args, "--yes")
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert cluster.requests == []
