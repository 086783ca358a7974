"""`kubectl inferroute delete`: what stops being served, who takes over, ask, delete, wait, record.

Orchestration and the terminal only: each step is a call into `cluster/`, `core/` or `render/`,
and the steps shared with `expose` (approval, progress, printing, the record) come from
`change_steps`.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import click

from ..core.model import CRD_HINTS, GATEWAY_GROUP, ObjectRef
from ..core.options import (
    DELETE_OUTPUT_FORMATS,
    DRY_RUN_MODES,
    DeleteOptions,
    build_delete_options,
)
from ..errors import EXIT_OK, EXIT_UNHEALTHY, InferrouteError, NotFound
from .change_flags import record_flags, wait_flags
from .change_steps import Journal, Progress, ask_approval, for_display, print_object, save_record
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
from .interrupts import INTERRUPTED
from .output import OutputFormat

if TYPE_CHECKING:
    from ..cluster.contract import Cluster
    from ..core.deletion import DeletionPlan
    from ..core.findings import Finding
    from ..core.model import ResourceApi
    from ..core.verdict import Verdict

APPROVAL_QUESTION = "Delete this HTTPRoute? Its traffic goes where shown above."
KIND = "httproute.gateway.networking.k8s.io"  # kubectl's kind.group, as `kubectl delete` prints

DELETE_HELP = """Delete an HTTPRoute, showing first what stops being served and who takes it over.

Reads the route and the other routes that may share its Gateway (one list, page by page),
shows the Gateways, hostnames, matches, models (exact X-Gateway-Base-Model-Name matches) and
pools that stop getting this route's traffic and, by Gateway API precedence, which other route
takes each match over (or that the Gateway answers 404). Then it checks your permissions,
dry-runs the delete on the server, asks, deletes, waits until the API server no longer has the
route, and writes a markdown deletion record. A ReferenceGrant that `expose` created for the
route's pools is offered for deletion too when no other route of the namespace uses a pool in
that namespace.

Only routes labelled app.kubernetes.io/managed-by=kubectl-inferroute are deleted, unless --force.
--dry-run=client reads the cluster (the route, the other routes) but sends no write.

\b
Examples:
  # Show what stops being served, ask, delete, wait and record
  kubectl inferroute delete qwen-pool -n llm

\b
  # Let the server check permission and admission; delete nothing
  kubectl inferroute delete qwen-pool -n llm --dry-run=server

\b
  # In a script: no question, print kubectl's resource/name
  kubectl inferroute delete qwen-pool -n llm --yes -o name

\b
  # A route made with kubectl rather than expose
  kubectl inferroute delete my-route -n llm --force --yes
