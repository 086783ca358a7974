"""Start-up: help and version come pre-rendered, exactly as click prints them, importing nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kubectl_httproute import _prerendered
from kubectl_httproute.__main__ import prerendered
from kubectl_httproute.cli import PROG_NAME, root
from kubectl_httproute.cli.completion import kubectl_complete
from kubectl_httproute.fastcomplete import completed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import gen_help  # noqa: E402

PATHS = [list(path) for path in gen_help.command_paths(root)]
HELP_ARGS = [[*path, flag] for path in PATHS for flag in ("-h", "--help")]
FAST_ARGS = [["--version"], *HELP_ARGS]
# What no help, version or completion of subcommands and flags needs.
HEAVY = (
    "kubernetes",
    "yaml",
    "tabulate",
    "urllib3",
    "requests",
    "pydantic",
    "dateutil",
    "jsonpath_ng",
)

RUN_MAIN = (
    "from kubectl_httproute.__main__ import main\ntry:\n    main()\nexcept SystemExit:\n    pass"
)
RUN_CLICK = "from kubectl_httproute.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass"
REPORT_MODULES = """
import json, sys
{body}
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
"""


def run_python(body: str, *args: str, env: dict[str, str] | None = None) -> tuple[str, set[str]]:
    """Run `body` in a fresh interpreter; its stdout and the modules it had loaded at the end."""
    done = subprocess.run(
        [sys.executable, "-c", REPORT_MODULES.format(body=body), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=True,
    )
    modules = json.loads(done.stderr.rsplit("\nMODULES ", 1)[1])
    return done.stdout, set(modules)


def click_prints(args: list[str]) -> str:
    result = CliRunner().invoke(root, args, prog_name=PROG_NAME)
    assert result.exit_code == 0, result.output
    return result.stdout


def heavy(modules: set[str]) -> set[str]:
    return {name for name in modules if name.split(".")[0] in HEAVY}


def test_every_command_has_a_prerendered_help() -> None:
    assert set(_prerendered.HELP) == {" ".join(path) for path in PATHS}
    assert {"", "expose", "status", "completion"} <= set(_prerendered.HELP)


@pytest.mark.parametrize("args", FAST_ARGS, ids=" ".join)
def test_prerendered_text_is_exactly_what_click_prints(args: list[str]) -> None:
    assert prerendered(args) == click_prints(args)


def test_prerendered_module_is_up_to_date_with_the_commands() -> None:
    current = (ROOT / "kubectl_httproute" / "_prerendered.py").read_text()

    assert gen_help.render_module() == current, "help changed without regenerating: make docs"


def test_drift_check_fails_when_a_help_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    expose = root.commands["expose"]
    monkeypatch.setattr(expose, "help", (expose.help or "") + "\nOne more sentence.")

    assert gen_help.main(["--check"]) == 1


@pytest.mark.parametrize(
    "args",
    [
        ["-v", "--help"],
        ["expose", "--gateway", "g", "--help"],
        ["--help", "expose"],
        ["nope", "-h"],
        ["expose", "x", "-h"],
        [],
        ["--version", "-h"],
        ["status"],
    ],
    ids=" ".join,
)
def test_anything_else_goes_through_click(args: list[str]) -> None:
    assert prerendered(args) is None


def test_completion_requests_are_never_answered_with_help(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_KUBECTL_INFERROUTE_COMPLETE", "bash_complete")

    assert prerendered(["--help"]) is None


def test_help_does_not_depend_on_the_terminal_width() -> None:
    narrow = CliRunner().invoke(
        root, ["expose", "--help"], prog_name=PROG_NAME, env={"COLUMNS": "40"}
    )

    assert narrow.stdout == _prerendered.HELP["expose"]
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 100


@pytest.mark.parametrize("args", [["--help"], ["expose", "-h"], ["--version"]], ids=" ".join)
def test_a_real_process_prints_the_same_bytes_as_click_and_imports_nothing(
    args: list[str],
) -> None:
    fast, fast_modules = run_python(RUN_MAIN, *args)
    slow, _ = run_python(RUN_CLICK, *args)

    assert fast == slow
    assert "click" not in fast_modules
    assert not heavy(fast_modules)
    assert not {m for m in fast_modules if m.startswith("kubectl_httproute.")} - {
        "kubectl_httproute.__main__",
        "kubectl_httproute._prerendered",
    }


@pytest.mark.parametrize(
    "args",
    [["expose", "--gateway", "g", "--help"], ["status", "-n", "llm", "--help"]],
    ids=" ".join,
)
def test_help_through_click_imports_no_client_yaml_or_tables(args: list[str]) -> None:
    out, modules = run_python(RUN_MAIN, *args)

    assert out.startswith(f"Usage: kubectl inferroute {args[0]}")
    assert "click" in modules
    assert not heavy(modules)


@pytest.mark.parametrize(
    ("args", "other"),
    [
        (["expose", "--gateway", "g", "--help"], "status"),
        (["status", "-n", "llm", "--help"], "expose"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else value,
)
def test_a_subcommand_loads_only_its_own_module(args: list[str], other: str) -> None:
    _, modules = run_python(RUN_MAIN, *args)

    assert f"kubectl_httproute.cli.{args[0]}" in modules
    assert f"kubectl_httproute.cli.{other}" not in modules
    assert "traceback" not in modules  # only -v prints one


@pytest.mark.parametrize(
    "words", [["ex"], ["expose", "--gat"], ["status", "--"], ["completion", ""]], ids=" ".join
)
def test_completing_subcommands_and_flags_imports_no_client_yaml_or_tables(
    words: list[str],
) -> None:
    out, modules = run_python(
        "from kubectl_httproute.cli.completion import kubectl_complete_main\n"
        "kubectl_complete_main()",
        *words,
    )

    assert out.endswith(":4\n") and len(out.splitlines()) > 1
    assert not heavy(modules)


def test_help_option_names_are_the_same_for_every_command() -> None:
    from kubectl_httproute import __main__

    assert __main__.HELP_FLAGS == ("-h", "--help")
    ctx = click.Context(root, help_option_names=["-h", "--help"])
    for path in PATHS[1:]:
        command = root.get_command(ctx, path[0])
        assert command is not None
        assert {"-h", "--help"} <= {opt for param in command.get_params(ctx) for opt in param.opts}


# --- completion of subcommands and flags ---------------------------------------------------------


def _completion_cases() -> list[list[str]]:
    """Every prefix of every subcommand and flag, at the root and after each command."""
    cases: list[list[str]] = [[], [""], ["x"], ["_"], ["--zzz"], ["--kubeconfig="]]
    values = [line.split("\t", 1)[0] for line in _prerendered.COMMANDS]
    cases += [[value[:i]] for value in values for i in range(len(value) + 1)]
    for key, lines in _prerendered.FLAGS.items():
        args = key.split() if key else []
        for flag in (line.split("\t", 1)[0] for line in lines):
            cases += [[*args, flag[:i]] for i in range(1, len(flag) + 1)]
        cases += [[*args, "-"], [*args, "--"], [*args, "--nope"]]
    return [list(case) for case in dict.fromkeys(tuple(c) for c in cases)]


COMPLETION_CASES = _completion_cases()


def test_completion_cases_cover_every_command() -> None:
    assert len(COMPLETION_CASES) > 300
    assert {"", "expose", "status", "completion", "history", "rollback", "delete", "shift"} == set(
        _prerendered.FLAGS
    )


@pytest.mark.parametrize("words", COMPLETION_CASES, ids=repr)
def test_prerendered_completion_is_exactly_what_click_answers(words: list[str]) -> None:
    fast = completed(words)

    assert fast is None or fast == kubectl_complete(words)
    if not any("=" in w or w.startswith("_") for w in words[-1:]) and (
        (words[-1:] or [""])[0].startswith("-") or len(words) <= 1
    ):
        assert fast is not None, "subcommands and flags are answered without click"


@pytest.mark.parametrize(
    "words",
    [
        ["completion", ""],
        ["expose", "x", "-"],
        ["expose", "--dry-run", ""],
        ["status", "-o", ""],
        ["status", "--", ""],
        ["--gateway=x"],
        ["-v", "ex"],
    ],
    ids=repr,
)
def test_values_and_odd_lines_are_left_to_click(words: list[str]) -> None:
    # Names are answered without click too: tests/test_fast_completion.py.
    assert completed(words) is None


@pytest.mark.parametrize("words", [["ex"], ["expose", "--gat"], [""]], ids=repr)
def test_the_completer_answers_flags_without_click(words: list[str]) -> None:
    fast, modules = run_python(
        "from kubectl_httproute.__main__ import complete_main\ncomplete_main()", *words
    )
    krew, _ = run_python(RUN_MAIN, "__complete", *words)

    assert fast == krew == kubectl_complete(words)
    assert "click" not in modules
    assert not heavy(modules)


# --- the hash seed -------------------------------------------------------------------------------


@pytest.mark.parametrize("names", [["-h", "--help"], ["--help", "-h"]], ids=" ".join)
def test_click_lists_the_help_option_names_in_their_declared_order(names: list[str]) -> None:
    # The pre-rendered flag lines keep click's order; before 8.5 click listed these names in a
    # set's order, which changes with the hash seed (pyproject.toml requires 8.5).
    command = click.Command("any")

    assert command.get_help_option_names(click.Context(command, help_option_names=names)) == names


@pytest.mark.parametrize("seed", ["0", "1", "2", "3", "12345"])
def test_the_prerendered_tables_and_fast_answers_hold_for_any_hash_seed(seed: str) -> None:
    check = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_help.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": seed},
        timeout=60,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    for words in (["-"], ["expose", "-"], ["status", "-"], ["completion", "-"]):
        fast, _ = run_python(
            "from kubectl_httproute.__main__ import complete_main\ncomplete_main()",
            *words,
            env={"PYTHONHASHSEED": seed},
        )
        # click's answer in this process, whose seed is another one (or random)
        assert fast == kubectl_complete(words), (seed, words)


@pytest.mark.parametrize("output", [[], ["-o", "json"]], ids=["table", "json"])
def test_status_reads_kubeconfig_and_cluster_without_importing_pyyaml(
    kubeconfig: Path, output: list[str]
) -> None:
    # PyYAML's import is the largest start-up cost status would otherwise pay: the kubeconfig
    # kubectl writes is read by cluster/blockyaml, and the client's own `import yaml` waits.
    _, modules = run_python(RUN_MAIN, "status", "-A", *output)

    assert "kubernetes.client.rest" in modules  # it did talk to the cluster
    assert "yaml" not in modules
