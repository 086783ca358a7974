"""`kubectl inferroute expose`: discover, build, dry-run, approve, apply, verify, record.

Orchestration and the terminal only: each step is a call into `cluster/`, `core/` or `render/`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from ..core.discovery import Choice, several_error
from ..core.model import HTTPROUTES, POOL_GROUP_V1, POOLS_V1ALPHA2, ObjectRef
from ..core.options import (
    DRY_RUN_MODES,
    ExposeOptions,
    build_expose_options,
)
from ..errors import (
    ADVICE_CONTEXT_NAMESPACE,
    EXIT_OK,
    InferrouteError,
    NotApproved,
)
from .change_flags import apply_flags, record_flags, wait_flags
from .change_steps import (
    ChangeRun,
    Journal,
    dry_run_with_revision,
    finish_change,
    print_object,
    refuse_if_owned,
    refuse_record_directory,
    show_changes,
)
from .common import (
    GlobalFlags,
    heading,
    kube_flags,
    load_selection,
    open_cluster,
    say,
    start_command,
    stdin_is_tty,
    warn,
)
from .completion import complete_gateways, complete_pools
from .flagsyntax import KubectlCommand

if TYPE_CHECKING:
    from ..cluster.contract import Cluster
    from ..cluster.preflight import PreflightResult
    from ..core.inventory import PoolState
    from ..core.model import RouteSpec
    from ..core.verify import GatewayView

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
  # Several models on one Gateway: this route takes only Qwen/Qwen3-32B's requests
  kubectl inferroute expose qwen-pool --gateway inference-gateway --model Qwen/Qwen3-32B -n llm

\b
  # Check what the server would store, never apply
  kubectl inferroute expose qwen-pool --gateway inference-gateway --dry-run=server -o yaml

\b
  # Apply without asking; print only the route's name and generation (kubectl's JSONPath)
  kubectl inferroute expose qwen-pool --gateway inference-gateway -n llm --yes \\
      -o jsonpath='{.metadata.name} {.metadata.generation}{"\\n"}'
"""


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
    "--model",
    metavar="NAME",
    help="Take only this base model's requests: match header X-Gateway-Base-Model-Name "
    "exactly (set by llm-d's payload processor), for several models on one Gateway.",
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
@apply_flags
@click.option(
    "--force",
    is_flag=True,
    help="Apply even when no Gateway listener seems to admit the route, or when the route is "
    "owned by a Helm release, a KServe LLMInferenceService or an Envoy AI Gateway "
    "AIGatewayRoute (which will put its version back).",
)
@click.option(
    "--create-reference-grant",
    is_flag=True,
    help="Create the ReferenceGrant a pool in another namespace needs (asked when interactive).",
)
@wait_flags()
@record_flags()
@kube_flags
@click.pass_context
def expose(ctx: click.Context, /, **params: Any) -> None:
    flags = start_command(ctx, params, writes=True)
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
        model=params["model"],
    )
    _check_record_path(options)
    if options.dry_run == "client":
        ctx.exit(run_client_dry_run(options, flags))
    ctx.exit(run_expose(options, flags))


def _check_record_path(options: ExposeOptions) -> None:
    """--record refused when it names a directory; its example is the route expose would make."""
    from ..core.validation import derive_route_name

    route = options.name or (
        derive_route_name(options.pools[0].ref.name) if options.pools else "ROUTE"
    )
    refuse_record_directory(options.record_path, route)


# --- offline -------------------------------------------------------------------------------------


def run_client_dry_run(options: ExposeOptions, flags: GlobalFlags) -> int:
    """Print the manifest from the flags alone: no kubeconfig needed, no request sent."""
    from ..core.manifest import build_httproute
    from ..core.plan import plan_offline_route

    namespace = options.namespace or _namespace_from_kubeconfig(flags) or "default"
    print_object(build_httproute(plan_offline_route(options.complete(namespace))), options.output)
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
    from ..cluster.discovery import find_controller, find_gateway, find_pools
    from ..cluster.preflight import run_preflight
    from ..core.explain import explain_route
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
    controller = find_controller(client, served, gateway.class_name)

    spec, notes = plan_route(options, gateway, pools, controller)
    manifest = build_httproute(spec)
    route_ref = ObjectRef(spec.namespace, spec.name)
    existing = client.get(HTTPROUTES, spec.namespace, spec.name)
    owned = refuse_if_owned(existing, options, force=options.force)
    if human:
        _show_plan(spec, manifest, gateway, notes, existing)

    preflight = run_preflight(
        client, options, served, gateway_obj, gateway, pools, spec, manifest, existing, controller
    )
    if owned is not None:
        preflight.findings.insert(0, owned)
    grants = _settle_preflight(client, options, preflight, journal, human)
    dry, dry_warnings, to_apply = dry_run_with_revision(
        client, manifest, existing, options, journal, human
    )
    # The server's own answer, defaults filled in, against what it stores now: nothing to
    # apply (and so nothing to ask) when they agree and no ReferenceGrant is to be created.
    unchanged = show_changes(route_ref, existing, dry, human) and not grants
    run = ChangeRun(
        client=client,
        options=options,
        journal=journal,
        human=human,
        route=route_ref,
        gateway=gateway,
        pools=pools,
        manifest=manifest,
        backends=spec.backends,
        rules_summary=tuple(explain_route(spec, gateway)),
        findings=tuple(preflight.findings),
        warnings=dry_warnings,
    )
    return finish_change(
        run,
        existing,
        dry,
        to_apply,
        unchanged=unchanged,
        question=APPROVAL_QUESTION,
        grants=grants,
        grant_api=preflight.grant_api,
    )


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
