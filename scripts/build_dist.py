"""`make dist`: the krew archive for this platform and its manifest, from a clean checkout.

Needs only python3 and pip. Steps, each cached under build/ and redone only when its inputs change:

1. a build venv (build/venv) with PyInstaller and the plugin's runtime dependencies;
2. a PyInstaller one-dir bundle (build/pyinstaller/dist/kubectl-inferroute/): the Python runtime,
   the dependencies and the plugin, so users need no Python at all;
3. dist/kubectl-inferroute_v<version>_<os>_<arch>.tar.gz holding that directory (its executable
   is the krew `bin`) and LICENSE; its entries are sorted and
   carry no owner or time, so the same bundle gives the same sha256;
4. dist/inferroute.yaml: the krew manifest for this version with this platform's real
   sha256 and uri.
"""

from __future__ import annotations

import argparse
import fcntl
import gzip
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_manifest import write_manifest
from release_info import (
    EXECUTABLE,
    ROOT,
    archive_name,
    host_platform,
    read_version,
)

PYINSTALLER = "pyinstaller>=6.0,<7"
BUILD = ROOT / "build"
VENV = BUILD / "venv"
PYI = BUILD / "pyinstaller"
STAMP = ".inferroute-build-key"
SPEC = ROOT / "scripts" / "kubectl-inferroute.spec"  # what goes in the bundle, and how


def log(text: str) -> None:
    print(f"dist: {text}", file=sys.stderr, flush=True)


def runtime_dependencies() -> list[str]:
    """pyproject.toml's [project] dependencies (read without tomllib: Python 3.10 lacks it)."""
    text = (ROOT / "pyproject.toml").read_text()
    block = re.search(r"^dependencies = \[(.*?)^\]", text, re.M | re.S)
    if not block:
        raise SystemExit("error: no dependencies list in pyproject.toml")
    return re.findall(r'"([^"]+)"', block.group(1))


def digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_build_venv() -> str:
    """build/venv with PyInstaller and the runtime dependencies; returns its key."""
    deps = [PYINSTALLER, *runtime_dependencies()]
    key = digest(sys.version.encode(), "\n".join(deps).encode())
    stamp = VENV / STAMP
    if stamp.exists() and stamp.read_text() == key and venv_python().exists():
        return key
    log(f"creating the build venv {VENV.relative_to(ROOT)} ({', '.join(deps)})")
    shutil.rmtree(VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run(
        [str(venv_python()), "-m", "pip", "install", "--quiet", "--no-input", *deps],
        check=True,
    )
    stamp.write_text(key)
    return key


def source_key(venv_key: str) -> str:
    """Everything the bundle is made of: the plugin's sources, the entry point, this script."""
    files = sorted((ROOT / "kubectl_httproute").rglob("*.py"))
    files += [Path(__file__).resolve(), ROOT / "scripts" / "pyinstaller_entry.py", SPEC]
    parts = [venv_key.encode()]
    for path in files:
        parts.append(str(path.relative_to(ROOT)).encode())
        parts.append(path.read_bytes())
    return digest(*parts)


def ensure_bundle(venv_key: str) -> Path:
    """The PyInstaller one-dir bundle; rebuilt only when its sources changed."""
    key = source_key(venv_key)
    bundle = PYI / "dist" / EXECUTABLE
    stamp = PYI / STAMP
    if stamp.exists() and stamp.read_text() == key and (bundle / EXECUTABLE).exists():
        log(f"bundle up to date: {bundle.relative_to(ROOT)}")
        return bundle
    log("bundling with PyInstaller (about a minute)")
    shutil.rmtree(PYI, ignore_errors=True)
    started = time.monotonic()
    subprocess.run(
        [
            str(venv_python()),
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--distpath",
            str(PYI / "dist"),
            "--workpath",
            str(PYI / "work"),
            "--log-level",
            "WARN",
            str(SPEC),
        ],
        check=True,
        cwd=ROOT,
    )
    stamp.write_text(key)
    log(f"bundled in {time.monotonic() - started:.0f}s")
    return bundle


def _tar_info(
    name: str, *, mode: int, size: int = 0, kind: bytes = tarfile.REGTYPE
) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.size = size
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def write_archive(bundle: Path, target: Path) -> None:
    """The tar.gz krew unpacks: the bundle directory and LICENSE; byte-identical per bundle."""
    members: list[tuple[str, Path | bytes]] = [("LICENSE", ROOT / "LICENSE")]
    for path in sorted(bundle.rglob("*")):
        members.append((f"{EXECUTABLE}/{path.relative_to(bundle).as_posix()}", path))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, source in sorted(members, key=lambda m: m[0]):
            if isinstance(source, bytes):
                tar.addfile(_tar_info(name, mode=0o755, size=len(source)), io.BytesIO(source))
            elif source.is_symlink():
                info = _tar_info(name, mode=0o777, kind=tarfile.SYMTYPE)
                info.linkname = os.readlink(source)
                tar.addfile(info)
            elif source.is_dir():
                tar.addfile(_tar_info(name + "/", mode=0o755, kind=tarfile.DIRTYPE))
            else:
                mode = 0o755 if os.access(source, os.X_OK) else 0o644
                data = source.read_bytes()
                tar.addfile(_tar_info(name, mode=mode, size=len(data)), io.BytesIO(data))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with (
        open(partial, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz,
    ):
        gz.write(buffer.getvalue())
    partial.replace(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output directory")
    args = parser.parse_args(argv)

    version = read_version()
    os_name, arch = host_platform()
    if not (ROOT / "LICENSE").exists():
        raise SystemExit("error: LICENSE is missing; the archive must carry it")
    BUILD.mkdir(exist_ok=True)
    with open(BUILD / ".lock", "w") as lock:
        # Several builds at once (parallel test sessions) would overwrite each other's bundle.
        fcntl.flock(lock, fcntl.LOCK_EX)
        bundle = ensure_bundle(ensure_build_venv())
        archive = args.out / archive_name(version, os_name, arch)
        write_archive(bundle, archive)
        manifest = args.out / "inferroute.yaml"
        write_manifest(manifest, version, [archive])
    size = archive.stat().st_size / 1e6
    log(f"wrote {archive} ({size:.1f} MB) and {manifest}")
    print(archive)
    return 0


if __name__ == "__main__":
    sys.exit(main())
