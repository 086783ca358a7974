"""Issue 11, defects 8 and 9, through the installed `kubectl-inferroute`: inputs that were taken
are refused with one line naming the flag and the rule (exit 2, nothing sent), and errors that
misled say what is really wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import write_kubeconfig
from fakekube import ControllerSim, FakeCluster
from fakekube.objects import standard_cluster

# The console script pip installed next to this python: the command a user runs.
PLUGIN = Path(sys.executable).parent / "kubectl-inferroute"
GATEWAY = ("--gateway", "inference-gateway")
LONG_LABEL = "a" * 64


@pytest.fixture(scope="module", autouse=True)
def _installed() -> None:
    assert PLUGIN.exists(), f"install the project first (make install): no {PLUGIN}"


def plugin(*args: str, kubeconfig: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if kubeconfig is not None:
        env["KUBECONFIG"] = str(kubeconfig)
    return subprocess.run(
        [str(PLUGIN), *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


def error_line(done: subprocess.CompletedProcess[str]) -> str:
    """The one `error: ` line, checked to be alone and without a traceback."""
    output = done.stdout + done.stderr
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, output
    return lines[0]


def refused(
    cluster: Any, args: tuple[str, ...], exit_code: int, words: list[str], **kw: Any
) -> str:
    """Run; check it exits exit_code with one error line holding words, having sent nothing."""
    before = cluster.snapshot()
    cluster.clear_requests()
    done = plugin(*args, **kw)
    line = error_line(done)
    assert done.returncode == exit_code, done.stdout + done.stderr
    for word in words:
        assert word in line, line
    assert [f"{r.method} {r.path}" for r in cluster.requests] == []
    assert cluster.snapshot() == before
    return line


# --- defect 8: inputs taken that should not be ------------------------------------------------

REFUSED = [
    (
        "header value with a newline",
        ("expose", "qwen-pool", *GATEWAY, "--header", "x-model=qwen\nx-evil: 1"),
        ["--header", '"x-model"', "control character", "newline \\n"],
    ),
    (
        "header value with a carriage return",
        ("expose", "qwen-pool", *GATEWAY, "--header", "x-model=qwen\r"),
        ["--header", "control character", "\\r"],
    ),
    (
        "header value with an escape character",
        ("expose", "qwen-pool", *GATEWAY, "--header", "x-model=\x1b[31mqwen"),
        ["--header", "control character", "\\x1b"],
    ),
    (
        "header value with a DEL",
        ("expose", "qwen-pool", *GATEWAY, "--header", "x-model=qw\x7fen"),
        ["--header", "control character", "\\x7f"],
    ),
    (
        "header value with a leading space",
        ("expose", "qwen-pool", *GATEWAY, "--header", "x-model= qwen"),
        ["--header", "space or tab", "strips"],
    ),
    (
        "request timeout with an unknown unit, offline",
        ("expose", "qwen-pool", *GATEWAY, "--dry-run=client", "--request-timeout", "5x"),
        ["--request-timeout", '"5x"', 'unknown unit "x"'],
    ),
    (
        "negative request timeout, offline",
        ("expose", "qwen-pool", *GATEWAY, "--dry-run=client", "--request-timeout", "-1s"),
        ["--request-timeout", '"-1s"', "negative"],
    ),
    (
        "request timeout before the subcommand, offline",
        ("--request-timeout", "5x", "expose", "qwen-pool", *GATEWAY, "--dry-run=client"),
        ["--request-timeout", '"5x"'],
    ),
    (
        "status with a 64-character namespace",
        ("status", "-n", LONG_LABEL),
        ["--namespace", "64 characters", "more than 63"],
    ),
    (
        "hostname with a 64-character label",
        ("expose", "qwen-pool", *GATEWAY, "--hostname", f"{LONG_LABEL}.example.com"),
        ["--hostname", "64 characters", "more than 63"],
    ),
    (
        "control character in a name, shown escaped",
        ("expose", "qwen-pool", *GATEWAY, "--name", "qwen\npool"),
        ["--name", '"qwen\\npool"'],
    ),
]


@pytest.mark.parametrize(("args", "words"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refuses_with_one_line_before_any_request(
    cluster: Any, kubeconfig: Path, args: tuple[str, ...], words: list[str]
) -> None:
    extra = ("--yes", "--no-record") if args[0] == "expose" else ()
    refused(cluster, (*args, *extra), 2, words)


@pytest.mark.parametrize(
    "args",
    [
        ("status",),
        ("expose", "qwen-pool", *GATEWAY, "--yes", "--no-record"),
        ("expose", "qwen-pool", *GATEWAY, "--dry-run=client"),
    ],
    ids=["status", "expose", "expose offline"],
)
def test_a_context_namespace_of_64_characters_is_refused_at_kubeconfig_load(
    cluster: Any, tmp_path: Path, args: tuple[str, ...]
) -> None:
    config = write_kubeconfig(tmp_path / "kubeconfig", cluster.url, namespace=LONG_LABEL)
    line = refused(
        cluster, args, 1, ['kubeconfig context "test" namespace', "more than 63"], kubeconfig=config
    )
    # It came from the kubeconfig, not from a flag, and both fixes are offered.
    assert not line.startswith("error: --namespace")
    assert "kubectl config set-context test --namespace=" in line
    assert "or pass --namespace" in line


# --- defect 9: errors that said something else -----------------------------------------------

MISLEADING = [
    # (name, args, exit code, words the line has, words it must not have)
    (
        "negative weight",
        ("expose", "qwen-pool=-1", "other=2", *GATEWAY),
        2,
        ["POOL", '"qwen-pool=-1"', "weights are whole numbers from 0 to 1000000"],
        ["not a whole number"],
    ),
    (
        "weight too big",
        ("expose", "qwen-pool=1000001", *GATEWAY),
        2,
        ["weights are whole numbers from 0 to 1000000"],
        [],
    ),
    (
        "pool with two slashes",
        ("expose", "a/b/c", *GATEWAY),
        2,
        ['POOL "a/b/c"', 'more than one "/"', "[NAMESPACE/]POOL[=WEIGHT]"],
        ["gateways/", "NAMESPACE/NAME"],
    ),
    (
        "pool name printed once",
        ("expose", "Qwen-Pool", *GATEWAY),
        2,
        ['POOL "Qwen-Pool": contains uppercase letters'],
        ["'Qwen-Pool'"],
    ),
    (
        "pool namespace printed once",
        ("expose", "Bad_NS/qwen", *GATEWAY),
        2,
        ['POOL namespace "Bad_NS": contains uppercase letters'],
        ["Bad_NS/qwen"],
    ),
    (
        "gateway namespace printed once",
        ("expose", "qwen-pool", "--gateway", "Bad_NS/gw"),
        2,
        ['--gateway namespace "Bad_NS": contains uppercase letters'],
        ["Bad_NS/gw"],
    ),
]


@pytest.mark.parametrize(
    ("args", "code", "words", "absent"),
    [c[1:] for c in MISLEADING],
    ids=[c[0] for c in MISLEADING],
)
def test_errors_say_what_is_wrong(
    cluster: Any,
    kubeconfig: Path,
    args: tuple[str, ...],
    code: int,
    words: list[str],
    absent: list[str],
) -> None:
    line = refused(cluster, (*args, "--yes", "--no-record"), code, words)
    for word in absent:
        assert word not in line, line


@pytest.mark.parametrize(
    "command", [("expose", "qwen-pool", *GATEWAY), ("rollback", "qwen-pool")], ids=lambda c: c[0]
)
def test_record_given_a_directory_says_so_and_names_a_file(
    cluster: Any, kubeconfig: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    args = (*command, "--yes", "--record", str(tmp_path))
    line = refused(cluster, args, 2, ["--record", f'"{tmp_path}" is a directory'])
    assert f"--record {tmp_path / 'qwen-pool.inferroute.md'}" in line
    assert "already exists" not in line


def test_a_kubeconfig_server_that_is_not_a_url_is_named_at_load(
    cluster: Any, tmp_path: Path
) -> None:
    config = write_kubeconfig(tmp_path / "kubeconfig", "not a url")
    for args in (("status",), ("expose", "qwen-pool", *GATEWAY, "--yes", "--no-record")):
        line = refused(
            cluster,
            args,
            1,
            ['the kubeconfig\'s server for cluster "fake" is not a URL: "not a url"'],
            kubeconfig=config,
        )
        assert "dropped" not in line and "network" not in line
        assert "kubectl config set-cluster fake --server=https://" in line


@pytest.mark.parametrize(
    ("server", "problem"),
    [
        ("127.0.0.1:6443", "does not start with https://"),
        ("ftp://127.0.0.1", "does not start with https://"),
        ("https://", "names no host"),
        ("https://127.0.0.1:port", "cannot be parsed"),
    ],
)
def test_other_servers_that_are_not_urls(
    bare_cluster: Any, tmp_path: Path, server: str, problem: str
) -> None:
    config = write_kubeconfig(tmp_path / "kubeconfig", server)
    refused(bare_cluster, ("status",), 1, ["is not a URL", problem], kubeconfig=config)


@pytest.fixture
def plain_http_cluster() -> Iterator[FakeCluster]:
    with FakeCluster() as fake:
        standard_cluster(fake)
        yield fake


def test_https_to_a_plain_http_server_says_it_answered_plain_http(
    plain_http_cluster: FakeCluster, tmp_path: Path
) -> None:
    https = plain_http_cluster.url.replace("http://", "https://")
    config = write_kubeconfig(tmp_path / "kubeconfig", https)
    data = yaml.safe_load(config.read_text())
    data["clusters"][0]["cluster"]["insecure-skip-tls-verify"] = True
    config.write_text(yaml.safe_dump(data))

    done = plugin("status", kubeconfig=config)
    line = error_line(done)

    assert done.returncode == 1
    assert f"the API server {https} does not speak TLS: it answered in plain HTTP" in line
    assert "verification" not in line
    assert "http://" in line  # the fix names the other scheme


@pytest.fixture
def silent_controller_cluster() -> Iterator[FakeCluster]:
    """Statuses written once, then no controller: a new route is never judged."""
    with FakeCluster() as fake:
        standard_cluster(fake)
        ControllerSim(fake).reconcile()
        yield fake


def test_timeout_zero_looks_once_and_says_so(
    silent_controller_cluster: FakeCluster, tmp_path: Path
) -> None:
    config = write_kubeconfig(tmp_path / "kubeconfig", silent_controller_cluster.url)
    done = plugin(
        "expose", "qwen-pool", *GATEWAY, "--yes", "--no-record", "--timeout", "0", kubeconfig=config
    )

    assert done.returncode == 3, done.stdout + done.stderr
    verdict = [line for line in done.stdout.splitlines() if line.startswith("Verdict:")]
    assert verdict == [
        "Verdict: Pending — the controller has not judged this version of the route yet: "
        "--timeout 0 looks once, without waiting"
    ]
    assert "no controller has processed" not in done.stdout
    assert "kubectl inferroute status qwen-pool -n llm" in done.stdout
    # The help says what 0 means.
    assert "0: look once, without waiting" in plugin("expose", "--help").stdout
