"""Cluster access: the only module that imports `kubernetes`, and only when a command needs it.

The official client does the transport and authentication (kubeconfig users, exec plugins,
client certificates, proxies); requests and responses stay plain JSON dicts, because the typed
models cost a second of start-up and know nothing of Gateway API kinds.
"""

from __future__ import annotations

import json
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from ..core.model import (
    CRD_HINTS,
    GATEWAY_CLASSES,
    GATEWAY_GROUP,
    GATEWAYS,
    HTTPROUTES,
    POOL_GROUP_V1,
    POOL_GROUP_V1ALPHA2,
    POOLS_V1,
    POOLS_V1ALPHA2,
    REFERENCE_GRANTS_V1BETA1,
    SELF_SUBJECT_ACCESS_REVIEWS,
    ResourceApi,
    ServedApis,
)
from ..errors import (
    ADVICE_CONFLICT,
    ADVICE_SLOW_SERVER,
    ApiError,
    ClusterUnreachable,
    InferrouteError,
    KubeconfigError,
    NotFound,
)
from .contract import ResourceRules
from .kubeconfig import KubeconfigSelection

if TYPE_CHECKING:
    from .requestlog import RequestLog

DEFAULT_REQUEST_TIMEOUT = 30.0
PAGE_SIZE = 500
RETRY_ATTEMPTS = 4
RETRY_AFTER_CAP = 5.0
AGGREGATED_DISCOVERY_ACCEPT = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
    "application/json"
)
APPLY_PATCH = "application/apply-patch+yaml"
LEVEL_REQUESTS = 6  # requestlog.LEVEL_REQUESTS: the -v level that logs requests
SELF_SUBJECT_RULES_REVIEWS = ResourceApi(
    "authorization.k8s.io", "v1", "selfsubjectrulesreviews", "SelfSubjectRulesReview", False
)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def parse_warning_header(value: str) -> str:
    """The text of a `Warning: 299 - "text"` header (RFC 7234 warn-text)."""
    parts = value.split(" ", 2)
    if len(parts) == 3 and parts[0].isdigit():
        text = parts[2].strip()
        if text.startswith('"'):
            text = text[1:].rsplit('"', 1)[0].replace('\\"', '"')
        return text
    return value


def _status_error(
    resp: Response, what: str, method: str = "GET", path: str = ""
) -> InferrouteError:
    """Turn a Status body into one of our errors, keeping the server's words."""
    try:
        body = resp.json()
    except ValueError:
        body = None
    status = body if isinstance(body, dict) and body.get("kind") == "Status" else {}
    message = status.get("message") or resp.body.decode(errors="replace").strip()[:300]
    message = message or f"HTTP {resp.status}"
    reason = status.get("reason", "")
    causes = tuple(
        f"{c.get('field', '')}: {c.get('message', '')}".strip(": ")
        for c in (status.get("details") or {}).get("causes") or []
    )
    hints = {
        401: "your credentials were refused: refresh them (log in again) and check "
        "`kubectl auth whoami`",
        403: "ask for access, and check with `kubectl auth can-i`",
        404: f"check the name and namespace of {what}",
        409: "someone else changed it: run the command again",
        422: "fix the values named above",
        429: "the API server is overloaded: try again in a moment",
    }
    hint = hints.get(resp.status, "" if resp.status < 500 else "the API server failed: try again")
    if causes and not all(c.split(": ", 1)[-1] in message for c in causes):
        # The one line carries every field the server named, so nobody needs -v to fix them.
        message += " (" + "; ".join(causes) + ")"
    if resp.status == 403:
        can_i = _can_i(method, path)
        if can_i:
            hint = f"ask for access; check it with `{can_i}`"
    if "field not declared in schema" in message or "unknown field" in message:
        # kube-apiserver answers an apply with an unknown field with a 500 (kubernetes#139253).
        hint = "the cluster's CRD does not know a field we sent: upgrade its Gateway API CRDs"
    if resp.status == 404 and not status.get("details", {}).get("name"):
        hint = f"the API for {what} is not served by this cluster"
    error_type = NotFound if resp.status == 404 else ApiError
    if error_type is NotFound:
        return NotFound(message, hint)
    advice = ADVICE_CONFLICT if resp.status == 409 else ""
    return ApiError(
        message, hint, status=resp.status, reason=reason, causes=causes, flag_advice=advice
    )


