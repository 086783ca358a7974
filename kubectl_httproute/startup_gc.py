"""The cyclic garbage collector, off while the program starts.

Start-up makes tens of thousands of objects that live as long as the process: modules, classes,
click's commands, the official client's configuration. Reference counting frees everything
else a short run makes, and the collector's passes over those objects, again and again while
they are being made, cost about 4% of a `status` run. `__main__` pauses it; once the cluster is
open it comes back on (a `--watch` or a long wait then still collects), with what exists by then
frozen, so it never scans those objects again.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Back on, if pause() turned it off; a no-op otherwise (tests, a second call)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
