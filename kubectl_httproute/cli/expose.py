"""`kubectl inferroute expose`: discover, build, dry-run, approve, apply, verify, record."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import click

from .. import __version__
from ..core.discovery import (
    Choice,
    GatewayInfo,
    PoolInfo,
    T,
    choose,
    is_gke_class,
    missing_named,
    several_error,
    summarize_gateway,
    summarize_pool,
)
from ..core.model import (
    FIELD_MANAGER,
    HTTPROUTES,
    POOL_GROUP_V1,
    POOLS_V1ALPHA2,
    ObjectRef,
    PoolBackend,
    ResourceApi,
    RouteSpec,
    ServedApis,
)
from ..core.options import DRY_RUN_MODES, OUTPUT_FORMATS, ExposeOptions, build_expose_options
from ..errors import (
    EXIT_OK,
    EXIT_UNHEALTHY,
    InferrouteError,
    NotApproved,
    NotFound,
)
from .common import (
    GlobalFlags,
    global_flags,
    heading,
    kube_flags,
    load_selection,
    open_cluster,
    say,
    stderr_is_tty,
    stdin_is_tty,
    warn,
)
from .completion import complete_gateways, complete_pools

if TYPE_CHECKING:
    from ..cluster.client import KubeClient
    from ..core.verify import Verdict
    from .preflight_steps import PreflightResult

APPROVAL_QUESTION = "Does this HTTPRoute configuration look correct? May I proceed with deployment?"

EXPOSE_HELP = """Route a Gateway to one or more InferencePools with a verified HTTPRoute.

Finds the Gateway and InferencePool(s) (asking when there are several), builds the HTTPRoute,
validates it, dry-runs it on the server, shows it with a plain explanation, asks for approval,
applies it with server-side apply, waits for the gateway controller's verdict, prints the
route's, Gateway's and pools' conditions, and writes a markdown deployment record.

POOL arguments are [NAMESPACE/]POOL[=WEIGHT]; several pools split traffic by weight.
The route is named after the first pool unless --name is given.

\b
Examples:
  # Preview without a cluster (no kubeconfig needed)
  kubectl inferroute expose qwen-pool --gateway inference-gateway -n llm --dry-run=client -o yaml

\b
  # Discover the only Gateway and pool in the namespace, ask, apply and verify
  kubectl inferroute expose -n llm

\b
  # Canary: 90% to qwen-a, 10% to qwen-b, on one hostname, without asking
  kubectl inferroute expose qwen-a=90 qwen-b=10 --gateway inference-gateway \\
      --hostname llm.example.com -n llm --yes

\b
  # Check what the server would store, never apply
  kubectl inferroute expose qwen-pool --gateway inference-gateway --dry-run=server -o yaml
