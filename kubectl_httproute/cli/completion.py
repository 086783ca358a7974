"""Shell completion: subcommands, flags, and pool, Gateway and route names from the cluster.

Three ways in, one engine (click's):
- `kubectl-inferroute <TAB>`: the bash/zsh/fish script `kubectl inferroute completion SHELL` prints;
- `kubectl inferroute <TAB>`: kubectl (>= 1.26) runs `kubectl_complete-inferroute ARGS... WORD`
  and reads cobra's format (one candidate a line, `value<TAB>help`, then `:DIRECTIVE`);
- tests: `complete(args, incomplete)`.
Names come from the cluster with a short timeout; when it cannot be reached, nothing, quietly.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click
from click.shell_completion import CompletionItem, ShellComplete, get_completion_class

from .common import global_flags
from .flagsyntax import KubectlCommand

if TYPE_CHECKING:
    from collections.abc import Sequence


PROG = "kubectl-inferroute"
COMPLETE_VAR = "_KUBECTL_INFERROUTE_COMPLETE"

# cobra's ShellCompDirective values, which kubectl expects from a plugin's completer.
DIRECTIVE_DEFAULT = 0  # may fall back to file names
DIRECTIVE_NO_FILE_COMP = 4

KUBECTL_COMPLETER = """#!/bin/sh
# kubectl (>= 1.26) runs this for `kubectl inferroute <TAB>`; keep it on PATH next to the plugin.
exec kubectl-inferroute __complete "$@"
"""

COMPLETION_HELP = """Print the completion script for bash, zsh or fish, or kubectl's completer.

`SHELL` scripts complete `kubectl-inferroute ...`: subcommands, flags, and pool, Gateway and
route names read from the cluster (1 s at most; nothing when it cannot be reached).

For `kubectl inferroute <TAB>`, kubectl (1.26 or later, with its own completion enabled) runs
an executable named `kubectl_complete-inferroute` from PATH: pip and pipx install one;
with krew, write it with `completion kubectl` (below).

\b
Examples:
  # bash: add to ~/.bashrc
  eval "$(kubectl inferroute completion bash)"

\b
  # zsh: add to ~/.zshrc (after compinit)
  eval "$(kubectl inferroute completion zsh)"

\b
  # fish
  kubectl inferroute completion fish > ~/.config/fish/completions/kubectl-inferroute.fish

\b
  # `kubectl inferroute <TAB>` for a krew install
  kubectl inferroute completion kubectl > ~/.krew/bin/kubectl_complete-inferroute
  chmod +x ~/.krew/bin/kubectl_complete-inferroute
"""


# --- names from the cluster (kubectl_httproute.cluster.names) ---------------------------------


def _names(
    kind: str, ctx: click.Context, incomplete: str, chosen: tuple[str, ...] = ()
) -> list[CompletionItem]:
    from ..cluster.names import candidates

    flags = global_flags(ctx, ctx.params)
    return [CompletionItem(value) for value in candidates(kind, flags, incomplete, chosen)]


def complete_pools(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """InferencePool names for `[NAMESPACE/]POOL[=WEIGHT]`, except those already given."""
    return _names("pools", ctx, incomplete, tuple(ctx.params.get(param.name or "") or ()))


def complete_pool(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """InferencePool names for an option naming one pool (`shift --to`, `--mirror`)."""
    return _names("pools", ctx, incomplete)


def complete_gateways(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Gateway names for `--gateway [NAMESPACE/]NAME`."""
    return _names("gateways", ctx, incomplete)


def complete_routes(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """HTTPRoute names in the namespace."""
    return _names("routes", ctx, incomplete)


# --- the engine -------------------------------------------------------------------------------


def _root() -> click.Command:
    from . import root

    return root


def complete(args: Sequence[str], incomplete: str) -> list[CompletionItem]:
    """What click offers after `kubectl inferroute ARGS...` for the word being typed."""
    engine = ShellComplete(_root(), {}, PROG, COMPLETE_VAR)
    return engine.get_completions(list(args), incomplete)


def render_cobra(items: Sequence[CompletionItem]) -> str:
    """kubectl's plugin-completion format: `value<TAB>help` lines, then `:directive`."""
    lines = []
    directive = DIRECTIVE_NO_FILE_COMP
    for item in items:
        if item.type in ("file", "dir"):
            directive = DIRECTIVE_DEFAULT
            continue
        help_text = " ".join((item.help or "").split())
        lines.append(f"{item.value}\t{help_text}" if help_text else str(item.value))
    lines.append(f":{directive}")
    return "\n".join(lines) + "\n"


def kubectl_complete(argv: Sequence[str]) -> str:
    """Answer kubectl's `kubectl_complete-inferroute ARGS... WORD` call."""
    words = list(argv)
    incomplete = words.pop() if words else ""
    try:
        return render_cobra(complete(words, incomplete))
    except Exception:
        return f":{DIRECTIVE_NO_FILE_COMP}\n"


def kubectl_complete_main() -> None:
    """Console script `kubectl_complete-inferroute`."""
    sys.stdout.write(kubectl_complete(sys.argv[1:]))


# --- commands ---------------------------------------------------------------------------------

SHELLS = ("bash", "zsh", "fish", "kubectl")


@click.command(
    cls=KubectlCommand,
    help=COMPLETION_HELP,
    short_help="Print a shell completion script (bash, zsh, fish).",
)
@click.argument("shell", type=click.Choice(SHELLS), metavar="SHELL")
def completion(shell: str) -> None:
    if shell == "kubectl":
        click.echo(KUBECTL_COMPLETER, nl=False)
        return
    source_class = get_completion_class(shell)
    assert source_class is not None  # SHELLS only names shells click knows
    click.echo(source_class(_root(), {}, PROG, COMPLETE_VAR).source())


@click.command(
    "__complete",
    cls=KubectlCommand,
    hidden=True,
    add_help_option=False,
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
)
@click.argument("words", nargs=-1, type=click.UNPROCESSED)
def kubectl_complete_command(words: tuple[str, ...]) -> None:
    """kubectl's completer protocol, for installs without the console script (krew)."""
    click.echo(kubectl_complete(words), nl=False)
