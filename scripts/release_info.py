"""Facts about a release, in one place: version, platform names, archive names, download URIs.

Standard library only: `make dist` runs these scripts with nothing but python3 and pip.
"""

from __future__ import annotations

import platform
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Where releases are published. The only place the GitHub organisation is named: change it here
# (and in the README's links) when the repository moves.
GITHUB_REPO = "llm-d-incubation/kubectl-inferroute"
HOMEPAGE = f"https://github.com/{GITHUB_REPO}"

PLUGIN_NAME = "inferroute"  # `kubectl inferroute`; the krew manifest's metadata.name
EXECUTABLE = "kubectl-inferroute"
# The krew `bin`: the PyInstaller one-dir bundle's executable, inside its directory.
BIN = f"{EXECUTABLE}/{EXECUTABLE}"
COMPLETER = "kubectl_complete-inferroute"

# The four platforms the release workflow builds, in manifest order.
PLATFORMS = (("linux", "amd64"), ("linux", "arm64"), ("darwin", "amd64"), ("darwin", "arm64"))

ARCHIVE_PATTERN = re.compile(
    rf"^{EXECUTABLE}_v(?P<version>[0-9][^_]*)_(?P<os>[a-z]+)_(?P<arch>[a-z0-9]+)\.tar\.gz$"
)


def read_version(root: Path = ROOT) -> str:
    """The package version: `__version__`, which must equal pyproject.toml's."""
    init = (root / "kubectl_httproute" / "__init__.py").read_text()
    match = re.search(r'^__version__ = "([^"]+)"', init, re.M)
    pyproject = (root / "pyproject.toml").read_text()
    declared = re.search(r'^version = "([^"]+)"', pyproject, re.M)
    if not match or not declared:
        raise SystemExit("error: cannot find the version in __init__.py and pyproject.toml")
    if match.group(1) != declared.group(1):
        raise SystemExit(
            f"error: __version__ {match.group(1)} differs from pyproject.toml's "
            f"{declared.group(1)}; make them equal"
        )
    return match.group(1)


def host_platform() -> tuple[str, str]:
    """This machine as krew names it: (os, arch), e.g. ("linux", "amd64")."""
    system = platform.system().lower()
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine)
    if system not in ("linux", "darwin") or arch is None:
        raise SystemExit(f"error: no release build for {system}/{machine}")
    return system, arch


def archive_name(version: str, os_name: str, arch: str) -> str:
    return f"{EXECUTABLE}_v{version}_{os_name}_{arch}.tar.gz"


def archive_uri(version: str, os_name: str, arch: str) -> str:
    return f"{HOMEPAGE}/releases/download/v{version}/{archive_name(version, os_name, arch)}"