"""


@dataclass
class Journal:
    """What happened at each step, for the record."""

    events: list[tuple[str, str]] = field(default_factory=list)

    def add(self, step: str, outcome: str) -> None:
        self.events.append((step, outcome))


@click.command(help=EXPOSE_HELP, short_help="Create a verified HTTPRoute to InferencePools.")
@click.argument(
    "pools", nargs=-1, metavar="[NAMESPACE/]POOL[=WEIGHT]...", shell_complete=complete_pools
)
@click.option(
    "--gateway",
    metavar="[NAMESPACE/]NAME",
    help="The Gateway to attach to.",
    shell_complete=complete_gateways,
)
@click.option("--name", metavar="NAME", help="Name of the HTTPRoute. [default: the first pool's]")
@click.option("--section-name", metavar="LISTENER", help="Attach to this listener only.")
@click.option(
    "--hostname",
    "hostnames",
    multiple=True,
    metavar="HOST",
    help="Match this hostname (repeatable).",
)
@click.option("--path", default="/", show_default=True, help="Path to match.")
@click.option(
    "--path-type",
    type=click.Choice(["PathPrefix", "Exact"]),
    default="PathPrefix",
    show_default=True,
    help="How --path matches.",
)
@click.option(
    "--header",
    "headers",
    multiple=True,
    metavar="NAME=VALUE",
    help="Also require this exact header (repeatable).",
)
@click.option(
    "--port",
    type=int,
    metavar="PORT",
    help="backendRef port. [default: the pool's first target port, else 8000]",
)
@click.option(
    "--route-timeout",
    metavar="DURATION",
    help="rules[].timeouts.request; 0s = no timeout. [default: 0s]",
)
@click.option(
    "--backend-timeout",
    metavar="DURATION",
    help="rules[].timeouts.backendRequest; 0s = no timeout. [default: 0s]",
)
@click.option(
    "--pool-group",
    type=click.Choice([POOL_GROUP_V1, POOLS_V1ALPHA2.group]),
    help="InferencePool API group for --dry-run=client. [default: detected; "
    f"{POOL_GROUP_V1} offline]",
)
@click.option(
    "--dry-run",
    type=click.Choice(DRY_RUN_MODES),
    default="none",
    show_default=True,
    help="client: print without contacting the cluster; server: dry-run on the "
    "server, never apply.",
)
@click.option(
    "-o",
    "--output",
    type=click.Choice(OUTPUT_FORMATS),
    help="Print the object (dry-run result or applied object) instead of the human view.",
)
@click.option("-y", "--yes", is_flag=True, help="Apply without asking.")
@click.option(
    "--force-conflicts", is_flag=True, help="Take ownership of fields another field manager owns."
)
@click.option(
    "--force", is_flag=True, help="Apply even when no Gateway listener seems to admit the route."
)
@click.option(
    "--create-reference-grant",
    is_flag=True,
    help="Create the ReferenceGrant a pool in another namespace needs (asked when interactive).",
)
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Wait for the gateway controller's verdict.",
)
@click.option(
    "--timeout",
    default="60s",
    show_default=True,
    metavar="DURATION",
    help="How long to wait for the verdict.",
)
@click.option(
    "--record",
    "record_path",
    metavar="PATH",
    help="Write the deployment record here. [default: ./ROUTE-TIMESTAMP.inferroute.md]",
)
@click.option("--no-record", is_flag=True, help="Do not write a deployment record.")
@kube_flags
@click.pass_context
def expose(ctx: click.Context, /, **params: Any) -> None:
    flags = global_flags(ctx, params)
    ctx.meta["inferroute.verbose"] = flags.verbose
    options = build_expose_options(
        namespace=flags.namespace,
        pools=params["pools"],
        gateway=params["gateway"],
        name=params["name"],
        section_name=params["section_name"],
        hostnames=params["hostnames"],
        path=params["path"],
        path_type=params["path_type"],
        headers=params["headers"],
        port=params["port"],
        route_timeout=params["route_timeout"],
        backend_timeout=params["backend_timeout"],
        pool_group=params["pool_group"],
        dry_run=params["dry_run"],
        output=params["output"],
        yes=params["yes"],
        force_conflicts=params["force_conflicts"],
        wait=params["wait"],
        timeout=params["timeout"],
        record_path=params["record_path"],
        no_record=params["no_record"],
        force=params["force"],
        create_reference_grant=params["create_reference_grant"],
    )
    if options.dry_run == "client":
        ctx.exit(run_client_dry_run(options, flags))
    ctx.exit(run_expose(options, flags))


# --- offline -------------------------------------------------------------------------------------


def run_client_dry_run(options: ExposeOptions, flags: GlobalFlags) -> int:
    """Print the manifest from the flags alone: no kubeconfig needed, no request sent."""
    from ..core.manifest import render_json, render_yaml

    namespace = options.namespace or _namespace_from_kubeconfig(flags) or "default"
    options = options.complete(namespace)
    assert options.gateway is not None
    group = options.pool_group or POOL_GROUP_V1
    backends = tuple(
        PoolBackend(
            name=p.ref.name,
            namespace=p.ref.namespace,
            group=group,
            port=options.port or 8000,
            weight=p.weight if p.weight is not None else 1,
        )
        for p in options.pools
    )
    spec = _route_spec(options, options.gateway, backends, gke=False)
    manifest = _build_manifest(spec)
    if options.output == "json":
        say(render_json(manifest).rstrip("\n"))
    else:
        say(render_yaml(manifest).rstrip("\n"))
    return EXIT_OK


def _namespace_from_kubeconfig(flags: GlobalFlags) -> str | None:
    # Offline, a kubeconfig only lends its namespace; none, or a broken one, is no error.
    try:
        namespace: str = load_selection(flags).namespace
    except InferrouteError:
        return None
    return namespace


# --- the whole workflow -------------------------------------------------------------------------


def run_expose(options: ExposeOptions, flags: GlobalFlags) -> int:
    """Discover → build → preflight → dry-run → approve → apply → verify → record."""
    human = options.output is None
    journal = Journal()
    client = open_cluster(flags, on_warning=warn)
    options = options.complete(options.namespace or client.selection.namespace)
    served = _require_apis(client.served_apis())
    assert served.gateways is not None
    gateway, gateway_obj = _find_gateway(client, options, served.gateways)
    pools = _find_pools(client, options, served.pools)
    _show_found(gateway, pools, journal, human)

    spec, notes = _plan_route(options, gateway, pools)
    manifest = _build_manifest(spec)
    route_ref = ObjectRef(spec.namespace, spec.name)
    existing = client.get(HTTPROUTES, spec.namespace, spec.name)
    if human:
        _show_plan(spec, manifest, gateway, notes, existing)

    from .preflight_steps import run_preflight

    preflight = run_preflight(
        client, options, served, gateway_obj, gateway, pools, spec, manifest, existing
    )
    grants = _settle_preflight(client, options, preflight, journal, human)
    dry, dry_warnings = _server_dry_run(client, manifest, options, journal, human)
    if options.dry_run == "server":
        if not human:
            _print_object(_for_display(dry), options.output)
        return EXIT_OK

    _ask_approval(options, journal, human)
    applied = _apply(client, manifest, options, grants, preflight.grant_api, journal)
    _show_applied(route_ref, existing, applied, journal, human)

    verdict = None
    tables = ""
    final = applied
    failure: InferrouteError | None = None
    if options.wait:
        try:
            final, verdict, tables = _verify(
                client, route_ref, gateway, pools, options, journal, preflight.findings
            )
        except InferrouteError as error:
            # The route is applied: keep that on record, then report why verifying failed.
            journal.add("verify", f"failed: {error}")
            error.message = (
                f"applied HTTPRoute {route_ref}, but checking it failed: {error.message}"
            )
            failure = error
        if human and tables:
            say()
            say(tables.rstrip("\n"))
    else:
        journal.add("verify", "skipped (--no-wait)")
    if not human and failure is None:
        _print_object(_for_display(final), options.output)

    _write_record(
        options,
        client.selection,
        route_ref,
        gateway,
        spec,
        manifest,
        dry_warnings,
        tables,
        verdict,
        journal,
        human,
    )
    if failure is not None:
        raise failure
    if verdict is not None and not verdict.healthy:
        return EXIT_UNHEALTHY
    if human and verdict is not None and verdict.state == "Ready":
        _offer_probe(client, route_ref)
    return EXIT_OK


# --- the steps of run_expose ---------------------------------------------------------------------


def _require_apis(served: ServedApis) -> ServedApis:
    """Gateway API and an InferencePool API must be served; say which CRDs to install if not."""
    from ..cluster.client import CRD_HINTS

    if served.httproutes is None or served.gateways is None:
        raise NotFound(
            "the cluster does not serve Gateway API (gateway.networking.k8s.io/v1 gateways and "
            "httproutes)",
            CRD_HINTS["gateway.networking.k8s.io"],
        )
    if not served.pools:
        raise NotFound(
            "the cluster serves no InferencePool API (inference.networking.k8s.io/v1 or "
            "inference.networking.x-k8s.io/v1alpha2)",
            CRD_HINTS[POOL_GROUP_V1],
        )
    return served


def _show_found(gateway: GatewayInfo, pools: list[PoolInfo], journal: Journal, human: bool) -> None:
    if human:
        heading("Found")
        say(f"  {gateway.describe()}")
        for pool in pools:
            say(f"  {pool.describe()}")
    journal.add(
        "discovery", f"Gateway {gateway.ref}; pools " + ", ".join(str(p.ref) for p in pools)
    )


def _plan_route(
    options: ExposeOptions, gateway: GatewayInfo, pools: list[PoolInfo]
) -> tuple[RouteSpec, list[str]]:
    """The route spec from the flags and what discovery found, and notes for the explanation."""
    gke = is_gke_class(gateway.class_name)
    notes = []
    if gke and not options.timeouts_given:
        notes.append(
            f"Leaves out rules[].timeouts: GKE's controller (class {gateway.class_name}) rejects "
            "them; set the timeout with a GCPBackendPolicy instead."
        )
    weights = {p.ref: p.weight for p in options.pools}
    backends = tuple(
        PoolBackend(
            name=pool.ref.name,
            namespace=pool.ref.namespace,
            group=pool.api.group,
            port=options.port or pool.port,
            weight=_weight_or_one(weights.get(pool.ref)),
        )
        for pool in pools
    )
    return _route_spec(options, gateway.ref, backends, gke=gke), notes


def _weight_or_one(weight: int | None) -> int:
    return 1 if weight is None else weight


def _show_plan(
    spec: RouteSpec,
    manifest: dict[str, Any],
    gateway: GatewayInfo,
    notes: list[str],
    existing: dict[str, Any] | None,
) -> None:
    from ..core.explain import explain_route
    from ..core.manifest import render_yaml

    say()
    heading(f"HTTPRoute {spec.namespace}/{spec.name} to {'update' if existing else 'create'}")
    say(render_yaml(manifest).rstrip("\n"))
    say()
    heading("What it does")
    for line in explain_route(spec, gateway, notes):
        say(f"  - {line}")


def _settle_preflight(
    client: KubeClient,
    options: ExposeOptions,
    preflight: PreflightResult,
    journal: Journal,
    human: bool,
) -> list[dict[str, Any]]:
    """Print the findings, stop on a blocking one, and decide which ReferenceGrants to create."""
    from .preflight_steps import apply_grants, decide_grants, print_findings, stop_if_blocked

    print_findings(preflight.findings, human)
    journal.add("preflight", f"{len(preflight.findings)} finding(s)")
    stop_if_blocked(preflight.findings)
    grants = preflight.grants if decide_grants(options, preflight.grants, human) else []
    if grants and preflight.grant_api is not None:
        apply_grants(client, preflight.grant_api, grants, dry_run=True)
    return grants


def _server_dry_run(
    client: KubeClient,
    manifest: dict[str, Any],
    options: ExposeOptions,
    journal: Journal,
    human: bool,
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Schema, CEL and admission on the server; nothing is stored."""
    dry = client.apply(
        HTTPROUTES,
        manifest,
        field_manager=FIELD_MANAGER,
        dry_run=True,
        force=options.force_conflicts,
    )
    dry_warnings = tuple(client.warnings)
    verdict_line = "accepted by the API server (schema, CEL rules and admission passed)"
    journal.add(
        "server dry-run",
        verdict_line + (f"; {len(dry_warnings)} warning(s)" if dry_warnings else ""),
    )
    if human:
        say()
        heading("Server dry-run")
        say(f"  {verdict_line}.")
        say("  This does not mean traffic will flow: only the gateway controller's Accepted and")
        say("  ResolvedRefs conditions, after apply, say that.")
        for text in dry_warnings:
            say(f"  warning: {text}")
    return dry, dry_warnings


