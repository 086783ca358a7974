"""Entry point: `kubectl-inferroute`, `kubectl inferroute`, `python -m kubectl_httproute`.

`--version`, `[COMMAND] -h|--help` and the completion of subcommands and flags are answered from
texts click rendered at build time (`_prerendered.py`, `make docs`), so the most typed commands
and every TAB on a flag start as fast as python itself. A TAB on a pool, Gateway or route name is
read with the option tables click's commands produced and answered by the same code click's
callbacks use (`names.py`), without click. Everything else goes through click.
"""

from __future__ import annotations

import os
import sys

HELP_FLAGS = ("-h", "--help")
COMPLETE_VAR = "_KUBECTL_INFERROUTE_COMPLETE"  # cli.completion.COMPLETE_VAR
# The flags that choose the cluster (cli.common.GLOBAL_FLAGS less those names do not need).
SELECTION_FLAGS = ("kubeconfig", "context", "cluster", "user", "namespace")

NameRequest = tuple[str, dict[str, str], str, tuple[str, ...]]


def prerendered(argv: list[str]) -> str | None:
    """What click would print for `argv`, when it is one of the pre-rendered texts."""
    if not argv or COMPLETE_VAR in os.environ:
        return None
    if argv[0] == "__complete":
        return completed(argv[1:])
    if argv[-1] not in HELP_FLAGS and argv != ["--version"]:
        return None
    from . import _prerendered

    if argv == ["--version"]:
        return _prerendered.VERSION
    return _prerendered.HELP.get(" ".join(argv[:-1])) if len(argv) <= 2 else None


def completed(words: list[str]) -> str | None:
    """kubectl's completer protocol (`ARGS... WORD`) for subcommands, flags and names, as click
    answers it (cli.completion.kubectl_complete); None for anything else (values, odd lines)."""
    *args, incomplete = words or [""]
    if "=" in incomplete or len(args) > 1:
        return named(words)
    from . import _prerendered

    lines: list[str] | None = None
    if incomplete.startswith("-"):
        lines = _prerendered.FLAGS.get(" ".join(args))
    elif not args and (not incomplete or incomplete[0].isalnum()):
        lines = _prerendered.COMMANDS
    if lines is None:
        return named(words)
    offered = [(line.split("\t", 1)[0], line) for line in lines]
    offered = [(value, line) for value, line in offered if value.startswith(incomplete)]
    # click lists the help option's names as list(set(names)): the order of this process.
    helps = {value: line for value, line in offered if value in HELP_FLAGS}
    out = [line for value, line in offered if value not in helps]
    out += [helps[name] for name in list(set(HELP_FLAGS)) if name in helps]
    return "".join(line + "\n" for line in out) + ":4\n"


def named(words: list[str]) -> str | None:
    """The pool, Gateway or route names click would offer for `words`, or None to let click
    answer (a line this reader does not follow exactly as click would)."""
    request = name_request(words)
    if request is None:
        return None
    kind, flags, incomplete, chosen = request
    from .kubeconfig import GlobalFlags
    from .names import candidates

    selection_flags = GlobalFlags(
        kubeconfig=flags.get("kubeconfig"),
        context=flags.get("context"),
        cluster=flags.get("cluster"),
        user=flags.get("user"),
        namespace=flags.get("namespace"),
    )
    values = candidates(kind, selection_flags, incomplete, chosen)
    return "".join(value + "\n" for value in values) + ":4\n"


def name_request(words: list[str]) -> NameRequest | None:
    """(names kind, global flags, incomplete word, names already given) when `words` ends in a
    name to complete, read as click reads it; None for anything else or anything unusual
    (unknown options, `--`, bundled short options, an option value that looks like an option)."""
    from typing import Any, cast

    from ._prerendered import NAMES

    tables = cast("dict[str, dict[str, Any]]", NAMES)
    *args, incomplete = words or [""]
    if incomplete.startswith("-") or incomplete == "=" or "--" in args:
        return None
    command = ""
    given: dict[str, dict[str, str]] = {"": {}}
    positionals: list[str] = []
    pending: tuple[str, str | None] | None = None  # (parameter, names kind) awaiting its value
    for arg in args:
        if pending is not None:
            if arg.startswith("-"):
                return None
            given[command][pending[0]] = arg
            pending = None
        elif arg.startswith("-"):
            option, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
            entry = tables[command]["options"].get(option)
            if entry is None:
                return None
            param, takes_value, kind = entry
            if not takes_value:
                if eq:
                    return None
            elif eq:
                given[command][param] = value
            else:
                pending = (param, kind)
        elif not command:
            if arg not in tables or not arg:
                return None
            command = arg
            given[command] = {}
        else:
            positionals.append(arg)
    if not command:
        return None
    chosen: tuple[str, ...] = ()
    if pending is not None:
        kind = pending[1]
    else:
        argument = tables[command]["argument"]
        if argument is None:
            return None
        _, nargs, kind = argument
        if nargs == -1:
            chosen = tuple(positionals)
        elif nargs != 1 or positionals:
            return None
    if kind is None:
        return None
    # As cli.common.global_flags: flags after the subcommand win over the same before it.
    flags = {key: layer[key] for layer in given.values() for key in SELECTION_FLAGS if key in layer}
    return kind, flags, incomplete, chosen


def complete_main() -> None:
    """Console script `kubectl_complete-inferroute` (kubectl runs it for `kubectl inferroute
    <TAB>`)."""
    text = completed(sys.argv[1:])
    if text is None:
        from .cli.completion import kubectl_complete_main

        kubectl_complete_main()
        return
    sys.stdout.write(text)
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> None:
    text = prerendered(sys.argv[1:] if argv is None else argv)
    if text is not None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from .cli import main as cli_main

    cli_main(argv)


if __name__ == "__main__":
    main()