"""


@click.command(
    cls=KubectlCommand,
    help=DELETE_HELP,
    short_help="Delete an HTTPRoute, saying who takes its traffic.",
)
@click.argument("route", metavar="ROUTE", shell_complete=complete_routes)
@click.option(
    "--dry-run",
    type=click.Choice(DRY_RUN_MODES),
    default="none",
    show_default=True,
    help="client: show what would be deleted, reading the cluster but writing nothing; server: "
    "the server checks the delete (dryRun=All) and keeps the route.",
)
@click.option(
    "-o",
    "--output",
    type=OutputFormat(DELETE_OUTPUT_FORMATS),
    help="yaml|json: print the deleted object instead of the human view; name: kubectl's "
    "resource/name; jsonpath=TEMPLATE: its fields (kubectl's JSONPath).",
)
@click.option("-y", "--yes", is_flag=True, help="Delete without asking (the grant offered too).")
@click.option(
    "--force",
    is_flag=True,
    help="Delete a route that kubectl-inferroute did not create, or that a Helm release, a "
    "KServe LLMInferenceService or an Envoy AI Gateway AIGatewayRoute owns.",
)
@wait_flags(
    wait_help="Wait until the API server no longer has the route.",
    timeout_help="How long to wait for the route to be gone (0: look once, without waiting).",
)
@record_flags("deletion")
@kube_flags
@click.pass_context
def delete(ctx: click.Context, /, **params: Any) -> None:
    flags = start_command(ctx, params, writes=True)
    options = build_delete_options(
        namespace=flags.namespace,
        route=params["route"],
        dry_run=params["dry_run"],
        output=params["output"],
        yes=params["yes"],
        force=params["force"],
        wait=params["wait"],
        timeout=params["timeout"],
        record_path=params["record_path"],
        no_record=params["no_record"],
    )
    ctx.exit(run_delete(options, flags))


def run_delete(options: DeleteOptions, flags: GlobalFlags) -> int:
    """Read → plan → permissions → server dry-run → approve → delete → wait → grants → record."""
    from ..cluster.deletion import delete_object, read_for_deletion
    from ..core.deletion import (
        build_deletion_plan,
        deletion_verdict,
        grants_to_offer,
        refuse_unmanaged,
    )
    from ..core.ownership import refuse_if_owned

    human = options.output is None
    journal = Journal()
    client = open_cluster(flags, on_warning=warn)
    options = options._replace(namespace=options.namespace or client.selection.namespace)
    served = client.served_apis()
    api = served.httproutes
    if api is None:
        raise NotFound(
            "the cluster does not serve Gateway API HTTPRoutes (gateway.networking.k8s.io/v1)",
            CRD_HINTS[GATEWAY_GROUP],
        )
    ref = options.ref
    reads = read_for_deletion(client, served, ref)
    plan = build_deletion_plan(reads.route, reads.accepted, reads.competitors)
    # Helm, KServe or an AIGatewayRoute would bring the route back: say so before the label.
    owned = refuse_if_owned(reads.route, options.force or options.dry_run != "none")
    if owned is not None:
        from .preflight_steps import print_findings

        print_findings([owned], human)
    refuse_unmanaged(plan, force=options.force)
    if not plan.managed:
        journal.add("ownership", "not created by kubectl-inferroute; deleted with --force")
    grants = (
        grants_to_offer(plan, reads.grants, reads.in_namespace)
        if reads.in_namespace is not None
        else []
    )
    grants, findings = _check_access(client, ref, grants, human)
    if owned is not None:
        findings.insert(0, owned)
    journal.add("preflight", f"{len(findings)} finding(s)")
    if human:
        _show_plan(plan, grants)

    if options.dry_run == "client":
        journal.add("delete", "not sent (--dry-run=client)")
        _print_deleted(ref, for_display(reads.route), options, "deleted (dry run)")
        return EXIT_OK

    # Permission and admission (webhooks may refuse a delete) on the server; nothing is removed.
    dry = delete_object(client, api, ref, dry_run=True) or reads.route
    dry_warnings = tuple(client.warnings)
    journal.add("server dry-run", "the API server would delete it")
    if human:
        say()
        heading("Server dry-run")
        say("  accepted by the API server (permission and admission passed).")
        for text in dry_warnings:
            say(f"  warning: {text}")
    if options.dry_run == "server":
        if grants and human:
            say(f"  would also offer to delete ReferenceGrant {', '.join(map(str, grants))}")
        _print_deleted(ref, for_display(dry), options, "deleted (server dry run)")
        return EXIT_OK

    ask_approval(
        options, journal, APPROVAL_QUESTION, review="review it with --dry-run=server", verb="delete"
    )
    deleted = _send_delete(client, api, ref, journal) or reads.route
    if human:
        say()
        say(f'{KIND} "{ref.name}" deleted')
    state: dict[str, Any] | None = deleted
    seconds = 0.0
    failure: InferrouteError | None = None
    try:
        if options.wait:
            started = time.monotonic()
            try:
                state = _wait_until_gone(client, api, ref, options)
            except InferrouteError as error:
                # The delete was accepted: keep that on record, then say why checking failed.
                journal.add("wait", f"failed: {error}")
                error.message = (
                    f"deleted HTTPRoute {ref}, but checking that it is gone failed: {error.message}"
                )
                failure = error
            seconds = time.monotonic() - started
        else:
            journal.add("wait", "skipped (--no-wait)")
        if failure is None:
            failure = _settle_grants(client, served.reference_grants, grants, options, journal)
    except KeyboardInterrupt:
        journal.add("interrupted", "Ctrl-C after the delete: the route is being deleted")
        say(
            f"\ninterrupted: HTTPRoute {ref} was deleted (the API server accepted the delete); "
            f"see whether it is gone with `kubectl get httproute {ref.name} -n {ref.namespace}`",
            err=True,
        )
        _record(client, options, plan, reads.route, findings, journal, None, "", human, True)
        return INTERRUPTED

    verdict, verification = deletion_verdict(
        state, waited=options.wait, timeout_ms=options.wait_timeout_ms, seconds=seconds
    )
    if failure is not None and verdict is not None and verdict.state != "Deleted":
        verdict, verification = None, f"Unknown: {failure.message}."
    if human:
        say()
        say(f"Verdict: {verdict.state}: {verdict.summary}" if verdict else verification)
        if verdict is not None and verdict.fix:
            say(f"  fix: {verdict.fix}")
    if not human and failure is None:
        _print_deleted(ref, for_display(deleted), options, "deleted")
    _record(client, options, plan, reads.route, findings, journal, verdict, verification, human)
    if failure is not None:
        raise failure
    return EXIT_UNHEALTHY if verdict is not None and not verdict.healthy else EXIT_OK


# --- the steps' terminal side --------------------------------------------------------------------


def _check_access(
    client: Cluster, ref: ObjectRef, grants: list[ObjectRef], human: bool
) -> tuple[list[ObjectRef], list[Finding]]:
    """Access reviews before any write: no delete on httproutes stops here; no delete on a
    grant's namespace only leaves that grant (said so)."""
    from ..cluster.preflight import review_access
    from ..core.deletion import required_delete_access, settle_delete_access
    from .preflight_steps import print_findings, stop_if_blocked

    results = review_access(client, required_delete_access(ref, grants))
    kept, findings = settle_delete_access(results, grants)
    print_findings(findings, human)
    stop_if_blocked(findings)
    return kept, findings


