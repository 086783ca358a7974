"""`kubectl inferroute expose`: discover, build, dry-run, approve, apply, verify, record.

Orchestration and the terminal only: each step is a call into `cluster/`, `core/` or `render/`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import click

from .. import __version__
from ..core.discovery import Choice, several_error
from ..core.model import FIELD_MANAGER, HTTPROUTES, POOL_GROUP_V1, POOLS_V1ALPHA2, ObjectRef
from ..core.options import (
    DRY_RUN_MODES,
    OUTPUT_FORMATS,
    ExposeOptions,
    build_expose_options,
    check_global_flags,
)
from ..errors import (
    ADVICE_CONTEXT_NAMESPACE,
    EXIT_OK,
    EXIT_UNHEALTHY,
    InferrouteError,
    InvalidInput,
    NotApproved,
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
from .flagsyntax import KubectlCommand
from .interrupts import INTERRUPTED, WRITES
from .output import OutputFormat, jsonpath_template

if TYPE_CHECKING:
    from ..cluster.contract import Cluster
    from ..cluster.preflight import PreflightResult
    from ..core.inventory import PoolState
    from ..core.model import ResourceApi, RouteSpec
    from ..core.verify import GatewayView, Verdict

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

\b
  # Apply without asking; print only the route's name and generation (kubectl's JSONPath)
  kubectl inferroute expose qwen-pool --gateway inference-gateway -n llm --yes \\
      -o jsonpath='{.metadata.name} {.metadata.generation}{"\\n"}'
"""


@dataclass
class Journal:
    """What happened at each step, for the record."""

    events: list[tuple[str, str]] = field(default_factory=list)

    def add(self, step: str, outcome: str) -> None:
        self.events.append((step, outcome))


@click.command(
    cls=KubectlCommand,
    help=EXPOSE_HELP,
    short_help="Create a verified HTTPRoute to InferencePools.",
)
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
    type=OutputFormat(OUTPUT_FORMATS),
    help="yaml|json: print the object (dry-run result or applied object) instead of the human "
    "view; jsonpath=TEMPLATE: its fields (kubectl's JSONPath).",
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
    help="How long to wait for the verdict (0: look once, without waiting).",
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
    check_global_flags(namespace=flags.namespace, request_timeout=flags.request_timeout)
    ctx.meta[WRITES] = True  # Ctrl-C says whether anything was changed (cli/__init__.py)
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
    _check_record_path(options)
    if options.dry_run == "client":
        ctx.exit(run_client_dry_run(options, flags))
    ctx.exit(run_expose(options, flags))


def _check_record_path(options: ExposeOptions) -> None:
    """A directory given to --record is refused now, before anything is changed, not after."""
    if options.record_path is None or not os.path.isdir(options.record_path):
        return
    from ..core.validation import derive_route_name

    route = options.name or (
        derive_route_name(options.pools[0].ref.name) if options.pools else "ROUTE"
    )
    example = os.path.join(options.record_path, f"{route}.inferroute.md")
    raise InvalidInput(
        f'--record "{options.record_path}" is a directory, not a file',
        f"give the file to write, e.g. --record {example}",
    )


# --- offline -------------------------------------------------------------------------------------


def run_client_dry_run(options: ExposeOptions, flags: GlobalFlags) -> int:
    """Print the manifest from the flags alone: no kubeconfig needed, no request sent."""
    from ..core.manifest import build_httproute
    from ..core.plan import plan_offline_route

    namespace = options.namespace or _namespace_from_kubeconfig(flags) or "default"
    _print_object(build_httproute(plan_offline_route(options.complete(namespace))), options.output)
    return EXIT_OK


def _namespace_from_kubeconfig(flags: GlobalFlags) -> str | None:
    # Offline, a kubeconfig only lends its namespace; none, or a broken one, is no error.
    try:
        namespace: str = load_selection(flags).namespace
    except InferrouteError as error:
        if error.flag_advice == ADVICE_CONTEXT_NAMESPACE:
            raise  # it would lend a namespace no route can have
        return None
    return namespace


# --- the whole workflow -------------------------------------------------------------------------


