"""A fake kube-apiserver on 127.0.0.1 speaking the real HTTP API (JSON, Status errors, SSA)."""

from __future__ import annotations

import base64
import bisect
import copy
import json
import re
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from . import schema as schemas
from .store import (
    GATEWAY_GROUP,
    MISSING,
    ResourceType,
    Store,
    build_registry,
    del_path,
    field_paths,
    get_path,
    read_owners,
    record_update,
    set_path,
    strip_volatile,
    write_owners,
)

APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"
JSONPATCH = "application/json-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
NOT_FOUND_MSG = "the server could not find the requested resource"


class ApiError(Exception):
    """A kube Status failure."""

    def __init__(
        self,
        code: int,
        reason: str | None,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message
        self.details = details
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return status_body(self.code, self.reason, self.message, self.details)


def status_body(
    code: int, reason: str | None, message: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
    }
    if reason:
        out["reason"] = reason
    if details is not None:
        out["details"] = details
    out["code"] = code
    return out


REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    410: "Expired",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}
DEFAULT_MESSAGES = {
    429: "Too many requests, please try again later.",
    500: "Internal error occurred: injected fault",
    503: "the server is currently unable to handle the request",
    401: "Unauthorized",
}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    user: str | None = None
    status: int = 0

    def json(self) -> Any:
        return yaml.safe_load(self.body.decode() or "null")


@dataclass
class Fault:
    method: str | None
    path_contains: str | None
    nth: int
    status: int | None
    body: Any
    headers: dict[str, str] | None
    delay: float | None
    drop: bool | str
    times: int
    seen: int = 0
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method.upper() == method) and (
            self.path_contains is None or self.path_contains in path
        )


@dataclass
class Rule:
    allow: bool
    user: str
    verb: str
    group: str
    resource: str
    namespace: str | None

    def matches(
        self, user: str, verb: str, group: str, resource: str, namespace: str | None
    ) -> bool:
        return (
            self.user in ("*", user)
            and self.verb in ("*", verb)
            and self.group in ("*", group)
            and self.resource in ("*", resource)
            and (self.namespace is None or self.namespace == namespace)
        )


@dataclass
class Target:
    rtype: ResourceType
    namespace: str | None
    name: str | None
    subresource: str | None = None


def _parse_selector(text: str) -> list[tuple[str, str, set[str]]]:
    terms, depth, cur = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            terms.append(cur)
            cur = ""
        else:
            cur += ch
    terms.append(cur)
    out = []
    for raw in (t.strip() for t in terms):
        if not raw:
            continue
        if m := re.fullmatch(r"([^\s!=]+)\s+(in|notin)\s*\((.*)\)", raw):
            out.append((m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",")}))
        elif m := re.fullmatch(r"([^\s!=]+)\s*(==|=|!=)\s*(\S*)", raw):
            op = "!=" if m.group(2) == "!=" else "="
            out.append((m.group(1), op, {m.group(3)}))
        elif raw.startswith("!"):
            out.append((raw[1:].strip(), "!exists", set()))
        else:
            out.append((raw, "exists", set()))
    return out


# The field selectors kube-apiserver serves for core/v1 events (pkg/registry/core/event).
EVENT_FIELDS = (
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
)


def _event_fields(obj: dict[str, Any]) -> dict[str, str]:
    involved = obj.get("involvedObject") or {}
    values = {f"involvedObject.{k}": str(involved.get(k) or "") for k in (
        "kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"
    )}  # fmt: skip
    values["reason"] = str(obj.get("reason") or "")
    values["reportingComponent"] = str(obj.get("reportingComponent") or "")
    values["source"] = str((obj.get("source") or {}).get("component") or "")
    values["type"] = str(obj.get("type") or "")
    return values


def _selector_ok(terms: list[tuple[str, str, set[str]]], values: dict[str, str]) -> bool:
    for key, op, vals in terms:
        has = key in values
        if (
            (op == "=" and (not has or values[key] not in vals))
            or (op == "in" and (not has or values[key] not in vals))
            or (op == "!=" and has and values[key] in vals)
            or (op == "notin" and has and values[key] in vals)
            or (op == "exists" and not has)
            or (op == "!exists" and has)
        ):
            return False
    return True