class KubeClient:
    """A connection to one API server, authenticated as the kubeconfig says."""

    def __init__(
        self,
        selection: KubeconfigSelection,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        on_warning: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        verbosity: int = 0,
        log: Callable[[str], None] | None = None,
    ) -> None:
        """`verbosity` is kubectl's -v level: from 6 on, each request is written through `log`
        as kubectl writes it (cluster/requestlog.py)."""
        self.selection = selection
        self.request_timeout = request_timeout or None
        self.on_warning = on_warning
        self._request_log: RequestLog | None = None
        if log is not None and verbosity >= LEVEL_REQUESTS:
            from .requestlog import RequestLog

            self._request_log = RequestLog(verbosity, log, secrets=_credentials(selection))
        self.warnings: list[str] = []
        self.request_count = 0
        self._sleep = sleep
        self._served: ServedApis | None = None
        self._api_client = _build_api_client(selection)

    def close(self) -> None:
        self._api_client.close()

    # --- transport -------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, str] | None = None,
        body: Any = None,
        content_type: str = "application/json",
        accept: str = "application/json",
        what: str = "the object",
        ok_statuses: tuple[int, ...] = (),
        idempotent: bool | None = None,
    ) -> Response:
        """Send one request; retry what is safe to retry; raise our errors for failures.

        GETs, server-side applies (the same apply twice stores the same object) and reviews
        (which store nothing) are idempotent; creates are not and are never retried once sent.
        """
        url = self.selection.server + path
        if query:
            url += "?" + urlencode(query)
        headers = {"Accept": accept, "User-Agent": "kubectl-inferroute"}
        payload: str | None = None
        if body is not None:
            headers["Content-Type"] = content_type
            payload = body if isinstance(body, str) else json.dumps(body)
        if idempotent is None:
            idempotent = method in ("GET", "HEAD") or content_type == APPLY_PATCH
        attempt = 0
        while True:
            attempt += 1
            resp, retry_in = self._send(method, url, headers, payload, idempotent, attempt)
            if resp is None:
                continue
            if retry_in is not None and attempt < RETRY_ATTEMPTS:
                self._sleep(retry_in)
                continue
            if 200 <= resp.status < 300 or resp.status in ok_statuses:
                return resp
            raise _status_error(resp, what, method, path)

    def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        payload: str | None,
        idempotent: bool,
        attempt: int,
    ) -> tuple[Response | None, float | None]:
        import urllib3

        ApiException = _official().ApiException
        client = self._api_client
        auth_headers = dict(headers)
        client.update_params_for_auth(auth_headers, [], ["BearerToken"], url, method, payload)
        timeout = urllib3.Timeout(
            connect=min(self.request_timeout or 10.0, 10.0), read=self.request_timeout
        )
        self.request_count += 1
        log = self._request_log
        if log is not None:
            log.before(method, url, auth_headers, payload)
        started = time.monotonic()
        raw: Any = None
        try:
            try:
                raw = client.rest_client.pool_manager.request(
                    method,
                    url,
                    body=payload,
                    headers=auth_headers,
                    timeout=timeout,
                    preload_content=False,
                    retries=False,
                )
                answered = time.monotonic()
                try:
                    data = raw.read()
                finally:
                    raw.release_conn()
            except Exception:
                if log is not None:  # as kubectl: the status it got, else none
                    status = raw.status if raw is not None else None
                    headers_got = raw.headers.items() if raw is not None else ()
                    log.after(method, url, status, headers_got, _millis(started), None)
                raise
        except ApiException as exc:  # raised by the client for TLS failures
            raise ClusterUnreachable(
                f"TLS error talking to {self.selection.server}: {exc.reason}",
                "check the cluster's certificate-authority in the kubeconfig",
            ) from None
        except urllib3.exceptions.SSLError as exc:
            raise self._tls_error(exc) from None
        except urllib3.exceptions.NewConnectionError as exc:
            # Refused or unresolvable: the request never reached a server, so a retry is safe,
            # even for a write. (urllib3 makes this a subclass of its timeout error: test it first.)
            if attempt < 2:
                self._sleep(0.1)
                return None, None
            raise ClusterUnreachable(
                f"cannot reach the API server {self.selection.server}: {_root_cause(exc)}",
                f'check the context "{self.selection.context_name}" (`kubectl cluster-info`) and '
                "your network",
            ) from None
        except (urllib3.exceptions.TimeoutError, TimeoutError):
            # Not retried: a server too slow once is slow again, and --request-timeout bounds
            # the wait. A write that timed out may still land.
            raise ClusterUnreachable(
                f"the API server {self.selection.server} did not answer within "
                f"{self.request_timeout:g}s" + _maybe_applied(method, url),
                "check that the cluster is up (`kubectl cluster-info`)",
                flag_advice=ADVICE_SLOW_SERVER,
            ) from None
        except urllib3.exceptions.HTTPError as exc:
            if idempotent and attempt < 2:
                self._sleep(0.1)
                return None, None
            raise ClusterUnreachable(
                f"the connection to the API server {self.selection.server} dropped: "
                f"{_root_cause(exc)}" + _maybe_applied(method, url),
                f'check the context "{self.selection.context_name}" (`kubectl cluster-info`) and '
                "your network, then run the command again",
            ) from None
        if log is not None:
            elapsed = _millis(started, answered)
            log.after(method, url, raw.status, raw.headers.items(), elapsed, data)
        resp_headers = {k.lower(): v for k, v in raw.headers.items()}
        for value in raw.headers.get_all("Warning") or []:
            self._warn(parse_warning_header(value))
        resp = Response(raw.status, resp_headers, data)
        if resp.status == 429 or (resp.status >= 500 and idempotent):
            return resp, _retry_delay(resp_headers.get("retry-after"), attempt)
        return resp, None

    def _tls_error(self, exc: BaseException) -> ClusterUnreachable:
        """Say what went wrong in the TLS handshake: verification, or a server without TLS."""
        server = self.selection.server
        cause = _root_cause(exc)
        if cause.startswith("certificate verify failed"):
            return ClusterUnreachable(
                f"TLS verification failed for {server}: {cause}",
                "check the cluster's certificate-authority in the kubeconfig",
            )
        if _answers_plain_http(server, min(self.request_timeout or 5.0, 5.0)):
            return ClusterUnreachable(
                f"the API server {server} does not speak TLS: it answered in plain HTTP",
                "use its https:// port in the kubeconfig's server, or http:// if it really "
                "serves plain HTTP",
            )
        return ClusterUnreachable(
            f"the TLS handshake with {server} failed: {cause}",
            "check the port in the kubeconfig's server and the cluster's certificate-authority",
        )

    def _warn(self, text: str) -> None:
        if text and text not in self.warnings:
            self.warnings.append(text)
            if self.on_warning:
                self.on_warning(text)

    # --- verbs ------------------------------------------------------------------------------

    def get(self, api: ResourceApi, namespace: str | None, name: str) -> dict[str, Any] | None:
        """One object, or None when it does not exist."""
        resp = self.request(
            "GET", api.path(namespace, name), what=f"{api.kind} {name}", ok_statuses=(404,)
        )
        if resp.status == 404:
            body = resp.json() or {}
            if (body.get("details") or {}).get("name") == name:
                return None
            raise _missing_api(api)
        result: dict[str, Any] = resp.json()
        return result

    def list_pages(
        self,
        api: ResourceApi,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int = PAGE_SIZE,
    ) -> Iterator[list[dict[str, Any]]]:
        """Lists like kubectl: pages of `limit` objects, following `continue` tokens."""
        token = ""
        while True:
            query = {"limit": str(limit)}
            if token:
                query["continue"] = token
            if label_selector:
                query["labelSelector"] = label_selector
            if field_selector:
                query["fieldSelector"] = field_selector
            resp = self.request(
                "GET",
                api.path(namespace),
                query=query,
                what=f"{api.plural}.{api.group}",
                ok_statuses=(404,),
            )
            if resp.status == 404:
                raise _missing_api(api)
            body = resp.json() or {}
            del resp
            token = (body.get("metadata") or {}).get("continue") or ""
            items: list[dict[str, Any]] = body.get("items") or []
            del body
            yield items
            # Hold no page (raw or decoded) while the next one is fetched: one page at a time.
            del items
            if not token:
                return

    def list(
        self, api: ResourceApi, namespace: str | None = None, **kw: Any
    ) -> list[dict[str, Any]]:
        """All objects of a kind, page after page."""
        return [item for page in self.list_pages(api, namespace, **kw) for item in page]

    def apply(
        self,
        api: ResourceApi,
        obj: dict[str, Any],
        *,
        field_manager: str,
        dry_run: bool,
        force: bool = False,
    ) -> dict[str, Any]:
        """Server-side apply with strict field validation; returns the object the server keeps."""
        meta = obj["metadata"]
        query = {"fieldManager": field_manager, "fieldValidation": "Strict"}
        if dry_run:
            query["dryRun"] = "All"
        if force:
            query["force"] = "true"
        resp = self.request(
            "PATCH",
            api.path(meta.get("namespace"), meta["name"]),
            query=query,
            body=json.dumps(obj),  # JSON is YAML: the server takes it as apply-patch+yaml
            content_type=APPLY_PATCH,
            what=f"{api.kind} {meta['name']}",
        )
        result: dict[str, Any] = resp.json()
        return result

    def delete(
        self, api: ResourceApi, namespace: str | None, name: str, *, dry_run: bool = False
    ) -> dict[str, Any] | None:
        """Delete one object; gone already is fine (None). Returns what the server answered: the
        object as deleted (with a deletionTimestamp while finalizers hold it), or a Status.
        `dry_run`: dryRun=All, the server checks permission and admission and keeps the object."""
        resp = self.request(
            "DELETE",
            api.path(namespace, name),
            query={"dryRun": "All"} if dry_run else None,
            what=f"{api.kind} {name}",
            ok_statuses=(404,),
        )
        if resp.status == 404:
            return None
        body = resp.json()
        return body if isinstance(body, dict) else None

    def access_review(self, verb: str, group: str, resource: str, namespace: str) -> bool:
        """SelfSubjectAccessReview: may the current user do verb on resource in namespace?"""
        review = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {
                "resourceAttributes": {
                    "verb": verb,
                    "group": group,
                    "resource": resource,
                    "namespace": namespace,
                }
            },
        }
        resp = self.request(
            "POST",
            SELF_SUBJECT_ACCESS_REVIEWS.path(),
            body=review,
            what="SelfSubjectAccessReview",
            idempotent=True,
        )
        return bool(((resp.json() or {}).get("status") or {}).get("allowed"))

    def rules_review(self, namespace: str) -> tuple[ResourceRules, bool] | None:
        """SelfSubjectRulesReview: (resourceRules, incomplete); None when it is not served."""
        review = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectRulesReview",
            "spec": {"namespace": namespace},
        }
        resp = self.request(
            "POST",
            SELF_SUBJECT_RULES_REVIEWS.path(),
            body=review,
            what="SelfSubjectRulesReview",
            idempotent=True,
            ok_statuses=(404, 405),
        )
        if resp.status in (404, 405):
            return None
        status = (resp.json() or {}).get("status") or {}
        rules: ResourceRules = [*(status.get("resourceRules") or [])]
        return rules, bool(status.get("incomplete"))

    # --- discovery ---------------------------------------------------------------------------

    def served_apis(self) -> ServedApis:
        """Which versions of our kinds the cluster serves; asked once per run."""
        if self._served is None:
            self._served = self._discover()
        return self._served

    def _discover(self) -> ServedApis:
        resp = self.request("GET", "/apis", accept=AGGREGATED_DISCOVERY_ACCEPT, what="/apis")
        body = resp.json() or {}
        served: dict[str, dict[str, set[str]]] = {}  # group → version → plurals
        if body.get("kind") == "APIGroupDiscoveryList":
            for group in body.get("items") or []:
                name = (group.get("metadata") or {}).get("name", "")
                for version in group.get("versions") or []:
                    plurals = {r.get("resource", "") for r in version.get("resources") or []}
                    served.setdefault(name, {})[version.get("version", "")] = plurals
        else:
            wanted = {GATEWAY_GROUP, POOL_GROUP_V1, POOL_GROUP_V1ALPHA2}
            for group in body.get("groups") or []:
                if group.get("name") not in wanted:
                    continue
                for version in group.get("versions") or []:
                    listing = self.request("GET", f"/apis/{version['groupVersion']}").json() or {}
                    plurals = {
                        r.get("name", "")
                        for r in listing.get("resources") or []
                        if "/" not in r.get("name", "")
                    }
                    served.setdefault(group["name"], {})[version["version"]] = plurals
        return served_apis_from(served)


