"""`status -o name` as `kubectl get -o name`; `-o jsonpath=TEMPLATE` for `status` (the report) and
`expose` (the object), with kubectl's template language; golden text, and the template engine
side by side with the real kubectl where it is on PATH."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import write_kubeconfig
from fakekube.objects import httproute, namespace
from golden import assert_golden
from status_helpers import freeze_times, running, status

from kubectl_httproute.cli import root
from kubectl_httproute.render.jsonpath import TemplateError, parse_template, render_template

KUBECTL = shutil.which("kubectl")
ROUTES = "gateway.networking.k8s.io/v1"
OFFLINE = ["expose", "qwen-pool", "--gateway", "inference-gateway", "-n", "llm"]
REPORT_TEMPLATE = (
    '{range .routes[*]}{.namespace}/{.name}{"\\t"}{.verdict}{"\\t"}'
    '{.gateways[*].name}{"\\t"}{.pools[*].name}{"\\n"}{end}'
)


def mixed_cluster() -> list[dict[str, Any]]:
    return [
        namespace("team"),
        httproute(hostnames=["llm.example.com"]),
        httproute("broken", pool="nope", hostnames=["broken.example.com"]),
        httproute("team-route", "team", gateway_namespace="llm", pool_namespace="llm"),
    ]


def run(*args: str) -> Result:
    return CliRunner().invoke(root, list(args), catch_exceptions=False)


# --- status -o name --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "golden"),
    [
        ([], "status/names.txt"),
        (["-A"], "status/names_all_namespaces.txt"),
        (["broken"], "status/names_one_route.txt"),
    ],
    ids=["namespace", "all namespaces", "one route"],
)
def test_status_o_name_prints_what_kubectl_get_o_name_prints(args: list[str], golden: str) -> None:
    with running(*mixed_cluster()) as cluster:
        result = status(cluster, *args, "-o", "name")

    assert result.exit_code == 3, result.output  # broken is not Ready: the exit code says so
    assert result.stderr == ""
    assert_golden(golden, result.stdout)


def test_status_o_name_prints_nothing_when_there_is_no_route() -> None:
    with running() as cluster:
        result = status(cluster, "-o", "name")

    assert result.exit_code == 0
    assert result.output == ""


# --- -o jsonpath ---------------------------------------------------------------------------


def test_status_o_jsonpath_prints_the_reports_fields() -> None:
    with running(*mixed_cluster()) as cluster:
        freeze_times(cluster)
        result = status(cluster, "-A", "-o", f"jsonpath={REPORT_TEMPLATE}")

    assert result.exit_code == 3, result.output
    assert_golden("status/jsonpath.txt", result.stdout)


def test_status_o_jsonpath_adds_no_newline_as_kubectl() -> None:
    with running(httproute()) as cluster:
        result = status(cluster, "qwen-pool", "-o", "jsonpath={.routes[0].verdict}")

    assert result.exit_code == 0, result.output
    assert result.stdout == "Ready"


def test_expose_o_jsonpath_prints_the_client_dry_run_object() -> None:
    template = (
        '{.kind} {.metadata.namespace}/{.metadata.name}{"\\n"}'
        '{range .spec.rules[*].backendRefs[*]}{.kind} {.name}:{.port} weight {.weight}{"\\n"}{end}'
        "{.spec.parentRefs}"
    )
    result = run(*OFFLINE, "qwen-canary=10", "--dry-run=client", "-o", f"jsonpath={template}")

    assert result.exit_code == 0, result.output
    assert_golden("expose/client-dry-run.jsonpath.txt", result.stdout)


def test_expose_o_jsonpath_prints_the_applied_object(cluster: Any, kubeconfig: Path) -> None:
    template = "{.metadata.name} {.metadata.generation} {.metadata.managedFields}"
    result = run(*OFFLINE, "--yes", "--no-record", "-o", f"jsonpath={template}")

    assert result.exit_code == 0, result.output
    # The applied object as `-o yaml` shows it: managedFields left out, as kubectl does.
    assert result.stdout == "qwen-pool 1 "
    assert cluster.get(ROUTES, "httproutes", "llm", "qwen-pool") is not None


def test_expose_o_jsonpath_prints_the_server_dry_run_object(cluster: Any, kubeconfig: Path) -> None:
    result = run(
        *OFFLINE, "--dry-run=server", "-o", "jsonpath={.spec.rules[0].backendRefs[0].name}"
    )

    assert result.exit_code == 0, result.output
    assert result.stdout == "qwen-pool"
    assert cluster.get(ROUTES, "httproutes", "llm", "qwen-pool") is None


def test_a_bad_template_is_refused_before_any_request(cluster: Any, kubeconfig: Path) -> None:
    cluster.clear_requests()
    result = run("status", "-o", "jsonpath={.routes[}")

    assert result.exit_code == 2
    assert result.stderr.startswith("error: invalid value for '-o' / '--output': jsonpath")
    assert cluster.requests == []


# --- the template language ------------------------------------------------------------------

DATA = {
    "kind": "List",
    "items": [
        {"metadata": {"name": "a", "labels": {"app.kubernetes.io/name": "x", "where": "w"}}},
        {"metadata": {"name": "b", "labels": {}}, "spec": {"n": 2, "f": 1.5, "ok": True}},
    ],
}


@pytest.mark.parametrize(
    ("template", "printed"),
    [
        ("{.items[*].metadata.name}", "a b"),
        ('{range .items[*]}{.metadata.name}{"\\n"}{end}', "a\nb\n"),
        ("{range .items[*]}[{.metadata.name}]{end}", "[a][b]"),
        ("{.items[0].metadata.labels.app\\.kubernetes\\.io/name}", "x"),
        ("{.items[0].metadata.labels.where}", "w"),  # a jsonpath-ng keyword, as a field
        ("{.items[-1:].metadata.name}", "b"),
        ("{.items[1].spec}", '{"f":1.5,"n":2,"ok":true}'),
        ("{.items[1].spec.ok} {.items[1].spec.f}", "true 1.5"),
        ('{.items[?(@.metadata.name=="b")].spec.n}', "2"),
        ("{.items[*].nope}", ""),  # a missing field prints nothing
        ("kind={.kind}{'\\t'}{@.kind} {$.kind}", "kind=List\tList List"),
        ("{..name}", "a b"),
        ("no action", "no action"),
    ],
    ids=lambda value: value if isinstance(value, str) and "{" in value else "",
)
def test_kubectls_templates_print_as_kubectl_prints_them(template: str, printed: str) -> None:
    assert render_template(template, DATA) == printed


@pytest.mark.parametrize(
    ("template", "error"),
    [
        ("{.items[*]", "unclosed action"),
        ("{.items[0}", "unterminated array in .items[0"),
        ("{}", "empty action {}"),
        ("{end}", "{end} without {range}"),
        ("{range .items[*]}{.x}", "{range .items[*]} without {end}"),
        ("{range}", "{range} needs an expression"),
        ("{items}", "unrecognized identifier items"),
        ('{"\\q"}', "unknown escape \\q"),
        ("{.a.}", "empty field name in .a."),
    ],
)
def test_a_template_that_cannot_be_read_says_where(template: str, error: str) -> None:
    with pytest.raises(TemplateError) as raised:
        parse_template(template)

    assert str(raised.value).startswith(error)


# Each printed by kubectl and by us over the same stored object (no union after a wildcard:
# kubectl prints it member by member over all items, jsonpath-ng item by item).
KUBECTL_TEMPLATES = [
    "{.metadata.name}",
    "{.metadata.generation}",
    "{.spec.parentRefs}",
    "{.spec.parentRefs[0]}",
    "{.metadata.labels}",
    "{.metadata.labels.app\\.kubernetes\\.io/name}",
    "{.metadata.labels.a-b}",
    "{.spec.x}",
    "{.spec.x.nothing}",
    "{.spec.x.f} {.spec.x.big} {.spec.x.small} {.spec.x.long} {.spec.x.i}",
    "{.spec.x.b} {.spec.x.html} {.spec.x.u}",
    "{.nope}",
    "x{.nope}y",
    "{.spec.rules[*].backendRefs[*].name}",
    '{range .spec.rules[*]}[{.matches[0].path.value}]{"\\n"}{end}',
    '{.status.parents[*].conditions[?(@.type=="Accepted")].status}',
    "{.status.parents[*].conditions[?(@.type=='Accepted')].reason}",
    "{@.kind} {$.kind}",
    "{ .kind }",
    "{range .spec.rules}{.backendRefs[*].name},{end}",
    "{.metadata.name} {\"a\"} {.kind}{'\\n'}",
    '{.spec.rules[0].matches[0].path}{"\\t"}x',
    "{range .spec.rules[*]}{range .backendRefs[*]}{.name}:{.port}{end};{end}",
    "{.status.parents[0].conditions[-1:].type}",
    "{.status.parents[0].conditions[0,1].type}",
    "{.status.parents[0].conditions[:1].type}",
    "{.status.parents[*].conditions[?(@.observedGeneration>=1)].type}",
    "{.metadata.namespace}/{.metadata.name}",
]


@pytest.mark.skipif(KUBECTL is None, reason="needs kubectl on PATH")
def test_the_templates_print_what_kubectl_prints(tmp_path: Path) -> None:
    odd = httproute("odd", labels={"app.kubernetes.io/name": "x", "a-b": "c"})
    odd["spec"]["x"] = {
        "nothing": None,
        "f": 1.5,
        "big": 1000000.0,
        "small": 1e-7,
        "long": 123456789.0,
        "i": 1000000,
        "b": True,
        "html": "<a&b>",
        "u": "é",
    }
    with running(odd) as fake:
        fake.anonymous_user = "admin"  # kubectl sends no token over plain HTTP
        config = write_kubeconfig(tmp_path / "kubeconfig", fake.url)
        stored = copy.deepcopy(fake.get(ROUTES, "httproutes", "llm", "odd"))
        stored["metadata"].pop("managedFields", None)
        for template in KUBECTL_TEMPLATES:
            assert KUBECTL is not None
            theirs = subprocess.run(
                [
                    KUBECTL,
                    "--kubeconfig",
                    str(config),
                    "get",
                    "httproute",
                    "odd",
                    "-n",
                    "llm",
                    "-o",
                    f"jsonpath={template}",
                ],
                capture_output=True,
                text=True,
                timeout=60,
                env={**os.environ, "HOME": str(tmp_path)},
            )
            assert theirs.returncode == 0, (template, theirs.stderr)
            assert render_template(template, stored) == theirs.stdout, template