class FakeCluster:
    """A fake kube-apiserver serving namespaces, services, pods, Gateway API and InferencePools."""

    def __init__(
        self,
        pool_groups: tuple[str, ...] = ("inference.networking.k8s.io",),
        gateway_api: bool = True,
        git_version: str = "v1.33.0",
        aggregated_discovery: bool = True,
        tls: Any = None,
    ):
        self.pool_groups = tuple(pool_groups)
        # kube-apiserver ≥1.30 answers /apis with APIGroupDiscoveryList when the client asks.
        self.aggregated_discovery = aggregated_discovery
        # A fakekube.tls.Pki: serve HTTPS, and take a client certificate's CN as the user.
        self.tls = tls
        self.gateway_api = gateway_api
        self.git_version = git_version
        self.registry = build_registry(self.pool_groups, gateway_api)
        self.store = Store()
        self.tokens: dict[str, str] = {"admin-token": "admin"}
        self.anonymous_user: str | None = None
        self.rules: list[Rule] = []
        self.faults: list[Fault] = []
        self.warnings: list[tuple[str, str]] = []
        self._requests: list[Request] = []
        self._lock = threading.Lock()
        # TCP connections accepted: a client keeping one pool for a run opens one.
        self.connections = 0
        # Lists served from pre-serialised objects while nothing changes (store.rv): fast pages
        # at 10,000 objects, so clients are measured, not the server.
        self._list_cache: dict[tuple[Any, ...], tuple[int, list[str], list[bytes]]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle
    def start(self) -> FakeCluster:
        cluster = self

        class Handler(_Handler):
            pass

        Handler.cluster = cluster
        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if self.tls is not None:
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(self.tls.server_cert), str(self.tls.server_key))
            context.load_verify_locations(str(self.tls.ca_cert))
            context.verify_mode = ssl.CERT_OPTIONAL
            # The handshake then happens in the handler's thread, not in the accept loop.
            self._server.socket = context.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self.store.cond:
            self.store.cond.notify_all()

    def __enter__(self) -> FakeCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server, "cluster not started"
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"

    # ------------------------------------------------------------ test-facing helpers
    def rtype(self, api_version: str, kind_or_plural: str) -> ResourceType:
        group, _, version = api_version.rpartition("/")
        for rt in self.registry:
            if (
                rt.group == group
                and rt.version == version
                and kind_or_plural in (rt.kind, rt.plural, rt.singular)
            ):
                return rt
        raise KeyError(f"{api_version} {kind_or_plural} is not served")

    def add(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Seed an object as is (no auth, no validation), filling its metadata."""
        obj = copy.deepcopy(obj)
        rt = self.rtype(obj["apiVersion"], obj["kind"])
        meta = obj.setdefault("metadata", {})
        if rt.namespaced:
            meta.setdefault("namespace", "default")
        self.store.new_metadata(meta)
        if "managedFields" not in meta:
            record_update(None, obj, "fakekube-seed", rt.api_version)
            if rt.has_status and "status" in obj:
                record_update(None, obj, "fakekube-seed", rt.api_version, "status")
        old = self.store.get(rt.group, rt.plural, meta.get("namespace", ""), meta["name"])
        return self.store.put(rt.group, rt.plural, obj, "MODIFIED" if old else "ADDED")

    def get(
        self, api_version: str, kind_or_plural: str, namespace: str | None, name: str
    ) -> dict[str, Any] | None:
        rt = self.rtype(api_version, kind_or_plural)
        return self.store.get(rt.group, rt.plural, namespace or "" if rt.namespaced else "", name)

    def list(
        self, api_version: str, kind_or_plural: str, namespace: str | None = None
    ) -> list[dict[str, Any]]:
        rt = self.rtype(api_version, kind_or_plural)
        return self.store.list(rt.group, rt.plural, namespace)

    def delete(
        self, api_version: str, kind_or_plural: str, namespace: str | None, name: str
    ) -> None:
        rt = self.rtype(api_version, kind_or_plural)
        self.store.delete(rt.group, rt.plural, namespace or "" if rt.namespaced else "", name)

    def set_status(
        self,
        api_version: str,
        plural: str,
        namespace: str | None,
        name: str,
        status: dict[str, Any],
        manager: str = "fakekube-controller",
    ) -> dict[str, Any]:
        """Write status directly: bumps resourceVersion, never generation."""
        rt = self.rtype(api_version, plural)
        with self.store.cond:
            ns = namespace or "" if rt.namespaced else ""
            old = self.store.get(rt.group, rt.plural, ns, name)
            if old is None:
                raise KeyError(f"{rt.qualified} {ns}/{name} not found")
            new = copy.deepcopy(old)
            new["status"] = copy.deepcopy(status)
            record_update(old, new, manager, rt.api_version, "status")
            return self.store.put(rt.group, rt.plural, new, "MODIFIED")

    def snapshot(self) -> dict[tuple[str, str, str, str], dict[str, Any]]:
        """Every object without volatile metadata, for "nothing changed" assertions."""
        out = {}
        with self.store.cond:
            for rt in self.registry:
                for obj in self.store.list(rt.group, rt.plural):
                    meta = obj["metadata"]
                    out[(rt.api_version, rt.kind, meta.get("namespace", ""), meta["name"])] = (
                        strip_volatile(obj)
                    )
        return out

    @property
    def requests(self) -> list[Request]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def writes(self) -> list[Request]:
        """Requests that could change state (dry runs included)."""
        return [r for r in self.requests if r.method in ("POST", "PUT", "PATCH", "DELETE")]

    def allow(
        self,
        user: str,
        verb: str = "*",
        group: str = "*",
        resource: str = "*",
        namespace: str | None = None,
    ) -> None:
        self.rules.append(Rule(True, user, verb, group, resource, namespace))

    def deny(
        self,
        user: str,
        verb: str = "*",
        group: str = "*",
        resource: str = "*",
        namespace: str | None = None,
    ) -> None:
        self.rules.append(Rule(False, user, verb, group, resource, namespace))

    def allowed(
        self, user: str, verb: str, group: str, resource: str, namespace: str | None
    ) -> bool:
        """The permission policy: the last matching rule wins, default allow."""
        verdict = True
        for rule in self.rules:
            if rule.matches(user, verb, group, resource, namespace):
                verdict = rule.allow
        return verdict

    def inject_fault(
        self,
        method: str | None = None,
        path_contains: str | None = None,
        nth: int = 1,
        status: int | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        delay: float | None = None,
        drop: bool | str = False,
        times: int = 1,
    ) -> Fault:
        """Fail the nth matching request (and the next times-1): status, delay or drop."""
        fault = Fault(method, path_contains, nth, status, body, headers, delay, drop, times)
        with self._lock:
            self.faults.append(fault)
        return fault

    def proxy_service(self, namespace: str, name: str, port: int, url: str) -> None:
        """Forward the service proxy (/api/v1/namespaces/NS/services/NAME:PORT/proxy/...) to url."""
        if not hasattr(self, "service_proxies"):
            self.service_proxies: dict[tuple[str, str, int], str] = {}
        self.service_proxies[(namespace, name, port)] = url.rstrip("/")

    def warnings_for(self, path_contains: str, text: str) -> None:
        self.warnings.append((path_contains, text))

    # ------------------------------------------------------------ internals
    def _record(self, req: Request) -> None:
        with self._lock:
            self._requests.append(req)

    def _fault_for(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.fired >= fault.times or not fault.matches(method, path):
                    continue
                fault.seen += 1
                if fault.seen >= fault.nth:
                    fault.fired += 1
                    return fault
        return None

    def served_groups(self) -> list[tuple[str, list[str]]]:
        groups: dict[str, list[str]] = {}
        for rt in self.registry:
            if rt.group:
                versions = groups.setdefault(rt.group, [])
                if rt.version not in versions:
                    versions.append(rt.version)
        return list(groups.items())


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up or fails the TLS handshake is the test's point, not our error.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    cluster: FakeCluster

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        with self.cluster._lock:
            self.cluster.connections += 1

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def _serve(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = Request(
            self.command,
            split.path,
            parse_qs(split.query, keep_blank_values=True),
            {k: v for k, v in self.headers.items()},
            body,
        )
        cluster = self.cluster
        fault = cluster._fault_for(self.command, self.path)
        try:
            if fault and fault.delay:
                time.sleep(fault.delay)
            if fault and fault.drop and fault.drop != "mid":
                req.status = 0
                cluster._record(req)
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if fault and fault.status:
                req.user = _Api(cluster, req).user_or_none()
                payload = (
                    fault.body
                    if fault.body is not None
                    else status_body(
                        fault.status,
                        REASONS.get(fault.status),
                        DEFAULT_MESSAGES.get(fault.status, f"injected fault {fault.status}"),
                        {"retryAfterSeconds": int(fault.headers["Retry-After"])}
                        if fault.headers and "Retry-After" in fault.headers
                        else {},
                    )
                )
                self._send(req, fault.status, payload, fault.headers or {})
                return
            api = _Api(cluster, req)
            api.handler = self
            result = api.handle()
            if result is None:  # a watch already streamed its answer
                return
            code, payload, headers = result
            self._send(req, code, payload, headers, drop_mid=bool(fault and fault.drop == "mid"))
        except ApiError as err:
            self._send(req, err.code, err.body(), err.headers)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def _send(
        self, req: Request, code: int, payload: Any, headers: dict[str, str], drop_mid: bool = False
    ) -> None:
        data = (
            payload
            if isinstance(payload, bytes)
            else (
                json.dumps(payload).encode() if not isinstance(payload, str) else payload.encode()
            )
        )
        req.status = code
        self.cluster._record(req)
        self.send_response(code)
        self.send_header("Content-Type", headers.get("Content-Type", "application/json"))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Audit-Id", str(id(req)))
        for key, value in headers.items():
            if key == "Content-Type":
                continue
            for item in value if isinstance(value, list) else [value]:
                self.send_header(key, str(item))
        for contains, text in self.cluster.warnings:
            if contains in req.path:
                self.send_header("Warning", f'299 - "{text}"')
        self.end_headers()
        if drop_mid:
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if self.command != "HEAD":
            self.wfile.write(data)

    def stream_watch(self, req: Request, events: Any) -> None:
        req.status = 200
        self.cluster._record(req)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        try:
            for event in events:
                chunk = (json.dumps(event) + "\n").encode()
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True


class _Api:
    """One request's processing: route, authenticate, authorize, act."""

    def __init__(self, cluster: FakeCluster, req: Request):
        self.cluster, self.req, self.store = cluster, req, cluster.store
        self.warnings: list[str] = []
        self.handler: _Handler | None = None

    def q(self, key: str, default: str | None = None) -> str | None:
        values = self.req.query.get(key)
        return values[-1] if values else default

    def user_or_none(self) -> str | None:
        auth = self.req.headers.get("Authorization") or self.req.headers.get("authorization")
        if auth and auth.startswith("Bearer "):
            user = self.cluster.tokens.get(auth[len("Bearer ") :].strip())
            if user:
                return user
        if self.cluster.tls is not None and self.handler is not None:
            peer = self.handler.connection.getpeercert()  # type: ignore[attr-defined]
            for rdn in (peer or {}).get("subject", ()):
                for key, value in rdn:
                    if key == "commonName":
                        return str(value)
        return self.cluster.anonymous_user

    def reply(self, code: int, payload: Any) -> tuple[int, Any, dict[str, Any]]:
        headers: dict[str, Any] = {}
        if self.warnings:
            headers["Warning"] = [f'299 - "{w}"' for w in self.warnings]
        return code, payload, headers

    # ------------------------------------------------------------ routing
    def handle(self) -> tuple[int, Any, dict[str, Any]] | None:
        user = self.user_or_none()
        self.req.user = user
        if user is None:
            raise ApiError(401, "Unauthorized", "Unauthorized", None)
        self.user = user
        path = self.req.path.rstrip("/") or "/"
        parts = [p for p in path.split("/") if p]
        if path == "/version":
            return self.reply(
                200,
                {
                    "major": "1",
                    "minor": self.cluster.git_version.split(".")[1],
                    "gitVersion": self.cluster.git_version,
                    "gitCommit": "0" * 40,
                    "gitTreeState": "clean",
                    "buildDate": "2025-04-23T13:00:00Z",
                    "goVersion": "go1.24.2",
                    "compiler": "gc",
                    "platform": "linux/amd64",
                },
            )
        if path == "/api":
            return self.reply(
                200,
                {
                    "kind": "APIVersions",
                    "versions": ["v1"],
                    "serverAddressByClientCIDRs": [
                        {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}
                    ],
                },
            )
        if path == "/apis":
            accept = self.req.headers.get("Accept", "")
            if self.cluster.aggregated_discovery and "as=APIGroupDiscoveryList" in accept:
                code, payload, headers = self.reply(200, self.aggregated_group_list())
                # client-go reads the list as aggregated only when the Content-Type says so.
                headers["Content-Type"] = (
                    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
                )
                return code, payload, headers
            return self.reply(200, self.group_list())
        if parts[:2] == ["api", "v1"]:
            group, version, rest = "", "v1", parts[2:]
        elif parts[0] == "apis" and len(parts) >= 2:
            if len(parts) == 2:
                return self.reply(200, self.group(parts[1]))
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise self.not_found_path()
        types = [rt for rt in self.cluster.registry if rt.group == group and rt.version == version]
        if not types:
            raise self.not_found_path()
        if not rest:
            if self.req.method != "GET":
                raise ApiError(
                    405,
                    "MethodNotAllowed",
                    "the server does not allow this method on the requested resource",
                )
            return self.reply(200, self.resource_list(group, version, types))
        if (
            group == ""
            and len(rest) >= 5
            and rest[0] == "namespaces"
            and rest[2] == "services"
            and rest[4] == "proxy"
        ):
            return self.service_proxy(rest[1], rest[3], "/" + "/".join(rest[5:]))
        target = self.route(types, rest)
        return self.dispatch(target)

    def service_proxy(
        self,
        namespace: str,
        name_port: str,
        path: str,
    ) -> tuple[int, Any, dict[str, Any]]:
        """The API server's service proxy, forwarding to a stub registered by proxy_service."""
        import http.client

        if not self.cluster.allowed(self.user, "get", "", "services/proxy", namespace):
            raise ApiError(
                403,
                "Forbidden",
                f'services "{name_port}" is forbidden: User '
                f'"{self.user}" cannot get resource "services/proxy" in API group ""'
                f' in the namespace "{namespace}"',
                {"name": name_port, "kind": "services"},
            )
        name, _, port = name_port.partition(":")
        if self.store.get("", "services", namespace, name) is None:
            raise ApiError(
                404, "NotFound", f'services "{name}" not found', {"name": name, "kind": "services"}
            )
        proxies = getattr(self.cluster, "service_proxies", {})
        url = proxies.get((namespace, name, int(port or 80)))
        refused = (
            f"error trying to reach service: dial tcp 10.96.0.10:{port}: connect: "
            "connection refused"
        )
        if url is None:
            raise ApiError(503, "ServiceUnavailable", refused)
        split = urlsplit(url)
        conn = http.client.HTTPConnection(split.hostname or "127.0.0.1", split.port, timeout=5)
        try:
            headers = {"Content-Type": self.req.headers.get("Content-Type", "application/json")}
            conn.request(
                self.req.method, split.path + path, body=self.req.body or None, headers=headers
            )
            resp = conn.getresponse()
            return resp.status, resp.read(), {}
        except OSError as err:
            raise ApiError(503, "ServiceUnavailable", refused) from err
        finally:
            conn.close()

    def not_found_path(self) -> ApiError:
        return ApiError(404, "NotFound", NOT_FOUND_MSG, {})

    def route(self, types: list[ResourceType], rest: list[str]) -> Target:
        by_plural = {rt.plural: rt for rt in types}
        namespace = None
        if (
            rest[0] == "namespaces"
            and len(rest) >= 3
            and not (len(rest) == 3 and rest[2] in ("status", "finalize"))
        ):
            namespace, rest = rest[1], rest[2:]
        rt = by_plural.get(rest[0])
        if rt is None or len(rest) > 3 or (namespace is not None and not rt.namespaced):
            raise self.not_found_path()
        name = rest[1] if len(rest) >= 2 else None
        sub = rest[2] if len(rest) == 3 else None
        if sub is not None and (sub != "status" or not rt.has_status):
            raise self.not_found_path()
        if rt.namespaced and namespace is None and name is not None:
            raise self.not_found_path()
        return Target(rt, namespace, name, sub)

    # ------------------------------------------------------------ discovery
    def group_list(self) -> dict[str, Any]:
        groups = []
        for group, versions in self.cluster.served_groups():
            gvs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
            groups.append({"name": group, "versions": gvs, "preferredVersion": gvs[0]})
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}

    def aggregated_group_list(self) -> dict[str, Any]:
        """apidiscovery.k8s.io/v2: every group, version and resource in one answer."""
        items = []
        for group, versions in self.cluster.served_groups():
            entries = []
            for version in versions:
                resources = []
                for rt in self.cluster.registry:
                    if rt.group != group or rt.version != version:
                        continue
                    entry: dict[str, Any] = {
                        "resource": rt.plural,
                        "responseKind": {"group": "", "version": "", "kind": rt.kind},
                        "scope": "Namespaced" if rt.namespaced else "Cluster",
                        "singularResource": rt.singular,
                        "verbs": list(rt.verbs),
                    }
                    if rt.short_names:
                        entry["shortNames"] = list(rt.short_names)
                    if rt.has_status:
                        entry["subresources"] = [
                            {
                                "subresource": "status",
                                "responseKind": {"group": "", "version": "", "kind": rt.kind},
                                "verbs": ["get", "patch", "update"],
                            }
                        ]
                    resources.append(entry)
                entries.append({"version": version, "resources": resources, "freshness": "Current"})
            items.append(
                {"metadata": {"name": group, "creationTimestamp": None}, "versions": entries}
            )
        return {
            "kind": "APIGroupDiscoveryList",
            "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {},
            "items": items,
        }

    def group(self, name: str) -> dict[str, Any]:
        for group, versions in self.cluster.served_groups():
            if group == name:
                gvs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
                return {
                    "kind": "APIGroup",
                    "apiVersion": "v1",
                    "name": group,
                    "versions": gvs,
                    "preferredVersion": gvs[0],
                }
        raise self.not_found_path()

    def resource_list(self, group: str, version: str, types: list[ResourceType]) -> dict[str, Any]:
        resources = []
        for rt in types:
            entry: dict[str, Any] = {
                "name": rt.plural,
                "singularName": rt.singular,
                "namespaced": rt.namespaced,
                "kind": rt.kind,
                "verbs": list(rt.verbs),
            }
            if rt.short_names:
                entry["shortNames"] = list(rt.short_names)
            if rt.categories:
                entry["categories"] = list(rt.categories)
            if rt.is_crd:
                entry["storageVersionHash"] = base64.b64encode(rt.qualified.encode()[:8]).decode()
            resources.append(entry)
            if rt.has_status:
                resources.append(
                    {
                        "name": f"{rt.plural}/status",
                        "singularName": "",
                        "namespaced": rt.namespaced,
                        "kind": rt.kind,
                        "verbs": ["get", "patch", "update"],
                    }
                )
        return {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": f"{group}/{version}" if group else version,
            "resources": resources,
        }

    # ------------------------------------------------------------ auth
    def verb(self, target: Target) -> str:
        method = self.req.method
        if method in ("GET", "HEAD"):
            if target.name is None:
                return "watch" if self.is_watch() else "list"
            return "get"
        return {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}[method]

    def is_watch(self) -> bool:
        return (self.q("watch") or "").lower() in ("1", "true")

    def authorize(self, target: Target, verb: str) -> None:
        rt = target.rtype
        resource = rt.plural + (f"/{target.subresource}" if target.subresource else "")
        if self.cluster.allowed(self.user, verb, rt.group, resource, target.namespace):
            return
        name = f' "{target.name}"' if target.name else ""
        scope = (
            f'in the namespace "{target.namespace}"' if target.namespace else "at the cluster scope"
        )
        message = (
            f'{rt.qualified}{name} is forbidden: User "{self.user}" cannot {verb} '
            f'resource "{resource}" in API group "{rt.group}" {scope}'
        )
        details: dict[str, Any] = {"group": rt.group, "kind": rt.plural}
        if target.name:
            details = {"name": target.name, **details}
        raise ApiError(403, "Forbidden", message, details)

    # ------------------------------------------------------------ verbs
    def dispatch(self, target: Target) -> tuple[int, Any, dict[str, Any]] | None:
        verb = self.verb(target)
        self.authorize(target, verb)
        rt = target.rtype
        if rt.plural == "selfsubjectaccessreviews":
            if verb != "create":
                raise ApiError(
                    405,
                    "MethodNotAllowed",
                    "the server does not allow this method on the requested resource",
                )
            return self.access_review()
        if rt.plural == "selfsubjectrulesreviews":
            if verb != "create":
                raise ApiError(
                    405,
                    "MethodNotAllowed",
                    "the server does not allow this method on the requested resource",
                )
            return self.rules_review()
        if verb in ("list", "watch"):
            if verb == "watch":
                self.watch(target)
                return None
            return self.reply(200, self.list(target))
        if verb == "create":
            if target.name is not None:
                raise ApiError(
                    405,
                    "MethodNotAllowed",
                    "the server does not allow this method on the requested resource",
                )
            return self.create(target)
        assert target.name is not None
        if verb == "get":
            obj = self.must_get(target)
            return self.reply(200, self.present(rt, obj))
        if verb == "delete":
            return self.delete(target)
        if verb == "update":
            return self.update(target)
        return self.patch(target)

    def not_found(self, rt: ResourceType, name: str) -> ApiError:
        details: dict[str, Any] = {"name": name, "group": rt.group, "kind": rt.plural}
        if not rt.group:
            details.pop("group")
        return ApiError(404, "NotFound", f'{rt.qualified} "{name}" not found', details)

    def must_get(self, target: Target) -> dict[str, Any]:
        rt = target.rtype
        obj = self.store.get(rt.group, rt.plural, target.namespace or "", target.name or "")
        if obj is None:
            raise self.not_found(rt, target.name or "")
        return obj

    def present(self, rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
        obj.setdefault("apiVersion", rt.api_version)
        obj.setdefault("kind", rt.kind)
        return obj

    def body_obj(self) -> Any:
        try:
            text = self.req.body.decode() or "null"
            ctype = (self.req.headers.get("Content-Type") or "").split(";")[0].strip()
            return yaml.safe_load(text) if ctype == APPLY else json.loads(text)
        except (ValueError, yaml.YAMLError) as err:
            raise ApiError(400, "BadRequest", f"error decoding request body: {err}") from err

    def options(self, kind: str) -> tuple[bool, str]:
        dry = self.req.query.get("dryRun") or []
        for value in dry:
            if value != "All":
                raise ApiError(
                    422,
                    "Invalid",
                    f'{kind}.meta.k8s.io "" is invalid: dryRun: '
                    f'Unsupported value: "{value}": supported values: "All"',
                    {
                        "group": "meta.k8s.io",
                        "kind": kind,
                        "causes": [
                            {
                                "reason": "FieldValueNotSupported",
                                "message": f'Unsupported value: "{value}": supported values: "All"',
                                "field": "dryRun",
                            }
                        ],
                    },
                )
        validation = self.q("fieldValidation") or "Warn"
        if validation not in ("Strict", "Warn", "Ignore"):
            raise ApiError(
                400,
                "BadRequest",
                f"fieldValidation must be one of Ignore, Warn, or Strict, got {validation}",
            )
        return bool(dry), validation

    def manager(self, required: bool = False) -> str:
        manager = self.q("fieldManager")
        if manager:
            return manager
        if required:
            raise ApiError(400, "BadRequest", "fieldManager is required for apply requests")
        agent = self.req.headers.get("User-Agent") or "unknown"
        return agent.split("/")[0] or "unknown"

    def check_namespace(self, target: Target) -> None:
        if (
            target.rtype.namespaced
            and self.store.get("", "namespaces", "", target.namespace or "") is None
        ):
            raise ApiError(
                404,
                "NotFound",
                f'namespaces "{target.namespace}" not found',
                {"name": target.namespace, "kind": "namespaces"},
            )

    def validate(
        self, rt: ResourceType, obj: dict[str, Any], validation: str, check_unknown: bool = True
    ) -> None:
        """Prune, default, validate; strict unknown fields → 400, schema/CEL errors → 422."""
        meta = obj.get("metadata") or {}
        errors = list(schemas.check_name(meta.get("name"), label=rt.plural == "namespaces"))
        unknown: list[str] = []
        if rt.is_crd:
            errs, unknown = schemas.validate(rt.group, rt.version, rt.plural, obj)
            errors += errs
        if unknown and check_unknown:
            if validation == "Strict":
                raise ApiError(
                    400,
                    "BadRequest",
                    "strict decoding error: " + ", ".join(f'unknown field "{u}"' for u in unknown),
                )
            if validation == "Warn":
                self.warnings += [f'unknown field "{u}"' for u in unknown]
        if errors:
            raise self.invalid(rt, meta.get("name", ""), errors)

    def invalid(self, rt: ResourceType, name: str, errors: list[Any]) -> ApiError:
        text = str(errors[0]) if len(errors) == 1 else "[" + ", ".join(map(str, errors)) + "]"
        details: dict[str, Any] = {
            "name": name,
            "group": rt.group,
            "kind": rt.kind,
            "causes": [{"reason": e.reason, "message": e.body, "field": e.field} for e in errors],
        }
        return ApiError(422, "Invalid", f'{rt.kind_qualified} "{name}" is invalid: {text}', details)

    def finish(
        self, target: Target, old: dict[str, Any] | None, new: dict[str, Any], dry: bool
    ) -> tuple[int, Any, dict[str, Any]]:
        """Bump generation on spec change, store unless dry-run or unchanged."""
        rt = target.rtype
        meta = new.setdefault("metadata", {})
        if old is None:
            self.store.new_metadata(meta)
            meta.pop("resourceVersion", None)
            if dry:
                return self.reply(201, self.present(rt, new))
            return self.reply(
                201, self.present(rt, self.store.put(rt.group, rt.plural, new, "ADDED"))
            )
        spec_old = {k: v for k, v in old.items() if k not in ("metadata", "status")}
        spec_new = {k: v for k, v in new.items() if k not in ("metadata", "status")}
        meta["generation"] = old["metadata"].get("generation", 1) + (spec_old != spec_new)
        for key in ("uid", "creationTimestamp", "namespace", "name"):
            if key in old["metadata"]:
                meta[key] = old["metadata"][key]
        meta["resourceVersion"] = old["metadata"].get("resourceVersion")

        def comparable(o: dict[str, Any]) -> dict[str, Any]:
            out = copy.deepcopy(o)
            for entry in out["metadata"].get("managedFields") or []:
                entry.pop("time", None)
            return out

        if dry or comparable(old) == comparable(new):
            return self.reply(200, self.present(rt, new if dry else old))
        return self.reply(
            200, self.present(rt, self.store.put(rt.group, rt.plural, new, "MODIFIED"))
        )

    def create(self, target: Target) -> tuple[int, Any, dict[str, Any]]:
        rt = target.rtype
        dry, validation = self.options("CreateOptions")
        obj = self.body_obj()
        if not isinstance(obj, dict):
            raise ApiError(400, "BadRequest", "the body of the request was not a JSON object")
        meta = obj.setdefault("metadata", {})
        if rt.namespaced:
            if meta.get("namespace") and meta["namespace"] != target.namespace:
                raise ApiError(
                    400,
                    "BadRequest",
                    "the namespace of the provided object does not "
                    "match the namespace sent on the request",
                )
            meta["namespace"] = target.namespace
            self.check_namespace(target)
        for key in ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields"):
            meta.pop(key, None)
        obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
        if rt.has_status and rt.is_crd:
            obj.pop("status", None)
        self.validate(rt, obj, validation)
        if self.store.get(rt.group, rt.plural, target.namespace or "", meta["name"]):
            raise ApiError(
                409,
                "AlreadyExists",
                f'{rt.qualified} "{meta["name"]}" already exists',
                {"name": meta["name"], "group": rt.group, "kind": rt.plural},
            )
        record_update(None, obj, self.manager(), rt.api_version)
        target.name = meta["name"]
        return self.finish(target, None, obj, dry)

    def check_name_matches(self, target: Target, obj: dict[str, Any]) -> None:
        meta = obj.setdefault("metadata", {})
        if meta.get("name") and meta["name"] != target.name:
            raise ApiError(
                400,
                "BadRequest",
                f"the name of the object ({meta['name']}) does not "
                f"match the name on the URL ({target.name})",
            )
        meta["name"] = target.name
        if target.rtype.namespaced:
            if meta.get("namespace") and meta["namespace"] != target.namespace:
                raise ApiError(
                    400,
                    "BadRequest",
                    "the namespace of the provided object does not "
                    "match the namespace sent on the request",
                )
            meta["namespace"] = target.namespace

    def merge_sub(
        self,
        target: Target,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> dict[str, Any]:
        """Keep status on main-resource writes and everything but status on /status writes."""
        if not target.rtype.has_status:
            return new
        merged = copy.deepcopy(old)
        if target.subresource == "status":
            merged.pop("status", None)
            if "status" in new:
                merged["status"] = new["status"]
            return merged
        new = copy.deepcopy(new)
        new.pop("status", None)
        if "status" in old:
            new["status"] = copy.deepcopy(old["status"])
        return new

    def update(self, target: Target) -> tuple[int, Any, dict[str, Any]]:
        rt = target.rtype
        dry, validation = self.options("UpdateOptions")
        obj = self.body_obj()
        if not isinstance(obj, dict):
            raise ApiError(400, "BadRequest", "the body of the request was not a JSON object")
        self.check_name_matches(target, obj)
        old = self.must_get(target)
        want_rv = obj["metadata"].get("resourceVersion")
        if want_rv and want_rv != old["metadata"]["resourceVersion"]:
            raise self.conflict(rt, target.name or "")
        obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
        obj["metadata"]["managedFields"] = old["metadata"].get("managedFields", [])
        new = self.merge_sub(target, old, obj)
        self.validate(rt, new, validation)
        record_update(old, new, self.manager(), rt.api_version, target.subresource or "")
        return self.finish(target, old, new, dry)

    def conflict(self, rt: ResourceType, name: str) -> ApiError:
        return ApiError(
            409,
            "Conflict",
            f"Operation cannot be fulfilled on {rt.qualified} "
            f'"{name}": the object has been modified; please apply your changes to '
            "the latest version and try again",
            {"name": name, "group": rt.group, "kind": rt.plural},
        )

    def patch(self, target: Target) -> tuple[int, Any, dict[str, Any]]:
        rt = target.rtype
        ctype = (self.req.headers.get("Content-Type") or "").split(";")[0].strip()
        if ctype == APPLY:
            return self.apply(target)
        dry, validation = self.options("PatchOptions")
        if ctype not in (MERGE, JSONPATCH, STRATEGIC) or (ctype == STRATEGIC and rt.is_crd):
            raise ApiError(
                415,
                "UnsupportedMediaType",
                f"the body of the request was in an "
                f"unknown format - accepted media types include: {JSONPATCH}, "
                f"{MERGE}, {APPLY}",
            )
        old = self.must_get(target)
        patch = self.body_obj()
        new = json_patch(old, patch) if ctype == JSONPATCH else merge_patch(old, patch)
        want_rv = (
            ((patch or {}).get("metadata") or {}).get("resourceVersion")
            if isinstance(patch, dict)
            else None
        )
        if want_rv and want_rv != old["metadata"]["resourceVersion"]:
            raise self.conflict(rt, target.name or "")
        self.check_name_matches(target, new)
        new = self.merge_sub(target, old, new)
        self.validate(rt, new, validation)
        record_update(old, new, self.manager(), rt.api_version, target.subresource or "")
        return self.finish(target, old, new, dry)

    def apply(self, target: Target) -> tuple[int, Any, dict[str, Any]]:
        """Server-side apply with ownership at store.py's granularity."""
        rt = target.rtype
        dry, validation = self.options("PatchOptions")
        manager = self.manager(required=True)
        force = (self.q("force") or "").lower() in ("true", "1")
        config = self.body_obj()
        if not isinstance(config, dict):
            raise ApiError(
                400, "BadRequest", "error decoding YAML: the applied configuration is not an object"
            )
        if not config.get("apiVersion") or not config.get("kind"):
            raise ApiError(
                400,
                "BadRequest",
                "Object 'Kind' is missing in the applied configuration"
                if not config.get("kind")
                else "Object 'apiVersion' is missing in the applied configuration",
            )
        self.check_name_matches(target, config)
        status_sub = target.subresource == "status"
        if rt.is_crd:
            probe = copy.deepcopy(config)
            _, unknown = schemas.validate(rt.group, rt.version, rt.plural, probe)
            if unknown:
                ns = f"{target.namespace}/" if target.namespace else "/"
                gvk = f"{rt.api_version}, Kind={rt.kind}"
                raise ApiError(
                    500,
                    None,
                    f"failed to create typed patch object ({ns}"
                    f"{target.name}; {gvk}): .{unknown[0]}: field not declared in "
                    "schema",
                )
        old = self.store.get(rt.group, rt.plural, target.namespace or "", target.name or "")
        if old is None:
            if status_sub:
                raise self.not_found(rt, target.name or "")
            self.check_namespace(target)
        defaulted = copy.deepcopy(config)
        if rt.is_crd:
            schemas.validate(rt.group, rt.version, rt.plural, defaulted)
        cfg_paths = field_paths(config, status_sub)
        owners = read_owners(old) if old else {}
        me = (manager, "Apply", rt.api_version, target.subresource or "")
        conflicts = []
        for path in sorted(cfg_paths):
            live = get_path(old, path) if old else MISSING
            if live is MISSING or live == get_path(defaulted, path):
                continue
            for key, paths in owners.items():
                if key[:2] != me[:2] and key[3] == me[3] and path in paths:
                    conflicts.append((key, path))
        if conflicts and not force:
            raise apply_conflict(conflicts)
        for key, path in conflicts:  # force: take only the conflicting fields; equal ones share
            owners[key].discard(path)
        new = (
            copy.deepcopy(old)
            if old
            else {"apiVersion": rt.api_version, "kind": rt.kind, "metadata": {}}
        )
        previous = {p for k, ps in owners.items() if k[:2] == me[:2] for p in ps}
        others = {p for k, ps in owners.items() if k[:2] != me[:2] for p in ps}
        for path in previous - cfg_paths - others:
            del_path(new, path)
        for path in cfg_paths:
            set_path(new, path, get_path(config, path))
        new["metadata"]["name"] = target.name
        if rt.namespaced:
            new["metadata"]["namespace"] = target.namespace
        new["apiVersion"], new["kind"] = rt.api_version, rt.kind
        for key in [k for k in owners if k[:2] == me[:2]]:
            del owners[key]
        owners[me] = cfg_paths
        if not status_sub and rt.has_status and rt.is_crd and old is None:
            new.pop("status", None)
        self.validate(rt, new, validation, check_unknown=False)
        write_owners(new, owners, old, {me})
        return self.finish(target, old, new, dry)

    def delete(self, target: Target) -> tuple[int, Any, dict[str, Any]]:
        rt = target.rtype
        dry, _ = self.options("DeleteOptions")
        obj = self.must_get(target)
        if dry:
            return self.reply(200, self.present(rt, obj))
        gone = self.store.delete(rt.group, rt.plural, target.namespace or "", target.name or "")
        return self.reply(200, self.present(rt, gone or obj))

    # ------------------------------------------------------------ list / watch
    def matcher(self, rt: ResourceType | None = None) -> Any:
        labels = _parse_selector(self.q("labelSelector") or "")
        fields = _parse_selector(self.q("fieldSelector") or "")
        events = rt is not None and rt.group == "" and rt.plural == "events"
        if events:
            # The real server's field labels for core events; any other is a 400, as there.
            for key, _, _ in fields:
                if key not in EVENT_FIELDS and not key.startswith("metadata."):
                    raise ApiError(400, "BadRequest", f'field label not supported: "{key}"')

        def ok(obj: dict[str, Any]) -> bool:
            meta = obj.get("metadata") or {}
            values = {
                "metadata.name": meta.get("name", ""),
                "metadata.namespace": meta.get("namespace", ""),
            }
            if events:
                values.update(_event_fields(obj))
            return _selector_ok(labels, meta.get("labels") or {}) and _selector_ok(fields, values)

        return ok

    def list(self, target: Target) -> bytes:
        """One page of a list, like kube-apiserver: sorted by namespace/name, `limit` objects,
        a `continue` token that pins the list's resourceVersion."""
        rt = target.rtype
        keys, blobs, list_rv = self.serialised(target)
        start = ""
        token = self.q("continue")
        if token:
            try:
                decoded = json.loads(base64.b64decode(token))
                start, list_rv = decoded["start"], decoded["rv"]
            except (ValueError, KeyError) as err:
                raise ApiError(
                    400,
                    "BadRequest",
                    "continue key is not valid: incorrect encoded "
                    "start resourceVersion (version meta.k8s.io/v1)",
                ) from err
        first = bisect.bisect_right(keys, start) if start else 0
        last = len(keys)
        meta: dict[str, Any] = {"resourceVersion": list_rv}
        limit = int(self.q("limit") or 0)
        if limit and last - first > limit:
            last = first + limit
            meta["continue"] = base64.b64encode(
                json.dumps({"v": "meta.k8s.io/v1", "rv": list_rv, "start": keys[last - 1]}).encode()
            ).decode()
            meta["remainingItemCount"] = len(keys) - last
        head = json.dumps(
            {"apiVersion": rt.api_version, "kind": f"{rt.kind}List", "metadata": meta}
        )
        return (head[:-1] + ', "items": [').encode() + b", ".join(blobs[first:last]) + b"]}"

    def serialised(self, target: Target) -> tuple[list[str], list[bytes], str]:
        """Sorted keys and JSON of the objects a list selects, cached until the store changes."""
        rt = target.rtype
        cache_key = (
            rt.group,
            rt.version,
            rt.plural,
            target.namespace,
            self.q("labelSelector") or "",
            self.q("fieldSelector") or "",
        )
        cluster = self.cluster
        with self.store.cond:
            rv = self.store.rv
            cached = cluster._list_cache.get(cache_key)
            if cached is None or cached[0] != rv:
                ok = self.matcher(rt)
                items = [o for o in self.store.list(rt.group, rt.plural, target.namespace) if ok(o)]
                for o in items:
                    if rt.is_crd:
                        self.present(rt, o)
                    else:
                        o.pop("apiVersion", None)
                        o.pop("kind", None)
                cached = (
                    rv,
                    [
                        f"{o['metadata'].get('namespace', '')}/{o['metadata']['name']}"
                        for o in items
                    ],
                    [json.dumps(o).encode() for o in items],
                )
                cluster._list_cache[cache_key] = cached
        return cached[1], cached[2], str(rv)

    def watch(self, target: Target) -> None:
        rt = target.rtype
        ok = self.matcher(rt)
        timeout = float(self.q("timeoutSeconds") or 1800)
        deadline = time.monotonic() + timeout
        since = self.q("resourceVersion")
        handler = self.handler
        assert handler is not None

        def events() -> Any:
            with self.store.cond:
                if since in (None, "", "0"):
                    start = self.store.rv
                    initial = [
                        o for o in self.store.list(rt.group, rt.plural, target.namespace) if ok(o)
                    ]
                else:
                    start, initial = int(since), []
            for obj in initial:
                yield {"type": "ADDED", "object": self.present(rt, obj)}
            cursor = start
            while True:
                batch = []
                with self.store.cond:
                    while True:
                        batch = [e for e in self.store.events if e[0] > cursor]
                        remaining = deadline - time.monotonic()
                        if batch or remaining <= 0 or self.cluster._server is None:
                            break
                        self.store.cond.wait(min(remaining, 0.5))
                if not batch:
                    return
                cursor = batch[-1][0]
                for _, group, plural, kind, obj in batch:
                    ns = (obj.get("metadata") or {}).get("namespace")
                    if (
                        group == rt.group
                        and plural == rt.plural
                        and ok(obj)
                        and (target.namespace is None or ns == target.namespace)
                    ):
                        yield {"type": kind, "object": self.present(rt, copy.deepcopy(obj))}

        handler.stream_watch(self.req, events())

    def rules_review(self) -> tuple[int, Any, dict[str, Any]]:
        return _rules_review(self)

    def access_review(self) -> tuple[int, Any, dict[str, Any]]:
        review = self.body_obj() or {}
        attrs = (review.get("spec") or {}).get("resourceAttributes") or {}
        resource = attrs.get("resource", "")
        if attrs.get("subresource"):
            resource += "/" + attrs["subresource"]
        allowed = self.cluster.allowed(
            self.user,
            attrs.get("verb", ""),
            attrs.get("group", ""),
            resource,
            attrs.get("namespace") or None,
        )
        review.setdefault("apiVersion", "authorization.k8s.io/v1")
        review.setdefault("kind", "SelfSubjectAccessReview")
        review.setdefault("metadata", {})["creationTimestamp"] = None
        review["status"] = {"allowed": allowed}
        if not allowed:
            review["status"]["reason"] = ""
        return self.reply(201, review)


def _rules_review(api: _Api) -> tuple[int, Any, dict[str, Any]]:
    """The rules the policy grants in spec.namespace, one rule per (group, resource), as
    kube-apiserver lists them; `cluster.rules_review_incomplete` sets status.incomplete."""
    review = api.body_obj() or {}
    namespace = (review.get("spec") or {}).get("namespace") or None
    rules = []
    for rt in api.cluster.registry:
        for resource in (rt.plural, f"{rt.plural}/status") if rt.has_status else (rt.plural,):
            verbs = [
                v
                for v in rt.verbs
                if api.cluster.allowed(
                    api.user, v, rt.group, resource, namespace if rt.namespaced else None
                )
            ]
            if verbs:
                rules.append({"verbs": verbs, "apiGroups": [rt.group], "resources": [resource]})
    review.setdefault("apiVersion", "authorization.k8s.io/v1")
    review.setdefault("kind", "SelfSubjectRulesReview")
    review.setdefault("metadata", {})["creationTimestamp"] = None
    review["status"] = {
        "resourceRules": rules,
        "nonResourceRules": [],
        "incomplete": bool(getattr(api.cluster, "rules_review_incomplete", False)),
    }
    return api.reply(201, review)


def apply_conflict(conflicts: list[tuple[Any, tuple[str, ...]]]) -> ApiError:
    def who(key: Any) -> str:
        manager, operation, api_version, subresource = key
        text = f'"{manager}"'
        if subresource:
            text += f' with subresource "{subresource}"'
        return text + (f" using {api_version}" if operation == "Update" else "")

    def dotted(path: tuple[str, ...]) -> str:
        return "." + ".".join(path)

    causes = [
        {"reason": "FieldManagerConflict", "message": f"conflict with {who(k)}", "field": dotted(p)}
        for k, p in conflicts
    ]
    if len(conflicts) == 1:
        key, path = conflicts[0]
        message = f"Apply failed with 1 conflict: conflict with {who(key)}: {dotted(path)}"
    else:
        by_manager: dict[str, list[str]] = {}
        for key, path in conflicts:
            by_manager.setdefault(who(key), []).append(dotted(path))
        lines = []
        for manager in sorted(by_manager):
            lines.append(f"conflicts with {manager}:")
            lines += [f"- {p}" for p in by_manager[manager]]
        message = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
    return ApiError(409, "Conflict", message, {"causes": causes})


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def _pointer(path: str) -> list[str]:
    if not path.startswith("/"):
        raise ApiError(400, "BadRequest", f"invalid JSON patch path {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def json_patch(target: Any, ops: Any) -> Any:
    """RFC 6902 JSON patch (add, remove, replace, test, copy, move)."""
    doc = copy.deepcopy(target)
    if not isinstance(ops, list):
        raise ApiError(400, "BadRequest", "the JSON patch is not a list of operations")

    def walk_to(parts: list[str]) -> Any:
        cur = doc
        for part in parts[:-1]:
            cur = cur[int(part)] if isinstance(cur, list) else cur[part]
        return cur

    try:
        for op in ops:
            kind, parts = op["op"], _pointer(op["path"])
            parent, last = walk_to(parts), parts[-1]
            if kind == "test":
                cur = parent[int(last)] if isinstance(parent, list) else parent[last]
                if cur != op["value"]:
                    raise ApiError(
                        422,
                        "Invalid",
                        f"the server rejected our request due to an "
                        f"error in our request: testing value {op['path']} failed",
                    )
                continue
            if kind in ("copy", "move"):
                src = _pointer(op["from"])
                sp = walk_to(src)
                value = sp[int(src[-1])] if isinstance(sp, list) else sp[src[-1]]
                if kind == "move":
                    del sp[int(src[-1]) if isinstance(sp, list) else src[-1]]
                kind, op = "add", {"value": copy.deepcopy(value)}
            if kind == "remove":
                del parent[int(last) if isinstance(parent, list) else last]
            elif kind in ("add", "replace"):
                if isinstance(parent, list):
                    index = len(parent) if last == "-" else int(last)
                    if kind == "add":
                        parent.insert(index, op["value"])
                    else:
                        parent[index] = op["value"]
                else:
                    if kind == "replace" and last not in parent:
                        raise KeyError(last)
                    parent[last] = op["value"]
            else:
                raise ApiError(400, "BadRequest", f"unexpected JSON patch op {kind!r}")
    except (KeyError, IndexError, ValueError, TypeError) as err:
        raise ApiError(
            422, "Invalid", f"the server rejected our request due to an error in our request: {err}"
        ) from err
    return doc


__all__ = ["GATEWAY_GROUP", "ApiError", "FakeCluster", "Request"]
