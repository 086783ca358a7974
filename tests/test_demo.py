"""`make demo`, the documented command: a fake cluster a newcomer can run `expose` on to Ready,
then `status`, and stop (Ctrl-C or `make demo-stop`) without leaving a process behind."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = Path(sys.executable).parent / "kubectl-inferroute"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


class Demo(NamedTuple):
    process: subprocess.Popen[str]
    directory: Path
    kubeconfig: Path
    server: str
    banner: list[str]


def make(*args: str, directory: Path) -> list[str]:
    # This python's venv, whichever runs the tests: make's own default is ./.venv.
    return [
        "make",
        "--no-print-directory",
        *args,
        f"DEMO_DIR={directory}",
        f"VPYTHON={sys.executable}",
    ]


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    directory = tmp_path / "demo"
    process = subprocess.Popen(
        make("demo", directory=directory),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job is
    )
    assert process.stdout is not None
    banner: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        banner.append(line.rstrip("\n"))
        if line.startswith("Stop it with"):
            break
    try:
        exports = [line.strip() for line in banner if line.strip().startswith("export KUBECONFIG=")]
        assert exports, "\n".join(banner)
        kubeconfig = Path(exports[0].split("=", 1)[1])
        server = banner[0].split("API server ", 1)[1].split(",")[0]
        yield Demo(process, directory, kubeconfig, server, banner)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def plugin(demo: Demo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PLUGIN), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "KUBECONFIG": str(demo.kubeconfig)},
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def processes_in_group(pgid: int) -> list[str]:
    """The processes left in the demo's process group (its session: make and its children)."""
    left = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ')'.
        fields = text.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            left.append(text.split(")")[0] + ")")
    return left


def listening(server: str) -> bool:
    parts = urlsplit(server)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return True
    except OSError:
        return False


def assert_stopped(demo: Demo) -> None:
    output = demo.process.communicate(timeout=30)[0]
    assert "demo stopped" in output
    assert "Traceback" not in output
    assert processes_in_group(demo.process.pid) == []
    assert not listening(demo.server)
    assert not (demo.directory / "demo.pid").exists()
    assert not demo.kubeconfig.exists()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_make_demo_takes_expose_to_ready_then_status_and_ctrl_c_stops_it(demo: Demo) -> None:
    assert demo.server.startswith("http://127.0.0.1:")
    assert any(
        "kubectl inferroute expose qwen-pool" in line
        or "kubectl-inferroute expose qwen-pool" in line
        for line in demo.banner
    )

    exposed = plugin(
        demo, "expose", "qwen-pool", "--gateway", "inference-gateway", "--yes", "--no-record"
    )
    assert exposed.returncode == 0, exposed.stdout + exposed.stderr
    assert "Verdict: Ready — Accepted and all references resolved" in exposed.stdout

    second = plugin(
        demo,
        "expose",
        "llama-pool",
        "--gateway",
        "inference-gateway",
        "--path",
        "/llama",
        "--yes",
        "--no-record",
    )
    assert second.returncode == 0, second.stdout + second.stderr

    status = plugin(demo, "status")
    assert status.returncode == 0, status.stdout + status.stderr
    rows = [line.split() for line in status.stdout.splitlines()[1:] if line.strip()]
    assert [(row[0], row[-1]) for row in rows] == [("llama-pool", "Ready"), ("qwen-pool", "Ready")]

    probe = plugin(demo, "status", "qwen-pool", "--probe", "--model", "Qwen/Qwen3-8B")
    assert probe.returncode == 0, probe.stdout + probe.stderr
    assert "GET /v1/models: HTTP 200" in probe.stdout and "Qwen/Qwen3-8B" in probe.stdout
    assert "POST /v1/completions: HTTP 200" in probe.stdout

    # Ctrl-C on a terminal: SIGINT to the foreground process group, make and the demo alike.
    os.killpg(demo.process.pid, signal.SIGINT)
    assert_stopped(demo)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_make_demo_stop_stops_it_from_another_terminal(demo: Demo) -> None:
    assert listening(demo.server)
    again = subprocess.run(
        make("demo", directory=demo.directory),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode != 0
    assert "already running" in again.stderr

    stopped = subprocess.run(
        make("demo-stop", directory=demo.directory),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert "demo stopped" in stopped.stdout
    assert demo.process.wait(timeout=30) == 0
    assert_stopped(demo)
