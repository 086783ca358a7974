"""`kubectl inferroute shift`: new weights (or a mirror) on a live route, in one step or several.

The steps are expose's (cli/change_steps.py): read, plan, preflight and gates, server dry-run,
changes, approval, server-side apply, verdict, record. A progressive shift repeats apply, verdict
and gates for each step under one approval, and goes back to the weights before the shift when
a gate fails.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import click

from ..core.model import HTTPROUTES, ObjectRef, PoolBackend
from ..core.options import DRY_RUN_MODES, ShiftOptions, build_shift_options
from ..errors import EXIT_OK, EXIT_UNHEALTHY, InferrouteError, NotFound
from .change_flags import apply_flags, record_flags, wait_flags
from .change_steps import (
    ChangeRun,
    Journal,
    Progress,
    apply_route,
    dry_run_with_revision,
    finish_change,
    for_display,
    note_revision,
    print_object,
    refuse_if_owned,
    show_applied,
    show_changes,
    verify,
    write_record,
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
from .completion import complete_pool, complete_pools, complete_routes
from .flagsyntax import KubectlCommand
from .interrupts import INTERRUPTED

if TYPE_CHECKING:
    from ..cluster.contract import Cluster
    from ..core.findings import Finding
    from ..core.inventory import PoolState
    from ..core.model import ResourceApi, ServedApis
    from ..core.shift import ShiftStep

APPROVAL_QUESTION = "Does this traffic change look correct? May I proceed with deployment?"
PLAN_QUESTION = "Does this plan of steps look correct? May I proceed with the whole shift?"

SHIFT_HELP = """Change how a live HTTPRoute splits traffic between InferencePools, verified.

POOL=WEIGHT arguments set absolute weights on the route's InferencePool backendRefs: the pools
listed get the weight given (a pool not on the route yet is added, with the API group the
cluster serves it in and its first target port), the pools not listed keep theirs, and weight 0
keeps the backendRef, so going back is instant. It shows the traffic before and after, what
changes in the route, the preflight checks and the server's dry-run, asks, applies with
server-side apply, waits for the controller's verdict and writes a record. Before applying,
every pool that gets traffic must exist, have a Ready pod and its endpoint picker Service
(--force applies anyway).

--to POOL --steps 10,50,100 shifts progressively: at each step POOL gets that share of traffic
and the other pools split the rest in proportion to their weights before the shift (whole
weights summing to 100, rounded by largest remainder), until at 100 they keep weight 0. One
approval covers the plan. Each step is applied, verified and held for --interval while the
gates are re-checked: the route Ready on every parent, POOL's pods Ready and, with --probe, a
request through the Gateway. A failed gate puts the weights back as they were before the shift,
says why and exits 3; Ctrl-C stops at the current step and leaves the route as it is.

--mirror POOL=PERCENT copies that share of requests to POOL (a RequestMirror filter; the
responses are discarded); --no-mirror removes it. Mirroring to an InferencePool is
implementation-specific: check that your Gateway implementation supports it.

--remove POOL takes a pool's backendRef off the route (a mirror to it too), so the pool can be
deleted without leaving the route a reference it cannot resolve; its weight goes to the others.

--dry-run=client prints the route that would be applied without sending any write (it still
reads the route and the pools it adds).

\b
Examples:
  # Canary: 10% to qwen-v2, 90% to qwen-v1
  kubectl inferroute shift qwen qwen-v2=10 qwen-v1=90 -n llm

\b
  # Copy 10% of requests to qwen-v2 first, then stop copying
  kubectl inferroute shift qwen --mirror qwen-v2=10 -n llm
  kubectl inferroute shift qwen --no-mirror -n llm

\b
  # Progressive: 10%, 50%, then all of it, holding each step 5 minutes, probing as it goes
  kubectl inferroute shift qwen --to qwen-v2 --steps 10,50,100 --interval 5m --probe -n llm

\b
  # Done: take the old version off the route, then its pool can go
  kubectl inferroute shift qwen --remove qwen-v1 -n llm

\b
  # Review what the server would store, never apply
  kubectl inferroute shift qwen qwen-v2=50 qwen-v1=50 -n llm --dry-run=server -o yaml
