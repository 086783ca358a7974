"""The steps every command that changes a route shares: server dry-run, the field changes,
approval, server-side apply, the controller's verdict, the record.

`expose`, `shift`, `rollback` and `delete` are each a sequence of these calls; only what differs
(discovery, the plan, the explanation) lives in their own modules. The terminal only: each step
calls into `cluster/`, `core/` or `render/`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Protocol

import click

from .. import __version__
from ..core.model import FIELD_MANAGER, HTTPROUTES, ObjectRef
from ..errors import EXIT_OK, EXIT_UNHEALTHY, InferrouteError, NotApproved
from .common import heading, say, stderr_is_tty, stdin_is_tty, warn
from .interrupts import INTERRUPTED
from .output import jsonpath_template

if TYPE_CHECKING:
    from ..cluster.contract import Cluster
    from ..core.findings import Finding
    from ..core.inventory import PoolState
    from ..core.model import PoolBackend, ResourceApi
    from ..core.verify import GatewayView, Verdict
    from ..render.record import RecordData

# The command line that made a change, as recorded in the route's revisions (cli/__init__.py).
ARGV_KEY = "inferroute.argv"


class ChangeOptions(Protocol):
    """The flags every changing command has, with the meaning `expose` gives them."""

    @property
    def dry_run(self) -> str: ...
    @property
    def output(self) -> str | None: ...
    @property
    def yes(self) -> bool: ...
    @property
    def force_conflicts(self) -> bool: ...
    @property
    def wait(self) -> bool: ...
    @property
    def wait_timeout_ms(self) -> int: ...
    @property
    def record_path(self) -> str | None: ...
    @property
    def no_record(self) -> bool: ...


@dataclass
class Journal:
    """What happened at each step, for the record."""

    events: list[tuple[str, str]] = field(default_factory=list)

    def add(self, step: str, outcome: str) -> None:
        self.events.append((step, outcome))


@dataclass
class ChangeRun:
    """What the steps after the dry-run need: the cluster, the change and what preflight found."""

    client: Cluster
    options: ChangeOptions
    journal: Journal
    human: bool
    route: ObjectRef
    gateway: GatewayView
    pools: list[PoolState]
    manifest: dict[str, Any]
    backends: tuple[PoolBackend, ...]  # the record's pool table
    rules_summary: tuple[str, ...]  # the record's plain sentences about the rules
    findings: tuple[Finding, ...] = ()
    warnings: tuple[str, ...] = ()


def route_name(route: ObjectRef) -> str:
    """kubectl's resource/name form, as `kubectl apply` prints it."""
    return f"httproute.gateway.networking.k8s.io/{route.name}"


# --- revisions -----------------------------------------------------------------------------------


def current_command() -> str:
    """The command line of this run, secrets redacted, for the route's revision history."""
    from ..core.revisions import redact_command

    ctx = click.get_current_context(silent=True)
    argv = ctx.find_root().meta.get(ARGV_KEY) if ctx is not None else None
    return redact_command(list(argv or []))


def add_revision(
    client: Cluster,
    manifest: dict[str, Any],
    existing: dict[str, Any] | None,
    rules: list[dict[str, Any]] | None = None,
    note: str = "",
) -> dict[str, Any]:
    """The manifest carrying the route's revisions plus this change: one apply records both.

    `note`: what the command line alone does not say, kept after it as a shell comment
    (`rollback` without --to-revision: which revision it restored)."""
    from ..core.revisions import with_revision

    command = current_command() + (f"  # {note}" if note else "")
    return with_revision(
        manifest,
        existing,
        client.selection.user_name or client.selection.context_name,
        command,
        datetime.now(timezone.utc),
        rules,
    )


def dry_rules(dry: dict[str, Any]) -> list[dict[str, Any]]:
    """The rules as the server's dry-run answer holds them, defaults filled in."""
    rules: list[dict[str, Any]] = (dry.get("spec") or {}).get("rules") or []
    return rules


