"""kubectl's flag syntax on every command (`-o=json`, `-ojson`, `-A=false`, `--wait=false`), usage
errors in kubectl's two lines, help for a bare `kubectl inferroute`; checked through the installed
command, and side by side with the real kubectl where it is on PATH."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from conftest import write_kubeconfig
from fakekube.objects import httproute, namespace
from status_helpers import running

from kubectl_httproute import _prerendered
from kubectl_httproute.cli import root
from kubectl_httproute.cli.flagsyntax import KubectlCommand, KubectlGroup, kubectl_args

INSTALLED = Path(sys.executable).parent / "kubectl-inferroute"
KUBECTL = shutil.which("kubectl")
ROUTE = "httproute.gateway.networking.k8s.io"
OFFLINE = ("expose", "qwen-pool", "--gateway", "inference-gateway", "--dry-run=client")

needs_installed = pytest.mark.skipif(
    not INSTALLED.exists(), reason="needs the installed console script"
)


def run(*args: str, kubeconfig: str | None = None) -> subprocess.CompletedProcess[str]:
    """The installed `kubectl-inferroute ARGS...`."""
    env = {**os.environ, **({"KUBECONFIG": kubeconfig} if kubeconfig else {})}
    return subprocess.run(
        [str(INSTALLED), *args], capture_output=True, text=True, timeout=60, env=env
    )


@pytest.fixture(scope="module")
def two_namespaces(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fake cluster with a route to a pool in llm and one in team; its kubeconfig (ns llm)."""
    objects = [
        namespace("team"),
        httproute(),
        httproute("team-route", "team", gateway_namespace="llm", pool_namespace="llm"),
    ]
    with running(*objects) as fake:
        # kubectl sends no bearer token over plain HTTP; the fake then treats it as the admin.
        fake.anonymous_user = "admin"
        path = tmp_path_factory.mktemp("flags") / "kubeconfig"
        yield str(write_kubeconfig(path, fake.url))


LLM = [f"{ROUTE}/qwen-pool"]
BOTH = [f"{ROUTE}/qwen-pool", f"{ROUTE}/team-route"]
TEAM = [f"{ROUTE}/team-route"]

# (spelling, what `status SPELLING -o name` prints): each read as kubectl (pflag) reads it.
STATUS_SPELLINGS = [
    (["-A=true"], BOTH),
    (["-A=false"], LLM),
    (["--all-namespaces=true"], BOTH),
    (["--all-namespaces=false"], LLM),
    (["--all-namespaces=T"], BOTH),
    (["--all-namespaces=1"], BOTH),
    (["--all-namespaces=0"], LLM),
    (["-A", "--all-namespaces=false"], LLM),  # the last one wins
    (["-A=false", "-A"], BOTH),
    (["-n=team"], TEAM),
    (["-Aw=false"], BOTH),  # bundled: -A, then -w=false
    (["--watch=false"], LLM),  # prints once, does not watch
]


@needs_installed
@pytest.mark.parametrize(("spelling", "names"), STATUS_SPELLINGS, ids=" ".join)
def test_status_reads_kubectls_spellings(
    two_namespaces: str, spelling: list[str], names: list[str]
) -> None:
    done = run("status", *spelling, "-o", "name", kubeconfig=two_namespaces)

    assert done.returncode in (0, 3), done.stderr
    assert sorted(done.stdout.splitlines()) == names
    assert "error" not in done.stderr


