"""-v like kubectl's: a level 0-9 in each of kubectl's spellings, never taken for a pool or a route;
from 6 on each API request logged to stderr as kubectl logs it, bodies from 8, no secret ever."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import write_kubeconfig
from fakekube import FakeCluster
from fakekube.objects import standard_cluster
from fakekube.tls import Pki, make_pki

from kubectl_httproute.cli import root

if TYPE_CHECKING:
    from types import ModuleType

KUBECTL = shutil.which("kubectl")
INSTALLED = Path(sys.executable).parent / "kubectl-inferroute"
needs_installed = pytest.mark.skipif(not INSTALLED.exists(), reason="needs the installed command")
needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")

# klog's header: Lmmdd hh:mm:ss.uuuuuu threadid file:line] message
KLOG = re.compile(r"^I\d{4} \d\d:\d\d:\d\d\.\d{6} +\d+ [\w.-]+:\d+\] (?P<message>.*)$")
# kubectl ≤1.32's -v=6 line (round_trippers.go): GET URL 200 OK in 3 milliseconds
LEGACY = re.compile(r"^(?P<verb>[A-Z]+) (?P<url>\S+) (?P<status>.*?) in (?P<ms>\d+) milliseconds$")
FIELD = re.compile(r' (?P<key>\w+)=(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<plain>\S+))')
ROUTES_URL = "/apis/gateway.networking.k8s.io/v1/namespaces/llm/httproutes?limit=500"
EXPOSE_OFFLINE = ["expose", "qwen-pool", "--gateway", "gw", "--dry-run=client", "-o", "yaml"]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(root, list(args))


def klog_messages(stderr: str) -> list[str]:
    """The message of each klog line (after the header)."""
    return [m["message"] for line in stderr.splitlines() if (m := KLOG.match(line))]


def response_fields(message: str) -> list[tuple[str, str]]:
    """A -v=6 request line as (field, value) pairs in their order, from either of kubectl's
    forms: klog's structured `"Response" verb="GET" url=...` (1.33 on) or the older text."""
    legacy = LEGACY.match(message)
    if legacy:
        return [(key, legacy[key]) for key in ("verb", "url", "status", "ms")]
    assert message.startswith('"Response"'), message
    rest = message[len('"Response"') :]
    fields = []
    for match in FIELD.finditer(rest):
        key = "ms" if match["key"] == "milliseconds" else match["key"]
        fields.append((key, match["quoted"] if match["plain"] is None else match["plain"]))
    assert "".join(m[0] for m in FIELD.finditer(rest)) == rest, message
    return fields


@pytest.fixture
def anonymous_cluster() -> Iterator[FakeCluster]:
    """The fake API server over HTTP; kubectl sends no token over plain HTTP, so anonymous
    requests are the admin's."""
    fake = FakeCluster()
    fake.anonymous_user = "admin"
    with fake:
        standard_cluster(fake)
        yield fake


# --- the level's spellings -------------------------------------------------------------------

SPELLINGS = [
    (["-v", "6"], 6),
    (["-v6"], 6),
    (["-v=6"], 6),
    (["--v=6"], 6),
    (["--v", "6"], 6),
    (["-v", "0"], 0),
    (["-v=9"], 9),
    (["--v", "06"], 6),
]


@pytest.mark.parametrize("where", ["after", "before"])
@pytest.mark.parametrize(
    ("spelling", "level"), SPELLINGS, ids=lambda v: " ".join(v) if isinstance(v, list) else str(v)
)
def test_every_spelling_of_the_level_is_a_level_not_a_pool(
    spelling: list[str], level: int, where: str
) -> None:
    args = [*EXPOSE_OFFLINE, *spelling] if where == "after" else [*spelling, *EXPOSE_OFFLINE]
    result = invoke(*args)

    assert result.exit_code == 0, result.output
    route = yaml.safe_load(result.stdout)
    assert [ref["name"] for ref in route["spec"]["rules"][0]["backendRefs"]] == ["qwen-pool"]
    assert result.stderr == ""  # offline: no request to log


@pytest.mark.parametrize(
    ("spelling", "level"), SPELLINGS, ids=lambda v: " ".join(v) if isinstance(v, list) else str(v)
)
def test_every_spelling_of_the_level_is_a_level_not_a_route(
    kubeconfig: Path, cluster: Any, spelling: list[str], level: int
) -> None:
    plain = invoke("status")
    cluster.clear_requests()
    result = invoke("status", *spelling)

    assert result.exit_code == 0, result.output
    assert result.stdout == plain.stdout  # the list of routes, not one route named 6
    assert not [r.path for r in cluster.requests if "/httproutes/" in r.path]
    logged = [m for m in klog_messages(result.stderr) if m.startswith('"Response"')]
    assert len(logged) == (len(cluster.requests) if level >= 6 else 0)