def _ask_approval(options: ExposeOptions, journal: Journal, human: bool) -> None:
    """Nothing changes without approval: --yes, or "y" at the prompt on a terminal."""
    if options.yes:
        journal.add("approval", "approved with --yes")
        return
    if not stdin_is_tty():
        raise NotApproved(
            "not applied: there is no terminal to ask for approval",
            "review the route with --dry-run=server, then run again with --yes to apply",
        )
    say()
    try:
        approved = click.confirm(APPROVAL_QUESTION, default=False, err=not human)
    except (click.exceptions.Abort, EOFError, KeyboardInterrupt):
        approved = False
        say()
    if not approved:
        raise NotApproved("not applied: you did not approve", "nothing was changed")
    journal.add("approval", "approved at the prompt")


def _apply(
    client: KubeClient,
    manifest: dict[str, Any],
    options: ExposeOptions,
    grants: list[dict[str, Any]],
    grant_api: ResourceApi | None,
    journal: Journal,
) -> dict[str, Any]:
    """Apply the grants and the route together; Ctrl-C waits for the end of this."""
    from .interrupts import deferred_interrupts
    from .preflight_steps import apply_grants, undo_grants

    with deferred_interrupts():
        created = []
        if grants and grant_api is not None:
            created = apply_grants(client, grant_api, grants, dry_run=False)
            journal.add("apply", "ReferenceGrant " + ", ".join(map(str, created)) + " created")
        try:
            return client.apply(
                HTTPROUTES,
                manifest,
                field_manager=FIELD_MANAGER,
                dry_run=False,
                force=options.force_conflicts,
            )
        except InferrouteError as error:
            if created and grant_api is not None:
                left = undo_grants(client, grant_api, created)
                error.message += (
                    "; the ReferenceGrant created for it was removed"
                    if not left
                    else f"; ReferenceGrant {', '.join(left)} was created and is left"
                )
            raise


