"""Several models behind one Gateway (llm-d): the base-model header, the payload processor's
ConfigMaps that map model names to base models, and who sets the header. Pure.

The payload processor (IPP, formerly the body-based router) reads `model` from the request
body, looks its base model up in ConfigMaps labelled `inference.llm-d.ai/ipp-managed: "true"`
(older: `inference.networking.k8s.io/bbr-managed`) and sets `X-Gateway-Base-Model-Name`; each
model's HTTPRoute matches that header exactly (DOMAIN.md "Several models on one Gateway").
agentgateway sets the header itself, with a policy, and needs no IPP.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from .fields import as_map as _map
from .fields import as_str as _str
from .model import MODEL_HEADER, ObjectRef
from .precedence import RouteSummary

__all__ = ["MODEL_HEADER"]  # its home is core/model.py; importable from here too

IPP_LABEL = "inference.llm-d.ai/ipp-managed"
BBR_LABEL = "inference.networking.k8s.io/bbr-managed"  # the body-based router's, before IPP
MAPPING_LABELS = (IPP_LABEL, BBR_LABEL)
# The label selector of each list that finds the mapping ConfigMaps: one per label, since a
# label selector cannot say "this label or that one".
MAPPING_SELECTORS = tuple(f"{label}=true" for label in MAPPING_LABELS)


def route_model(summary: RouteSummary) -> str:
    """The model a route serves: the value of its exact X-Gateway-Base-Model-Name match."""
    wanted = MODEL_HEADER.lower()
    for match in summary.matches:
        for kind, name, value in match.header_values:
            if kind == "Exact" and name == wanted and value:
                return value
    return ""


def sets_header_itself(controller: str) -> bool:
    """Whether the Gateway's implementation sets the header without a payload processor.

    agentgateway does, with an AgentgatewayPolicy (PreRouting request transformation); its
    controllerName is `agentgateway.dev/agentgateway` (and `kgateway.dev/agentgateway` when
    kgateway runs it)."""
    return controller.endswith("/agentgateway") or controller.startswith("agentgateway.dev/")


class ModelMapping(NamedTuple):
    """One payload-processor ConfigMap: the base model it declares and its adapters."""

    ref: ObjectRef
    base_model: str
    adapters: tuple[str, ...]
    problem: str = ""  # why (part of) its data could not be read, "" when it could


def reduce_mapping(obj: Mapping[str, Any]) -> ModelMapping:
    """A ConfigMap → its mapping, tolerating any data: what cannot be read becomes `problem`."""
    meta = _map(obj.get("metadata"))
    ref = ObjectRef(_str(meta.get("namespace")), _str(meta.get("name")))
    data = _map(obj.get("data"))
    base = _str(data.get("baseModel")).strip()
    problems = []
    if not base:
        problems.append("data.baseModel is missing or empty")
    adapters: list[str] = []
    text = data.get("adapters")
    import yaml  # lazily: `--help` loads no YAML reader

    if text is not None:
        try:
            parsed = yaml.safe_load(_str(text)) if _str(text).strip() else []
        except yaml.YAMLError:
            parsed = None
            problems.append("data.adapters is not YAML")
        else:
            if parsed is None:
                parsed = []
            if not isinstance(parsed, list):
                problems.append("data.adapters is not a YAML list")
            else:
                for item in parsed:
                    if isinstance(item, str | int | float) and not isinstance(item, bool):
                        adapters.append(str(item).strip())
                    else:
                        problems.append("data.adapters holds an entry that is not a name")
                        break
    return ModelMapping(ref, base, tuple(a for a in adapters if a), "; ".join(problems))


def mapping_example(model: str, namespace: str) -> dict[str, Any]:
    """The ConfigMap that tells the payload processor that model is a base model."""
    name = "".join(c if c.isalnum() else "-" for c in model.lower()).strip("-")[:200] or "model"
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": f"{name}-model",
            "namespace": namespace,
            "labels": {IPP_LABEL: "true"},
        },
        "data": {"baseModel": model, "adapters": ""},
    }


class ModelIndex(NamedTuple):
    """Every name the mappings declare, and who declares it."""

    bases: dict[str, tuple[ObjectRef, ...]]  # base model → the ConfigMaps declaring it
    adapters: dict[str, tuple[tuple[ObjectRef, str], ...]]  # adapter → (ConfigMap, its base)

    def declares_base(self, model: str) -> bool:
        return model in self.bases


def index_mappings(mappings: Iterable[ModelMapping]) -> ModelIndex:
    """Index the mappings by name; a ConfigMap found under both labels counts once."""
    bases: dict[str, list[ObjectRef]] = {}
    adapters: dict[str, list[tuple[ObjectRef, str]]] = {}
    seen: set[ObjectRef] = set()
    for mapping in mappings:
        if mapping.ref in seen:
            continue
        seen.add(mapping.ref)
        if mapping.base_model:
            bases.setdefault(mapping.base_model, []).append(mapping.ref)
        for adapter in dict.fromkeys(mapping.adapters):
            adapters.setdefault(adapter, []).append((mapping.ref, mapping.base_model))
    return ModelIndex(
        {k: tuple(v) for k, v in bases.items()}, {k: tuple(v) for k, v in adapters.items()}
    )


def duplicate_names(index: ModelIndex) -> list[tuple[str, tuple[ObjectRef, ...]]]:
    """Names declared by more than one ConfigMap (as base or adapter), with the declarers."""
    names = sorted(set(index.bases) | set(index.adapters))
    found = []
    for name in names:
        declarers = list(index.bases.get(name, ())) + [r for r, _ in index.adapters.get(name, ())]
        unique = tuple(dict.fromkeys(declarers))
        if len(unique) > 1:
            found.append((name, tuple(sorted(unique, key=str))))
    return found


def refs_text(refs: Sequence[ObjectRef]) -> str:
    return " and ".join(f"ConfigMap {r}" for r in refs)


def in_namespaces(mappings: Iterable[ModelMapping], namespaces: Iterable[str]) -> ModelIndex:
    """The index of the mappings a payload processor in those namespaces may read."""
    wanted = set(namespaces)
    return index_mappings(m for m in mappings if m.ref.namespace in wanted)


def routes_by_model(
    summaries: Iterable[RouteSummary],
) -> dict[tuple[ObjectRef, str], tuple[ObjectRef, ...]]:
    """(Gateway, model) → the routes on that Gateway that take that model's requests."""
    found: dict[tuple[ObjectRef, str], list[ObjectRef]] = {}
    seen: set[ObjectRef] = set()
    for summary in summaries:
        if summary.ref in seen:
            continue
        seen.add(summary.ref)
        model = route_model(summary)
        if not model:
            continue
        for gateway in dict.fromkeys(ObjectRef(ns, name) for ns, name, _ in summary.parents):
            found.setdefault((gateway, model), []).append(summary.ref)
    return {key: tuple(sorted(refs, key=str)) for key, refs in found.items()}
