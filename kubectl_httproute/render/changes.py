"""Field changes as lines: `spec.rules[0].timeouts.request: 300s → 600s`. Pure."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..core.changes import ABSENT, FieldChange, FieldPath

NONE = "(none)"
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# A string that reads the same unquoted: no flow punctuation, no leading/trailing blanks.
_PLAIN_VALUE = re.compile(r"[^\s\[\]{},:\"'#&*!|>%@`][^\[\]{},\"'#]*(?<!\s)\Z")


def render_path(path: FieldPath) -> str:
    """kubectl's field path: `spec.rules[0].timeouts.request`, `metadata.labels["a.b/c"]`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part)}]"
    return text


def render_value(value: Any) -> str:
    """A value on one line, in YAML's flow style: `300s`, `[a, b]`, `{name: x, value: y}`."""
    if value is ABSENT:
        return NONE
    if isinstance(value, Mapping):
        items = sorted(value.items())  # as the paths are: the order a real API server uses
        return "{" + ", ".join(f"{_scalar(k)}: {render_value(v)}" for k, v in items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    return _scalar(value)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if _PLAIN_VALUE.match(text) and not _looks_special(text):
        return text
    return json.dumps(text)


def _looks_special(text: str) -> bool:
    # Strings that would read as another type, or as the absent marker, are quoted.
    if text in ("null", "true", "false", NONE) or ": " in text or " #" in text:
        return True
    try:
        float(text)
    except ValueError:
        return False
    return True


def render_changes(changes: Sequence[FieldChange]) -> list[str]:
    """One line per changed field: `path: before → after`, `(none)` for a field not there."""
    return [
        f"{render_path(c.path)}: {render_value(c.before)} → {render_value(c.after)}"
        for c in changes
    ]
