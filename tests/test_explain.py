"""Shares of traffic read the same in the explanation and in the record."""

from __future__ import annotations

import pytest

from kubectl_httproute.core.explain import share_percent


@pytest.mark.parametrize(
    ("weight", "total", "shown"),
    [
        (90, 100, "90%"),
        (1, 3, "33.3%"),
        (1, 8, "12.5%"),
        (1, 1, "100%"),
        (0, 5, "0%"),
        (1, 0, "0%"),
    ],
)
def test_shares_are_shown_to_a_tenth_of_a_percent(weight: int, total: int, shown: str) -> None:
    assert share_percent(weight, total) == shown