def _show_plan(plan: DeletionPlan, grants: list[ObjectRef]) -> None:
    from ..render.deletion import render_served, render_takeovers

    heading(f"HTTPRoute {plan.route} to delete")
    if not plan.managed:
        say("  not created by kubectl-inferroute: deleting it anyway (--force)")
    say()
    heading("What stops being served")
    for line in render_served(plan):
        say(f"  - {line}")
    say()
    heading("Who takes the traffic over")
    for line in render_takeovers(plan):
        say(f"  - {line}")
    if grants:
        say()
        heading("ReferenceGrants no other route needs afterwards")
        for grant in grants:
            say(f"  - ReferenceGrant {grant} (created by expose for this route's pools)")


def _print_deleted(ref: ObjectRef, obj: dict[str, Any], options: DeleteOptions, what: str) -> None:
    """kubectl delete's line (`-o name`: resource/name), or the object for -o yaml|json."""
    if options.output is None:
        say()
        say(f'{KIND} "{ref.name}" {what}')
    elif options.output == "name":
        say(f"{KIND}/{ref.name}")
    else:
        print_object(obj, options.output)


def _send_delete(
    client: Cluster, api: ResourceApi, ref: ObjectRef, journal: Journal
) -> dict[str, Any] | None:
    from ..cluster.deletion import delete_object
    from .interrupts import deferred_interrupts

    with deferred_interrupts():
        deleted = delete_object(client, api, ref, dry_run=False)
        journal.add("delete", f"HTTPRoute {ref} deleted")
    return deleted


def _wait_until_gone(
    client: Cluster, api: ResourceApi, ref: ObjectRef, options: DeleteOptions
) -> dict[str, Any] | None:
    from ..cluster.wait import wait_until_gone

    progress = Progress(ref, "the route to be gone")
    left = wait_until_gone(client, api, ref, options.wait_timeout_ms, progress.show)
    progress.done(settled=left is None)
    return left


def _settle_grants(
    client: Cluster,
    api: ResourceApi | None,
    grants: list[ObjectRef],
    options: DeleteOptions,
    journal: Journal,
) -> InferrouteError | None:
    """The second question: delete the grants no other route needs? --yes deletes them.

    Returns why a grant could not be deleted (the route is gone: the caller records, then
    fails), or None."""
    from ..cluster.deletion import delete_object
    from .interrupts import deferred_interrupts

    if not grants or api is None:
        return None
    names = ", ".join(map(str, grants))
    if not options.yes:
        # No terminal and no --yes was refused before the route was deleted.
        try:
            wanted = click.confirm(
                f"Also delete ReferenceGrant {names}? No other HTTPRoute in namespace "
                f'"{options.namespace}" uses a pool there.',
                default=True,
                err=True,
            )
        except click.exceptions.Abort:
            raise KeyboardInterrupt from None
        if not wanted:
            journal.add("reference grant", f"ReferenceGrant {names} kept (declined)")
            return None
    with deferred_interrupts():
        for grant in grants:
            try:
                delete_object(client, api, grant, dry_run=False)
            except InferrouteError as error:
                journal.add("reference grant", f"ReferenceGrant {grant} not deleted: {error}")
                error.message = (
                    f"deleted HTTPRoute {options.ref}, but ReferenceGrant {grant} could not be "
                    f"deleted: {error.message}"
                )
                return error
            journal.add("reference grant", f"ReferenceGrant {grant} deleted")
            if options.output is None:
                say(f'referencegrant.gateway.networking.k8s.io "{grant.name}" deleted')
    return None


def _record(
    client: Cluster,
    options: DeleteOptions,
    plan: DeletionPlan,
    obj: dict[str, Any],
    findings: list[Finding],
    journal: Journal,
    verdict: Verdict | None,
    verification: str,
    human: bool,
    interrupted: bool = False,
) -> None:
    from .. import __version__
    from ..core.manifest import render_yaml
    from ..render.deletion import render_served, render_takeovers
    from ..render.record import RecordData

    selection = client.selection
    parents = [g.split("#", 1)[0] for g in plan.gateways]
    gateway = ObjectRef(*parents[0].split("/", 1)) if parents else ObjectRef("", "none")
    takeovers = [f"Takes over: {line}" for line in render_takeovers(plan)]
    data = RecordData(
        timestamp=datetime.now(timezone.utc),
        context=selection.context_name,
        server=selection.server,
        namespace=plan.route.namespace,
        user=selection.user_name,
        plugin_version=__version__,
        route=plan.route,
        gateway=gateway,
        pools=plan.pools,
        manifest_yaml=render_yaml(for_display(obj)),
        rules_summary=(*render_served(plan), *takeovers),
        dry_run_verdict="accepted by the API server (permission and admission passed)",
        warnings=tuple(client.warnings),
        verification=verification,
        verdict=verdict,
        events=tuple(journal.events),
        findings=tuple(findings),
        interrupted=interrupted,
        action="delete",
    )
    save_record(options, data, ask=not interrupted, human=human)
