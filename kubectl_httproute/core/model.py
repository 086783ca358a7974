"""Plain data the steps pass along: API kinds, references, the route spec, conditions."""

from __future__ import annotations

from typing import NamedTuple

GATEWAY_GROUP = "gateway.networking.k8s.io"
POOL_GROUP_V1 = "inference.networking.k8s.io"
POOL_GROUP_V1ALPHA2 = "inference.networking.x-k8s.io"
POOL_GROUPS = (POOL_GROUP_V1, POOL_GROUP_V1ALPHA2)
FIELD_MANAGER = "kubectl-inferroute"
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "kubectl-inferroute"
DEFAULT_POOL_PORT = 8000
# The header llm-d's payload processor sets to the request's base model (core/basemodels.py).
MODEL_HEADER = "X-Gateway-Base-Model-Name"
# How to install each API group's CRDs, for the errors that find them missing.
CRD_HINTS = {
    GATEWAY_GROUP: "install the Gateway API CRDs: "
    "kubectl apply -f https://github.com/kubernetes-sigs/gateway-api/releases/latest/download/"
    "standard-install.yaml",
    POOL_GROUP_V1: "install the Gateway API Inference Extension CRDs: kubectl apply -f "
    "https://github.com/kubernetes-sigs/gateway-api-inference-extension/releases/latest/"
    "download/manifests.yaml",
    POOL_GROUP_V1ALPHA2: "this cluster has no v1alpha2 InferencePool CRD: install the Gateway API "
    "Inference Extension CRDs (kubectl apply -f https://github.com/kubernetes-sigs/"
    "gateway-api-inference-extension/releases/latest/download/manifests.yaml)",
}


class ResourceApi(NamedTuple):
    """Where a kind is served: enough to build its URL."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool = True

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, namespace: str | None = None, name: str | None = None) -> str:
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{namespace}"
        base += f"/{self.plural}"
        return f"{base}/{name}" if name else base


# The kinds the plugin reads or writes, at the versions it understands.
NAMESPACES = ResourceApi("", "v1", "namespaces", "Namespace", namespaced=False)
SERVICES = ResourceApi("", "v1", "services", "Service")
PODS = ResourceApi("", "v1", "pods", "Pod")
EVENTS = ResourceApi("", "v1", "events", "Event")  # core/v1, as kubectl describe reads them
CONFIG_MAPS = ResourceApi("", "v1", "configmaps", "ConfigMap")
GATEWAY_CLASSES = ResourceApi(GATEWAY_GROUP, "v1", "gatewayclasses", "GatewayClass", False)
GATEWAYS = ResourceApi(GATEWAY_GROUP, "v1", "gateways", "Gateway")
HTTPROUTES = ResourceApi(GATEWAY_GROUP, "v1", "httproutes", "HTTPRoute")
REFERENCE_GRANTS_V1BETA1 = ResourceApi(
    GATEWAY_GROUP, "v1beta1", "referencegrants", "ReferenceGrant"
)
POOLS_V1 = ResourceApi(POOL_GROUP_V1, "v1", "inferencepools", "InferencePool")
POOLS_V1ALPHA2 = ResourceApi(POOL_GROUP_V1ALPHA2, "v1alpha2", "inferencepools", "InferencePool")
SELF_SUBJECT_ACCESS_REVIEWS = ResourceApi(
    "authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", False
)


class ServedApis(NamedTuple):
    """Which of the kinds above the cluster serves, from discovery."""

    gateways: ResourceApi | None = None
    httproutes: ResourceApi | None = None
    reference_grants: ResourceApi | None = None
    gateway_classes: ResourceApi | None = None
    pools: tuple[ResourceApi, ...] = ()  # v1 first when both are served


class ObjectRef(NamedTuple):
    """A namespaced object's identity."""

    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


class PoolBackend(NamedTuple):
    """One InferencePool the route sends traffic to."""

    name: str
    namespace: str
    group: str = POOL_GROUP_V1
    port: int = DEFAULT_POOL_PORT
    weight: int = 1


class HeaderMatch(NamedTuple):
    name: str
    value: str


class RouteSpec(NamedTuple):
    """Everything that decides the HTTPRoute the plugin writes; built from flags and the cluster."""

    name: str
    namespace: str
    gateway: ObjectRef
    backends: tuple[PoolBackend, ...]
    section_name: str | None = None
    hostnames: tuple[str, ...] = ()
    path: str = "/"
    path_type: str = "PathPrefix"
    headers: tuple[HeaderMatch, ...] = ()
    # None leaves `timeouts` out of the rule (GKE classes reject it); "0s" means no timeout.
    request_timeout: str | None = "0s"
    backend_timeout: str | None = "0s"
    labels: tuple[tuple[str, str], ...] = ((MANAGED_BY_LABEL, MANAGED_BY_VALUE),)
    # The base model whose requests the route takes (--model): an exact match on the header
    # the payload processor sets, added to every match. None: any model.
    model: str | None = None

    @property
    def all_headers(self) -> tuple[HeaderMatch, ...]:
        """The header matches every match of the rule carries: --header ones, then the model's."""
        if self.model is None:
            return self.headers
        return (*self.headers, HeaderMatch(MODEL_HEADER, self.model))


class Condition(NamedTuple):
    """One status condition, as the controller wrote it."""

    type: str
    status: str
    reason: str = ""
    message: str = ""
    observed_generation: int | None = None
    last_transition_time: str = ""
