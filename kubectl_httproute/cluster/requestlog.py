"""kubectl's request log for `-v`: the lines client-go's debugging round tripper writes, in klog's
text format, with every credential and Secret value masked.

Levels as kubectl's: 6 one "Response" line per request (verb, url, status, milliseconds);
7 the request's headers, then its status and time; 8 the response's headers too, and the request
and response bodies, cut at 1024 characters; 9 the request as a curl command and whole bodies.
This module only builds the lines; the command line says where they are written.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

LEVEL_REQUESTS = 6
LEVEL_HEADERS = 7
LEVEL_BODIES = 8
LEVEL_CURL = 9
BODY_LIMIT = 1024  # at 8; whole bodies at 9
MASKED = "<masked>"
# Shorter values are not searched for in the text (a PEM's last line may be "Zw=="): headers
# are masked whatever their length.
MIN_SECRET = 8
REDACTED = "<redacted>"
# client-go's maskValue: the scheme of these stays readable ("Bearer <masked>").
KNOWN_AUTH_SCHEMES = ("bearer", "basic", "negotiate")
SECRET_HEADERS = ("authorization", "proxy-authorization", "cookie")
# Go's http.StatusText where it differs from Python's phrase (renamed by RFC 9110).
GO_STATUS_TEXT = {
    413: "Request Entity Too Large",
    414: "Request URI Too Long",
    416: "Requested Range Not Satisfiable",
    422: "Unprocessable Entity",
}

GO_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}

Headers = Iterable[tuple[str, str]]


class RequestLog:
    """Writes kubectl's `-v` lines for each request, through `write` (one line, maybe several
    physical lines, per call). `secrets` are values never written (tokens, keys)."""

    def __init__(
        self,
        level: int,
        write: Callable[[str], None],
        secrets: Iterable[str] = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.level = level
        self._write = write
        self._secrets = {s for s in secrets if len(s) >= MIN_SECRET}
        self._clock = clock
        self._pid = os.getpid()

    def before(self, method: str, url: str, headers: dict[str, str], body: str | None) -> None:
        """The lines before the request is sent (level 7 and up)."""
        for name, value in headers.items():
            if name.lower() in SECRET_HEADERS:
                self._remember_credential(value)
        if self.level < LEVEL_HEADERS:
            return
        if self.level >= LEVEL_BODIES and body is not None:
            self._emit("Request Body", [("body", self._body(body))])
        if self.level >= LEVEL_CURL:
            self._emit("Request", [("curlCommand", curl_command(method, url, headers))])
        elif self.level >= LEVEL_HEADERS:
            self._emit(
                "Request",
                [("verb", method), ("url", url), ("headers", header_block(headers.items()))],
            )

    def after(
        self,
        method: str,
        url: str,
        status: int | None,
        headers: Headers,
        milliseconds: int,
        body: bytes | None,
    ) -> None:
        """The lines once the answer came (status None: no answer, as kubectl's empty status)."""
        if self.level < LEVEL_REQUESTS:
            return
        fields: list[tuple[str, Any]] = []
        if self.level == LEVEL_REQUESTS or self.level >= LEVEL_CURL:
            fields += [("verb", method), ("url", url)]
        fields.append(("status", status_text(status)))
        if self.level >= LEVEL_BODIES:
            fields.append(("headers", header_block(headers)))
        fields.append(("milliseconds", milliseconds))
        self._emit("Response", fields)
        if self.level >= LEVEL_BODIES and body is not None:
            self._emit("Response Body", [("body", self._body(body.decode(errors="replace")))])

    # --- the lines ---------------------------------------------------------------------------

    def _emit(self, message: str, fields: list[tuple[str, Any]]) -> None:
        caller = sys._getframe(1)
        line = klog_header(self._clock(), self._pid, f"requestlog.py:{caller.f_lineno}")
        line += klog_quote(message)
        for key, value in fields:
            line += f" {key}" + (f"={value}" if isinstance(value, int) else klog_value(value))
        self._write(self._scrub(line))

    def _body(self, text: str) -> str:
        text = redact_secret_data(text)
        if self.level < LEVEL_CURL and len(text) > BODY_LIMIT:
            return text[:BODY_LIMIT] + f" [truncated {len(text) - BODY_LIMIT} chars]"
        return text

    def _remember_credential(self, value: str) -> None:
        scheme, _, credential = value.partition(" ")
        value = credential or scheme
        if len(value) >= MIN_SECRET:
            self._secrets.add(value)

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASKED)
        return text


