"""`-o json` prints as kubectl does (Go's MarshalIndent with four spaces, sorted keys, Go's HTML
escapes, a final newline), and `status -A -o json` streams it: one page of routes at a time."""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from fakekube import FakeCluster
from hypothesis import given, settings
from hypothesis import strategies as st
from status_helpers import kubeconfig_for

from kubectl_httproute.cli import root
from kubectl_httproute.render.kubejson import (
    ANY,
    SCALAR,
    SCALARS,
    Record,
    iter_object,
    render_object,
    render_record,
    render_value,
)
from kubectl_httproute.render.report import ROUTE_WITH_EVENTS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import fakeserver

# Go's encoding/json escapes these inside strings (HTML-safe); Python's json never does.
GO_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}
GO_ESCAPES.update({0x2028: "\\u2028", 0x2029: "\\u2029"})


def as_kubectl_prints(value: Any) -> str:
    """The reference: the standard library's indenting encoder, then Go's escapes (json.dumps
    leaves those characters raw, and only strings can hold them)."""
    return json.dumps(value, indent=4, sort_keys=True, ensure_ascii=False).translate(GO_ESCAPES)


# Strings that look like the JSON around them: the encoder finds item boundaries in its own text.
tricky = ["<b>&", "\u2028", "\u2029", "é", "\\u003c", "},\n", "}, {", "{", "[", '"', "\\", "%s"]
texts = st.text(st.characters(), max_size=12) | st.sampled_from(tricky)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts
# Lists of flat dicts (conditions, pools) are encoded in one piece: make them often, with empty
# containers as values and empty dicts among them.
flat_dicts = st.dictionaries(texts, scalars | st.just([]) | st.just({}), max_size=5)
values = st.recursive(
    scalars | st.lists(flat_dicts, max_size=4),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(flat_dicts, max_size=4)
        | st.dictionaries(texts, inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(values)
def test_any_value_prints_as_the_standard_encoder_indents_it_with_gos_escapes(value: Any) -> None:
    assert render_value(value) == as_kubectl_prints(value)
    assert json.loads(render_object(value)) == value


def rows_of(record: Record) -> st.SearchStrategy[tuple[Any, ...]]:
    """Rows for `record`: any scalars, lists of texts, rows of its nested records, any values."""

    def field_values(field: Any) -> st.SearchStrategy[Any]:
        if field is SCALAR:
            return scalars
        if field is SCALARS:
            return st.lists(texts, max_size=3).map(tuple)
        if field is ANY:
            return values
        return st.lists(rows_of(field), max_size=3)

    return st.tuples(*[field_values(field) for field in record.fields])


@settings(max_examples=300, deadline=None)
@given(rows_of(ROUTE_WITH_EVENTS), st.integers(0, 3))
def test_a_route_row_prints_as_its_entry_does(row: tuple[Any, ...], level: int) -> None:
    entry = ROUTE_WITH_EVENTS.as_dict(row)
    assert render_record(ROUTE_WITH_EVENTS, row, level) == render_value(entry, level)
    if level == 0:
        assert render_record(ROUTE_WITH_EVENTS, row) == as_kubectl_prints(entry)


def test_a_record_keeps_its_keys_order_as_a_dict_and_sorts_them_as_json() -> None:
    inner = Record(("b", SCALAR), ("a", SCALARS))
    outer = Record(("z", SCALAR), ("k%s", inner), ("any", ANY))
    row = ("<z>", [(1, ("x",)), (None, ())], {"n": [1]})
    assert list(outer.as_dict(row)) == ["z", "k%s", "any"]
    assert render_record(outer, row) == (
        '{\n    "any": {\n        "n": [\n            1\n        ]\n    },\n    "k%s": [\n'
        '        {\n            "a": [\n                "x"\n            ],\n            "b": 1\n'
        '        },\n        {\n            "a": [],\n            "b": null\n        }\n    ],\n'
        '    "z": "\\u003cz\\u003e"\n}'
    )


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(texts, values, max_size=4), st.lists(values, max_size=5), texts)
def test_a_streamed_object_is_the_whole_object_printed_one_item_a_piece(
    envelope: dict[str, Any], items: list[Any], key: str
) -> None:
    envelope.pop(key, None)
    pieces = list(iter_object(envelope, key, iter(items)))
    assert "".join(pieces) == as_kubectl_prints({**envelope, key: items}) + "\n"
    # One piece per item at least: the items are never gathered into one text.
    assert len(pieces) >= len(items) + 2


def test_kubectl_shapes_spelled_out() -> None:
    assert render_object({"kind": "List", "items": [], "apiVersion": "v1"}) == (
        '{\n    "apiVersion": "v1",\n    "items": [],\n    "kind": "List"\n}\n'
    )
    assert render_object({"b": {"x": [1, {}]}, "a": "<é>"}) == (
        '{\n    "a": "\\u003cé\\u003e",\n    "b": {\n        "x": [\n            1,\n'
        "            {}\n        ]\n    }\n}\n"
    )


class PageSpy(FakeCluster):
    """Counts, as each request arrives, the HTTPRoutes alive in the process that the server's
    store did not hold before the run: what the client still keeps of the pages it has read."""

    def __init__(self) -> None:
        super().__init__()
        self.known: set[int] = set()
        self.route_pages = 0
        self.held: list[int] = []

    def _fault_for(self, method: str, path: str) -> Any:
        if self.known and "/httproutes" in path:
            self.route_pages += 1
            self.held.append(
                sum(
                    1
                    for obj in gc.get_objects()
                    if type(obj) is dict
                    and obj.get("kind") == "HTTPRoute"
                    and id(obj) not in self.known
                )
            )
        return super()._fault_for(method, path)


def test_status_all_namespaces_json_holds_no_more_than_one_page_of_routes() -> None:
    cluster = PageSpy()
    with cluster:
        fakeserver.fill(cluster, 1600)  # four pages of 500
        config = kubeconfig_for(cluster)
        cluster.known = {
            id(obj)
            for obj in gc.get_objects()
            if type(obj) is dict and obj.get("kind") == "HTTPRoute"
        }
        result = CliRunner().invoke(root, ["status", "-A", "-o", "json", "--kubeconfig", config])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["routes"]) == 1600
    assert result.stdout == as_kubectl_prints(report) + "\n"
    assert cluster.route_pages == 4
    # When page k is asked for, nothing of pages 1..k-1 is alive as objects: only summaries.
    assert max(cluster.held) <= 500, cluster.held


def test_expose_prints_the_route_as_kubectl_prints_an_object() -> None:
    # Was two spaces in insertion order: changed on purpose to kubectl's -o json.
    result = CliRunner().invoke(
        root,
        ["expose", "qwen-pool", "--gateway", "inference-gateway", "--dry-run=client", "-o", "json"],
    )
    assert result.exit_code == 0, result.output
    route = json.loads(result.stdout)
    assert route["kind"] == "HTTPRoute"
    assert result.stdout == as_kubectl_prints(route) + "\n"
    assert result.stdout.startswith('{\n    "apiVersion": "gateway.networking.k8s.io/v1",\n')
