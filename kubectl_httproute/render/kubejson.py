"""JSON as kubectl prints it (`-o json`), fast enough for ten thousand routes. Pure.

kubectl's printer is Go's `json.MarshalIndent(obj, "", "    ")` plus a final newline
(k8s.io/cli-runtime/pkg/printers/json.go). Over Kubernetes objects (maps) that means:

- four spaces per level, `"key": value`, one member per line, `[]` and `{}` when empty;
- keys in sorted order (Go's encoder sorts map keys);
- non-ASCII as it is (UTF-8), but `<`, `>`, `&`, U+2028 and U+2029 escaped as `\\u003c`,
  `\\u003e`, `\\u0026`, `\\u2028`, `\\u2029` (Go's HTML-safe escaping).

`render_value` is `json.dumps(value, indent=4, sort_keys=True, ensure_ascii=False)` with those
escapes (tests/test_kubejson.py holds them identical), at a fraction of its cost: the standard
library gives up its C encoder as soon as `indent` is set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from json.encoder import (  # type: ignore[attr-defined]  # the C accelerators
    c_make_encoder,
    encode_basestring,
)
from operator import itemgetter
from typing import Any, Literal, Union

INDENT = "    "
_GO_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def go_escape(text: str) -> str:
    """Go's HTML-safe escapes on encoded JSON: those characters only ever occur inside strings,
    so replacing them in the whole text escapes exactly the strings' ones."""
    for char, escaped in _GO_ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    return text


_CONTAINERS = (dict, list, tuple)
_FLAT: dict[str, Callable[[Any, int], Sequence[str]]] = {}


def _flat_encoder(inner: str) -> Callable[[Any, int], Sequence[str]]:
    """The C encoder with this nesting's separators: right for a container of scalars (and of
    empty containers, which both spell `[]` and `{}`), where no deeper level needs its own."""
    encoder = _FLAT.get(inner)
    if encoder is None:
        encoder = c_make_encoder(
            None, None, encode_basestring, None, ": ", ",\n" + inner, True, False, True
        )
        _FLAT[inner] = encoder
    return encoder


def _scalar(value: Any) -> str | None:
    """A scalar's (or an empty container's) JSON as json.dumps writes it; None for a container
    with something in it."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind in _CONTAINERS:
        return None if value else ("{}" if kind is dict else "[]")
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    return "".join(_flat_encoder("")(value, 0))  # floats (NaN as json.dumps spells it), errors


def _leaf(value: Any) -> str:
    text = _scalar(value)
    assert text is not None, "a container with something in it is no leaf"
    return text


def _nested(value: Any) -> bool:
    return type(value) in _CONTAINERS and bool(value)


def _is_flat(value: Any) -> bool:
    """Nothing but scalars and empty containers in it: one C encoder call writes it whole."""
    for item in value.values() if type(value) is dict else value:
        if type(item) in _CONTAINERS and item:
            return False
    return True


def _encode_records(value: Any, pad: str) -> str:
    """A list of non-empty flat dicts in one C encoder call, with the members' separator.

    Every item boundary then reads `},` + separator + `{`, and nothing else can: strings hold no
    raw newline, and within a flat dict a separator is always followed by a quoted key (an empty
    dict among the items would make two boundaries overlap, so the caller sends none)."""
    inner = pad + INDENT
    deeper = inner + INDENT
    text = "".join(_flat_encoder(deeper)(value, 0))
    body = text[2:-2].replace("},\n" + deeper + "{", "\n" + inner + "},\n" + inner + "{\n" + deeper)
    return "[\n" + inner + "{\n" + deeper + body + "\n" + inner + "}\n" + pad + "]"


def _encode(value: Any, pad: str) -> str:
    """One non-empty container at the nesting of `pad`, without Go's escapes (applied once, on
    the whole).

    Its members go to the C encoder in one call, with this nesting's separator, the nested ones
    as null: no string can hold a raw newline, so splitting on the separator gives the members
    back in sorted order, and each nested one is its key's `"key": null`, to replace."""
    inner = pad + INDENT
    separator = ",\n" + inner
    if type(value) is dict:
        nested = [key for key, item in value.items() if type(item) in _CONTAINERS and item]
        if not nested:
            body = "".join(_flat_encoder(inner)(value, 0))[1:-1]
        else:
            shallow = value.copy()
            replacements = {}
            for key in nested:
                shallow[key] = None
                name = encode_basestring(key)
                replacements[name + ": null"] = name + ": " + _encode(value[key], inner)
            members = "".join(_flat_encoder(inner)(shallow, 0))[1:-1].split(separator)
            body = separator.join([replacements.get(member, member) for member in members])
        return "{\n" + inner + body + "\n" + pad + "}"
    flat = records = True
    for item in value:
        if type(item) in _CONTAINERS and item:
            flat = False
            if not (records and type(item) is dict and _is_flat(item)):
                records = False
                break
        else:
            records = False
            if not flat:
                break
    if flat:
        body = "".join(_flat_encoder(inner)(value, 0))[1:-1]
    elif records:
        return _encode_records(value, pad)
    else:
        body = separator.join(
            [_encode(item, inner) if _nested(item) else _leaf(item) for item in value]
        )
    return "[\n" + inner + body + "\n" + pad + "]"


