"""A gateway controller simulator: writes the statuses a real implementation would."""

from __future__ import annotations

import contextlib
import copy
import threading
import time
from typing import Any

from .objects import EXAMPLE_CONTROLLER, GKE_CONTROLLER
from .store import GATEWAY_GROUP, POOL_V1_GROUP, POOL_V1ALPHA2_GROUP, now

GW = f"{GATEWAY_GROUP}/v1"
POOL_KEYS = {POOL_V1_GROUP: ("v1", "parents"), POOL_V1ALPHA2_GROUP: ("v1alpha2", "parent")}


def _cond(
    ctype: str,
    ok: bool,
    reason: str,
    message: str,
    generation: int,
    old: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    status = "True" if ok else "False"
    previous = next((c for c in old or [] if c.get("type") == ctype), None)
    since = (
        previous["lastTransitionTime"]
        if previous and previous.get("status") == status and previous.get("lastTransitionTime")
        else now()
    )
    return {
        "type": ctype,
        "status": status,
        "reason": reason,
        "message": message,
        "observedGeneration": generation,
        "lastTransitionTime": since,
    }


def _conditions(status: Any) -> list[dict[str, Any]]:
    """Every condition of a status: its own, its parents' (routes, pools), its listeners'."""
    if not isinstance(status, dict):
        return []
    found = list(status.get("conditions") or [])
    for key in ("parents", "parent", "listeners"):
        for item in status.get(key) or []:
            found += item.get("conditions") or []
    return found


def _new_conditions(old: Any, new: Any) -> list[dict[str, Any]]:
    def key(c: dict[str, Any]) -> tuple[Any, ...]:
        return (c.get("type"), c.get("status"), c.get("reason"), c.get("message"))

    before = {key(c) for c in _conditions(old)}
    return [c for c in _conditions(new) if key(c) not in before]


def _strip_times(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_times(v) for k, v in value.items() if k != "lastTransitionTime"}
    if isinstance(value, list):
        return [_strip_times(v) for v in value]
    return value


class ControllerSim:
    """Reconciles Gateways of the classes whose ``spec.controllerName`` it owns."""

    def __init__(
        self,
        cluster: Any,
        delay: float = 0.05,
        controller_name: str = EXAMPLE_CONTROLLER,
        classes: tuple[str, ...] | None = None,
        supports_inference_pool: bool = True,
        programmed: bool = True,
        address: str = "127.0.0.1",
        stale: bool = False,
        rejects_timeouts: bool | None = None,
        poll: float = 0.02,
        record_events: bool = False,
        sticky_not_found: bool = False,
    ):
        self.cluster = cluster
        self.delay = delay
        self.controller_name = controller_name
        self.classes = tuple(classes) if classes is not None else None
        self.supports_inference_pool = supports_inference_pool
        self.programmed = programmed
        self.address = address
        self.stale = stale
        self.rejects_timeouts = (
            controller_name == GKE_CONTROLLER if rejects_timeouts is None else rejects_timeouts
        )
        self.poll = poll
        # Off by default: tests that need events seed them with fixed times (goldens).
        self.record_events = record_events
        # A BackendNotFound stays until the route's generation changes: the controller never
        # looks again when the pool appears (llm-d-modelservice#65).
        self.sticky_not_found = sticky_not_found
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.reconciles = 0

    # ------------------------------------------------------------ lifecycle
    def start(self) -> ControllerSim:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=2)

    def __enter__(self) -> ControllerSim:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        seen = -1
        while not self._stop.is_set():
            rv = self.cluster.store.rv
            if rv != seen:
                if self._stop.wait(self.delay):
                    return
                seen = self.cluster.store.rv
                with contextlib.suppress(Exception):  # stay alive, as a real one would
                    self.reconcile()
                seen = max(seen, self.cluster.store.rv) if self._quiet() else seen
            self._stop.wait(self.poll)

    def _quiet(self) -> bool:
        return True

    def wait_idle(self, timeout: float = 2.0) -> None:
        """Wait until a full reconcile pass changed nothing."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rv = self.cluster.store.rv
            time.sleep(max(self.delay, self.poll) * 2 + 0.02)
            if self.cluster.store.rv == rv:
                return

    # ------------------------------------------------------------ helpers
    def _list(self, api_version: str, kind: str) -> list[dict[str, Any]]:
        try:
            return self.cluster.list(api_version, kind)
        except KeyError:
            return []

    def _gen(self, obj: dict[str, Any]) -> int:
        gen = int(obj["metadata"].get("generation", 1))
        return max(gen - 1, 0) if self.stale else gen

    def _write(
        self, api_version: str, plural: str, obj: dict[str, Any], status: dict[str, Any]
    ) -> None:
        if _strip_times(obj.get("status")) == _strip_times(status):
            return
        meta = obj["metadata"]
        with contextlib.suppress(KeyError):  # deleted meanwhile
            self.cluster.set_status(
                api_version,
                plural,
                meta.get("namespace"),
                meta["name"],
                status,
                manager=self.controller_name.split("/")[0],
            )
            if self.record_events:
                for condition in _new_conditions(obj.get("status"), status):
                    self._record(obj, condition)

    def _record(self, obj: dict[str, Any], condition: dict[str, Any]) -> None:
        """A core/v1 Event for a condition that changed, as client-go's recorder writes one:
        the same reason and message again add to its count instead of a new event."""
        from .objects import event

        meta = obj["metadata"]
        namespace = meta.get("namespace") or "default"
        ok = condition.get("status") == "True"
        reason = str(condition.get("reason") or condition.get("type") or "")
        message = str(condition.get("message") or "")
        for seen in self.cluster.list("v1", "Event", namespace):
            involved = seen.get("involvedObject") or {}
            if (involved.get("uid"), seen.get("reason"), seen.get("message")) == (
                meta.get("uid"),
                reason,
                message,
            ):
                seen["count"] = int(seen.get("count") or 1) + 1
                seen["lastTimestamp"] = now()
                self.cluster.add(seen)
                return
        self.cluster.add(
            event(
                f"{meta['name']}.{time.time_ns():x}",
                namespace,
                (obj.get("apiVersion", ""), obj.get("kind", ""), meta["name"]),
                reason,
                message,
                type_="Normal" if ok else "Warning",
                first=now(),
                component=self.controller_name,
                uid=meta.get("uid"),
            )
        )

    # ------------------------------------------------------------ reconcile
    def reconcile(self) -> None:
        self.reconciles += 1
        if not self.cluster.gateway_api:
            return
        mine = set()
        for gc in self._list(GW, "GatewayClass"):
            if gc["spec"].get("controllerName") != self.controller_name or (
                self.classes is not None and gc["metadata"]["name"] not in self.classes
            ):
                continue
            mine.add(gc["metadata"]["name"])
            old = (gc.get("status") or {}).get("conditions")
            self._write(
                GW,
                "gatewayclasses",
                gc,
                {
                    "conditions": [
                        _cond(
                            "Accepted",
                            True,
                            "Accepted",
                            "GatewayClass is accepted",
                            self._gen(gc),
                            old,
                        )
                    ]
                },
            )
        gateways = {
            (g["metadata"]["namespace"], g["metadata"]["name"]): g
            for g in self._list(GW, "Gateway")
            if g["spec"].get("gatewayClassName") in mine
        }
        namespaces = {n["metadata"]["name"]: n for n in self._list("v1", "Namespace")}
        attached: dict[tuple[str, str, str], int] = {}
        accepted_refs: list[tuple[dict[str, Any], tuple[str, str], dict[str, Any], bool]] = []
        for route in self._list(GW, "HTTPRoute"):
            self._reconcile_route(route, gateways, namespaces, attached, accepted_refs)
        for key, gw in gateways.items():
            self._reconcile_gateway(gw, attached, key)
        self._reconcile_pools(gateways, accepted_refs)

    def _reconcile_route(
        self,
        route: dict[str, Any],
        gateways: dict[tuple[str, str], Any],
        namespaces: dict[str, Any],
        attached: dict[tuple[str, str, str], int],
        accepted_refs: list[Any],
    ) -> None:
        rns = route["metadata"]["namespace"]
        spec = route.get("spec") or {}
        old_parents = (route.get("status") or {}).get("parents") or []
        others = [p for p in old_parents if p.get("controllerName") != self.controller_name]
        mine = []
        for ref in spec.get("parentRefs") or []:
            if (
                ref.get("group", GATEWAY_GROUP) != GATEWAY_GROUP
                or ref.get("kind", "Gateway") != "Gateway"
            ):
                continue
            key = (ref.get("namespace") or rns, ref["name"])
            gw = gateways.get(key)
            if gw is None:
                continue
            old = next(
                (
                    p.get("conditions")
                    for p in old_parents
                    if p.get("controllerName") == self.controller_name and p.get("parentRef") == ref
                ),
                None,
            )
            ok, reason, message, listeners = self._accept(route, ref, gw, namespaces)
            resolved, rreason, rmessage = self._resolve(route)
            gen = self._gen(route)
            if self.sticky_not_found:
                kept = next((c for c in old or [] if c.get("type") == "ResolvedRefs"), {})
                if (kept.get("reason"), kept.get("observedGeneration")) == ("BackendNotFound", gen):
                    resolved, rreason, rmessage = False, "BackendNotFound", kept.get("message", "")
            mine.append(
                {
                    "parentRef": copy.deepcopy(ref),
                    "controllerName": self.controller_name,
                    "conditions": [
                        _cond("Accepted", ok, reason, message, gen, old),
                        _cond("ResolvedRefs", resolved, rreason, rmessage, gen, old),
                    ],
                }
            )
            if ok:
                for name in listeners:
                    attached[(*key, name)] = attached.get((*key, name), 0) + 1
            accepted_refs.append((route, key, gw, ok))
        if mine or any(p.get("controllerName") == self.controller_name for p in old_parents):
            self._write(
                GW, "httproutes", route, {**(route.get("status") or {}), "parents": others + mine}
            )

    def _accept(
        self,
        route: dict[str, Any],
        ref: dict[str, Any],
        gw: dict[str, Any],
        namespaces: dict[str, Any],
    ) -> tuple[bool, str, str, list[str]]:
        rns = route["metadata"]["namespace"]
        spec = route.get("spec") or {}
        listeners = [
            lst
            for lst in gw["spec"].get("listeners") or []
            if ref.get("sectionName") in (None, lst.get("name"))
            and ref.get("port") in (None, lst.get("port"))
        ]
        if not listeners:
            return (
                False,
                "NoMatchingParent",
                ("No listener matches the parentRef sectionName/port"),
                [],
            )
        allowed = [lst for lst in listeners if self._allows(lst, rns, gw, namespaces)]
        if not allowed:
            return (
                False,
                "NotAllowedByListeners",
                ("No listener allows routes of this kind from this namespace"),
                [],
            )
        hostnames = spec.get("hostnames") or []
        matching = [lst for lst in allowed if _hosts_intersect(lst.get("hostname"), hostnames)]
        if not matching:
            return (
                False,
                "NoMatchingListenerHostname",
                ("No listener hostname matches the route hostnames"),
                [],
            )
        if self.rejects_timeouts and any("timeouts" in r for r in spec.get("rules") or []):
            return (
                False,
                "UnsupportedValue",
                ("Route rules timeouts are not supported by this gateway class"),
                [],
            )
        return True, "Accepted", "Route was accepted", [lst["name"] for lst in matching]

    @staticmethod
    def _allows(
        lst: dict[str, Any], rns: str, gw: dict[str, Any], namespaces: dict[str, Any]
    ) -> bool:
        if lst.get("protocol", "HTTP") not in ("HTTP", "HTTPS"):
            return False
        allowed = lst.get("allowedRoutes") or {}
        kinds = allowed.get("kinds")
        if kinds and not any(
            k.get("kind") == "HTTPRoute" and k.get("group", GATEWAY_GROUP) == GATEWAY_GROUP
            for k in kinds
        ):
            return False
        ns = allowed.get("namespaces") or {}
        source = ns.get("from", "Same")
        if source == "All":
            return True
        if source == "Same":
            return rns == gw["metadata"]["namespace"]
        if source == "Selector":
            labels = (namespaces.get(rns, {}).get("metadata") or {}).get("labels") or {}
            match = (ns.get("selector") or {}).get("matchLabels") or {}
            return all(labels.get(k) == v for k, v in match.items())
        return False

    def _resolve(self, route: dict[str, Any]) -> tuple[bool, str, str]:
        rns = route["metadata"]["namespace"]
        for rule in (route.get("spec") or {}).get("rules") or []:
            for ref in rule.get("backendRefs") or []:
                group, kind = ref.get("group", ""), ref.get("kind", "Service")
                ns = ref.get("namespace") or rns
                name = ref["name"]
                if group == "" and kind == "Service":
                    if self.cluster.get("v1", "services", ns, name) is None:
                        return False, "BackendNotFound", f"Service {ns}/{name} not found"
                    continue
                if kind != "InferencePool" or group not in POOL_KEYS:
                    return False, "InvalidKind", f"Unsupported backend kind {group}/{kind}"
                if not self.supports_inference_pool:
                    return (
                        False,
                        "InvalidKind",
                        (f"InferencePool backends are not supported ({group}/{kind})"),
                    )
                if ns != rns and not self._granted(rns, ns, group, name):
                    return (
                        False,
                        "RefNotPermitted",
                        (f"backendRef {ns}/{name} is not permitted by any ReferenceGrant"),
                    )
                pool = None
                if group in self.cluster.pool_groups:
                    pool = self.cluster.get(
                        f"{group}/{POOL_KEYS[group][0]}", "inferencepools", ns, name
                    )
                if pool is None:
                    return False, "BackendNotFound", f"InferencePool {ns}/{name} not found"
        return True, "ResolvedRefs", "Resolved all the Object references for the Route"

    def _granted(self, from_ns: str, to_ns: str, group: str, name: str) -> bool:
        for grant in self._list(f"{GATEWAY_GROUP}/v1beta1", "ReferenceGrant"):
            if grant["metadata"]["namespace"] != to_ns:
                continue
            spec = grant.get("spec") or {}
            src = any(
                f.get("group") == GATEWAY_GROUP
                and f.get("kind") == "HTTPRoute"
                and f.get("namespace") == from_ns
                for f in spec.get("from") or []
            )
            dst = any(
                t.get("group") == group
                and t.get("kind") == "InferencePool"
                and t.get("name") in (None, "", name)
                for t in spec.get("to") or []
            )
            if src and dst:
                return True
        return False

    def _reconcile_gateway(
        self, gw: dict[str, Any], attached: dict[tuple[str, str, str], int], key: tuple[str, str]
    ) -> None:
        old = gw.get("status") or {}
        gen = self._gen(gw)
        old_listeners = {lst.get("name"): lst for lst in old.get("listeners") or []}
        listeners = []
        for lst in gw["spec"].get("listeners") or []:
            prev = old_listeners.get(lst["name"], {}).get("conditions")
            listeners.append(
                {
                    "name": lst["name"],
                    "supportedKinds": [
                        {"group": GATEWAY_GROUP, "kind": "HTTPRoute"},
                        {"group": GATEWAY_GROUP, "kind": "GRPCRoute"},
                    ],
                    "attachedRoutes": attached.get((*key, lst["name"]), 0),
                    "conditions": [
                        _cond("Accepted", True, "Accepted", "Listener is accepted", gen, prev),
                        _cond(
                            "Programmed",
                            self.programmed,
                            "Programmed" if self.programmed else "Pending",
                            "Listener is programmed"
                            if self.programmed
                            else "Listener is not programmed yet",
                            gen,
                            prev,
                        ),
                        _cond(
                            "ResolvedRefs",
                            True,
                            "ResolvedRefs",
                            "Resolved all references",
                            gen,
                            prev,
                        ),
                    ],
                }
            )
        status: dict[str, Any] = {
            "conditions": [
                _cond(
                    "Accepted", True, "Accepted", "Gateway is accepted", gen, old.get("conditions")
                ),
                _cond(
                    "Programmed",
                    self.programmed,
                    "Programmed" if self.programmed else "AddressNotAssigned",
                    "Gateway is programmed"
                    if self.programmed
                    else "No address has been assigned yet",
                    gen,
                    old.get("conditions"),
                ),
            ],
            "listeners": listeners,
        }
        if self.programmed:
            status["addresses"] = [{"type": "IPAddress", "value": self.address}]
        self._write(GW, "gateways", gw, status)

    def _reconcile_pools(
        self, gateways: dict[tuple[str, str], Any], accepted_refs: list[Any]
    ) -> None:
        for group in self.cluster.pool_groups:
            version, status_key = POOL_KEYS[group]
            for pool in self._list(f"{group}/{version}", "InferencePool"):
                self._reconcile_pool(pool, group, version, status_key, accepted_refs)

    def _reconcile_pool(
        self,
        pool: dict[str, Any],
        group: str,
        version: str,
        status_key: str,
        accepted_refs: list[Any],
    ) -> None:
        pns, pname = pool["metadata"]["namespace"], pool["metadata"]["name"]
        parents: dict[tuple[str, str], bool] = {}
        for route, gw_key, _gw, ok in accepted_refs:
            rns = route["metadata"]["namespace"]
            for rule in (route.get("spec") or {}).get("rules") or []:
                for ref in rule.get("backendRefs") or []:
                    if (
                        ref.get("group") == group
                        and ref.get("kind") == "InferencePool"
                        and ref.get("name") == pname
                        and (ref.get("namespace") or rns) == pns
                    ):
                        parents[gw_key] = parents.get(gw_key, False) or ok
        old_entries = (pool.get("status") or {}).get(status_key) or []
        others = [
            e
            for e in old_entries
            if e.get("controllerName") not in (None, self.controller_name)
            and (e.get("parentRef") or {}).get("kind") != "Status"
        ]
        spec = pool.get("spec") or {}
        epp = spec.get("endpointPickerRef") if group == POOL_V1_GROUP else spec.get("extensionRef")
        epp_ok = True
        if isinstance(epp, dict) and epp.get("kind", "Service") == "Service":
            epp_ok = self.cluster.get("v1", "services", pns, epp.get("name", "")) is not None
        gen = self._gen(pool)
        mine = []
        for (gns, gname), ok in sorted(parents.items()):
            parent_ref = {
                "group": GATEWAY_GROUP,
                "kind": "Gateway",
                "namespace": gns,
                "name": gname,
            }
            old = next(
                (e.get("conditions") for e in old_entries if e.get("parentRef") == parent_ref), None
            )
            accepted = _cond(
                "Accepted",
                ok,
                "Accepted" if ok else "HTTPRouteNotAccepted",
                "InferencePool has been accepted by the Gateway"
                if ok
                else "The HTTPRoute referencing this pool is not accepted",
                gen,
                old,
            )
            if group == POOL_V1_GROUP and not epp:  # v1 requires an endpoint picker
                accepted = _cond(
                    "Accepted",
                    False,
                    "EndpointPickerRefMissing",
                    "spec.endpointPickerRef is not set",
                    gen,
                    old,
                )
            mine.append(
                {
                    "parentRef": parent_ref,
                    "controllerName": self.controller_name,
                    "conditions": [
                        accepted,
                        _cond(
                            "ResolvedRefs",
                            epp_ok,
                            "ResolvedRefs" if epp_ok else "InvalidExtensionRef",
                            "Resolved the endpoint picker reference"
                            if epp_ok
                            else f"Endpoint picker Service {pns}/{(epp or {}).get('name')} "
                            "not found",
                            gen,
                            old,
                        ),
                    ],
                }
            )
        had_mine = any(e.get("controllerName") == self.controller_name for e in old_entries)
        if mine or had_mine:
            status = {**(pool.get("status") or {}), status_key: others + mine}
            self._write(f"{group}/{version}", "inferencepools", pool, status)


def _hosts_intersect(listener_host: str | None, route_hosts: list[str]) -> bool:
    if not listener_host or not route_hosts:
        return True
    return any(_host_match(listener_host, h) or _host_match(h, listener_host) for h in route_hosts)


def _host_match(pattern: str, host: str) -> bool:
    if pattern == host:
        return True
    if pattern.startswith("*."):
        suffix = pattern[1:]
        return host.endswith(suffix) and len(host) > len(suffix) and not host.startswith("*.")
    return False
