"""record: the markdown deployment record, its redaction, and a write that never overwrites."""

from __future__ import annotations

import errno
import os
import re
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from fakekube import objects as o
from golden import assert_golden

from kubectl_httproute.core.findings import Finding
from kubectl_httproute.core.model import ObjectRef, PoolBackend
from kubectl_httproute.core.verdict import Verdict
from kubectl_httproute.errors import InferrouteError
from kubectl_httproute.render.record import (
    RecordData,
    RecordError,
    default_record_path,
    redact,
    render_record,
    write_record,
)

NOW = datetime(2026, 11, 29, 22, 15, 0, tzinfo=timezone.utc)

MANIFEST = """\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: qwen-pool
  namespace: llm
  labels:
    app.kubernetes.io/managed-by: kubectl-inferroute
spec:
  parentRefs:
  - group: gateway.networking.k8s.io
    kind: Gateway
    name: inference-gateway
  rules:
  - matches:
    - path:
        type: PathPrefix
        value: /
    backendRefs:
    - group: inference.networking.k8s.io
      kind: InferencePool
      name: qwen-pool
      port: 8000
      weight: 3
    - group: inference.networking.k8s.io
      kind: InferencePool
      name: qwen-canary
      port: 8000
      weight: 1
    timeouts:
      request: 0s
      backendRequest: 0s
"""

VERIFICATION = """\
HTTPRoute qwen-pool conditions (controller istio.io/gateway-controller):
PARENT                 TYPE          STATUS    REASON        MESSAGE                  OBSERVEDGEN
llm/inference-gateway  Accepted      True      Accepted      Route was valid          1
llm/inference-gateway  ResolvedRefs  True      ResolvedRefs  All references resolved  1"""


def record_data(**changes: object) -> RecordData:
    data = RecordData(
        timestamp=NOW,
        context="kind-llm",
        server="https://127.0.0.1:6443",
        namespace="llm",
        user="kind-llm",
        plugin_version="0.1.0",
        route=ObjectRef("llm", "qwen-pool"),
        gateway=ObjectRef("llm", "inference-gateway"),
        pools=(
            PoolBackend("qwen-pool", "llm", weight=3),
            PoolBackend("qwen-canary", "llm", weight=1),
        ),
        manifest_yaml=MANIFEST,
        rules_summary=(
            "Requests whose path starts with / go to the pools below, split by weight.",
            "Request and backend timeouts are disabled (0s) so long generations are not cut.",
        ),
        dry_run_verdict="Server-side dry run accepted the route (schema, CEL and admission).",
        warnings=("Another route on llm/inference-gateway also matches PathPrefix /.",),
        verification=VERIFICATION,
        verdict=Verdict("Ready", True, "Accepted and all references resolved", ""),
        events=(
            ("preflight", "3 finding(s)"),
            ("apply", "conflict with field manager helm; re-applied with --force-conflicts"),
            ("verify", "Stale for 2s, then Ready"),
        ),
        findings=(
            Finding("info", "", "you may create and patch HTTPRoutes and read the Gateway"),
            Finding(
                "warning",
                "",
                "InferencePool llm/qwen-canary selects no pods (selector app=canary)",
                "deploy the model server, or fix the pool's selector to match its pod labels",
            ),
            Finding(
                "warning",
                "InferencePool llm/qwen-pool",
                'the endpoint picker Service "qwen-pool-epp" is missing',
                "deploy the endpoint picker",
            ),
        ),
    )
    return data._replace(**changes)


# --- rendering -------------------------------------------------------------------------------


def test_a_whole_record_of_a_healthy_deployment() -> None:
    assert_golden("record/ready.md", render_record(record_data()))


def test_a_record_of_an_unverified_deployment_with_nothing_to_report() -> None:
    text = render_record(
        record_data(
            verdict=None,
            verification="",
            warnings=(),
            events=(),
            rules_summary=(),
            pools=(),
            findings=(),
        )
    )
    assert_golden("record/unverified.md", text)


