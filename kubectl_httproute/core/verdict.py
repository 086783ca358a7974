"""The verdict ladder: every state a route can be in, worst first, and which are healthy. Pure.

`verify` judges a route from its own conditions (NoController to Ready); `diagnose` adds what
those cannot say (Shadowed, Degraded); `expose` and `status` both count shadowing the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from .findings import SHADOWED_CHECK, Finding
from .model import ObjectRef

NO_CONTROLLER = "NoController"
NOT_ACCEPTED = "NotAccepted"
UNRESOLVED = "Unresolved"
STALE = "Stale"
PENDING = "Pending"
# Accepted and resolved, but another route takes all of its traffic.
SHADOWED = "Shadowed"
# Accepted and resolved, but a Gateway or pool the route depends on reports a problem.
DEGRADED = "Degraded"
READY = "Ready"

# Worst first: a route on several Gateways (or listeners) gets the worst of its verdicts.
LADDER = (NO_CONTROLLER, NOT_ACCEPTED, UNRESOLVED, STALE, PENDING, SHADOWED, DEGRADED, READY)
HEALTHY = frozenset({READY})
# Each state's place on the ladder, for worst(): once per route of an overview.
_PLACES = {state: place for place, state in enumerate(LADDER)}


class Verdict(NamedTuple):
    """The answer about a route, in one line, with the fix when it is not healthy."""

    state: str  # one of LADDER
    healthy: bool
    summary: str
    fix: str


def is_healthy(state: str) -> bool:
    """Whether traffic reaches a route in this state."""
    return state in HEALTHY


def rank(state: str) -> int:
    """The state's place on the ladder: lower is worse."""
    return LADDER.index(state)


def worst(states: Iterable[str]) -> str:
    """The worst of the states; NoController when there are none (nothing judged the route)."""
    return min(states, key=_PLACES.__getitem__, default=NO_CONTROLLER)


def shadowed_state(state: str) -> str:
    """A route another route takes all traffic from: a healthy state becomes Shadowed; a worse
    one stays, since it says more about why no traffic arrives."""
    return SHADOWED if is_healthy(state) else state


def apply_shadowing(verdict: Verdict, findings: Iterable[Finding]) -> Verdict:
    """The verdict once a shadowing finding is counted: Shadowed, with that finding's fix."""
    shadowing = next((f for f in findings if f.check == SHADOWED_CHECK), None)
    if shadowing is None:
        return verdict
    state = shadowed_state(verdict.state)
    if state == verdict.state:
        return verdict
    return Verdict(state, is_healthy(state), shadowing.message, shadowing.fix)


def not_waited_verdict(route: ObjectRef) -> Verdict:
    """The verdict when `expose --timeout 0` looked once and the controller had not judged the
    route's current generation: too early to say more (kubectl wait --timeout=0 also looks once)."""
    return Verdict(
        PENDING,
        False,
        "the controller has not judged this version of the route yet: --timeout 0 looks once, "
        "without waiting",
        f"see its verdict in a moment with `kubectl inferroute status {route.name} -n "
        f"{route.namespace}`, or let expose wait for it (--timeout 60s)",
    )
