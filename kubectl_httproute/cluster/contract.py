"""What the commands need from a cluster: one typed contract, so orchestration is type-checked.

`KubeClient` is the one implementation; tests drive it against the test API server.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from ..core.model import ResourceApi, ServedApis
from .kubeconfig import KubeconfigSelection

ResourceRules = list[dict[str, Any]]


class Cluster(Protocol):
    """One API server, authenticated as the kubeconfig says; every verb a command sends."""

    selection: KubeconfigSelection
    request_timeout: float | None
    request_count: int
    warnings: list[str]

    def served_apis(self) -> ServedApis: ...

    def get(self, api: ResourceApi, namespace: str | None, name: str) -> dict[str, Any] | None: ...

    def list_pages(
        self,
        api: ResourceApi,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int = ...,
    ) -> Iterator[list[dict[str, Any]]]: ...

    def list(
        self, api: ResourceApi, namespace: str | None = None, **kw: Any
    ) -> list[dict[str, Any]]: ...

    def apply(
        self,
        api: ResourceApi,
        obj: dict[str, Any],
        *,
        field_manager: str,
        dry_run: bool,
        force: bool = False,
    ) -> dict[str, Any]: ...

    def delete(self, api: ResourceApi, namespace: str | None, name: str) -> None: ...

    def access_review(self, verb: str, group: str, resource: str, namespace: str) -> bool: ...

    def rules_review(self, namespace: str) -> tuple[ResourceRules, bool] | None: ...

    def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, str] | None = None,
        body: Any = None,
        content_type: str = ...,
        accept: str = ...,
        what: str = ...,
        ok_statuses: tuple[int, ...] = (),
        idempotent: bool | None = None,
    ) -> Any: ...

    def close(self) -> None: ...
