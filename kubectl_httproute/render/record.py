"""The markdown deployment record: rendered as one string, then written once, never overwriting."""

from __future__ import annotations

import errno
import os
import re
import tempfile
from contextlib import suppress
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

from ..core.explain import share_percent
from ..core.findings import Finding
from ..core.model import ObjectRef, PoolBackend
from ..core.verdict import Verdict
from ..errors import InferrouteError

REDACTED = "<redacted>"


class RecordError(InferrouteError):
    """The deployment record could not be written: the path exists or the directory is unusable."""


class RecordData(NamedTuple):
    """Everything the record says, gathered by the command before anything is written."""

    timestamp: datetime  # UTC
    context: str
    server: str
    namespace: str
    user: str
    plugin_version: str
    route: ObjectRef
    gateway: ObjectRef
    pools: tuple[PoolBackend, ...]
    manifest_yaml: str  # the complete manifest as applied
    rules_summary: tuple[str, ...]  # plain sentences about the routing rules
    dry_run_verdict: str
    warnings: tuple[str, ...]
    verification: str  # the rendered tables
    verdict: Verdict | None
    events: tuple[tuple[str, str], ...]  # (step, outcome): issues met and how they ended
    findings: tuple[Finding, ...] = ()  # preflight's, each listed with its fix
    interrupted: bool = False  # Ctrl-C after the apply: the verdict is unknown
    action: str = "apply"  # "delete": a deletion record (`delete`), see render_deletion_record


# ---------------------------------------------------------------------------------------------
# Redaction. The record is meant to be shared; nothing secret should ever reach it, but the
# inputs come from kubeconfigs, API errors and user flags, so scrub them anyway.

_PEM = re.compile(r"-----BEGIN [A-Z0-9 ]+-----.*?(?:-----END [A-Z0-9 ]+-----|\Z)", re.DOTALL)
_SECRET_KEY_NAMES = (
    r"(?:[A-Za-z0-9_-]*[-_])?(?:token|password|passwd|secret|api[-_]?key|authorization)"
    r"|client-key-data|client-certificate-data|certificate-authority-data"
)
# `key: value`, `"key": "value"`, `key=value`, `--key=value`; the key must start a word so that
# `max_tokens: 16` stays, and end right before the separator so that `tokenizer:` stays.
_SECRET_ASSIGNMENT = re.compile(
    r"(?P<key>(?<![A-Za-z0-9_-])[\"']?(?:" + _SECRET_KEY_NAMES + r")[\"']?)"
    r"(?P<sep>[ \t]*[:=][ \t]*)"
    r"(?P<value>\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'|[^\s\"'|>][^\n]*)",
    re.IGNORECASE,
)
# A YAML block scalar (`client-key-data: |`) carries its secret on the following indented lines.
_SECRET_BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)(?:-[ \t]+)?[\"']?(?:" + _SECRET_KEY_NAMES + r")[\"']?"
    r"[ \t]*:[ \t]*[|>][-+0-9]*[ \t]*$",
    re.IGNORECASE,
)
_PATTERNS = (
    (re.compile(r"(?i)\b(bearer)[ \t]+[A-Za-z0-9._~+/=-]+"), r"\1 " + REDACTED),
    (re.compile(r"(?i)\b(basic)[ \t]+[A-Za-z0-9+/]{8,}=*"), r"\1 " + REDACTED),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), REDACTED),  # JWT
    (re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"), REDACTED),  # OpenAI-style API keys
    (re.compile(r"\bhf_[A-Za-z0-9]{20,}"), REDACTED),  # Hugging Face tokens
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"), REDACTED),  # GitHub tokens
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), REDACTED),  # AWS access key ids
    # Passwords in URLs: https://user:secret@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+):[^@\s/]+@"), r"\1:" + REDACTED + "@"),
)