def run_expose(options: ExposeOptions, flags: GlobalFlags) -> int:
    """Discover → build → preflight → dry-run → approve → apply → verify → record."""
    from ..cluster.discovery import find_gateway, find_pools
    from ..cluster.preflight import run_preflight
    from ..core.manifest import build_httproute
    from ..core.plan import plan_route, pool_apis, require_apis

    human = options.output is None
    journal = Journal()
    client = open_cluster(flags, on_warning=warn)
    options = options.complete(options.namespace or client.selection.namespace)
    served = require_apis(client.served_apis())
    assert served.gateways is not None
    gateway, gateway_obj = find_gateway(client, options, served.gateways, _settle_choice)
    pools = find_pools(client, options, pool_apis(served, options.pool_group), _settle_choice)
    _show_found(gateway, pools, journal, human)

    spec, notes = plan_route(options, gateway, pools)
    manifest = build_httproute(spec)
    route_ref = ObjectRef(spec.namespace, spec.name)
    existing = client.get(HTTPROUTES, spec.namespace, spec.name)
    if human:
        _show_plan(spec, manifest, gateway, notes, existing)

    preflight = run_preflight(
        client, options, served, gateway_obj, gateway, pools, spec, manifest, existing
    )
    grants = _settle_preflight(client, options, preflight, journal, human)
    dry, dry_warnings = _server_dry_run(client, manifest, options, journal, human)
    # The server's own answer, defaults filled in, against what it stores now: nothing to
    # apply (and so nothing to ask) when they agree and no ReferenceGrant is to be created.
    unchanged = _show_changes(route_ref, existing, dry, human) and not grants
    run = _Run(
        client=client,
        options=options,
        journal=journal,
        human=human,
        route=route_ref,
        gateway=gateway,
        pools=pools,
        spec=spec,
        manifest=manifest,
        preflight=preflight,
        warnings=dry_warnings,
    )
    if options.dry_run == "server":
        if human and unchanged:
            say()
            say(f"{_route_name(route_ref)} unchanged (server dry run)")
        if not human:
            _print_object(_for_display(dry), options.output)
        return EXIT_OK
    if unchanged:
        assert existing is not None
        journal.add("apply", f"HTTPRoute {route_ref} unchanged: nothing to apply")
        if human:
            say()
            say(f"{_route_name(route_ref)} unchanged (the server has it already: nothing to apply)")
        return _verify_and_record(run, existing, applied=None)

    _ask_approval(options, journal)
    applied, interrupted = _apply(client, manifest, options, grants, preflight.grant_api, journal)
    outcome = _show_applied(route_ref, existing, applied, journal, human)
    return _verify_and_record(run, applied, applied=outcome, interrupted=interrupted)


@dataclass
class _Run:
    """What the steps after the dry-run need: the cluster, the plan and what preflight found."""

    client: Cluster
    options: ExposeOptions
    journal: Journal
    human: bool
    route: ObjectRef
    gateway: GatewayView
    pools: list[PoolState]
    spec: RouteSpec
    manifest: dict[str, Any]
    preflight: PreflightResult
    warnings: tuple[str, ...]


def _verify_and_record(
    run: _Run, obj: dict[str, Any], *, applied: str | None, interrupted: bool = False
) -> int:
    """Verify, print, record, offer the probe; the exit code. `applied`: what this run's apply
    did ("created, generation 1"), None when nothing was applied (the route was unchanged).

    Ctrl-C after an apply: it says the route is applied, writes the record marked interrupted
    and exits 130; before any apply, the interrupt goes on up (nothing was changed)."""
    options, journal, human = run.options, run.journal, run.human
    verdict: Verdict | None = None
    tables = ""
    final = obj
    failure: InferrouteError | None = None
    try:
        if interrupted:
            raise KeyboardInterrupt  # pressed during the apply, which finished
        if options.wait:
            try:
                final, verdict, tables = _verify(
                    run.client, run.route, run.gateway, run.pools, options, journal, run.preflight
                )
            except InferrouteError as error:
                # The route is there: keep that on record, then report why verifying failed.
                journal.add("verify", f"failed: {error}")
                what = (
                    f"applied HTTPRoute {run.route}"
                    if applied
                    else f"HTTPRoute {run.route} is unchanged"
                )
                error.message = f"{what}, but checking it failed: {error.message}"
                failure = error
            if human and tables:
                say()
                say(tables.rstrip("\n"))
        else:
            journal.add("verify", "skipped (--no-wait)")
        if not human and failure is None:
            _print_object(_for_display(final), options.output)
    except KeyboardInterrupt:
        if applied is None:
            raise
        run.journal.add("verify", "interrupted (Ctrl-C): the controller's verdict is unknown")
        _say_interrupted(run.route, applied, "but its verdict is unknown")
        _write_record(run, "", None, ask=False, interrupted=True)
        return INTERRUPTED

    # Nothing applied: no deployment to record, unless a record was asked for by name.
    if applied is not None or options.record_path:
        try:
            _write_record(run, tables, verdict, ask=applied is not None)
        except KeyboardInterrupt:  # at the record's question: no record, then stop
            if applied is None:
                raise
            _say_interrupted(run.route, applied, "and no deployment record was written")
            return INTERRUPTED
    if failure is not None:
        raise failure
    if verdict is not None and not verdict.healthy:
        return EXIT_UNHEALTHY
    if human and applied is not None and verdict is not None and verdict.state == "Ready":
        _offer_probe(run.client, run.route)
    return EXIT_OK


