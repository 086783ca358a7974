"""`kubectl inferroute status`: is my model reachable, and if not, why and how to fix it."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NamedTuple

import click

from ..core.model import ObjectRef
from ..errors import EXIT_FAILED, EXIT_OK, EXIT_UNHEALTHY, InferrouteError, InvalidInput
from .common import (
    GlobalFlags,
    kube_flags,
    open_cluster,
    say,
    start_command,
    stdin_is_tty,
    warn,
)
from .completion import complete_routes
from .flagsyntax import KubectlCommand
from .output import OutputFormat, jsonpath_template

if TYPE_CHECKING:
    from ..cluster.contract import Cluster
    from ..core.diagnose import RouteDiagnosis
    from ..core.inventory import Inventory
    from ..core.probe import ProbeResult

STATUS_HELP = """Show whether routes to InferencePools work, and if not, why and how to fix it.

Without ROUTE: one row per HTTPRoute that sends traffic to an InferencePool, with its
Gateways, pools, hostnames and paths, the controller's Accepted and ResolvedRefs, and a
verdict (Ready, NotAccepted, Unresolved, NoController, Stale, Pending, Shadowed, Degraded),
followed by each problem found and its fix. With ROUTE: that route in detail: its traffic
tree, conditions per parent, each Gateway and its listeners, each pool, the ReferenceGrants,
the findings, and the newest events of each object (as `kubectl describe` lists them).

--probe sends GET /v1/models (and with --model a one-token POST /v1/completions) through the
Gateway: directly at its address, else through the API server's service proxy, else it prints
the in-cluster command to run.

\b
Examples:
  # Routes in the current namespace
  kubectl inferroute status

\b
  # One route, in detail
  kubectl inferroute status qwen-pool -n llm

\b
  # Every namespace, with controllers, addresses and generations
  kubectl inferroute status -A -o wide

\b
  # For scripts: the documented report (apiVersion inferroute/v1, kind StatusReport)
  kubectl inferroute status -o json

\b
  # Names only, as `kubectl get -o name` prints them; or fields, with kubectl's JSONPath
  kubectl inferroute status -o name
  kubectl inferroute status -o jsonpath='{range .routes[*]}{.name}{"\\t"}{.verdict}{"\\n"}{end}'

\b
  # The traffic graph: a tree here, or Graphviz DOT / Mermaid to draw
  kubectl inferroute status qwen-pool -o tree
  kubectl inferroute status -A -o dot | dot -Tsvg > routes.svg

\b
  # Re-render whenever something changes, until Ctrl-C
  kubectl inferroute status --watch

\b
  # Send a request through the Gateway
  kubectl inferroute status qwen-pool --probe --model Qwen/Qwen3-8B

\b
Exit codes:
  0 every route shown is Ready   1 errors (API, network, permission)
  2 invalid usage                3 some route is not Ready (or the probe failed)
