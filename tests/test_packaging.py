"""Packaging: krew manifests that krew-index accepts, an archive that installs and runs the way
krew installs it, a pip install into a clean venv, a real LICENSE and a CHANGELOG entry."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubectl_httproute import __version__

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import gen_manifest  # noqa: E402
import release_info  # noqa: E402

# The autouse fixture moves HOME; keep pip's download cache where it really is.
PIP_CACHE = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")
KUBECTL = shutil.which("kubectl")

# krew's own rules (internal/index/validation/validate.go), plus the semver it parses.
SAFE_PLUGIN_NAME = re.compile(r"^[\w-]+$")
SEMVER = re.compile(
    r"^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$"
)
SHA256 = re.compile(r"^[a-f0-9]{64}$")


def krew_problems(manifest: dict[str, Any], file_name: str) -> list[str]:
    """What krew-index's validation would reject in this manifest, named as in file_name."""
    problems = []
    name = file_name.removesuffix(".yaml")
    spec = manifest.get("spec") or {}
    if manifest.get("apiVersion") != "krew.googlecontainertools.github.com/v1alpha2":
        problems.append(f"apiVersion {manifest.get('apiVersion')!r}")
    if manifest.get("kind") != "Plugin":
        problems.append(f"kind {manifest.get('kind')!r}")
    if not SAFE_PLUGIN_NAME.match(name):
        problems.append(f"plugin name {name!r} is not allowed")
    if (manifest.get("metadata") or {}).get("name") != name:
        problems.append(f"metadata.name is not {name!r}")
    if not SEMVER.match(str(spec.get("version", ""))):
        problems.append(f"version {spec.get('version')!r} is not semver with a v")
    short = spec.get("shortDescription") or ""
    if not short or "\n" in short or "\r" in short:
        problems.append("shortDescription must be one non-empty line")
    for field in ("homepage", "description", "caveats"):
        if not str(spec.get(field) or "").strip():
            problems.append(f"{field} is empty")
    platforms = spec.get("platforms") or []
    if not platforms:
        problems.append("no platforms")
    for index, platform in enumerate(platforms):
        where = f"platforms[{index}]"
        uri = platform.get("uri") or ""
        if not uri.startswith("https://") or not uri.endswith((".tar.gz", ".zip")):
            problems.append(f"{where}.uri {uri!r}")
        if not SHA256.match(str(platform.get("sha256", ""))):
            problems.append(f"{where}.sha256 is not 64 lowercase hex")
        if not platform.get("bin"):
            problems.append(f"{where}.bin is not set")
        labels = ((platform.get("selector") or {}).get("matchLabels")) or {}
        if not labels or set(labels) - {"os", "arch"}:
            problems.append(f"{where}.selector must be non-empty matchLabels of os/arch")
    return problems


def test_the_top_level_krew_manifest_is_valid_for_krew_index() -> None:
    manifest = yaml.safe_load((ROOT / "krew-manifest.yaml").read_text())

    assert krew_problems(manifest, "inferroute.yaml") == []
    assert manifest["spec"]["version"] == f"v{__version__}"


def test_the_top_level_manifest_lists_the_four_platforms_with_uris_of_this_version() -> None:
    platforms = yaml.safe_load((ROOT / "krew-manifest.yaml").read_text())["spec"]["platforms"]

    found = [
        (p["selector"]["matchLabels"]["os"], p["selector"]["matchLabels"]["arch"])
        for p in platforms
    ]
    assert found == list(release_info.PLATFORMS)
    for platform, (os_name, arch) in zip(platforms, found, strict=True):
        assert platform["uri"] == release_info.archive_uri(__version__, os_name, arch)
        assert platform["bin"] == "kubectl-inferroute/kubectl-inferroute"
    real = [p for p in platforms if p["sha256"] != gen_manifest.PLACEHOLDER_SHA256]
    assert real, "at least the platform it was generated on carries a real sha256"


def test_the_manifest_text_is_what_the_generator_writes_for_its_values() -> None:
    text = (ROOT / "krew-manifest.yaml").read_text()
    version, shas = gen_manifest.read_shas(ROOT / "krew-manifest.yaml")

    assert version == __version__
    assert text == gen_manifest.render_manifest(
        __version__, shas, note=gen_manifest.TOP_LEVEL_NOTE
    ), "edit scripts/gen_manifest.py, then run `make manifest`"


def test_the_version_is_the_same_everywhere() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()

    assert f'version = "{__version__}"' in pyproject
    assert release_info.read_version() == __version__
    assert re.search(
        rf"^## \[?{re.escape(__version__)}\]?", (ROOT / "CHANGELOG.md").read_text(), re.M
    )


def test_license_is_the_apache_2_0_text() -> None:
    text = (ROOT / "LICENSE").read_text()

    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    assert "APPENDIX: How to apply the Apache License to your work." in text
    assert hashlib.md5(text.encode()).hexdigest() == "3b83ef96387f14655fc854ddc3c6bd57"