def _show_applied(
    route: ObjectRef,
    existing: dict[str, Any] | None,
    applied: dict[str, Any],
    journal: Journal,
    human: bool,
) -> None:
    generation = (applied.get("metadata") or {}).get("generation")
    what = "configured" if existing else "created"
    if existing and existing.get("spec") == applied.get("spec"):
        what = "unchanged"
    journal.add("apply", f"HTTPRoute {route} {what} (generation {generation})")
    if human:
        say()
        say(f"httproute.gateway.networking.k8s.io/{route.name} {what} (server-side apply)")


def _verify(
    client: KubeClient,
    route: ObjectRef,
    gateway: GatewayInfo,
    pools: list[PoolInfo],
    options: ExposeOptions,
    journal: Journal,
    findings: list[Any],
) -> tuple[dict[str, Any], Verdict, str]:
    """Wait for the controller's verdict on this generation; render the three tables."""
    from ..core.verify import route_verdict

    final, settled = _wait_for_verdict(client, route, gateway.ref, options.wait_timeout_ms)
    verdict = _account_for_shadowing(
        route_verdict(final, gateway.ref, gateway.class_name), findings
    )
    tables = _verification_tables(client, final, gateway, pools, verdict)
    if settled:
        journal.add("verify", f"{verdict.state}: {verdict.summary}")
    else:
        journal.add("verify", "no controller verdict before the deadline")
    return final, verdict, tables