"""


@click.command(
    cls=KubectlCommand,
    help=SHIFT_HELP,
    short_help="Shift traffic between InferencePools on a live route.",
)
@click.argument("route", metavar="ROUTE", shell_complete=complete_routes)
@click.argument(
    "pools", nargs=-1, metavar="[[NAMESPACE/]POOL=WEIGHT]...", shell_complete=complete_pools
)
@click.option(
    "--to",
    metavar="[NAMESPACE/]POOL",
    help="Shift progressively to this pool (with --steps).",
    shell_complete=complete_pool,
)
@click.option(
    "--steps", metavar="PERCENT,...", help="The pool's share at each step, e.g. 10,50,100."
)
@click.option(
    "--interval",
    metavar="DURATION",
    help="How long to hold each step, re-checking the gates. [default: 0s]",
)
@click.option("--probe", is_flag=True, help="Also gate each step on a request through the Gateway.")
@click.option(
    "--mirror",
    metavar="[NAMESPACE/]POOL=PERCENT",
    help="Copy this share of requests to the pool (RequestMirror).",
    shell_complete=complete_pool,
)
@click.option("--no-mirror", is_flag=True, help="Remove the route's RequestMirror filters.")
@click.option(
    "--remove",
    "remove",
    multiple=True,
    metavar="[NAMESPACE/]POOL",
    help="Take this pool's backendRef off the route (its weight goes to the others), e.g. "
    "the old version once it has weight 0, before deleting its pool. Repeatable.",
    shell_complete=complete_pool,
)
@click.option(
    "--dry-run",
    type=click.Choice(DRY_RUN_MODES),
    default="none",
    show_default=True,
    help="client: print without sending a write (reads the route); server: dry-run on the "
    "server, never apply.",
)
@apply_flags
@click.option(
    "--force",
    is_flag=True,
    help="Apply even when a pool fails a gate, or when a Helm release, a KServe "
    "LLMInferenceService or an Envoy AI Gateway AIGatewayRoute owns the route.",
)
@click.option(
    "--create-reference-grant",
    is_flag=True,
    help="Create the ReferenceGrant a pool in another namespace needs (asked when interactive).",
)
@wait_flags(timeout_help="How long to wait for each verdict (0: look once, without waiting).")
@record_flags()
@kube_flags
@click.pass_context
def shift(ctx: click.Context, /, **params: Any) -> None:
    flags = start_command(ctx, params, writes=True)
    options = build_shift_options(
        namespace=flags.namespace,
        route=params["route"],
        pools=params["pools"],
        to=params["to"],
        steps=params["steps"],
        interval=params["interval"],
        probe=params["probe"],
        mirror=params["mirror"],
        no_mirror=params["no_mirror"],
        remove=params["remove"],
        dry_run=params["dry_run"],
        output=params["output"],
        yes=params["yes"],
        force_conflicts=params["force_conflicts"],
        force=params["force"],
        wait=params["wait"],
        timeout=params["timeout"],
        record_path=params["record_path"],
        no_record=params["no_record"],
        create_reference_grant=params["create_reference_grant"],
    )
    ctx.exit(run_shift(options, flags))


# --- the plan ------------------------------------------------------------------------------------


class Plan:
    """What the reads and the pure planning give the steps: the live route, the new rules."""

    def __init__(
        self,
        existing: dict[str, Any],
        pools: dict[ObjectRef, PoolState | None],
        rules: list[dict[str, Any]],
        steps: list[ShiftStep],
        owned: Finding | None = None,
    ) -> None:
        self.existing = existing
        self.pools = pools
        self.rules = rules
        self.steps = steps
        self.owned = owned  # forced over a route someone else owns: the warning to show

    @property
    def route(self) -> ObjectRef:
        from ..core.shift import route_ref

        return route_ref(self.existing)


def read_route(client: Cluster, served: ServedApis, options: ShiftOptions) -> dict[str, Any]:
    """The live route, or one clear line when it is not there."""
    from ..cluster.readers import get_route

    ref = ObjectRef(options.namespace, options.route)
    return get_route(client, ref, served.httproutes or HTTPROUTES)


def plan_shift(client: Cluster, served: ServedApis, options: ShiftOptions) -> Plan:
    """Read the route and every pool the change names; plan the new rules (or the steps)."""
    from ..cluster import readers
    from ..core.discovery import missing_named
    from ..core.plan import pool_apis
    from ..core.shift import (
        live_rules,
        mirror_backend,
        new_backend,
        plan_change,
        plan_steps,
        require_pool_rules,
        route_pools,
    )

    existing = read_route(client, served, options)
    # First: its owner would put the weights back.
    owned = refuse_if_owned(existing, options, force=options.force)
    require_pool_rules(existing)
    on_route = route_pools(existing)
    wanted = [p.ref for p in options.pools]
    wanted += [r.ref for r in (options.to, options.mirror) if r is not None]
    apis = pool_apis(served, None)
    pools: dict[ObjectRef, PoolState | None] = {}
    added: dict[ObjectRef, PoolBackend] = {}
    for ref in dict.fromkeys([*on_route, *wanted]):
        group = on_route[ref][0] if ref in on_route else None
        in_group = [a for a in apis if a.group == group] if group else list(apis)
        state = readers.get_pool(client, in_group, ref) if in_group else None
        pools[ref] = state
        if ref in on_route:
            continue
        if state is None:
            existing_pools = [p.ref for p in readers.list_pools(client, apis, ref.namespace)]
            raise missing_named("InferencePool", ref, existing_pools)
        added[ref] = new_backend(state)
    rules = live_rules(existing)
    steps: list[ShiftStep] = []
    if options.to is not None:
        steps = plan_steps(existing, options.to.ref, options.steps, added)
        rules = steps[-1].rules
    else:
        mirror = None
        if options.mirror is not None:
            ref = options.mirror.ref
            mirror = (
                mirror_backend(ref, on_route, pools.get(ref)),
                int(options.mirror.weight or 0),
            )
        weights = {p.ref: int(p.weight or 0) for p in options.pools}
        rules = plan_change(
            existing,
            weights,
            added,
            mirror,
            no_mirror=options.no_mirror,
            removed=[p.ref for p in options.remove],
        )
    return Plan(existing, pools, rules, steps, owned)


def implementation_findings(existing: dict[str, Any], manifest: dict[str, Any]) -> list[Finding]:
    """What the Gateway's implementation is known to do with the shifted route (weights across
    pools, a mirror to a pool), keyed by the controllerName the route's status already names:
    no request more. A route no controller has judged yet gets only the rules for any."""
    from ..core.implementations import check_implementation

    controllers = [
        str(parent.get("controllerName") or "")
        for parent in (existing.get("status") or {}).get("parents") or []
        if isinstance(parent, dict)
    ]
    return check_implementation(next((c for c in controllers if c), None), manifest)


def gated_pools(plan: Plan) -> list[tuple[ObjectRef, PoolState | None]]:
    """Every pool that gets traffic at some point of the change: the gates' subjects."""
    from ..core.shift import traffic_pools

    refs: dict[ObjectRef, None] = {}
    for rules in [step.rules for step in plan.steps] or [plan.rules]:
        refs.update(dict.fromkeys(traffic_pools(rules, plan.route.namespace)))
    return [(ref, plan.pools.get(ref)) for ref in refs]