def test_a_record_of_a_run_interrupted_after_the_apply() -> None:
    events = (
        ("apply", "HTTPRoute llm/qwen-pool created (generation 1)"),
        ("verify", "interrupted (Ctrl-C): the controller's verdict is unknown"),
    )
    text = render_record(
        record_data(verdict=None, verification="", events=events, interrupted=True)
    )
    assert_golden("record/interrupted.md", text)


def test_each_finding_is_listed_with_its_severity_subject_message_and_fix() -> None:
    text = render_record(record_data())
    assert "| preflight | 3 finding(s) |" in text
    rows = text.split("## Preflight findings")[1].split("##")[0].strip().splitlines()
    assert rows == [
        "| Severity | Subject | Finding | Fix |",
        "|---|---|---|---|",
        "| info | HTTPRoute llm/qwen-pool | you may create and patch HTTPRoutes and read the "
        "Gateway | — |",
        "| warning | HTTPRoute llm/qwen-pool | InferencePool llm/qwen-canary selects no pods "
        "(selector app=canary) | deploy the model server, or fix the pool's selector to match "
        "its pod labels |",
        '| warning | InferencePool llm/qwen-pool | the endpoint picker Service "qwen-pool-epp" '
        "is missing | deploy the endpoint picker |",
    ]


def test_an_unhealthy_verdict_carries_its_fix() -> None:
    verdict = Verdict("Unresolved", False, "ResolvedRefs=False (BackendNotFound)", "create it")
    text = render_record(record_data(verdict=verdict))
    assert "**Unresolved** — ResolvedRefs=False (BackendNotFound)\n\nFix: create it" in text


def test_the_timestamp_is_written_in_utc_whatever_zone_it_came_in() -> None:
    local = NOW.astimezone(timezone(timedelta(hours=-8)))
    assert "| Timestamp (UTC) | 2026-11-29T22:15:00Z |" in render_record(
        record_data(timestamp=local)
    )


def test_pool_shares_are_percentages_of_the_total_weight() -> None:
    pools = tuple(PoolBackend(f"p{i}", "llm", weight=1) for i in range(3))
    text = render_record(record_data(pools=pools))
    assert text.count("| 1 | 33.3% |") == 3


def test_a_manifest_containing_backticks_cannot_close_its_fence() -> None:
    text = render_record(record_data(manifest_yaml="a: '```'\n"))
    assert "````yaml\na: '```'\n````" in text


def test_a_pipe_in_a_table_value_does_not_split_the_cell() -> None:
    text = render_record(record_data(events=(("verify", "a | b"),)))
    assert "| verify | a \\| b |" in text


# --- redaction -------------------------------------------------------------------------------

SECRET = "s3cr3tVALUEdoNotLeak"


@pytest.mark.parametrize(
    "text",
    [
        f"Authorization: Bearer {SECRET}",
        f"curl -H 'authorization: bearer {SECRET}.abc'",
        f"token: {SECRET}",
        f'"token": "{SECRET}"',
        f"id-token: {SECRET}",
        f"--token={SECRET}",
        f"password: {SECRET}",
        f"PASSWORD={SECRET}",
        f"client-key-data: {SECRET}",
        f"    client-certificate-data: {SECRET}",
        f"certificate-authority-data: {SECRET}",
        f"server: https://admin:{SECRET}@10.0.0.1:6443",
        f"-----BEGIN RSA PRIVATE KEY-----\n{SECRET}\n-----END RSA PRIVATE KEY-----",
        f"-----BEGIN CERTIFICATE-----\n{SECRET}",
        f"users:\n- name: admin\n  user:\n    client-key-data: |\n      {SECRET}\n      more\n",
        f"api-key: sk-{SECRET}",
        "x: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl",
    ],
)
def test_redaction_removes_anything_that_looks_like_a_credential(text: str) -> None:
    redacted = redact(text)
    assert SECRET not in redacted
    assert "eyJzdWIiOiJhZG1pbiJ9" not in redacted
    assert "<redacted" in redacted


def test_redaction_leaves_an_ordinary_manifest_alone() -> None:
    assert redact(MANIFEST) == MANIFEST


