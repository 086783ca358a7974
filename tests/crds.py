"""Load the real upstream CRD schemas for checks; tests skip when the CRDs are not checked out."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

DEFAULT_CRDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "crds"


def crds_dir() -> Path:
    """The CRD directory: $INFERROUTE_CRDS_DIR if set, else ../shared/crds next to the repo."""
    return Path(os.environ.get("INFERROUTE_CRDS_DIR") or DEFAULT_CRDS_DIR)


def load_crd(plural_group_filename: str) -> dict[str, Any]:
    """The whole CRD document (e.g. "gateway.networking.k8s.io_httproutes.yaml"), or skip."""
    name = plural_group_filename
    if not name.endswith((".yaml", ".yml")):
        name += ".yaml"
    path = crds_dir() / name
    if not path.is_file():
        pytest.skip(
            f"upstream CRD {name} not found in {path.parent} "
            "(set INFERROUTE_CRDS_DIR to a directory holding the upstream CRDs)"
        )
    crd: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return crd


def load_crd_schema(plural_group_filename: str, version: str) -> dict[str, Any]:
    """The openAPIV3Schema of one served version of a CRD, as written upstream (or skip)."""
    crd = load_crd(plural_group_filename)
    for entry in crd["spec"]["versions"]:
        if entry["name"] == version:
            schema: dict[str, Any] = entry["schema"]["openAPIV3Schema"]
            return schema
    served = [entry["name"] for entry in crd["spec"]["versions"]]
    raise AssertionError(f"{plural_group_filename} has no version {version}; it has {served}")


def closed_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON-schema copy: x-kubernetes-* keys dropped, objects with properties closed.

    The API server prunes or (with strict field validation) rejects unknown fields unless
    x-kubernetes-preserve-unknown-fields is set; additionalProperties: false reproduces that.
    """
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key.startswith("x-kubernetes-"):
            continue
        if key == "properties":
            out[key] = {name: closed_schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
            out[key] = closed_schema(value)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [closed_schema(sub) for sub in value]
        else:
            out[key] = value
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out