# --- the whole workflow -------------------------------------------------------------------------


def run_shift(options: ShiftOptions, flags: GlobalFlags) -> int:
    """Read → plan → show → gates → dry-run → approve → apply (each step) → verify → record."""
    from ..cluster.preflight import run_shift_preflight
    from ..core.plan import require_apis
    from ..core.shift import (
        backends_of,
        build_shift_manifest,
        live_rules,
        parent_gateway,
        traffic_rows,
        traffic_summary,
    )
    from .preflight_steps import decide_grants, print_findings, stop_if_blocked

    human = options.output is None
    journal = Journal()
    client = open_cluster(flags, on_warning=warn)
    options = options.complete(options.namespace or client.selection.namespace)
    served = require_apis(client.served_apis())
    plan = plan_shift(client, served, options)
    existing, route = plan.existing, plan.route
    manifest = build_shift_manifest(existing, plan.rules)
    if options.dry_run == "client":
        print_object(manifest, options.output)
        return EXIT_OK
    before_rows = traffic_rows(live_rules(existing), route.namespace)
    after_rows = traffic_rows(plan.rules, route.namespace)
    journal.add("plan", f"HTTPRoute {route}: " + _weights(plan.rules, route.namespace))
    if human:
        _show_plan(plan, options, before_rows, after_rows)

    preflight = run_shift_preflight(
        client,
        served,
        route,
        gated_pools(plan),
        force=options.force,
        create_grants=options.create_reference_grant,
    )
    if plan.owned is not None:
        preflight.findings.insert(0, plan.owned)
    preflight.findings += implementation_findings(existing, manifest)
    print_findings(preflight.findings, human)
    journal.add("preflight", f"{len(preflight.findings)} finding(s)")
    stop_if_blocked(preflight.findings)
    grants = preflight.grants if decide_grants(options, preflight.grants) else []

    first = build_shift_manifest(existing, plan.steps[0].rules) if plan.steps else manifest
    dry, dry_warnings, to_apply = dry_run_with_revision(
        client, first, existing, options, journal, human
    )
    unchanged = show_changes(route, existing, dry, human) and not grants
    summary = traffic_summary(before_rows, after_rows)
    if any(row.share.startswith("mirror") for row in after_rows):
        from ..core.shift import MIRROR_NOTE

        summary.append(MIRROR_NOTE)
    run = ChangeRun(
        client=client,
        options=options,
        journal=journal,
        human=human,
        route=route,
        gateway=parent_gateway(existing),
        pools=[p for _, p in gated_pools(plan) if p is not None],
        manifest=manifest,
        backends=backends_of(plan.rules, route.namespace),
        rules_summary=tuple(summary),
        findings=tuple(preflight.findings),
        warnings=dry_warnings,
    )

    def steps(first: dict[str, Any]) -> int:
        return run_steps(run, plan, first, grants, preflight.grant_api)

    return finish_change(
        run,
        existing,
        dry,
        to_apply,
        # A plan of steps is applied even when its first step is already in place.
        unchanged=unchanged and not plan.steps,
        question=PLAN_QUESTION if plan.steps else APPROVAL_QUESTION,
        grants=grants,
        grant_api=preflight.grant_api,
        apply_approved=steps if plan.steps else None,
    )


