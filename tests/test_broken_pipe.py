"""`kubectl inferroute status -A -o json | head` stops quietly, as kubectl does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import write_kubeconfig
from fakekube import FakeCluster
from fakekube.objects import httproute, standard_cluster


def test_a_reader_that_stops_early_gets_no_error_line(tmp_path: Path) -> None:
    with FakeCluster() as fake:
        standard_cluster(fake)
        for i in range(400):  # far more JSON than a pipe holds
            fake.add(httproute(f"route-{i:04d}", "llm", pool=f"pool-{i}"))
        config = write_kubeconfig(tmp_path / "kubeconfig", fake.url)
        env = {**os.environ, "KUBECONFIG": str(config), "NO_PROXY": "127.0.0.1"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "kubectl_httproute", "status", "-A", "-o", "json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()  # as `head -1` does
        errors = proc.stderr.read().decode()
        code = proc.wait(timeout=60)

    assert first.startswith(b"{")
    assert errors == ""
    assert code == 141  # 128 + SIGPIPE, what a shell sees of kubectl | head