def _say_interrupted(route: ObjectRef, applied: str, rest: str) -> None:
    """Ctrl-C after the apply: the route is there, whatever was cut short."""
    say(
        f"\ninterrupted: HTTPRoute {route} was applied ({applied}) {rest}; see it with "
        f"`kubectl inferroute status {route.name} -n {route.namespace}`",
        err=True,
    )


def _route_name(route: ObjectRef) -> str:
    """kubectl's resource/name form, as `kubectl apply` prints it."""
    return f"httproute.gateway.networking.k8s.io/{route.name}"


# --- the terminal side of each step --------------------------------------------------------------


def _show_found(
    gateway: GatewayView, pools: list[PoolState], journal: Journal, human: bool
) -> None:
    if human:
        heading("Found")
        say(f"  {gateway.describe()}")
        for pool in pools:
            say(f"  {pool.describe()}")
    journal.add(
        "discovery", f"Gateway {gateway.ref}; pools " + ", ".join(str(p.ref) for p in pools)
    )


def _show_plan(
    spec: RouteSpec,
    manifest: dict[str, Any],
    gateway: GatewayView,
    notes: list[str],
    existing: dict[str, Any] | None,
) -> None:
    from ..core.explain import explain_route
    from ..core.manifest import render_yaml

    say()
    # An existing route: what changes, if anything, is known after the server dry-run.
    heading(f"HTTPRoute {spec.namespace}/{spec.name} to {'apply' if existing else 'create'}")
    say(render_yaml(manifest).rstrip("\n"))
    say()
    heading("What it does")
    for line in explain_route(spec, gateway, notes):
        say(f"  - {line}")


def _settle_preflight(
    client: Cluster,
    options: ExposeOptions,
    preflight: PreflightResult,
    journal: Journal,
    human: bool,
) -> list[dict[str, Any]]:
    """Print the findings, stop on a blocking one, and decide which ReferenceGrants to create."""
    from ..cluster.preflight import apply_grants
    from .preflight_steps import decide_grants, print_findings, stop_if_blocked

    print_findings(preflight.findings, human)
    journal.add("preflight", f"{len(preflight.findings)} finding(s)")
    stop_if_blocked(preflight.findings)
    grants = preflight.grants if decide_grants(options, preflight.grants) else []
    if grants and preflight.grant_api is not None:
        apply_grants(client, preflight.grant_api, grants, dry_run=True)
    return grants


