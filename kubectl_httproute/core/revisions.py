"""Revision history kept on the HTTPRoute itself. Pure: no I/O, no cluster.

The history is an annotation on the route, so reading it needs exactly the route's read
permission, and it is written in the same server-side apply as the change it records (no
extra request, no race between the change and its revision).
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import datetime
from typing import Any, NamedTuple

from .findings import WARNING, Finding

REVISIONS_ANNOTATION = "inferroute.llm-d.ai/revisions"
MAX_REVISIONS = 10
REVISIONS_CHECK = "revisions"


class Revision(NamedTuple):
    """One change made by this plugin: who, when, which command, and the rules as applied."""

    number: int
    time: str  # RFC 3339
    user: str
    command: str
    digest: str  # of spec.rules as applied
    rules: list[dict[str, Any]]


class OutsideChange(NamedTuple):
    """The route's rules differ from the last revision: someone else changed them."""

    manager: str  # the field manager that last wrote spec, "" when unknown
    time: str  # when it wrote, "" when unknown
    rules: list[dict[str, Any]]


def digest_rules(rules: Any) -> str:
    """Return a short, stable digest of spec.rules (key order does not matter)."""
    text = json.dumps(rules, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]


def list_revisions(route: dict[str, Any] | None) -> tuple[list[Revision], list[Finding]]:
    """Return the route's revisions, oldest first; a corrupt annotation is a finding."""
    if not route:
        return [], []
    annotations = (route.get("metadata") or {}).get("annotations") or {}
    text = annotations.get(REVISIONS_ANNOTATION)
    if text is None:
        return [], []
    subject = _subject(route)
    try:
        items = json.loads(text)
        if not isinstance(items, list):
            raise ValueError("not a list")
        revisions = [_revision(item) for item in items]
    except (ValueError, TypeError, KeyError) as error:
        return [], [
            Finding(
                WARNING,
                subject,
                f"annotation {REVISIONS_ANNOTATION} is unreadable ({error}); history starts anew",
                fix=f"kubectl annotate httproute {subject.split('/')[-1]} {REVISIONS_ANNOTATION}-",
                check=REVISIONS_CHECK,
            )
        ]
    return sorted(revisions, key=lambda revision: revision.number), []


def _revision(item: Any) -> Revision:
    if not isinstance(item, dict):
        raise ValueError("an entry is not an object")
    rules = item.get("rules", [])
    if not isinstance(rules, list):
        raise ValueError("rules is not a list")
    return Revision(
        number=int(item["number"]),
        time=str(item["time"]),
        user=str(item.get("user", "")),
        command=str(item.get("command", "")),
        digest=str(item.get("digest") or digest_rules(rules)),
        rules=rules,
    )


def _subject(route: dict[str, Any]) -> str:
    metadata = route.get("metadata") or {}
    return f"httproute/{metadata.get('namespace', '')}/{metadata.get('name', '')}"


def append_revision(
    revisions: list[Revision], rules: list[dict[str, Any]], user: str, command: str, now: datetime
) -> list[Revision]:
    """Return revisions with one more for rules, keeping the last MAX_REVISIONS."""
    number = revisions[-1].number + 1 if revisions else 1
    added = Revision(
        number=number,
        time=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        user=user,
        command=command,
        digest=digest_rules(rules),
        rules=copy.deepcopy(rules),
    )
    return [*revisions, added][-MAX_REVISIONS:]


def build_annotation(revisions: list[Revision]) -> str:
    """Return the annotation's value: compact JSON, one object per revision."""
    return json.dumps([revision._asdict() for revision in revisions], separators=(",", ":"))


def with_revision(
    manifest: dict[str, Any],
    previous_route: dict[str, Any] | None,
    user: str,
    command: str,
    now: datetime,
    rules: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Return a copy of manifest carrying the previous route's history plus this change.

    `rules`: what the revision keeps, when not the manifest's own: the server's dry-run answer,
    defaults filled in, so the live route matches its last revision exactly after the apply."""
    revisions, _ = list_revisions(previous_route)
    if rules is None:
        rules = (manifest.get("spec") or {}).get("rules") or []
    result = copy.deepcopy(manifest)
    metadata = result.setdefault("metadata", {})
    annotations = metadata.setdefault("annotations", {})
    annotations[REVISIONS_ANNOTATION] = build_annotation(
        append_revision(revisions, rules, user, command, now)
    )
    return result


# Flags whose value is a secret: kept out of the command a revision records.
_SECRET_FLAGS = ("--token", "--password", "--username", "--client-key", "--client-certificate")


def redact_command(argv: list[str]) -> str:
    """Return the command line as the user typed it after `kubectl`, secrets replaced."""
    import shlex

    words: list[str] = []
    hide_next = False
    for word in argv:
        if hide_next:
            words.append("REDACTED")
            hide_next = False
            continue
        flag, sep, _ = word.partition("=")
        if flag in _SECRET_FLAGS:
            if sep:
                words.append(f"{flag}=REDACTED")
            else:
                words.append(word)
                hide_next = True
            continue
        words.append(word)
    return shlex.join(["inferroute", *words])


def revision_number(route: dict[str, Any] | None) -> int | None:
    """Return the number of the route's newest revision, None when it has none."""
    revisions, _ = list_revisions(route)
    return revisions[-1].number if revisions else None


def find_outside_change(route: dict[str, Any], revisions: list[Revision]) -> OutsideChange | None:
    """Return the change made by others since the last revision, or None when there is none."""
    rules = (route.get("spec") or {}).get("rules") or []
    if revisions and digest_rules(rules) == revisions[-1].digest:
        return None
    if not revisions and not rules:
        return None
    manager, time = _last_spec_writer(route)
    return OutsideChange(manager=manager, time=time, rules=rules)


def _last_spec_writer(route: dict[str, Any]) -> tuple[str, str]:
    # The newest managedFields entry that owns part of spec (status writers are not it).
    best = ("", "")
    for entry in (route.get("metadata") or {}).get("managedFields") or []:
        if not isinstance(entry, dict) or entry.get("subresource"):
            continue
        fields = entry.get("fieldsV1") or {}
        if "f:spec" not in fields:
            continue
        time = str(entry.get("time", ""))
        if time >= best[1]:
            best = (str(entry.get("manager", "")), time)
    return best


def traffic_split(rules: list[dict[str, Any]]) -> str:
    """Return the split as `pool=weight ...`, mirrors as `mirror:pool=percent%`."""
    parts: list[str] = []
    for rule in rules:
        if not isinstance(rule, dict):
            continue
        for ref in rule.get("backendRefs") or []:
            if isinstance(ref, dict):
                parts.append(f"{_ref_name(ref)}={ref.get('weight', 1)}")
        for item in rule.get("filters") or []:
            mirror = item.get("requestMirror") if isinstance(item, dict) else None
            if isinstance(mirror, dict) and isinstance(mirror.get("backendRef"), dict):
                percent = mirror.get("percent", 100)
                parts.append(f"mirror:{_ref_name(mirror['backendRef'])}={percent}%")
    return " ".join(parts)


def _ref_name(ref: dict[str, Any]) -> str:
    name = str(ref.get("name", ""))
    return f"{ref['namespace']}/{name}" if ref.get("namespace") else name
