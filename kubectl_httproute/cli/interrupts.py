"""Ctrl-C: the first one stops the run at the next safe point, a second one exits at once."""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

INTERRUPTED = 130
# Set in ctx.meta by a command that may write: its Ctrl-C line says nothing more was changed
# (after its apply, the command says what was). Read-only commands say only "interrupted".
WRITES = "inferroute.writes"


def interrupted_line(writes: bool) -> str:
    """The line Ctrl-C ends a run with, when the command itself did not say more."""
    return "interrupted: nothing more was changed" if writes else "interrupted"


class _State:
    pressed = 0
    deferring = 0
    pending = False


_state = _State()


def _handler(signum: int, frame: FrameType | None) -> None:
    _state.pressed += 1
    if _state.pressed > 1:
        # A second Ctrl-C: the user means it. Nothing half-done is possible here, because the
        # writes that belong together run inside deferred_interrupts and are each one request.
        sys.stderr.write("\ninterrupted again: exiting now\n")
        sys.stderr.flush()
        os._exit(INTERRUPTED)
    if _state.deferring:
        _state.pending = True
        sys.stderr.write("\ninterrupt: finishing the apply in progress, then stopping\n")
        sys.stderr.flush()
        return
    raise KeyboardInterrupt


@contextmanager
def handling_interrupts() -> Iterator[None]:
    """Install the handler for one command run (main thread only), and restore the old one."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    import click.termui

    previous: Any = signal.getsignal(signal.SIGINT)
    previous_prompt = click.termui.visible_prompt_func
    _state.pressed, _state.deferring, _state.pending = 0, 0, False
    signal.signal(signal.SIGINT, _handler)
    click.termui.visible_prompt_func = read_answer
    try:
        yield
    finally:
        click.termui.visible_prompt_func = previous_prompt
        signal.signal(signal.SIGINT, previous)


def read_answer(prompt: str) -> str:
    """What click's questions read the answer with, instead of input().

    input() clears any exception raised while it flushes the prompt (CPython's builtin_input),
    so a Ctrl-C pressed as the question appears was lost and the read waited on. Here the prompt
    is flushed in Python, where the KeyboardInterrupt goes on up; on a terminal the answer is
    awaited in short selects, so a Ctrl-C that lands just before the read still stops it."""
    out = sys.stdout  # click points it at stderr for questions asked there
    out.write(prompt)
    out.flush()
    try:
        fd = sys.stdin.fileno()
        terminal = os.isatty(fd)
    except (AttributeError, OSError, ValueError):  # not a real file (a test's input)
        terminal = False
    if not terminal:
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")
    data = b""
    while not data.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                if not data:
                    raise EOFError
                break
            data += chunk
    return data.decode(errors="replace").rstrip("\r\n")


@contextmanager
def deferred_interrupts() -> Iterator[None]:
    """A first Ctrl-C inside waits for the block to finish, then stops the run."""
    _state.deferring += 1
    try:
        yield
    finally:
        _state.deferring -= 1
    if not _state.deferring and _state.pending:
        _state.pending = False
        raise KeyboardInterrupt