def render_value(value: Any, level: int = 0) -> str:
    """`value` as kubectl's `-o json` prints it, nested `level` deep (no final newline)."""
    text = _scalar(value)
    return go_escape(_encode(value, INDENT * level) if text is None else text)


def render_object(obj: Any) -> str:
    """One object as `kubectl get -o json` prints it, final newline included."""
    return render_value(obj) + "\n"


def iter_object(
    obj: dict[str, Any],
    key: str,
    items: Iterable[Any],
    render: Callable[[Any, int], str] = render_value,
) -> Iterator[str]:
    """`obj` with the list `items` under `key`, as render_object prints it, in pieces: each item
    is encoded (by `render`, given the item and its nesting) when it is drawn and given out at
    once, so only one is ever held as text."""
    keys = sorted([*obj, key])
    yield "{\n"
    for index, name in enumerate(keys):
        head = INDENT + go_escape(encode_basestring(name)) + ": "
        end = ",\n" if index < len(keys) - 1 else "\n"
        if name != key:
            yield head + render_value(obj[name], 1) + end
            continue
        opening = head + "[\n"
        for item in items:
            yield opening + INDENT * 2 + render(item, 2)
            opening = ",\n"
        yield (head + "[]" if opening != ",\n" else "\n" + INDENT + "]") + end
    yield "}\n"


# ---------------------------------------------------------------------------------------------
# Records: objects whose keys are known, written from rows (tuples) instead of dicts.

SCALAR: Literal["scalar"] = "scalar"  # a string, number, bool or None
SCALARS: Literal["scalars"] = "scalars"  # a list (or tuple) of them
ANY: Literal["any"] = "any"  # any value, through render_value
Field = Union[Literal["scalar", "scalars", "any"], "Record"]  # a Record: a list of its rows


class Record:
    """A kind of object with known keys, each holding a scalar, a list of scalars, a list of
    rows of another Record, or any value. A row is a tuple of the values in `keys` order.

    render_record(record, row, level) is render_value(record.as_dict(row), level), without the
    dict and with almost all the work in C: the row's scalars are gathered with C calls
    (itemgetter, chain), encoded in one C encoder call and joined, in sorted-key order, with
    the text around them, cut once per shape (the lengths of the row's lists)."""

    __slots__ = (
        "fields",
        "flat",
        "keys",
        "members",
        "nested",
        "pick_lists",
        "pick_nested",
        "pick_scalars",
        "plain",
    )

    def __init__(self, *members: tuple[str, Field]) -> None:
        assert members, "an object with no keys prints as {} without a record"
        self.members = members
        self.keys = tuple(key for key, _ in members)
        self.fields = tuple(field for _, field in members)
        scalars = [i for i, field in enumerate(self.fields) if field is SCALAR]
        nested = [i for i, field in enumerate(self.fields) if field is not SCALAR]
        self.flat = not nested
        self.nested = tuple(members[i] for i in nested)
        self.pick_scalars = _getter(scalars)
        self.plain = _dict_display(self.keys)  # the row as a dict, nested rows left as they are
        self.pick_nested = _getter(nested)
        # Nested fields that are all lists of scalars (a Gateway's addresses): _gather takes
        # such a record's rows in place, without a call per row.
        lists = all(self.fields[i] is SCALARS for i in nested)
        self.pick_lists = _getter(nested) if nested and lists else None

    def as_dict(self, row: Sequence[Any]) -> dict[str, Any]:
        """The row as the dict it stands for, keys in `keys` order (what -o yaml prints)."""
        plain = self.plain(row)
        for key, field in self.nested:
            if field is SCALARS:
                plain[key] = list(plain[key])
            elif isinstance(field, Record):
                plain[key] = list(map(field.plain if field.flat else field.as_dict, plain[key]))
        return plain


def _dict_display(keys: tuple[str, ...]) -> Callable[[Sequence[Any]], dict[str, Any]]:
    """row -> {keys[0]: row[0], keys[1]: row[1], ...}, compiled once per Record from its keys
    (as their reprs, so any key is safe): a dict display builds a route's dicts in a fraction of
    what dict(zip(keys, row)) takes, which made -o yaml a third slower than its own dict literals
    did."""
    body = ", ".join(f"{key!r}: row[{index}]" for index, key in enumerate(keys))
    display: Callable[[Sequence[Any]], dict[str, Any]] = eval(f"lambda row: {{{body}}}")
    return display


def _getter(indices: list[int]) -> Callable[[Sequence[Any]], Sequence[Any]]:
    """The values at `indices`, as one tuple (itemgetter, in C, when there are several)."""
    if len(indices) > 1:
        return itemgetter(*indices)
    if indices:
        index = indices[0]
        return lambda row: (row[index],)
    return lambda row: ()


