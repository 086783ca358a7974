"""Entry point: `kubectl-inferroute`, `kubectl inferroute`, `python -m kubectl_httproute`.

`--version`, `[COMMAND] -h|--help` and the completion of subcommands and flags are answered from
texts click rendered at build time (`_prerendered.py`, `make docs`), so the most typed commands
and every TAB on a flag start as fast as python itself; everything else goes through click.
"""

from __future__ import annotations

import os
import sys

HELP_FLAGS = ("-h", "--help")
COMPLETE_VAR = "_KUBECTL_INFERROUTE_COMPLETE"  # cli.completion.COMPLETE_VAR


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
    """kubectl's completer protocol (`ARGS... WORD`) for subcommands and flags, as click
    answers it (cli.completion.kubectl_complete); None for anything else (names, values)."""
    *args, incomplete = words or [""]
    if "=" in incomplete or len(args) > 1:
        return None
    from . import _prerendered

    lines: list[str] | None = None
    if incomplete.startswith("-"):
        lines = _prerendered.FLAGS.get(" ".join(args))
    elif not args and (not incomplete or incomplete[0].isalnum()):
        lines = _prerendered.COMMANDS
    if lines is None:
        return None
    offered = [(line.split("\t", 1)[0], line) for line in lines]
    offered = [(value, line) for value, line in offered if value.startswith(incomplete)]
    # click lists the help option's names as list(set(names)): the order of this process.
    helps = {value: line for value, line in offered if value in HELP_FLAGS}
    out = [line for value, line in offered if value not in helps]
    out += [helps[name] for name in list(set(HELP_FLAGS)) if name in helps]
    return "".join(line + "\n" for line in out) + ":4\n"


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
