"""`kubectl inferroute history`: the revisions kept on a route, and changes made by others.

Read-only: one GET of the route, nothing else (the revisions live in its annotation)."""

from __future__ import annotations

from typing import Any

import click

from ..core.model import ObjectRef
from ..core.options import OUTPUT_FORMATS, build_history_options
from ..errors import EXIT_OK
from .common import kube_flags, open_cluster, say, start_command, warn
from .completion import complete_routes
from .flagsyntax import KubectlCommand
from .output import OutputFormat

HISTORY_HELP = """List the revisions of an HTTPRoute: each change made by expose, shift or rollback.

One row per revision, oldest first, as `kubectl rollout history`: REVISION, TIME (RFC 3339,
UTC, as recorded: absolute, so it reads the same in a record or a ticket next week), USER
(the kubeconfig user), COMMAND (as typed, secrets redacted) and the traffic SPLIT. Rules
changed since by someone else (`kubectl edit`, `kubectl apply`, a controller) are a last row
with REVISION `-`, the field manager that wrote them as USER and its time from managedFields.

The history is kept on the route itself (annotation inferroute.llm-d.ai/revisions, the last
10), so reading it needs only read access to the route: one GET, nothing else.

\b
Examples:
  # The revisions of a route
  kubectl inferroute history qwen-pool -n llm

\b
  # For scripts: apiVersion inferroute/v1, kind RouteHistory, revisions[] with
  # number (null: changed outside), outside, time, user, command, split, rules
  kubectl inferroute history qwen-pool -o json

\b
  # Then go back to one of them
  kubectl inferroute rollback qwen-pool --to-revision 2
"""


@click.command(
    cls=KubectlCommand,
    help=HISTORY_HELP,
    short_help="List the revisions of an HTTPRoute.",
)
@click.argument("route", metavar="ROUTE", shell_complete=complete_routes)
@click.option(
    "-o",
    "--output",
    type=OutputFormat(OUTPUT_FORMATS),
    help="yaml|json: the history (kind RouteHistory) instead of the table; "
    "jsonpath=TEMPLATE: its fields (kubectl's JSONPath).",
)
@kube_flags
@click.pass_context
def history(ctx: click.Context, /, **params: Any) -> None:
    flags = start_command(ctx, params, writes=False)
    options = build_history_options(route=params["route"], output=params["output"])
    client = open_cluster(flags, on_warning=warn)
    namespace = flags.namespace or client.selection.namespace
    route = ObjectRef(namespace, options.route)
    from ..cluster.readers import get_route

    ctx.exit(run_history(get_route(client, route), route, options.output))


def run_history(obj: dict[str, Any], route: ObjectRef, output: str | None) -> int:
    """Print the route's history: a table, or the structure -o asks for."""
    from ..core.history import build_history
    from ..render.findings import render_findings
    from ..render.history import build_history_report, render_history_table
    from .change_steps import print_object

    entries, findings = build_history(obj)
    if findings:  # a corrupt annotation: said, never fatal; the history starts anew
        say(render_findings(findings).rstrip("\n"), err=True)
    if output is not None:
        print_object(build_history_report(route, entries, findings), output)
        return EXIT_OK
    if not entries:
        say(
            f"HTTPRoute {route} has no revisions: none of its changes was made by "
            "kubectl-inferroute (expose, shift and rollback record one each)"
        )
        return EXIT_OK
    say(render_history_table(entries))
    return EXIT_OK