# Scalars one a line: no encoded scalar holds a raw newline, so split("\n") gives them back.
_SCALARS_ENCODER = c_make_encoder(
    None, None, encode_basestring, None, ": ", "\n", True, False, True
)
# Where a value goes in a layout's text: no encoded key holds a raw NUL (it is \u0000 there).
_SLOT = "\0"
# Per shape: the text around the values, as a list with a None where each value goes (every
# other item), and which gathered value goes in each of those places, in text order.
_LAYOUTS: dict[tuple[Any, ...], tuple[list[str | None], Callable[[Sequence[str]], Sequence[str]]]]
_LAYOUTS = {}
_MAX_LAYOUTS = 1024  # shapes seen; a cluster of odd routes must not grow it without bound


def render_record(record: Record, row: Sequence[Any], level: int = 0) -> str:
    """render_value(record.as_dict(row), level), written from the row (see Record)."""
    values: list[Any] = []
    shape: list[int] = []
    others: list[tuple[int, Any, int]] = []
    _gather(record, row, level, values, shape, others)
    key = (record, level, *shape)
    layout = _LAYOUTS.get(key)
    if layout is None:
        if len(_LAYOUTS) >= _MAX_LAYOUTS:
            _LAYOUTS.clear()
        template, slots, _ = _layout(record, iter(shape), INDENT * level, 0)
        # Go's escapes on the keys once, here; on the values below, all in one text.
        pieces = go_escape(template).split(_SLOT)
        around: list[str | None] = [None] * (2 * len(pieces) - 1)
        around[::2] = pieces
        layout = _LAYOUTS[key] = (around, _getter(slots))
    around, in_text_order = layout
    if not values:
        return "".join(around)  # type: ignore[arg-type]  # no None in it: it has no slot
    encoded = go_escape("".join(_SCALARS_ENCODER(values, 0)))[1:-1].split("\n")
    for index, value, nesting in others:
        encoded[index] = render_value(value, nesting)
    text = around.copy()
    text[1::2] = in_text_order(encoded)
    return "".join(text)  # type: ignore[arg-type]  # every None replaced


def _gather(
    record: Record,
    row: Sequence[Any],
    level: int,
    values: list[Any],
    shape: list[int],
    others: list[tuple[int, Any, int]],
) -> None:
    """The row's scalars, in the order _layout numbers them (its own scalars, then what each
    nested field holds), and the lengths of its lists."""
    if record.flat:
        values += row
        return
    values += record.pick_scalars(row)
    for (_, field), value in zip(record.nested, record.pick_nested(row), strict=True):
        if field is SCALARS:
            shape.append(len(value))
            values += value
        elif field is ANY:
            others.append((len(values), value, level + 1))
            values.append(None)
        else:
            assert isinstance(field, Record)
            shape.append(len(value))
            if field.flat:
                values += chain.from_iterable(value)
            elif field.pick_lists is not None:
                pick_scalars, pick_lists = field.pick_scalars, field.pick_lists
                for item in value:
                    values += pick_scalars(item)
                    for scalars in pick_lists(item):
                        shape.append(len(scalars))
                        values += scalars
            else:
                for item in value:
                    _gather(field, item, level + 2, values, shape, others)


def _layout(
    record: Record, shape: Iterator[int], pad: str, start: int
) -> tuple[str, list[int], int]:
    """A row's text at `pad`'s nesting with a _SLOT for each value, for the list lengths `shape`
    gives out; the gathered index of the value each _SLOT takes, in text order; the next index.
    Numbered in _gather's order, written in sorted-key order."""
    inner = pad + INDENT
    slots: dict[str, tuple[str, list[int]]] = {}
    index = start
    for key, field in record.members:
        if field is SCALAR:
            slots[key] = (_SLOT, [index])
            index += 1
    for key, field in record.nested:
        if field is ANY:
            slots[key] = (_SLOT, [index])
            index += 1
        elif field is SCALARS:
            count = next(shape)
            slots[key] = (_list_template([_SLOT] * count, inner), list(range(index, index + count)))
            index += count
        else:
            assert isinstance(field, Record)
            items, taken = [], []
            for _ in range(next(shape)):
                text, item_slots, index = _layout(field, shape, inner + INDENT, index)
                items.append(text)
                taken += item_slots
            slots[key] = (_list_template(items, inner), taken)
    members, order = [], []
    for key in sorted(slots):
        text, taken = slots[key]
        members.append(inner + encode_basestring(key) + ": " + text)
        order += taken
    return "{\n" + ",\n".join(members) + "\n" + pad + "}", order, index


def _list_template(items: list[str], pad: str) -> str:
    if not items:
        return "[]"
    inner = pad + INDENT
    return "[\n" + inner + (",\n" + inner).join(items) + "\n" + pad + "]"
