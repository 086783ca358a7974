"""The probe's result as text."""

from __future__ import annotations

from ..core.probe import ProbeResult


def render_probe(result: ProbeResult) -> str:
    """The probe's result for people: the path taken, each request's status, latency, models."""
    lines = [f"Probe ({result.path}){': ' + result.url if result.url else ''}"]
    for step in result.steps:
        if step.status is None:
            lines.append(f"  {step.request}: failed: {step.error}")
            continue
        text = f"  {step.request}: HTTP {step.status} in {step.latency_ms} ms"
        if step.models:
            text += f"; models: {', '.join(step.models)}"
        lines.append(text)
    lines.extend(f"  note: {n}" for n in result.notes)
    if result.command:
        lines.append("  Run this to probe from inside the cluster:")
        lines.append(f"    {result.command}")
    return "\n".join(lines)
