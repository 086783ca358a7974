"""The one duration grammar of every flag: Go's, as kubectl reads it, and GEP-2257 for manifests.

kubectl reads its duration flags with Go's time.ParseDuration: an optional sign, then one or more
decimal numbers, each with an optional fraction and a unit (ns, us or µs, ms, s, m, h), such as
300ms, 1.5s, 1m30s or 2h45m; a bare 0 is zero. Its --request-timeout also takes a whole number of
seconds (client-go's clientcmd.ParseTimeout). HTTPRoute timeouts go into the manifest, where the
CRD allows only GEP-2257's subset: 1 to 4 parts of at most 5 digits in h, m, s or ms.

Pure: standard library only, no I/O; it runs on the fast path of every command.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..errors import InvalidInput

# The CRD's pattern for rules[].timeouts (tests/test_validation.py checks it against the CRD).
GEP_2257_PATTERN = r"^([0-9]{1,5}(h|m|s|ms)){1,4}$"
GEP_2257_MAX_DIGITS = 5
GEP_2257_MAX_PARTS = 4

NS_PER_MS = 1_000_000
NS_PER_S = 1_000_000_000
# Go's time.unitMap: both micro signs (U+00B5 and U+03BC) mean microseconds.
UNIT_NS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "μs": 1_000,
    "ms": NS_PER_MS,
    "s": NS_PER_S,
    "m": 60 * NS_PER_S,
    "h": 3600 * NS_PER_S,
}
# GEP-2257's units, largest first.
GATEWAY_UNITS = ("h", "m", "s", "ms")
# A Go time.Duration is an int64 count of nanoseconds (about 292 years).
MAX_NS = 2**63 - 1

# fullmatch, never match: Python's `$` also matches before a trailing newline.
_GEP_2257 = re.compile(GEP_2257_PATTERN)
# One part as Go scans it: digits, an optional fraction, a unit (up to the next digit or '.').
_GO_PART = re.compile(r"([0-9]*)(?:\.([0-9]*))?([^0-9.]*)")
_WHOLE_SECONDS = re.compile(r"[+-]?[0-9]+")

GATEWAY_HINT = "use 1h, 30m, 90s, 500ms or combinations like 1m30s; 0s means no timeout"
KUBECTL_HINT = "use a duration such as 30s, 1m30s, 1.5s or 500ms (units h, m, s, ms, us, ns)"
REQUEST_TIMEOUT_HINT = (
    "use a number of seconds or a duration such as 30s, 1m30s or 1.5s; 0 means no limit"
)


class Duration(NamedTuple):
    """A length of time in whole nanoseconds, as Go's time.Duration holds it."""

    nanoseconds: int

    @property
    def seconds(self) -> float:
        return self.nanoseconds / NS_PER_S

    @property
    def milliseconds(self) -> int:
        """Whole milliseconds, rounded up: no duration above zero becomes 0."""
        return -(-self.nanoseconds // NS_PER_MS)


class _Part(NamedTuple):
    text: str  # as given, e.g. "1.5s"
    whole: str  # the digits before the '.', possibly ""
    fraction: str | None  # the digits after the '.', None without a '.'
    unit: str
    nanoseconds: int  # truncated to whole nanoseconds, as Go does


class _NotADuration(ValueError):
    """Go's time.ParseDuration would refuse the text; the argument says why, or is empty."""


def _scan(text: str) -> tuple[int, tuple[_Part, ...]]:
    """Read text as time.ParseDuration does: (sign, parts); raise _NotADuration otherwise."""
    sign, rest = 1, text
    if rest[:1] in ("+", "-"):
        sign, rest = (-1 if rest[0] == "-" else 1), rest[1:]
    if rest == "0":
        return sign, ()
    if not rest:
        raise _NotADuration("empty" if not text else "")
    parts = []
    pos = 0
    while pos < len(rest):
        found = _GO_PART.match(rest, pos)
        assert found is not None  # every group may be empty
        whole, fraction, unit = found.groups()
        if not whole and not fraction:
            raise _NotADuration("")
        if not unit:
            raise _NotADuration("missing unit")
        if unit not in UNIT_NS:
            raise _NotADuration(f'unknown unit "{unit}"')
        scale = UNIT_NS[unit]
        ns = int(whole or "0") * scale
        if fraction:
            ns += int(fraction) * scale // 10 ** len(fraction)
        parts.append(_Part(found.group(0), whole, fraction, unit, ns))
        pos = found.end()
    return sign, tuple(parts)


def _go_nanoseconds(text: str) -> int:
    """time.ParseDuration(text) in nanoseconds, unbounded; raise _NotADuration if Go would."""
    sign, parts = _scan(text)
    return sign * sum(part.nanoseconds for part in parts)


def _refuse(flag: str, text: str, problem: str, hint: str) -> InvalidInput:
    return InvalidInput(f'{flag} "{text}": {problem}', hint)


def parse_duration(
    text: str, flag: str, *, bare_seconds: bool = False, allow_zero: bool = True
) -> Duration:
    """Read a kubectl-style duration flag (Go's grammar), refusing negatives; errors name flag.

    bare_seconds: a whole number alone is seconds, as kubectl's --request-timeout reads it.
    allow_zero: whether 0 is a valid value (it means "no limit" for --request-timeout).
    """
    hint = REQUEST_TIMEOUT_HINT if bare_seconds else KUBECTL_HINT
    try:
        if bare_seconds and _WHOLE_SECONDS.fullmatch(text):
            ns = int(text) * NS_PER_S
        else:
            ns = _go_nanoseconds(text)
    except _NotADuration as exc:
        problem = f"not a duration ({exc})" if str(exc) else "not a duration"
        raise _refuse(flag, text, problem, hint) from None
    if abs(ns) > MAX_NS:
        # Go refuses it; kubectl's whole seconds wrap around instead (int64 nanoseconds).
        raise _refuse(flag, text, "is longer than a duration can be (about 292 years)", hint)
    if ns < 0:
        raise _refuse(flag, text, "is negative", hint)
    if ns == 0 and not allow_zero:
        raise _refuse(flag, text, "must be more than 0", hint)
    return Duration(ns)


def parse_request_timeout(text: str, flag: str = "--request-timeout") -> Duration:
    """kubectl's --request-timeout: a whole number of seconds or a duration; 0 means no limit."""
    return parse_duration(text, flag, bare_seconds=True)


def check_gateway_duration(text: str, flag: str) -> Duration:
    """Return the length of a GEP-2257 duration (what the CRD accepts), else raise InvalidInput."""
    if not _GEP_2257.fullmatch(text):
        raise _gateway_refusal(flag, text, "")
    return Duration(_go_nanoseconds(text))


def to_gateway_duration(text: str, flag: str) -> str:
    """Return text as a GEP-2257 duration, for the manifest: unchanged when it already is one.

    A Go form that GEP-2257 cannot spell is rewritten part by part, each part in the largest
    GEP-2257 unit, no larger than its own, that holds it whole (1.5s -> 1500ms, 1.5h -> 90m,
    2000us -> 2ms, +5s -> 5s, 0 -> 0s); the other parts stay as written. What has no exact
    equivalent (negative, finer than a millisecond, a part over 5 digits, more than 4 parts)
    is refused, naming flag and the rule.
    """
    if _GEP_2257.fullmatch(text):
        return text
    try:
        sign, parts = _scan(text)
    except _NotADuration as exc:
        raise _gateway_refusal(flag, text, str(exc)) from None
    total = sum(part.nanoseconds for part in parts)
    if sign < 0 and total:
        raise _gateway_refusal(flag, text, "negative")
    if not parts:
        return "0s"
    if total % NS_PER_MS:
        raise _gateway_refusal(flag, text, "finer than a millisecond")
    if len(parts) > GEP_2257_MAX_PARTS:
        raise _gateway_refusal(flag, text, f"more than {GEP_2257_MAX_PARTS} parts")
    spelled = "".join(_gateway_part(part, flag, text) for part in parts)
    # Each part above is exact, so the sum is too; the pattern is the CRD's last word.
    assert _GEP_2257.fullmatch(spelled), spelled
    return spelled


def _gateway_part(part: _Part, flag: str, text: str) -> str:
    """One part in GEP-2257's spelling, or a refusal saying why it has none."""
    if part.fraction is None and part.unit in GATEWAY_UNITS:
        # Already GEP-2257's form: kept as written, leading zeros and all.
        if len(part.whole) > GEP_2257_MAX_DIGITS:
            reason = f"{part.text} has more than {GEP_2257_MAX_DIGITS} digits"
            raise _gateway_refusal(flag, text, reason)
        return part.text
    own = UNIT_NS[part.unit]
    units = [u for u in GATEWAY_UNITS if UNIT_NS[u] <= own] or ["ms"]
    unit = next((u for u in units if part.nanoseconds % UNIT_NS[u] == 0), None)
    if unit is None:
        raise _gateway_refusal(flag, text, f"{part.text} is finer than a millisecond")
    number = str(part.nanoseconds // UNIT_NS[unit])
    if len(number) > GEP_2257_MAX_DIGITS:
        reason = f"{part.text} is {number}{unit}, more than {GEP_2257_MAX_DIGITS} digits"
        raise _gateway_refusal(flag, text, reason)
    return f"{number}{unit}"


def _gateway_refusal(flag: str, text: str, reason: str) -> InvalidInput:
    detail = f": {reason}" if reason else ""
    return _refuse(flag, text, f"not a Gateway API duration (GEP-2257){detail}", GATEWAY_HINT)
