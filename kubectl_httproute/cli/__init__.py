"""The command line: parse, orchestrate, prompt, print, exit. Nothing else lives here."""

from __future__ import annotations

from typing import Any

import click

from .. import __version__
from ..errors import EXIT_FAILED, InferrouteError
from .common import TRACEBACK_LEVEL, fail_line, global_flags, kube_flags
from .flagsyntax import PROG_NAME, KubectlGroup, usage_failure

INTERRUPTED = 130
BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell sees when kubectl's reader goes away
HELP_WIDTH = 100

ROOT_HELP = """Connect a Gateway to LLM model servers (InferencePools) with a verified HTTPRoute.

\b
Examples:
  # Preview the route for a pool, without a cluster
  kubectl inferroute expose qwen-pool --gateway inference-gateway -n llm --dry-run=client -o yaml

\b
  # Discover, dry-run, ask, apply, verify and record
  kubectl inferroute expose qwen-pool --gateway inference-gateway -n llm

\b
  # Is my model reachable? Why not?
  kubectl inferroute status -n llm

\b
  # What changed on a route; back to the state before the latest change
  kubectl inferroute history qwen-pool -n llm
  kubectl inferroute rollback qwen-pool -n llm

\b
Exit codes:
  0 done and healthy      1 failed (API, network, permission, conflict)
  2 invalid usage/input   3 applied but not healthy, or no controller verdict
  4 not approved (nothing was changed)  130 interrupted (Ctrl-C)
"""


# Each subcommand's module is imported only when that subcommand runs: `status` does not pay
# for `expose`'s modules (nor their dataclasses) and the reverse.
SUBCOMMANDS = {
    "expose": ("expose", "expose"),
    "delete": ("delete", "delete"),
    "status": ("status", "status"),
    "history": ("history", "history"),
    "rollback": ("rollback", "rollback"),
    "shift": ("shift", "shift"),
    "completion": ("completion", "completion"),
    "__complete": ("completion", "kubectl_complete_command"),
}


class InferrouteGroup(KubectlGroup):
    """Loads subcommands on demand; maps our errors to one line and an exit code (a traceback
    only from -v=8 on), and click's usage errors to kubectl's two lines."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*SUBCOMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in SUBCOMMANDS:
            import importlib

            module, attr = SUBCOMMANDS[cmd_name]
            command = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        argv = list(args)  # click consumes the list: keep the command line for revisions
        try:
            ctx = super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:  # in the flags before the subcommand
            raise usage_failure(error) from None
        ctx.meta["inferroute.argv"] = argv  # cli/change_steps.ARGV_KEY (meta is shared)
        return ctx

    def invoke(self, ctx: click.Context) -> Any:
        from .interrupts import handling_interrupts

        try:
            with handling_interrupts():
                return super().invoke(ctx)
        except click.UsageError as error:  # the subcommand's line, or no such subcommand
            raise usage_failure(error) from None
        except InferrouteError as error:
            if _verbosity(ctx) >= TRACEBACK_LEVEL:
                _print_traceback()
            click.echo(fail_line(error), err=True)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            from .interrupts import WRITES, interrupted_line

            click.echo("\n" + interrupted_line(bool(ctx.meta.get(WRITES))), err=True)
            ctx.exit(INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            # `| head` closed the pipe: stop quietly, as kubectl does (killed by SIGPIPE).
            _silence_stdout()
            ctx.exit(BROKEN_PIPE)
        except Exception as error:  # a bug of ours: still one line, unless asked for more
            if _verbosity(ctx) >= TRACEBACK_LEVEL:
                _print_traceback()
            click.echo(
                f"error: unexpected {type(error).__name__}: {error}; "
                f"run again with -v={TRACEBACK_LEVEL} for details",
                err=True,
            )
            ctx.exit(EXIT_FAILED)


def _silence_stdout() -> None:
    import os
    import sys

    # Python flushes stdout again at exit, which would raise once more on the closed pipe.
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (a test's capture): nothing to flush
        pass
    finally:
        os.close(devnull)


def _print_traceback() -> None:
    import traceback  # only from -v=8 on: not worth its import on every run

    traceback.print_exc()


def _verbosity(ctx: click.Context) -> int:
    # Subcommands record the merged -v level here once they have parsed their flags.
    return int(ctx.meta.get("inferroute.verbose", global_flags(ctx, {}).verbose))


@click.group(
    cls=InferrouteGroup,
    help=ROOT_HELP,
    # Without a subcommand, help on stdout and exit 0, as kubectl does (the usage line still
    # says a command is what it is for).
    invoke_without_command=True,
    subcommand_metavar="COMMAND [ARGS]...",
    # A fixed width: help reads the same in every terminal, so it can be pre-rendered
    # (`_prerendered.py`, served by `__main__` without importing click).
    context_settings={
        "help_option_names": ["-h", "--help"],
        "terminal_width": HELP_WIDTH,
        "max_content_width": HELP_WIDTH,
    },
)
@click.version_option(
    __version__, "--version", prog_name="kubectl-inferroute", message="%(prog)s %(version)s"
)
@kube_flags
@click.pass_context
def root(ctx: click.Context, /, **_: Any) -> None:
    ctx.ensure_object(dict)
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help(), color=ctx.color)
        ctx.exit(0)


def main(argv: list[str] | None = None) -> None:
    from .completion import COMPLETE_VAR

    # click derives the variable from prog_name, whose space would make it unusable.
    root.main(args=argv, prog_name=PROG_NAME, complete_var=COMPLETE_VAR)