def klog_header(now: float, pid: int, source: str) -> str:
    """klog's `Lmmdd hh:mm:ss.uuuuuu threadid file:line] ` for an info line."""
    stamp = time.localtime(now)
    micros = int((now % 1) * 1_000_000)
    return f"I{time.strftime('%m%d %H:%M:%S', stamp)}.{micros:06d} {pid:>7} {source}] "


def klog_value(value: str) -> str:
    """`=value` as klog writes a string: quoted as Go does, or, with line breaks, as
    `=<` lines indented by a tab ` >`."""
    if "\n" not in value:
        return "=" + klog_quote(value)
    lines = value.split("\n")
    ends_with_break = lines[-1] == ""
    body = "".join(f"\t{line}\n" for line in (lines[:-1] if ends_with_break else lines))
    return "=<\n" + body + " >"


def klog_quote(text: str) -> str:
    """Go's strconv.Quote: printable characters as they are, the rest escaped."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char in GO_ESCAPES:
            out.append(GO_ESCAPES[char])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif not char.isprintable() and char != " ":
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def header_block(headers: Headers) -> str:
    """One `Name: value` line per value, by name, credentials masked (client-go's headers)."""
    lines = sorted((canonical_header(name), mask_header(name, value)) for name, value in headers)
    return "".join(f"{name}: {value}\n" for name, value in lines)


def curl_command(method: str, url: str, headers: dict[str, str]) -> str:
    """client-go's `curl -v -XVERB  -H "Name: value" ... 'url'`, credentials masked."""
    options = "".join(
        " -H " + klog_quote(f"{name}: {value}")
        for name, value in sorted(
            (canonical_header(name), mask_header(name, value)) for name, value in headers.items()
        )
    )
    return f"curl -v -X{method} {options} '{url}'\n"


def canonical_header(name: str) -> str:
    """Go's canonical MIME header key: `content-type` → `Content-Type`."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def mask_header(name: str, value: str) -> str:
    """client-go's maskValue: `Bearer <masked>` for credentials, the value for the rest."""
    if name.lower() not in SECRET_HEADERS or not value:
        return value
    scheme = value.split(" ", 1)[0]
    if name.lower() == "cookie" or scheme.lower() not in KNOWN_AUTH_SCHEMES:
        return MASKED
    return f"{scheme} {MASKED}" if len(value) > len(scheme) + 1 else scheme


def status_text(status: int | None) -> str:
    """Go's `200 OK`; empty when no answer came."""
    if status is None:
        return ""
    import http

    try:
        phrase = GO_STATUS_TEXT.get(status) or http.HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    return f"{status} {phrase}".rstrip()


def redact_secret_data(text: str) -> str:
    """The body with the values of a Secret's (or a SecretList's) `data` and `stringData`
    replaced; anything else as it was."""
    if "Secret" not in text:
        return text
    try:
        body = json.loads(text)
    except ValueError:
        return text
    if not isinstance(body, dict):
        return text
    secrets = [body] if body.get("kind") == "Secret" else []
    if body.get("kind") == "SecretList":
        secrets += [item for item in body.get("items") or [] if isinstance(item, dict)]
    changed = False
    for secret in secrets:
        for key in ("data", "stringData"):
            values = secret.get(key)
            if isinstance(values, dict) and values:
                secret[key] = {name: REDACTED for name in values}
                changed = True
    return json.dumps(body) if changed else text
