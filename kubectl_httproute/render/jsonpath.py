"""`-o jsonpath=TEMPLATE`: kubectl's JSONPath templates over plain data. Pure.

kubectl's template language is kept here: text; `{EXPRESSION}`; quoted text (`{"\\n"}`);
`{range EXPRESSION}...{end}`; expressions relative to the current object (`.a.b`, `@`, `$`)
whose field names may hold escaped dots (`.metadata.labels.app\\.kubernetes\\.io/name`); and
kubectl's printing: strings bare, numbers and booleans as Go prints them, maps and lists as
compact JSON, the results of one expression separated by a space, a missing field as nothing.

The expressions themselves (`[*]`, `[0]`, `[-1:]`, `..name`, `['a','b']`, filters such as
`[?(@.type=="Accepted")]`) are evaluated by jsonpath-ng's extended parser: each expression is
turned into its syntax (`$` and bracketed field names) and compiled once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonpath_ng import JSONPath


class TemplateError(ValueError):
    """The template cannot be read; the message says where."""


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Expression:
    source: str
    path: JSONPath


@dataclass(frozen=True)
class Range:
    source: str
    path: JSONPath
    body: tuple[Node, ...]


Node = Text | Expression | Range
Template = tuple[Node, ...]

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0"}
# Field names jsonpath-ng reads without brackets (and that are none of its keywords).
_PLAIN_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_template(text: str) -> Template:
    """Read a kubectl JSONPath template; TemplateError when it cannot be read."""
    stack: list[tuple[str, JSONPath | None, list[Node]]] = [("", None, [])]
    for is_action, part in _split(text):
        body = stack[-1][2]
        if not is_action:
            body.append(Text(part))
            continue
        action = part.strip()
        if not action:
            raise TemplateError("empty action {}")
        if action[0] in "\"'":
            body.append(Text(_unquote(action)))
        elif action == "end":
            if len(stack) == 1:
                raise TemplateError("{end} without {range}")
            source, path, nodes = stack.pop()
            assert path is not None
            stack[-1][2].append(Range(source, path, tuple(nodes)))
        elif action.split(None, 1)[0] == "range":
            source = action[len("range") :].strip()
            if not source:
                raise TemplateError("{range} needs an expression, e.g. {range .items[*]}")
            stack.append((source, compile_expression(source), []))
        else:
            body.append(Expression(action, compile_expression(action)))
    if len(stack) > 1:
        raise TemplateError(f"{{range {stack[-1][0]}}} without {{end}}")
    return tuple(stack[0][2])


def render_template(template: Template | str, data: Any) -> str:
    """What kubectl prints for `-o jsonpath=TEMPLATE` over `data` (no newline is added)."""
    nodes = parse_template(template) if isinstance(template, str) else template
    out: list[str] = []
    _render(nodes, data, out)
    return "".join(out)


def _render(nodes: tuple[Node, ...], data: Any, out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Expression):
            out.append(" ".join(print_value(value) for value in _find(node.path, data)))
        else:
            for item in _find(node.path, data):
                _render(node.body, item, out)


def _find(path: JSONPath, data: Any) -> list[Any]:
    return [match.value for match in path.find(data)]


def print_value(value: Any) -> str:
    """One result as kubectl prints it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, (dict, list)):
        return _go_json(value)
    return str(value)


