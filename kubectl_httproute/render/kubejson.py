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
from json.encoder import (  # type: ignore[attr-defined]  # the C accelerators
    c_make_encoder,
    encode_basestring,
)
from typing import Any

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


def _encode(value: Any, pad: str) -> str:
    """One non-empty container at the nesting of `pad`, without Go's escapes (applied once, on
    the whole).

    Its scalar members go to the C encoder in one call, with this nesting's separator: no string
    can hold a raw newline, so splitting on the separator gives the members back, in sorted
    order, to interleave with the nested ones."""
    inner = pad + INDENT
    separator = ",\n" + inner
    if type(value) is dict:
        nested = {k: v for k, v in value.items() if type(v) in _CONTAINERS and v}
        if not nested:
            body = "".join(_flat_encoder(inner)(value, 0))[1:-1]
        else:
            scalars = {k: v for k, v in value.items() if k not in nested}
            flat = iter(
                "".join(_flat_encoder(inner)(scalars, 0))[1:-1].split(separator) if scalars else ()
            )
            body = separator.join(
                [
                    encode_basestring(key) + ": " + _encode(nested[key], inner)
                    if key in nested
                    else next(flat)
                    for key in sorted(value)
                ]
            )
        return "{\n" + inner + body + "\n" + pad + "}"
    if not any(type(item) in _CONTAINERS and item for item in value):
        body = "".join(_flat_encoder(inner)(value, 0))[1:-1]
    else:
        body = separator.join(
            [
                _encode(item, inner) if type(item) in _CONTAINERS and item else _leaf(item)
                for item in value
            ]
        )
    return "[\n" + inner + body + "\n" + pad + "]"


def render_value(value: Any, level: int = 0) -> str:
    """`value` as kubectl's `-o json` prints it, nested `level` deep (no final newline)."""
    text = _scalar(value)
    return go_escape(_encode(value, INDENT * level) if text is None else text)


def render_object(obj: Any) -> str:
    """One object as `kubectl get -o json` prints it, final newline included."""
    return render_value(obj) + "\n"


def iter_object(obj: dict[str, Any], key: str, items: Iterable[Any]) -> Iterator[str]:
    """`obj` with the list `items` under `key`, as render_object prints it, in pieces: each item
    is encoded when it is drawn and given out at once, so only one is ever held as text."""
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
            yield opening + INDENT * 2 + render_value(item, 2)
            opening = ",\n"
        yield (head + "[]" if opening != ",\n" else "\n" + INDENT + "]") + end
    yield "}\n"