def served_apis_from(served: dict[str, dict[str, set[str]]]) -> ServedApis:
    """Pick, for each kind, the version we understand that the cluster serves."""

    def pick(*candidates: ResourceApi) -> ResourceApi | None:
        for api in candidates:
            if api.plural in served.get(api.group, {}).get(api.version, set()):
                return api
        return None

    grants_v1 = ResourceApi(GATEWAY_GROUP, "v1", "referencegrants", "ReferenceGrant")
    pools = tuple(api for api in (POOLS_V1, POOLS_V1ALPHA2) if pick(api))
    return ServedApis(
        gateways=pick(GATEWAYS),
        httproutes=pick(HTTPROUTES),
        reference_grants=pick(grants_v1, REFERENCE_GRANTS_V1BETA1),
        gateway_classes=pick(GATEWAY_CLASSES),
        pools=pools,
    )


def _millis(started: float, ended: float | None = None) -> int:
    """Whole milliseconds since `started` (monotonic), as kubectl counts them."""
    return int(((time.monotonic() if ended is None else ended) - started) * 1000)


def _credentials(selection: KubeconfigSelection) -> list[str]:
    """The kubeconfig user's secret values, never to be written in a request log."""
    for entry in selection.config.get("users") or []:
        if isinstance(entry, dict) and entry.get("name") == selection.user_name:
            user = entry.get("user") or {}
            found = [str(user[key]) for key in ("token", "password") if user.get(key)]
            for key in ("client-key", "client-certificate"):
                found += _pem_lines(user.get(f"{key}-data"), user.get(key))
            return found
    return []


