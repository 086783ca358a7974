"""The plain table layout is tabulate's, character for character, where it takes over."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kubectl_httproute.render.tables import plain_table, render_table, tabulate_table

ascii_cells = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=10)
any_cells = ascii_cells | st.text(max_size=6) | st.sampled_from(["é", "名前", "\x1b[1mx\x1b[0m"])


@st.composite
def tables(draw: st.DrawFn, cells: st.SearchStrategy[str]) -> tuple[list[str], list[list[str]]]:
    width = draw(st.integers(1, 6))
    heads = draw(st.lists(cells, min_size=width, max_size=width))
    rows = draw(st.lists(st.lists(cells, min_size=width, max_size=width), max_size=6))
    return heads, rows


@settings(max_examples=400, deadline=None)
@given(tables(ascii_cells.map(str.strip).filter(bool)))
def test_printable_ascii_is_laid_out_as_tabulate_lays_it_out(
    table: tuple[list[str], list[list[str]]],
) -> None:
    heads, rows = table
    text = plain_table(heads, rows)
    assert text is not None or not rows
    if text is not None:
        assert text == tabulate_table(heads, rows)


@settings(max_examples=300, deadline=None)
@given(tables(any_cells))
def test_anything_else_is_left_to_tabulate(table: tuple[list[str], list[list[str]]]) -> None:
    heads, rows = table
    text = plain_table(heads, rows)
    if text is not None:
        assert text == tabulate_table(heads, rows)


def test_a_table_spelled_out() -> None:
    assert render_table(["name", "age"], [["qwen-pool", None], ["a b\nc", 7]]) == (
        "NAME       AGE\nqwen-pool  <none>\na b c      7"
    )