def _account_for_shadowing(verdict: Verdict, findings: list[Any]) -> Verdict:
    """Accepted and resolved, but an older route takes its traffic: not healthy (as `status`)."""
    from ..core.verdict import apply_shadowing

    return apply_shadowing(verdict, findings)


def _for_display(obj: dict[str, Any]) -> dict[str, Any]:
    from ..core.manifest import for_display

    return for_display(obj)


def _offer_probe(client: KubeClient, route: ObjectRef) -> None:
    """On a terminal, offer to send a test request through the Gateway (see `status --probe`)."""
    from .status import offer_probe

    offer_probe(client, route)


def _route_spec(
    options: ExposeOptions, gateway: ObjectRef, backends: tuple[PoolBackend, ...], *, gke: bool
) -> RouteSpec:
    from ..core.validation import check_route_spec, derive_route_name

    name = options.name or derive_route_name(backends[0].name)
    request_timeout: str | None = options.request_timeout or "0s"
    backend_timeout: str | None = options.backend_timeout or "0s"
    if gke and not options.timeouts_given:
        request_timeout = backend_timeout = None
    return check_route_spec(
        RouteSpec(
            name=name,
            namespace=options.namespace,
            gateway=gateway,
            backends=backends,
            section_name=options.section_name,
            hostnames=options.hostnames,
            path=options.path,
            path_type=options.path_type,
            headers=options.headers,
            request_timeout=request_timeout,
            backend_timeout=backend_timeout,
        )
    )


