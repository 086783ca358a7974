"""`rollback`: which revision to restore, the manifest that restores it, and its checks. Pure.

"Previous" means the state before the latest change. When the latest change was made by
kubectl-inferroute, that is the revision before the newest. When someone else changed the
rules since the newest revision (`kubectl edit`, another tool), the latest change is theirs,
and the state before it is the newest revision: rolling back undoes the outside change.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, NamedTuple

from ..errors import InvalidInput
from .findings import ERROR, WARNING, Finding
from .model import (
    DEFAULT_POOL_PORT,
    FIELD_MANAGER,
    GATEWAY_GROUP,
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    POOL_GROUPS,
    ObjectRef,
    PoolBackend,
)
from .preflight import AccessCheck
from .revisions import OutsideChange, Revision, traffic_split
from .verify import parent_ref_of

POOL_KIND = "InferencePool"


class RollbackChoice(NamedTuple):
    """The revision to restore, and why that one."""

    revision: Revision
    newest: Revision
    outside: OutsideChange | None  # the live rules differ from the newest revision
    reason: str


def history_hint(route: ObjectRef) -> str:
    return f"see them with `kubectl inferroute history {route.name} -n {route.namespace}`"


def choose_revision(
    route: ObjectRef,
    revisions: Sequence[Revision],
    outside: OutsideChange | None,
    to_revision: int | None,
) -> RollbackChoice:
    """The revision asked for, else the state before the latest change (see the module)."""
    if not revisions:
        raise InvalidInput(
            f"HTTPRoute {route} has no revisions to roll back to",
            "only changes made by kubectl-inferroute (expose, shift, rollback) are recorded; "
            + history_hint(route),
        )
    newest = revisions[-1]
    if to_revision is not None:
        for revision in revisions:
            if revision.number == to_revision:
                return RollbackChoice(revision, newest, outside, "asked for with --to-revision")
        numbers = ", ".join(str(r.number) for r in revisions)
        raise InvalidInput(
            f"HTTPRoute {route} has no revision {to_revision}",
            f"its revisions are {numbers}; " + history_hint(route),
        )
    if outside is not None:
        who = outside.manager or "an unknown field manager"
        when = f" at {outside.time}" if outside.time else ""
        return RollbackChoice(
            newest,
            newest,
            outside,
            f"the newest revision: the rules were changed outside kubectl-inferroute since "
            f"(by {who}{when}), and rolling back undoes that change",
        )
    if len(revisions) < 2:
        raise InvalidInput(
            f"HTTPRoute {route} has no revision before revision {newest.number}, which is live",
            history_hint(route),
        )
    return RollbackChoice(
        revisions[-2], newest, None, f"the revision before the newest ({newest.number})"
    )


def build_rollback_manifest(live: dict[str, Any], rules: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole route the plugin applies: the live one's identity, labels, parents and
    hostnames, with the revision's rules. Server-owned metadata is left to the server."""
    meta = live.get("metadata") or {}
    labels = dict(meta.get("labels") or {})
    labels[MANAGED_BY_LABEL] = MANAGED_BY_VALUE
    spec = {k: copy.deepcopy(v) for k, v in (live.get("spec") or {}).items() if k != "rules"}
    spec["rules"] = copy.deepcopy(rules)
    return {
        "apiVersion": live.get("apiVersion") or f"{GATEWAY_GROUP}/v1",
        "kind": "HTTPRoute",
        "metadata": {
            "name": meta.get("name"),
            "namespace": meta.get("namespace"),
            "labels": labels,
        },
        "spec": spec,
    }


def route_gateway(route: dict[str, Any]) -> ObjectRef | None:
    """The first Gateway the route attaches to: the one whose verdict verify waits for."""
    namespace = str((route.get("metadata") or {}).get("namespace", ""))
    for entry in (route.get("spec") or {}).get("parentRefs") or []:
        if not isinstance(entry, dict):
            continue
        parent = parent_ref_of(entry, namespace)
        if parent.group == GATEWAY_GROUP and parent.kind == "Gateway":
            return ObjectRef(parent.namespace, parent.name)
    return None


