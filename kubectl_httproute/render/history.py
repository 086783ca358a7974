"""`history` as strings and as the documented structure of `-o yaml|json`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..core.findings import Finding
from ..core.history import HistoryEntry
from ..core.model import ObjectRef
from .tables import render_table

HISTORY_API_VERSION = "inferroute/v1"
HISTORY_KIND = "RouteHistory"
OUTSIDE_NUMBER = "-"


def render_history_table(entries: Sequence[HistoryEntry]) -> str:
    """REVISION, TIME, USER, COMMAND, SPLIT; oldest first, as `kubectl rollout history`."""
    rows = [
        [
            OUTSIDE_NUMBER if entry.number is None else entry.number,
            entry.time,
            entry.user,
            entry.command,
            entry.split,
        ]
        for entry in entries
    ]
    return render_table(["REVISION", "TIME", "USER", "COMMAND", "SPLIT"], rows)


def build_history_report(
    route: ObjectRef, entries: Sequence[HistoryEntry], findings: Sequence[Finding]
) -> dict[str, Any]:
    """The stable structure of `history -o yaml|json` (README: "History and rollback")."""
    return {
        "apiVersion": HISTORY_API_VERSION,
        "kind": HISTORY_KIND,
        "route": {"namespace": route.namespace, "name": route.name},
        "revisions": [
            {
                "number": entry.number,
                "outside": entry.outside,
                "time": entry.time,
                "user": entry.user,
                "command": entry.command,
                "split": entry.split,
                "rules": entry.rules,
            }
            for entry in entries
        ],
        "warnings": [finding.message for finding in findings],
    }