def _server_dry_run(
    client: Cluster,
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


def _show_changes(
    route: ObjectRef, existing: dict[str, Any] | None, dry: dict[str, Any], human: bool
) -> bool:
    """What the apply would change in the live route, field by field; True: nothing at all."""
    from ..core.changes import is_unchanged, object_changes, ownership_changes
    from ..render.changes import render_changes

    if existing is None:
        return False
    changes = object_changes(existing, dry)
    if human and changes:
        say()
        heading(f"Changes to the live HTTPRoute {route}")
        for line in render_changes(changes):
            say(f"  {line}")
    elif human and ownership_changes(existing, dry):
        say()
        heading(f"Changes to the live HTTPRoute {route}")
        say("  no field changes; kubectl-inferroute becomes a field manager of the fields it sets")
    return is_unchanged(existing, dry)


def _ask_approval(options: ExposeOptions, journal: Journal) -> None:
    """Nothing changes without approval: --yes, or "y" at the prompt on a terminal."""
    if options.yes:
        journal.add("approval", "approved with --yes")
        return
    if not stdin_is_tty():
        raise NotApproved(
            "not applied: there is no terminal to ask for approval",
            "review the route with --dry-run=server, then run again with --yes to apply",
        )
    # On the terminal (stderr): with stdout redirected (`> plan.txt`) the question still shows.
    say(err=True)
    try:
        approved = click.confirm(APPROVAL_QUESTION, default=False, err=True)
    except (click.exceptions.Abort, EOFError, KeyboardInterrupt):
        approved = False
        say(err=True)
    if not approved:
        raise NotApproved("not applied: you did not approve", "nothing was changed")
    journal.add("approval", "approved at the prompt")


def _apply(
    client: Cluster,
    manifest: dict[str, Any],
    options: ExposeOptions,
    grants: list[dict[str, Any]],
    grant_api: ResourceApi | None,
    journal: Journal,
) -> tuple[dict[str, Any], bool]:
    """Apply the grants and the route together; Ctrl-C waits for the end of this.

    Returns the applied route and whether Ctrl-C was pressed meanwhile (the caller stops)."""
    from ..cluster.preflight import apply_grants, undo_grants
    from .interrupts import deferred_interrupts

    applied: dict[str, Any] | None = None
    try:
        with deferred_interrupts():
            created = []
            if grants and grant_api is not None:
                created = apply_grants(client, grant_api, grants, dry_run=False)
                journal.add("apply", "ReferenceGrant " + ", ".join(map(str, created)) + " created")
            try:
                applied = client.apply(
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
    except KeyboardInterrupt:
        if applied is None:
            raise
        return applied, True  # pressed during the apply: it is done, so say so and stop
    assert applied is not None
    return applied, False


def _show_applied(
    route: ObjectRef,
    existing: dict[str, Any] | None,
    applied: dict[str, Any],
    journal: Journal,
    human: bool,
) -> str:
    """Print kubectl's line for the apply; returns what it did: "created, generation 1"."""
    from ..core.plan import apply_outcome

    generation = (applied.get("metadata") or {}).get("generation")
    what = apply_outcome(existing, applied)
    journal.add("apply", f"HTTPRoute {route} {what} (generation {generation})")
    if human:
        say()
        say(f"{_route_name(route)} {what} (server-side apply)")
    return f"{what}, generation {generation}"


def _verify(
    client: Cluster,
    route: ObjectRef,
    gateway: GatewayView,
    pools: list[PoolState],
    options: ExposeOptions,
    journal: Journal,
    preflight: PreflightResult,
) -> tuple[dict[str, Any], Verdict, str]:
    """Wait for the controller's verdict on this generation; render the three tables."""
    from ..cluster.wait import read_verified_objects, wait_for_verdict
    from ..core.verdict import not_waited_verdict
    from ..core.verify import route_facts, route_verdict
    from ..render.tables import render_verification

    progress = _Progress(route)
    final, settled = wait_for_verdict(
        client, route, gateway.ref, options.wait_timeout_ms, progress.show
    )
    progress.done(settled=settled)
    verdict = _account_for_shadowing(
        route_verdict(route_facts(final), gateway.ref, gateway.class_name), preflight.findings
    )
    if not settled and options.wait_timeout_ms == 0:
        verdict = not_waited_verdict(route)
    now = read_verified_objects(client, gateway.ref, pools)
    tables = render_verification(final, now.gateway, now.pools, verdict)
    if settled:
        journal.add("verify", f"{verdict.state}: {verdict.summary}")
    else:
        journal.add("verify", "no controller verdict before the deadline")
    return final, verdict, tables


class _Progress:
    """Waiting, on stderr: a spinner on a terminal, else a line every five seconds."""

    SPINNER = "|/-\\"

    def __init__(self, route: ObjectRef) -> None:
        self.route = route
        self.tty = stderr_is_tty()
        self.tick = 0
        self.last_note = -10.0

    def show(self, elapsed: float) -> None:
        if self.tty:
            click.echo(
                f"\r{self.SPINNER[self.tick % 4]} waiting for the gateway controller's verdict "
                f"on {self.route} ({elapsed:.0f}s)",
                err=True,
                nl=False,
            )
            self.tick += 1
        elif elapsed - self.last_note >= 5 or self.last_note < 0:
            click.echo(
                f"waiting for the gateway controller's verdict on {self.route} ({elapsed:.0f}s)...",
                err=True,
            )
            self.last_note = elapsed

    def done(self, *, settled: bool) -> None:
        """Settled: the spinner's line is wiped; out of time: it stays, and the line ends."""
        if self.tty:
            click.echo("\r" + " " * 70 + "\r" if settled else "", err=True, nl=not settled)


def _account_for_shadowing(verdict: Verdict, findings: list[Any]) -> Verdict:
    """Accepted and resolved, but an older route takes its traffic: not healthy (as `status`)."""
    from ..core.verdict import apply_shadowing

    return apply_shadowing(verdict, findings)


def _for_display(obj: dict[str, Any]) -> dict[str, Any]:
    from ..core.manifest import for_display

    return for_display(obj)


def _offer_probe(client: Cluster, route: ObjectRef) -> None:
    """On a terminal, offer to send a test request through the Gateway (see `status --probe`)."""
    from .status import offer_probe

    offer_probe(client, route)


def _print_object(obj: dict[str, Any], output: str | None) -> None:
    template = jsonpath_template(output)
    if template is not None:
        from ..render.jsonpath import render_template

        click.echo(render_template(template, obj), nl=False)  # as kubectl: no newline added
        return
    if output == "json":
        from ..render.kubejson import render_object

        say(render_object(obj).rstrip("\n"))  # as kubectl's -o json: four spaces, keys sorted
        return
    from ..core.manifest import render_yaml

    say(render_yaml(obj).rstrip("\n"))


# The flag that names the one to use, when there are several and nobody to ask.
NAMING_FLAGS = {"Gateway": "--gateway", "InferencePool": "a POOL argument"}


def _settle_choice(choice: Choice[Any], kind: str, scope: str) -> Any:
    """The one found, or the one the user picks at the prompt; no terminal: name them all."""
    if choice.picked is not None:
        say(f"Using {kind} {choice.picked.ref}: the only one in {scope}.", err=True)
        return choice.picked
    if not stdin_is_tty():
        raise several_error(choice, kind, NAMING_FLAGS[kind])
    say(f"Several {kind}s in {scope}:", err=True)
    for number, item in enumerate(choice.candidates, start=1):
        say(f"  {number}) {item.describe()}", err=True)
    try:
        number = click.prompt(
            f"Which {kind}?", type=click.IntRange(1, len(choice.candidates)), err=True
        )
    except (click.exceptions.Abort, EOFError):
        raise NotApproved(f"no {kind} chosen", "nothing was changed") from None
    return choice.candidates[number - 1]


# --- record --------------------------------------------------------------------------------------


def _write_record(
    run: _Run,
    tables: str,
    verdict: Verdict | None,
    *,
    ask: bool,
    interrupted: bool = False,
) -> None:
    """Write the record (asking first on a terminal, unless --yes or --record PATH)."""
    options = run.options
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
    route = run.route
    path = (
        Path(options.record_path) if options.record_path else default_record_path(route.name, now)
    )
    ask = ask and options.record_path is None and stdin_is_tty() and not options.yes
    if ask:
        try:
            wanted = click.confirm(
                f"Write the deployment record to {path}?", default=True, err=True
            )
        except click.exceptions.Abort:  # Ctrl-C (or end of input) at the question: stop here
            raise KeyboardInterrupt from None
        if not wanted:
            return
    selection = run.client.selection
    data = RecordData(
        timestamp=now,
        context=selection.context_name,
        server=selection.server,
        namespace=route.namespace,
        user=selection.user_name,
        plugin_version=__version__,
        route=route,
        gateway=run.gateway.ref,
        pools=run.spec.backends,
        manifest_yaml=render_yaml(run.manifest),
        rules_summary=tuple(explain_route(run.spec, run.gateway)),
        dry_run_verdict="accepted by the API server",
        warnings=run.warnings,
        verification=tables,
        verdict=verdict,
        events=tuple(run.journal.events),
        findings=tuple(run.preflight.findings),
        interrupted=interrupted,
    )
    text = render_record(data)
    try:
        written = write_record(path, text)
    except RecordError as error:
        warn(f"{error.message}; the record follows instead ({error.hint})")
        say(text, err=True)
        return
    say(f"Deployment record: {written}", err=not run.human)
