"""kubectl's global flags, shared by every command, and the small UI helpers commands print with."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .. import errors
from ..cluster.kubeconfig import GlobalFlags as GlobalFlags
from ..cluster.kubeconfig import load_selection as load_selection
from ..errors import InferrouteError

if TYPE_CHECKING:
    from ..cluster.contract import Cluster

F = TypeVar("F", bound=Callable[..., Any])

MAX_LEVEL = 9
# The -v level that also prints a traceback of an error (the hints name it).
TRACEBACK_LEVEL = 8


class LogLevel(click.ParamType[int]):
    """kubectl's -v/--v level, 0-9: `-v 6`, `-v6`, `-v=6`, `--v=6`, `--v 6`."""

    name = "level"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value)
        # click hands `-v=6` over as "=6": kubectl's pflag reads it as 6.
        digits = text[1:] if text.startswith("=") else text
        if digits.isascii() and digits.isdigit() and int(digits) <= MAX_LEVEL:
            return int(digits)
        self.fail(
            f"{text!r} is not a log level: give a whole number from 0 to {MAX_LEVEL} "
            "(6 logs the API requests, 8 their bodies)",
            param,
            ctx,
        )


GLOBAL_FLAGS = (
    "kubeconfig",
    "context",
    "cluster",
    "user",
    "namespace",
    "request_timeout",
    "verbose",
)


def kube_flags(func: F) -> F:
    """kubectl's connection flags; accepted before and after the subcommand."""
    options = [
        click.option("--kubeconfig", metavar="PATH", help="Path to the kubeconfig file to use."),
        click.option("--context", metavar="NAME", help="The kubeconfig context to use."),
        click.option("--cluster", metavar="NAME", help="The kubeconfig cluster to use."),
        click.option("--user", metavar="NAME", help="The kubeconfig user to use."),
        click.option(
            "-n",
            "--namespace",
            metavar="NS",
            help="Namespace of the route (default: the context's namespace, else default).",
        ),
        click.option(
            "--request-timeout",
            metavar="DURATION",
            help="How long to wait for each API request (e.g. 10s, 1m; 0 = no limit). "
            "[default: 30s]",
        ),
        click.option(
            "-v",
            "--v",
            "verbose",
            type=LogLevel(),
            metavar="LEVEL",
            help="Log level 0-9, as kubectl's: 6 each API request, 7 headers, 8 bodies and "
            "tracebacks, 9 curl commands and whole bodies (credentials masked).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def global_flags(ctx: click.Context, params: dict[str, Any]) -> GlobalFlags:
    """Flags given after the subcommand win over the same flags given before it."""
    merged: dict[str, Any] = {}
    chain = []
    node: click.Context | None = ctx
    while node is not None:
        chain.append(node.params)
        node = node.parent
    for layer in reversed(chain):
        for key in GLOBAL_FLAGS:
            if layer.get(key) is not None:
                merged[key] = layer[key]
    for key in GLOBAL_FLAGS:
        if params.get(key) is not None:
            merged[key] = params[key]
    return GlobalFlags(**merged)


def start_command(ctx: click.Context, params: dict[str, Any], *, writes: bool) -> GlobalFlags:
    """Every subcommand's first step: merge kubectl's global flags, keep the -v level for the
    error handler, check the flags that carry a value, and say whether this command may write
    (so a Ctrl-C says what was changed: cli/__init__.py)."""
    from ..core.validation import check_global_flags
    from .interrupts import WRITES

    flags = global_flags(ctx, params)
    ctx.meta["inferroute.verbose"] = flags.verbose
    check_global_flags(namespace=flags.namespace, request_timeout=flags.request_timeout)
    if writes:
        ctx.meta[WRITES] = True
    return flags


def stdin_is_tty() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def say(text: str = "", *, err: bool = False) -> None:
    click.echo(text, err=err)


def heading(text: str) -> None:
    click.echo(click.style(text, bold=True))


def warn(text: str) -> None:
    click.echo(click.style("Warning: ", fg="yellow", bold=True) + text, err=True)


# The hint with the flags in it, for failures found below the terminal (errors.flag_advice):
# "{hint}" is the flag-free hint the lower layer gave.
FLAG_HINTS = {
    errors.ADVICE_CONFLICT: "{hint}, or use --force-conflicts to take ownership of the fields",
    errors.ADVICE_SLOW_SERVER: "{hint}, or raise --request-timeout",
    errors.ADVICE_KUBECONFIG_UNREADABLE: "check the path given to --kubeconfig or $KUBECONFIG",
    errors.ADVICE_KUBECONFIG_BROKEN: "{hint}, or point --kubeconfig at a working one",
    errors.ADVICE_KUBECONFIG_NOT_ONE: "point --kubeconfig at a file made by `kubectl config`",
    errors.ADVICE_KUBECONFIG_MISSING: "check the --kubeconfig path",
    errors.ADVICE_NO_KUBECONFIG: "set --kubeconfig or {hint}",
    errors.ADVICE_NO_CONTEXT: "pass --context NAME, or {hint}",
    errors.ADVICE_CONTEXT_NAMESPACE: "{hint}, or pass --namespace NAMESPACE",
}


def hint_with_flags(error: InferrouteError) -> str:
    """The error's hint, in the words of this command line's flags where it has advice."""
    template = FLAG_HINTS.get(error.flag_advice)
    return template.format(hint=error.hint) if template else error.hint


def fail_line(error: InferrouteError) -> str:
    """kubectl's `error: ...` line, with what to do next on the same line."""
    hint = hint_with_flags(error)
    return f"error: {error.message}" + (f"; {hint}" if hint else "")


def open_cluster(flags: GlobalFlags, on_warning: Callable[[str], None] | None = None) -> Cluster:
    """Load the kubeconfig as kubectl would and connect; imports the client only now."""
    from ..cluster.client import DEFAULT_REQUEST_TIMEOUT, KubeClient
    from ..core.durations import parse_request_timeout

    # Checked before the kubeconfig is read; the client gets seconds (0: no limit), never text.
    timeout = (
        parse_request_timeout(flags.request_timeout).seconds
        if flags.request_timeout is not None
        else DEFAULT_REQUEST_TIMEOUT
    )
    client = KubeClient(
        load_selection(flags),
        request_timeout=timeout,
        on_warning=on_warning,
        verbosity=flags.verbose,
        log=write_log_line,
    )
    from .. import startup_gc

    startup_gc.resume()  # start-up is over: the client and its imports exist
    return client


def write_log_line(line: str) -> None:
    """A -v line on stderr, as kubectl writes its log."""
    click.echo(line, err=True)
