"""The four layers keep their rules: an import scan of every module, function-level imports too."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kubectl_httproute"
TOP = "kubectl_httproute"
# What each layer may import from the package (besides itself and errors/__init__).
ALLOWED = {
    "core": {"core"},
    "render": {"core", "render"},
    "cluster": {"core", "cluster"},
    "cli": {"core", "cluster", "render", "cli"},
}
CLIENT_PACKAGES = ("kubernetes", "urllib3")


def imported_modules(path: Path, root: Path = PACKAGE) -> list[str]:
    """Absolute names of every module a file imports, at any depth of the file."""
    tree = ast.parse(path.read_text(), str(path))
    package = ".".join((TOP, *path.relative_to(root).parts[:-1]))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.append(module)
            # `from . import x` imports module x
            names += [f"{module}.{alias.name}" for alias in node.names]
    return names


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != TOP or len(parts) < 2:
        return None
    return parts[1] if parts[1] in ALLOWED else None


def violations(path: Path, root: Path = PACKAGE) -> list[str]:
    """What a module imports that its layer may not."""
    own = layer_of(".".join((TOP, *path.relative_to(root).parts)))
    found = []
    for module in imported_modules(path, root):
        if module.split(".")[0] in CLIENT_PACKAGES and own != "cluster":
            found.append(module)
        target = layer_of(module)
        if own is not None and target is not None and target not in ALLOWED[own]:
            found.append(module)
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_imports_only_what_its_layer_may(path: Path) -> None:
    assert violations(path) == []


def test_the_four_layers_are_packages() -> None:
    assert {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()} == set(ALLOWED)


@pytest.mark.parametrize(
    ("layer", "source", "bad"),
    [
        ("core", "from ..cluster.client import KubeClient\n", True),
        ("core", "def f():\n    from ..cluster import names\n", True),
        ("render", "from ..cluster.client import KubeClient\n", True),
        ("render", "from ..cli.common import say\n", True),
        ("core", "from ..render.tables import render_table\n", True),
        ("cli", "import kubernetes\n", True),
        ("core", "def f():\n    import urllib3\n", True),
        ("render", "from kubectl_httproute.cluster import client\n", True),
        ("cluster", "import kubernetes\n", False),
        ("render", "from ..core.model import ObjectRef\n", False),
        ("cli", "from ..cluster.client import KubeClient\n", False),
    ],
)
def test_the_scan_catches_a_layer_importing_what_it_may_not(
    tmp_path: Path, layer: str, source: str, bad: bool
) -> None:
    (tmp_path / layer).mkdir()
    module = tmp_path / layer / "example.py"
    module.write_text(source)
    assert bool(violations(module, tmp_path)) is bad


def our_flags() -> set[str]:
    """Every option name of every command (click's own help flags included)."""
    import click

    from kubectl_httproute.cli import root

    ctx = click.Context(root)
    names: set[str] = set()
    for command in [root, *(root.get_command(ctx, n) for n in root.list_commands(ctx))]:
        assert command is not None
        for param in command.params:
            names.update(o for o in (*param.opts, *param.secondary_opts) if o.startswith("--"))
    return names


def flags_named(
    source: str | ast.AST, flags: set[str], skip: frozenset[int] | set[int] = frozenset()
) -> list[str]:
    """The flags a module's string literals name, outside `kubectl ...` commands in backticks."""
    tree = ast.parse(source) if isinstance(source, str) else source
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            text = re.sub(r"`kubectl [^`]*`", "", node.value)
            found += [f for f in re.findall(r"--[a-z][a-z-]*", text) if f in flags]
    return found


@pytest.mark.parametrize("path", sorted((PACKAGE / "cluster").glob("*.py")), ids=lambda p: p.name)
def test_the_cluster_layer_names_no_flag_of_ours(path: Path) -> None:
    # Docstrings may explain which flag a value comes from; messages and hints may not.
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    assert flags_named(tree, our_flags(), skip=docstrings) == []


def test_the_flag_scan_sees_a_hint_that_names_a_flag_and_not_a_kubectl_command() -> None:
    flags = {"--force-conflicts", "--kubeconfig"}
    assert flags_named('x = "or use --force-conflicts"', flags) == ["--force-conflicts"]
    assert flags_named('x = "run `kubectl get --kubeconfig f`"', flags) == []
