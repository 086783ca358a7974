"""Input rules, checked before any request: each failure names the flag and shows a valid value.

The patterns and limits mirror the Gateway API v1 HTTPRoute CRD (OpenAPI patterns and CEL rules)
so that what passes here also passes the API server. Only the standard library is imported:
this module runs on the fast path of every command, including `--help` completion.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence

from ..errors import InvalidInput
from .durations import check_gateway_duration, parse_request_timeout
from .model import MODEL_HEADER, POOL_GROUPS, HeaderMatch, ObjectRef, RouteSpec

# The flag names used in messages from check_route_spec; the CLI defines the same flags.
FLAG_NAME = "--name"
FLAG_NAMESPACE = "--namespace"
FLAG_GATEWAY = "--gateway"
FLAG_SECTION_NAME = "--section-name"
FLAG_HOSTNAME = "--hostname"
FLAG_PATH = "--path"
FLAG_PATH_TYPE = "--path-type"
FLAG_HEADER = "--header"
FLAG_MODEL = "--model"
FLAG_PORT = "--port"
# `--request-timeout` is kubectl's flag for API calls, so the route's own timeout has another name.
FLAG_ROUTE_TIMEOUT = "--route-timeout"
FLAG_BACKEND_TIMEOUT = "--backend-timeout"
ARG_POOL = "POOL"

# Limits from gateway.networking.k8s.io_httproutes.yaml (v1).
MAX_NAME = 253
MAX_LABEL = 63
MAX_HOSTNAMES = 16
MAX_PARENT_REFS = 32
MAX_BACKEND_REFS = 16
MAX_HEADER_MATCHES = 16
MAX_PATH = 1024
MAX_HEADER_NAME = 256
MAX_HEADER_VALUE = 4096
MAX_WEIGHT = 1_000_000
PATH_TYPES = ("PathPrefix", "Exact")

# Patterns copied from the CRD; tests/test_validation.py checks they still equal the CRD's.
DNS_SUBDOMAIN_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
DNS_LABEL_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
SECTION_NAME_PATTERN = DNS_SUBDOMAIN_PATTERN
HOSTNAME_PATTERN = r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
HEADER_NAME_PATTERN = r"^[A-Za-z0-9!#$%&'*+\-.^_\x60|~]+$"
PATH_CHARS_PATTERN = r"^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$"

# fullmatch, never match: Python's `$` also matches before a trailing newline.
_DNS_SUBDOMAIN = re.compile(DNS_SUBDOMAIN_PATTERN)
_DNS_LABEL = re.compile(DNS_LABEL_PATTERN)
_HOSTNAME = re.compile(HOSTNAME_PATTERN)
_HEADER_NAME = re.compile(HEADER_NAME_PATTERN)
_PATH_CHARS = re.compile(PATH_CHARS_PATTERN)
_DIGITS = re.compile(r"[0-9]+")
# Kubernetes label keys: optional DNS-subdomain prefix, then a qualified name.
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")

_NAME_HINT = (
    "use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, "
    "at most 253 characters (e.g. qwen-pool)"
)
_LABEL_HINT = (
    "use lowercase letters, digits and '-', starting and ending with a letter or digit, "
    "at most 63 characters (e.g. llm)"
)
WEIGHT_RULE = f"weights are whole numbers from 0 to {MAX_WEIGHT}"
WEIGHT_HINT = "give relative weights such as qwen-pool=90 other-pool=10; 0 sends no traffic"
POOL_FORM = "[NAMESPACE/]POOL[=WEIGHT]"


def _name_problem(value: str, max_len: int, dots: bool) -> str | None:
    """Say why value is not a DNS-1123 subdomain (dots) or label (no dots), or None if it is."""
    if not value:
        return "is empty"
    if len(value) > max_len:
        return f"is {len(value)} characters long, more than {max_len}"
    if value != value.lower():
        return "contains uppercase letters"
    if not dots and "." in value:
        return "contains '.'"
    bad = sorted({c for c in value if not (c.isascii() and (c.isalnum() or c in "-."))})
    if bad:
        return "contains " + ", ".join(repr(c) for c in bad)
    pattern = _DNS_SUBDOMAIN if dots else _DNS_LABEL
    if not pattern.fullmatch(value):
        if dots:
            return "has a part that does not start and end with a letter or digit"
        return "does not start and end with a letter or digit"
    return None


def check_dns_subdomain(value: str, what: str) -> str:
    """Return value if it is a DNS-1123 subdomain (an object name), else raise InvalidInput."""
    problem = _name_problem(value, MAX_NAME, dots=True)
    if problem:
        raise InvalidInput(f'{what} "{value}": {problem}; not a valid name', _NAME_HINT)
    return value


def check_dns_label(value: str, what: str) -> str:
    """Return value if it is a DNS-1123 label (a namespace), else raise InvalidInput."""
    problem = _name_problem(value, MAX_LABEL, dots=False)
    if problem:
        raise InvalidInput(f'{what} "{value}": {problem}; not a valid namespace', _LABEL_HINT)
    return value


def check_section_name(value: str, what: str = FLAG_SECTION_NAME) -> str:
    """Return value if it matches the Gateway API SectionName pattern (a listener name)."""
    problem = _name_problem(value, MAX_NAME, dots=True)
    if problem:
        raise InvalidInput(
            f'{what} "{value}": {problem}; not a valid listener name',
            "give the name of one of the Gateway's listeners, e.g. http "
            "(lowercase letters, digits, '-' and '.')",
        )
    return value


def check_timeouts(
    request: str | None,
    backend_request: str | None,
    *,
    request_flag: str = FLAG_ROUTE_TIMEOUT,
    backend_flag: str = FLAG_BACKEND_TIMEOUT,
) -> None:
    """Check both timeouts are GEP-2257 and the CRD's rule that backendRequest fits in request."""
    req = check_gateway_duration(request, request_flag) if request is not None else None
    backend = (
        check_gateway_duration(backend_request, backend_flag)
        if backend_request is not None
        else None
    )
    if req is None or backend is None:
        return
    # Mirrors the CEL rule exactly: !(request != 0s && backendRequest > request). A backendRequest
    # of 0s (no backend timeout) under a non-zero request passes: the request timeout still caps it.
    if req.nanoseconds != 0 and backend.nanoseconds > req.nanoseconds:
        raise InvalidInput(
            f'{backend_flag} "{backend_request}" is longer than {request_flag} "{request}"',
            f"make {backend_flag} at most {request}, or set {request_flag} 0s (no timeout)",
        )


