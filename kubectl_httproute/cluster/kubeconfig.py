"""Read kubeconfig files the way kubectl does, into one merged dict and a chosen context.

kubectl's rules (client-go `ClientConfigLoadingRules`): `--kubeconfig` alone when given; else every
file in `$KUBECONFIG`, merged so that the first file to set a value wins (current-context included);
else `~/.kube/config`. The Python client takes current-context from the last file; we do not.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import (
    ADVICE_CONTEXT_NAMESPACE,
    ADVICE_KUBECONFIG_BROKEN,
    ADVICE_KUBECONFIG_MISSING,
    ADVICE_KUBECONFIG_NOT_ONE,
    ADVICE_KUBECONFIG_UNREADABLE,
    ADVICE_NO_CONTEXT,
    ADVICE_NO_KUBECONFIG,
    KubeconfigError,
)
from . import blockyaml

NAMED_SECTIONS = ("clusters", "users", "contexts")
# Keys whose relative paths are relative to the file that sets them.
PATH_KEYS = {
    "cluster": ("certificate-authority",),
    "user": ("client-certificate", "client-key", "tokenFile"),
}


class GlobalFlags(NamedTuple):
    """kubectl's global flags, as given (None: not given)."""

    kubeconfig: str | None = None
    context: str | None = None
    cluster: str | None = None
    user: str | None = None
    namespace: str | None = None
    request_timeout: str | None = None
    verbose: int = 0


class KubeconfigSelection(NamedTuple):
    """The merged kubeconfig, the context in force, and what that context names."""

    config: dict[str, Any]
    context_name: str
    cluster_name: str
    user_name: str
    namespace: str
    server: str


def kubeconfig_paths(explicit: str | None, environ: dict[str, str] | None = None) -> list[Path]:
    """The files kubectl would read, in precedence order."""
    env = os.environ if environ is None else environ
    if explicit:
        return [Path(explicit).expanduser()]
    listed = env.get("KUBECONFIG", "")
    if listed:
        seen: list[Path] = []
        for part in listed.split(os.pathsep):
            if part and Path(part).expanduser() not in seen:
                seen.append(Path(part).expanduser())
        return seen
    home = env.get("HOME") or str(Path.home())
    return [Path(home) / ".kube" / "config"]