def _build_manifest(spec: RouteSpec) -> dict[str, Any]:
    from ..core.manifest import build_httproute

    return build_httproute(spec)


def _print_object(obj: dict[str, Any], output: str | None) -> None:
    from ..core.manifest import render_json, render_yaml

    text = render_json(obj) if output == "json" else render_yaml(obj)
    say(text.rstrip("\n"))


# --- discovery and choice -----------------------------------------------------------------------


def _find_gateway(
    client: KubeClient, options: ExposeOptions, api: ResourceApi
) -> tuple[GatewayInfo, dict[str, Any]]:
    """The Gateway's summary, and the object itself (preflight reads its listeners)."""
    if options.gateway is not None:
        obj = client.get(api, options.gateway.namespace, options.gateway.name)
        if obj is None:
            existing = [summarize_gateway(o).ref for o in client.list(api, None)]
            raise missing_named("Gateway", options.gateway, existing)
        return summarize_gateway(obj), obj
    objs = client.list(api, options.namespace)
    scope = f'namespace "{options.namespace}"'
    if not objs:
        objs = client.list(api, None)
        scope = "the cluster"
    raw = {summarize_gateway(o).ref: o for o in objs}
    found = [summarize_gateway(o) for o in objs]
    choice = choose(found, kind="Gateway", namespace=options.namespace)
    picked = _settle_choice(choice, "Gateway", "--gateway", scope)
    return picked, raw[picked.ref]


def _find_pools(
    client: KubeClient, options: ExposeOptions, apis: tuple[ResourceApi, ...]
) -> list[PoolInfo]:
    if options.pool_group:
        apis = tuple(a for a in apis if a.group == options.pool_group)
        if not apis:
            raise NotFound(
                f"the cluster does not serve InferencePools in {options.pool_group}",
                "drop --pool-group to use the group the cluster serves",
            )
    if options.pools:
        result = []
        for request in options.pools:
            found = None
            for api in apis:  # v1 first: the group is the one that holds the pool
                obj = client.get(api, request.ref.namespace, request.ref.name)
                if obj is not None:
                    found = summarize_pool(obj, api)
                    break
            if found is None:
                existing = [
                    summarize_pool(o, api).ref
                    for api in apis
                    for o in client.list(api, request.ref.namespace)
                ]
                raise missing_named("InferencePool", request.ref, existing)
            result.append(found)
        return result
    found_pools = [
        summarize_pool(o, api) for api in apis for o in client.list(api, options.namespace)
    ]
    scope = f'namespace "{options.namespace}"'
    if not found_pools:
        found_pools = [summarize_pool(o, api) for api in apis for o in client.list(api, None)]
        scope = "the cluster"
    choice = choose(found_pools, kind="InferencePool", namespace=options.namespace)
    return [_settle_choice(choice, "InferencePool", "a POOL argument", scope)]


def _settle_choice(choice: Choice[T], kind: str, flag: str, scope: str) -> T:
    if choice.picked is not None:
        say(f"Using {kind} {choice.picked.ref}: the only one in {scope}.", err=True)
        return choice.picked
    if not stdin_is_tty():
        raise several_error(choice, kind, flag)
    say(f"Several {kind}s in {scope}:", err=True)
    for number, item in enumerate(choice.candidates, start=1):
        say(f"  {number}) {item.describe()}", err=True)
    try:
        number = click.prompt(
            f"Which {kind}?", type=click.IntRange(1, len(choice.candidates)), err=True
        )
    except (click.exceptions.Abort, EOFError):
        raise NotApproved(f"no {kind} chosen", "nothing was changed") from None
    picked: T = choice.candidates[number - 1]
    return picked


# --- verification --------------------------------------------------------------------------------