def _go_json(value: Any) -> str:
    """Go's json.Marshal: compact, keys sorted, <, > and & escaped, numbers as Go writes them."""
    if isinstance(value, dict):
        items = sorted(value.items())
        return "{" + ",".join(f"{_go_json(str(k))}:{_go_json(v)}" for k, v in items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_go_json(item) for item in value) + "]"
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        minus, digits, point = _shortest(value)
        if value != 0 and not 1e-6 <= abs(value) < 1e21:
            return _exponent(minus, digits, point, short=True)
        return _fixed(minus, digits, point)
    text = json.dumps(value, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _go_float(value: float) -> str:
    """Go's fmt %v of a float64: the shortest digits, exponent form from 1e+06 and below 1e-04."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    minus, digits, point = _shortest(value)
    if value != 0 and not -4 <= point - 1 < 6:
        return _exponent(minus, digits, point, short=False)
    return _fixed(minus, digits, point)


def _shortest(value: float) -> tuple[str, str, int]:
    """(sign, the shortest digits that read back as `value`, where the decimal point goes)."""
    if value == 0:
        return ("-" if str(value).startswith("-") else ""), "0", 1
    sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple))
    significant = digits.lstrip("0")
    point = len(digits) + exponent - (len(digits) - len(significant))
    return ("-" if sign else ""), significant.rstrip("0"), point


def _fixed(minus: str, digits: str, point: int) -> str:
    if point <= 0:
        return f"{minus}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return minus + digits + "0" * (point - len(digits))
    return f"{minus}{digits[:point]}.{digits[point:]}"


def _exponent(minus: str, digits: str, point: int, *, short: bool) -> str:
    """1.5e+21 and 1e-07 as fmt writes them; 1e-7 as json does (`short`)."""
    power = point - 1
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{minus}{mantissa}e{'-' if power < 0 else '+'}{abs(power):0{1 if short else 2}d}"


# --- reading ---------------------------------------------------------------------------------


def _split(text: str) -> list[tuple[bool, str]]:
    """The template's parts: (False, text) and (True, what is inside an action's braces)."""
    parts: list[tuple[bool, str]] = []
    i = 0
    while i < len(text):
        start = text.find("{", i)
        if start < 0:
            parts.append((False, text[i:]))
            break
        if start > i:
            parts.append((False, text[i:start]))
        end = _action_end(text, start + 1)
        if end < 0:
            raise TemplateError("unclosed action")
        parts.append((True, text[start + 1 : end]))
        i = end + 1
    return parts


def _action_end(text: str, i: int) -> int:
    """Where the action that starts at `i` ends: its `}`, outside quotes; -1 when it does not."""
    quote = ""
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "}":
            return i
        i += 1
    return -1


def _unquote(action: str) -> str:
    quote = action[0]
    if len(action) < 2 or action[-1] != quote:
        raise TemplateError(f"unterminated quoted string: {action}")
    inner = action[1:-1]

    def escape(match: re.Match[str]) -> str:
        char = match.group(1)
        if char not in _ESCAPES:
            raise TemplateError(f"unknown escape \\{char} in {action}")
        return _ESCAPES[char]

    return re.sub(r"\\(.)", escape, inner, flags=re.DOTALL)


def compile_expression(source: str) -> JSONPath:
    """A kubectl expression (`.a.b[*]`, `@.x`, `$`, `..name`) compiled by jsonpath-ng."""
    from jsonpath_ng.ext.parser import parse

    text = source.strip()
    if text[:1] in ("$", "@"):
        text = text[1:]
    if text in ("", "."):
        path = "$"
    elif text[0] not in ".[":
        raise TemplateError(f"unrecognized identifier {source.split()[0]}")
    else:
        path = "$" + _bracketed(text, source)
    try:
        return parse(path)
    except Exception as error:  # the parser raises several types; its message says where
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise TemplateError(f"cannot read {source}: {detail}") from None


def _bracketed(text: str, source: str) -> str:
    """kubectl's dotted field names in jsonpath-ng's syntax: `.a\\.b/c` as `['a.b/c']`."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "[":
            end = _bracket_end(text, i)
            if end < 0:
                raise TemplateError(f"unterminated array in {source}")
            out.append(text[i : end + 1])
            i = end + 1
            continue
        if char != ".":
            raise TemplateError(f"unexpected {char!r} in {source}")
        recursive = text.startswith("..", i)
        i += 2 if recursive else 1
        name: list[str] = []
        while i < len(text) and text[i] not in ".[":
            if text[i] == "\\" and i + 1 < len(text):
                i += 1
            name.append(text[i])
            i += 1
        field = "".join(name)
        if not field:
            if recursive:
                out.append("..")
                continue
            raise TemplateError(f"empty field name in {source}")
        out.append(".." if recursive else "")
        if field == "*":
            out.append("*" if recursive else "[*]")
        elif _PLAIN_FIELD.fullmatch(field) and recursive:
            out.append(field)
        else:
            out.append("[" + json.dumps(field, ensure_ascii=False) + "]")
    return "".join(out)


def _bracket_end(text: str, i: int) -> int:
    """The `]` that closes the `[` at `i`, past quotes and nested brackets; -1 when none does."""
    depth = 0
    quote = ""
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
            if depth == 0 and char == "]":
                return i
        i += 1
    return -1