def test_redaction_leaves_look_alike_words_alone() -> None:
    text = "max_tokens: 16\ntokenizer: qwen\nsecretName: tls-cert\nname: token-pool"
    assert redact(text) == text


def test_redaction_keeps_the_lines_after_a_secret_block() -> None:
    text = "user:\n  token: |\n    abc\n  username: admin\n"
    assert redact(text) == "user:\n  token: |\n    <redacted>\n  username: admin\n"


def test_a_record_never_contains_a_secret_from_the_manifest() -> None:
    manifest = MANIFEST.replace(
        "  labels:\n",
        f"  annotations:\n    example.com/token: {SECRET}\n"
        f"    example.com/auth: 'Bearer {SECRET}'\n  labels:\n",
    )
    text = render_record(record_data(manifest_yaml=manifest))
    assert SECRET not in text
    assert "example.com/token: <redacted>" in text


def test_a_record_never_contains_a_secret_from_any_field() -> None:
    verdict = Verdict("Unresolved", False, f"token: {SECRET}", f"password={SECRET}")
    text = render_record(
        record_data(
            context=f"token: {SECRET}",
            server=f"https://admin:{SECRET}@10.0.0.1:6443",
            namespace=f"password: {SECRET}",
            user=f"Bearer {SECRET}",
            plugin_version=f"token={SECRET}",
            rules_summary=(f"client-key-data: {SECRET}",),
            dry_run_verdict=f"Authorization: Bearer {SECRET}",
            warnings=(f"certificate-authority-data: {SECRET}",),
            verification=f"-----BEGIN PRIVATE KEY-----\n{SECRET}\n-----END PRIVATE KEY-----",
            verdict=verdict,
            events=((f"token: {SECRET}", f"client-certificate-data: {SECRET}"),),
            findings=(
                Finding("warning", f"token: {SECRET}", f"Bearer {SECRET}", f"password={SECRET}"),
            ),
        )
    )
    assert SECRET not in text


# --- paths and writing -----------------------------------------------------------------------


def test_the_default_path_names_the_route_and_the_utc_time() -> None:
    assert default_record_path("qwen-pool", NOW) == Path("qwen-pool-20261129T221500Z.inferroute.md")


def test_the_default_path_converts_a_local_time_to_utc(tmp_path: Path) -> None:
    local = NOW.astimezone(timezone(timedelta(hours=2)))
    path = default_record_path("qwen-pool", local, tmp_path)
    assert path == tmp_path / "qwen-pool-20261129T221500Z.inferroute.md"


def test_writes_the_record_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "r.inferroute.md"
    assert write_record(path, "# record\n") == path
    assert path.read_text(encoding="utf-8") == "# record\n"
    assert os.listdir(tmp_path) == ["r.inferroute.md"]


def test_never_overwrites_an_existing_record(tmp_path: Path) -> None:
    path = tmp_path / "r.inferroute.md"
    write_record(path, "first\n")
    with pytest.raises(RecordError) as raised:
        write_record(path, "second\n")
    assert "already exists" in raised.value.message
    assert raised.value.hint
    assert path.read_text(encoding="utf-8") == "first\n"
    assert os.listdir(tmp_path) == ["r.inferroute.md"]


def test_a_record_error_is_an_inferroute_error() -> None:
    assert issubclass(RecordError, InferrouteError)


def test_loses_a_race_with_a_concurrent_writer_without_overwriting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.inferroute.md"
    real_link = os.link

    def link_after_someone_else(src: str, dst: str) -> None:
        Path(dst).write_text("theirs\n", encoding="utf-8")
        real_link(src, dst)

    monkeypatch.setattr(os, "link", link_after_someone_else)
    with pytest.raises(RecordError):
        write_record(path, "ours\n")
    assert path.read_text(encoding="utf-8") == "theirs\n"
    assert os.listdir(tmp_path) == ["r.inferroute.md"]


def test_a_missing_directory_is_reported_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(RecordError) as raised:
        write_record(tmp_path / "nope" / "r.md", "x")
    assert "does not exist" in raised.value.message
    assert raised.value.hint