@pytest.mark.parametrize(
    "spelling",
    [["-v", "10"], ["-v", "x"], ["-vv"], ["-v", "-1"], ["--v="], ["-v=1.5"], ["-v"], ["--v=٣"]],
    ids=" ".join,
)
@pytest.mark.parametrize("command", [EXPOSE_OFFLINE, ["status"]], ids=lambda c: c[0])
def test_a_level_outside_0_to_9_is_a_usage_error_naming_the_flag(
    kubeconfig: Path, cluster: Any, spelling: list[str], command: list[str]
) -> None:
    cluster.clear_requests()
    result = invoke(*command, *spelling)

    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    [line] = [line for line in result.stderr.splitlines() if "Error" in line or "error" in line]
    # A bad level names '-v'; a missing one is pflag's "flag needs an argument: 'v' in -v".
    assert "'-v'" in line or line.endswith("flag needs an argument: 'v' in -v")
    assert cluster.requests == []


def test_the_level_given_after_the_subcommand_wins(kubeconfig: Path, cluster: Any) -> None:
    quiet = invoke("-v", "6", "status", "-v", "0")
    loud = invoke("-v", "0", "status", "-v", "6")

    assert (quiet.exit_code, loud.exit_code) == (0, 0), quiet.output + loud.output
    assert klog_messages(quiet.stderr) == []
    assert klog_messages(loud.stderr)


@pytest.mark.parametrize("level", ["1", "5"])
def test_below_6_nothing_more_is_written(kubeconfig: Path, cluster: Any, level: str) -> None:
    plain = invoke("status")
    verbose = invoke("status", "-v", level)

    assert verbose.exit_code == plain.exit_code == 0, verbose.output
    assert verbose.stderr == plain.stderr == ""
    assert verbose.stdout == plain.stdout


# --- what each level writes --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "request_lines", "headers", "bodies", "truncated", "curl"),
    [
        ("6", False, False, False, False, False),
        ("7", True, True, False, False, False),
        ("8", True, True, True, True, False),
        ("9", True, False, True, False, True),
    ],
)
def test_each_level_adds_what_kubectl_adds(
    kubeconfig: Path,
    cluster: Any,
    level: str,
    request_lines: bool,
    headers: bool,
    bodies: bool,
    truncated: bool,
    curl: bool,
) -> None:
    result = invoke("status", "-v", level)

    assert result.exit_code == 0, result.output
    messages = klog_messages(result.stderr)
    responses = [m for m in messages if m.startswith('"Response" ')]
    assert responses
    assert any(m.startswith('"Request" ') for m in messages) is request_lines
    assert ("Accept: application/json\n" in result.stderr) is headers
    assert ("Content-Type: application/json\n" in result.stderr) is (int(level) >= 8)
    assert any(m.startswith('"Response Body" body=') for m in messages) is bodies
    # The aggregated discovery answer is longer than 1024 characters: cut at 8, whole at 9.
    assert ("[truncated " in result.stderr) is truncated
    assert ("curl -v -XGET  -H " in result.stderr) is curl
    if level == "6":
        assert all(m.startswith('"Response" verb="GET" url="http') for m in responses)


