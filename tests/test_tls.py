"""HTTPS like a real cluster: the CA from the kubeconfig, client certificates, skip-verify."""

from __future__ import annotations

import base64
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from fakekube import FakeCluster
from fakekube import objects as o
from fakekube.tls import Pki, make_pki

from kubectl_httproute.cli import root

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def https_cluster(pki: Pki) -> Iterator[Any]:
    with FakeCluster(tls=pki) as cluster:
        o.standard_cluster(cluster)
        yield cluster


def b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def kubeconfig(path: Path, cluster: dict[str, Any], user: dict[str, Any]) -> Path:
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "kind", "cluster": cluster}],
                "users": [{"name": "kind-admin", "user": user}],
                "contexts": [
                    {
                        "name": "kind",
                        "context": {"cluster": "kind", "user": "kind-admin", "namespace": "llm"},
                    }
                ],
                "current-context": "kind",
            }
        )
    )
    return path


def server_dry_run(path: Path) -> Any:
    return CliRunner().invoke(
        root,
        [
            "--kubeconfig",
            str(path),
            "expose",
            "qwen-pool",
            "--gateway",
            "inference-gateway",
            "--dry-run=server",
            "-o",
            "yaml",
        ],
    )


def test_client_certificates_embedded_like_kind_authenticate(
    https_cluster: Any, pki: Pki, tmp_path: Path
) -> None:
    path = kubeconfig(
        tmp_path / "kc",
        {"server": https_cluster.url, "certificate-authority-data": b64(pki.ca_cert)},
        {"client-certificate-data": b64(pki.client_cert), "client-key-data": b64(pki.client_key)},
    )
    result = server_dry_run(path)
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.stdout)["kind"] == "HTTPRoute"
    assert {r.user for r in https_cluster.requests} == {pki.client_user}


def test_certificate_files_relative_to_the_kubeconfig_work(
    https_cluster: Any, pki: Pki, tmp_path: Path
) -> None:
    for source in (pki.ca_cert, pki.client_cert, pki.client_key):
        shutil.copy(source, tmp_path / source.name)
    path = kubeconfig(
        tmp_path / "kc",
        {"server": https_cluster.url, "certificate-authority": pki.ca_cert.name},
        {"client-certificate": pki.client_cert.name, "client-key": pki.client_key.name},
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(elsewhere)
        result = server_dry_run(path)
    assert result.exit_code == 0, result.output


def test_a_token_over_https_with_the_ca(https_cluster: Any, pki: Pki, tmp_path: Path) -> None:
    path = kubeconfig(
        tmp_path / "kc",
        {"server": https_cluster.url, "certificate-authority-data": b64(pki.ca_cert)},
        {"token": "admin-token"},
    )
    result = server_dry_run(path)
    assert result.exit_code == 0, result.output
    assert {r.user for r in https_cluster.requests} == {"admin"}


def test_an_unknown_ca_fails_in_one_line(https_cluster: Any, tmp_path: Path) -> None:
    path = kubeconfig(tmp_path / "kc", {"server": https_cluster.url}, {"token": "admin-token"})
    result = server_dry_run(path)
    assert result.exit_code == 1
    assert "TLS" in result.output
    assert "certificate-authority" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_insecure_skip_tls_verify_connects_without_the_ca(
    https_cluster: Any, tmp_path: Path
) -> None:
    path = kubeconfig(
        tmp_path / "kc",
        {"server": https_cluster.url, "insecure-skip-tls-verify": True},
        {"token": "admin-token"},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # urllib3's InsecureRequestWarning would fail the run
        result = server_dry_run(path)
    assert result.exit_code == 0, result.output