@needs_installed
@pytest.mark.parametrize(
    ("output", "namespace"),
    [
        (["-o=json"], "llm"),
        (["-Ao=json"], None),
        (["-A=false", "-ojson"], "llm"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else str(value),
)
def test_status_reads_the_output_flag_as_kubectl_spells_it(
    two_namespaces: str, output: list[str], namespace: str | None
) -> None:
    done = run("status", *output, kubeconfig=two_namespaces)

    assert done.returncode in (0, 3), done.stderr
    report = json.loads(done.stdout)
    assert report["kind"] == "StatusReport"
    assert report["namespace"] == namespace


@needs_installed
@pytest.mark.parametrize(
    ("spelling", "printed"),
    [
        (["-o=json"], '"kind": "HTTPRoute"'),
        (["-o=yaml"], "kind: HTTPRoute"),
        (["-n=team", "-oyaml"], "namespace: team"),
        (["--namespace=team", "-ojsonpath={.metadata.namespace}"], "team"),
        (["-o=jsonpath={.spec.rules[0].backendRefs[0].port}", "--port=9000"], "9000"),
        (["-ojson", "--yes=true", "--wait=false", "--force=false"], '"kind": "HTTPRoute"'),
        (["-ojson", "-y=false", "--no-wait=false", "--no-record=0"], '"kind": "HTTPRoute"'),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_expose_reads_kubectls_spellings(spelling: list[str], printed: str) -> None:
    done = run(*OFFLINE, *spelling)

    assert done.returncode == 0, done.stderr
    assert printed in done.stdout
    assert done.stderr == ""


# (command, line, what click is given): the rewrite itself, for each kind of option.
REWRITES = [
    ("status", ["-o=json"], ["-o", "json"]),
    ("status", ["-ojson"], ["-o", "json"]),
    ("status", ["-o="], ["-o", ""]),
    ("status", ["-Aw"], ["-A", "-w"]),
    ("status", ["-Aojson"], ["-A", "-o", "json"]),
    ("status", ["-A=false"], []),
    ("status", ["-A", "-w", "--all-namespaces=f"], ["-w"]),  # earlier uses of the flag go
    ("status", ["-A=0", "-A=TRUE"], ["-A"]),
    ("status", ["-n", "-A=false"], ["-n", "-A=false"]),  # the value of -n, as it is
    ("status", ["--model", "-ojson"], ["--model", "-ojson"]),
    ("status", ["--", "-A=false"], ["--", "-A=false"]),
    ("status", ["qwen", "-A=true", "--namespace=llm"], ["qwen", "-A", "--namespace=llm"]),
    ("status", ["--bogus=1", "-x=2"], ["--bogus=1", "-x=2"]),  # click says what is wrong
    ("status", ["-Ax"], ["-A", "-x"]),
    ("expose", ["--wait=false"], ["--no-wait"]),
    ("expose", ["--wait=true"], ["--wait"]),
    ("expose", ["--no-wait=false"], ["--wait"]),
    ("expose", ["-y=t", "--yes=F"], []),
    ("expose", ["--header", "a=b", "--hostname=h"], ["--header", "a=b", "--hostname=h"]),
    ("", ["-n=llm", "status", "-A=false"], ["-n", "llm", "status", "-A=false"]),  # the group's
]


@pytest.mark.parametrize(("command", "line", "given"), REWRITES, ids=lambda v: str(v))
def test_a_line_is_rewritten_into_clicks_spellings(
    command: str, line: list[str], given: list[str]
) -> None:
    ctx = click.Context(root, info_name="kubectl inferroute")
    if command:
        sub = root.get_command(ctx, command)
        assert sub is not None
        ctx = click.Context(sub, info_name=command, parent=ctx)

    assert kubectl_args(ctx, line) == given


@click.command(cls=KubectlCommand)
@click.option("-v", "--v", "level", is_flag=False, flag_value="2", default="0")
@click.option("-q", "--quiet", is_flag=True)
def optional_value(level: str, quiet: bool) -> None:
    """An option whose value may be left out (`-v`, `-v 6`, `--v=6`), as kubectl's -v may be."""
    click.echo(f"{level} {quiet}")


@pytest.mark.parametrize(
    ("line", "given", "printed"),
    [
        (["-v=6"], ["-v", "6"], "6 False"),
        (["-v6", "-q=false"], ["-v", "6"], "6 False"),
        (["-qv=6"], ["-q", "-v", "6"], "6 True"),
        (["--v=6"], ["--v=6"], "6 False"),
        (["-v"], ["-v"], "2 False"),  # no value: nothing taken from the next word, no error
        (["-v", "-q=1"], ["-v", "-q"], "2 True"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_an_option_whose_value_may_be_left_out_keeps_clicks_reading(
    line: list[str], given: list[str], printed: str
) -> None:
    from click.testing import CliRunner

    ctx = click.Context(optional_value, info_name="cmd")
    result = CliRunner().invoke(optional_value, line)

    assert kubectl_args(ctx, line) == given
    assert result.output == printed + "\n", result.output


def test_every_command_reads_kubectls_spellings() -> None:
    ctx = click.Context(root)
    commands = [root.get_command(ctx, name) for name in root.list_commands(ctx)]

    assert isinstance(root, KubectlGroup)
    assert commands and all(isinstance(c, KubectlCommand) for c in commands)


# --- usage errors ---------------------------------------------------------------------------

USAGE_ERRORS = [
    (["status", "--foo"], "unknown flag: --foo", "status"),
    (["status", "-x"], "unknown shorthand flag: 'x' in -x", "status"),
    (["expose", "--gatway", "gw"], "unknown flag: --gatway; did you mean --gateway?", "expose"),
    (["status", "-o"], "flag needs an argument: 'o' in -o", "status"),
    (["expose", "qwen-pool", "--gateway"], "flag needs an argument: --gateway", "expose"),
    (
        ["status", "-o", "yml"],
        "invalid value for '-o' / '--output': \"yml\" is not an output format; "
        "use one of wide, yaml, json, name, dot, mermaid, tree, jsonpath=TEMPLATE",
        "status",
    ),
    (
        ["expose", "qwen-pool", "--path-type", "Regex"],
        "invalid value for '--path-type': 'Regex' is not one of 'PathPrefix', 'Exact'",
        "expose",
    ),
    (["status", "a", "b"], "got unexpected extra argument (b)", "status"),
    (
        ["completion", "powershell"],
        "invalid value for 'SHELL': 'powershell' is not one of 'bash', 'zsh', 'fish', 'kubectl'",
        "completion",
    ),
    (
        ["status", "-A=maybe"],
        'invalid argument "maybe" for "-A, --all-namespaces" flag: use true or false',
        "status",
    ),
    (
        ["expose", "--wait="],
        'invalid argument "" for "--wait" flag: use true or false',
        "expose",
    ),
    (
        ["status", "-o", "jsonpath"],
        "invalid value for '-o' / '--output': jsonpath needs a template, "
        "e.g. -o jsonpath='{.metadata.name}'",
        "status",
    ),
    (
        ["status", "-o", "jsonpath={.routes[*].name"],
        "invalid value for '-o' / '--output': jsonpath template {.routes[*].name: unclosed action",
        "status",
    ),
    (
        [*OFFLINE, "-o", "jsonpath={range .spec.rules[*]}{.matches}"],
        "invalid value for '-o' / '--output': jsonpath template "
        "{range .spec.rules[*]}{.matches}: {range .spec.rules[*]} without {end}",
        "expose",
    ),
    (["--foo"], "unknown flag: --foo", ""),
    (["-n"], "flag needs an argument: 'n' in -n", ""),
    (["nope"], 'unknown command "nope" for "kubectl inferroute"', ""),
    (["stauts"], 'unknown command "stauts" for "kubectl inferroute"; did you mean status?', ""),
]


@needs_installed
@pytest.mark.parametrize(("args", "message", "command"), USAGE_ERRORS, ids=lambda v: str(v))
def test_a_usage_error_is_kubectls_two_lines(args: list[str], message: str, command: str) -> None:
    done = run(*args)

    path = " ".join(["kubectl inferroute", command]).strip()
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"error: {message}\nSee '{path} --help' for usage.\n"


@needs_installed
@pytest.mark.parametrize("args", [[], ["-n", "llm"], ["--kubeconfig=/nowhere"]], ids=str)
def test_without_a_subcommand_the_help_is_printed_on_stdout(args: list[str]) -> None:
    done = run(*args)

    assert done.returncode == 0
    assert done.stdout == _prerendered.HELP[""]
    assert done.stderr == ""


# --- side by side with kubectl --------------------------------------------------------------

needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="needs kubectl on PATH")


def kubectl_get(kubeconfig: str, *args: str) -> subprocess.CompletedProcess[str]:
    assert KUBECTL is not None
    return subprocess.run(
        [KUBECTL, "--kubeconfig", kubeconfig, "get", "httproutes.gateway.networking.k8s.io", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(Path.cwd())},
    )


@needs_kubectl
@needs_installed
@pytest.mark.parametrize(
    "spelling",
    [
        ["-A=true"],
        ["-A=false"],
        ["--all-namespaces=true"],
        ["--all-namespaces=false"],
        ["--all-namespaces=1"],
        ["-n=team"],
        ["-Ao=name"],
        ["-oname", "-A=T"],
        ["-o=name", "--all-namespaces"],
    ],
    ids=" ".join,
)
def test_kubectl_and_we_read_the_same_spellings_the_same_way(
    two_namespaces: str, spelling: list[str]
) -> None:
    names = [] if any(word.startswith(("-o", "-Ao")) for word in spelling) else ["-o", "name"]
    theirs = kubectl_get(two_namespaces, *spelling, *names)
    ours = run("status", *spelling, *names, kubeconfig=two_namespaces)

    assert theirs.returncode == 0, theirs.stderr
    assert ours.returncode in (0, 3), ours.stderr
    assert sorted(ours.stdout.splitlines()) == sorted(theirs.stdout.splitlines())


@needs_kubectl
@needs_installed
@pytest.mark.parametrize("output", [["-o=json"], ["-A=false", "-ojson"]], ids=" ".join)
def test_kubectl_and_we_take_the_same_output_spellings(
    two_namespaces: str, output: list[str]
) -> None:
    theirs = kubectl_get(two_namespaces, *output)
    ours = run("status", *output, kubeconfig=two_namespaces)

    assert theirs.returncode == 0, theirs.stderr
    assert ours.returncode in (0, 3), ours.stderr
    their_names = [item["metadata"]["name"] for item in json.loads(theirs.stdout)["items"]]
    assert [route["name"] for route in json.loads(ours.stdout)["routes"]] == their_names


@needs_kubectl
@needs_installed
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--foo"], "unknown flag: --foo"),
        (["-x"], "unknown shorthand flag: 'x' in -x"),
        (["-o"], "flag needs an argument: 'o' in -o"),
        (["--all-namespaces=maybe"], 'invalid argument "maybe" for "-A, --all-namespaces" flag'),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_kubectl_and_we_refuse_the_same_lines_in_the_same_words(
    two_namespaces: str, args: list[str], message: str
) -> None:
    theirs = kubectl_get(two_namespaces, *args)
    ours = run("status", *args, kubeconfig=two_namespaces)

    assert theirs.returncode != 0
    assert ours.returncode == 2
    # The kubectl for the test server's version (1.33) writes "error:", the 1.32 one "Error:".
    their_first = theirs.stderr.splitlines()[0]
    assert their_first.lower().startswith("error: ")
    assert their_first[len("error: ") :].startswith(message)
    assert ours.stderr.splitlines()[0].startswith(f"error: {message}")
    assert theirs.stderr.splitlines()[-1] == "See 'kubectl get --help' for usage."
    assert ours.stderr.splitlines()[-1] == "See 'kubectl inferroute status --help' for usage."
