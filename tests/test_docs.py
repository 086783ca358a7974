"""Docs that cannot drift: the README's command reference is --help, every help has examples."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import gen_docs  # noqa: E402

COMMANDS = gen_docs.visible_commands()


def test_readme_command_reference_matches_help() -> None:
    readme = (ROOT / "README.md").read_text()

    assert gen_docs.splice(readme, gen_docs.render_reference()) == readme, (
        "README.md's command reference differs from --help: run `make docs`"
    )


def test_reference_covers_every_visible_command() -> None:
    readme = (ROOT / "README.md").read_text()

    for path, _ in COMMANDS:
        assert f"### `{' '.join(path)}`" in readme
    assert "__complete" not in gen_docs.render_reference()


@pytest.mark.parametrize("path,text", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_help_has_examples(path: list[str], text: str) -> None:
    examples = text.split("Examples:", 1)

    assert len(examples) == 2, f"{' '.join(path)} --help has no Examples: section"
    assert "  kubectl inferroute " in examples[1]


def test_reference_does_not_depend_on_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    wide = gen_docs.render_reference()
    monkeypatch.setenv("COLUMNS", "40")

    assert gen_docs.render_reference() == wide


def test_changelog_and_license_exist() -> None:
    assert (ROOT / "CHANGELOG.md").read_text().startswith("# Changelog")
    assert (ROOT / "LICENSE").exists()
