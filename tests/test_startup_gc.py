"""The cyclic collector is off while the program starts and back on once the cluster is open."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from kubectl_httproute import startup_gc
from kubectl_httproute.cli.common import GlobalFlags, open_cluster


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    startup_gc._paused = False
    gc.unfreeze()
    if enabled:
        gc.enable()


def test_pausing_turns_the_collector_off_and_resuming_turns_it_back_on() -> None:
    startup_gc.pause()
    assert not gc.isenabled()

    startup_gc.resume()
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0  # what start-up made is never scanned again


def test_resuming_leaves_a_collector_someone_else_turned_off_alone() -> None:
    gc.disable()
    startup_gc.pause()  # already off: not ours to turn back on

    startup_gc.resume()
    assert not gc.isenabled()


def test_opening_the_cluster_ends_start_up(kubeconfig: Path) -> None:
    startup_gc.pause()

    open_cluster(GlobalFlags())

    assert gc.isenabled()
