"""Bad input through the CLI: one line naming the rule and the fix, exit 2 (or 1 for kubeconfig
trouble), no traceback, no request to the API server, nothing changed."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import write_kubeconfig
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubectl_httproute.cli import root
from kubectl_httproute.core.durations import parse_duration

TALLY = {"tried": 0, "changed": 0, "requests_sent": 0}
BASE = ("expose", "--gateway", "inference-gateway", "--yes", "--no-wait", "--no-record")


@pytest.fixture(scope="module", autouse=True)
def _report_tally() -> Iterator[None]:
    yield
    out = os.environ.get("INFERROUTE_TALLY")
    if out:
        with open(out, "a") as fh:
            fh.write(json.dumps({"suite": "bad input", **TALLY}) + "\n")


def run(*args: str) -> Result:
    return CliRunner().invoke(root, list(args), catch_exceptions=False)


def refused(cluster: Any, args: tuple[str, ...], exit_code: int, *words: str) -> Result:
    """Run, and check the run was refused before any request with one line saying why."""
    before = cluster.snapshot()
    cluster.clear_requests()
    result = run(*args)
    TALLY["tried"] += 1
    TALLY["changed"] += cluster.snapshot() != before
    TALLY["requests_sent"] += len(cluster.requests)
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, result.output
    for word in words:
        assert word in lines[0], lines[0]
    assert cluster.snapshot() == before
    return result


BAD_FLAGS = [
    # names
    ("pool with uppercase", ("Bad_Pool",), ["POOL", "uppercase"]),
    ("route name starting with a dash", ("qwen-pool", "--name", "-bad"), ["--name"]),
    ("route name too long", ("qwen-pool", "--name", "a" * 254), ["--name", "253"]),
    ("namespace with uppercase", ("qwen-pool", "-n", "Bad_NS"), ["--namespace"]),
    ("namespace too long", ("qwen-pool", "-n", "a" * 64), ["--namespace", "63"]),
    ("listener name", ("qwen-pool", "--section-name", "Bad_Name"), ["--section-name"]),
    ("gateway ref with two slashes", ("qwen-pool", "--gateway", "a/b/c"), ["--gateway"]),
    ("gateway with uppercase", ("qwen-pool", "--gateway", "Gateway"), ["--gateway"]),
    ("pool named twice", ("qwen-pool", "qwen-pool"), ["named twice"]),
    ("pool with a dot-dot", ("qwen..pool",), ["POOL"]),
    # durations
    ("bare number", ("qwen-pool", "--route-timeout", "10"), ["--route-timeout", "GEP-2257"]),
    ("days", ("qwen-pool", "--route-timeout", "1d"), ["--route-timeout"]),
    ("negative", ("qwen-pool", "--backend-timeout", "-5s"), ["--backend-timeout"]),
    ("too many digits", ("qwen-pool", "--route-timeout", "123456s"), ["--route-timeout"]),
    ("five parts", ("qwen-pool", "--route-timeout", "1h1m1s1ms1s"), ["--route-timeout"]),
    (
        "backend longer than request",
        ("qwen-pool", "--backend-timeout", "20s", "--route-timeout", "10s"),
        ["--backend-timeout", "longer"],
    ),
    ("sub-millisecond", ("qwen-pool", "--route-timeout", "1.5ms"), ["--route-timeout", "GEP-2257"]),
    ("empty route timeout", ("qwen-pool", "--route-timeout", ""), ["--route-timeout", "GEP-2257"]),
    ("empty backend timeout", ("qwen-pool", "--backend-timeout", ""), ["--backend-timeout"]),
    (
        "rewritten backend longer than request",
        ("qwen-pool", "--backend-timeout", "1.5s", "--route-timeout", "1s"),
        ["--backend-timeout", "longer"],
    ),
    ("wait timeout", ("qwen-pool", "--timeout", "abc"), ["--timeout"]),
    ("wait timeout without unit", ("qwen-pool", "--timeout", "60"), ["--timeout", "missing unit"]),
    ("negative wait timeout", ("qwen-pool", "--timeout", "-1s"), ["--timeout", "negative"]),
    ("request timeout", ("qwen-pool", "--request-timeout", "soon"), ["--request-timeout"]),
    ("negative request timeout", ("qwen-pool", "--request-timeout", "-5s"), ["negative"]),
    ("empty request timeout", ("qwen-pool", "--request-timeout", ""), ["--request-timeout"]),
    # paths
    ("relative path", ("qwen-pool", "--path", "v1"), ["--path", "start with"]),
    ("double slash", ("qwen-pool", "--path", "/a//b"), ["//"]),
    ("dot-dot segment", ("qwen-pool", "--path", "/a/../b"), ["/../"]),
    ("dot segment", ("qwen-pool", "--path", "/a/./b"), ["/./"]),
    ("encoded slash", ("qwen-pool", "--path", "/a%2fb"), ["%2f"]),
    ("fragment", ("qwen-pool", "--path", "/a#b"), ["#"]),
    # weights
    ("all weights zero", ("a=0", "b=0"), ["weight"]),
    ("negative weight", ("a=-1", "b=2"), ["weight"]),
    ("weight not a number", ("a=x",), ["weight"]),
    ("weight too big", ("a=1000001", "b=1"), ["1000001"]),
    # ports
    ("port zero", ("qwen-pool", "--port", "0"), ["--port"]),
    ("port too big", ("qwen-pool", "--port", "70000"), ["--port"]),
    # headers
    ("header without value", ("qwen-pool", "--header", "novalue"), ["--header", "NAME=VALUE"]),
    ("header name with space", ("qwen-pool", "--header", "bad name=x"), ["--header"]),
    ("header twice", ("qwen-pool", "--header", "x=1", "--header", "X=2"), ["twice"]),
    # hostnames
    ("hostname uppercase", ("qwen-pool", "--hostname", "Bad_Host"), ["--hostname"]),
    ("hostname IP", ("qwen-pool", "--hostname", "1.2.3.4"), ["IP address"]),
    ("bare wildcard", ("qwen-pool", "--hostname", "*"), ["--hostname"]),
    ("inner wildcard", ("qwen-pool", "--hostname", "a.*.com"), ["--hostname"]),
    ("hostname with port", ("qwen-pool", "--hostname", "a.example.com:80"), ["--hostname"]),
    ("hostname with scheme", ("qwen-pool", "--hostname", "http://a.example.com"), ["--hostname"]),
    ("17 hostnames", ("qwen-pool", *[f"--hostname=h{i}.example.com" for i in range(17)]), ["16"]),
    # contradictions
    ("record and no-record", ("qwen-pool", "--record", "x.md", "--no-record"), ["--record"]),
]


@pytest.mark.parametrize(
    ("args", "words"), [c[1:] for c in BAD_FLAGS], ids=[c[0] for c in BAD_FLAGS]
)
def test_bad_flags_are_refused_before_any_request(
    cluster: Any, kubeconfig: Path, args: tuple[str, ...], words: list[str]
) -> None:
    refused(cluster, (*BASE, *args), 2, *words)


# --- kubeconfigs ------------------------------------------------------------------------------


def _kubeconfigs(tmp: Path, server: str) -> dict[str, tuple[list[str], list[str]]]:
    """name → (extra flags, words of the message)."""
    (tmp / "bad.yaml").write_text("apiVersion: v1\nclusters: [unclosed\n")
    ok = write_kubeconfig(tmp / "ok.yaml", server)
    config = yaml.safe_load(ok.read_text())
    config["current-context"] = ""
    (tmp / "nocurrent.yaml").write_text(yaml.safe_dump(config))
    plugin = tmp / "credential-plugin.sh"
    plugin.write_text("#!/bin/sh\necho 'login expired: run sso-login' >&2\nexit 1\n")
    plugin.chmod(0o755)
    write_kubeconfig(
        tmp / "exec.yaml",
        server,
        user={
            "exec": {
                "apiVersion": "client.authentication.k8s.io/v1beta1",
                "command": str(plugin),
                "interactiveMode": "Never",
            }
        },
    )
    (tmp / "list.yaml").write_text("- just\n- a list\n")
    return {
        "missing file": (["--kubeconfig", str(tmp / "missing.yaml")], ["does not exist"]),
        "invalid YAML": (["--kubeconfig", str(tmp / "bad.yaml")], ["not valid YAML"]),
        "not a mapping": (["--kubeconfig", str(tmp / "list.yaml")], ["kubeconfig"]),
        "unknown context": (["--kubeconfig", str(ok), "--context", "nope"], ['"nope"', "test"]),
        "no current context": (
            ["--kubeconfig", str(tmp / "nocurrent.yaml")],
            ["no current context", "--context"],
        ),
        "unknown user": (["--kubeconfig", str(ok), "--user", "nobody"], ['"nobody"']),
        "unknown cluster": (["--kubeconfig", str(ok), "--cluster", "nowhere"], ['"nowhere"']),
        "failing exec plugin": (
            ["--kubeconfig", str(tmp / "exec.yaml")],
            ["credential-plugin.sh", "failed", "login expired: run sso-login"],
        ),
    }


KUBECONFIG_CASES = [
    "missing file",
    "invalid YAML",
    "not a mapping",
    "unknown context",
    "no current context",
    "unknown user",
    "unknown cluster",
    "failing exec plugin",
]


@pytest.mark.parametrize("case", KUBECONFIG_CASES)
def test_kubeconfig_trouble_is_one_line(cluster: Any, tmp_path: Path, case: str) -> None:
    flags, words = _kubeconfigs(tmp_path, cluster.url)[case]
    refused(cluster, (*BASE, "qwen-pool", *flags), 1, *words)


# --- properties: the name and duration rules at the CLI ---------------------------------------

NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
DURATION = re.compile(r"([0-9]{1,5}(h|m|s|ms)){1,4}")
PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(st.text(alphabet="abcXYZ019-._/ ", min_size=1, max_size=20))
def test_route_names_follow_dns_1123_at_the_cli(text: str) -> None:
    result = run("expose", "qwen-pool", "--gateway", "gw", "--dry-run=client", "--name", text)
    TALLY["tried"] += 1
    assert "Traceback" not in result.output
    valid = bool(NAME.fullmatch(text)) and len(text) <= 253
    if valid:
        assert result.exit_code == 0, result.output
        assert f"name: {text}" in result.output or f"name: '{text}'" in result.output
    else:
        assert result.exit_code == 2, result.output
        assert result.output.startswith("error: --name")


@PROPERTY
@given(st.text(alphabet="0123456789hms.-d ", min_size=1, max_size=14))
def test_durations_follow_gep_2257_at_the_cli(text: str) -> None:
    result = run(
        "expose", "qwen-pool", "--gateway", "gw", "--dry-run=client", "--route-timeout", text
    )
    TALLY["tried"] += 1
    assert "Traceback" not in result.output
    if DURATION.fullmatch(text):
        assert result.exit_code == 0, result.output
        assert _route_timeout(result) == text
    elif result.exit_code == 0:
        # A kubectl form (1.5s, 0, -0s): the manifest gets its exact GEP-2257 equal.
        written = _route_timeout(result)
        assert DURATION.fullmatch(written), written
        assert parse_duration(written, "x") == parse_duration(text, "x")
    else:
        assert result.exit_code == 2, result.output
        assert result.output.startswith(f'error: --route-timeout "{text}": not a Gateway API')
        assert "GEP-2257" in result.output


def _route_timeout(result: Result) -> str:
    route = yaml.safe_load(result.output)
    request: str = route["spec"]["rules"][0]["timeouts"]["request"]
    return request
