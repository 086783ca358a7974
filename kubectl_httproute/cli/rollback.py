"""`kubectl inferroute rollback`: restore the rules of an earlier revision, with the same
plan, preflight, server dry-run, approval, apply, verdict and record as `expose`.

Orchestration and the terminal only: the choice of revision and the manifest are pure
(core/rollback.py), the reads are in cluster/, the shared steps in change_steps.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from ..core.model import ObjectRef
from ..core.options import (
    DRY_RUN_MODES,
    RollbackOptions,
    build_rollback_options,
)
from ..errors import EXIT_OK, InvalidInput, NotFound
from .change_flags import apply_flags, record_flags, wait_flags
from .change_steps import (
    ChangeRun,
    Journal,
    add_revision,
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
    open_cluster,
    say,
    start_command,
    warn,
)
from .completion import complete_routes
from .flagsyntax import KubectlCommand

if TYPE_CHECKING:
    from ..cluster.contract import Cluster
    from ..core.findings import Finding
    from ..core.inventory import PoolState
    from ..core.rollback import RollbackChoice
    from ..core.verify import GatewayView

ROLLBACK_HELP = """Restore the rules of an earlier revision of an HTTPRoute (see `history`).

By default the previous revision: the state before the latest change. When the latest change
was made by kubectl-inferroute, that is the revision before the newest; when the rules were
changed since by someone else (`kubectl edit`, another tool), it is the newest revision, so
the rollback undoes that outside change. --to-revision N restores revision N.

Only spec.rules is restored; parentRefs and hostnames stay as they are live. Then the same
steps as expose: the plan (which revision, the traffic split before and after), preflight
(permissions; every InferencePool the revision names must still exist, unless --force), the
server dry-run and the field changes it shows, approval, server-side apply, the gateway
controller's verdict and the deployment record. The rollback is recorded as a new revision.

\b
Examples:
  # Back to the state before the latest change, asking first
  kubectl inferroute rollback qwen-pool -n llm

\b
  # To revision 2, without asking
  kubectl inferroute rollback qwen-pool --to-revision 2 -n llm --yes

\b
  # What the server would store, without applying (--dry-run=client sends only reads)
  kubectl inferroute rollback qwen-pool --to-revision 2 --dry-run=server -o yaml