def _pem_lines(data: Any, path: Any) -> list[str]:
    """A certificate's or key's text as the kubeconfig gives it (base64 data, or a file), and
    the lines of its PEM body."""
    import base64
    from pathlib import Path

    found = [str(data)] if data else []
    if not data and not path:
        return found
    try:
        text = base64.b64decode(str(data)).decode() if data else Path(str(path)).read_text()
    except (OSError, ValueError):
        return found
    return found + [line for line in text.splitlines() if line and not line.startswith("-----")]


def _retry_delay(retry_after: str | None, attempt: int) -> float:
    if retry_after and retry_after.strip().isdigit():
        return min(float(retry_after), RETRY_AFTER_CAP)
    return float(min(0.2 * 2 ** (attempt - 1), RETRY_AFTER_CAP))


def _missing_api(api: ResourceApi) -> NotFound:
    """A 404 for a whole resource: its CRD is not installed. Name it, and how to install it."""
    crd = f"{api.plural}.{api.group}" if api.group else api.plural
    return NotFound(
        f"the cluster does not serve {crd}/{api.version} (CRD {crd} is not installed)",
        CRD_HINTS.get(api.group, "install the CRD that defines it"),
    )


def _maybe_applied(method: str, url: str) -> str:
    if method in ("GET", "HEAD") or "selfsubject" in url:
        return ""
    return "; the change may or may not have been made: check with kubectl get before retrying"


