"""What the history and rollback tests share: a route changed three times by `expose`, and a
change made with kubectl (a merge patch under kubectl's own field manager)."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

from click.testing import CliRunner, Result
from fakekube import objects as o

from kubectl_httproute.cli import root

ROUTES = "gateway.networking.k8s.io/v1"
REVISIONS = "inferroute.llm-d.ai/revisions"
TIMES = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")

# Three changes to one route: the default, then --path /v1, then a 90/10 split with qwen-b.
EXPOSES = (
    ("qwen-pool",),
    ("qwen-pool", "--path", "/v1"),
    ("qwen-pool=90", "qwen-b=10", "--path", "/v1"),
)


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(root, list(args), input=input, catch_exceptions=False)


def stored_route(cluster: Any, name: str = "qwen-pool") -> Any:
    return cluster.get(ROUTES, "httproutes", "llm", name)


def expose_three_times(cluster: Any) -> None:
    """Revisions 1, 2 and 3 of llm/qwen-pool, each verified Ready."""
    cluster.add(o.pool_v1("qwen-b", "llm", target_port=8001))
    for args in EXPOSES:
        result = run("expose", *args, "--gateway", "inference-gateway", "--yes", "--no-record")
        assert result.exit_code == 0, result.output


def edit_with_kubectl(cluster: Any, patch: dict[str, Any], manager: str = "kubectl-edit") -> None:
    """A change made by someone else: what `kubectl edit` sends (a merge patch)."""
    req = urllib.request.Request(
        f"{cluster.url}/apis/{ROUTES}/namespaces/llm/httproutes/qwen-pool?fieldManager={manager}",
        data=json.dumps(patch).encode(),
        method="PATCH",
        headers={
            "Content-Type": "application/merge-patch+json",
            "Authorization": "Bearer admin-token",
        },
    )
    with urllib.request.urlopen(req) as resp:
        assert resp.status == 200


def set_weights_with_kubectl(cluster: Any, weights: tuple[int, int]) -> None:
    """`kubectl edit` of the two weights of revision 3's rule (a merge patch replaces lists)."""
    rules = stored_route(cluster)["spec"]["rules"]
    for ref, weight in zip(rules[0]["backendRefs"], weights, strict=True):
        ref["weight"] = weight
    edit_with_kubectl(cluster, {"spec": {"rules": rules}})


def same_times(text: str) -> str:
    """Times as one fixed value (the same width): goldens hold the layout, not the clock."""
    return TIMES.sub("2026-01-02T03:04:05Z", text)


def apply_with_kubectl(cluster: Any, rules: list[dict[str, Any]]) -> None:
    """`kubectl apply --server-side --force-conflicts` of the route with other rules."""
    route = stored_route(cluster)
    body = {
        "apiVersion": ROUTES,
        "kind": "HTTPRoute",
        "metadata": {"name": "qwen-pool", "namespace": "llm"},
        "spec": {"parentRefs": route["spec"]["parentRefs"], "rules": rules},
    }
    req = urllib.request.Request(
        f"{cluster.url}/apis/{ROUTES}/namespaces/llm/httproutes/qwen-pool"
        "?fieldManager=kubectl&force=true",
        data=json.dumps(body).encode(),
        method="PATCH",
        headers={
            "Content-Type": "application/apply-patch+yaml",
            "Authorization": "Bearer admin-token",
        },
    )
    with urllib.request.urlopen(req) as resp:
        assert resp.status == 200
