"""Tables and verdict lines as strings, kubectl-style: plain columns, upper-case headers.

`tabulate` is imported inside the functions that use it so that `--help` stays fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..core.inventory import PoolState
from ..core.model import Condition, ObjectRef
from ..core.verdict import Verdict
from ..core.verify import GatewayView, ParentConditions, route_parent_statuses

NONE = "<none>"  # what kubectl prints for an empty cell, so columns stay countable


def _cell(value: object) -> str:
    # kubectl shows messages whole, on one line: a newline would break every row after it.
    text = " ".join(str(value).split()) if value is not None else ""
    return text or NONE


def render_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain kubectl-like table: left-aligned, two spaces between columns, no trailing spaces."""
    heads = [h.upper() for h in headers]
    cells = [[_cell(v) for v in row] for row in rows]
    text = plain_table(heads, cells)
    if text is not None:
        return text
    return tabulate_table(heads, cells)


def tabulate_table(heads: Sequence[str], cells: Sequence[Sequence[str]]) -> str:
    """The table as tabulate lays it out (any text: wide characters, escapes)."""
    from tabulate import tabulate

    text = tabulate(
        cells,
        headers=heads,
        tablefmt="plain",
        stralign="left",
        numalign="left",
        disable_numparse=True,  # "1.10" and "007" are names, not numbers
    )
    return "\n".join(line.rstrip() for line in text.splitlines())


def plain_table(heads: Sequence[str], cells: Sequence[Sequence[str]]) -> str | None:
    """tabulate's plain layout for printable ASCII, where a character is a column; None for
    anything else. tabulate costs a tenth of a second per thousand rows (tests/test_tables.py
    holds the two identical)."""
    if not cells or any(len(row) != len(heads) for row in cells):
        return None
    every = "".join(heads) + "".join(["".join(row) for row in cells])
    if not (every.isascii() and every.isprintable()):
        return None
    if any(not h or h != h.strip() for h in heads) or any(
        not c or c != c.strip() for row in cells for c in row
    ):
        return None  # tabulate strips cells and drops empty lines; _cell leaves neither
    # A column is as wide as its widest cell, and its header and two more (tabulate's padding).
    widths = [
        max(len(head) + 2, max(map(len, column)))
        for head, column in zip(heads, zip(*cells, strict=True), strict=True)
    ]
    line = "  ".join(f"{{:<{width}}}" for width in widths).format
    return "\n".join([line(*heads).rstrip(), *[line(*row).rstrip() for row in cells]])


def _generation(value: int | None) -> str:
    return NONE if value is None else str(value)


def _condition_rows(parents: Sequence[ParentConditions]) -> list[list[object]]:
    rows: list[list[object]] = []
    for parent in parents:
        for c in parent.conditions:
            rows.append(
                [
                    parent.parent,
                    c.type,
                    c.status,
                    c.reason,
                    c.message,
                    _generation(c.observed_generation),
                ]
            )
        if not parent.conditions:
            rows.append([parent.parent, NONE, NONE, NONE, "no conditions written", NONE])
    return rows


_PARENT_HEADERS = ("PARENT", "TYPE", "STATUS", "REASON", "MESSAGE", "OBSERVEDGEN")


def _controllers(parents: Sequence[ParentConditions]) -> str:
    names = sorted({p.controller for p in parents if p.controller})
    return f" (controller {', '.join(names)})" if names else ""


def render_route_conditions(route_name: str, parents: list[ParentConditions]) -> str:
    """The route's conditions per parent Gateway, or a line saying no controller wrote any."""
    if not parents:
        return f"HTTPRoute {route_name}: no controller has written status yet"
    title = f"HTTPRoute {route_name} conditions{_controllers(parents)}:"
    return f"{title}\n{render_table(_PARENT_HEADERS, _condition_rows(parents))}"


def _conditions_table(conditions: Sequence[Condition]) -> str:
    rows = [[c.type, c.status, c.reason, c.message] for c in conditions]
    return render_table(("TYPE", "STATUS", "REASON", "MESSAGE"), rows)


def render_gateway(view: GatewayView) -> str:
    """The Gateway's conditions, addresses and listeners, each under a one-line title."""
    class_name = view.class_name or NONE
    parts = []
    if view.conditions:
        title = f"Gateway {view.ref} (class {class_name}) conditions:"
        parts.append(f"{title}\n{_conditions_table(view.conditions)}")
    else:
        parts.append(f"Gateway {view.ref} (class {class_name}): no controller has written status")
    parts.append(f"Addresses: {', '.join(view.addresses) if view.addresses else NONE}")
    if view.listeners:
        rows = [
            [
                listener.name,
                NONE if listener.port is None else listener.port,
                listener.protocol,
                listener.hostname or "*",  # no hostname: the listener matches every host
                listener.allowed_routes,
                NONE if listener.attached_routes is None else listener.attached_routes,
            ]
            for listener in view.listeners
        ]
        headers = ("LISTENER", "PORT", "PROTOCOL", "HOSTNAME", "ALLOWED-ROUTES", "ATTACHED")
        parts.append(f"Listeners:\n{render_table(headers, rows)}")
    else:
        parts.append("Listeners: <none>")
    return "\n".join(parts)


def render_pool_conditions(
    pool_ref: ObjectRef, api_version: str, parents: list[ParentConditions]
) -> str:
    """An InferencePool's conditions per parent Gateway, or a line saying none were written."""
    if not parents:
        return f"InferencePool {pool_ref} ({api_version}): no controller has written status yet"
    title = f"InferencePool {pool_ref} ({api_version}) conditions{_controllers(parents)}:"
    return f"{title}\n{render_table(_PARENT_HEADERS, _condition_rows(parents))}"


def render_verdict(v: Verdict) -> str:
    """`Verdict: STATE — summary`, plus a `Fix:` line when the route is not healthy."""
    line = f"Verdict: {v.state} — {v.summary}"
    return f"{line}\nFix: {v.fix}" if v.fix else line


def render_verification(
    route: dict[str, Any],
    gateway: GatewayView | None,
    pools: Sequence[PoolState],
    verdict: Verdict,
) -> str:
    """The route's, the Gateway's and the pools' conditions as they are now, and the verdict."""
    parts = [render_route_conditions(route["metadata"]["name"], route_parent_statuses(route))]
    if gateway is not None:
        parts.append(render_gateway(gateway))
    for pool in pools:
        parts.append(render_pool_conditions(pool.ref, pool.api.api_version, list(pool.parents)))
    parts.append(render_verdict(verdict))
    return "\n\n".join(p.rstrip("\n") for p in parts) + "\n"