def test_an_apply_logs_the_body_it_sends_at_8(kubeconfig: Path, cluster: Any) -> None:
    result = invoke(
        "expose", "qwen-pool", "--gateway", "inference-gateway", "--dry-run=server", "-o", "json",
        "-v", "8",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    sent = [m for m in klog_messages(result.stderr) if m.startswith('"Request Body" body="')]
    assert any('\\"kind\\": \\"HTTPRoute\\"' in m for m in sent)
    patch = [m for m in klog_messages(result.stderr) if m.startswith('"Request" verb="PATCH"')]
    assert len(patch) == 1 and "dryRun=All" in patch[0]


def test_a_request_that_gets_no_answer_is_logged_with_an_empty_status(
    tmp_path: Path, bare_cluster: FakeCluster
) -> None:
    # As kubectl: `"Response" verb="GET" url="..." status="" milliseconds=0`.
    url = bare_cluster.url
    bare_cluster.stop()
    config = write_kubeconfig(tmp_path / "config", url)

    result = invoke("--kubeconfig", str(config), "status", "-v", "6")

    assert result.exit_code == 1
    failed = [m for m in klog_messages(result.stderr) if m.startswith('"Response"')]
    assert failed and all(
        re.fullmatch(r'"Response" verb="GET" url="[^"]+" status="" milliseconds=\d+', m)
        for m in failed
    )
    assert result.stderr.rstrip().splitlines()[-1].startswith("error: cannot reach")


# --- against the real kubectl ------------------------------------------------------------------


@needs_installed
@pytest.mark.skipif(KUBECTL is None, reason="needs kubectl on PATH")
def test_a_request_line_at_6_has_kubectls_fields_in_kubectls_order(
    anonymous_cluster: FakeCluster, tmp_path: Path
) -> None:
    assert KUBECTL is not None
    # The reader reads kubectl's two forms alike (1.32's text, 1.33's key=value pairs).
    assert response_fields("GET https://h/apis 200 OK in 3 milliseconds") == response_fields(
        '"Response" verb="GET" url="https://h/apis" status="200 OK" milliseconds=3'
    )
    config = write_kubeconfig(tmp_path / "config", anonymous_cluster.url)
    env = {**os.environ, "HOME": str(tmp_path), "KUBECONFIG": str(config)}
    theirs = subprocess.run(
        [KUBECTL, "get", "httproutes.gateway.networking.k8s.io", "-n", "llm", "-v=6"],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    ours = subprocess.Popen(
        [str(INSTALLED), "status", "-n", "llm", "-v=6"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    _, our_stderr = ours.communicate(timeout=60)

    assert theirs.returncode == 0, theirs.stderr
    assert ours.returncode == 0, our_stderr
    [kubectl_line] = [m for m in klog_messages(theirs.stderr) if ROUTES_URL in m]
    [our_line] = [m for m in klog_messages(our_stderr) if ROUTES_URL in m]
    kubectl_fields, our_fields = response_fields(kubectl_line), response_fields(our_line)
    assert [key for key, _ in our_fields] == [key for key, _ in kubectl_fields]
    assert dict(our_fields)["ms"].isdigit() and dict(kubectl_fields)["ms"].isdigit()
    assert [f for f in our_fields if f[0] != "ms"] == [f for f in kubectl_fields if f[0] != "ms"]
    if kubectl_line.startswith('"Response"'):  # kubectl 1.33 and later: the very same text
        assert re.sub(r"milliseconds=\d+", "", our_line) == re.sub(
            r"milliseconds=\d+", "", kubectl_line
        )
    # klog's header: the process id where klog writes it.
    assert our_stderr.split()[2] == str(ours.pid)


@pytest.fixture
def requestlog() -> ModuleType:
    from kubectl_httproute.cluster import requestlog

    return requestlog


# --- no secret at any level ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def https_cluster(pki: Pki) -> Iterator[FakeCluster]:
    with FakeCluster(tls=pki) as fake:
        standard_cluster(fake)
        yield fake


def b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def secret_texts(pki: Pki, token: str) -> list[str]:
    """The token, the client key and certificate as the kubeconfig holds them, and each line of
    their PEM bodies."""
    texts = [token, b64(pki.client_key), b64(pki.client_cert)]
    for path in (pki.client_key, pki.client_cert):
        lines = path.read_text().splitlines()
        texts += [line for line in lines if len(line) >= 16 and not line.startswith("-----")]
    return texts


@needs_openssl
@needs_installed
@pytest.mark.parametrize("credentials", ["token", "certificate data", "certificate files"])
@pytest.mark.parametrize(
    "command",
    [
        ["status", "-v", "9"],
        ["expose", "qwen-pool", "--gateway", "inference-gateway", "--dry-run=server", "--v=9"],
    ],
    ids=lambda c: c[0],
)
def test_no_secret_is_written_at_9(
    https_cluster: FakeCluster, pki: Pki, tmp_path: Path, credentials: str, command: list[str]
) -> None:
    token = "s3cr3t-bearer-token-f00d"
    https_cluster.tokens[token] = "admin"
    users = {
        "token": {"token": token},
        "certificate data": {
            "client-certificate-data": b64(pki.client_cert),
            "client-key-data": b64(pki.client_key),
        },
        "certificate files": {
            "client-certificate": str(pki.client_cert),
            "client-key": str(pki.client_key),
        },
    }
    cluster = {"server": https_cluster.url, "certificate-authority-data": b64(pki.ca_cert)}
    config = tmp_path / "config"
    config.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": cluster}],
                "users": [{"name": "u", "user": users[credentials]}],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "x",
            }
        )
    )
    env = {**os.environ, "HOME": str(tmp_path), "KUBECONFIG": str(config)}
    done = subprocess.run(
        [str(INSTALLED), *command, "-n", "llm"],
        capture_output=True, text=True, timeout=60, env=env, input="",
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    # Everything was logged: the requests, their headers, whole bodies ...
    assert '"Request" curlCommand=<' in done.stderr and '"Response Body" body=' in done.stderr
    if credentials == "token":
        assert '-H "Authorization: Bearer <masked>"' in done.stderr
    # ... and none of the secrets.
    leaked = [text for text in secret_texts(pki, token) if text in done.stderr + done.stdout]
    assert leaked == []


@pytest.mark.parametrize(
    ("name", "value", "masked"),
    [  # client-go's maskValue
        ("Authorization", "Bearer abc.def", "Bearer <masked>"),
        ("authorization", "Basic dXNlcjpwYXNz", "Basic <masked>"),
        ("Authorization", "Bearer", "Bearer"),
        ("Authorization", "Bearer ", "Bearer"),
        ("Authorization", "sometoken", "<masked>"),
        ("Authorization", "", ""),
        ("Proxy-Authorization", "Negotiate xyz", "Negotiate <masked>"),
        ("Cookie", "session=abc", "<masked>"),
        ("Accept", "application/json", "application/json"),
    ],
)
def test_credential_headers_are_masked_as_kubectl_masks_them(
    name: str, value: str, masked: str, requestlog: ModuleType
) -> None:
    assert requestlog.mask_header(name, value) == masked


@pytest.mark.parametrize(
    ("body", "kept", "gone"),
    [
        (
            '{"kind": "Secret", "metadata": {"name": "s"}, "data": {"key": "c2VjcmV0"}, '
            '"stringData": {"pw": "hunter2"}, "type": "Opaque"}',
            ['"name": "s"', '"key": "<redacted>"', '"pw": "<redacted>"', "Opaque"],
            ["c2VjcmV0", "hunter2"],
        ),
        (
            '{"kind": "SecretList", "items": [{"metadata": {"name": "a"}, "data": {"k": "QUFB"}}]}',
            ['"name": "a"', '"k": "<redacted>"'],
            ["QUFB"],
        ),
        ('{"kind": "ConfigMap", "data": {"key": "plain"}}', ['"key": "plain"'], []),
        ("not json, Secret", ["not json, Secret"], []),
    ],
)
def test_secret_data_is_redacted_from_bodies(
    body: str, kept: list[str], gone: list[str], requestlog: ModuleType
) -> None:
    lines: list[str] = []
    log = requestlog.RequestLog(8, lines.append)

    log.after("GET", "https://127.0.0.1:1/api/v1/secrets", 200, [], 1, body.encode())

    written = "\n".join(lines)
    assert all(text.replace('"', '\\"') in written for text in kept), written
    assert not any(text in written for text in gone), written


def test_a_known_secret_is_masked_wherever_it_appears(requestlog: ModuleType) -> None:
    lines: list[str] = []
    log = requestlog.RequestLog(9, lines.append, secrets=["tok-1234567"])
    headers = {"Accept": "application/json", "authorization": "Bearer other-9876543"}

    log.before("POST", "https://127.0.0.1:1/x", headers, '{"echo": "tok-1234567"}')
    log.after("POST", "https://127.0.0.1:1/x", 201, [], 1, b'{"token": "other-9876543"}')

    written = "\n".join(lines)
    assert "tok-1234567" not in written and "other-9876543" not in written
    assert written.count("<masked>") == 3  # the request body, the curl header, the answer


@pytest.mark.parametrize(
    ("text", "quoted"),
    [  # Go's strconv.Quote, which klog uses for a value
        ("plain", '"plain"'),
        ('a "b" \\ c', '"a \\"b\\" \\\\ c"'),
        ("tab\tbell\a\x01\x7f", '"tab\\tbell\\a\\x01\\x7f"'),
        ("grüße ✓", '"grüße ✓"'),
    ],
)
def test_values_are_quoted_as_klog_quotes_them(
    text: str, quoted: str, requestlog: ModuleType
) -> None:
    assert requestlog.klog_quote(text) == quoted


def test_a_value_with_line_breaks_is_written_as_klog_writes_it(requestlog: ModuleType) -> None:
    assert requestlog.klog_value("a: 1\nb: 2\n") == "=<\n\ta: 1\n\tb: 2\n >"
    assert requestlog.klog_value("a\nb") == "=<\n\ta\n\tb\n >"


# --- tracebacks --------------------------------------------------------------------------------


def test_the_hint_of_an_unexpected_error_names_a_level_that_shows_the_traceback(
    kubeconfig: Path, cluster: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kubectl_httproute.cli import status as status_module

    def broken(*_args: Any, **_kwargs: Any) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setattr(status_module, "run_status", broken)
    plain = invoke("status")
    hint = re.search(r"run again with (-v=\d) for details", plain.stderr)
    assert plain.exit_code == 1 and hint is not None, plain.stderr
    assert "Traceback" not in plain.stderr

    again = invoke("status", hint[1])
    below = invoke("status", "-v", str(int(hint[1][3:]) - 1))

    assert again.exit_code == below.exit_code == 1
    assert "Traceback (most recent call last)" in again.stderr and "RuntimeError" in again.stderr
    assert "Traceback" not in below.stderr
