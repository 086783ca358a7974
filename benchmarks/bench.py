"""kubectl-inferroute side by side with kubectl, in one run: start-up, completion, commands and
status at 1k, 5k and 10k routes. Prints medians (wall time, peak memory) and ratios to kubectl.

    python benchmarks/bench.py                      # everything (a few minutes)
    python benchmarks/bench.py --sizes 1000 --runs 3
    make bench

The API server is the test suite's fake (benchmarks/fakeserver.py) in its own process; clients
are measured as separate processes, peak memory from the child's rusage. A benchmark, never a
timed test.

The plugin measured is the one a user gets from `pipx install`: this checkout installed (not
editable) into its own venv under build/bench-venv, so no development .pth files or editable
finders of the machine's Python are timed. `--installed` measures the current environment's
console script instead.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KUBECTL = shutil.which("kubectl")
VENV = ROOT / "build" / "bench-venv"
PYTHON = sys.executable  # the interpreter that runs the plugin; main() may point it at VENV
SHADOWING = """
import resource, sys, time
from kubectl_httproute.cli.common import GlobalFlags, open_cluster
from kubectl_httproute.cluster.preflight import _shadowing
from kubectl_httproute.core.model import GATEWAYS
client = open_cluster(GlobalFlags())
gateway = client.get(GATEWAYS, "llm", "inference-gateway")
for listener in gateway["spec"]["listeners"]:  # routes from every namespace may attach
    listener["allowedRoutes"] = {"namespaces": {"from": "All"}}
route = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
         "metadata": {"name": "qwen-pool", "namespace": "llm"},
         "spec": {"parentRefs": [{"name": "inference-gateway"}], "rules": [{"backendRefs": [
             {"group": "inference.networking.k8s.io", "kind": "InferencePool",
              "name": "qwen-pool"}]}]}}