def rule_pools(rules: Sequence[Any], namespace: str) -> list[tuple[ObjectRef, str]]:
    """Every InferencePool the rules name (backendRefs and mirrors), once, with its group."""
    found: list[tuple[ObjectRef, str]] = []
    for ref in _pool_refs(rules):
        key = (
            ObjectRef(str(ref.get("namespace") or namespace), str(ref.get("name", ""))),
            str(ref.get("group", "")),
        )
        if key not in found:
            found.append(key)
    return found


def rule_backends(rules: Sequence[Any], namespace: str) -> tuple[PoolBackend, ...]:
    """The pools that get traffic, with their weights: the record's pool table."""
    backends = []
    for rule in rules:
        if not isinstance(rule, dict):
            continue
        for ref in rule.get("backendRefs") or []:
            if isinstance(ref, dict) and ref.get("kind") == POOL_KIND:
                backends.append(
                    PoolBackend(
                        name=str(ref.get("name", "")),
                        namespace=str(ref.get("namespace") or namespace),
                        group=str(ref.get("group", "")),
                        port=int(ref.get("port") or DEFAULT_POOL_PORT),
                        weight=int(ref.get("weight", 1)),
                    )
                )
    return tuple(backends)


def _pool_refs(rules: Sequence[Any]) -> list[dict[str, Any]]:
    refs: list[dict[str, Any]] = []
    for rule in rules:
        if not isinstance(rule, dict):
            continue
        refs += [r for r in rule.get("backendRefs") or [] if isinstance(r, dict)]
        for item in rule.get("filters") or []:
            mirror = item.get("requestMirror") if isinstance(item, dict) else None
            if isinstance(mirror, dict) and isinstance(mirror.get("backendRef"), dict):
                refs.append(mirror["backendRef"])
    return [r for r in refs if r.get("kind") == POOL_KIND]


def rollback_access(
    route: ObjectRef, gateway: ObjectRef, pools: Sequence[tuple[ObjectRef, str]]
) -> tuple[AccessCheck, ...]:
    """What a rollback needs: patch the route (it exists), read its Gateway and the pools."""
    checks = [
        AccessCheck("patch", GATEWAY_GROUP, "httproutes", route.namespace),
        AccessCheck("get", GATEWAY_GROUP, "gateways", gateway.namespace),
    ]
    for ref, group in pools:
        check = AccessCheck("get", group, "inferencepools", ref.namespace)
        if group in POOL_GROUPS and check not in checks:
            checks.append(check)
    return tuple(checks)


def check_restored_pools(
    route: ObjectRef,
    revision: int,
    missing: Sequence[tuple[ObjectRef, str]],
    *,
    force: bool,
) -> list[Finding]:
    """A pool the revision names that is gone would take its share of traffic into errors."""
    findings = []
    for ref, group in missing:
        message = f"InferencePool {ref} ({group}), named by revision {revision}, does not exist"
        if force:
            findings.append(
                Finding(
                    WARNING,
                    "",
                    message + ": --force restores the revision anyway",
                    check="restored-pools",
                )
            )
            continue
        findings.append(
            Finding(
                ERROR,
                "",
                message,
                f"create it first, or roll back to another revision ({history_hint(route)}); "
                "--force restores it anyway",
                check="restored-pools",
                blocking=True,
            )
        )
    return findings


def explain_rollback(
    choice: RollbackChoice, live_rules: list[dict[str, Any]], *, force_conflicts: bool = False
) -> list[str]:
    """Plain sentences: which revision, why, who made it, and the traffic split it restores."""
    revision = choice.revision
    lines = [
        f"restores the rules of revision {revision.number}, {choice.reason}",
        f"revision {revision.number} was made at {revision.time} by {revision.user or 'unknown'}: "
        f"{revision.command}",
        f"traffic split: {traffic_split(live_rules) or 'none'} → "
        f"{traffic_split(revision.rules) or 'none'}",
    ]
    outside = choice.outside
    if outside is not None and revision.number != choice.newest.number:
        lines.append(
            "also undoes the change made outside kubectl-inferroute "
            f"by {outside.manager or 'an unknown field manager'}"
        )
    if outside is not None and outside.manager and outside.manager != FIELD_MANAGER:
        # Server-side apply refuses to take fields another manager wrote without being told.
        lines.append(
            f"{outside.manager} now manages the rules: "
            + (
                "--force-conflicts takes them back"
                if force_conflicts
                else "taking them back needs --force-conflicts"
            )
        )
    return lines
