"""Names offered on TAB: InferencePools, Gateways and HTTPRoutes, read from the cluster.

No click here: click's completion callbacks (`cli/completion.py`) and the fast completer in
`__main__` (which answers a TAB without importing click) offer the same names from the same code.
A TAB must answer at once and never print an error: any failure (no kubeconfig, unreachable,
forbidden, slow) gives no names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..core.model import GATEWAYS, HTTPROUTES, POOLS_V1, POOLS_V1ALPHA2, ResourceApi
from .kubeconfig import GlobalFlags, KubeconfigSelection, load_selection

# One short try per request, no retry pauses.
COMPLETION_TIMEOUT = 1.0
# What each completer lists: the first of the APIs the cluster serves.
KINDS: dict[str, tuple[ResourceApi, ...]] = {
    "pools": (POOLS_V1, POOLS_V1ALPHA2),
    "gateways": (GATEWAYS,),
    "routes": (HTTPROUTES,),
}


def candidates(
    kind: str, flags: GlobalFlags, incomplete: str, chosen: Iterable[str] = ()
) -> list[str]:
    """The names of `kind` ("pools", "gateways" or "routes") that complete `incomplete`.

    Pools and Gateways are `[NAMESPACE/]NAME` (names in NAMESPACE once it is typed); a pool's
    `=WEIGHT` is the user's to type, and pools already on the line are not offered again.
    """
    if kind == "routes":
        return [
            name for name in list_names(flags, KINDS[kind], None) if name.startswith(incomplete)
        ]
    if kind == "pools" and "=" in incomplete:
        return []
    namespace, slash, prefix = incomplete.rpartition("/")
    if slash and not namespace:
        return []
    lead = f"{namespace}/" if slash else ""
    names = list_names(flags, KINDS[kind], namespace or None)
    offered = [lead + name for name in names if name.startswith(prefix)]
    taken = {value.partition("=")[0] for value in chosen}  # a pool given with its weight too
    return [value for value in offered if value not in taken]


def list_names(flags: GlobalFlags, apis: Sequence[ResourceApi], namespace: str | None) -> list[str]:
    """Names of the first of `apis` the cluster serves, in `namespace` (default: the context's)."""
    from ..errors import NotFound

    try:
        selection = load_selection(flags)
        if not may_answer(selection):
            return []
        from .client import KubeClient

        client = KubeClient(
            selection, request_timeout=COMPLETION_TIMEOUT, sleep=lambda _seconds: None
        )
        try:
            for api in apis:
                try:
                    items = client.list(api, namespace or selection.namespace)
                except NotFound:  # this API is not served: try the next version
                    continue
                return sorted(
                    {(item.get("metadata") or {}).get("name", "") for item in items} - {""}
                )
        finally:
            client.close()
    except Exception:
        return []
    return []


def may_answer(selection: KubeconfigSelection) -> bool:
    """False when the API server's port refuses or does not answer a TCP connect: then there
    are no names, without loading the client (0.1 s) for nothing. Behind a proxy, assume yes."""
    import os
    import socket
    from urllib.parse import urlsplit

    proxies = ("https_proxy", "http_proxy", "all_proxy")
    if any(os.environ.get(name) or os.environ.get(name.upper()) for name in proxies):
        return True
    for entry in selection.config.get("clusters") or []:
        if entry.get("name") == selection.cluster_name and (entry.get("cluster") or {}).get(
            "proxy-url"
        ):
            return True
    url = urlsplit(selection.server)
    try:
        port = url.port or (443 if url.scheme == "https" else 80)
        with socket.create_connection((url.hostname or "", port), timeout=COMPLETION_TIMEOUT):
            return True
    except (OSError, ValueError):
        return False