def check_path(value: str, path_type: str, flag: str = FLAG_PATH) -> str:
    """Return value if it is a valid HTTPRoute path match of path_type, else raise InvalidInput."""
    if path_type not in PATH_TYPES:
        raise InvalidInput(
            f'{FLAG_PATH_TYPE} "{path_type}": not one of {", ".join(PATH_TYPES)}',
            "use PathPrefix (the default) or Exact",
        )
    hint = "use an absolute URL path such as / or /v1/completions"
    if len(value) > MAX_PATH:
        raise InvalidInput(f"{flag}: {len(value)} characters long, more than {MAX_PATH}", hint)
    # The CRD's CEL rules for Exact and PathPrefix, in the CRD's order.
    problem = None
    if not value.startswith("/"):
        problem = "must start with '/'"
    else:
        for bad in ("//", "/./", "/../", "%2f", "%2F", "#"):
            if bad in value:
                problem = f"must not contain {bad!r}"
                break
        else:
            for end in ("/..", "/."):
                if value.endswith(end):
                    problem = f"must not end with {end!r}"
                    break
            else:
                if not _PATH_CHARS.fullmatch(value):
                    problem = (
                        "contains characters a URL path does not allow unescaped "
                        "(percent-encode them, e.g. %20 for a space)"
                    )
    if problem:
        raise InvalidInput(f'{flag} "{value}": {problem}', hint)
    return value


