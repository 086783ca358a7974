"""What an apply changes in a live object, field by field, whatever order the keys come in. Pure.

A real API server returns custom resources with their keys sorted and with the defaults of the
schema filled in; the manifest we build has neither. Comparing YAML text would show keys that
merely moved. These functions compare values, path by path, and leave out what the server owns
(status, uid, resourceVersion, generation, creationTimestamp, managedFields).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

# Metadata the server owns: never part of what an apply changes.
VOLATILE_METADATA = (
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "selfLink",
)
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
# The plugin's revision history (core/revisions.py): every change adds to it, so it is no
# change of its own (a re-run that changes nothing else applies nothing).
REVISIONS = "inferroute.llm-d.ai/revisions"


class Absent:
    """The value of a field that is not there (before it is added, or after it is removed)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = Absent()

# A path into an object: keys of mappings and indexes of lists, from the top.
FieldPath = tuple[str | int, ...]


class FieldChange(NamedTuple):
    """One field whose value an apply changes: where, the value now, the value after."""

    path: FieldPath
    before: Any  # ABSENT when the field is added
    after: Any  # ABSENT when the field is removed


def comparable(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The object as a user would write it: no status, no server-owned metadata."""
    shown = copy.deepcopy(dict(obj))
    shown.pop("status", None)
    meta = shown.get("metadata")
    if isinstance(meta, dict):
        for key in VOLATILE_METADATA:
            meta.pop(key, None)
        annotations = meta.get("annotations") or {}
        annotations.pop(LAST_APPLIED, None)
        annotations.pop(REVISIONS, None)
        if not annotations:
            meta.pop("annotations", None)
    return shown


def object_changes(live: Mapping[str, Any], stored: Mapping[str, Any]) -> list[FieldChange]:
    """Every field that differs between the live object and what the server would store.

    `stored` is the server's answer to a dry-run apply: it carries the same defaults and the
    same server-owned fields as `live`, so only real changes remain."""
    return _diff((), comparable(live), comparable(stored), only_after=False)


def fields_we_set_changes(live: Mapping[str, Any], desired: Mapping[str, Any]) -> list[FieldChange]:
    """The fields of `desired` whose live value differs (before any server dry-run).

    Fields the live object has and `desired` does not set are left out: the server would
    default them again or keep them for their owner, so they are no change of ours."""
    return _diff((), comparable(live), comparable(desired), only_after=True)


def ownership_changes(live: Mapping[str, Any], stored: Mapping[str, Any]) -> bool:
    """Whether the apply would change who manages which fields (managedFields, times aside)."""
    return _managers(live) != _managers(stored)


def _managers(obj: Mapping[str, Any]) -> list[Any]:
    entries = (obj.get("metadata") or {}).get("managedFields") or []
    out = []
    for entry in entries:
        if isinstance(entry, Mapping):
            out.append({k: v for k, v in entry.items() if k != "time"})
    return sorted(out, key=repr)


def is_unchanged(live: Mapping[str, Any], stored: Mapping[str, Any]) -> bool:
    """An apply that would store exactly what is there: same fields, same field managers."""
    return not object_changes(live, stored) and not ownership_changes(live, stored)


def _diff(path: FieldPath, before: Any, after: Any, *, only_after: bool) -> list[FieldChange]:
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        # Sorted, as a real API server returns custom resources: the same order whatever
        # order either side came in.
        keys = sorted(after) if only_after else sorted({*before, *after})
        out: list[FieldChange] = []
        for key in keys:
            out += _diff(
                (*path, key),
                before.get(key, ABSENT),
                after.get(key, ABSENT),
                only_after=only_after,
            )
        return out
    if isinstance(before, list) and isinstance(after, list):
        return _diff_lists(path, before, after, only_after=only_after)
    if before is ABSENT and after is ABSENT:
        return []
    if _same(before, after):
        return []
    return [FieldChange(path, before, after)]


def _diff_lists(
    path: FieldPath, before: Sequence[Any], after: Sequence[Any], *, only_after: bool
) -> list[FieldChange]:
    # Lists in Gateway API are atomic: an apply replaces them whole. Item by item shows the
    # smallest change; items beyond the shorter list are added or removed whole.
    out: list[FieldChange] = []
    for index in range(max(len(before), len(after))):
        old = before[index] if index < len(before) else ABSENT
        new = after[index] if index < len(after) else ABSENT
        if old is ABSENT or new is ABSENT:
            out.append(FieldChange((*path, index), old, new))
        else:
            out += _diff((*path, index), old, new, only_after=only_after)
    return out


def _same(before: Any, after: Any) -> bool:
    # 1 and True are equal in Python, not in the API.
    return type(before) is type(after) and bool(before == after)
