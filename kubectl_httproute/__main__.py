"""Entry point: `kubectl-inferroute`, `kubectl inferroute`, `python -m kubectl_httproute`.

`--version` and `[COMMAND] -h|--help` are answered from texts click rendered at build time
(`_prerendered.py`, `make docs`), so the most typed commands start as fast as python itself;
everything else goes through click.
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
    if argv[-1] not in HELP_FLAGS and argv != ["--version"]:
        return None
    from . import _prerendered

    if argv == ["--version"]:
        return _prerendered.VERSION
    return _prerendered.HELP.get(" ".join(argv[:-1])) if len(argv) <= 2 else None


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