def _weights(rules: list[dict[str, Any]], namespace: str) -> str:
    from ..core.shift import weights_text

    return weights_text(rules, namespace)


def _show_plan(plan: Plan, options: ShiftOptions, before: list[Any], after: list[Any]) -> None:
    from ..core.shift import MIRROR_NOTE, live_rules, weights_text
    from ..render.shift import render_steps, render_traffic

    namespace = plan.route.namespace
    say()
    heading(f"Traffic of HTTPRoute {plan.route} now")
    say(render_traffic(before))
    if plan.steps:
        assert options.to is not None
        say()
        heading(f"Steps to {options.to.ref.name}")
        rows = [(step, weights_text(step.rules, namespace)) for step in plan.steps]
        target = options.to.ref.name
        say(render_steps(target, rows, weights_text(live_rules(plan.existing), namespace)))
        hold = options.interval_ms / 1000
        gates = "the route Ready on every parent, the pool's pods Ready"
        if options.probe:
            gates += ", a request through the Gateway"
        say()
        say(f"  Each step: apply, wait for the verdict, then hold {hold:g}s checking")
        say(f"  {gates}.")
        say("  A failed gate puts back the weights before the shift (the last line) and stops.")
    else:
        say()
        heading("Traffic after")
        say(render_traffic(after))
    if any(row.share.startswith("mirror") for row in after):
        import textwrap

        say()
        say(textwrap.fill(f"Note: {MIRROR_NOTE}", 98, initial_indent="  ", subsequent_indent="  "))


# --- a progressive shift -------------------------------------------------------------------------