def check_weight(value: int, what: str) -> int:
    """Return value if it is a backendRef weight (an integer 0..1000000), else raise."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_WEIGHT:
        raise InvalidInput(f"{what}: weight {value!r}: {WEIGHT_RULE}", WEIGHT_HINT)
    return value


def check_weights(weights: Sequence[int]) -> None:
    """Refuse weights that are all zero: the route would send no traffic anywhere."""
    if weights and not any(weights):
        raise InvalidInput(
            f"{ARG_POOL}: every pool has weight 0, so the route would send no traffic",
            "give at least one pool a weight above 0, e.g. qwen-pool=1",
        )


def check_port(value: int, flag: str) -> int:
    """Return value if it is a TCP port (1..65535), else raise InvalidInput."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise InvalidInput(
            f'{flag} "{value}": not a port number from 1 to 65535',
            "use the pool's target port; llm-d model servers listen on 8000",
        )
    return value


def parse_header(text: str, flag: str = FLAG_HEADER) -> HeaderMatch:
    """Parse NAME=VALUE into an exact header match, checking the CRD's name and value rules."""
    hint = "use NAME=VALUE, e.g. x-model=qwen; names use letters, digits and !#$%&'*+-.^_`|~"
    name, sep, value = text.partition("=")
    if not sep:
        raise InvalidInput(f'{flag} "{text}": expected NAME=VALUE', hint)
    if not name:
        raise InvalidInput(f'{flag} "{text}": the header name is empty', hint)
    if len(name) > MAX_HEADER_NAME:
        raise InvalidInput(f"{flag}: header name longer than {MAX_HEADER_NAME} characters", hint)
    if not _HEADER_NAME.fullmatch(name):
        raise InvalidInput(f'{flag} "{text}": "{name}" is not a valid HTTP header name', hint)
    if not value:
        raise InvalidInput(f'{flag} "{text}": the header value is empty', hint)
    problem = _header_value_problem(value)
    if problem:
        raise InvalidInput(
            f'{flag} "{name}": the value {problem}',
            "header values are visible characters, with spaces and tabs only between them "
            "(RFC 9110 field-value)",
        )
    if len(value) > MAX_HEADER_VALUE:
        raise InvalidInput(
            f'{flag} "{name}": value is {len(value)} characters, more than {MAX_HEADER_VALUE}', hint
        )
    return HeaderMatch(name=name, value=value)


def _header_value_problem(value: str) -> str | None:
    """Why no request could carry value in a header (RFC 9110 field-value), or None.

    The CRD only bounds the length; but a request's header value holds no control character
    other than a tab, and never starts or ends with a space or tab (parsers strip them), so an
    exact match on such a value could never match."""
    for char in value:
        if (ord(char) < 0x20 and char != "\t") or 0x7F <= ord(char) <= 0x9F:
            return f"contains a control character ({_escaped(char)})"
    if value[0] in " \t" or value[-1] in " \t":
        return "starts or ends with a space or tab, which HTTP strips from header values"
    return None


def _escaped(char: str) -> str:
    named = {"\n": "newline \\n", "\r": "carriage return \\r", "\x00": "NUL \\x00"}
    return named.get(char) or repr(char).strip("'")


def check_model(value: str, flag: str = FLAG_MODEL) -> str:
    """Return value if it can be the base-model header's value (any model name, e.g.
    Qwen/Qwen3-32B); refuse what no request could carry in a header."""
    hint = "give the base model's name as clients send it in the body, e.g. Qwen/Qwen3-32B"
    if not value:
        raise InvalidInput(f"{flag}: the model name is empty", hint)
    problem = _header_value_problem(value)
    if problem:
        raise InvalidInput(
            f"{flag} {value!r}: the name {problem}",
            f"{hint}; it travels in the {MODEL_HEADER} header (RFC 9110 field-value)",
        )
    if len(value) > MAX_HEADER_VALUE:
        raise InvalidInput(
            f"{flag}: the model name is {len(value)} characters, more than {MAX_HEADER_VALUE}",
            hint,
        )
    return value


def check_headers(headers: Iterable[HeaderMatch], flag: str = FLAG_HEADER) -> None:
    """Refuse more than 16 header matches or two with the same name (HTTP names ignore case)."""
    seen: dict[str, str] = {}
    count = 0
    for header in headers:
        count += 1
        key = header.name.lower()
        if key in seen:
            raise InvalidInput(
                f'{flag} "{header.name}": given twice (as "{seen[key]}" too); '
                "header names ignore case",
                "give each header once; a request must match all of them",
            )
        seen[key] = header.name
    if count > MAX_HEADER_MATCHES:
        raise InvalidInput(
            f"{flag}: {count} header matches, more than {MAX_HEADER_MATCHES}",
            f"give at most {MAX_HEADER_MATCHES} --header flags",
        )