start = time.perf_counter()
_shadowing(client, gateway, route, None)
print(time.perf_counter() - start)
"""


def plugin(*args: str) -> list[str]:
    script = Path(PYTHON).parent / "kubectl-inferroute"
    if script.exists():
        return [str(script), *args]
    return [PYTHON, "-m", "kubectl_httproute", *args]


def install_venv() -> str:
    """This checkout, installed as pipx would (its own venv, not editable, compiled); the venv's
    python. The venv is kept between runs; the package is reinstalled every time."""
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {VENV}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(ROOT)], check=True)
    else:
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--force-reinstall",
                "--no-deps",
                str(ROOT),
            ],
            check=True,
        )
    return str(python)


# One run: wall seconds, peak RSS in MB, CPU seconds (user + system; nan when not measured).
Sample = tuple[float, float, float]


# Each run is started by this small process, not by bench.py itself: Linux keeps the peak
# memory of the process that forks (and of the one a vfork borrows) in the child's ru_maxrss,
# so a child of bench.py, which has read kubectl's megabytes of output, was reported at least
# as large as bench.py (85 MB at 10,000 routes for a run that peaks at 51 MB). This one
# imports nothing: the floor it leaves is python's own, below any plugin run.
RUNNER = """
import os, sys, time
path, cmd = sys.argv[1], sys.argv[2:]
actions = [(os.POSIX_SPAWN_OPEN, 1, path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
           (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
start = time.perf_counter()
pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=actions)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
print(wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status))
"""
OUTPUT_KEPT = 1 << 20  # of a run's output, what bench.py reads back (the tail, if more)


def measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str, float]:
    """(wall seconds, peak RSS in MB, stdout, CPU seconds) of one run of cmd. CPU time is the
    figure to trust on a shared machine: wall time there includes waiting for a core."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out"
        done = subprocess.run(
            [sys.executable, "-c", RUNNER, str(path), *cmd],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        wall, maxrss_kb, cpu, code = done.stdout.split()
        with path.open("rb") as out:
            size = out.seek(0, os.SEEK_END)
            out.seek(max(0, size - OUTPUT_KEPT))
            text = out.read().decode(errors="replace")
    if int(code) not in (0, 3):
        raise SystemExit(f"error: {' '.join(cmd)} failed: {text[-500:]}")
    return float(wall), int(maxrss_kb) / 1024, text, float(cpu)


def sample(cmd: list[str], env: dict[str, str]) -> Sample:
    wall, mem, _, cpu = measure(cmd, env)
    return wall, mem, cpu


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []
        self.notes: list[str] = []  # printed under the table

    def add(
        self,
        what: str,
        ours: list[Sample],
        theirs: list[Sample] | None,
        note: str = "",
    ) -> None:
        wall, cpu, mem = (statistics.median(s[i] for s in ours) for i in (0, 2, 1))
        if theirs:
            k_wall, k_cpu, k_mem = (statistics.median(s[i] for s in theirs) for i in (0, 2, 1))
            ratio = f"{wall / k_wall:.2f}x of {k_wall * 1000:.0f} ms"
            cpu_ratio = f"{cpu / k_cpu:.2f}x of {k_cpu * 1000:.0f} ms" if cpu == cpu else "-"
            mem_ratio = f"{mem / k_mem:.2f}x of {k_mem:.0f} MB"
        else:
            ratio = cpu_ratio = mem_ratio = "-"
        cpu_text = f"{cpu * 1000:.0f} ms" if cpu == cpu else "-"  # nan: not measured
        self.rows.append(
            (
                what,
                f"{wall * 1000:.0f} ms",
                ratio,
                cpu_text,
                cpu_ratio,
                f"{mem:.0f} MB",
                mem_ratio + note,
            )
        )
        print(
            f"  {what}: {self.rows[-1][1]} ({ratio}), CPU {cpu_text} ({cpu_ratio}), "
            f"{mem:.0f} MB ({mem_ratio}){note}",
            file=sys.stderr,
            flush=True,
        )

    def print(self) -> None:
        head: tuple[str, ...] = ("what", "median wall", "vs kubectl", "median CPU", "vs kubectl")
        head += ("peak RSS", "vs kubectl")
        widths = [max(len(r[i]) for r in [head, *self.rows]) for i in range(len(head))]
        for row in [head, tuple("-" * w for w in widths), *self.rows]:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        for note in self.notes:
            print(note)


def runs(cmd: list[str], env: dict[str, str], n: int) -> list[Sample]:
    return [sample(cmd, env) for _ in range(n)]


def paired(
    ours: list[str],
    theirs: list[str] | None,
    env: dict[str, str],
    n: int,
) -> tuple[list[Sample], list[Sample] | None]:
    """Alternate the two commands, so both see the same machine."""
    a: list[Sample] = []
    b: list[Sample] = []
    for _ in range(n):
        a.append(sample(ours, env))
        if theirs:
            b.append(sample(theirs, env))
    return a, (b or None)


@contextmanager
def server(routes: int, home: Path) -> Iterator[dict[str, str]]:
    """The fake API server with `routes` routes; the environment of a client pointed at it."""
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "fakeserver.py"), str(routes)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        config = home / f"kubeconfig-{routes}"
        # Block style, as `kubectl config` (and kind, gcloud, aws) write a kubeconfig.
        config.write_text(
            f"apiVersion: v1\nclusters:\n- cluster:\n    server: {url}\n  name: fake\n"
            "contexts:\n- context:\n    cluster: fake\n    namespace: llm\n    user: admin\n"
            "  name: fake\ncurrent-context: fake\nkind: Config\npreferences: {}\n"
            "users:\n- name: admin\n  user:\n    token: admin-token\n"
        )
        yield {**os.environ, "HOME": str(home), "KUBECONFIG": str(config), "NO_PROXY": "127.0.0.1"}
    finally:
        if proc.stdin:
            proc.stdin.close()
        proc.wait(timeout=30)


def startup(table: Table, env: dict[str, str], n: int) -> None:
    print("start-up", file=sys.stderr)
    kubectl_help = [KUBECTL, "--help"] if KUBECTL else None
    for args in (
        ["--help"],
        ["--version"],
        ["expose", "--help"],
        ["status", "-h"],
        ["completion", "--help"],
    ):
        table.add(f"{' '.join(args)}", *paired(plugin(*args), kubectl_help, env, n))
    for words in (["ex"], ["expose", "--ga"]):
        table.add(
            f"complete {' '.join(words)}",
            *paired(plugin("__complete", *words), kubectl_help, env, n),
            note=" (vs kubectl --help)",
        )
    # `kubectl-inferroute <TAB>` in bash, through the script `completion bash` prints (click's
    # own protocol, answered by click; `kubectl inferroute <TAB>` uses __complete above).
    bash_env = {
        **env,
        "_KUBECTL_INFERROUTE_COMPLETE": "bash_complete",
        "COMP_WORDS": "kubectl-inferroute expose --ga",
        "COMP_CWORD": "2",
    }
    table.add(
        "complete expose --ga (bash script)",
        *paired(plugin(), kubectl_help, bash_env, n),
        note=" (vs kubectl --help)",
    )
    table.add("python -c pass (floor)", runs([PYTHON, "-c", "pass"], env, n), None)


def commands(table: Table, home: Path, n: int) -> None:
    print("commands (a small cluster)", file=sys.stderr)
    with server(100, home) as env:

        def row(what: str, ours: list[str], theirs: list[str], note: str = "") -> None:
            """One command of ours beside kubectl's nearest (without kubectl: ours alone)."""
            kubectl = [KUBECTL, *theirs] if KUBECTL else None
            table.add(what, *paired(plugin(*ours), kubectl, env, n), note=note)

        row(
            "complete status -n team-000 ''",
            ["__complete", "status", "-n", "team-000", ""],
            ["__complete", "get", "httproutes", "-n", "team-000", ""],
        )
        route = home / "route.yaml"
        expose = ["expose", "qwen-pool", "--gateway", "inference-gateway"]
        route.write_text(measure(plugin(*expose, "--dry-run=client", "-o", "yaml"), env)[2])
        apply = ["apply", "--server-side", "--validate=false", "--field-manager", "bench"]
        row(
            "expose --yes --no-wait",
            [*expose, "--yes", "--no-wait", "--no-record"],
            [*apply, "-f", str(route)],
            note=" (vs kubectl apply --server-side; the fake serves no OpenAPI)",
        )
        get_route = ["get", "httproute", "qwen-pool", "-o", "json"]
        row(
            "status qwen-pool",
            ["status", "qwen-pool"],
            get_route,
            note=" (vs kubectl get httproute -o json)",
        )
        row(
            "history qwen-pool",
            ["history", "qwen-pool"],
            get_route,
            note=" (vs kubectl get httproute -o json)",
        )
        # A second revision, then each rollback goes back and forth between the two: a change.
        # kubectl's applies above share the rules (field manager bench): both sides force.
        quiet = ["--yes", "--no-wait", "--no-record", "--force-conflicts"]
        measure(plugin(*expose, "--path", "/v1", *quiet), env)
        row(
            "rollback --yes --no-wait",
            ["rollback", "qwen-pool", *quiet],
            [*apply, "--force-conflicts", "-f", str(route)],
            note=" (vs kubectl apply --server-side --force-conflicts)",
        )
        # The same weight change each run: both sides send it as a server dry-run.
        weights = (
            '{"spec":{"rules":[{"backendRefs":[{"group":"inference.networking.k8s.io",'
            '"kind":"InferencePool","name":"qwen-pool","port":8000,"weight":50}]}]}}'
        )
        row(
            "shift qwen-pool=50 --dry-run=server",
            [
                "shift",
                "qwen-pool",
                "qwen-pool=50",
                "--dry-run=server",
                "--yes",
                "--no-record",
                "--force-conflicts",
            ],
            [
                "patch",
                "httproute",
                "qwen-pool",
                "--type",
                "merge",
                "-p",
                weights,
                "--dry-run=server",
            ],
            note=" (vs kubectl patch --type merge --dry-run=server)",
        )
        # Nothing deleted, so every run finds the route again: both sides dry-run on the server.
        row(
            "delete --dry-run=server --yes",
            ["delete", "qwen-pool", "--dry-run=server", "--yes", "--no-record"],
            ["delete", "httproute", "qwen-pool", "--dry-run=server"],
            note=" (vs kubectl delete --dry-run=server)",
        )
        objects = "httproutes,gateways,inferencepools"
        for graph in ("tree", "dot", "mermaid"):
            row(
                f"status -n team-000 -o {graph}",
                ["status", "-n", "team-000", "-o", graph],
                ["get", objects, "-n", "team-000", "-o", "json"],
                note=f" (vs kubectl get {objects} -o json)",
            )
    unreachable = home / "kubeconfig-unreachable"
    unreachable.write_text(
        "apiVersion: v1\nkind: Config\n"
        "clusters: [{name: x, cluster: {server: 'https://127.0.0.1:9'}}]\n"
        "users: [{name: x, user: {token: t}}]\n"
        "contexts: [{name: x, context: {cluster: x, user: x}}]\ncurrent-context: x\n"
    )
    env = {**os.environ, "HOME": str(home), "KUBECONFIG": str(unreachable)}
    table.add(
        "complete status '' (unreachable)",
        *paired(
            plugin("__complete", "status", ""),
            [KUBECTL, "__complete", "get", "httproutes", ""] if KUBECTL else None,
            env,
            n,
        ),
    )


def krew_bundle(table: Table, bundle: Path, home: Path, n: int) -> None:
    """The krew archive's executable (`make dist`): a PyInstaller bundle with its own Python."""
    print("krew bundle", file=sys.stderr)
    env = {**os.environ, "HOME": str(home)}
    kubectl_help = [KUBECTL, "--help"] if KUBECTL else None
    table.add("krew bundle: --help", *paired([str(bundle), "--help"], kubectl_help, env, n))
    table.add(
        "krew bundle: complete expose --ga",
        *paired([str(bundle), "__complete", "expose", "--ga"], kubectl_help, env, n),
        note=" (vs kubectl --help)",
    )
    with server(100, home) as env:
        table.add(
            "krew bundle: complete status -n team-000 ''",
            *paired(
                [str(bundle), "__complete", "status", "-n", "team-000", ""],
                [KUBECTL, "__complete", "get", "httproutes", "-n", "team-000", ""]
                if KUBECTL
                else None,
                env,
                n,
            ),
        )


def scale(table: Table, home: Path, sizes: list[int], n: int) -> None:
    peaks: dict[str, list[tuple[int, float, float | None]]] = {}
    for size in sizes:
        print(f"{size} routes", file=sys.stderr)
        with server(size, home) as env:
            kubectl = (
                [KUBECTL, "get", "httproutes,gateways,inferencepools", "-A", "-o", "json"]
                if KUBECTL
                else None
            )
            if kubectl:
                measure(kubectl, env)  # kubectl's discovery cache, as on a user's machine
            for what, args in (("status -A -o json", ("-o", "json")), ("status -A", ())):
                ours, theirs = paired(plugin("status", "-A", *args), kubectl, env, n)
                table.add(f"{size} routes: {what}", ours, theirs)
                peaks.setdefault(what, []).append(
                    (size, _median_mem(ours), _median_mem(theirs) if theirs else None)
                )
            checks = [measure([PYTHON, "-c", SHADOWING], env) for _ in range(n)]
            table.add(
                f"{size} routes: shadowing check (in-process)",
                [(float(out), mem, float("nan")) for _, mem, out, _ in checks],
                None,
            )
    for what, points in peaks.items():
        table.notes.extend(growth(what, points))


def _median_mem(samples: list[Sample]) -> float:
    return statistics.median(s[1] for s in samples)


def growth(what: str, points: list[tuple[int, float, float | None]]) -> list[str]:
    """Peak memory added per route from one size to the next: what the plugin keeps per route
    once pages are read one at a time (its summaries), against kubectl's."""
    lines = []
    for (small, ours_a, theirs_a), (large, ours_b, theirs_b) in itertools.pairwise(points):
        per_route = (ours_b - ours_a) * 1024 / (large - small)
        line = f"memory growth per route, {what}, {small}->{large} routes: {per_route:.1f} KB"
        if theirs_a is not None and theirs_b is not None:
            line += f" (kubectl {(theirs_b - theirs_a) * 1024 / (large - small):.1f} KB)"
        lines.append(line)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--runs", type=int, default=5, help="runs per command at scale")
    parser.add_argument("--startup-runs", type=int, default=21)
    parser.add_argument("--skip", default="", help="comma list of startup,commands,scale")
    parser.add_argument(
        "--installed",
        action="store_true",
        help="measure this environment's install, not a fresh venv's",
    )
    parser.add_argument(
        "--bundle", type=Path, help="also measure this krew bundle's executable (make dist; unpack)"
    )
    args = parser.parse_args(argv)
    global PYTHON
    if not args.installed:
        PYTHON = install_venv()
    skip = set(filter(None, args.skip.split(",")))
    table = Table()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        base_env = {**os.environ, "HOME": str(home)}
        if "startup" not in skip:
            startup(table, base_env, args.startup_runs)
        if "commands" not in skip:
            commands(table, home, args.startup_runs)
        if args.bundle:
            krew_bundle(table, args.bundle, home, args.startup_runs)
        if "scale" not in skip:
            scale(table, home, [int(s) for s in args.sizes.split(",")], args.runs)
    print(
        f"kubectl-inferroute: {' '.join(plugin())}; kubectl: {KUBECTL or 'not found'}; "
        f"{os.cpu_count()} CPUs"
    )
    table.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
