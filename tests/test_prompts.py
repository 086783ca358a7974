"""Questions go to the terminal (stderr), never to stdout: `expose ... > plan.txt` still asks.

Each case runs the installed command on a real pseudo-terminal with stdout redirected to a file,
as a shell does for `> plan.txt`: the question must show on the terminal and nothing of it may
reach the file. (The choice and the record's question were on stderr already; their rows guard
that they stay there.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from fakekube import objects as o
from test_terminal import installed_plugin, plugin_env, run_in_terminal

GATEWAY = ("--gateway", "inference-gateway")


class Case(NamedTuple):
    setup: Callable[[Any], None]
    args: tuple[str, ...]
    answers: list[tuple[str, str]]
    question: str  # the prompt text that must show on the terminal
    exit_code: int


def _nothing(cluster: Any) -> None:
    pass


def _pool_elsewhere(cluster: Any) -> None:
    cluster.add(o.namespace("models"))
    cluster.add(o.pool_v1("far-pool", "models"))


def _two_pools(cluster: Any) -> None:
    cluster.add(o.pool_v1("llama-pool", "llm"))


CASES = {
    "approval": Case(
        _nothing,
        ("expose", "qwen-pool", *GATEWAY, "--no-record"),
        [("May I proceed with deployment? [y/N]", "n")],
        "Does this HTTPRoute configuration look correct? May I proceed with deployment? [y/N]",
        4,
    ),
    "reference grant": Case(
        _pool_elsewhere,
        ("expose", "models/far-pool", *GATEWAY, "--no-record"),
        [("Also create ReferenceGrant", "n"), ("May I proceed", "n")],
        "Also create ReferenceGrant models/",
        4,
    ),
    "record": Case(
        _nothing,
        ("expose", "qwen-pool", *GATEWAY),
        [("May I proceed", "y"), ("Write the deployment record", "n"), ("Send a test", "n")],
        "Write the deployment record to qwen-pool-",
        0,
    ),
    # A server dry-run asks nothing else: only the choice.
    "choice": Case(
        _two_pools,
        ("expose", *GATEWAY, "--dry-run=server"),
        [("Which InferencePool?", "1")],
        "Which InferencePool?: ",
        0,
    ),
    # --yes asks neither for approval nor for the record: only the probe's offer.
    "probe offer": Case(
        _nothing,
        ("expose", "qwen-pool", *GATEWAY, "--no-record", "--yes"),
        [("Send a test request", "n")],
        "Send a test request through the Gateway (GET /v1/models)? [y/N]",
        0,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_questions_show_on_the_terminal_when_stdout_is_a_file(
    cluster: Any, kubeconfig: Path, tmp_path: Path, name: str
) -> None:
    case = CASES[name]
    case.setup(cluster)
    before = cluster.snapshot()
    plan = tmp_path / "plan.txt"
    # What a shell does for `kubectl-inferroute expose ... > plan.txt` on a terminal.
    argv = ["/bin/sh", "-c", 'out="$1"; shift; exec "$@" > "$out"', "sh", str(plan)]
    code, terminal = run_in_terminal(
        [*argv, installed_plugin(), *case.args], plugin_env(kubeconfig), case.answers
    )
    data = plan.read_text()
    assert code == case.exit_code, terminal + data
    assert case.question in terminal
    # Every question was answered: nothing was left waiting for an answer nobody saw.
    assert terminal.count("<<answered>>") == len(case.answers), terminal
    # stdout has the plan and nothing of any question, not even a stray space.
    assert "What it does" in data
    for question, _ in case.answers:
        assert question not in data
    assert [line for line in data.splitlines() if line != line.rstrip()] == []
    if case.exit_code == 4:  # refused: the objects the server stores are as they were
        assert cluster.snapshot() == before


def test_without_a_terminal_nothing_is_asked_and_nothing_changes(
    cluster: Any, kubeconfig: Path
) -> None:
    import subprocess

    before = cluster.snapshot()
    result = subprocess.run(
        [installed_plugin(), "expose", "qwen-pool", *GATEWAY],
        input="y\n",  # piped, not typed at a terminal: never taken as an answer
        capture_output=True,
        text=True,
        env=plugin_env(kubeconfig),
        check=False,
        timeout=60,
    )
    assert result.returncode == 4, result.stderr
    assert "no terminal to ask for approval" in result.stderr
    assert "May I proceed" not in result.stdout + result.stderr
    assert cluster.snapshot() == before