def parse_headers(texts: Iterable[str], flag: str = FLAG_HEADER) -> tuple[HeaderMatch, ...]:
    """Parse every NAME=VALUE and refuse duplicate names (case-insensitive) and too many."""
    headers = tuple(parse_header(text, flag) for text in texts)
    check_headers(headers, flag)
    return headers


def check_hostname(value: str, flag: str = FLAG_HOSTNAME) -> str:
    """Return value if it is a Gateway API Hostname (wildcard allowed; no IP, no port)."""
    hint = "use a DNS name such as api.example.com or *.example.com, without port or scheme"
    problem = None
    if not value:
        problem = "is empty"
    elif len(value) > MAX_NAME:
        problem = f"is {len(value)} characters long, more than {MAX_NAME}"
    elif "://" in value:
        problem = "includes a scheme"
    elif ":" in value and not _is_ip(value):
        problem = "includes a port"
    elif _is_ip(value):
        problem = "is an IP address; hostnames must be DNS names"
    elif value != value.lower():
        problem = "contains uppercase letters"
    elif not _HOSTNAME.fullmatch(value):
        problem = "is not a DNS name (a wildcard is allowed only as the whole first label, '*.')"
    elif any(len(label) > MAX_LABEL for label in value.split(".")):
        # RFC 1123, which Gateway API's Hostname follows: the CRD's pattern does not count.
        longest = max(len(label) for label in value.split("."))
        problem = f"has a part between dots {longest} characters long, more than {MAX_LABEL}"
    if problem:
        raise InvalidInput(f'{flag} "{value}": {problem}', hint)
    return value


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return False
    return True


def parse_object_ref(
    text: str,
    default_namespace: str,
    what: str,
    *,
    form: str = "NAME or NAMESPACE/NAME",
    example: str = "e.g. inference-gateway or gateways/inference-gateway",
) -> ObjectRef:
    """Parse [NAMESPACE/]NAME into an ObjectRef, using default_namespace when none is given.

    Errors name `what` and the value once; `form` and `example` say what a valid one looks like.
    """
    namespace, sep, name = text.rpartition("/")
    if sep and "/" in namespace:
        raise InvalidInput(f'{what} "{text}" has more than one "/": the form is {form}', example)
    if sep and not namespace:
        raise InvalidInput(
            f'{what} "{text}": the namespace before "/" is empty; the form is {form}', example
        )
    if not sep:
        namespace = default_namespace
    check_dns_label(namespace, f"{what} namespace" if sep else FLAG_NAMESPACE)
    check_dns_subdomain(name, what)
    return ObjectRef(namespace=namespace, name=name)


def parse_pool_arg(text: str, default_namespace: str) -> tuple[ObjectRef, int | None]:
    """Parse [NAMESPACE/]POOL[=WEIGHT]; the weight is None when not given."""
    ref_text, sep, weight_text = text.partition("=")
    weight: int | None = None
    if sep:
        if not _DIGITS.fullmatch(weight_text) or int(weight_text) > MAX_WEIGHT:
            raise InvalidInput(f'{ARG_POOL} "{text}": {WEIGHT_RULE}', WEIGHT_HINT)
        weight = int(weight_text)
    ref = parse_object_ref(
        ref_text,
        default_namespace,
        ARG_POOL,
        form=POOL_FORM,
        example="e.g. qwen-pool, llm/qwen-pool or qwen-pool=90",
    )
    return ref, weight


def derive_route_name(pool_name: str) -> str:
    """Return the default route name for a pool, a valid DNS-1123 subdomain.

    Rule, applied in order: lowercase; replace every character outside [a-z0-9.-] with '-';
    in each '.'-separated part strip leading and trailing '-' and drop parts left empty; keep
    the first 253 characters, then strip trailing '-' and '.'; if nothing is left, use
    "inferroute". A valid pool name comes back unchanged (pool `qwen-pool` → route `qwen-pool`).
    """
    text = re.sub(r"[^a-z0-9.-]", "-", pool_name.lower())
    parts = (part.strip("-") for part in text.split("."))
    name = ".".join(part for part in parts if part)[:MAX_NAME].rstrip("-.")
    return name or "inferroute"


