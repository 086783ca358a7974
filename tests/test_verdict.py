"""The verdict ladder: one order of states, one worst(), one rule for shadowing."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubectl_httproute.core.findings import ERROR, SHADOWED_CHECK, WARNING, Finding
from kubectl_httproute.core.model import ObjectRef
from kubectl_httproute.core.verdict import (
    DEGRADED,
    HEALTHY,
    LADDER,
    NO_CONTROLLER,
    NOT_ACCEPTED,
    PENDING,
    READY,
    SHADOWED,
    STALE,
    UNRESOLVED,
    Verdict,
    apply_shadowing,
    is_healthy,
    rank,
    shadowed_state,
    worst,
)
from kubectl_httproute.core.verify import route_facts, route_verdict

GATEWAY = ObjectRef("llm", "inference-gateway")


def test_the_ladder_runs_from_no_controller_to_ready() -> None:
    assert LADDER == (
        "NoController",
        "NotAccepted",
        "Unresolved",
        "Stale",
        "Pending",
        "Shadowed",
        "Degraded",
        "Ready",
    )
    assert {READY} == HEALTHY
    assert [s for s in LADDER if is_healthy(s)] == [READY]


@given(st.lists(st.sampled_from(LADDER), min_size=1))
def test_worst_is_the_lowest_on_the_ladder(states: list[str]) -> None:
    found = worst(states)
    assert found in states
    assert all(rank(found) <= rank(s) for s in states)


def test_worst_of_nothing_is_no_controller() -> None:
    assert worst([]) == NO_CONTROLLER
    assert worst([READY, DEGRADED, PENDING]) == PENDING
    assert worst([STALE, UNRESOLVED, SHADOWED]) == UNRESOLVED


@pytest.mark.parametrize("state", LADDER)
def test_shadowing_turns_only_a_healthy_state_into_shadowed(state: str) -> None:
    assert shadowed_state(state) == (SHADOWED if state == READY else state)


SHADOWING = Finding(
    WARNING, "", "HTTPRoute llm/new would be shadowed", "add a --hostname", check=SHADOWED_CHECK
)
READY_VERDICT = Verdict(READY, True, "Accepted and all references resolved", "")


def test_a_shadowing_finding_makes_a_ready_verdict_shadowed_with_its_fix() -> None:
    other = Finding(ERROR, "", "something else", "fix it", check="listener")
    verdict = apply_shadowing(READY_VERDICT, [other, SHADOWING])
    assert verdict == Verdict(
        "Shadowed", False, "HTTPRoute llm/new would be shadowed", "add a --hostname"
    )


def test_without_a_shadowing_finding_or_when_already_unhealthy_the_verdict_stands() -> None:
    assert apply_shadowing(READY_VERDICT, []) is READY_VERDICT
    shadow_words = Finding(WARNING, "", "would shadow llm/old", "make sure", check="shadowing")
    assert apply_shadowing(READY_VERDICT, [shadow_words]) is READY_VERDICT
    failing = Verdict(UNRESOLVED, False, "ResolvedRefs=False", "create the pool")
    assert apply_shadowing(failing, [SHADOWING]) is failing


def _entry(section: str, accepted: str, resolved: str | None = None) -> dict[str, Any]:
    conditions = [{"type": "Accepted", "status": accepted, "reason": "R", "observedGeneration": 1}]
    if resolved is not None:
        conditions.append(
            {"type": "ResolvedRefs", "status": resolved, "reason": "R", "observedGeneration": 1}
        )
    return {
        "parentRef": {"name": GATEWAY.name, "sectionName": section},
        "controllerName": "example.com/gateway-controller",
        "conditions": conditions,
    }


def _route(*entries: dict[str, Any]) -> dict[str, Any]:
    return {
        "metadata": {"name": "r", "namespace": GATEWAY.namespace, "generation": 1},
        "spec": {"rules": []},
        "status": {"parents": list(entries)},
    }


@pytest.mark.parametrize(
    ("entries", "state"),
    [
        ((("a", "True", "True"), ("b", "True", "False")), UNRESOLVED),
        ((("a", "True", "False"), ("b", "False", None)), NOT_ACCEPTED),
        ((("a", "True", "True"), ("b", "Unknown", None)), PENDING),
        ((("a", "True", "True"), ("b", "True", "True")), READY),
    ],
)
def test_a_route_on_several_listeners_gets_the_worst_of_their_verdicts(
    entries: tuple[tuple[str, str, str | None], ...], state: str
) -> None:
    assert (
        route_verdict(route_facts(_route(*(_entry(*e) for e in entries))), GATEWAY).state == state
    )