def test_archive_names_follow_version_os_and_arch() -> None:
    name = release_info.archive_name("1.2.3", "darwin", "arm64")

    assert name == "kubectl-inferroute_v1.2.3_darwin_arm64.tar.gz"
    assert release_info.ARCHIVE_PATTERN.match(name)
    assert release_info.archive_uri("1.2.3", "linux", "amd64").endswith(
        "/releases/download/v1.2.3/kubectl-inferroute_v1.2.3_linux_amd64.tar.gz"
    )


# --- the release archive (slow: PyInstaller, cached under build/) ------------------------------


@pytest.fixture(scope="session")
def built_archive() -> Path:
    """`make dist`'s archive for this platform, built once per session (cached across runs)."""
    env = {**os.environ, "PIP_CACHE_DIR": PIP_CACHE}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_dist.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    archive = Path(done.stdout.strip().splitlines()[-1])
    print(f"build_dist: {time.monotonic() - started:.0f}s, {archive.stat().st_size / 1e6:.1f} MB")
    return archive


@pytest.fixture(scope="session")
def krew_install(built_archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install like krew: unpack into a store directory, link `bin` into an otherwise empty dir."""
    store = tmp_path_factory.mktemp("store")
    with tarfile.open(built_archive) as tar:
        tar.extractall(store, filter="data")
    bindir = tmp_path_factory.mktemp("krewbin")
    (bindir / "kubectl-inferroute").symlink_to(store / release_info.BIN)
    return bindir


def run_installed(bindir: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    """Run with an empty environment: only PATH (our link, then the system's), as `env -i`."""
    return subprocess.run(
        list(args),
        env={"PATH": f"{bindir}:/usr/bin:/bin", **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
@pytest.mark.timeout(900)  # the first one builds the bundle (about 100 s from a clean clone)
def test_the_built_manifest_carries_the_archive_sha256_and_uri(built_archive: Path) -> None:
    manifest_path = built_archive.parent / "inferroute.yaml"
    manifest = yaml.safe_load(manifest_path.read_text())
    os_name, arch = release_info.host_platform()

    assert krew_problems(manifest, manifest_path.name) == []
    [platform] = manifest["spec"]["platforms"]
    assert platform["selector"]["matchLabels"] == {"os": os_name, "arch": arch}
    assert platform["sha256"] == hashlib.sha256(built_archive.read_bytes()).hexdigest()
    assert platform["uri"].endswith(f"/v{__version__}/{built_archive.name}")
    assert built_archive.name == f"kubectl-inferroute_v{__version__}_{os_name}_{arch}.tar.gz"


@pytest.mark.slow
@pytest.mark.timeout(900)  # the first one builds the bundle (about 100 s from a clean clone)
def test_the_archive_holds_the_bin_and_the_license(built_archive: Path) -> None:
    with tarfile.open(built_archive) as tar:
        members = {m.name: m for m in tar.getmembers()}

    assert "LICENSE" in members
    bin_entry = members[release_info.BIN]
    assert bin_entry.isfile() and bin_entry.mode & 0o111
    assert all(not name.startswith(("/", "..")) for name in members)


@pytest.mark.slow
@pytest.mark.timeout(900)  # the first one builds the bundle (about 100 s from a clean clone)
def test_the_bundle_starts_without_pyinstallers_unused_runtime_hooks(built_archive: Path) -> None:
    """The executable's archive names the scripts it runs at start: our entry point, and not the
    runtime hooks for inspect, multiprocessing and pkgutil (~75 ms of every start)."""
    with tarfile.open(built_archive) as tar:
        member = tar.extractfile(release_info.BIN)
        assert member is not None
        executable = member.read()

    assert b"pyinstaller_entry" in executable
    for hook in (b"pyi_rth_inspect", b"pyi_rth_multiprocessing", b"pyi_rth_pkgutil"):
        assert hook not in executable


@pytest.mark.slow
@pytest.mark.timeout(900)  # the first one builds the bundle (about 100 s from a clean clone)
def test_the_installed_archive_runs_without_python_packages(krew_install: Path) -> None:
    version = run_installed(krew_install, "kubectl-inferroute", "--version")

    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"kubectl-inferroute {__version__}"

    preview = run_installed(
        krew_install,
        "kubectl-inferroute",
        "expose",
        "qwen-pool",
        "--gateway",
        "g",
        "-n",
        "llm",
        "--dry-run=client",
        "-o",
        "yaml",
    )
    assert preview.returncode == 0, preview.stderr
    route = yaml.safe_load(preview.stdout)
    assert route["kind"] == "HTTPRoute"
    assert route["spec"]["rules"][0]["backendRefs"][0]["name"] == "qwen-pool"


@pytest.mark.slow
@pytest.mark.timeout(900)  # the first one builds the bundle (about 100 s from a clean clone)
@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH")
def test_kubectl_finds_and_runs_the_installed_plugin(krew_install: Path) -> None:
    help_run = run_installed(krew_install, "kubectl", "inferroute", "--help")

    assert help_run.returncode == 0, help_run.stderr
    assert "Usage: kubectl inferroute" in help_run.stdout
    assert "expose" in help_run.stdout

    listing = run_installed(krew_install, "kubectl", "plugin", "list")
    assert str(krew_install / "kubectl-inferroute") in listing.stdout
    assert "warning" not in listing.stderr.lower()


@pytest.mark.slow
@pytest.mark.timeout(900)  # the first one builds the bundle (about 100 s from a clean clone)
@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH")
def test_kubectl_completes_the_plugin_through_the_written_completer(krew_install: Path) -> None:
    script = run_installed(krew_install, "kubectl-inferroute", "completion", "kubectl")
    completer = krew_install / "kubectl_complete-inferroute"
    completer.write_text(script.stdout)
    completer.chmod(0o755)

    offered = run_installed(krew_install, "kubectl", "__complete", "inferroute", "ex")

    assert offered.returncode == 0, offered.stderr
    assert offered.stdout.splitlines()[0].startswith("expose\t")


@pytest.mark.slow
@pytest.mark.timeout(900)  # the first one builds the bundle (about 100 s from a clean clone)
def test_the_bundle_talks_to_a_cluster(krew_install: Path, kubeconfig: Path) -> None:
    """The lazily imported Kubernetes client is in the bundle, too."""
    done = run_installed(
        krew_install,
        "kubectl-inferroute",
        "expose",
        "qwen-pool",
        "--gateway",
        "inference-gateway",
        "--dry-run=server",
        "-o",
        "yaml",
        env={"KUBECONFIG": str(kubeconfig), "NO_PROXY": "127.0.0.1"},
    )

    assert done.returncode == 0, done.stderr
    assert yaml.safe_load(done.stdout)["metadata"]["namespace"] == "llm"


@pytest.mark.slow
@pytest.mark.timeout(900)  # the first one builds the bundle (about 100 s from a clean clone)
def test_the_bundle_prints_kubectls_jsonpath(krew_install: Path) -> None:
    """The lazily imported JSONPath library, with the parse tables it imports by name, is in the
    bundle too."""
    done = run_installed(
        krew_install,
        "kubectl-inferroute",
        "expose",
        "qwen-pool",
        "--gateway=g",
        "-nllm",
        "--dry-run=client",
        "-ojsonpath={.metadata.namespace} {.spec.rules[?(@.matches)].backendRefs[*].name}",
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout == "llm qwen-pool"


# --- pip / pipx -------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(900)  # the first one builds the bundle (about 100 s from a clean clone)
def test_pip_installs_the_checkout_into_a_clean_venv(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    env = {**os.environ, "PIP_CACHE_DIR": PIP_CACHE, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}

    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(ROOT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert installed.returncode == 0, installed.stderr[-3000:]
    version = subprocess.run(
        [str(venv / "bin" / "kubectl-inferroute"), "--version"], capture_output=True, text=True
    )
    assert version.stdout.strip() == f"kubectl-inferroute {__version__}"
    completer = subprocess.run(
        [str(venv / "bin" / "kubectl_complete-inferroute"), "ex"], capture_output=True, text=True
    )
    assert completer.stdout.startswith("expose\t")


def fake_archives(directory: Path, platforms: Any) -> list[Path]:
    paths = []
    for os_name, arch in platforms:
        path = directory / release_info.archive_name(__version__, os_name, arch)
        path.write_bytes(f"{os_name}/{arch}".encode())
        paths.append(path)
    return paths


def test_the_release_manifest_has_every_platforms_real_sha256(tmp_path: Path) -> None:
    archives = fake_archives(tmp_path, release_info.PLATFORMS)
    out = tmp_path / "inferroute.yaml"

    assert gen_manifest.main(["--require-all", "--out", str(out), *map(str, archives)]) == 0

    manifest = yaml.safe_load(out.read_text())
    assert krew_problems(manifest, out.name) == []
    shas = [p["sha256"] for p in manifest["spec"]["platforms"]]
    assert shas == [hashlib.sha256(a.read_bytes()).hexdigest() for a in archives]


def test_the_release_manifest_refuses_a_missing_platform(tmp_path: Path) -> None:
    archives = fake_archives(tmp_path, release_info.PLATFORMS[:3])

    with pytest.raises(SystemExit, match="no archive for darwin/arm64"):
        gen_manifest.main(["--require-all", "--out", str(tmp_path / "m.yaml"), *map(str, archives)])


def test_updating_keeps_same_version_shas_and_fills_the_rest_with_placeholders(
    tmp_path: Path,
) -> None:
    target = tmp_path / "krew-manifest.yaml"
    [linux] = fake_archives(tmp_path, [("linux", "amd64")])
    gen_manifest.update_manifest(target, __version__, [linux])
    [darwin] = fake_archives(tmp_path, [("darwin", "arm64")])

    gen_manifest.update_manifest(target, __version__, [darwin])

    version, shas = gen_manifest.read_shas(target)
    assert version == __version__
    assert shas[("linux", "amd64")] == hashlib.sha256(linux.read_bytes()).hexdigest()
    assert shas[("darwin", "arm64")] == hashlib.sha256(darwin.read_bytes()).hexdigest()
    assert shas[("linux", "arm64")] == gen_manifest.PLACEHOLDER_SHA256
    assert krew_problems(yaml.safe_load(target.read_text()), "inferroute.yaml") == []