"""

OUTPUTS = ("wide", "yaml", "json", "name", "dot", "mermaid", "tree")
# The formats that draw the traffic graph (render/graph.py).
GRAPH_OUTPUTS = ("dot", "mermaid", "tree")
# The formats that print the report (or its routes' names), not the tables.
REPORT_OUTPUTS = ("yaml", "json", "name")


class StatusOptions(NamedTuple):
    route: str | None
    all_namespaces: bool
    output: str | None
    watch: bool
    probe: bool
    model: str | None
    probe_timeout: float


@click.command(
    cls=KubectlCommand, help=STATUS_HELP, short_help="Show whether routes to InferencePools work."
)
@click.argument("route", required=False, metavar="[ROUTE]", shell_complete=complete_routes)
@click.option("-A", "--all-namespaces", is_flag=True, help="Show routes in every namespace.")
@click.option(
    "-o",
    "--output",
    type=OutputFormat(OUTPUTS),
    help="wide: more columns; yaml|json: the report; name: a NAME per route, as kubectl get; "
    "jsonpath=TEMPLATE: the report's fields (kubectl's JSONPath); dot|mermaid|tree: the "
    "traffic graph (Gateway, route, pools, endpoint picker, model servers).",
)
@click.option("-w", "--watch", is_flag=True, help="Re-render whenever something changes.")
@click.option("--probe", is_flag=True, help="Send a request through the Gateway (needs ROUTE).")
@click.option(
    "--model", metavar="MODEL", help="Also POST a one-token completion for MODEL (implies --probe)."
)
@click.option(
    "--probe-timeout",
    default="5s",
    show_default=True,
    metavar="DURATION",
    help="Timeout of each probe step (connect, answer).",
)
@kube_flags
@click.pass_context
def status(ctx: click.Context, /, **params: Any) -> None:
    flags = start_command(ctx, params, writes=False)
    options = build_status_options(params)
    client = open_cluster(flags, on_warning=warn)
    if options.watch:
        ctx.exit(run_watch(client, options, flags))
    ctx.exit(run_status(client, options, flags))


def build_status_options(params: dict[str, Any]) -> StatusOptions:
    """Flags → checked options; bad combinations are usage errors, before any request."""
    from ..core.durations import parse_duration

    route = params.get("route")
    if route and params.get("all_namespaces"):
        raise InvalidInput(
            "a ROUTE cannot be combined with --all-namespaces",
            "name the route's namespace with -n instead",
        )
    probe = bool(params.get("probe") or params.get("model"))
    if probe and not route:
        raise InvalidInput(
            "--probe needs a ROUTE", "name the route to probe, e.g. status ROUTE --probe"
        )
    if probe and params.get("watch"):
        raise InvalidInput("--probe cannot be combined with --watch", "probe once, without --watch")
    text = params.get("probe_timeout")
    timeout = parse_duration("5s" if text is None else text, "--probe-timeout", allow_zero=False)
    return StatusOptions(
        route=route,
        all_namespaces=bool(params.get("all_namespaces")),
        output=params.get("output"),
        watch=bool(params.get("watch")),
        probe=probe,
        model=params.get("model"),
        probe_timeout=timeout.seconds,
    )


class StatusView(NamedTuple):
    """One rendering of status: the text to print, a change key, and the exit code it implies."""

    text: str
    key: str
    exit_code: int
    notes: tuple[str, ...] = ()
    newline: bool = True  # False: printed as it is (a JSONPath template's output, as kubectl)
    # Printed piece by piece instead of text (-o json); drawing them renders them.
    chunks: Iterable[str] | None = None


def _namespace(client: Cluster, options: StatusOptions, flags: GlobalFlags) -> str | None:
    if options.all_namespaces:
        return None
    return flags.namespace or client.selection.namespace or "default"


def build_view(
    client: Cluster,
    options: StatusOptions,
    flags: GlobalFlags,
    now: datetime | None = None,
) -> StatusView:
    """Read, diagnose, probe when asked, render: everything but printing."""
    with _no_cyclic_gc():
        return _build_view(client, options, flags, now)


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while pages become summaries: the summaries hold no
    cycles (reference counting frees every page), and its passes over tens of thousands of live
    objects cost a quarter of the time at 10,000 routes. Back on afterwards (--watch)."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build_view(
    client: Cluster,
    options: StatusOptions,
    flags: GlobalFlags,
    now: datetime | None,
) -> StatusView:
    from ..cluster.inventory import read_detail, read_overview
    from ..core.diagnose import diagnose_all, diagnose_route
    from ..core.precedence import shadowed_routes
    from ..render.report import build_report
    from ..render.status import render_detail, render_findings, render_overview, render_unreadable

    now = now or datetime.now(timezone.utc)
    namespace = _namespace(client, options, flags)
    probe: ProbeResult | None = None
    if options.route:
        assert namespace is not None
        # Events for what prints them (the detail text and the report), not for the graph.
        events = options.output not in (*GRAPH_OUTPUTS, "name")
        inv = read_detail(client, namespace, options.route, events=events)
        route = inv.routes[0]
        diagnoses = [diagnose_route(route, inv, shadowed_routes(inv.competitors).get(route.ref))]
        if options.probe:
            probe = probe_route(client, diagnoses[0], inv, options)
    else:
        inv = read_overview(client, namespace)
        diagnoses = diagnose_all(inv)
    probe_data = probe.to_dict() if probe is not None else None
    code = _exit_code(diagnoses, inv, probe)
    notes = tuple(render_unreadable(inv.unreadable).splitlines()) if inv.unreadable else ()
    template = jsonpath_template(options.output)
    if options.output == "json" and not options.watch:
        from ..render.report import iter_report_json

        # Written route by route as each entry is ready (_print_view): no whole report or text.
        chunks = iter_report_json(diagnoses, inv, probe_data)
        return StatusView("", "", code, notes, chunks=chunks)
    # The tables need no report: only --watch (its key), templates, yaml and names build it.
    report = (
        build_report(diagnoses, inv, probe_data)
        if options.watch or template is not None or options.output in REPORT_OUTPUTS
        else None
    )
    # Only --watch compares renderings; a one-off run does not pay for the key.
    key = json.dumps(report, sort_keys=True) if options.watch else ""
    if template is not None:
        from ..render.jsonpath import render_template

        assert report is not None
        del inv, diagnoses
        return StatusView(render_template(template, report), key, code, notes, newline=False)
    if options.output in REPORT_OUTPUTS:
        from ..core.manifest import render_yaml
        from ..render.report import render_report_json, render_report_names

        assert report is not None
        del inv, diagnoses  # the report holds what is printed: let the rest go first
        if options.output == "name":
            text = render_report_names(report)
        elif options.output == "json":
            text = render_report_json(report)
        else:
            text = render_yaml(report)
        return StatusView(text.rstrip("\n"), key, code, notes)
    if options.output in GRAPH_OUTPUTS:
        text = render_graph_output(diagnoses, inv, options.output)
        return StatusView(text.rstrip("\n"), key, code, notes)
    if options.route:
        from ..render.probe import render_probe

        # The chain at a glance first (ASCII as `-o tree` decides), then the tables.
        tree = render_graph_output(diagnoses, inv, "tree")
        text = render_detail(diagnoses[0], inv, now, tree).rstrip("\n")
        if probe is not None:
            text += "\n\n" + render_probe(probe)
        return StatusView(text, key, code)
    if not diagnoses:
        where = f'namespace "{namespace}"' if namespace else "any namespace"
        text = f"No HTTPRoutes with InferencePool backends found in {where}."
        return StatusView(text, key, code, notes)
    parts = [
        render_overview(
            diagnoses,
            inv,
            now,
            all_namespaces=options.all_namespaces,
            wide=options.output == "wide",
        )
    ]
    findings = render_findings(diagnoses)
    if findings:
        parts.append(findings)
    return StatusView("\n\n".join(parts), key, code, notes)


def render_graph_output(diagnoses: list[RouteDiagnosis], inv: Inventory, output: str) -> str:
    """The traffic graph of what status read, as DOT, Mermaid or a tree for this terminal."""
    import os
    import sys

    from ..core.graph import build_graph
    from ..render.graph import render_dot, render_mermaid, render_tree, wants_ascii

    graph = build_graph(diagnoses, inv)
    if output == "dot":
        return render_dot(graph)
    if output == "mermaid":
        return render_mermaid(graph)
    encoding = getattr(sys.stdout, "encoding", None)
    return render_tree(graph, ascii_only=wants_ascii(encoding, os.environ))


def _exit_code(diagnoses: list[RouteDiagnosis], inv: Inventory, probe: ProbeResult | None) -> int:
    if any(u.kind.startswith("httproutes") for u in inv.unreadable):
        return EXIT_FAILED
    if any(not d.ready for d in diagnoses):
        return EXIT_UNHEALTHY
    if probe is not None and probe.steps and not probe.ok:
        return EXIT_UNHEALTHY
    return EXIT_OK


def run_status(client: Cluster, options: StatusOptions, flags: GlobalFlags) -> int:
    """Print status once; returns the exit code."""
    with _no_cyclic_gc():  # -o json renders while it prints
        view = build_view(client, options, flags)
        for note in view.notes:
            warn(note)
        _print_view(view)
    return view.exit_code


def _print_view(view: StatusView) -> None:
    if view.chunks is not None:
        _write_chunks(view.chunks)
    elif view.newline and view.text:
        say(view.text)
    elif view.text:
        click.echo(view.text, nl=False)


def _write_chunks(chunks: Iterable[str], size: int = 1 << 16) -> None:
    """Write pieces as they come, gathered to about `size` characters a write (one system call
    per route would cost more than the routes' encoding)."""
    batch: list[str] = []
    held = 0
    for chunk in chunks:
        batch.append(chunk)
        held += len(chunk)
        if held >= size:
            click.echo("".join(batch), nl=False)
            batch.clear()
            held = 0
    if batch:
        click.echo("".join(batch), nl=False)


# --- watch ---------------------------------------------------------------------------------------


def watch_loop(
    snapshot: Callable[[], StatusView],
    emit: Callable[[StatusView], None],
    stop: Callable[[], bool],
    *,
    sleep: Callable[[float], None] = time.sleep,
    interval: float = 1.0,
    max_interval: float = 10.0,
) -> StatusView | None:
    """Poll with backoff; emit a view whenever it changed; until stop() says so.

    The interval starts at `interval`, grows by half each time nothing changed, up to
    `max_interval`, and drops back as soon as something changes. Returns the last view.
    """
    last: StatusView | None = None
    delay = interval
    while not stop():
        view = snapshot()
        if last is None or view.key != last.key:
            emit(view)
            delay = interval
        else:
            delay = min(delay * 1.5, max_interval)
        last = view
        if stop():
            break
        sleep(delay)
    return last


def run_watch(client: Cluster, options: StatusOptions, flags: GlobalFlags) -> int:
    """Re-render whenever something changes, until Ctrl-C; exits with the last view's code."""
    last: list[StatusView] = []

    def emit(view: StatusView) -> None:
        # A line per route (-o name), or a template's output: one after the other, as kubectl.
        bare = options.output == "name" or jsonpath_template(options.output) is not None
        if last and not bare:
            say()
        stamp = datetime.now(timezone.utc).strftime("%H:%M:%S")
        if options.output in (None, "wide"):
            say(f"--- {stamp}")
        for note in view.notes:
            warn(note)
        _print_view(view)
        last.append(view)

    # Only Ctrl-C ends it: the interrupt goes on up (`interrupted`, exit 130), as kubectl's
    # `get --watch` ends with 130 too.
    watch_loop(lambda: build_view(client, options, flags), emit, lambda: False)
    return last[-1].exit_code if last else EXIT_OK


# --- probe ---------------------------------------------------------------------------------------


def probe_route(
    client: Cluster, diag: RouteDiagnosis, inv: Inventory, options: StatusOptions
) -> ProbeResult:
    """Probe the route through its first Gateway that could be read."""
    from ..cluster.probe import run_probe
    from ..core.probe import ProbeResult, plan_probe

    route = diag.route
    for ns, name, section in route.summary.parents:
        view = inv.gateways.get(ObjectRef(ns, name))
        if view is None:
            continue
        target = plan_probe(route.summary.hostnames, route.paths, view, section)
        return run_probe(client, target, options.model, options.probe_timeout)
    return ProbeResult("none", "", notes=("no Gateway of the route could be read",))


def offer_probe(client: Cluster, route: ObjectRef) -> None:
    """After an interactive expose whose route is Ready: ask, then probe. Never fails expose."""
    if not stdin_is_tty():
        return
    try:
        # On the terminal (stderr), as every question: stdout is for what the command prints.
        wanted = click.confirm(
            "Send a test request through the Gateway (GET /v1/models)?", default=False, err=True
        )
    except (click.exceptions.Abort, EOFError):
        return
    if not wanted:
        return
    from ..cluster.inventory import read_detail
    from ..render.probe import render_probe

    options = StatusOptions(route.name, False, None, False, True, None, 5.0)
    try:
        inv = read_detail(client, route.namespace, route.name)
        from ..core.diagnose import diagnose_route

        result = probe_route(client, diagnose_route(inv.routes[0], inv), inv, options)
    except InferrouteError as error:
        warn(f"probe failed: {error.message}")
        return
    say()
    say(render_probe(result))
