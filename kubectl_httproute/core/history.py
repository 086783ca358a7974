"""A route's history as `history` lists it: its revisions, then any change made since by
someone else. Pure: built from the route object alone."""

from __future__ import annotations

from typing import Any, NamedTuple

from .findings import Finding
from .revisions import find_outside_change, list_revisions, traffic_split

OUTSIDE_COMMAND = "(changed outside kubectl-inferroute)"


class HistoryEntry(NamedTuple):
    """One row of `history`: a revision, or (number None) a change made outside the plugin."""

    number: int | None
    time: str  # RFC 3339, as stored; "" when unknown
    user: str  # who ran the command; for an outside change, the field manager that wrote
    command: str
    split: str
    rules: list[dict[str, Any]]

    @property
    def outside(self) -> bool:
        return self.number is None


def build_history(route: dict[str, Any]) -> tuple[list[HistoryEntry], list[Finding]]:
    """The revisions oldest first, then the live rules when someone else changed them since.

    Without any revision there is nothing to differ from: no outside row, only none at all."""
    revisions, findings = list_revisions(route)
    entries = [
        HistoryEntry(r.number, r.time, r.user, r.command, traffic_split(r.rules), r.rules)
        for r in revisions
    ]
    outside = find_outside_change(route, revisions) if revisions else None
    if outside is not None:
        entries.append(
            HistoryEntry(
                None,
                outside.time,
                outside.manager,
                OUTSIDE_COMMAND,
                traffic_split(outside.rules),
                outside.rules,
            )
        )
    return entries, findings
