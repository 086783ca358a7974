"""The README's examples are what the plugin really prints."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from kubectl_httproute.cli import root

README = Path(__file__).resolve().parents[1] / "README.md"


def quick_start() -> tuple[list[str], str]:
    text = README.read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    command = re.search(r"kubectl-inferroute (expose [^\n`]+)", section)
    shown = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert command and shown, "the quick start lost its command or its YAML"
    return shlex.split(command.group(1)), shown.group(1)


def test_the_quick_start_prints_the_yaml_the_readme_shows() -> None:
    args, shown = quick_start()
    assert "--dry-run=client" in args
    result = CliRunner().invoke(root, args)
    assert result.exit_code == 0, result.output
    assert result.output == shown


def test_the_walk_through_shows_the_questions_and_a_record_as_the_plugin_writes_them() -> None:
    from test_record import record_data

    from kubectl_httproute.cli.expose import APPROVAL_QUESTION
    from kubectl_httproute.render.record import render_record

    walk = README.read_text().split("## Walk-through: `expose`", 1)[1]
    section = walk.split("\n## Flags of `expose`", 1)[0]  # the sample record has ## too
    assert f"{APPROVAL_QUESTION} [y/N]: y" in section
    assert re.search(r"\nWrite the deployment record to \S+\.inferroute\.md\? \[Y/n\]:", section)
    sample = re.search(r"````markdown\n(.*?)````", section, re.S)
    assert sample, "the walk-through lost its sample record"

    def headings(text: str) -> list[str]:
        return [line for line in text.splitlines() if line.startswith("#")]

    assert headings(sample.group(1)) == headings(render_record(record_data()))
    assert "| Severity | Subject | Finding | Fix |" in sample.group(1)
