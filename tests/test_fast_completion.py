"""A TAB on a pool, Gateway or route name is answered without click, exactly as click answers it.

`__main__.named` reads the line with option tables click's own commands produced and offers
names from the same code click's callbacks use; a line it does not follow goes to click. These
tests hold the two side by side, on chosen lines and on lines hypothesis puts together.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from click.testing import CliRunner
from conftest import write_kubeconfig
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubectl_httproute.cli import root
from kubectl_httproute.cli.completion import COMPLETE_VAR, PROG, kubectl_complete
from kubectl_httproute.fastcomplete import bash_complete, completed, name_request, named

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def names_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Pools, Gateways and routes in namespaces llm and team; the environment to reach them
    ($KUBECONFIG's context is in llm; TEAM_CONFIG's in team)."""
    from fakekube import FakeCluster
    from fakekube import objects as o

    home = tmp_path_factory.mktemp("names")
    with FakeCluster() as fake:
        for ns in ("llm", "team"):
            fake.add(o.namespace(ns))
        fake.add(o.gateway_class())
        for obj in (
            o.gateway("inference-gateway", "llm"),
            o.gateway("team-gw", "team"),
            o.pool_v1("qwen-pool", "llm"),
            o.pool_v1("qwen-canary", "llm"),
            o.pool_v1("team-pool", "team"),
            o.httproute("qwen-route", "llm"),
            o.httproute("other-route", "llm"),
            o.httproute("team-route", "team", gateway="team-gw"),
        ):
            fake.add(obj)
        config = write_kubeconfig(home / "config", fake.url)
        team = write_kubeconfig(home / "team-config", fake.url, namespace="team")
        yield {"KUBECONFIG": str(config), "TEAM_CONFIG": str(team), "HOME": str(home)}


def both(words: list[str], env: dict[str, str]) -> tuple[str | None, str]:
    """(the fast answer or None, click's answer) for kubectl's completer called with `words`."""
    with mock.patch.dict(os.environ, env):
        return named(words), kubectl_complete(words)


LINES = [
    ["status", ""],
    ["status", "q"],
    ["status", "-n", "team", ""],
    ["status", "--namespace=team", "t"],
    ["-n", "team", "status", ""],
    ["-n", "team", "status", "-n", "llm", ""],  # after the subcommand wins
    ["status", "-A", "-o", "wide", "-v", "6", ""],
    ["status", "--v=6", ""],
    ["expose", ""],
    ["expose", "qwen"],
    ["expose", "qwen-pool", ""],  # a pool already on the line is not offered again
    ["expose", "qwen-pool=90", "qwen-c"],
    ["expose", "team/"],
    ["expose", "team/t"],
    ["expose", "--gateway", ""],
    ["expose", "--gateway", "team/"],
    ["expose", "-n", "team", "--gateway", ""],
    ["expose", "--yes", "--no-wait", "--dry-run", "server", "-o", "yaml", "qwen-pool", ""],
    ["expose", "--hostname", "a.example.com", "--hostname", "b.example.com", ""],
    ["--context", "test", "expose", "--gateway", "inf"],
]


@pytest.mark.parametrize("words", LINES, ids=lambda words: " ".join(words) or "''")
def test_a_name_is_offered_without_click_exactly_as_click_offers_it(
    words: list[str], names_cluster: dict[str, str]
) -> None:
    fast, slow = both(words, names_cluster)

    assert fast is not None
    assert fast == slow


def test_the_names_come_from_the_cluster(names_cluster: dict[str, str]) -> None:
    assert both(["status", ""], names_cluster)[0] == "other-route\nqwen-route\n:4\n"
    assert both(["expose", "team/"], names_cluster)[0] == "team/team-pool\n:4\n"
    assert both(["expose", "--gateway", ""], names_cluster)[0] == "inference-gateway\n:4\n"
    team = {**names_cluster, "KUBECONFIG": names_cluster["TEAM_CONFIG"]}
    assert both(["status", ""], team)[0] == "team-route\n:4\n"


def test_the_kubeconfig_flag_chooses_the_cluster_as_in_click(
    names_cluster: dict[str, str],
) -> None:
    words = ["status", "--kubeconfig", names_cluster["TEAM_CONFIG"], ""]

    fast, slow = both(words, names_cluster)

    assert fast == slow == "team-route\n:4\n"