def _can_i(method: str, path: str) -> str:
    """The `kubectl auth can-i` command for a request, from its method and URL path."""
    parts = [p for p in path.split("?")[0].split("/") if p]
    if not parts:
        return ""
    rest = parts[2:] if parts[0] == "api" else parts[3:]
    group = "" if parts[0] == "api" else (parts[1] if len(parts) > 1 else "")
    namespace = ""
    if len(rest) >= 3 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    if not rest:
        return ""
    resource = rest[0] + (f".{group}" if group else "")
    verb = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}.get(
        method, "get" if len(rest) > 1 else "list"
    )
    return f"kubectl auth can-i {verb} {resource}" + (f" -n {namespace}" if namespace else "")


def _answers_plain_http(server: str, timeout: float) -> bool:
    """Whether the server's host and port answer a plain HTTP request (told after TLS failed)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(server)
    host = parts.hostname or ""
    try:
        with socket.create_connection((host, parts.port or 443), timeout=timeout) as sock:
            sock.sendall(f"HEAD / HTTP/1.0\r\nHost: {parts.netloc}\r\n\r\n".encode())
            with sock.makefile("rb") as answer:
                return answer.read(5) == b"HTTP/"
    except (OSError, ValueError, UnicodeError):
        return False


def _root_cause(exc: BaseException) -> str:
    reason: object = getattr(exc, "reason", None)
    while isinstance(reason, BaseException) and getattr(reason, "reason", None) is not None:
        reason = getattr(reason, "reason", None)
    text = str(reason or exc)
    lowered = text.lower()
    if (
        "name or service not known" in lowered
        or "nodename nor servname" in lowered
        or ("failed to resolve" in lowered)
        or "temporary failure in name resolution" in lowered
    ):
        return "the host name does not resolve (DNS)"
    if "incompleteread" in lowered or "connection broken" in lowered:
        return "it closed in the middle of the response"
    if "remotedisconnected" in lowered or "connection aborted" in lowered:
        return "it closed without answering"
    if "connection refused" in lowered:
        return "connection refused"
    if "certificate verify failed" in lowered:
        detail = text.split("certificate verify failed:", 1)[-1].split("(_ssl")[0]
        return "certificate verify failed: " + detail.strip(" ()")
    # urllib3 wraps the useful part after the object's repr: keep the human words.
    for marker in ("Failed to establish a new connection: ", "Failed to resolve "):
        if marker in text:
            text = text.split(marker, 1)[1]
    text = text.split(" (_ssl.c")[0]
    return text.strip().rstrip(")").strip() or type(exc).__name__


def _build_api_client(selection: KubeconfigSelection) -> Any:
    """The official client, configured from our merged kubeconfig, with exec failures surfaced."""
    official = _official()
    ApiClient, Configuration = _Transport, official.Configuration
    ConfigException, KubeConfigLoader = official.ConfigException, official.KubeConfigLoader

    class StrictLoader(KubeConfigLoader):  # type: ignore[misc,valid-type]
        """The client logs a failing exec plugin and sends the request anyway; we stop."""

        def _load_from_exec_plugin(self) -> bool | None:
            user: Any = self._user
            if not user or "exec" not in user:
                return None
            ExecProvider = official.ExecProvider
            exec_cfg = user["exec"]
            command = exec_cfg.safe_get("command") or "?"
            try:
                status = ExecProvider(exec_cfg, "", self._cluster).run()
            except Exception as exc:
                raise KubeconfigError(
                    f'exec credential plugin "{command}" failed: {str(exc).strip()}',
                    f'fix or log in to the credential plugin for user "{selection.user_name}"',
                ) from None
            if "token" in status:
                self.token = f"Bearer {status['token']}"
                return True
            if "clientCertificateData" in status and "clientKeyData" in status:
                return bool(super()._load_from_exec_plugin())
            raise KubeconfigError(
                f'exec credential plugin "{command}" returned neither a token nor a certificate',
                "check the plugin's output format (client.authentication.k8s.io ExecCredential)",
            )

    configuration = Configuration()
    try:
        loader = StrictLoader(
            config_dict=selection.config,
            active_context=selection.context_name,
            config_base_path=None,
        )
        loader.load_and_set(configuration)
    except ConfigException as exc:
        raise KubeconfigError(
            f"kubeconfig context {selection.context_name!r} is unusable: {exc}",
            "check it with `kubectl config view --minify`",
        ) from None
    except (OSError, ValueError) as exc:
        raise KubeconfigError(
            f"kubeconfig context {selection.context_name!r} is unusable: {exc}",
            "check the certificate and key files or data it names",
        ) from None
    configuration.retries = False
    if not configuration.verify_ssl:
        # The user chose insecure-skip-tls-verify; kubectl does not nag about it either.
        import urllib3

        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    return ApiClient(configuration)


# --- the official client, without the 0.4 s of its package __init__s ------------------------------

_OFFICIAL: Any = None
_LEAN_PACKAGES = ("kubernetes", "kubernetes.client", "kubernetes.config", "kubernetes.utils")
# kube_config imports these at the top for OIDC token refresh only (~0.1 s with requests)...
_DEFERRED = ("oauthlib", "oauthlib.oauth2", "requests_oauthlib")
# ... and PyYAML for reading kubeconfig files, which we read ourselves (blockyaml, else PyYAML).
_DEFERRED_ALONE = ("yaml",)


def _official() -> Any:
    """The parts of the official client we use: its kubeconfig loader, exec provider,
    Configuration and REST client (urllib3 with the kubeconfig's TLS and proxy settings).

    `import kubernetes` runs package __init__s that import every API class and model, pydantic
    and dateutil (0.4-0.5 s); none of that is needed to load a kubeconfig and send requests.
    The submodules are imported under placeholder packages that are removed again, so a later
    `import kubernetes` anywhere in the process still gets the whole, real package. Any
    surprise in a client version falls back to the plain import.
    """
    global _OFFICIAL
    if _OFFICIAL is None:
        import sys

        try:
            if "kubernetes" in sys.modules:
                raise ImportError("already imported whole")
            _OFFICIAL = _lean_import()
        except Exception:
            _OFFICIAL = _plain_import()
    return _OFFICIAL


def _lean_import() -> Any:
    import importlib
    import importlib.util
    import os
    import sys
    import types

    spec = importlib.util.find_spec("kubernetes")
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise ImportError("kubernetes is not a package")
    placeholders = {}
    for name in _LEAN_PACKAGES:
        module = types.ModuleType(name)
        module.__path__ = [os.path.join(locations[0], *name.split(".")[1:])]
        module.__package__ = name
        placeholders[name] = module
    deferred = {name: _Deferred(name) for name in _DEFERRED if name not in sys.modules}
    if len(deferred) == len(_DEFERRED):
        deferred["oauthlib"].oauth2 = deferred["oauthlib.oauth2"]  # type: ignore[attr-defined]
        deferred["requests_oauthlib"].OAuth2Session = _oauth2_session  # type: ignore[attr-defined]
    else:
        deferred = {}
    deferred.update({name: _Deferred(name) for name in _DEFERRED_ALONE if name not in sys.modules})
    before = set(sys.modules)
    try:
        sys.modules.update(placeholders)
        sys.modules.update(deferred)
        configuration = importlib.import_module("kubernetes.client.configuration")
        client = placeholders["kubernetes.client"]
        client.Configuration = configuration.Configuration  # type: ignore[attr-defined]
        # kube_config imports ApiClient by name, for helpers we never call.
        client.ApiClient = _whole_api_client  # type: ignore[attr-defined]
        loaded = types.SimpleNamespace(
            Configuration=configuration.Configuration,
            rest=importlib.import_module("kubernetes.client.rest"),
            ApiException=importlib.import_module("kubernetes.client.exceptions").ApiException,
            KubeConfigLoader=importlib.import_module(
                "kubernetes.config.kube_config"
            ).KubeConfigLoader,
            ConfigException=importlib.import_module(
                "kubernetes.config.config_exception"
            ).ConfigException,
            ExecProvider=importlib.import_module("kubernetes.config.exec_provider").ExecProvider,
        )
    except Exception:
        for name in set(sys.modules) - before:  # leave nothing half-imported behind
            if name.startswith("kubernetes"):
                del sys.modules[name]
        raise
    finally:
        for name, module in [*placeholders.items(), *deferred.items()]:
            if sys.modules.get(name) is module:
                del sys.modules[name]
    return loaded


def _plain_import() -> Any:
    import types

    from kubernetes.client import Configuration, rest
    from kubernetes.client.exceptions import ApiException
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.exec_provider import ExecProvider
    from kubernetes.config.kube_config import KubeConfigLoader

    return types.SimpleNamespace(
        Configuration=Configuration,
        rest=rest,
        ApiException=ApiException,
        KubeConfigLoader=KubeConfigLoader,
        ConfigException=ConfigException,
        ExecProvider=ExecProvider,
    )


class _Deferred(types.ModuleType):
    """A module imported for real on first use (the placeholder is gone from sys.modules)."""

    def __getattr__(self, attr: str) -> Any:
        import importlib
        import sys

        if attr.startswith("__") or sys.modules.get(self.__name__) is self:
            raise AttributeError(attr)
        return getattr(importlib.import_module(self.__name__), attr)


def _oauth2_session(*args: Any, **kwargs: Any) -> Any:
    import importlib

    return importlib.import_module("requests_oauthlib").OAuth2Session(*args, **kwargs)


def _whole_api_client(*args: Any, **kwargs: Any) -> Any:
    from kubernetes.client.api_client import ApiClient

    return ApiClient(*args, **kwargs)


class _Transport:
    """What we use of the official ApiClient: its REST client (one urllib3 pool for the run) and
    its Configuration's auth settings (bearer tokens, refreshed through exec plugins)."""

    def __init__(self, configuration: Any) -> None:
        self.configuration = configuration
        self.rest_client = _official().rest.RESTClientObject(configuration)

    def update_params_for_auth(
        self,
        headers: dict[str, str],
        queries: Any,
        auth_settings: list[str],
        resource_path: str,
        method: str,
        body: Any,
    ) -> None:
        """ApiClient.update_params_for_auth for header and cookie settings (all kubeconfigs use)."""
        settings = self.configuration.auth_settings()
        for name in auth_settings:
            setting = settings.get(name)
            if not setting:
                continue
            if setting["in"] == "header" and setting.get("type") != "http-signature":
                headers[setting["key"]] = setting["value"]
            elif setting["in"] == "cookie":
                cookie = f"{setting['key']}={setting['value']}"
                old = headers.get("Cookie")
                headers["Cookie"] = f"{old}; {cookie}" if old else cookie

    def close(self) -> None:
        close = getattr(self.rest_client, "close", None)
        if close is not None:
            close()
        else:
            self.rest_client.pool_manager.clear()
