"""The block-style YAML that kubectl, kind, gcloud and aws write kubeconfigs in, read without
PyYAML. Pure.

Importing PyYAML costs more than anything else `status` does before its first request (its
resolver and reader compile their regular expressions on import), and a kubeconfig is read on
every run. `load` returns exactly what `yaml.safe_load` returns for the documents it accepts,
and DECLINED for anything else, which the caller then hands to PyYAML: flow collections other
than `[]` and `{}`, anchors, aliases, tags, block scalars, multi-line scalars, comments after a
value, several documents, tabs, and every plain scalar whose type is not plainly a string, a
boolean, null or a decimal integer. tests/test_blockyaml.py holds it to `yaml.safe_load`.
"""

from __future__ import annotations

import re
from typing import Any, Final

DECLINED: Final = object()  # not this reader's subset: use PyYAML

# YAML 1.1's words as PyYAML's SafeLoader resolves them (yaml/resolver.py).
_BOOLEANS = {
    **dict.fromkeys(("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
_NULLS = frozenset(("~", "null", "Null", "NULL"))
_DECIMAL = re.compile(r"(?:0|[1-9][0-9]*)\Z")
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-/]*\Z")
# Only printable ASCII: anything else (tabs, control characters, a BOM) goes to PyYAML.
_OUTSIDE_SUBSET = re.compile(r"[^\n -~]")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "n": "\n", "t": "\t", "r": "\r", "0": "\0"}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


class _Declined(Exception):
    pass


def load(text: str) -> Any:
    """yaml.safe_load(text), or DECLINED when the text is not in the subset read here."""
    if _OUTSIDE_SUBSET.search(text):
        return DECLINED
    lines: list[tuple[int, str]] = []
    for raw in text.split("\n"):
        content = raw.lstrip(" ")
        if not content or content.startswith("#"):
            continue
        lines.append((len(raw) - len(content), content.rstrip(" ")))
    if not lines:
        return None
    try:
        if lines[0][0] != 0:
            raise _Declined
        value, end = _node(lines, 0, 0)
        if end != len(lines):
            raise _Declined
    except _Declined:
        return DECLINED
    return value


def _node(lines: list[tuple[int, str]], at: int, indent: int) -> tuple[Any, int]:
    """The block collection whose first line is lines[at], at `indent`; (value, next line)."""
    content = lines[at][1]
    if content == "-" or content.startswith("- "):
        return _sequence(lines, at, indent)
    return _mapping(lines, at, indent)


def _sequence(lines: list[tuple[int, str]], at: int, indent: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    while at < len(lines) and lines[at][0] == indent:
        content = lines[at][1]
        if content == "-":
            value, at = _nested_or_null(lines, at + 1, indent)
        elif content.startswith("- "):
            rest = content[2:].lstrip(" ")
            column = indent + len(content) - len(rest)
            if rest == "-" or rest.startswith("- ") or _key_end(rest) is not None:
                # The item is a collection that starts on the dash's line: read it as if
                # that line began at the item's column.
                lines[at] = (column, rest)
                value, at = _node(lines, at, column)
            else:
                value, at = _scalar(rest), _after_scalar(lines, at + 1, indent)
        else:
            break
        items.append(value)
    return items, at


def _mapping(lines: list[tuple[int, str]], at: int, indent: int) -> tuple[dict[Any, Any], int]:
    mapping: dict[Any, Any] = {}
    while at < len(lines) and lines[at][0] == indent:
        content = lines[at][1]
        end = _key_end(content)
        if end is None:
            raise _Declined  # a sequence item or a bare scalar where a key belongs
        key = _key(content[:end])
        rest = content[end + 1 :].lstrip(" ")
        if rest:
            value, at = _scalar(rest), _after_scalar(lines, at + 1, indent)
        elif at + 1 < len(lines) and lines[at + 1][0] == indent and _is_item(lines[at + 1][1]):
            value, at = _sequence(lines, at + 1, indent)  # the sequence kubectl does not indent
        else:
            value, at = _nested_or_null(lines, at + 1, indent)
        mapping[key] = value
    if at < len(lines) and lines[at][0] > indent:
        raise _Declined
    return mapping, at


def _nested_or_null(lines: list[tuple[int, str]], at: int, indent: int) -> tuple[Any, int]:
    """The collection on the lines below, deeper than `indent`; null when there is none."""
    if at < len(lines) and lines[at][0] > indent:
        return _node(lines, at, lines[at][0])
    return None, at


def _after_scalar(lines: list[tuple[int, str]], at: int, indent: int) -> int:
    if at < len(lines) and lines[at][0] > indent:
        raise _Declined  # a scalar continued on the next line
    return at


def _is_item(content: str) -> bool:
    return content == "-" or content.startswith("- ")


def _key_end(content: str) -> int | None:
    """Where the colon that ends a mapping key is, or None when the line starts no entry."""
    if content[:1] in ('"', "'"):
        _, end = _quoted(content)
        if content[end : end + 1] == ":" and content[end + 1 : end + 2] in ("", " "):
            return end
        return None
    position = content.find(": ")
    if position < 0:
        return len(content) - 1 if content.endswith(":") else None
    return position


def _key(text: str) -> str:
    if text[:1] in ('"', "'"):
        value, _ = _quoted(text)
        return value
    if not _PLAIN_KEY.match(text) or text in _BOOLEANS or text in _NULLS:
        raise _Declined
    return text


def _scalar(text: str) -> Any:
    """A value on one line: quoted, `[]`, `{}`, or a plain scalar with PyYAML's type."""
    if text[:1] in ('"', "'"):
        value, end = _quoted(text)
        if end != len(text):
            raise _Declined  # something after the closing quote (a comment, say)
        return value
    if text == "[]":
        return []
    if text == "{}":
        return {}
    if ": " in text or "#" in text or text.endswith(":"):
        raise _Declined
    first = text[0]
    if first.isalpha():
        if text in _BOOLEANS:
            return _BOOLEANS[text]
        return None if text in _NULLS else text
    if first.isdigit():
        if _DECIMAL.match(text):
            return int(text)
        raise _Declined  # octal, hex, floats, times, versions: PyYAML decides
    if first == "/" or first == "_":
        return text
    if first == "-" and len(text) > 1 and (text[1].isalpha() or text[1] == "-"):
        return text  # a flag, `--region`: neither number nor indicator
    raise _Declined


def _quoted(text: str) -> tuple[str, int]:
    """A quoted scalar at the start of text: (its value, the index after its closing quote)."""
    quote = text[0]
    out: list[str] = []
    i = 1
    while i < len(text):
        char = text[i]
        if char == quote:
            if quote == "'" and text[i + 1 : i + 2] == "'":
                out.append("'")
                i += 2
                continue
            return "".join(out), i + 1
        if char == "\\" and quote == '"':
            code = text[i + 1 : i + 2]
            if code in _ESCAPES:
                out.append(_ESCAPES[code])
                i += 2
                continue
            width = _HEX_ESCAPES.get(code)
            digits = text[i + 2 : i + 2 + width] if width else ""
            if not width or len(digits) != width or not _is_hex(digits):
                raise _Declined
            point = int(digits, 16)
            if 0xD800 <= point <= 0xDFFF or point > 0x10FFFF:
                raise _Declined
            out.append(chr(point))
            i += 2 + width
            continue
        out.append(char)
        i += 1
    raise _Declined  # the scalar goes on past the line


def _is_hex(digits: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in digits)
