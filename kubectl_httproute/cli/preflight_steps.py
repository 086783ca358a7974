"""Preflight at the terminal: findings printed, a blocking one stops, the grant question."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import click

from ..core.findings import INFO, Finding
from ..core.preflight import blocked_error, blocking
from ..render.findings import render_findings
from .common import heading, say, stdin_is_tty


class GrantOptions(Protocol):
    """The flags the grant question reads (expose's and shift's options have them)."""

    @property
    def create_reference_grant(self) -> bool: ...
    @property
    def yes(self) -> bool: ...
    @property
    def dry_run(self) -> str: ...


def print_findings(findings: Sequence[Finding], human: bool) -> None:
    """Findings before the approval question; with -o, only warnings and errors, to stderr."""
    if not human:
        findings = [f for f in findings if f.severity != INFO]
    if not findings:
        return
    if human:
        say()
        heading("Preflight checks")
    else:
        say("Preflight checks", err=True)
    say(render_findings(findings).rstrip("\n"), err=not human)


def stop_if_blocked(findings: Sequence[Finding]) -> None:
    stops = blocking(findings)
    if stops:
        raise blocked_error(stops)


def decide_grants(options: GrantOptions, grants: list[dict[str, Any]]) -> bool:
    """Create the missing grants? --create-reference-grant, else ask when there is a terminal."""
    if not grants:
        return False
    if options.create_reference_grant:
        return True
    if options.yes or not stdin_is_tty() or options.dry_run == "server":
        return False
    names = ", ".join(f"{g['metadata']['namespace']}/{g['metadata']['name']}" for g in grants)
    try:
        # On the terminal (stderr), never mixed into what stdout carries.
        return click.confirm(
            f"Also create ReferenceGrant {names} (shown above) with the route?",
            default=True,
            err=True,
        )
    except (click.exceptions.Abort, EOFError):
        return False