def _redact_blocks(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        match = _SECRET_BLOCK.match(line)
        if not match:
            continue
        indent = len(match.group("indent"))
        hidden = False
        # The block is every following line indented deeper than the key (blank lines included).
        while i < len(lines) and (
            not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent
        ):
            if lines[i].strip() and not hidden:
                out.append(" " * (indent + 2) + REDACTED)
                hidden = True
            i += 1
    return "\n".join(out)


def _redact_assignment(match: re.Match[str]) -> str:
    return f"{match.group('key')}{match.group('sep')}{REDACTED}"


def redact(text: str) -> str:
    """Remove anything that looks like a credential: tokens, passwords, key data, PEM blocks."""
    text = _PEM.sub("<redacted PEM block>", text)
    text = _redact_blocks(text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return _SECRET_ASSIGNMENT.sub(_redact_assignment, text)


# ---------------------------------------------------------------------------------------------
# Rendering.


def _utc(moment: datetime) -> datetime:
    # A naive datetime is taken to be UTC already: the plugin only ever makes UTC ones.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _cell(value: object) -> str:
    # A markdown table cell is one line, and `|` would start a new column.
    text = " ".join(redact(str(value)).split()).replace("|", "\\|")
    return text or "—"


def _table(headers: tuple[str, ...], rows: list[tuple[object, ...]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _fenced(text: str, info: str = "") -> list[str]:
    # The fence must be longer than any backtick run inside, or the block would end early.
    runs = [len(run) for run in re.findall(r"`+", text)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    body = redact(text).rstrip("\n")
    return [f"{fence}{info}", *body.split("\n"), fence]


def _pool_rows(pools: tuple[PoolBackend, ...]) -> list[tuple[object, ...]]:
    total = sum(max(p.weight, 0) for p in pools)
    return [
        (p.name, p.namespace, p.group, p.port, p.weight, share_percent(max(p.weight, 0), total))
        for p in pools
    ]


def _bullets(items: tuple[str, ...], empty: str) -> list[str]:
    if not items:
        return [empty]
    return [f"- {' '.join(redact(item).split())}" for item in items]


def _verdict_lines(verdict: Verdict | None, interrupted: bool) -> list[str]:
    if verdict is None and interrupted:
        return ["**Unknown** — interrupted (Ctrl-C) before the controller's verdict."]
    if verdict is None:
        return ["Not verified: the controller's conditions were not read."]
    lines = [f"**{verdict.state}** — {redact(verdict.summary)}"]
    if verdict.fix:
        lines += ["", f"Fix: {redact(verdict.fix)}"]
    return lines


def _findings_lines(findings: tuple[Finding, ...], route: ObjectRef) -> list[str]:
    if not findings:
        return ["None."]
    # A preflight finding without a subject is about the route being deployed.
    rows: list[tuple[object, ...]] = [
        (f.severity, f.subject or f"HTTPRoute {route}", f.message, f.fix) for f in findings
    ]
    return _table(("Severity", "Subject", "Finding", "Fix"), rows)


def _diagram_lines(data: RecordData) -> list[str]:
    """The route's graph as a Mermaid block (GitHub and GitLab draw it): part of every record,
    whichever command writes it."""
    from ..core.graph import build_record_graph
    from .graph import render_mermaid

    state = data.verdict.state if data.verdict is not None and not data.interrupted else None
    graph = build_record_graph(data.route, data.gateway, data.pools, state)
    return ["## Diagram", "", *_fenced(render_mermaid(graph), "mermaid")]


def render_record(data: RecordData) -> str:
    """The whole deployment record as markdown, with every embedded value redacted."""
    if data.action == "delete":
        return render_deletion_record(data)
    lines = [
        f"# Deployment record: HTTPRoute {_cell(data.route)}",
        "",
        *(
            [
                "**Interrupted** (Ctrl-C) after the apply: the route is applied, its verdict is "
                "unknown. Check it with "
                f"`kubectl inferroute status {data.route.name} -n {data.route.namespace}`.",
                "",
            ]
            if data.interrupted
            else []
        ),
        *_facts(data),
        "",
        "## Gateway and pools",
        "",
        f"Gateway: `{_cell(data.gateway)}`",
        "",
    ]
    if data.pools:
        headers = ("Pool", "Namespace", "Group", "Port", "Weight", "Share")
        lines += _table(headers, _pool_rows(data.pools))
    else:
        lines.append("No pools.")
    lines += ["", *_diagram_lines(data)]
    lines += [
        "",
        "## Routing rules",
        "",
        *_bullets(data.rules_summary, "No rules summary."),
        "",
        "## Manifest as applied",
        "",
        *(_fenced(data.manifest_yaml, "yaml") if data.manifest_yaml.strip() else ["No manifest."]),
        "",
        *_checks_lines(data),
        "",
        "## Verification",
        "",
        *(_fenced(data.verification) if data.verification.strip() else ["Not verified."]),
        "",
        "## Verdict",
        "",
        *_verdict_lines(data.verdict, data.interrupted),
        "",
        *_issues_lines(data),
    ]
    return "\n".join(lines) + "\n"


def _checks_lines(data: RecordData) -> list[str]:
    """Preflight's findings and the server's dry run, as every record has them."""
    lines = [
        "## Preflight findings",
        "",
        *_findings_lines(data.findings, data.route),
        "",
        "## Server-side dry run",
        "",
        " ".join(redact(data.dry_run_verdict).split()) or "Not run.",
        "",
        "Warnings:" if data.warnings else "No warnings.",
    ]
    if data.warnings:
        lines += ["", *_bullets(data.warnings, "")]
    return lines


def _issues_lines(data: RecordData) -> list[str]:
    """The journal of the run: each step's outcome."""
    lines = ["## Issues met", ""]
    if data.events:
        return lines + _table(("Step", "Outcome"), list(data.events))
    return [*lines, "None."]


def _facts(data: RecordData) -> list[str]:
    timestamp = _utc(data.timestamp).strftime("%Y-%m-%dT%H:%M:%SZ")
    return _table(
        ("Fact", "Value"),
        [
            ("Timestamp (UTC)", timestamp),
            ("Context", data.context),
            ("Cluster server", data.server),
            ("Namespace", data.namespace),
            ("User", data.user),
            ("Plugin version", f"kubectl-inferroute {data.plugin_version}"),
            ("HTTPRoute", data.route),
        ],
    )


POOL_HEADERS = ("Pool", "Namespace", "Group", "Port", "Weight", "Share")


def render_deletion_record(data: RecordData) -> str:
    """The record of a deleted route: what it served, who took over, the object as deleted.

    `rules_summary` holds what stopped being served and who takes it over; `verification` how
    the wait for the route to be gone ended; the verdict is Deleted, or why not."""
    lines = [
        f"# Deletion record: HTTPRoute {_cell(data.route)}",
        "",
        *(
            [
                "**Interrupted** (Ctrl-C) after the delete request: the route is being deleted; "
                "check it with "
                f"`kubectl get httproute {data.route.name} -n {data.route.namespace}`.",
                "",
            ]
            if data.interrupted
            else []
        ),
        *_facts(data),
        "",
        "## Gateway and pools that no longer get this route's traffic",
        "",
        f"Gateway: `{_cell(data.gateway)}`",
        "",
        *(
            _table(
                ("Pool", "Namespace", "Group", "Port", "Weight", "Share"), _pool_rows(data.pools)
            )
            if data.pools
            else ["No pools."]
        ),
        "",
        "## What stopped being served, and who takes it over",
        "",
        *_bullets(data.rules_summary, "Nothing."),
        "",
        # The traffic as it was before the delete, as every record draws its route.
        *_diagram_lines(data),
        "",
        "## Manifest as deleted",
        "",
        *(_fenced(data.manifest_yaml, "yaml") if data.manifest_yaml.strip() else ["No manifest."]),
        "",
        *_checks_lines(data),
        "",
        "## Deletion",
        "",
        " ".join(redact(data.verification).split()) or "Not waited for.",
        "",
        "## Verdict",
        "",
        *(
            ["**Unknown** — interrupted (Ctrl-C) before the route was seen gone."]
            if data.interrupted and data.verdict is None
            else _verdict_lines(data.verdict, data.interrupted)
        ),
        "",
        *_issues_lines(data),
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Writing.


def default_record_path(route_name: str, now: datetime, directory: Path = Path(".")) -> Path:
    """`<directory>/<route>-<UTC timestamp like 20261129T221500Z>.inferroute.md`."""
    return directory / f"{route_name}-{_utc(now).strftime('%Y%m%dT%H%M%SZ')}.inferroute.md"


def _exists_error(path: Path) -> RecordError:
    return RecordError(
        f"record not written: {path} already exists",
        "records are never overwritten: move the existing file away or choose another path",
    )


def _directory_error(directory: Path, exc: OSError) -> RecordError:
    if isinstance(exc, FileNotFoundError):
        return RecordError(
            f"record not written: directory {directory} does not exist",
            "create it, or choose another directory for the record",
        )
    return RecordError(
        f"record not written: cannot write in directory {directory} ({exc.strerror or exc})",
        "choose a writable directory for the record",
    )


# Filesystems without hard links (some network and FUSE mounts) answer os.link with these.
_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK}


def _fsync_directory(directory: Path) -> None:
    # Makes the new name durable; not every platform can open a directory, so best effort.
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_exclusive(path: Path, data: bytes) -> None:
    # Without hard links, O_EXCL still guarantees no overwrite; the content is written after.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise _exists_error(path) from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_record(path: Path, text: str) -> Path:
    """Write the record atomically; fail with RecordError rather than overwrite anything."""
    directory = path.parent
    if path.exists() or path.is_symlink():
        raise _exists_error(path)
    data = text.encode("utf-8")
    try:
        # mkstemp creates the file 0600: a record names clusters and users, so private by default.
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise _directory_error(directory, exc) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            # link fails if the target exists: the whole record appears at once or not at all.
            os.link(temp_name, path)
        except FileExistsError:
            raise _exists_error(path) from None
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS:
                raise _directory_error(directory, exc) from exc
            _write_exclusive(path, data)
        _fsync_directory(directory)
    finally:
        with suppress(FileNotFoundError):
            os.unlink(temp_name)
    return path