def _wait_for_verdict(
    client: KubeClient, route: ObjectRef, gateway: ObjectRef, timeout_ms: int
) -> tuple[dict[str, Any], bool]:
    """Poll the route until its controller reports on the current generation, or time runs out."""
    from ..core.verify import is_settled

    deadline = time.monotonic() + timeout_ms / 1000.0
    start = time.monotonic()
    interval = 0.1
    tty = stderr_is_tty()
    last_note = -10.0
    spinner = "|/-\\"
    tick = 0
    while True:
        obj = client.get(HTTPROUTES, route.namespace, route.name)
        if obj is None:
            raise NotFound(
                f"HTTPRoute {route} disappeared while waiting",
                "someone deleted it: run expose again",
            )
        if is_settled(obj, gateway):
            if tty:
                click.echo("\r" + " " * 70 + "\r", err=True, nl=False)
            return obj, True
        now = time.monotonic()
        elapsed = now - start
        if now >= deadline:
            if tty:
                click.echo("", err=True)
            return obj, False
        if tty:
            click.echo(
                f"\r{spinner[tick % 4]} waiting for the gateway controller's verdict on {route} "
                f"({elapsed:.0f}s)",
                err=True,
                nl=False,
            )
            tick += 1
        elif elapsed - last_note >= 5 or last_note < 0:
            click.echo(
                f"waiting for the gateway controller's verdict on {route} ({elapsed:.0f}s)...",
                err=True,
            )
            last_note = elapsed
        time.sleep(min(interval, max(0.0, deadline - now)))
        interval = min(interval * 1.5, 1.0)


def _verification_tables(
    client: KubeClient,
    route: dict[str, Any],
    gateway: GatewayInfo,
    pools: list[PoolInfo],
    verdict: Verdict,
) -> str:
    """The route's, the Gateway's and the pools' conditions as they are now, and the verdict."""
    from ..core.verify import gateway_view, pool_parent_statuses, route_parent_statuses
    from ..render.tables import (
        render_gateway,
        render_pool_conditions,
        render_route_conditions,
        render_verdict,
    )

    parts = [render_route_conditions(route["metadata"]["name"], route_parent_statuses(route))]
    from ..core.model import GATEWAYS

    gw_obj = client.get(GATEWAYS, gateway.ref.namespace, gateway.ref.name)
    if gw_obj is not None:
        parts.append(render_gateway(gateway_view(gw_obj)))
    for pool in pools:
        obj = client.get(pool.api, pool.ref.namespace, pool.ref.name)
        if obj is not None:
            parts.append(
                render_pool_conditions(pool.ref, pool.api.api_version, pool_parent_statuses(obj))
            )
    parts.append(render_verdict(verdict))
    return "\n\n".join(p.rstrip("\n") for p in parts) + "\n"


# --- record --------------------------------------------------------------------------------------


def _write_record(
    options: ExposeOptions,
    selection: Any,
    route: ObjectRef,
    gateway: GatewayInfo,
    spec: RouteSpec,
    manifest: dict[str, Any],
    warnings: tuple[str, ...],
    tables: str,
    verdict: Verdict | None,
    journal: Journal,
    human: bool,
) -> None:
    if options.no_record:
        return
    from pathlib import Path

    from ..core.explain import explain_route
    from ..core.manifest import render_yaml
    from ..render.record import (
        RecordData,
        RecordError,
        default_record_path,
        render_record,
        write_record,
    )

    now = datetime.now(timezone.utc)
    path = (
        Path(options.record_path) if options.record_path else default_record_path(route.name, now)
    )
    ask = options.record_path is None and stdin_is_tty() and not options.yes
    if ask and not click.confirm(f"Write the deployment record to {path}?", default=True, err=True):
        return
    data = RecordData(
        timestamp=now,
        context=selection.context_name,
        server=selection.server,
        namespace=route.namespace,
        user=selection.user_name,
        plugin_version=__version__,
        route=route,
        gateway=gateway.ref,
        pools=spec.backends,
        manifest_yaml=render_yaml(manifest),
        rules_summary=tuple(explain_route(spec, gateway)),
        dry_run_verdict="accepted by the API server",
        warnings=warnings,
        verification=tables,
        verdict=verdict,
        events=tuple(journal.events),
    )
    text = render_record(data)
    try:
        written = write_record(path, text)
    except RecordError as error:
        warn(f"{error.message}; the record follows instead ({error.hint})")
        say(text, err=True)
        return
    say(f"Deployment record: {written}", err=not human)
