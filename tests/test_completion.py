"""Shell completion: subcommands, flags, and names from the cluster; nothing, fast, without one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.shell_completion import CompletionItem
from click.testing import CliRunner
from conftest import write_kubeconfig

from kubectl_httproute.cli import root
from kubectl_httproute.cli.completion import complete, kubectl_complete, render_cobra
from kubectl_httproute.cluster.names import COMPLETION_TIMEOUT

ROOT = Path(__file__).resolve().parent.parent


def values(args: list[str], incomplete: str) -> list[str]:
    return [str(item.value) for item in complete(args, incomplete)]


def test_completes_subcommands_but_not_hidden_ones() -> None:
    offered = values([], "")

    assert {"expose", "status", "completion"} <= set(offered)
    assert "__complete" not in offered
    assert values([], "ex") == ["expose"]


def test_completes_flags_of_a_subcommand_and_kubectl_globals() -> None:
    assert values(["expose"], "--gat") == ["--gateway"]
    assert values(["expose"], "--dry") == ["--dry-run"]
    assert "--namespace" in values(["status"], "--")


def test_completes_choices_of_a_flag() -> None:
    assert values(["expose", "--dry-run"], "") == ["none", "client", "server"]


def test_completes_pool_names_from_the_cluster(kubeconfig: Path) -> None:
    assert values(["expose"], "") == ["qwen-pool"]
    assert values(["expose"], "qw") == ["qwen-pool"]
    assert values(["expose"], "zzz") == []


def test_completes_pools_in_a_typed_namespace_and_skips_weights(kubeconfig: Path) -> None:
    assert values(["expose"], "llm/") == ["llm/qwen-pool"]
    assert values(["expose"], "qwen-pool=") == []
    assert values(["expose", "qwen-pool"], "") == []  # already chosen


def test_completes_gateway_names_in_the_namespace_flag(kubeconfig: Path) -> None:
    assert values(["expose", "--gateway"], "") == ["inference-gateway"]
    assert values(["-n", "llm", "expose", "--gateway"], "inf") == ["inference-gateway"]
    assert values(["expose", "-n", "default", "--gateway"], "") == []


def test_completes_route_names_for_status(kubeconfig: Path) -> None:
    applied = CliRunner().invoke(
        root, ["expose", "qwen-pool", "--gateway", "inference-gateway", "--yes", "--no-record"]
    )
    assert applied.exit_code in (0, 3), applied.output

    assert values(["status"], "") == ["qwen-pool"]
    assert values(["status"], "x") == []


def test_completion_only_reads_the_cluster(cluster: Any, kubeconfig: Path) -> None:
    before = cluster.snapshot()

    values(["expose", "--gateway"], "")
    values(["expose"], "")

    assert cluster.snapshot() == before
    assert {r.method for r in cluster.requests} == {"GET"}


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_offers_nothing_quickly_when_the_cluster_is_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_kubeconfig(tmp_path / "config", f"http://127.0.0.1:{unused_port()}")
    monkeypatch.setenv("KUBECONFIG", str(config))

    started = time.monotonic()
    assert values(["expose"], "") == []
    assert values(["expose", "--gateway"], "") == []
    assert time.monotonic() - started < 1.0


def test_offers_nothing_within_the_timeout_when_the_cluster_hangs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, silent_server: str
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(tmp_path / "config", silent_server)))

    started = time.monotonic()
    assert values(["expose", "--gateway"], "") == []
    assert time.monotonic() - started < COMPLETION_TIMEOUT + 1.0


def test_offers_nothing_without_a_kubeconfig() -> None:
    started = time.monotonic()

    assert values(["expose"], "") == []
    assert values(["status"], "") == []
    assert time.monotonic() - started < 1.0


def test_kubectl_completer_speaks_cobras_format(kubeconfig: Path) -> None:
    assert (
        kubectl_complete(["ex"]) == "expose\tCreate a verified HTTPRoute to InferencePools.\n:4\n"
    )
    assert kubectl_complete(["expose", "--gateway", ""]) == "inference-gateway\n:4\n"
    assert kubectl_complete([]).endswith(":4\n")


def test_kubectl_completer_lets_the_shell_offer_files_for_file_parameters() -> None:
    assert render_cobra([CompletionItem("", type="file")]) == ":0\n"
    assert render_cobra([CompletionItem("a"), CompletionItem("b", help="B")]) == "a\nb\tB\n:4\n"


def test_hidden_complete_command_answers_like_the_completer(kubeconfig: Path) -> None:
    result = CliRunner().invoke(root, ["__complete", "expose", "--gateway", "inf"])

    assert result.exit_code == 0
    assert result.output == "inference-gateway\n:4\n"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_prints_clicks_script_for_each_shell(shell: str) -> None:
    result = CliRunner().invoke(root, ["completion", shell])

    assert result.exit_code == 0
    assert "_KUBECTL_INFERROUTE_COMPLETE" in result.output
    assert "kubectl-inferroute" in result.output


def test_prints_the_kubectl_completer_script() -> None:
    result = CliRunner().invoke(root, ["completion", "kubectl"])

    assert result.exit_code == 0
    assert result.output.startswith("#!/bin/sh\n")
    assert 'exec kubectl-inferroute __complete "$@"' in result.output


def test_rejects_an_unknown_shell() -> None:
    result = CliRunner().invoke(root, ["completion", "powershell"])

    assert result.exit_code == 2


def test_the_shell_scripts_protocol_reaches_the_program() -> None:
    """What the bash script runs on <TAB>: the program with click's completion variables."""
    env = {
        **os.environ,
        "_KUBECTL_INFERROUTE_COMPLETE": "bash_complete",
        "COMP_WORDS": "kubectl-inferroute ex",
        "COMP_CWORD": "1",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-m", "kubectl_httproute"], env=env, capture_output=True, text=True
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["plain,expose"]


def test_shift_completes_the_route_then_pools_and_pools_for_to_and_mirror(
    cluster: Any, kubeconfig: Path
) -> None:
    from fakekube import objects as o

    cluster.add(o.httproute("qwen", pool="qwen-pool"))
    cluster.add(o.pool_v1("qwen-v2"))
    assert values(["shift"], "q") == ["qwen"]
    assert values(["shift", "qwen"], "qwen") == ["qwen-pool", "qwen-v2"]
    assert values(["shift", "qwen", "qwen-v2=10"], "qwen") == ["qwen-pool"]
    assert values(["shift", "qwen", "--to"], "qwen-v") == ["qwen-v2"]
    assert values(["shift", "qwen", "--mirror"], "") == ["qwen-pool", "qwen-v2"]
