"""Entry point: `kubectl-inferroute`, `kubectl inferroute`, `python -m kubectl_httproute`.

`--version` and `[COMMAND] -h|--help` are answered from texts click rendered at build time
(`_prerendered.py`, `make docs`), and a TAB through kubectl's completer or the bash script by
`fastcomplete.py`, so the most typed commands start as fast as python itself. Everything else
goes through click.
"""

from __future__ import annotations

import os
import sys

COMPLETE_VAR = "_KUBECTL_INFERROUTE_COMPLETE"  # cli.completion.COMPLETE_VAR
# The commands' help_option_names (test_startup holds them together):
# not imported, so that --help loads nothing but the pre-rendered texts.
HELP_FLAGS = ("-h", "--help")


def prerendered(argv: list[str]) -> str | None:
    """What click would print for `argv`, when it is one of the pre-rendered texts or a TAB
    fastcomplete answers."""
    if COMPLETE_VAR in os.environ:
        if os.environ[COMPLETE_VAR] != "bash_complete" or argv:
            return None
        from .fastcomplete import bash_complete

        return bash_complete(os.environ.get("COMP_WORDS", ""), os.environ.get("COMP_CWORD", ""))
    if not argv:
        return None
    if argv[0] == "__complete":
        from .fastcomplete import completed

        return completed(argv[1:])
    if argv[-1] not in HELP_FLAGS and argv != ["--version"]:
        return None
    from . import _prerendered

    if argv == ["--version"]:
        return _prerendered.VERSION
    return _prerendered.HELP.get(" ".join(argv[:-1])) if len(argv) <= 2 else None


def complete_main() -> None:
    """Console script `kubectl_complete-inferroute` (kubectl runs it for `kubectl inferroute
    <TAB>`)."""
    from .fastcomplete import completed

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
    from . import startup_gc

    startup_gc.pause()
    from .cli import main as cli_main

    cli_main(argv)


if __name__ == "__main__":
    main()
