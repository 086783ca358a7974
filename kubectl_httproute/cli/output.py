"""`-o/--output`: the formats a command prints, kubectl's `jsonpath=TEMPLATE` among them."""

from __future__ import annotations

from typing import Any

import click
from click.shell_completion import CompletionItem

JSONPATH = "jsonpath"


class OutputFormat(click.ParamType[str, Any]):
    """One of the command's formats, or `jsonpath=TEMPLATE` (the template checked here, before
    any request)."""

    name = "format"

    def __init__(self, formats: tuple[str, ...]) -> None:
        self.formats = formats

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "FORMAT"  # the option's help lists them

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if text in self.formats:
            return text
        kind, _, template = text.partition("=")
        if kind != JSONPATH:
            allowed = ", ".join((*self.formats, f"{JSONPATH}=TEMPLATE"))
            self.fail(f'"{text}" is not an output format; use one of {allowed}', param, ctx)
        if not template:
            self.fail(
                f"{JSONPATH} needs a template, e.g. -o {JSONPATH}='{{.metadata.name}}'", param, ctx
            )
        from ..render.jsonpath import TemplateError, parse_template

        try:
            parse_template(template)
        except TemplateError as error:
            self.fail(f"{JSONPATH} template {template}: {error}", param, ctx)
        return text

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        words = (*self.formats, f"{JSONPATH}=")
        return [CompletionItem(word) for word in words if word.startswith(incomplete)]


def jsonpath_template(output: str | None) -> str | None:
    """The template of `-o jsonpath=TEMPLATE`; None for any other format."""
    if output is None or not output.startswith(f"{JSONPATH}="):
        return None
    return output.partition("=")[2]
