"""Routes someone else owns: Helm releases, KServe and Envoy AI Gateway put their version back.

A route created by Helm, or owned through ownerReferences by KServe's LLMInferenceService or Envoy
AI Gateway's AIGatewayRoute, is reconciled by its owner: a hand edit is lost at the next sync, or
fought over. Pure: the route object in, the owner (and the knob to turn instead) out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from ..errors import RouteOwned
from .fields import as_list as _list
from .fields import as_map as _map
from .fields import as_str as _str
from .findings import WARNING, Finding
from .model import MANAGED_BY_LABEL

HELM_RELEASE_NAME = "meta.helm.sh/release-name"
HELM_RELEASE_NAMESPACE = "meta.helm.sh/release-namespace"
HELM_CHART_LABEL = "helm.sh/chart"
OWNERSHIP_CHECK = "owner"

# (apiVersion group, kind) of the owners known to reconcile the HTTPRoutes they own.
KSERVE = ("serving.kserve.io", "LLMInferenceService")
ENVOY_AI_GATEWAY = ("aigateway.envoyproxy.io", "AIGatewayRoute")


class Owner(NamedTuple):
    """What reconciles the route, and what to change instead of the route."""

    kind: str  # "Helm release", "LLMInferenceService", "AIGatewayRoute"
    namespace: str
    name: str
    knob: str  # the change to make at the owner, with the command

    def describe(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}"


def _route_words(meta: Mapping[str, Any]) -> str:
    return f"HTTPRoute {_str(meta.get('namespace'))}/{_str(meta.get('name'))}"


def _helm_owner(meta: Mapping[str, Any]) -> Owner | None:
    labels = _map(meta.get("labels"))
    annotations = _map(meta.get("annotations"))
    release = _str(annotations.get(HELM_RELEASE_NAME))
    if _str(labels.get(MANAGED_BY_LABEL)) != "Helm" or not release:
        return None
    namespace = _str(annotations.get(HELM_RELEASE_NAMESPACE)) or _str(meta.get("namespace"))
    # helm.sh/chart is NAME-VERSION; the upgrade needs the chart's reference, which only the
    # user knows (repo/NAME, oci://..., a path).
    chart = _str(labels.get(HELM_CHART_LABEL))
    name = re.sub(r"-v?\d[\w.+-]*$", "", chart)
    which = f" (CHART: where the release's {name} chart comes from)" if name else ""
    return Owner(
        "Helm release",
        namespace,
        release,
        "change the release's values instead (the llm-d charts set the route from their "
        f"httpRoute values, e.g. httpRoute.baseModel): `helm get values {release} -n "
        f"{namespace}`, then `helm upgrade {release} CHART -n {namespace} --reuse-values "
        f"--set httpRoute.KEY=VALUE`{which}",
    )


def _reference_owner(meta: Mapping[str, Any]) -> Owner | None:
    namespace = _str(meta.get("namespace"))
    refs = [_map(r) for r in _list(meta.get("ownerReferences"))]
    # The controlling reference first: it is the one that reconciles.
    refs.sort(key=lambda r: r.get("controller") is not True)
    for ref in refs:
        group = _str(ref.get("apiVersion")).rpartition("/")[0]
        kind, name = _str(ref.get("kind")), _str(ref.get("name"))
        if (group, kind) == KSERVE:
            return Owner(
                kind,
                namespace,
                name,
                f"change the LLMInferenceService's spec.router.route instead: `kubectl edit "
                f"llminferenceservice {name} -n {namespace}`",
            )
        if (group, kind) == ENVOY_AI_GATEWAY:
            return Owner(
                kind,
                namespace,
                name,
                f"change the AIGatewayRoute's spec.rules instead: `kubectl edit aigatewayroute "
                f"{name} -n {namespace}`",
            )
    return None


def find_owner(route_obj: Mapping[str, Any] | None) -> Owner | None:
    """Who reconciles this route: an owning LLMInferenceService or AIGatewayRoute, or the Helm
    release that created it; None when nobody is known to (or there is no route)."""
    if route_obj is None:
        return None
    meta = _map(route_obj.get("metadata"))
    return _reference_owner(meta) or _helm_owner(meta)


def owned_message(route_obj: Mapping[str, Any], owner: Owner) -> str:
    meta = _map(route_obj.get("metadata"))
    return (
        f"{_route_words(meta)} is owned by {owner.describe()}, which puts its own version "
        "back: a change made here is lost at its next sync, or fought over"
    )


def refuse_if_owned(
    route_obj: Mapping[str, Any] | None, force: bool, *, override: str = "--force"
) -> Finding | None:
    """The one refusal every changing command (expose, shift, rollback, delete) makes over a
    route someone else owns.

    Raises `RouteOwned` (exit 1, nothing changed) naming the owner and the knob to turn
    instead, unless `force`; forced, returns a warning finding to show with the others; None when
    nobody else owns the route. `override` names the flags that force it in the calling command
    (expose: "--force", with "--force-conflicts" when it would also take fields over). Call it
    after reading the live route and before any write.
    """
    owner = find_owner(route_obj)
    if owner is None or route_obj is None:
        return None
    message = owned_message(route_obj, owner)
    if not force:
        raise RouteOwned(
            f"{message}; nothing was changed",
            f"{owner.knob}; or pass {override} to change it here anyway",
        )
    return Finding(
        WARNING,
        "",
        message,
        owner.knob,
        check=OWNERSHIP_CHECK,
    )
