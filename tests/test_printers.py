"""printers: whole tables compared as golden text, kubectl-style."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from golden import assert_golden

from kubectl_httproute.core.model import ObjectRef
from kubectl_httproute.core.verify import (
    Verdict,
    gateway_view,
    pool_parent_statuses,
    route_facts,
    route_parent_statuses,
    route_verdict,
)
from kubectl_httproute.render.tables import (
    render_gateway,
    render_pool_conditions,
    render_route_conditions,
    render_verdict,
)

GATEWAY = ObjectRef("llm", "inference-gateway")
T0 = "2026-11-29T22:15:00Z"


def cond(
    type_: str, status: str, reason: str, message: str, generation: int | None = 2
) -> dict[str, Any]:
    raw: dict[str, Any] = {"type": type_, "status": status, "reason": reason,
                           "message": message, "lastTransitionTime": T0}  # fmt: skip
    if generation is not None:
        raw["observedGeneration"] = generation
    return raw


def route_with(*conditions: dict[str, Any], **parent_ref: Any) -> dict[str, Any]:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "qwen-pool", "namespace": "llm", "generation": 2},
        "spec": {
            "parentRefs": [{"name": "inference-gateway"}],
            "rules": [{"backendRefs": [{"group": "inference.networking.k8s.io",
                                        "kind": "InferencePool", "name": "qwen-pool"}]}],
        },
        "status": {
            "parents": [
                {
                    "parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway",
                                  "name": "inference-gateway", **parent_ref},
                    "controllerName": "istio.io/gateway-controller",
                    "conditions": list(conditions),
                }
            ]
        },
    }  # fmt: skip


READY_ROUTE = route_with(
    cond("Accepted", "True", "Accepted", "Route was valid"),
    cond("ResolvedRefs", "True", "ResolvedRefs", "All references resolved"),
)
MISSING_POOL_ROUTE = route_with(
    cond("Accepted", "True", "Accepted", "Route was valid"),
    cond(
        "ResolvedRefs",
        "False",
        "BackendNotFound",
        'backend(qwen-pool.llm) not found:\n InferencePool "qwen-pool" not found',
    ),
    sectionName="http",
    port=80,
)


def assert_kubectl_like(text: str) -> None:
    assert all(line == line.rstrip() for line in text.splitlines()), "trailing spaces"
    assert "\t" not in text


# --- route conditions ------------------------------------------------------------------------


def test_route_conditions_of_a_ready_route() -> None:
    text = render_route_conditions("qwen-pool", route_parent_statuses(READY_ROUTE))
    assert_kubectl_like(text)
    assert_golden("tables/route_ready.txt", text + "\n")


def test_route_conditions_keep_long_messages_whole_on_one_line() -> None:
    text = render_route_conditions("qwen-pool", route_parent_statuses(MISSING_POOL_ROUTE))
    assert 'backend(qwen-pool.llm) not found: InferencePool "qwen-pool" not found' in text
    assert len(text.splitlines()) == 4  # title, header and one line per condition: nothing wraps
    assert_kubectl_like(text)
    assert_golden("tables/route_missing_pool.txt", text + "\n")


def test_route_conditions_show_none_for_a_missing_observed_generation() -> None:
    route = route_with(cond("Accepted", "Unknown", "Pending", "", generation=None))
    text = render_route_conditions("qwen-pool", route_parent_statuses(route))
    assert_golden("tables/route_pending.txt", text + "\n")


def test_route_without_status_says_no_controller_has_written_any() -> None:
    text = render_route_conditions("qwen-pool", [])
    assert text == "HTTPRoute qwen-pool: no controller has written status yet"


# --- gateway ---------------------------------------------------------------------------------


def gateway() -> dict[str, Any]:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": "inference-gateway", "namespace": "llm", "generation": 1},
        "spec": {
            "gatewayClassName": "istio",
            "listeners": [
                {"name": "http", "port": 80, "protocol": "HTTP"},
                {"name": "https", "port": 443, "protocol": "HTTPS", "hostname": "*.example.com",
                 "allowedRoutes": {"namespaces": {"from": "Selector",
                                                  "selector": {"matchLabels": {"team": "ml"}}},
                                   "kinds": [{"kind": "HTTPRoute"}]}},
            ],
        },
        "status": {
            "addresses": [{"type": "IPAddress", "value": "10.96.0.20"},
                          {"type": "Hostname", "value": "gw.llm.svc.cluster.local"}],
            "conditions": [
                cond("Accepted", "True", "Accepted", "Resource accepted", 1),
                cond("Programmed", "True", "Programmed", "Resource programmed, assigned to "
                     "service(s) inference-gateway-istio.llm.svc.cluster.local:80", 1),
            ],
            "listeners": [
                {"name": "http", "attachedRoutes": 1, "conditions": []},
                {"name": "https", "attachedRoutes": 0, "conditions": []},
            ],
        },
    }  # fmt: skip


def test_gateway_conditions_addresses_and_listeners() -> None:
    text = render_gateway(gateway_view(gateway()))
    assert_kubectl_like(text)
    assert_golden("tables/gateway.txt", text + "\n")


def test_a_gateway_nobody_has_processed_says_so() -> None:
    gw = gateway()
    del gw["status"]
    text = render_gateway(gateway_view(gw))
    assert_kubectl_like(text)
    assert_golden("tables/gateway_no_status.txt", text + "\n")


# --- pools -----------------------------------------------------------------------------------


def test_v1_pool_conditions_per_parent() -> None:
    pool: dict[str, Any] = {
        "apiVersion": "inference.networking.k8s.io/v1",
        "kind": "InferencePool",
        "metadata": {"name": "qwen-pool", "namespace": "llm", "generation": 1},
        "spec": {"selector": {"matchLabels": {"app": "qwen"}}, "targetPorts": [{"number": 8000}]},
        "status": {"parents": [{
            "parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway",
                          "namespace": "llm", "name": "inference-gateway"},
            "controllerName": "istio.io/gateway-controller",
            "conditions": [
                cond("Accepted", "True", "Accepted", "InferencePool has been accepted", 1),
                cond("ResolvedRefs", "True", "ResolvedRefs", "All references resolved", 1),
            ],
        }]},
    }  # fmt: skip
    text = render_pool_conditions(
        ObjectRef("llm", "qwen-pool"), pool["apiVersion"], pool_parent_statuses(pool)
    )
    assert_kubectl_like(text)
    assert_golden("tables/pool_v1.txt", text + "\n")


def test_v1alpha2_pool_shows_its_default_pending_status() -> None:
    pool: dict[str, Any] = {
        "apiVersion": "inference.networking.x-k8s.io/v1alpha2",
        "kind": "InferencePool",
        "metadata": {"name": "qwen-pool", "namespace": "llm", "generation": 1},
        "spec": {"selector": {"app": "qwen"}, "targetPortNumber": 8000},
        "status": {"parent": [{
            "parentRef": {"kind": "Status", "name": "default"},
            "conditions": [{"type": "Accepted", "status": "Unknown", "reason": "Pending",
                            "message": "Waiting for controller",
                            "lastTransitionTime": "1970-01-01T00:00:00Z"}],
        }]},
    }  # fmt: skip
    text = render_pool_conditions(
        ObjectRef("llm", "qwen-pool"), pool["apiVersion"], pool_parent_statuses(pool)
    )
    assert_kubectl_like(text)
    assert_golden("tables/pool_v1alpha2.txt", text + "\n")


def test_a_pool_without_status_says_no_controller_has_written_any() -> None:
    text = render_pool_conditions(
        ObjectRef("llm", "qwen-pool"), "inference.networking.k8s.io/v1", []
    )
    assert "no controller has written status yet" in text


# --- verdicts --------------------------------------------------------------------------------


def test_a_healthy_verdict_is_one_line() -> None:
    text = render_verdict(route_verdict(route_facts(READY_ROUTE), GATEWAY))
    assert text == "Verdict: Ready — Accepted and all references resolved"


def test_an_unhealthy_verdict_adds_the_fix() -> None:
    text = render_verdict(route_verdict(route_facts(MISSING_POOL_ROUTE), GATEWAY))
    assert_golden("tables/verdict_unresolved.txt", text + "\n")


def test_verdict_lines_use_the_state_summary_and_fix_verbatim() -> None:
    v = Verdict("Stale", False, "behind", "wait")
    assert render_verdict(v) == "Verdict: Stale — behind\nFix: wait"


# --- start-up cost ---------------------------------------------------------------------------


def test_importing_the_printers_does_not_import_tabulate() -> None:
    code = "import sys, kubectl_httproute.render.tables; print('tabulate' in sys.modules)"
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "False"
