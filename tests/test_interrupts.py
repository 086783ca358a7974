"""Ctrl-C: after the apply, `expose` says what it applied and keeps the record (exit 130); a
read-only command says only `interrupted` (exit 130), hanging server or not.

The installed command runs as a real process and gets a real SIGINT (or, at a question on a
pseudo-terminal, the Ctrl-C character the terminal turns into one).
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from fakekube import objects as o
from test_terminal import installed_plugin, plugin_env, run_in_terminal

ROUTES = "gateway.networking.k8s.io/v1"
EXPOSE = ("expose", "qwen-pool", "--gateway", "inference-gateway", "--request-timeout", "20s")
APPLIED = "interrupted: HTTPRoute llm/qwen-pool was applied (created, generation 1)"
STATUS_HINT = "see it with `kubectl inferroute status qwen-pool -n llm`"


class Started(NamedTuple):
    proc: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    def read(self) -> tuple[str, str]:
        return self.stdout.read_text(), self.stderr.read_text()


def start(kubeconfig: Path, tmp_path: Path, *args: str) -> Started:
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            [installed_plugin(), *args],
            env={**plugin_env(kubeconfig), "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
        )
    return Started(proc, out, err)


def wait_until(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
    time.sleep(0.2)  # let the request (or the print) be under way


def interrupt(run: Started) -> tuple[int, str, str]:
    run.proc.send_signal(signal.SIGINT)
    code = run.proc.wait(timeout=30)
    out, err = run.read()
    return code, out, err


# --- defect 6: Ctrl-C after a successful apply ----------------------------------------------------


class AfterApply(NamedTuple):
    fault: dict[str, Any]  # what holds the run up, so that Ctrl-C lands there
    args: tuple[str, ...]
    says: tuple[str, ...]


AFTER_APPLY = {
    # The verdict never comes in time: the first poll of the route hangs.
    "waiting for the verdict": AfterApply(
        {"method": "GET", "path_contains": "/httproutes/qwen-pool", "nth": 2, "delay": 15.0},
        ("--yes",),
        ("but its verdict is unknown", STATUS_HINT),
    ),
    "waiting for the verdict, -o yaml": AfterApply(
        {"method": "GET", "path_contains": "/httproutes/qwen-pool", "nth": 2, "delay": 15.0},
        ("--yes", "-o", "yaml"),
        ("but its verdict is unknown", STATUS_HINT),
    ),
    # Ctrl-C during the apply waits for it, then stops at once: the same as just after it.
    "during the apply": AfterApply(
        {"method": "PATCH", "path_contains": "/httproutes/", "nth": 2, "delay": 1.5},
        ("--yes",),
        ("finishing the apply in progress", "but its verdict is unknown", STATUS_HINT),
    ),
}


@pytest.mark.parametrize("name", list(AFTER_APPLY))
def test_ctrl_c_after_the_apply_says_it_was_applied_and_keeps_the_record(
    cluster: Any, kubeconfig: Path, tmp_path: Path, name: str
) -> None:
    case = AFTER_APPLY[name]
    fault = cluster.inject_fault(**case.fault)
    record = tmp_path / "record.md"
    run = start(kubeconfig, tmp_path, *EXPOSE, *case.args, "--record", str(record))
    wait_until(lambda: fault.fired >= 1, "the held-up request")
    code, out, err = interrupt(run)
    assert code == 130, out + err
    assert APPLIED in err, err
    for words in case.says:
        assert words in err, err
    assert "nothing more was changed" not in out + err
    assert "Traceback" not in out + err
    stored = cluster.get(ROUTES, "httproutes", "llm", "qwen-pool")
    assert stored is not None and stored["metadata"]["generation"] == 1
    text = record.read_text()
    assert "**Interrupted** (Ctrl-C) after the apply" in text
    assert "**Unknown** — interrupted (Ctrl-C) before the controller's verdict." in text
    assert "| apply | HTTPRoute llm/qwen-pool created (generation 1) |" in text
    assert "| verify | interrupted (Ctrl-C): the controller's verdict is unknown |" in text
    assert f"Deployment record: {record}" in out + err


def test_ctrl_c_at_the_record_question_writes_no_record_and_says_what_was_applied(
    cluster: Any, kubeconfig: Path
) -> None:
    code, out = run_in_terminal(
        [installed_plugin(), *EXPOSE],
        plugin_env(kubeconfig),
        [("May I proceed", "y"), ("Write the deployment record", "\x03")],
    )
    assert code == 130, out
    assert f"{APPLIED} and no deployment record was written" in out
    assert list(Path.cwd().glob("*.inferroute.md")) == []
    assert cluster.get(ROUTES, "httproutes", "llm", "qwen-pool") is not None


# --- defect 7: read-only commands ---------------------------------------------------------------


class ReadOnly(NamedTuple):
    args: tuple[str, ...]
    hanging: bool  # every request hangs; else the command shows its first view first
    stdout_starts: str


READ_ONLY = {
    "status, hanging server": ReadOnly(("status",), True, ""),
    "status ROUTE, hanging server": ReadOnly(("status", "qwen-pool"), True, ""),
    "status --watch, hanging server": ReadOnly(("status", "--watch"), True, ""),
    "status -o json --watch, hanging server": ReadOnly(
        ("status", "-o", "json", "--watch"), True, ""
    ),
    "status --watch, after its first view": ReadOnly(("status", "--watch"), False, "--- "),
}


@pytest.mark.parametrize("name", list(READ_ONLY))
def test_ctrl_c_in_a_read_only_command_says_interrupted_and_exits_130(
    cluster: Any, kubeconfig: Path, tmp_path: Path, name: str
) -> None:
    case = READ_ONLY[name]
    if not case.hanging:
        cluster.add(o.httproute("qwen-pool", pool="qwen-pool"))
    before = cluster.snapshot()
    fault = cluster.inject_fault(method="GET", delay=15.0, times=1000) if case.hanging else None
    run = start(kubeconfig, tmp_path, *case.args, "--request-timeout", "20s")
    if fault is not None:
        wait_until(lambda: fault.fired >= 1, "the first request")
    else:
        wait_until(lambda: case.stdout_starts in run.stdout.read_text(), "the first view")
    code, out, err = interrupt(run)
    assert code == 130, out + err
    assert err.strip().splitlines()[-1] == "interrupted", err
    assert "changed" not in err and "Traceback" not in err
    assert out.startswith(case.stdout_starts), out
    if case.hanging:
        assert out == ""
    assert cluster.snapshot() == before


# --- shift: Ctrl-C mid-shift ----------------------------------------------------------------------


def test_ctrl_c_mid_shift_stops_at_the_step_and_leaves_the_route_as_it_is(
    cluster: Any, kubeconfig: Path, tmp_path: Path
) -> None:
    for name in ("qwen-v1", "qwen-v2"):
        cluster.add(o.pool_v1(name, selector={"app": name}))
        cluster.add(o.service(f"{name}-epp", ports=[9002]))
        cluster.add(o.pod(f"{name}-0", labels={"app": name}))
    cluster.add(o.httproute("qwen", pool="qwen-v1"))  # made by someone else: take it over

    def split() -> dict[str, int]:
        route = cluster.get(ROUTES, "httproutes", "llm", "qwen")
        return {r["name"]: r["weight"] for r in route["spec"]["rules"][0]["backendRefs"]}

    record = tmp_path / "record.md"
    args = ("shift", "qwen", "--to", "qwen-v2", "--steps", "50,100", "--interval", "60s")
    run = start(kubeconfig, tmp_path, *args, "--yes", "--force-conflicts", "--record", str(record))
    wait_until(lambda: "waiting for the hold" in run.read()[1], "the hold of step 1")
    code, out, err = interrupt(run)

    assert code == 130, out + err
    assert (
        "interrupted at step 1/2 (50% to qwen-v2): HTTPRoute llm/qwen is left as it is "
        "(qwen-v1=50 qwen-v2=50)"
    ) in err
    assert "Traceback" not in out + err
    assert split() == {"qwen-v1": 50, "qwen-v2": 50}
    text = record.read_text()
    assert "| interrupted | at step 1/2 (50% to qwen-v2) (Ctrl-C): the route is left at" in text
