"""Tolerant accessors for API objects: untyped JSON where any field may be missing or null."""

from __future__ import annotations

from collections.abc import Mapping
from sys import intern
from typing import Any


def as_map(value: Any) -> Mapping[str, Any]:
    """The value if it is a mapping, else an empty one."""
    # dicts first: the ABC check costs a microsecond, many times over per route.
    return value if type(value) is dict or isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    """The value if it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str:
    """The value if it is a string, else "".

    Interned: the summaries of ten thousand routes keep the same few words (condition types,
    reasons, groups, namespaces, timestamps) tens of thousands of times, each its own copy from
    the JSON decoder; one copy each is a third less memory kept per route."""
    if type(value) is str:
        return intern(value)
    return value if isinstance(value, str) else ""


def as_int(value: Any) -> int | None:
    """The value if it is an integer, else None."""
    # bool is an int subclass; a true/false where a number belongs is not a number.
    if type(value) is int:  # what the JSON decoder gives: no subclass checks needed
        return value
    return value if isinstance(value, int) and not isinstance(value, bool) else None
