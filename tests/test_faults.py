"""Fault injection at every step of `expose`: one plain line, a non-zero exit, nothing half-done.

Each case fails one request (by its position in the run) with a status, a delay past
--request-timeout, or a dropped connection, and checks: the exit code, the message, no traceback,
and the objects in the API server: unchanged, unless the run was approved and fully applied.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import write_kubeconfig

from kubectl_httproute.cli import root

ROUTES = "gateway.networking.k8s.io/v1"
RUN = (
    "expose",
    "qwen-pool",
    "--gateway",
    "inference-gateway",
    "--yes",
    "--no-wait",
    "--no-record",
    "--request-timeout",
    "0.5s",
)
# The requests of the run above, in order.
STEPS = (
    "discovery",
    "get gateway",
    "get pool",
    "get existing route",
    "rules review",
    "list routes",
    "list pods",
    "get endpoint picker service",
    "server dry-run",
    "apply",
)
TALLY = {
    "tried": 0,
    "changed_without_full_apply": 0,
    "recovered_and_applied": 0,
    "applied_but_answer_lost": 0,
}


@pytest.fixture(scope="module", autouse=True)
def _report_tally() -> Iterator[None]:
    # Parse the CRD schemas now: the first validation is slower than the 0.5s request timeout.
    from fakekube.schema import load_schema

    for group, version, plural in (
        ("gateway.networking.k8s.io", "v1", "httproutes"),
        ("gateway.networking.k8s.io", "v1", "gateways"),
        ("gateway.networking.k8s.io", "v1beta1", "referencegrants"),
        ("inference.networking.k8s.io", "v1", "inferencepools"),
    ):
        load_schema(group, version, plural)
    yield
    out = os.environ.get("INFERROUTE_TALLY")
    if out:
        with open(out, "a") as fh:
            fh.write(json.dumps({"suite": "faults", **TALLY}) + "\n")


def run(*args: str) -> Result:
    return CliRunner().invoke(root, list(args), catch_exceptions=False)


def error_lines(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("error: ")]


def check_outcome(cluster: Any, before: Any, result: Result, delayed: bool = False) -> None:
    """The invariants every fault case keeps."""
    TALLY["tried"] += 1
    assert "Traceback" not in result.output
    if delayed:
        time.sleep(0.6)  # let a delayed request the client gave up on land, if it lands
    after = cluster.snapshot()
    if result.exit_code == 0:
        stored = cluster.get(ROUTES, "httproutes", "llm", "qwen-pool")
        assert stored is not None, result.output
        TALLY["recovered_and_applied"] += 1
        return
    assert len(error_lines(result)) == 1, result.output
    assert "; " in error_lines(result)[0]  # what happened; what to do
    if after != before:
        # Only an apply whose answer was lost may have landed (whole: it is one request), and
        # then the message says so. The controller then writes status on the Gateway and pool.
        TALLY["changed_without_full_apply"] += "may or may not have been made" not in result.output
        assert "may or may not have been made" in result.output
        TALLY["applied_but_answer_lost"] += 1
        stored = cluster.get(ROUTES, "httproutes", "llm", "qwen-pool")
        assert stored is not None and stored["spec"]["parentRefs"][0]["name"] == (
            "inference-gateway"
        )
        for key in after:
            if key[1] != "HTTPRoute":
                assert {**after[key], "status": None} == {**before[key], "status": None}


FAULTS = {
    # name: (inject_fault kwargs, words the message carries when the run fails)
    "500 once": ({"status": 500}, "try again"),
    "503 always": ({"status": 503, "times": 10, "headers": {"Retry-After": "0"}}, "try again"),
    "429 always": ({"status": 429, "times": 10, "headers": {"Retry-After": "0"}}, "overloaded"),
    "401": ({"status": 401}, "credentials were refused"),
    "403": ({"status": 403}, "kubectl auth can-i"),
    "404": ({"status": 404}, "not"),
    "409": ({"status": 409}, "someone else changed it"),
    "422": (
        {
            "status": 422,
            "body": {
                "kind": "Status",
                "status": "Failure",
                "reason": "Invalid",
                "message": 'HTTPRoute.gateway.networking.k8s.io "qwen-pool" is invalid',
                "details": {
                    "name": "qwen-pool",
                    "causes": [{"field": "spec.rules[0].matches[0].path", "message": "bad"}],
                },
                "code": 422,
            },
        },
        "spec.rules[0].matches[0].path: bad",
    ),
    "delay past timeout": ({"delay": 1.0}, "did not answer within 0.5s"),
    "drop before answer": ({"drop": True, "times": 2}, "dropped"),
    "drop mid-response": ({"drop": "mid", "times": 2}, "dropped"),
    "drop once": ({"drop": "mid"}, "dropped"),
}


@pytest.mark.parametrize("step", range(1, len(STEPS) + 1), ids=STEPS)
@pytest.mark.parametrize("fault", list(FAULTS), ids=list(FAULTS))
def test_a_fault_at_each_step_is_one_line_and_loses_nothing(
    cluster: Any, kubeconfig: Path, step: int, fault: str
) -> None:
    kwargs, words = FAULTS[fault]
    before = cluster.snapshot()
    cluster.clear_requests()
    cluster.inject_fault(nth=step, **kwargs)
    result = run(*RUN)
    check_outcome(cluster, before, result, delayed="delay" in kwargs)
    if result.exit_code != 0:
        assert result.exit_code == 1, result.output
        assert words in result.output, result.output


def test_transient_failures_of_idempotent_requests_are_retried(
    cluster: Any, kubeconfig: Path
) -> None:
    cluster.inject_fault(
        method="GET", path_contains="/gateways/", status=503, times=2, headers={"Retry-After": "0"}
    )
    result = run(*RUN)
    assert result.exit_code == 0, result.output
    gets = [r for r in cluster.requests if "/gateways/inference-gateway" in r.path]
    assert [r.status for r in gets][:3] == [503, 503, 200]


def test_retry_after_is_honoured(cluster: Any, kubeconfig: Path) -> None:
    cluster.inject_fault(
        method="GET", path_contains="/gateways/", status=429, headers={"Retry-After": "1"}
    )
    started = time.monotonic()
    result = run(*RUN)
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 1.0


def test_a_create_is_never_retried_but_applies_are(cluster: Any, kubeconfig: Path) -> None:
    cluster.inject_fault(method="PATCH", path_contains="/httproutes/", nth=2, status=500)
    result = run(*RUN)
    assert result.exit_code == 0, result.output
    applies = [r for r in cluster.requests if r.method == "PATCH" and "dryRun" not in r.query]
    assert [r.status for r in applies] == [500, 201]


def test_a_dead_server_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    path = write_kubeconfig(tmp_path / "kc", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("KUBECONFIG", str(path))
    TALLY["tried"] += 1
    result = run(*RUN)
    assert result.exit_code == 1
    assert f"cannot reach the API server http://127.0.0.1:{port}: connection refused" in (
        result.output
    )
    assert "kubectl cluster-info" in result.output and "Traceback" not in result.output


def test_an_unresolvable_server_name_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_kubeconfig(tmp_path / "kc", "https://kube.nonexistent.invalid:6443")
    monkeypatch.setenv("KUBECONFIG", str(path))
    TALLY["tried"] += 1
    result = run(*RUN)
    assert result.exit_code == 1
    assert "does not resolve (DNS)" in result.output and "Traceback" not in result.output


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[str]:
    """An HTTPS server with a self-signed certificate the kubeconfig does not trust."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_an_untrusted_certificate_is_one_line(
    tls_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_kubeconfig(tmp_path / "kc", tls_server)
    monkeypatch.setenv("KUBECONFIG", str(path))
    TALLY["tried"] += 1
    result = run(*RUN)
    assert result.exit_code == 1, result.output
    assert "TLS verification failed" in result.output
    assert "certificate verify failed" in result.output
    assert "certificate-authority" in result.output and "Traceback" not in result.output


