"""The flags every command that changes a route shares, defined once: what to print, whether to
ask, whose fields to take, how long to wait for the verdict, where the record goes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..core.options import OUTPUT_FORMATS
from .output import OutputFormat

F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[F], F]

OBJECT_OUTPUT_HELP = (
    "yaml|json: print the object (dry-run result or applied object) instead of the human "
    "view; jsonpath=TEMPLATE: its fields (kubectl's JSONPath)."
)


def _stack(func: F, options: list[Callable[[F], F]]) -> F:
    for option in reversed(options):
        func = option(func)
    return func


def output_flag(
    help: str = OBJECT_OUTPUT_HELP, formats: tuple[str, ...] = OUTPUT_FORMATS
) -> Decorator[Any]:
    """-o/--output: yaml, json or kubectl's jsonpath=TEMPLATE instead of the human view."""
    return click.option("-o", "--output", type=OutputFormat(formats), help=help)


def apply_flags(func: F) -> F:
    """-o, --yes and --force-conflicts, as every command that applies a route has them."""
    return _stack(
        func,
        [
            output_flag(),
            click.option("-y", "--yes", is_flag=True, help="Apply without asking."),
            click.option(
                "--force-conflicts",
                is_flag=True,
                help="Take ownership of fields another field manager owns.",
            ),
        ],
    )


def wait_flags(
    wait_help: str = "Wait for the gateway controller's verdict.",
    timeout_help: str = "How long to wait for the verdict (0: look once, without waiting).",
) -> Decorator[Any]:
    """--wait/--no-wait and --timeout DURATION (60s)."""

    def decorate(func: F) -> F:
        return _stack(
            func,
            [
                click.option("--wait/--no-wait", default=True, show_default=True, help=wait_help),
                click.option(
                    "--timeout",
                    default="60s",
                    show_default=True,
                    metavar="DURATION",
                    help=timeout_help,
                ),
            ],
        )

    return decorate


def record_flags(kind: str = "deployment") -> Decorator[Any]:
    """--record PATH and --no-record, for the deployment (or deletion) record."""

    def decorate(func: F) -> F:
        return _stack(
            func,
            [
                click.option(
                    "--record",
                    "record_path",
                    metavar="PATH",
                    help=f"Write the {kind} record here. "
                    "[default: ./ROUTE-TIMESTAMP.inferroute.md]",
                ),
                click.option("--no-record", is_flag=True, help=f"Do not write a {kind} record."),
            ],
        )

    return decorate