@pytest.mark.parametrize(
    "words",
    [
        ["status", "--", ""],  # after --, click reads options differently
        ["status", "-nteam", ""],  # an option glued to its value
        ["status", "-Av", ""],  # bundled short flags
        ["status", "-o", ""],  # a value with choices, not names
        ["status", "qwen-route", ""],  # ROUTE is already given
        ["status", "--bogus", ""],
        ["status", "-n", "-A", ""],  # a value that looks like an option
        ["status", "--watch=yes", ""],
        ["expose", "--name", ""],  # a value with no names
        ["expose", "-"],  # flags: pre-rendered, not names
        ["completion", ""],
        ["bogus", ""],
        ["-n", "llm", ""],
        [""],
        ["expose", "--gateway=", "="],
    ],
    ids=lambda words: " ".join(words) or "''",
)
def test_a_line_it_does_not_follow_is_left_to_click(words: list[str]) -> None:
    assert name_request(words) is None


@pytest.mark.parametrize(
    ("words", "answer"),
    [
        (["status", "-n=team", ""], "team-route\n:4\n"),
        (["-n=team", "status", ""], "team-route\n:4\n"),
        (["status", "-A=false", "-n", "team", ""], "team-route\n:4\n"),
        (["status", "-wA=false", "--namespace", "team", "t"], "team-route\n:4\n"),
        (["expose", "--wait=false", "-n", "team", "--gateway", ""], "team-gw\n:4\n"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_kubectls_spellings_are_read_by_click_as_when_the_command_runs(
    words: list[str], answer: str, names_cluster: dict[str, str]
) -> None:
    fast, slow = both(words, names_cluster)

    assert fast is None  # a spelling the fast reader does not follow: click answers
    assert slow == answer


def test_flags_and_subcommands_are_still_answered_from_the_prerendered_texts() -> None:
    assert completed(["ex"]) is not None and "expose\t" in str(completed(["ex"]))
    assert completed(["expose", "--gat"]) == "--gateway\tThe Gateway to attach to.\n:4\n"


TOKENS = [
    "expose",
    "status",
    "completion",
    "qwen-pool",
    "qwen-pool=10",
    "team/team-pool",
    "qwen-route",
    "-n",
    "--namespace",
    "--namespace=team",
    "llm",
    "team",
    "-A",
    "-o",
    "wide",
    "yaml",
    "-v",
    "-vv",
    "6",
    "--v=6",
    "--gateway",
    "--gateway=team-gw",
    "--yes",
    "--dry-run",
    "client",
    "--",
    "-h",
    "--context",
    "test",
    "--kubeconfig",
    "--hostname",
    "x.example.com",
    "--wait",
    "--no-wait",
    "-w",
    "--probe",
    "--model",
    "m",
    "=",
    "-",
    "--bogus",
    # kubectl's spellings, which click reads (cli.flagsyntax) and the fast reader leaves to it
    "-A=false",
    "-n=team",
    "-ojson",
    "--wait=false",
    "-Aw",
]
INCOMPLETE = ["", "q", "qwen", "t", "team/", "team/t", "llm/", "/", "x=1", "inf", "-", "--g", "="]
# Lines hypothesis puts together: a few words from TOKENS, then the word being typed.
any_line = given(
    args=st.lists(st.sampled_from(TOKENS), max_size=6), incomplete=st.sampled_from(INCOMPLETE)
)
# Each example reads the (module-wide) test cluster: no deadline, and the fixture is shared.
cluster_examples = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@cluster_examples
@any_line
def test_on_any_line_the_fast_answer_is_clicks_or_none(
    args: list[str], incomplete: str, names_cluster: dict[str, str]
) -> None:
    words = [*args, incomplete]

    fast, slow = both(words, names_cluster)

    assert fast is None or fast == slow


def test_a_name_tab_in_a_real_process_imports_no_click(names_cluster: dict[str, str]) -> None:
    script = (
        "import json, sys\n"
        "from kubectl_httproute.__main__ import main\n"
        "main()\n"
        "sys.stderr.write(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "__complete", "status", "-n", "team", ""],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **names_cluster},
        timeout=60,
        check=True,
    )
    modules: list[Any] = json.loads(done.stderr)

    assert done.stdout == "team-route\n:4\n"
    assert not [name for name in modules if name.split(".")[0] == "click"]


# --- the bash script's protocol (click's bash_complete) -----------------------------------------


def bash_env(words: list[str]) -> dict[str, str]:
    """What the bash script sets for `kubectl-inferroute WORDS...` with the cursor on the last."""
    line = " ".join([PROG, *(shlex.quote(word) for word in words[:-1]), shlex.quote(words[-1])])
    if words[-1] == "":
        line = " ".join([PROG, *(shlex.quote(word) for word in words[:-1])]) + " "
    return {COMPLETE_VAR: "bash_complete", "COMP_WORDS": line, "COMP_CWORD": str(len(words))}


def both_bash(env: dict[str, str], cluster_env: dict[str, str]) -> tuple[str | None, str]:
    """(the fast answer or None, click's answer) to the bash script's call."""
    with mock.patch.dict(os.environ, cluster_env):
        fast = bash_complete(env["COMP_WORDS"], env["COMP_CWORD"])
        result = CliRunner().invoke(root, [], env=env, prog_name=PROG, complete_var=COMPLETE_VAR)
    assert result.exit_code == 0, result.output
    return fast, result.stdout


BASH_LINES = [
    *LINES,
    [""],
    ["ex"],
    ["expose", "--"],
    ["expose", "--ga"],
    ["status", "-"],
    ["status", "--na"],
]


@pytest.mark.parametrize("words", BASH_LINES, ids=lambda words: " ".join(words) or "''")
def test_the_bash_script_is_answered_without_click_exactly_as_click_answers(
    words: list[str], names_cluster: dict[str, str]
) -> None:
    fast, slow = both_bash(bash_env(words), names_cluster)

    assert fast is not None
    assert fast == slow


@pytest.mark.parametrize(
    ("line", "cword", "answered"),
    [
        (f"{PROG} status -n 'team' ", 4, True),
        (f'{PROG} status --namespace "team" t', 4, True),
        (f"{PROG} expose 'team/'", 2, True),
        (f"{PROG} expose team\\/", 2, True),
        (f'{PROG} status -n "tea', 3, False),  # the value of -n: click's to answer
        (f"{PROG} expose 'team/", 2, True),  # an unclosed quote: the partial word
        (PROG, 1, True),
    ],
)
def test_quoted_and_unfinished_words_split_as_click_splits_them(
    line: str, cword: int, answered: bool, names_cluster: dict[str, str]
) -> None:
    env = {COMPLETE_VAR: "bash_complete", "COMP_WORDS": line, "COMP_CWORD": str(cword)}

    fast, slow = both_bash(env, names_cluster)

    assert (fast is not None) == answered
    assert fast is None or fast == slow
    assert slow != "\n" or not answered  # each answered line offers something


@cluster_examples
@any_line
def test_on_any_line_the_bash_answer_is_clicks_or_none(
    args: list[str], incomplete: str, names_cluster: dict[str, str]
) -> None:
    fast, slow = both_bash(bash_env([*args, incomplete]), names_cluster)

    assert fast is None or fast == slow


# The console script installed with this python (the bash script runs it from PATH).
SCRIPTS = Path(sys.executable).parent


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.skipif(not (SCRIPTS / PROG).exists(), reason="needs the installed console script")
def test_the_script_completion_bash_prints_completes_in_a_real_bash(
    names_cluster: dict[str, str], tmp_path: Path
) -> None:
    script = tmp_path / "completion.bash"
    script.write_text(CliRunner().invoke(root, ["completion", "bash"]).stdout)
    program = (
        f"source {shlex.quote(str(script))}\n"
        'for line in "expose --ga" "status -n team " "ex"; do\n'
        '  read -r -a COMP_WORDS <<< "kubectl-inferroute $line"\n'
        '  COMP_CWORD=${#COMP_WORDS[@]}; [[ $line == *" " ]] || COMP_CWORD=$((COMP_CWORD - 1))\n'
        "  COMPREPLY=()\n"
        "  _kubectl_inferroute_completion kubectl-inferroute\n"
        '  echo "${COMPREPLY[*]}"\n'
        "done\n"
    )
    done = subprocess.run(
        ["bash", "--norc", "-c", program],
        capture_output=True,
        text=True,
        env={**os.environ, **names_cluster, "PATH": f"{SCRIPTS}{os.pathsep}{os.environ['PATH']}"},
        timeout=60,
        check=True,
    )

    assert done.stdout.splitlines() == ["--gateway", "team-route", "expose"]


def test_the_bash_script_call_in_a_real_process_imports_no_click(
    names_cluster: dict[str, str],
) -> None:
    script = (
        "import json, sys\n"
        "from kubectl_httproute.__main__ import main\n"
        "main([])\n"
        "sys.stderr.write(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **names_cluster, **bash_env(["status", "-n", "team", ""])},
        timeout=60,
        check=True,
    )
    modules: list[Any] = json.loads(done.stderr)

    assert done.stdout == "plain,team-route\n"
    assert not [name for name in modules if name.split(".")[0] == "click"]