def test_a_directory_that_cannot_hold_files_is_reported_with_a_hint(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("", encoding="utf-8")
    with pytest.raises(RecordError) as raised:
        write_record(not_a_directory / "r.md", "x")
    assert "cannot write in directory" in raised.value.message
    assert "writable directory" in raised.value.hint


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only directories")
def test_a_read_only_directory_is_reported_with_a_hint(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(RecordError) as raised:
            write_record(tmp_path / "r.md", "x")
    finally:
        tmp_path.chmod(0o700)
    assert "cannot write in directory" in raised.value.message


def test_still_writes_on_a_filesystem_without_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: str, dst: str) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    path = tmp_path / "r.md"
    write_record(path, "content\n")
    assert path.read_text(encoding="utf-8") == "content\n"
    assert os.listdir(tmp_path) == ["r.md"]
    with pytest.raises(RecordError):
        write_record(path, "other\n")
    assert path.read_text(encoding="utf-8") == "content\n"


# --- the record `expose` writes, through the installed command -------------------------------


def _no_pods(cluster: Any) -> None:
    cluster.delete("v1", "pods", "llm", "qwen-0")


def _no_picker(cluster: Any) -> None:
    cluster.delete("v1", "services", "llm", "qwen-pool-epp")


def _pool_elsewhere(cluster: Any) -> None:
    cluster.add(o.namespace("models"))
    cluster.add(o.pool_v1("far-pool", "models"))


FINDING_CASES: dict[str, tuple[Callable[[Any], None], tuple[str, ...], str]] = {
    # name: (what is wrong in the cluster, expose's POOL and flags, the route's name)
    "nothing wrong": (lambda cluster: None, ("qwen-pool",), "qwen-pool"),
    "a pool without pods": (_no_pods, ("qwen-pool",), "qwen-pool"),
    "no endpoint picker": (_no_picker, ("qwen-pool",), "qwen-pool"),
    "a grant to create": (
        _pool_elsewhere,
        ("models/far-pool", "--create-reference-grant"),
        "far-pool",
    ),
}
FINDING_LINE = re.compile(r"^  [·!✗] (info|warning|error): (.*)$")


def printed_findings(output: str) -> list[tuple[str, str, str]]:
    """(severity, message, fix) of each finding under "Preflight checks", as printed."""
    found: list[tuple[str, str, str]] = []
    lines = output.split("Preflight checks", 1)[1].split("Server dry-run", 1)[0].splitlines()
    for index, line in enumerate(lines):
        match = FINDING_LINE.match(line)
        if match:
            after = lines[index + 1].strip() if index + 1 < len(lines) else ""
            fix = after[len("fix: ") :] if after.startswith("fix: ") else ""
            found.append((match.group(1), match.group(2), fix))
    return found


@pytest.mark.parametrize("name", list(FINDING_CASES))
def test_the_record_lists_every_finding_the_run_printed(
    cluster: Any, kubeconfig: Path, tmp_path: Path, name: str
) -> None:
    from test_terminal import installed_plugin, plugin_env

    setup, args, route = FINDING_CASES[name]
    setup(cluster)
    record = tmp_path / "record.md"
    recorded = ("--record", str(record))
    result = subprocess.run(
        [installed_plugin(), "expose", *args, "--gateway", "inference-gateway", "--yes", *recorded],
        capture_output=True,
        text=True,
        env=plugin_env(kubeconfig),
        check=False,
        timeout=60,
    )
    assert result.returncode in (0, 3), result.stdout + result.stderr
    findings = printed_findings(result.stdout)
    assert findings, result.stdout
    text = record.read_text()
    assert f"| preflight | {len(findings)} finding(s) |" in text
    table = text.split("## Preflight findings\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert table[:2] == ["| Severity | Subject | Finding | Fix |", "|---|---|---|---|"]
    assert table[2:] == [
        f"| {severity} | HTTPRoute llm/{route} | {message} | {fix or '—'} |"
        for severity, message, fix in findings
    ]