def dry_run_with_revision(
    client: Cluster,
    manifest: dict[str, Any],
    existing: dict[str, Any] | None,
    options: ChangeOptions,
    journal: Journal,
    human: bool,
    note: str = "",
) -> tuple[dict[str, Any], tuple[str, ...], dict[str, Any]]:
    """The server dry-run of the change with its revision, and the manifest to apply: the
    revision rides in the same apply and keeps the rules as the dry-run returned them (defaults
    filled in), which is what the live route will hold. (dry, warnings, to_apply)"""
    dry, warnings = server_dry_run(
        client, add_revision(client, manifest, existing, note=note), options, journal, human
    )
    return dry, warnings, add_revision(client, manifest, existing, rules=dry_rules(dry), note=note)


def note_revision(applied: dict[str, Any], journal: Journal) -> None:
    """The journal says which revision the apply recorded (see `history`)."""
    from ..core.revisions import revision_number

    number = revision_number(applied)
    if number is not None:
        journal.add("revision", f"revision {number} recorded on the route")


def refuse_if_owned(
    live: dict[str, Any] | None, options: ChangeOptions, *, force: bool
) -> Finding | None:
    """A route a Helm release, KServe or Envoy AI Gateway owns is put back by its owner:
    refused (RouteOwned, exit 1) before anything is changed, unless --force; a dry run changes
    nothing, so it only warns. Returns the warning to show with the findings, if any."""
    from ..core.ownership import refuse_if_owned as refuse
    from ..core.preflight import owned_route_override

    override = owned_route_override(live, force_conflicts=options.force_conflicts)
    return refuse(live, force or options.dry_run != "none", override=override)


# --- dry-run, changes, approval ------------------------------------------------------------------


