"""Golden-file comparison shared by all tests: `UPDATE_GOLDEN=1 pytest` rewrites the files."""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


def assert_golden(name: str, text: str) -> None:
    """Assert text equals tests/golden/<name>; with UPDATE_GOLDEN=1, write it there instead."""
    path = GOLDEN_DIR / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    if not path.exists():
        raise AssertionError(
            f"golden file {path} is missing; run UPDATE_GOLDEN=1 pytest to create it"
        )
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"output differs from {path}; if intended, run UPDATE_GOLDEN=1 pytest"
