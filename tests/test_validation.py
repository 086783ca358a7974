"""Input rules: every bad value is refused with a message naming the flag and a hint."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from crds import load_crd_schema
from hypothesis import given
from hypothesis import strategies as st

from kubectl_httproute.core import durations
from kubectl_httproute.core import validation as v
from kubectl_httproute.core.model import (
    POOL_GROUP_V1ALPHA2,
    HeaderMatch,
    ObjectRef,
    PoolBackend,
    RouteSpec,
)
from kubectl_httproute.errors import EXIT_USAGE, InvalidInput

SUBDOMAIN = re.compile(v.DNS_SUBDOMAIN_PATTERN)


def refused(call: Callable[[], Any]) -> InvalidInput:
    """Run call, expecting InvalidInput with a hint; return the error."""
    with pytest.raises(InvalidInput) as info:
        call()
    err = info.value
    assert err.hint, f"no hint for: {err.message}"
    assert err.exit_code == EXIT_USAGE
    return err


# ---------------------------------------------------------------- names

GOOD_SUBDOMAINS = ["a", "qwen-pool", "qwen.pool-2", "0", "a" * 253, "llm-d.inference-gateway"]
BAD_SUBDOMAINS = [
    ("", "empty"),
    ("Qwen", "uppercase"),
    ("qwen_pool", "'_'"),
    ("-qwen", "start and end"),
    ("qwen-", "start and end"),
    ("qwen.", "start and end"),
    ("a..b", "start and end"),
    ("a.-b", "start and end"),
    ("a" * 254, "more than 253"),
    ("qwen pool", "' '"),
    ("qwén", "'é'"),
    ("qwen-pool\n", "'\\n'"),
]
GOOD_LABELS = ["a", "llm", "llm-d", "0a", "a" * 63]
BAD_LABELS = [
    ("", "empty"),
    ("llm.d", "'.'"),
    ("LLM", "uppercase"),
    ("-llm", "start and end"),
    ("a" * 64, "more than 63"),
    ("llm_d", "'_'"),
]


@pytest.mark.parametrize("value", GOOD_SUBDOMAINS)
def test_accepts_dns_subdomains(value: str) -> None:
    assert v.check_dns_subdomain(value, "--name") == value


@pytest.mark.parametrize(("value", "reason"), BAD_SUBDOMAINS)
def test_rejects_bad_names_naming_the_flag(value: str, reason: str) -> None:
    err = refused(lambda: v.check_dns_subdomain(value, "--name"))
    assert err.message.startswith("--name ")
    assert reason in err.message


@pytest.mark.parametrize("value", GOOD_LABELS)
def test_accepts_dns_labels(value: str) -> None:
    assert v.check_dns_label(value, "--namespace") == value


@pytest.mark.parametrize(("value", "reason"), BAD_LABELS)
def test_rejects_bad_namespaces_naming_the_flag(value: str, reason: str) -> None:
    err = refused(lambda: v.check_dns_label(value, "--namespace"))
    assert err.message.startswith("--namespace ")
    assert reason in err.message


@pytest.mark.parametrize("value", ["http", "https-8443", "listener.a"])
def test_accepts_section_names(value: str) -> None:
    assert v.check_section_name(value) == value


@pytest.mark.parametrize("value", ["", "HTTP", "http_1", "-http", "a" * 254])
def test_rejects_bad_section_names(value: str) -> None:
    assert "--section-name" in refused(lambda: v.check_section_name(value)).message


@given(st.from_regex(SUBDOMAIN, fullmatch=True).filter(lambda s: len(s) <= 253))
def test_accepts_every_string_of_the_subdomain_grammar(value: str) -> None:
    assert v.check_dns_subdomain(value, "--name") == value


@given(st.text(max_size=300))
def test_accepts_exactly_the_subdomain_grammar(value: str) -> None:
    valid = bool(SUBDOMAIN.fullmatch(value)) and len(value) <= 253
    if valid:
        v.check_dns_subdomain(value, "--name")
    else:
        refused(lambda: v.check_dns_subdomain(value, "--name"))


@given(st.text(max_size=80))
def test_accepts_exactly_the_label_grammar(value: str) -> None:
    valid = bool(re.fullmatch(v.DNS_LABEL_PATTERN, value)) and len(value) <= 63
    if valid:
        v.check_dns_label(value, "--namespace")
    else:
        refused(lambda: v.check_dns_label(value, "--namespace"))


# ---------------------------------------------------------------- route name


@pytest.mark.parametrize(
    ("pool", "route"),
    [
        ("qwen-pool", "qwen-pool"),
        ("llama.3-pool", "llama.3-pool"),
        ("Qwen_Pool", "qwen-pool"),
        ("_qwen_", "qwen"),
        ("a..b", "a.b"),
        ("a.-b-.c", "a.b.c"),
        ("ß", "inferroute"),
        ("", "inferroute"),
        ("a" * 300, "a" * 253),
        ("a" * 252 + "-b", "a" * 252),
    ],
)
def test_derives_route_name_from_pool(pool: str, route: str) -> None:
    assert v.derive_route_name(pool) == route


@given(st.text(max_size=400))
def test_derived_route_name_is_always_a_valid_subdomain(pool: str) -> None:
    name = v.derive_route_name(pool)
    assert SUBDOMAIN.fullmatch(name) and len(name) <= 253
    assert v.derive_route_name(pool) == name  # deterministic


@given(st.from_regex(SUBDOMAIN, fullmatch=True).filter(lambda s: len(s) <= 253))
def test_derived_route_name_keeps_a_valid_pool_name(pool: str) -> None:
    assert v.derive_route_name(pool) == pool


# ---------------------------------------------------------------- durations

# The grammar itself (every flag's) is tested in test_durations.py; here, the CRD's rule on both.


@pytest.mark.parametrize(
    ("request_", "backend"),
    [
        ("0s", "0s"),
        ("0s", "10m"),  # request 0s: no upper bound for the backend
        ("10m", "10m"),
        ("10m", "9m59s"),
        ("10m", "0s"),  # CEL: 0s is not longer than 10m, so the server accepts it
        ("1h", "3600s"),
        (None, "10m"),
        ("10m", None),
        (None, None),
    ],
)
def test_accepts_backend_timeout_within_request_timeout(
    request_: str | None, backend: str | None
) -> None:
    v.check_timeouts(request_, backend)


@pytest.mark.parametrize(("request_", "backend"), [("10m", "11m"), ("1s", "1001ms"), ("1m", "1h")])
def test_rejects_backend_timeout_longer_than_request_timeout(request_: str, backend: str) -> None:
    err = refused(lambda: v.check_timeouts(request_, backend))
    assert "--backend-timeout" in err.message and "--route-timeout" in err.message


@pytest.mark.parametrize(
    ("request_", "backend", "flag"),
    [
        ("10x", "1s", "--route-timeout"),
        ("1s", "1y", "--backend-timeout"),
        # The spec's values go into the manifest as they are: a Go form must be rewritten first.
        ("1.5s", "1s", "--route-timeout"),
        ("1s", "500us", "--backend-timeout"),
        ("", "1s", "--route-timeout"),
    ],
)
def test_rejects_bad_timeout_syntax_naming_the_flag(request_: str, backend: str, flag: str) -> None:
    assert refused(lambda: v.check_timeouts(request_, backend)).message.startswith(flag)


# ---------------------------------------------------------------- paths

GOOD_PATHS = [
    ("/", "PathPrefix"),
    ("/v1", "PathPrefix"),
    ("/v1/completions", "Exact"),
    ("/v1/models/", "PathPrefix"),
    ("/a%20b", "Exact"),
    ("/a.b/..c/.d", "PathPrefix"),
    ("/~user/@x:y;z=1,2+3&4!$'()*", "PathPrefix"),
    ("/" + "a" * 1023, "PathPrefix"),
]
BAD_PATHS = [
    ("", "start with '/'"),
    ("v1", "start with '/'"),
    ("//v1", "'//'"),
    ("/v1//x", "'//'"),
    ("/a/./b", "'/./'"),
    ("/a/../b", "'/../'"),
    ("/a%2fb", "'%2f'"),
    ("/a%2Fb", "'%2F'"),
    ("/a#b", "'#'"),
    ("/a/..", "end with '/..'"),
    ("/a/.", "end with '/.'"),
    ("/a b", "characters"),
    ("/a?b=c", "characters"),
    ("/a%zz", "characters"),
    ("/é", "characters"),
    ("/" + "a" * 1024, "more than 1024"),
]


@pytest.mark.parametrize(("value", "path_type"), GOOD_PATHS)
def test_accepts_valid_paths(value: str, path_type: str) -> None:
    assert v.check_path(value, path_type) == value


@pytest.mark.parametrize(("value", "reason"), BAD_PATHS)
@pytest.mark.parametrize("path_type", ["PathPrefix", "Exact"])
def test_rejects_paths_the_crd_rejects(value: str, reason: str, path_type: str) -> None:
    err = refused(lambda: v.check_path(value, path_type))
    assert err.message.startswith("--path")
    assert reason in err.message


@pytest.mark.parametrize("path_type", ["RegularExpression", "prefix", ""])
def test_rejects_path_types_the_plugin_does_not_offer(path_type: str) -> None:
    assert "--path-type" in refused(lambda: v.check_path("/", path_type)).message


def _path_cel_rules() -> list[str]:
    schema = load_crd_schema("gateway.networking.k8s.io_httproutes.yaml", "v1")
    rule = schema["properties"]["spec"]["properties"]["rules"]["items"]
    path = rule["properties"]["matches"]["items"]["properties"]["path"]
    return [r["rule"] for r in path["x-kubernetes-validations"]]


def test_mirrors_every_path_rule_of_the_crd() -> None:
    rules = _path_cel_rules()
    checked = 0
    for rule in rules:
        for token in re.findall(r"\.contains\('([^']*)'\)", rule):
            refused(partial(v.check_path, f"/a{token}b", "PathPrefix"))
            checked += 1
        for token in re.findall(r"\.endsWith\('([^']*)'\)", rule):
            refused(partial(v.check_path, f"/a{token}", "Exact"))
            checked += 1
        for token in re.findall(r"\.startsWith\('([^']*)'\)", rule):
            refused(partial(v.check_path, f"x{token}", "Exact"))
            checked += 1
        for pattern in re.findall(r'matches\(r"""(.*)"""\)', rule):
            assert pattern.replace("''", "'") == v.PATH_CHARS_PATTERN
            checked += 1
    assert checked == len(rules) - 1  # all but the rule listing the path types


def test_mirrors_the_crd_patterns() -> None:
    schema = load_crd_schema("gateway.networking.k8s.io_httproutes.yaml", "v1")
    spec = schema["properties"]["spec"]["properties"]
    rule = spec["rules"]["items"]["properties"]
    match = rule["matches"]["items"]["properties"]
    parent = spec["parentRefs"]["items"]["properties"]
    backend = rule["backendRefs"]["items"]["properties"]
    assert spec["hostnames"]["items"]["pattern"] == v.HOSTNAME_PATTERN
    assert spec["hostnames"]["maxItems"] == v.MAX_HOSTNAMES
    assert spec["parentRefs"]["maxItems"] == v.MAX_PARENT_REFS
    assert parent["sectionName"]["pattern"] == v.SECTION_NAME_PATTERN
    assert parent["namespace"]["pattern"] == v.DNS_LABEL_PATTERN
    assert match["headers"]["items"]["properties"]["name"]["pattern"] == v.HEADER_NAME_PATTERN
    assert match["headers"]["items"]["properties"]["name"]["maxLength"] == v.MAX_HEADER_NAME
    assert match["headers"]["items"]["properties"]["value"]["maxLength"] == v.MAX_HEADER_VALUE
    assert match["headers"]["maxItems"] == v.MAX_HEADER_MATCHES
    assert match["path"]["properties"]["value"]["maxLength"] == v.MAX_PATH
    assert rule["timeouts"]["properties"]["request"]["pattern"] == durations.GEP_2257_PATTERN
    assert rule["timeouts"]["properties"]["backendRequest"]["pattern"] == durations.GEP_2257_PATTERN
    assert rule["backendRefs"]["maxItems"] == v.MAX_BACKEND_REFS
    assert backend["weight"]["maximum"] == v.MAX_WEIGHT
    assert (backend["port"]["minimum"], backend["port"]["maximum"]) == (1, 65535)


def test_mirrors_the_crd_timeout_rule() -> None:
    schema = load_crd_schema("gateway.networking.k8s.io_httproutes.yaml", "v1")
    timeouts = schema["properties"]["spec"]["properties"]["rules"]["items"]["properties"]
    [cel] = timeouts["timeouts"]["x-kubernetes-validations"]
    # The rule check_timeouts implements; if upstream changes it, revisit check_timeouts.
    assert cel["rule"] == (
        "!(has(self.request) && has(self.backendRequest) && duration(self.request) != "
        "duration('0s') && duration(self.backendRequest) > duration(self.request))"
    )


# ---------------------------------------------------------------- weights and ports


@pytest.mark.parametrize("value", [0, 1, 90, 1_000_000])
def test_accepts_weights_in_range(value: int) -> None:
    assert v.check_weight(value, "POOL qwen") == value


@pytest.mark.parametrize("value", [-1, 1_000_001, True, "5", 1.5])
def test_rejects_weights_out_of_range(value: Any) -> None:
    assert refused(lambda: v.check_weight(value, "POOL 'qwen=x'")).message.startswith("POOL")


def test_rejects_weights_that_are_all_zero() -> None:
    assert "POOL" in refused(lambda: v.check_weights([0, 0])).message


@pytest.mark.parametrize("weights", [[0, 1], [1], [90, 10], []])
def test_accepts_weights_with_one_above_zero(weights: list[int]) -> None:
    v.check_weights(weights)


@pytest.mark.parametrize("value", [1, 80, 8000, 65535])
def test_accepts_ports(value: int) -> None:
    assert v.check_port(value, "--port") == value


@pytest.mark.parametrize("value", [0, -1, 65536, True, "8000"])
def test_rejects_ports_out_of_range(value: Any) -> None:
    assert refused(lambda: v.check_port(value, "--port")).message.startswith("--port ")


# ---------------------------------------------------------------- headers


@pytest.mark.parametrize(
    ("text", "name", "value"),
    [
        ("x-model=qwen", "x-model", "qwen"),
        ("X-Model=a=b", "X-Model", "a=b"),
        ("x=" + "v" * 4096, "x", "v" * 4096),
        ("!#$%&'*+-.^_`|~=1", "!#$%&'*+-.^_`|~", "1"),
        ("x=with spaces", "x", "with spaces"),
        ("x=tab\tinside", "x", "tab\tinside"),
        ("x=café", "x", "café"),  # obs-text: RFC 9110 allows bytes above 0x7f
    ],
)
def test_parses_header_matches(text: str, name: str, value: str) -> None:
    assert v.parse_header(text) == HeaderMatch(name, value)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("x-model", "NAME=VALUE"),
        ("=qwen", "name is empty"),
        ("x-model=", "value is empty"),
        ("x model=a", "not a valid HTTP header name"),
        ("x:model=a", "not a valid HTTP header name"),
        ("x\n=a", "not a valid HTTP header name"),
        ("x=" + "v" * 4097, "more than 4096"),
        ("x" * 257 + "=a", "longer than 256"),
        ("x=a\nb", "control character (newline \\n)"),
        ("x=a\x00", "control character (NUL \\x00)"),
        ("x=a\x85", "control character (\\x85)"),
        ("x=\tlead", "starts or ends with a space or tab"),
        ("x=trail ", "starts or ends with a space or tab"),
    ],
)
def test_rejects_bad_headers_naming_the_flag(text: str, reason: str) -> None:
    err = refused(lambda: v.parse_header(text))
    assert err.message.startswith("--header")
    assert reason in err.message


def test_rejects_duplicate_header_names_ignoring_case() -> None:
    err = refused(lambda: v.parse_headers(["X-Model=a", "x-model=b"]))
    assert err.message.startswith('--header "x-model"') and "twice" in err.message


def test_rejects_more_than_sixteen_header_matches() -> None:
    assert "--header" in refused(lambda: v.parse_headers(f"h{i}=v" for i in range(17))).message


def test_parses_sixteen_distinct_headers() -> None:
    assert len(v.parse_headers(f"h{i}=v" for i in range(16))) == 16


# ---------------------------------------------------------------- hostnames


@pytest.mark.parametrize(
    "value",
    ["example.com", "api.example.com", "*.example.com", "localhost", "a-1.b", "a" * 63 + ".com"],
)
def test_accepts_hostnames(value: str) -> None:
    assert v.check_hostname(value) == value


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        ("10.0.0.1", "IP address"),
        ("::1", "IP address"),
        ("[::1]", "IP address"),
        ("example.com:8080", "port"),
        ("https://example.com", "scheme"),
        ("Example.com", "uppercase"),
        ("*", "not a DNS name"),
        ("a.*.example.com", "not a DNS name"),
        ("**.example.com", "not a DNS name"),
        ("-a.example.com", "not a DNS name"),
        ("example.com.", "not a DNS name"),
        ("a_b.example.com", "not a DNS name"),
        ("a" * 254, "more than 253"),
        # Not the CRD's pattern but RFC 1123, whose hostnames the Gateway API spec uses.
        ("a" * 64 + ".example.com", "part between dots 64 characters long, more than 63"),
        ("*." + "b" * 64, "more than 63"),
    ],
)
def test_rejects_hostnames_the_crd_rejects(value: str, reason: str) -> None:
    err = refused(lambda: v.check_hostname(value))
    assert err.message.startswith("--hostname")
    assert reason in err.message


# ---------------------------------------------------------------- refs and pool args


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("inference-gateway", ObjectRef("llm", "inference-gateway")),
        ("gw/inference-gateway", ObjectRef("gw", "inference-gateway")),
        ("gw/a.b", ObjectRef("gw", "a.b")),
    ],
)
def test_parses_object_refs_with_default_namespace(text: str, ref: ObjectRef) -> None:
    assert v.parse_object_ref(text, "llm", "--gateway") == ref


@pytest.mark.parametrize(
    "text", ["", "/gw", "gw/", "a/b/c", "GW/x", "gw/X", "gw.x/name", "gw/under_score"]
)
def test_rejects_bad_object_refs_naming_the_flag(text: str) -> None:
    assert "--gateway" in refused(lambda: v.parse_object_ref(text, "llm", "--gateway")).message


def test_rejects_a_bad_default_namespace_naming_the_namespace_flag() -> None:
    err = refused(lambda: v.parse_object_ref("gw", "Bad_NS", "--gateway"))
    assert err.message.startswith("--namespace")


@pytest.mark.parametrize(
    ("text", "ref", "weight"),
    [
        ("qwen-pool", ObjectRef("llm", "qwen-pool"), None),
        ("qwen-pool=90", ObjectRef("llm", "qwen-pool"), 90),
        ("pools/qwen-pool=0", ObjectRef("pools", "qwen-pool"), 0),
        ("pools/qwen-pool", ObjectRef("pools", "qwen-pool"), None),
        ("qwen=1000000", ObjectRef("llm", "qwen"), 1_000_000),
        ("qwen=007", ObjectRef("llm", "qwen"), 7),
    ],
)
def test_parses_pool_args(text: str, ref: ObjectRef, weight: int | None) -> None:
    assert v.parse_pool_arg(text, "llm") == (ref, weight)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("qwen=", "weights are whole numbers from 0 to 1000000"),
        ("qwen=abc", "weights are whole numbers from 0 to 1000000"),
        ("qwen=-1", "weights are whole numbers from 0 to 1000000"),
        ("qwen=+1", "weights are whole numbers from 0 to 1000000"),
        ("qwen= 1", "weights are whole numbers from 0 to 1000000"),
        ("qwen=1.5", "weights are whole numbers from 0 to 1000000"),
        ("qwen=1_000", "weights are whole numbers from 0 to 1000000"),
        ("qwen=1000001", "weights are whole numbers from 0 to 1000000"),
        ("qwen=1=2", "weights are whole numbers from 0 to 1000000"),
        ("=5", "empty"),
        ("Qwen", "uppercase"),
        ("a/b/c=1", 'more than one "/": the form is [NAMESPACE/]POOL[=WEIGHT]'),
        ("bad_ns/qwen", "'_'"),
    ],
)
def test_rejects_bad_pool_args_naming_the_argument(text: str, reason: str) -> None:
    err = refused(lambda: v.parse_pool_arg(text, "llm"))
    assert err.message.startswith("POOL")
    assert reason in err.message


# ---------------------------------------------------------------- the whole spec


def make_spec(**changes: Any) -> RouteSpec:
    spec = RouteSpec(
        name="qwen-pool",
        namespace="llm",
        gateway=ObjectRef("llm", "inference-gateway"),
        backends=(PoolBackend("qwen-pool", "llm"),),
    )
    return spec._replace(**changes)


def test_accepts_the_default_spec_unchanged() -> None:
    spec = make_spec()
    assert v.check_route_spec(spec) is spec


def test_accepts_a_full_spec() -> None:
    spec = make_spec(
        gateway=ObjectRef("gateways", "inference-gateway"),
        section_name="http",
        hostnames=tuple(f"h{i}.example.com" for i in range(16)),
        path="/v1/completions",
        path_type="Exact",
        headers=tuple(HeaderMatch(f"x-{i}", "v") for i in range(16)),
        backends=tuple(
            PoolBackend(f"p{i}", "pools", group=POOL_GROUP_V1ALPHA2, weight=i) for i in range(16)
        ),
        request_timeout="10m",
        backend_timeout="9m",
    )
    assert v.check_route_spec(spec) is spec


BAD_SPECS: list[tuple[dict[str, Any], str]] = [
    ({"name": "Qwen"}, "--name"),
    ({"namespace": "l.l.m"}, "--namespace"),
    ({"gateway": ObjectRef("llm", "GW")}, "--gateway"),
    ({"gateway": ObjectRef("bad_ns", "gw")}, "--gateway namespace"),
    ({"section_name": "HTTP"}, "--section-name"),
    ({"hostnames": tuple(f"h{i}.example.com" for i in range(17))}, "--hostname"),
    ({"hostnames": ("10.0.0.1",)}, "--hostname"),
    ({"path": "/a//b"}, "--path"),
    ({"path_type": "RegularExpression"}, "--path-type"),
    ({"headers": (HeaderMatch("x", "1"), HeaderMatch("X", "2"))}, "--header"),
    ({"headers": (HeaderMatch("bad name", "1"),)}, "--header"),
    ({"headers": tuple(HeaderMatch(f"x-{i}", "v") for i in range(17))}, "--header"),
    ({"backends": ()}, "POOL"),
    ({"backends": tuple(PoolBackend(f"p{i}", "llm") for i in range(17))}, "POOL"),
    ({"backends": (PoolBackend("a", "llm"), PoolBackend("a", "llm", weight=2))}, "twice"),
    ({"backends": (PoolBackend("a", "llm", weight=0),)}, "weight 0"),
    ({"backends": (PoolBackend("a", "llm", weight=-1),)}, "weight"),
    ({"backends": (PoolBackend("a", "llm", port=0),)}, "--port"),
    ({"backends": (PoolBackend("A", "llm"),)}, "POOL"),
    ({"backends": (PoolBackend("a", "llm", group="example.com"),)}, "API group"),
    ({"request_timeout": "1d"}, "--route-timeout"),
    ({"backend_timeout": "forever"}, "--backend-timeout"),
    ({"request_timeout": "1m", "backend_timeout": "2m"}, "longer than"),
    ({"labels": (("bad key!", "x"),)}, "--label"),
    ({"labels": (("ok", "v" * 64),)}, "--label"),
]


@pytest.mark.parametrize(("changes", "needle"), BAD_SPECS)
def test_rejects_bad_specs_naming_the_flag(changes: dict[str, Any], needle: str) -> None:
    assert needle in refused(lambda: v.check_route_spec(make_spec(**changes))).message


def test_accepts_pools_with_the_same_name_in_different_namespaces() -> None:
    spec = make_spec(backends=(PoolBackend("a", "llm"), PoolBackend("a", "other")))
    assert v.check_route_spec(spec) is spec


def test_accepts_gke_spec_without_timeouts() -> None:
    v.check_route_spec(make_spec(request_timeout=None, backend_timeout=None))


def test_validation_imports_nothing_heavy() -> None:
    source = v.__file__
    assert source is not None
    with open(source, encoding="utf-8") as handle:
        imports = [line for line in handle if line.startswith(("import ", "from "))]
    heavy = [line for line in imports if re.search(r"\b(yaml|kubernetes|click|jsonschema)\b", line)]
    assert heavy == []