def check_label(key: str, value: str, flag: str = "--label") -> None:
    """Refuse a metadata label the API server would reject (qualified key, value ≤63)."""
    hint = "keys look like example.com/name or name; values up to 63 letters, digits, '-_.'"
    prefix, sep, name = key.rpartition("/")
    if sep and _name_problem(prefix, MAX_NAME, dots=True):
        raise InvalidInput(f'{flag} "{key}": the key prefix is not a DNS subdomain', hint)
    if not name or len(name) > MAX_LABEL or not _LABEL_NAME.fullmatch(name):
        raise InvalidInput(f'{flag} "{key}": not a valid label key', hint)
    if value and (len(value) > MAX_LABEL or not _LABEL_NAME.fullmatch(value)):
        raise InvalidInput(f'{flag} "{key}={value}": not a valid label value', hint)


def check_route_spec(spec: RouteSpec) -> RouteSpec:
    """Check the whole route spec against the rules above and the CRD's limits; return it."""
    check_dns_subdomain(spec.name, FLAG_NAME)
    check_dns_label(spec.namespace, FLAG_NAMESPACE)
    check_dns_label(spec.gateway.namespace, f"{FLAG_GATEWAY} namespace")
    check_dns_subdomain(spec.gateway.name, FLAG_GATEWAY)
    # The plugin writes one parentRef, far under the CRD's limit of 32.
    if spec.section_name is not None:
        check_section_name(spec.section_name)
    if len(spec.hostnames) > MAX_HOSTNAMES:
        raise InvalidInput(
            f"{FLAG_HOSTNAME}: {len(spec.hostnames)} hostnames, more than {MAX_HOSTNAMES}",
            f"give at most {MAX_HOSTNAMES} --hostname flags, or a wildcard like *.example.com",
        )
    for hostname in spec.hostnames:
        check_hostname(hostname)
    check_path(spec.path, spec.path_type)
    for header in spec.headers:
        parse_header(f"{header.name}={header.value}")
    if spec.model is not None:
        check_model(spec.model)
    check_headers(spec.all_headers)
    _check_backends(spec)
    check_timeouts(spec.request_timeout, spec.backend_timeout)
    for key, value in spec.labels:
        check_label(key, value)
    return spec


def _check_backends(spec: RouteSpec) -> None:
    if not spec.backends:
        raise InvalidInput(
            f"{ARG_POOL}: no InferencePool given", "name at least one pool, e.g. qwen-pool"
        )
    if len(spec.backends) > MAX_BACKEND_REFS:
        raise InvalidInput(
            f"{ARG_POOL}: {len(spec.backends)} pools, more than {MAX_BACKEND_REFS} in one rule",
            f"route to at most {MAX_BACKEND_REFS} pools",
        )
    seen: set[tuple[str, str]] = set()
    for backend in spec.backends:
        what = f"{ARG_POOL} {backend.namespace}/{backend.name}"
        check_dns_label(backend.namespace, f"{ARG_POOL} namespace")
        check_dns_subdomain(backend.name, ARG_POOL)
        if backend.group not in POOL_GROUPS:
            raise InvalidInput(
                f'{what}: API group "{backend.group}" is not an InferencePool group',
                f"use one the cluster serves: {' or '.join(POOL_GROUPS)}",
            )
        check_port(backend.port, FLAG_PORT)
        check_weight(backend.weight, what)
        key = (backend.namespace, backend.name)
        if key in seen:
            raise InvalidInput(
                f"{what}: given twice", "name each pool once; use POOL=WEIGHT to shift traffic"
            )
        seen.add(key)
    check_weights([backend.weight for backend in spec.backends])


def check_global_flags(*, namespace: str | None, request_timeout: str | None) -> None:
    """kubectl's global flags that carry a value, checked before any file is read or request
    sent, whatever the command does next (`--dry-run=client` opens no cluster). Here, not with
    the commands' options: `status` then never imports those."""
    if namespace:
        check_dns_label(namespace, FLAG_NAMESPACE)
    if request_timeout is not None:
        parse_request_timeout(request_timeout)
