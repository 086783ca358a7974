"""`shift`'s tables: the traffic before and after, the steps of a progressive shift."""

from __future__ import annotations

from collections.abc import Sequence

from ..core.shift import ShiftStep, TrafficRow
from .tables import render_table


def render_traffic(rows: Sequence[TrafficRow]) -> str:
    """POOL, WEIGHT, SHARE; a RULE column only when several rules send traffic to pools."""
    several = len({row.rule for row in rows}) > 1
    headers = (["RULE"] if several else []) + ["POOL", "WEIGHT", "SHARE"]
    body: list[list[object]] = []
    for row in rows:
        weight: object = "-" if row.share.startswith("mirror") else row.weight
        body.append([*([row.rule] if several else []), row.pool, weight, row.share])
    return render_table(headers, body)


def render_steps(target: str, steps: Sequence[tuple[ShiftStep, str]], revert: str) -> str:
    """STEP, the target's SHARE, every pool's WEIGHTS; and what a failed gate goes back to."""
    body: list[list[object]] = [
        [str(number), f"{step.share}%", weights] for number, (step, weights) in enumerate(steps, 1)
    ]
    body.append(["on a failed gate", "-", revert])
    return render_table(["STEP", f"{target} SHARE", "WEIGHTS"], body)
