"""Write the krew plugin manifest (inferroute.yaml) for release archives.

    gen_manifest.py --out dist/inferroute.yaml dist/*.tar.gz
        a manifest with one platform per archive given, each with its real sha256 and uri
        (the release workflow passes all four archives);
    gen_manifest.py --update krew-manifest.yaml dist/*.tar.gz
        the top-level manifest, always with the four platforms: the archives given fill in their
        platform's sha256; the others keep theirs when the version is unchanged, else get the
        placeholder (64 zeros) that the release workflow replaces with the real value.

Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from release_info import (
    ARCHIVE_PATTERN,
    BIN,
    HOMEPAGE,
    PLATFORMS,
    PLUGIN_NAME,
    archive_uri,
    read_version,
)

PLACEHOLDER_SHA256 = "0" * 64

SHORT_DESCRIPTION = "Route a Gateway to LLM InferencePools, verified"

DESCRIPTION = """\
Connects a Gateway API Gateway to LLM model servers (InferencePools of the
Gateway API Inference Extension) with an HTTPRoute: built correctly (rule-level
timeouts, InferencePool backendRefs with group and kind), dry-run on the
server, explained in plain words, applied with server-side apply only after
your approval, and verified against the gateway controller's own conditions.
Writes a markdown deployment record of what was done.
"""

CAVEATS = """\
This plugin needs, in the cluster:
* the Gateway API CRDs (Gateway, HTTPRoute; ReferenceGrant for pools in
  other namespaces) and a gateway implementation that supports the
  Gateway API Inference Extension;
* the InferencePool CRD (inference.networking.k8s.io/v1, or the older
  inference.networking.x-k8s.io/v1alpha2) and your InferencePools.
Permissions: get/list Gateways and InferencePools, get/list/create/patch
HTTPRoutes in the route's namespace.

Shell completion for `kubectl inferroute <TAB>` (kubectl >= 1.26):
  kubectl inferroute completion kubectl > ~/.krew/bin/kubectl_complete-inferroute
  chmod +x ~/.krew/bin/kubectl_complete-inferroute
"""

HEADER = """\
# krew plugin manifest for kubectl-inferroute, written by scripts/gen_manifest.py.
"""

TOP_LEVEL_NOTE = """\
# Submit this file to krew-index as plugins/inferroute.yaml. Platforms whose sha256 is 64 zeros
# are placeholders: the release workflow (.github/workflows/release.yml) builds every platform
# on the tag and attaches the complete manifest, with every real sha256, as inferroute.yaml.
"""


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def archive_platforms(version: str, archives: list[Path]) -> dict[tuple[str, str], str]:
    """(os, arch) -> sha256 of each archive, checking its name against the version."""
    found: dict[tuple[str, str], str] = {}
    for archive in archives:
        match = ARCHIVE_PATTERN.match(archive.name)
        if not match:
            raise SystemExit(f"error: {archive.name} is not named like a release archive")
        if match["version"] != version:
            raise SystemExit(f"error: {archive.name} is not version {version}")
        found[(match["os"], match["arch"])] = sha256_of(archive)
    return found


def _block(text: str, indent: str) -> str:
    return "".join(f"{indent}{line}\n" if line else "\n" for line in text.splitlines())


def render_manifest(version: str, shas: dict[tuple[str, str], str], *, note: str = "") -> str:
    """The manifest text, platforms in PLATFORMS order (only those in `shas`)."""
    lines = [
        HEADER + note,
        "apiVersion: krew.googlecontainertools.github.com/v1alpha2\n",
        "kind: Plugin\n",
        "metadata:\n",
        f"  name: {PLUGIN_NAME}\n",
        "spec:\n",
        f"  version: v{version}\n",
        f"  homepage: {HOMEPAGE}\n",
        f"  shortDescription: {SHORT_DESCRIPTION}\n",
        "  description: |\n",
        _block(DESCRIPTION, "    "),
        "  caveats: |\n",
        _block(CAVEATS, "    "),
        "  platforms:\n",
    ]
    for os_name, arch in PLATFORMS:
        if (os_name, arch) not in shas:
            continue
        lines += [
            "  - selector:\n",
            "      matchLabels:\n",
            f"        os: {os_name}\n",
            f"        arch: {arch}\n",
            f"    uri: {archive_uri(version, os_name, arch)}\n",
            # Quoted: unquoted, the placeholder's zeros would read as the number 0.
            f'    sha256: "{shas[(os_name, arch)]}"\n',
            f"    bin: {BIN}\n",
        ]
    return "".join(lines)


def read_shas(path: Path) -> tuple[str | None, dict[tuple[str, str], str]]:
    """The version and per-platform sha256 of a manifest this script wrote."""
    if not path.exists():
        return None, {}
    text = path.read_text()
    version = re.search(r"^  version: v(\S+)$", text, re.M)
    shas = {
        (m["os"], m["arch"]): m["sha"]
        for m in re.finditer(
            r"os: (?P<os>\S+)\n\s+arch: (?P<arch>\S+)\n\s+uri: \S+\n"
            r"\s+sha256: \"?(?P<sha>[0-9a-f]+)",
            text,
        )
    }
    return (version.group(1) if version else None), shas


def write_manifest(path: Path, version: str, archives: list[Path]) -> None:
    """A manifest with exactly the given archives' platforms."""
    shas = archive_platforms(version, archives)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_manifest(version, shas))


def update_manifest(path: Path, version: str, archives: list[Path]) -> None:
    """The four-platform manifest: given archives win, then same-version values, else zeros."""
    old_version, old = read_shas(path)
    shas = {p: PLACEHOLDER_SHA256 for p in PLATFORMS}
    if old_version == version:
        shas.update({p: sha for p, sha in old.items() if p in shas})
    shas.update(archive_platforms(version, archives))
    path.write_text(render_manifest(version, shas, note=TOP_LEVEL_NOTE))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, help="write a manifest for exactly these archives")
    target.add_argument("--update", type=Path, help="update a four-platform manifest")
    parser.add_argument("--require-all", action="store_true", help="fail unless all four given")
    parser.add_argument("archives", nargs="*", type=Path)
    args = parser.parse_args(argv)
    version = read_version()
    if args.require_all:
        given = set(archive_platforms(version, args.archives))
        missing = [f"{o}/{a}" for o, a in PLATFORMS if (o, a) not in given]
        if missing:
            raise SystemExit(f"error: no archive for {', '.join(missing)}")
    if args.out:
        write_manifest(args.out, version, args.archives)
    else:
        update_manifest(args.update, version, args.archives)
    return 0


if __name__ == "__main__":
    sys.exit(main())
