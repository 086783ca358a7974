"""The plugin as users run it: a real process, a real terminal, kubectl's plugin mechanism."""

from __future__ import annotations

import os
import pty
import select
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fakekube import objects as o

from kubectl_httproute import __version__

REPO = Path(__file__).resolve().parents[1]
ROUTES = "gateway.networking.k8s.io/v1"


def plugin_env(kubeconfig: Path, extra_path: str | None = None) -> dict[str, str]:
    env = {
        "HOME": os.environ["HOME"],
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "KUBECONFIG": str(kubeconfig),
        "NO_PROXY": "127.0.0.1",
        "PYTHONPATH": str(REPO),
        "LANG": "C.UTF-8",
    }
    if extra_path:
        env["PATH"] = f"{extra_path}:{env['PATH']}"
    return env


def run_in_terminal(
    argv: list[str], env: dict[str, str], answers: list[tuple[str, str]], timeout: float = 30
) -> tuple[int, str]:
    """Run argv on a pseudo-terminal, typing each answer once its prompt text appears."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the plugin
        os.execvpe(argv[0], argv, env)
    output = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                output += chunk
            if pending and pending[0][0].encode() in output:
                answer = pending.pop(0)[1]
                # Ctrl-C is a keystroke of its own (the terminal sends SIGINT): no Enter after it.
                os.write(fd, answer.encode() + (b"" if answer == "\x03" else b"\r"))
                output += b"<<answered>>"
        else:
            os.kill(pid, 9)
            raise AssertionError(f"timed out; output so far:\n{output.decode(errors='replace')}")
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace").replace("\r", "")


def python_plugin() -> list[str]:
    return [sys.executable, "-m", "kubectl_httproute"]


def test_approving_at_the_prompt_applies(cluster: Any, kubeconfig: Path) -> None:
    code, out = run_in_terminal(
        [*python_plugin(), "expose", "qwen-pool", "--gateway", "inference-gateway"],
        plugin_env(kubeconfig),
        [
            ("May I proceed with deployment? [y/N]", "y"),
            ("Write the deployment record", "n"),
            ("Send a test request", "n"),  # the probe status offers after a Ready expose
        ],
    )
    assert code == 0, out
    assert "Does this HTTPRoute configuration look correct?" in out
    assert "Verdict: Ready" in out
    assert cluster.get(ROUTES, "httproutes", "llm", "qwen-pool") is not None
    assert list(Path.cwd().glob("*.inferroute.md")) == []


@pytest.mark.parametrize("answer", ["n", ""])
def test_declining_at_the_prompt_changes_nothing(
    cluster: Any, kubeconfig: Path, answer: str
) -> None:
    before = cluster.snapshot()
    code, out = run_in_terminal(
        [*python_plugin(), "expose", "qwen-pool", "--gateway", "inference-gateway"],
        plugin_env(kubeconfig),
        [("May I proceed with deployment? [y/N]", answer)],
    )
    assert code == 4, out
    assert "not applied" in out
    assert cluster.snapshot() == before


def test_a_terminal_gets_a_numbered_menu_when_there_are_several(
    cluster: Any, kubeconfig: Path
) -> None:
    cluster.add(o.pool_v1("llama-pool", "llm"))
    code, out = run_in_terminal(
        [*python_plugin(), "expose", "--gateway", "inference-gateway", "--no-record"],
        plugin_env(kubeconfig),
        [("Which InferencePool?", "1"), ("May I proceed", "y"), ("Send a test request", "n")],
    )
    assert code == 0, out
    assert "1) InferencePool llm/llama-pool" in out
    assert "2) InferencePool llm/qwen-pool" in out
    route = cluster.get(ROUTES, "httproutes", "llm", "llama-pool")
    assert route["spec"]["rules"][0]["backendRefs"][0]["name"] == "llama-pool"


def test_the_record_question_defaults_to_yes(cluster: Any, kubeconfig: Path) -> None:
    code, out = run_in_terminal(
        [*python_plugin(), "expose", "qwen-pool", "--gateway", "inference-gateway"],
        plugin_env(kubeconfig),
        [("May I proceed", "y"), ("Write the deployment record", ""), ("Send a test request", "n")],
    )
    assert code == 0, out
    assert len(list(Path.cwd().glob("qwen-pool-*.inferroute.md"))) == 1


def test_python_dash_m_prints_the_version() -> None:
    result = subprocess.run(
        [*python_plugin(), "--version"], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"kubectl-inferroute {__version__}"


def test_the_checkout_script_runs_without_installing(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "bin" / "kubectl-inferroute"),
            "expose",
            "qwen-pool",
            "--gateway",
            "gw",
            "-n",
            "llm",
            "--dry-run=client",
            "-o",
            "yaml",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "kind: HTTPRoute" in result.stdout


def installed_plugin() -> str:
    """The console script installed with this python (not whichever is first on PATH)."""
    script = Path(sys.executable).parent / "kubectl-inferroute"
    if not script.exists():
        pytest.skip("kubectl-inferroute is not installed (run `make install`)")
    return str(script)


def test_the_installed_command_applies_a_route(cluster: Any, kubeconfig: Path) -> None:
    result = subprocess.run(
        [
            installed_plugin(),
            "expose",
            "qwen-pool",
            "--gateway",
            "inference-gateway",
            "--yes",
            "--no-record",
        ],
        capture_output=True,
        text=True,
        env=plugin_env(kubeconfig),
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Verdict: Ready" in result.stdout
    assert "httproute.gateway.networking.k8s.io/qwen-pool created" in result.stdout
    assert "Traceback" not in result.stderr


def test_kubectl_runs_it_as_a_plugin(cluster: Any, kubeconfig: Path, tmp_path: Path) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not on PATH")
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    # The checkout's script, run by this python: not by whichever python3 is first on PATH.
    plugin = plugins / "kubectl-inferroute"
    script = shlex.join([sys.executable, str(REPO / "bin" / "kubectl-inferroute")])
    plugin.write_text(f'#!/bin/sh\nexec {script} "$@"\n')
    plugin.chmod(0o755)
    env = plugin_env(kubeconfig, extra_path=str(plugins))
    result = subprocess.run(
        [
            kubectl,
            "inferroute",
            "expose",
            "qwen-pool",
            "--gateway",
            "inference-gateway",
            "--dry-run=server",
            "-o",
            "yaml",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "kind: HTTPRoute" in result.stdout
    assert cluster.get(ROUTES, "httproutes", "llm", "qwen-pool") is None
    refused = subprocess.run(
        [kubectl, "inferroute", "expose", "qwen-pool", "--gateway", "inference-gateway"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert refused.returncode == 4
    assert "no terminal to ask for approval" in refused.stderr


def test_a_terminal_is_asked_to_create_the_reference_grant(cluster: Any, kubeconfig: Path) -> None:
    cluster.add(o.namespace("models"))
    cluster.add(o.pool_v1("far-pool", "models"))
    code, out = run_in_terminal(
        [
            *python_plugin(),
            "expose",
            "models/far-pool",
            "--gateway",
            "inference-gateway",
            "--no-record",
        ],
        plugin_env(kubeconfig),
        [("Also create ReferenceGrant", "y"), ("May I proceed", "y"), ("Send a test request", "n")],
    )
    assert code == 0, out
    grants = cluster.list("gateway.networking.k8s.io/v1beta1", "referencegrants", "models")
    assert [g["spec"]["from"][0]["namespace"] for g in grants] == ["llm"]
    assert "Verdict: Ready" in out


def test_declining_the_reference_grant_leaves_the_route_unresolved(
    cluster: Any, kubeconfig: Path
) -> None:
    cluster.add(o.namespace("models"))
    cluster.add(o.pool_v1("far-pool", "models"))
    code, out = run_in_terminal(
        [
            *python_plugin(),
            "expose",
            "models/far-pool",
            "--gateway",
            "inference-gateway",
            "--no-record",
        ],
        plugin_env(kubeconfig),
        [("Also create ReferenceGrant", "n"), ("May I proceed", "y")],
    )
    assert code == 3, out
    assert "RefNotPermitted" in out
    assert cluster.list("gateway.networking.k8s.io/v1beta1", "referencegrants", "models") == []
