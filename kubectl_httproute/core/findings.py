"""One Finding type for every check: preflight's before a change, status's diagnosis after. Pure."""

from __future__ import annotations

from typing import NamedTuple

from .changes import FieldChange

ERROR = "error"
WARNING = "warning"
INFO = "info"

# The check id of a finding that says the route gets no traffic because another route takes it
# all: it turns a healthy verdict into Shadowed (verdict.apply_shadowing).
SHADOWED_CHECK = "shadowed"


class Finding(NamedTuple):
    """One thing a check found: how bad, about what, what it means, the fix, and text to show."""

    severity: str  # ERROR | WARNING | INFO
    # What it is about: "HTTPRoute llm/qwen-pool", "Gateway llm/inference-gateway", ...; "" when
    # it is about the change being planned (preflight), which needs no name.
    subject: str
    message: str
    fix: str = ""
    yaml: str | None = None  # YAML to apply, or a diff, shown below the fix
    check: str = ""  # which check found it: "permission", "listener", SHADOWED_CHECK, ...
    blocking: bool = False  # stops `expose` before any write
    changes: tuple[FieldChange, ...] = ()  # the fields an apply would change, shown below