class GateFailed(Exception):
    """A step's gate failed: the finding says which, with the fix."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def run_steps(
    run: ChangeRun,
    plan: Plan,
    first: dict[str, Any],
    grants: list[dict[str, Any]],
    grant_api: ResourceApi | None,
) -> int:
    """Apply each step, verify it, hold it while re-checking the gates; revert on a failure."""
    from ..core.shift import backends_of, build_shift_manifest

    options = run.options
    assert isinstance(options, ShiftOptions) and options.to is not None
    client, journal, route = run.client, run.journal, run.route
    live = plan.existing
    total = len(plan.steps)
    tables = ""
    verdict = None
    for number, step in enumerate(plan.steps, 1):
        what = f"step {number}/{total} ({step.share}% to {options.to.ref.name})"
        manifest = (
            first
            if number == 1
            else _with_server_rules(run, build_shift_manifest(plan.existing, step.rules), live)
        )
        try:
            applied, interrupted = apply_route(
                client,
                manifest,
                options,
                journal,
                grants if number == 1 else None,
                grant_api,
            )
        except KeyboardInterrupt:
            return _stopped(run, what, live, applied_any=number > 1)
        show_applied(route, live, applied, journal, run.human)
        note_revision(applied, journal)
        journal.add("step", f"{what} applied: {_weights(step.rules, route.namespace)}")
        live = applied
        # The record shows what the route holds now, should the shift stop here.
        run.manifest = build_shift_manifest(plan.existing, step.rules)
        run.backends = backends_of(step.rules, route.namespace)
        if interrupted:
            return _stopped(run, what, live, applied_any=True)
        try:
            live, verdict, tables = verify(run)
            _check_step(run, plan, options.to.ref, live)
            _hold(run, plan, options, what)
        except KeyboardInterrupt:
            return _stopped(run, what, live, applied_any=True)
        except GateFailed as failed:
            return _revert(run, plan, live, what, failed.finding)
        journal.add("step", f"{what}: gates passed")
        if run.human:
            say(f"  {what}: {verdict.state}, gates passed")
    if run.human and tables:
        say()
        say(tables.rstrip("\n"))
    if not run.human:
        print_object(for_display(live), options.output)
    write_record(run, tables, verdict, ask=True)
    return EXIT_OK


def _with_server_rules(
    run: ChangeRun, manifest: dict[str, Any], live: dict[str, Any]
) -> dict[str, Any]:
    """The step's manifest with its revision; the revision keeps the rules as the server's
    dry-run returns them, so the route matches its last revision after the apply."""
    _, _, to_apply = dry_run_with_revision(
        run.client, manifest, live, run.options, run.journal, human=False
    )
    return to_apply


def _check_step(run: ChangeRun, plan: Plan, target: ObjectRef, live: dict[str, Any]) -> None:
    """The step's gates: route Ready on every parent, the target's pods Ready, the probe."""
    from ..cluster.preflight import read_pool_health
    from ..core.shift import check_gates, check_route_gate

    failed = check_route_gate(live)
    if failed is None:
        (health,) = read_pool_health(run.client, [(target, plan.pools.get(target))])
        gates = check_gates([health], force=False, forceable=False)
        failed = next((f for f in gates if f.blocking), None)
    options = run.options
    if failed is None and isinstance(options, ShiftOptions) and options.probe:
        failed = _probe_gate(run.client, live)
    if failed is not None:
        raise GateFailed(failed)


def _probe_gate(client: Cluster, live: dict[str, Any]) -> Finding | None:
    from ..cluster import readers
    from ..cluster.probe import run_probe
    from ..core.inventory import reduce_route
    from ..core.model import GATEWAYS
    from ..core.probe import plan_probe
    from ..core.shift import check_probe_gate

    summary, info, _ = reduce_route(live)
    paths = info.paths if info is not None else ("/",)
    for ns, name, section in summary.parents:
        view = readers.get_gateway(client, GATEWAYS, ObjectRef(ns, name))
        if view is not None:
            result = run_probe(client, plan_probe(summary.hostnames, paths, view, section))
            return check_probe_gate(result, summary.ref)
    return check_probe_gate(_no_probe(), summary.ref)


def _no_probe() -> Any:
    from ..core.probe import ProbeResult

    return ProbeResult("none", "", notes=("no Gateway of the route could be read",))


def _hold(run: ChangeRun, plan: Plan, options: ShiftOptions, what: str) -> None:
    """Hold the step for --interval, re-checking the gates, with progress on stderr."""
    assert options.to is not None
    deadline = time.monotonic() + options.interval_ms / 1000
    progress = Progress(run.route, f"the hold of {what}")
    start = time.monotonic()
    # Often enough to catch a failing pool early, seldom enough to stay cheap: 10 checks a hold,
    # at most one every 10 seconds.
    pause = min(max(options.interval_ms / 10000, 0.05), 10.0)
    while time.monotonic() < deadline:
        progress.show(time.monotonic() - start)
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        live = run.client.get(HTTPROUTES, run.route.namespace, run.route.name)
        if live is None:
            raise NotFound(
                f"HTTPRoute {run.route} disappeared during the shift",
                "someone deleted it: expose it again",
            )
        _check_step(run, plan, options.to.ref, live)
    progress.done(settled=True)


def _revert(run: ChangeRun, plan: Plan, live: dict[str, Any], what: str, failed: Finding) -> int:
    """Put back the weights before the shift (part of the approved plan); exit 3."""
    from ..core.shift import backends_of, build_shift_manifest, live_rules

    journal, route = run.journal, run.route
    journal.add("gate", f"{what}: failed: {failed.message}")
    warn(f"{what}: gate failed: {failed.message}")
    manifest = _with_server_rules(
        run, build_shift_manifest(plan.existing, live_rules(plan.existing)), live
    )
    applied, _ = apply_route(run.client, manifest, run.options, journal)
    show_applied(route, live, applied, journal, run.human)
    note_revision(applied, journal)
    weights = _weights(live_rules(plan.existing), route.namespace)
    journal.add("revert", f"weights before the shift restored: {weights}")
    run.manifest = build_shift_manifest(plan.existing, live_rules(plan.existing))
    run.backends = backends_of(live_rules(plan.existing), route.namespace)
    run.rules_summary = (
        f"The shift stopped at {what}: {failed.message}.",
        f"The weights before the shift were put back: {weights}.",
        *(f"Planned, not kept: {line}" for line in run.rules_summary),
    )
    verdict = None
    tables = ""
    interrupted = False
    try:
        _, verdict, tables = verify(run)
    except KeyboardInterrupt:  # the revert is applied: keep that on record, then stop
        journal.add("verify", "interrupted (Ctrl-C) after the revert: its verdict is unknown")
        interrupted = True
    except InferrouteError as error:  # the revert is applied: say so whatever verifying says
        journal.add("verify", f"after the revert: {error}")
    write_record(run, tables, verdict, ask=False, interrupted=interrupted)
    if interrupted:
        say(f"\ninterrupted: HTTPRoute {route} was put back to {weights}", err=True)
        return INTERRUPTED
    say(
        f"error: {what} failed a gate: {failed.message}; HTTPRoute {route} was put back to its "
        f"weights before the shift ({weights}) ({failed.fix or 'see the record'})",
        err=True,
    )
    return EXIT_UNHEALTHY


def _stopped(run: ChangeRun, what: str, live: dict[str, Any], *, applied_any: bool) -> int:
    """Ctrl-C: stop at the current step, leave the route as it is, say so, record it."""
    if not applied_any:
        raise KeyboardInterrupt  # nothing applied yet: nothing changed, the usual line
    route = run.route
    weights = _weights(((live.get("spec") or {}).get("rules") or []), route.namespace)
    run.journal.add("interrupted", f"at {what} (Ctrl-C): the route is left at {weights}")
    run.rules_summary = (
        f"The shift was stopped at {what} (Ctrl-C); the route is left at {weights}.",
        *(f"Planned: {line}" for line in run.rules_summary),
    )
    say(
        f"\ninterrupted at {what}: HTTPRoute {route} is left as it is ({weights}); see it with "
        f"`kubectl inferroute status {route.name} -n {route.namespace}`",
        err=True,
    )
    write_record(run, "", None, ask=False, interrupted=True)
    return INTERRUPTED