def test_a_missing_crd_is_named_with_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fakekube import FakeCluster

    with FakeCluster(gateway_api=False) as fake:
        path = write_kubeconfig(tmp_path / "kc", fake.url)
        monkeypatch.setenv("KUBECONFIG", str(path))
        TALLY["tried"] += 1
        result = run(*RUN)
    assert result.exit_code == 1
    assert "gateway.networking.k8s.io" in result.output
    assert "standard-install.yaml" in result.output


def test_a_missing_crd_on_list_names_the_crd(tmp_path: Path) -> None:
    from fakekube import FakeCluster

    from kubectl_httproute.cluster.client import KubeClient
    from kubectl_httproute.cluster.kubeconfig import load_kubeconfig
    from kubectl_httproute.core.model import POOLS_V1ALPHA2
    from kubectl_httproute.errors import NotFound

    with FakeCluster() as fake:
        path = write_kubeconfig(tmp_path / "kc", fake.url)
        client = KubeClient(load_kubeconfig(str(path)))
        with pytest.raises(NotFound) as caught:
            client.list(POOLS_V1ALPHA2, "llm")
    assert "inferencepools.inference.networking.x-k8s.io" in caught.value.message
    assert "is not installed" in caught.value.message
    assert "Inference Extension" in caught.value.hint


