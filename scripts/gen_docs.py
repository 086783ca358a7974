"""The README's command reference, generated from every command's --help.

gen_docs.py            print the reference
gen_docs.py --write    rewrite it in README.md, between the markers (`make docs`)
gen_docs.py --check    exit 1 when README.md differs from what --help says now
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import click  # noqa: E402

README = ROOT / "README.md"
BEGIN = "<!-- BEGIN generated: command reference (make docs; do not edit by hand) -->"
END = "<!-- END generated: command reference -->"
# A fixed width, so the text does not depend on the terminal it was generated in.
WIDTH = 100


def walk(
    command: click.Command, path: list[str], parent: click.Context | None = None
) -> Iterator[tuple[list[str], str]]:
    """(words, help text) of a command and its visible subcommands, depth first, by name."""
    # make_context applies the command's context_settings (e.g. -h) as a real run would.
    ctx = command.make_context(
        path[-1], [], parent=parent, resilient_parsing=True, terminal_width=WIDTH
    )
    text = command.get_help(ctx)
    yield path, "\n".join(line.rstrip() for line in text.splitlines())
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from walk(sub, [*path, name], ctx)


def visible_commands() -> list[tuple[list[str], str]]:
    from kubectl_httproute.cli import root

    return list(walk(root, ["kubectl inferroute"]))


def render_reference() -> str:
    """One `###` heading and help block per command."""
    parts = []
    for path, text in visible_commands():
        title = " ".join(path)
        parts.append(f"### `{title}`\n\n```\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


def splice(readme: str, reference: str) -> str:
    """README text with the reference between the markers."""
    try:
        head, rest = readme.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
    except ValueError:
        raise SystemExit(f"error: README.md lacks the markers {BEGIN!r} ... {END!r}") from None
    return f"{head}{BEGIN}\n{reference}{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="rewrite README.md")
    mode.add_argument("--check", action="store_true", help="fail when README.md has drifted")
    args = parser.parse_args(argv)
    reference = render_reference()
    if not (args.write or args.check):
        sys.stdout.write(reference)
        return 0
    current = README.read_text()
    wanted = splice(current, reference)
    if args.check:
        if current != wanted:
            print("README.md's command reference is out of date: run `make docs`", file=sys.stderr)
            return 1
        return 0
    if current != wanted:
        README.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
