"""Questions at the terminal: asked on stderr, answered on stdin; stdout carries data only.

click's prompts write a space to stdout after the question even when asked on stderr (a
readline workaround): `expose ... > plan.txt` would get it mixed into the data. These ask on
stderr and read a line from stdin, as kubectl's own questions do. Callers ask only when stdin is
a terminal (`common.stdin_is_tty`).

End of input raises EOFError and Ctrl-C KeyboardInterrupt (after ending the question's line):
each caller says what no answer means.
"""

from __future__ import annotations

import sys

import click

YES = ("y", "yes")
NO = ("n", "no")


def confirm(question: str, *, default: bool) -> bool:
    """`question [y/N]: ` (or `[Y/n]`) until the answer is yes, no, or empty (the default)."""
    choices = "[Y/n]" if default else "[y/N]"
    while True:
        answer = _ask(f"{question} {choices}: ").lower()
        if not answer:
            return default
        if answer in YES:
            return True
        if answer in NO:
            return False
        click.echo("Error: invalid input", err=True)


def choose(question: str, count: int) -> int:
    """`question: ` until the answer is a whole number from 1 to count."""
    while True:
        answer = _ask(f"{question}: ")
        if not answer:
            continue
        try:
            number = int(answer)
        except ValueError:
            click.echo(f"Error: {answer!r} is not a number from 1 to {count}.", err=True)
            continue
        if 1 <= number <= count:
            return number
        click.echo(f"Error: {number} is not a number from 1 to {count}.", err=True)


def _ask(prompt: str) -> str:
    click.echo(prompt, nl=False, err=True)
    try:
        line = sys.stdin.readline()
    except KeyboardInterrupt:
        click.echo(err=True)
        raise
    if not line:
        click.echo(err=True)
        raise EOFError
    return line.strip()