def test_access_review_answers_yes_and_no(tmp_path: Path) -> None:
    from fakekube import FakeCluster

    from kubectl_httproute.cluster.client import KubeClient
    from kubectl_httproute.cluster.kubeconfig import load_kubeconfig

    with FakeCluster() as fake:
        fake.deny("admin", "patch", "gateway.networking.k8s.io", "httproutes", "llm")
        client = KubeClient(load_kubeconfig(str(write_kubeconfig(tmp_path / "kc", fake.url))))
        g = "gateway.networking.k8s.io"
        assert client.access_review("create", g, "httproutes", "llm") is True
        assert client.access_review("patch", g, "httproutes", "llm") is False
        assert client.access_review("patch", g, "httproutes", "other") is True
        rules, incomplete = client.rules_review("llm") or ([], True)
        assert not incomplete
        assert any("httproutes" in r["resources"] and "create" in r["verbs"] for r in rules)
        assert not any("httproutes" in r["resources"] and "patch" in r["verbs"] for r in rules)


def test_a_record_path_that_cannot_be_written_still_reports_and_prints_the_record(
    cluster: Any, kubeconfig: Path, tmp_path: Path
) -> None:
    blocked = tmp_path / "no-such-dir" / "record.md"
    result = run(*RUN[:-4], "--no-wait", "--record", str(blocked))
    assert result.exit_code == 0, result.output
    assert "httproute.gateway.networking.k8s.io/qwen-pool created" in result.output
    assert "the record follows instead" in result.output
    assert "# " in result.output.split("the record follows instead")[1]
    assert cluster.get(ROUTES, "httproutes", "llm", "qwen-pool") is not None


# --- Ctrl-C --------------------------------------------------------------------------------------


def _start_expose(kubeconfig: Path, *extra: str) -> subprocess.Popen[str]:
    import sys

    env = {**os.environ, "KUBECONFIG": str(kubeconfig), "PYTHONUNBUFFERED": "1"}
    args = [a for a in RUN if a not in ("--request-timeout", "0.5s")]
    return subprocess.Popen(
        [sys.executable, "-m", "kubectl_httproute", *args, "--request-timeout", "10s", *extra],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for(fault: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while fault.seen < 1:
        assert time.monotonic() < deadline, "the request never arrived"
        time.sleep(0.02)
    time.sleep(0.1)


def test_ctrl_c_before_the_apply_changes_nothing(cluster: Any, kubeconfig: Path) -> None:
    import signal

    before = cluster.snapshot()
    fault = cluster.inject_fault(method="GET", path_contains="/gateways/", delay=3.0)
    proc = _start_expose(kubeconfig)
    _wait_for(fault)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=20)
    TALLY["tried"] += 1
    assert proc.returncode == 130, out
    assert "interrupted: nothing more was changed" in out and "Traceback" not in out
    time.sleep(3.0)
    assert cluster.snapshot() == before


def test_ctrl_c_during_the_apply_lets_it_finish_whole(cluster: Any, kubeconfig: Path) -> None:
    import signal

    fault = cluster.inject_fault(method="PATCH", path_contains="/httproutes/", nth=2, delay=1.5)
    proc = _start_expose(kubeconfig)
    _wait_for(fault)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=20)
    TALLY["tried"] += 1
    assert proc.returncode == 130, out
    assert "finishing the apply in progress" in out and "Traceback" not in out
    stored = cluster.get(ROUTES, "httproutes", "llm", "qwen-pool")
    assert stored is not None and stored["spec"]["rules"][0]["backendRefs"][0]["name"] == (
        "qwen-pool"
    )


def test_a_second_ctrl_c_exits_at_once(cluster: Any, kubeconfig: Path) -> None:
    import signal

    fault = cluster.inject_fault(method="PATCH", path_contains="/httproutes/", nth=2, delay=5.0)
    proc = _start_expose(kubeconfig)
    _wait_for(fault)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.2)
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=20)
    assert time.monotonic() - started < 2.0
    assert proc.returncode == 130, out
    assert "interrupted again: exiting now" in out
