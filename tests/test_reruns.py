"""Re-running `expose`: identical says `unchanged` and asks nothing; a change shows only its fields.

The fake API server answers as a real one does: custom resources with their keys sorted and the
schema's defaults filled in, so a textual diff of our manifest against it would show keys that
merely moved. Every case runs the installed command after a first `expose` made the route.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from fakekube import objects as o
from test_terminal import installed_plugin, plugin_env, run_in_terminal

ROUTES = "gateway.networking.k8s.io/v1"
GATEWAY = ("--gateway", "inference-gateway")
FIRST = ("expose", "qwen-pool", *GATEWAY, "--route-timeout", "300s", "--no-record")
CHANGES = "Changes to the live HTTPRoute llm/qwen-pool"


def _ours(cluster: Any, kubeconfig: Path) -> None:
    result = subprocess.run(
        [installed_plugin(), *FIRST, "--yes"],
        capture_output=True,
        text=True,
        env=plugin_env(kubeconfig),
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def _helms(cluster: Any, kubeconfig: Path) -> None:
    cluster.add(o.httproute("qwen-pool", hostnames=["helm.example.com"]))


class Case(NamedTuple):
    setup: Callable[[Any, Path], None]
    args: tuple[str, ...]
    terminal: bool  # run on a pseudo-terminal (and answer "n" to any approval question)
    exit_code: int
    changes: list[str]  # the lines under CHANGES, or under the refusal's "would change:"
    applied: bool  # a real (not dry-run) apply was sent
    says: str


CASES = {
    "identical with --yes": Case(
        _ours, (*FIRST, "--yes"), False, 0, [], False, "qwen-pool unchanged (the server has it"
    ),
    "identical on a terminal": Case(
        _ours, FIRST, True, 0, [], False, "qwen-pool unchanged (the server has it"
    ),
    "identical server dry-run": Case(
        _ours, (*FIRST, "--dry-run=server"), False, 0, [], False, "qwen-pool unchanged (server"
    ),
    "a longer timeout, declined": Case(
        _ours,
        (*FIRST[:-2], "600s", "--no-record"),
        True,
        4,
        ["spec.rules[0].timeouts.request: 300s → 600s"],
        False,
        "not applied: you did not approve",
    ),
    "a longer timeout with --yes": Case(
        _ours,
        (*FIRST[:-2], "600s", "--no-record", "--yes"),
        False,
        0,
        ["spec.rules[0].timeouts.request: 300s → 600s"],
        True,
        "qwen-pool configured",
    ),
    "a hostname and a header": Case(
        _ours,
        (*FIRST, "--hostname", "llm.example.com", "--header", "x-model=qwen", "--yes"),
        False,
        0,
        [
            "spec.hostnames: (none) → [llm.example.com]",
            "spec.rules[0].matches[0].headers: (none) → "
            "[{name: x-model, type: Exact, value: qwen}]",
        ],
        True,
        "qwen-pool configured",
    ),
    "a route helm manages": Case(
        _helms,
        (*FIRST, "--yes"),
        False,
        1,
        # Only fields we set: its hostnames stay with their owner.
        [
            "metadata.labels: (none) → {app.kubernetes.io/managed-by: kubectl-inferroute}",
            "spec.rules[0].timeouts: (none) → {backendRequest: 0s, request: 300s}",
        ],
        False,
        "kubectl-inferroute does not manage it",
    ),
    "a route helm manages, taken over": Case(
        _helms,
        (*FIRST, "--yes", "--force-conflicts"),
        False,
        0,
        [
            "metadata.labels: (none) → {app.kubernetes.io/managed-by: kubectl-inferroute}",
            "spec.rules[0].timeouts: (none) → {backendRequest: 0s, request: 300s}",
        ],
        True,
        "qwen-pool configured",
    ),
}


def change_lines(output: str) -> list[str]:
    """The indented lines under the changes heading (or the refusal's `would change:`)."""
    lines = re.sub(r"\x1b\[[0-9;]*m", "", output).splitlines()  # bold headings on a terminal
    for marker in (CHANGES, "would change:"):
        starts = [i for i, line in enumerate(lines) if line.strip() == marker]
        if starts:
            body = []
            indent = len(lines[starts[0]]) - len(lines[starts[0]].lstrip())
            for line in lines[starts[0] + 1 :]:
                if not line.strip() or len(line) - len(line.lstrip()) <= indent:
                    break
                body.append(line.strip())
            return body
    return []


@pytest.mark.parametrize("name", list(CASES))
def test_a_rerun_says_unchanged_or_shows_only_the_fields_that_change(
    cluster: Any, kubeconfig: Path, name: str
) -> None:
    case = CASES[name]
    case.setup(cluster, kubeconfig)
    before = cluster.snapshot()
    cluster.clear_requests()
    if case.terminal:
        code, out = run_in_terminal(
            [installed_plugin(), *case.args],
            plugin_env(kubeconfig),
            [("May I proceed", "n")] if case.exit_code == 4 else [],
        )
    else:
        result = subprocess.run(
            [installed_plugin(), *case.args],
            capture_output=True,
            text=True,
            env=plugin_env(kubeconfig),
            check=False,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        code, out = result.returncode, result.stdout + result.stderr
    assert code == case.exit_code, out
    assert case.says in out, out
    assert change_lines(out) == case.changes, out
    assert "--- live/" not in out and "+++ desired/" not in out  # no textual diff
    applies = [
        r
        for r in cluster.requests
        if r.method == "PATCH" and "/httproutes/" in r.path and "dryRun" not in r.query
    ]
    assert bool(applies) == case.applied, out
    if not case.changes or case.exit_code == 4:
        # Unchanged, so nothing asked; or refused: the stored objects are as they were.
        assert "May I proceed" not in out or case.exit_code == 4
        assert "Write the deployment record" not in out
        assert cluster.snapshot() == before
    if case.exit_code != 1:  # said after the server dry-run, before any question
        assert out.index("Server dry-run") < out.index(case.says)


def test_an_identical_rerun_leaves_the_stored_route_as_it_was(
    cluster: Any, kubeconfig: Path
) -> None:
    _ours(cluster, kubeconfig)
    stored = cluster.get(ROUTES, "httproutes", "llm", "qwen-pool")
    _ours(cluster, kubeconfig)
    again = cluster.get(ROUTES, "httproutes", "llm", "qwen-pool")
    assert again["metadata"]["resourceVersion"] == stored["metadata"]["resourceVersion"]
    assert again["metadata"]["generation"] == 1
