"""kubectl's flag syntax and usage errors, for every command.

kubectl's flag parser (pflag) takes `-o=json`, `-ojson`, `--output=json`, bundled short flags
(`-Aw`), and booleans as `--all-namespaces=true`, `-A=false`, `--wait=false`; click takes only
some of these. `KubectlCommand` and `KubectlGroup` rewrite a command's line into click's spellings
before click reads it, from the command's own parameters, so every command (and click's
completion, which parses through the same method) reads a line the same way.

A usage error is kubectl's two lines, `error: ...` and `See 'kubectl inferroute CMD --help' for
usage.`, with exit code 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any, NamedTuple

import click

from ..errors import EXIT_USAGE

PROG_NAME = "kubectl inferroute"

# strconv.ParseBool's words, which pflag accepts for a boolean flag's value.
TRUE_WORDS = frozenset({"1", "t", "T", "TRUE", "true", "True"})
FALSE_WORDS = frozenset({"0", "f", "F", "FALSE", "false", "False"})

# How an option reads: it takes a value; it may take one (`--v` or `--v=6`); a boolean flag;
# a flag that counts or stores something else.
VALUE, OPTIONAL, BOOL, COUNT = "value", "optional", "bool", "count"


class Spelling(NamedTuple):
    """What one option string (`-A`, `--no-wait`) is, for reading a line as pflag does."""

    param: str  # the parameter it sets
    kind: str  # VALUE, OPTIONAL, BOOL or COUNT
    nargs: int
    names: str  # "-A, --all-namespaces": how pflag names the flag in errors
    on: str  # the spelling that means `=true`
    off: str | None  # the spelling that means `=false`; None: leave the flag out


def spellings(params: Sequence[click.Parameter]) -> dict[str, Spelling]:
    """Every option string of `params` and how it reads."""
    table: dict[str, Spelling] = {}
    for param in params:
        if not isinstance(param, click.Option) or param.name is None:
            continue
        if param.count:
            kind = COUNT
        elif param.is_flag and param.is_bool_flag:
            kind = BOOL
        elif param.is_flag:
            # A flag that stores something other than a boolean: `=value` means nothing to it.
            kind = COUNT
        elif param._flag_needs_value:
            kind = OPTIONAL
        else:
            kind = VALUE
        primary, secondary = list(param.opts), list(param.secondary_opts)
        for opt in primary:
            off = secondary[0] if secondary else None
            table[opt] = Spelling(param.name, kind, param.nargs, ", ".join(primary), opt, off)
        for opt in secondary:
            names = ", ".join(secondary)
            table[opt] = Spelling(param.name, kind, param.nargs, names, opt, primary[0])
    return table


def kubectl_args(ctx: click.Context, args: list[str]) -> list[str]:
    """`args` with pflag's spellings of this command's options rewritten into click's.

    `-o=json` and `-ojson` become `-o json`, `-Aw` becomes `-A -w`, `--flag=true` the flag,
    `--flag=false` its `--no-` form or no flag at all (earlier uses of it dropped: the last
    one wins, as in pflag). Anything else, unknown options included, is left for click."""
    table = spellings(ctx.command.get_params(ctx))
    out: list[str | None] = []
    uses: dict[str, list[int]] = {}  # a boolean parameter → where `out` holds its flags

    def add(token: str, spelling: Spelling | None = None) -> None:
        if spelling is not None and spelling.kind == BOOL:
            uses.setdefault(spelling.param, []).append(len(out))
        out.append(token)

    def set_bool(spelling: Spelling, value: str) -> None:
        if value in TRUE_WORDS:
            add(spelling.on, spelling)
        elif value in FALSE_WORDS:
            for index in uses.pop(spelling.param, []):
                out[index] = None
            if spelling.off is not None:
                add(spelling.off, spelling)
        elif not ctx.resilient_parsing:
            raise click.UsageError(
                f'invalid argument "{value}" for "{spelling.names}" flag: use true or false', ctx
            )
        # (while a line is completed, a value that is no boolean is left out)

    def take_values(spelling: Spelling, shown: str, rest: list[str]) -> int:
        """Copy the values an option without `=` takes from the next words; how many."""
        if len(rest) < spelling.nargs and not ctx.resilient_parsing:
            raise click.UsageError(f"flag needs an argument: {shown}", ctx)
        out.extend(rest[: spelling.nargs])
        return min(spelling.nargs, len(rest))

    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            out.extend(args[i - 1 :])
            break
        if not arg.startswith("-") or arg == "-":
            out.append(arg)
            if not ctx.allow_interspersed_args:  # a group: the rest is the subcommand's
                out.extend(args[i:])
                break
            continue
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            spelling = table.get(name)
            if spelling is None or spelling.kind in (COUNT, OPTIONAL):
                out.append(arg)
            elif spelling.kind == BOOL:
                if eq:
                    set_bool(spelling, value)
                else:
                    add(arg, spelling)
            else:
                out.append(arg)
                if not eq:
                    i += take_values(spelling, name, args[i:])
            continue
        # Short flags, maybe several in one word: -A, -Aw, -ojson, -o=json, -A=false.
        j = 1
        while j < len(arg):
            flag = "-" + arg[j]
            spelling = table.get(flag)
            rest = arg[j + 1 :]
            if spelling is None or (spelling.kind == COUNT and rest.startswith("=")):
                out.append("-" + arg[j:])  # click says what is wrong with it
                break
            if spelling.kind in (VALUE, OPTIONAL):
                out.append(flag)
                if rest:
                    out.append(rest[1:] if rest.startswith("=") and spelling.nargs == 1 else rest)
                elif spelling.kind == VALUE:
                    i += take_values(spelling, f"'{arg[j]}' in {flag}", args[i:])
                break
            if rest.startswith("="):
                set_bool(spelling, rest[1:])
                break
            add(flag, spelling)
            j += 1
    return [token for token in out if token is not None]


class UsageFailure(click.ClickException):
    """A usage error as kubectl prints it: one `error:` line and where to read the usage."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, command_path: str) -> None:
        super().__init__(message)
        self.command_path = command_path

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.message}", file=file, err=file is None)
        click.echo(f"See '{self.command_path} --help' for usage.", file=file, err=file is None)


