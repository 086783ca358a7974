"""Findings as text: one mark per severity, one line shape for preflight and status. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from ..core.findings import ERROR, INFO, WARNING, Finding
from .changes import render_changes

# Marks, so that a finding never reads as kubectl's fatal "error:".
MARKS = {ERROR: "✗", WARNING: "!", INFO: "·"}


def finding_lines(finding: Finding, *, indent: str, fix_indent: str, yaml_indent: str) -> list[str]:
    """`mark severity: [subject: ]message`, then `fix: ...`, any YAML and the field changes."""
    mark = MARKS.get(finding.severity, "-")
    about = f"{finding.subject}: " if finding.subject else ""
    lines = [f"{indent}{mark} {finding.severity}: {about}{finding.message}"]
    if finding.fix:
        lines.append(f"{fix_indent}fix: {finding.fix}")
    if finding.yaml:
        lines.extend(yaml_indent + line for line in finding.yaml.rstrip("\n").splitlines())
    if finding.changes:
        lines.append(f"{yaml_indent}would change:")
        lines.extend(f"{yaml_indent}  {line}" for line in render_changes(finding.changes))
    return lines


def render_findings(findings: Sequence[Finding]) -> str:
    """Preflight's findings as indented lines: mark, message, fix, and any YAML or diff below."""
    lines = [
        line
        for finding in findings
        for line in finding_lines(finding, indent="  ", fix_indent="      ", yaml_indent="      ")
    ]
    return "\n".join(lines) + ("\n" if lines else "")
