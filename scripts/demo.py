"""A demo cluster to try kubectl-inferroute on, without a cluster: `make demo` runs this.

    python scripts/demo.py [--dir DIR]           serve until Ctrl-C or SIGTERM
    python scripts/demo.py [--dir DIR] --stop    stop the demo serving from DIR (make demo-stop)

It starts the test suite's fake Kubernetes API server (tests/fakekube) and its gateway controller
simulator on 127.0.0.1, seeds namespace `llm` with a Gateway (`inference-gateway`, class
`example`) and two InferencePools (`qwen-pool`, `llama-pool`), each with ready model-server pods
and its endpoint-picker Service, writes DIR/kubeconfig and prints the `export KUBECONFIG=...`
line. The Gateway's address is a small stand-in data plane on 127.0.0.1: it answers
`GET /v1/models` and `POST /v1/completions` for the pools that an Accepted HTTPRoute on the
Gateway sends traffic to, so `status ROUTE --probe` works too. The fake server is test code:
this script lives outside the package and is not installed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "build" / "demo"
NAMESPACE = "llm"
GATEWAY = "inference-gateway"
GATEWAY_GROUP = "gateway.networking.k8s.io"
# pool → (pod label app=..., model it serves, model-server pods)
POOLS = {
    "qwen-pool": ("qwen", "Qwen/Qwen3-8B", 2),
    "llama-pool": ("llama", "meta-llama/Llama-3.1-8B-Instruct", 1),
}
TOKEN = "demo-token"
GATEWAY_PORT = 8080


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="kubeconfig and pid file")
    parser.add_argument("--stop", action="store_true", help="stop the demo serving from --dir")
    args = parser.parse_args(argv)
    directory: Path = args.dir.resolve()
    if args.stop:
        return stop(directory)
    return serve(directory)


# --- stop ---------------------------------------------------------------------------------------


def running_pid(directory: Path) -> int | None:
    """The pid of the demo serving from directory, or None (a stale pid file is removed)."""
    pid_file = directory / "demo.pid"
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        pid_file.unlink(missing_ok=True)
        return None
    return pid


def stop(directory: Path) -> int:
    pid = running_pid(directory)
    if pid is None:
        print(f"no demo is running from {directory}")
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            print(f"demo stopped (pid {pid})")
            return 0
        time.sleep(0.05)
    print(f"demo (pid {pid}) did not stop within 10s; kill -9 {pid}", file=sys.stderr)
    return 1


# --- serve --------------------------------------------------------------------------------------


def serve(directory: Path) -> int:
    sys.path.insert(0, str(ROOT / "tests"))
    from fakekube import ControllerSim, FakeCluster

    directory.mkdir(parents=True, exist_ok=True)
    other = running_pid(directory)
    if other is not None:
        print(
            f"a demo is already running from {directory} (pid {other}); stop it with "
            f"`make demo-stop` or `kill {other}`",
            file=sys.stderr,
        )
        return 1

    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: stopping.set())

    data_plane = start_data_plane()
    data_plane.daemon_threads = True
    cluster = FakeCluster()
    # kubectl sends no bearer token over plain http: let it in too, for `kubectl get ...`.
    cluster.anonymous_user = "admin"
    cluster.tokens[TOKEN] = "admin"
    cluster.start()
    DataPlane.cluster = cluster
    threads = [threading.Thread(target=data_plane.serve_forever, kwargs={"poll_interval": 0.1})]
    controller = ControllerSim(cluster, delay=0.3, record_events=True)  # status ROUTE shows them
    kubeconfig = directory / "kubeconfig"
    pid_file = directory / "demo.pid"
    try:
        seed(cluster, data_plane.server_address[1])
        for thread in threads:
            thread.start()
        controller.start()
        write_kubeconfig(kubeconfig, cluster.url)
        pid_file.write_text(f"{os.getpid()}\n")
        print_banner(cluster.url, kubeconfig, data_plane.server_address[1])
        while not stopping.wait(0.2):
            pass
    finally:
        controller.stop()
        data_plane.shutdown()
        data_plane.server_close()
        cluster.stop()
        for thread in threads:
            thread.join(timeout=5)
        pid_file.unlink(missing_ok=True)
        kubeconfig.unlink(missing_ok=True)
    print("demo stopped", flush=True)
    return 0


def start_data_plane() -> ThreadingHTTPServer:
    """The Gateway's address: 127.0.0.1:8080 when free (the same output every run), else any."""
    try:
        return ThreadingHTTPServer(("127.0.0.1", GATEWAY_PORT), DataPlane)
    except OSError:
        return ThreadingHTTPServer(("127.0.0.1", 0), DataPlane)