def server_dry_run(
    client: Cluster,
    manifest: dict[str, Any],
    options: ChangeOptions,
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


def show_changes(
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


def ask_approval(
    options: ChangeOptions,
    journal: Journal,
    question: str,
    *,
    review: str = "review the route with --dry-run=server",
    verb: str = "apply",
) -> None:
    """Nothing changes without approval: --yes, or "y" at the prompt on a terminal.

    `verb` names the change in the refusal ("not applied", "not deleted")."""
    done = {"apply": "applied", "delete": "deleted"}.get(verb, f"{verb}d")
    if options.yes:
        journal.add("approval", "approved with --yes")
        return
    if not stdin_is_tty():
        raise NotApproved(
            f"not {done}: there is no terminal to ask for approval",
            f"{review}, then run again with --yes to {verb}",
        )
    # On the terminal (stderr): with stdout redirected (`> plan.txt`) the question still shows.
    say(err=True)
    try:
        approved = click.confirm(question, default=False, err=True)
    except (click.exceptions.Abort, EOFError, KeyboardInterrupt):
        approved = False
        say(err=True)
    if not approved:
        raise NotApproved(f"not {done}: you did not approve", "nothing was changed")
    journal.add("approval", "approved at the prompt")


# --- apply ---------------------------------------------------------------------------------------


def apply_route(
    client: Cluster,
    manifest: dict[str, Any],
    options: ChangeOptions,
    journal: Journal,
    grants: list[dict[str, Any]] | None = None,
    grant_api: ResourceApi | None = None,
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


def finish_change(
    run: ChangeRun,
    existing: dict[str, Any] | None,
    dry: dict[str, Any],
    to_apply: dict[str, Any],
    *,
    unchanged: bool,
    question: str,
    review: str = "review the route with --dry-run=server",
    grants: list[dict[str, Any]] | None = None,
    grant_api: ResourceApi | None = None,
    apply_approved: Callable[[dict[str, Any]], int] | None = None,
) -> int:
    """After the server dry-run: stop there (--dry-run=server), or say there is nothing to
    apply, or ask, apply, verify and record; the exit code.

    `apply_approved`: what to do once approved instead of one apply and its verdict (a
    progressive shift's steps), given the manifest to apply first."""
    options, journal, human, route = run.options, run.journal, run.human, run.route
    if options.dry_run == "server":
        if human and unchanged:
            say()
            say(f"{route_name(route)} unchanged (server dry run)")
        if not human:
            print_object(for_display(dry), options.output)
        return EXIT_OK
    if unchanged:
        assert existing is not None
        journal.add("apply", f"HTTPRoute {route} unchanged: nothing to apply")
        if human:
            say()
            say(f"{route_name(route)} unchanged (the server has it already: nothing to apply)")
        return verify_and_record(run, existing, applied=None)

    ask_approval(options, journal, question, review=review)
    if apply_approved is not None:
        return apply_approved(to_apply)
    applied, interrupted = apply_route(run.client, to_apply, options, journal, grants, grant_api)
    outcome = show_applied(route, existing, applied, journal, human)
    note_revision(applied, journal)
    return verify_and_record(run, applied, applied=outcome, interrupted=interrupted)


def show_applied(
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
        say(f"{route_name(route)} {what} (server-side apply)")
    return f"{what}, generation {generation}"


# --- verdict -------------------------------------------------------------------------------------


def verify_and_record(
    run: ChangeRun, obj: dict[str, Any], *, applied: str | None, interrupted: bool = False
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
                final, verdict, tables = verify(run)
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
            print_object(for_display(final), options.output)
    except KeyboardInterrupt:
        if applied is None:
            raise
        run.journal.add("verify", "interrupted (Ctrl-C): the controller's verdict is unknown")
        say_interrupted(run.route, applied, "but its verdict is unknown")
        write_record(run, "", None, ask=False, interrupted=True)
        return INTERRUPTED

    # Nothing applied: no deployment to record, unless a record was asked for by name.
    if applied is not None or options.record_path:
        try:
            write_record(run, tables, verdict, ask=applied is not None)
        except KeyboardInterrupt:  # at the record's question: no record, then stop
            if applied is None:
                raise
            say_interrupted(run.route, applied, "and no deployment record was written")
            return INTERRUPTED
    if failure is not None:
        raise failure
    if verdict is not None and not verdict.healthy:
        return EXIT_UNHEALTHY
    if human and applied is not None and verdict is not None and verdict.state == "Ready":
        offer_probe(run.client, run.route)
    return EXIT_OK


def say_interrupted(route: ObjectRef, applied: str, rest: str) -> None:
    """Ctrl-C after the apply: the route is there, whatever was cut short."""
    say(
        f"\ninterrupted: HTTPRoute {route} was applied ({applied}) {rest}; see it with "
        f"`kubectl inferroute status {route.name} -n {route.namespace}`",
        err=True,
    )


def verify(run: ChangeRun) -> tuple[dict[str, Any], Verdict, str]:
    """Wait for the controller's verdict on this generation; render the three tables."""
    from ..cluster.wait import read_verified_objects, wait_for_verdict
    from ..core.verdict import apply_shadowing, not_waited_verdict
    from ..core.verify import route_facts, route_verdict, stale_not_found
    from ..render.tables import render_verification

    client, route, gateway, options = run.client, run.route, run.gateway, run.options
    progress = Progress(route)
    final, settled = wait_for_verdict(
        client, route, gateway.ref, options.wait_timeout_ms, progress.show
    )
    progress.done(settled=settled)
    # Accepted and resolved, but an older route takes its traffic: not healthy (as `status`).
    verdict = apply_shadowing(
        route_verdict(route_facts(final), gateway.ref, gateway.class_name), list(run.findings)
    )
    if not settled and options.wait_timeout_ms == 0:
        verdict = not_waited_verdict(route)
    now = read_verified_objects(client, gateway.ref, run.pools)
    # A BackendNotFound older than the pool it names: the controller never looked again.
    verdict = (
        stale_not_found(route_facts(final), gateway.ref, {p.ref: p.created for p in now.pools})
        or verdict
    )
    tables = render_verification(final, now.gateway, now.pools, verdict)
    if settled:
        run.journal.add("verify", f"{verdict.state}: {verdict.summary}")
    else:
        run.journal.add("verify", "no controller verdict before the deadline")
    return final, verdict, tables


class Progress:
    """Waiting, on stderr: a spinner on a terminal, else a line every five seconds."""

    SPINNER = "|/-\\"

    def __init__(self, route: ObjectRef, what: str = "the gateway controller's verdict") -> None:
        self.route = route
        self.what = what
        self.tty = stderr_is_tty()
        self.tick = 0
        self.last_note = -10.0

    def show(self, elapsed: float) -> None:
        if self.tty:
            click.echo(
                f"\r{self.SPINNER[self.tick % 4]} waiting for {self.what} "
                f"on {self.route} ({elapsed:.0f}s)",
                err=True,
                nl=False,
            )
            self.tick += 1
        elif elapsed - self.last_note >= 5 or self.last_note < 0:
            click.echo(f"waiting for {self.what} on {self.route} ({elapsed:.0f}s)...", err=True)
            self.last_note = elapsed

    def done(self, *, settled: bool) -> None:
        """Settled: the spinner's line is wiped; out of time: it stays, and the line ends."""
        if self.tty:
            click.echo("\r" + " " * 70 + "\r" if settled else "", err=True, nl=not settled)


def offer_probe(client: Cluster, route: ObjectRef) -> None:
    """On a terminal, offer to send a test request through the Gateway (see `status --probe`)."""
    from .status import offer_probe as offer

    offer(client, route)


# --- output --------------------------------------------------------------------------------------


def for_display(obj: dict[str, Any]) -> dict[str, Any]:
    from ..core.manifest import for_display as display

    return display(obj)


def print_object(obj: dict[str, Any], output: str | None) -> None:
    """The object as -o asks: yaml (the default), json, or kubectl's JSONPath template."""
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


# --- record --------------------------------------------------------------------------------------


def refuse_record_directory(record_path: str | None, route: str) -> None:
    """A directory given to --record is refused now, before anything is changed, not after."""
    import os

    if record_path is None or not os.path.isdir(record_path):
        return
    from ..errors import InvalidInput

    example = os.path.join(record_path, f"{route}.inferroute.md")
    raise InvalidInput(
        f'--record "{record_path}" is a directory, not a file',
        f"give the file to write, e.g. --record {example}",
    )


def write_record(
    run: ChangeRun,
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
    from ..core.manifest import render_yaml
    from ..render.record import RecordData

    now = datetime.now(timezone.utc)
    route = run.route
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
        pools=run.backends,
        manifest_yaml=render_yaml(run.manifest),
        rules_summary=run.rules_summary,
        dry_run_verdict="accepted by the API server",
        warnings=run.warnings,
        verification=tables,
        verdict=verdict,
        events=tuple(run.journal.events),
        findings=run.findings,
        interrupted=interrupted,
    )
    save_record(options, data, ask=ask, human=run.human)


def save_record(options: ChangeOptions, data: RecordData, *, ask: bool, human: bool) -> None:
    """Write the record where --record says, else ./ROUTE-TIMESTAMP.inferroute.md, asking first
    on a terminal (unless --yes or --record PATH); printed instead when it cannot be written."""
    if options.no_record:
        return
    from pathlib import Path

    from ..render.record import RecordError, default_record_path, render_record
    from ..render.record import write_record as write_file

    path = (
        Path(options.record_path)
        if options.record_path
        else default_record_path(data.route.name, data.timestamp)
    )
    what = "deletion record" if data.action == "delete" else "deployment record"
    ask = ask and options.record_path is None and stdin_is_tty() and not options.yes
    if ask:
        try:
            wanted = click.confirm(f"Write the {what} to {path}?", default=True, err=True)
        except click.exceptions.Abort:  # Ctrl-C (or end of input) at the question: stop here
            raise KeyboardInterrupt from None
        if not wanted:
            return
    text = render_record(data)
    try:
        written = write_file(path, text)
    except RecordError as error:
        warn(f"{error.message}; the record follows instead ({error.hint})")
        say(text, err=True)
        return
    say(f"{what.capitalize()}: {written}", err=not human)