def usage_failure(error: click.UsageError) -> UsageFailure:
    """click's usage error in kubectl's words."""
    if isinstance(error, click.NoSuchOption):
        name = error.option_name
        message = (
            f"unknown flag: {name}"
            if name.startswith("--")
            else f"unknown shorthand flag: '{name[1:2]}' in {name}"
        )
        message += _did_you_mean(error.possibilities)
    elif isinstance(error, click.exceptions.NoSuchCommand):
        message = f'unknown command "{error.command_name}" for "{PROG_NAME}"'
        message += _did_you_mean(_close_commands(error.command_name, error.ctx))
    else:
        message = " ".join(error.format_message().split())
        if message[:1].isupper() and not message[1:2].isupper():
            message = message[0].lower() + message[1:]
        message = message.removesuffix(".")
    return UsageFailure(message, command_path(error.ctx))


def _close_commands(name: str, ctx: click.Context | None) -> list[str]:
    """The subcommands `name` may be a typo of (click offers only those loaded so far)."""
    import difflib

    if ctx is None or not isinstance(ctx.command, click.Group):
        return []
    names = [n for n in ctx.command.list_commands(ctx) if not n.startswith("_")]
    return difflib.get_close_matches(name, names)


def _did_you_mean(possibilities: Sequence[str] | None) -> str:
    return f"; did you mean {' or '.join(possibilities)}?" if possibilities else ""


def command_path(ctx: click.Context | None) -> str:
    """`kubectl inferroute SUBCOMMAND`, whatever name the program was started by."""
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join([PROG_NAME, *reversed(names)])


class KubectlCommand(click.Command):
    """A command that reads kubectl's flag spellings."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, kubectl_args(ctx, args))


class KubectlGroup(click.Group):
    """A group that reads kubectl's flag spellings (its subcommands are KubectlCommands)."""

    command_class = KubectlCommand

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, kubectl_args(ctx, args))