def seed(cluster: Any, gateway_port: int) -> None:
    from fakekube import objects as o

    cluster.add(o.namespace(NAMESPACE))
    cluster.add(o.gateway_class("example"))
    cluster.add(o.gateway(GATEWAY, NAMESPACE, "example", [o.listener("http", port=gateway_port)]))
    ip = 10
    for pool, (app, _, replicas) in POOLS.items():
        cluster.add(o.pool_v1(pool, NAMESPACE, selector={"app": app}))
        epp = f"{pool}-epp"
        cluster.add(o.service(epp, NAMESPACE, [9002], selector={"app": epp}))
        cluster.add(o.pod(f"{epp}-0", NAMESPACE, {"app": epp}, port=9002, ip=f"10.244.0.{ip}"))
        for n in range(replicas):
            ip += 1
            cluster.add(o.pod(f"{app}-{n}", NAMESPACE, {"app": app}, ip=f"10.244.0.{ip}"))
        ip += 1


def write_kubeconfig(path: Path, server: str) -> None:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "inferroute-demo", "cluster": {"server": server}}],
        "users": [{"name": "demo-admin", "user": {"token": TOKEN}}],
        "contexts": [
            {
                "name": "inferroute-demo",
                "context": {
                    "cluster": "inferroute-demo",
                    "user": "demo-admin",
                    "namespace": NAMESPACE,
                },
            }
        ],
        "current-context": "inferroute-demo",
    }
    # JSON is YAML: no dependency needed to write it. Private: it holds a (demo) token.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(config, handle, indent=2)
        handle.write("\n")


def print_banner(server: str, kubeconfig: Path, gateway_port: int) -> None:
    pools = " and ".join(f"{NAMESPACE}/{pool}" for pool in POOLS)
    lines = [
        f"Demo cluster: API server {server}, Gateway {NAMESPACE}/{GATEWAY} "
        f"(address 127.0.0.1:{gateway_port}), InferencePools {pools}.",
        "",
        "In another terminal:",
        f"  export KUBECONFIG={kubeconfig}",
    ]
    if shutil.which("kubectl-inferroute") is None:
        # Not installed on PATH: the venv that runs this demo has it (make demo), else bin/.
        scripts = Path(sys.executable).parent
        where = scripts if (scripts / "kubectl-inferroute").exists() else ROOT / "bin"
        lines.append(f'  export PATH="{where}:$PATH"')
    command = "kubectl inferroute" if shutil.which("kubectl") else "kubectl-inferroute"
    lines += [
        f"  {command} expose qwen-pool --gateway {GATEWAY}",
        f"  {command} status",
        "",
        f"Stop it with Ctrl-C here, `make demo-stop`, or `kill {os.getpid()}`.",
    ]
    print("\n".join(lines), flush=True)


# --- the Gateway's stand-in data plane ---------------------------------------------------------


class DataPlane(BaseHTTPRequestHandler):
    """Answers like a model server behind the Gateway, for the pools Accepted routes reach."""

    cluster: Any = None
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        models = routed_models(self.cluster)
        if self.path.split("?")[0].endswith("/v1/models") and models:
            data = [{"id": m, "object": "model", "owned_by": "demo"} for m in models]
            self.reply(200, {"object": "list", "data": data})
        else:
            self.reply(404, {"error": "no route matches the request"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            model = json.loads(self.rfile.read(length) or b"{}").get("model")
        except (ValueError, AttributeError):
            model = None
        if not self.path.endswith("/v1/completions") or model not in routed_models(self.cluster):
            self.reply(404, {"error": "no route matches the request"})
            return
        choice = {"index": 0, "text": " Hello", "finish_reason": "length"}
        self.reply(200, {"object": "text_completion", "model": model, "choices": [choice]})

    def reply(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def routed_models(cluster: Any) -> list[str]:
    """The models of the pools that some HTTPRoute the Gateway Accepted sends traffic to."""
    models = []
    for route in cluster.list(f"{GATEWAY_GROUP}/v1", "HTTPRoute"):
        parents = (route.get("status") or {}).get("parents") or []
        accepted = any(
            p.get("parentRef", {}).get("name") == GATEWAY
            and any(
                c.get("type") == "Accepted" and c.get("status") == "True"
                for c in p.get("conditions") or []
            )
            for p in parents
        )
        if not accepted or route["metadata"].get("namespace") != NAMESPACE:
            continue
        for rule in route["spec"].get("rules") or []:
            for ref in rule.get("backendRefs") or []:
                if ref.get("kind") == "InferencePool" and ref.get("name") in POOLS:
                    models.append(POOLS[ref["name"]][1])
    return sorted(set(models))


if __name__ == "__main__":
    sys.exit(main())