def read_kubeconfig_file(path: Path) -> dict[str, Any]:
    """Parse one kubeconfig file; an unreadable or malformed file is a KubeconfigError."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise KubeconfigError(
            f"cannot read kubeconfig {path}: {exc.strerror or exc}",
            "check the kubeconfig path or $KUBECONFIG",
            flag_advice=ADVICE_KUBECONFIG_UNREADABLE,
        ) from None
    data = blockyaml.load(text)  # what kubectl writes, without PyYAML's import
    if data is blockyaml.DECLINED:
        data = _load_yaml(path, text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise KubeconfigError(
            f"kubeconfig {path} is not a kubeconfig (expected a mapping)",
            "use a file made by `kubectl config`",
            flag_advice=ADVICE_KUBECONFIG_NOT_ONE,
        )
    return _resolve_relative_paths(data, path.parent.resolve())


def _load_yaml(path: Path, text: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise KubeconfigError(
            f"kubeconfig {path} is not valid YAML{line}",
            "fix the file",
            flag_advice=ADVICE_KUBECONFIG_BROKEN,
        ) from None


def _resolve_relative_paths(data: dict[str, Any], base: Path) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for section, inner in (("clusters", "cluster"), ("users", "user")):
        for entry in data.get(section) or []:
            body = entry.get(inner) if isinstance(entry, dict) else None
            if not isinstance(body, dict):
                continue
            for key in PATH_KEYS[inner]:
                value = body.get(key)
                if isinstance(value, str) and value and not os.path.isabs(value):
                    body[key] = str(base / os.path.expanduser(value))
            exec_cfg = body.get("exec")
            if isinstance(exec_cfg, dict):
                command = exec_cfg.get("command")
                # client-go resolves a command only when it is a relative path, not a bare name.
                if isinstance(command, str) and os.sep in command and not os.path.isabs(command):
                    exec_cfg["command"] = str(base / command)
    return data


def merge_kubeconfigs(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """Merge kubeconfig documents: the first one to set a value (or name an entry) wins."""
    merged: dict[str, Any] = {"apiVersion": "v1", "kind": "Config"}
    for section in NAMED_SECTIONS:
        merged[section] = []
    names: dict[str, set[str]] = {section: set() for section in NAMED_SECTIONS}
    for doc in documents:
        for section in NAMED_SECTIONS:
            for entry in doc.get(section) or []:
                if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                    continue
                if entry["name"] not in names[section]:
                    names[section].add(entry["name"])
                    merged[section].append(entry)
        if doc.get("current-context") and "current-context" not in merged:
            merged["current-context"] = doc["current-context"]
        for key, value in (doc.get("preferences") or {}).items():
            merged.setdefault("preferences", {}).setdefault(key, value)
    return merged


def _named(config: dict[str, Any], section: str, name: str) -> dict[str, Any] | None:
    inner = section[:-1]
    for entry in config.get(section) or []:
        if entry.get("name") == name:
            body = entry.get(inner)
            return body if isinstance(body, dict) else {}
    return None


def load_kubeconfig(
    explicit: str | None = None,
    *,
    context: str | None = None,
    cluster: str | None = None,
    user: str | None = None,
    namespace: str | None = None,
    environ: dict[str, str] | None = None,
) -> KubeconfigSelection:
    """Load and merge the kubeconfig files, apply the overrides, and pick the context."""
    paths = kubeconfig_paths(explicit, environ)
    documents = []
    for path in paths:
        # kubectl skips missing files in $KUBECONFIG but not an explicit --kubeconfig.
        if not explicit and not path.exists():
            continue
        if explicit and not path.exists():
            raise KubeconfigError(
                f"kubeconfig {path} does not exist",
                "check the kubeconfig path",
                flag_advice=ADVICE_KUBECONFIG_MISSING,
            )
        documents.append(read_kubeconfig_file(path))
    if not documents:
        where = os.pathsep.join(str(p) for p in paths)
        raise KubeconfigError(
            f"no kubeconfig found (looked in {where})",
            "set $KUBECONFIG, or run `kubectl config set-cluster` first",
            flag_advice=ADVICE_NO_KUBECONFIG,
        )
    config = merge_kubeconfigs(documents)
    context_name = context or config.get("current-context") or ""
    contexts = [c.get("name") for c in config["contexts"]]
    if not context_name:
        raise KubeconfigError(
            "the kubeconfig has no current context",
            "run `kubectl config use-context NAME`"
            + (f" (contexts: {', '.join(contexts)})" if contexts else ""),
            flag_advice=ADVICE_NO_CONTEXT,
        )
    ctx = _named(config, "contexts", context_name)
    if ctx is None:
        raise KubeconfigError(
            f'context "{context_name}" does not exist in the kubeconfig',
            f"use one of: {', '.join(contexts)}"
            if contexts
            else "run `kubectl config get-contexts`",
        )
    ctx = dict(ctx)
    if cluster:
        ctx["cluster"] = cluster
    if user:
        ctx["user"] = user
    if not namespace and ctx.get("namespace"):
        _check_context_namespace(str(ctx["namespace"]), context_name)
    cluster_name = ctx.get("cluster") or ""
    cluster_body = _named(config, "clusters", cluster_name)
    if cluster_body is None:
        raise KubeconfigError(
            f'cluster "{cluster_name}" (context "{context_name}") does not exist in the kubeconfig',
            "run `kubectl config get-clusters`, or fix the context",
        )
    server = cluster_body.get("server") or ""
    if not server:
        raise KubeconfigError(
            f'cluster "{cluster_name}" has no server URL',
            f"run `kubectl config set-cluster {cluster_name} --server=https://...`",
        )
    problem = server_url_problem(server)
    if problem:
        shown = f'"{server}"' if isinstance(server, str) and server.isprintable() else repr(server)
        raise KubeconfigError(
            f'the kubeconfig\'s server for cluster "{cluster_name}" is not a URL: '
            f"{shown} {problem}",
            f"run `kubectl config set-cluster {cluster_name} --server=https://HOST:PORT`",
        )
    user_name = ctx.get("user") or ""
    if user_name and _named(config, "users", user_name) is None:
        raise KubeconfigError(
            f'user "{user_name}" (context "{context_name}") does not exist in the kubeconfig',
            "run `kubectl config view` and fix the context's user",
        )
    # Write the overrides into the merged config so the client sees exactly this context.
    for entry in config["contexts"]:
        if entry.get("name") == context_name:
            entry["context"] = ctx
    config["current-context"] = context_name
    return KubeconfigSelection(
        config=config,
        context_name=context_name,
        cluster_name=cluster_name,
        user_name=user_name,
        namespace=namespace or ctx.get("namespace") or "default",
        server=server.rstrip("/"),
    )


def server_url_problem(server: object) -> str | None:
    """Why a cluster's `server` cannot be the API server's URL, or None when it can be one."""
    from urllib.parse import urlsplit

    if not isinstance(server, str):
        return "is not text"
    if not server.isprintable() or any(char.isspace() for char in server):
        return "contains a space or control character"
    try:
        parts = urlsplit(server)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number 0..65535
    except ValueError as exc:
        return f"cannot be parsed ({exc})"
    if parts.scheme.lower() not in ("https", "http"):
        return "does not start with https:// (or http://)"
    if not parts.hostname:
        return "names no host"
    return None


# One literal, so the flag in it reads as kubectl's (the layer names no flag of ours).
_SET_CONTEXT_NAMESPACE = "`kubectl config set-context CONTEXT --namespace=NAMESPACE`"


def _check_context_namespace(namespace: str, context_name: str) -> None:
    from ..core.validation import check_dns_label
    from ..errors import InvalidInput

    try:
        check_dns_label(namespace, f'kubeconfig context "{context_name}" namespace')
    except InvalidInput as error:
        raise KubeconfigError(
            error.message,
            "fix it with " + _SET_CONTEXT_NAMESPACE.replace("CONTEXT", context_name),
            flag_advice=ADVICE_CONTEXT_NAMESPACE,
        ) from None


def load_selection(flags: GlobalFlags) -> KubeconfigSelection:
    """The merged kubeconfig and the context the flags choose, as kubectl would pick them."""
    return load_kubeconfig(
        flags.kubeconfig,
        context=flags.context,
        cluster=flags.cluster,
        user=flags.user,
        namespace=flags.namespace,
    )