"""

APPROVAL_QUESTION = "Roll the HTTPRoute back to this revision? May I proceed?"


@click.command(
    cls=KubectlCommand,
    help=ROLLBACK_HELP,
    short_help="Restore an earlier revision of an HTTPRoute.",
)
@click.argument("route", metavar="ROUTE", shell_complete=complete_routes)
@click.option(
    "--to-revision",
    type=int,
    metavar="N",
    help="The revision to restore (see `history`). [default: the previous one]",
)
@click.option(
    "--dry-run",
    type=click.Choice(DRY_RUN_MODES),
    default="none",
    show_default=True,
    help="client: print what would be applied, sending only reads (the route); server: "
    "dry-run on the server, never apply.",
)
@apply_flags
@click.option(
    "--force",
    is_flag=True,
    help="Restore even when an InferencePool the revision names is gone, or when a Helm "
    "release, a KServe LLMInferenceService or an Envoy AI Gateway AIGatewayRoute owns the route.",
)
@wait_flags()
@record_flags()
@kube_flags
@click.pass_context
def rollback(ctx: click.Context, /, **params: Any) -> None:
    flags = start_command(ctx, params, writes=True)
    options = build_rollback_options(
        route=params["route"],
        to_revision=params["to_revision"],
        force=params["force"],
        dry_run=params["dry_run"],
        output=params["output"],
        yes=params["yes"],
        force_conflicts=params["force_conflicts"],
        wait=params["wait"],
        timeout=params["timeout"],
        record_path=params["record_path"],
        no_record=params["no_record"],
    )
    refuse_record_directory(options.record_path, options.route)
    ctx.exit(run_rollback(options, flags))


def run_rollback(options: RollbackOptions, flags: GlobalFlags) -> int:
    """Read → choose → plan → preflight → dry-run → approve → apply → verify → record."""
    from ..core.revisions import find_outside_change, list_revisions
    from ..core.rollback import (
        build_rollback_manifest,
        choose_revision,
        explain_rollback,
        route_gateway,
        rule_backends,
        rule_pools,
    )
    from ..render.findings import render_findings

    human = options.output is None
    journal = Journal()
    client = open_cluster(flags, on_warning=warn)
    route = ObjectRef(flags.namespace or client.selection.namespace, options.route)
    from ..cluster.readers import get_route

    live = get_route(client, route)
    # Before anything else: its owner would put the rules back.
    owned = refuse_if_owned(live, options, force=options.force)
    if owned is not None:
        from .preflight_steps import print_findings

        print_findings([owned], human)
    revisions, unreadable = list_revisions(live)
    if unreadable:
        say(render_findings(unreadable).rstrip("\n"), err=True)
    outside = find_outside_change(live, revisions) if revisions else None
    choice = choose_revision(route, revisions, outside, options.to_revision)
    live_rules: list[dict[str, Any]] = (live.get("spec") or {}).get("rules") or []
    manifest = build_rollback_manifest(live, choice.revision.rules)
    summary = explain_rollback(choice, live_rules, force_conflicts=options.force_conflicts)
    journal.add("rollback", f"to revision {choice.revision.number}: {choice.reason}")
    if human:
        _show_plan(route, summary)
    note = f"restores revision {choice.revision.number}"
    if options.dry_run == "client":
        _show_client_dry_run(add_revision(client, manifest, live, note=note), human, options.output)
        return EXIT_OK

    gateway_ref = route_gateway(live)
    if gateway_ref is None:
        raise InvalidInput(
            f"HTTPRoute {route} attaches to no Gateway: there is no verdict to wait for",
            "add a Gateway to its spec.parentRefs with kubectl, then roll back",
        )
    pools = rule_pools(choice.revision.rules, route.namespace)
    gateway, pool_states, findings = _preflight(
        client, options, route, gateway_ref, pools, choice, journal
    )
    if owned is not None:
        findings.insert(0, owned)

    dry, dry_warnings, to_apply = dry_run_with_revision(
        client, manifest, live, options, journal, human, note=note
    )
    unchanged = show_changes(route, live, dry, human)
    run = ChangeRun(
        client=client,
        options=options,
        journal=journal,
        human=human,
        route=route,
        gateway=gateway,
        pools=pool_states,
        manifest=manifest,
        backends=rule_backends(choice.revision.rules, route.namespace),
        rules_summary=tuple(summary),
        findings=tuple(findings),
        warnings=dry_warnings,
    )
    return finish_change(
        run,
        live,
        dry,
        to_apply,
        unchanged=unchanged,
        question=APPROVAL_QUESTION,
        review="review the rollback with --dry-run=server",
    )


def _preflight(
    client: Cluster,
    options: RollbackOptions,
    route: ObjectRef,
    gateway_ref: ObjectRef,
    pools: list[tuple[ObjectRef, str]],
    choice: RollbackChoice,
    journal: Journal,
) -> tuple[GatewayView, list[PoolState], list[Finding]]:
    """Permissions first (a denial stops before any other read), then the Gateway and pools."""
    from ..cluster.preflight import review_access
    from ..cluster.rollback import read_restore_targets
    from ..core.preflight import blocking, check_gateway_controller, check_permissions
    from ..core.rollback import check_restored_pools, rollback_access
    from ..core.verify import gateway_view

    human = options.output is None
    access = check_permissions(
        review_access(client, rollback_access(route, gateway_ref, pools)),
        granted="you may patch HTTPRoutes and read the Gateway and pools",
    )
    if blocking(access):  # before any other read: they would fail the same way
        _settle(access, journal, human)
    targets = read_restore_targets(client, gateway_ref, pools)
    if targets.gateway is None:
        raise NotFound(
            f"Gateway {gateway_ref}, the parent of HTTPRoute {route}, does not exist",
            "re-create the Gateway, then roll back",
        )
    findings = [
        *access,
        *check_restored_pools(route, choice.revision.number, targets.missing, force=options.force),
        *check_gateway_controller(targets.gateway),
    ]
    _settle(findings, journal, human)
    return gateway_view(targets.gateway), targets.pools, findings


def _settle(findings: list[Finding], journal: Journal, human: bool) -> None:
    """Print the findings once; a blocking one stops here, before any write."""
    from .preflight_steps import print_findings, stop_if_blocked

    print_findings(findings, human)
    journal.add("preflight", f"{len(findings)} finding(s)")
    stop_if_blocked(findings)


def _show_plan(route: ObjectRef, summary: list[str]) -> None:
    heading(f"Rollback of HTTPRoute {route}")
    for line in summary:
        say(f"  - {line}")


def _show_client_dry_run(manifest: dict[str, Any], human: bool, output: str | None) -> None:
    """-o: the object as it would be applied; on the terminal without the history's JSON."""
    from ..core.changes import comparable
    from ..core.manifest import render_yaml
    from ..core.revisions import REVISIONS_ANNOTATION

    if not human:
        print_object(manifest, output)
        return
    say()
    heading("HTTPRoute to apply (client dry run: nothing was sent but the read of the route)")
    say(render_yaml(comparable(manifest)).rstrip("\n"))
    say(f"  (and annotation {REVISIONS_ANNOTATION} with this rollback as the newest revision)")
