"""One duration grammar for every flag: Go's as kubectl reads it, GEP-2257 for the manifest.

kubectl's behaviour these tables follow was checked against kubectl v1.32 (`kubectl get pods
--request-timeout=V` with an unreachable server; `kubectl wait --timeout=V`) and client-go's
clientcmd.ParseTimeout: a whole number is seconds for --request-timeout only, "1m30s", "1.5s",
".5s", "5.s", "+5s", "1h1h", "1us"/"1µs"/"1ns" are durations, "5x", "1.5", " 5", "1d" are not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import write_kubeconfig
from hypothesis import given
from hypothesis import strategies as st

from kubectl_httproute.cli import root
from kubectl_httproute.cli.common import GlobalFlags, open_cluster
from kubectl_httproute.cli.status import build_status_options
from kubectl_httproute.core import durations as d
from kubectl_httproute.core.options import build_expose_options
from kubectl_httproute.errors import EXIT_USAGE, InvalidInput

GEP_2257 = re.compile(d.GEP_2257_PATTERN)
SECOND = 1_000_000_000
MS = 1_000_000


def refused(call: Callable[[], Any]) -> InvalidInput:
    """Run call, expecting InvalidInput with a hint; return the error."""
    with pytest.raises(InvalidInput) as info:
        call()
    err = info.value
    assert err.hint, f"no hint for: {err.message}"
    assert err.exit_code == EXIT_USAGE
    assert "\n" not in err.hint
    return err


def expose_options(**changes: Any) -> Any:
    """build_expose_options with valid defaults and the given flags changed."""
    flags: dict[str, Any] = {
        "namespace": None,
        "pools": ("qwen-pool",),
        "gateway": "inference-gateway",
        "name": None,
        "section_name": None,
        "hostnames": (),
        "path": "/",
        "path_type": "PathPrefix",
        "headers": (),
        "port": None,
        "route_timeout": None,
        "backend_timeout": None,
        "pool_group": None,
        "dry_run": "none",
        "output": None,
        "yes": True,
        "force_conflicts": False,
        "wait": True,
        "timeout": "60s",
        "record_path": None,
        "no_record": True,
    }
    flags.update(changes)
    return build_expose_options(**flags)


# The three flags that take kubectl's forms, each read the way the plugin reads it: flag text in,
# seconds out.
def request_timeout(text: str) -> float:
    return d.parse_request_timeout(text).seconds


def wait_timeout(text: str) -> float:
    return float(expose_options(timeout=text).wait_timeout_ms) / 1000


def probe_timeout(text: str) -> float:
    options = build_status_options({"route": "qwen-pool", "probe": True, "probe_timeout": text})
    return float(options.probe_timeout)


KUBECTL_FLAGS: dict[str, Callable[[str], float]] = {
    "--request-timeout": request_timeout,
    "--timeout": wait_timeout,
    "--probe-timeout": probe_timeout,
}

# ---------------------------------------------------------------- Go's grammar, in nanoseconds

GO_DURATIONS = [
    ("0", 0),
    ("+0", 0),
    ("-0", 0),
    ("0s", 0),
    ("1m30s", 90 * SECOND),
    ("1.5s", 1500 * MS),
    ("300ms", 300 * MS),
    ("2h45m", (2 * 3600 + 45 * 60) * SECOND),
    ("+5s", 5 * SECOND),
    ("-0s", 0),
    (".5s", 500 * MS),
    ("5.s", 5 * SECOND),
    ("1s.5s", 1500 * MS),
    ("1h1h", 7200 * SECOND),  # parts may repeat and come in any order
    ("1ms1h", 3600 * SECOND + MS),
    ("1us", 1000),
    ("1µs", 1000),  # U+00B5 micro sign
    ("1μs", 1000),  # U+03BC Greek mu
    ("1ns", 1),
    ("1.5ns", 1),  # Go truncates to whole nanoseconds
    ("1.0000000019s", SECOND + 1),
    ("0.001s", MS),
    ("1.25h", 75 * 60 * SECOND),
    ("000123456s", 123_456 * SECOND),
    ("2562047h47m16.854775807s", 2**63 - 1),  # the longest time.Duration
]


@pytest.mark.parametrize(("text", "ns"), GO_DURATIONS)
def test_reads_go_durations_as_time_parse_duration_does(text: str, ns: int) -> None:
    value = d.parse_duration(text, "--timeout")
    assert value == d.Duration(ns)
    assert value.seconds == ns / SECOND


NOT_GO_DURATIONS = [
    ("", "not a duration (empty)"),
    ("5x", 'not a duration (unknown unit "x")'),
    ("1d", 'not a duration (unknown unit "d")'),
    ("1H", 'not a duration (unknown unit "H")'),
    ("1 s", 'not a duration (unknown unit " s")'),
    ("5s ", 'not a duration (unknown unit "s ")'),
    ("1.5", "not a duration (missing unit)"),
    ("1.5.5s", "not a duration (missing unit)"),
    (" 5s", "not a duration"),  # no trimming: kubectl refuses " 5" too
    ("abc", "not a duration"),
    ("s", "not a duration"),
    (".", "not a duration"),
    (".s", "not a duration"),
    ("+", "not a duration"),
    ("-", "not a duration"),
    ("1e3s", 'not a duration (unknown unit "e")'),
    ("0x10s", 'not a duration (unknown unit "x")'),
    ("-5s", "is negative"),
    ("-1ns", "is negative"),
    ("-1.5h", "is negative"),
    ("2562047h47m16.854775808s", "is longer than a duration can be (about 292 years)"),
]


@pytest.mark.parametrize(("text", "problem"), NOT_GO_DURATIONS)
@pytest.mark.parametrize("flag", sorted(KUBECTL_FLAGS))
def test_refuses_what_is_not_a_go_duration_naming_the_flag(
    flag: str, text: str, problem: str
) -> None:
    err = refused(lambda: KUBECTL_FLAGS[flag](text))
    assert err.message == f'{flag} "{text}": {problem}'


# ---------------------------------------------------------------- the rules per kubectl-style flag

# (flag, text, seconds): what each flag accepts beyond the Go forms above, and what it refuses.
ACCEPTED_PER_FLAG = [
    ("--request-timeout", "1m30s", 90.0),  # refused before this change; kubectl takes it
    ("--request-timeout", "1.5s", 1.5),
    ("--request-timeout", "30", 30.0),  # a whole number is seconds, as in kubectl
    ("--request-timeout", "+30", 30.0),
    ("--request-timeout", "007", 7.0),
    ("--request-timeout", "0", 0.0),  # no limit
    ("--request-timeout", "0s", 0.0),
    ("--timeout", "1.5s", 1.5),  # refused before this change
    ("--timeout", "1m30s", 90.0),
    ("--timeout", "0", 0.0),  # Go's bare 0, as `kubectl wait --timeout=0`
    ("--timeout", "500us", 0.001),  # rounded up to a whole millisecond, never to 0
    ("--probe-timeout", "300ms", 0.3),
    ("--probe-timeout", "1.5s", 1.5),
    ("--probe-timeout", "1m", 60.0),
]


@pytest.mark.parametrize(("flag", "text", "seconds"), ACCEPTED_PER_FLAG)
def test_each_flag_accepts_kubectls_forms(flag: str, text: str, seconds: float) -> None:
    assert KUBECTL_FLAGS[flag](text) == pytest.approx(seconds)


REFUSED_PER_FLAG = [
    # A whole number alone is seconds only where kubectl says so: its --request-timeout.
    ("--timeout", "30", "not a duration (missing unit)"),
    ("--probe-timeout", "5", "not a duration (missing unit)"),
    ("--request-timeout", "-5", "is negative"),  # kubectl refuses it too
    ("--request-timeout", "1.5", "not a duration (missing unit)"),
    ("--request-timeout", "99999999999", "is longer than a duration can be (about 292 years)"),
    ("--probe-timeout", "0", "must be more than 0"),
    ("--probe-timeout", "0s", "must be more than 0"),
    ("--probe-timeout", "5x", 'not a duration (unknown unit "x")'),  # not --request-timeout
]


@pytest.mark.parametrize(("flag", "text", "problem"), REFUSED_PER_FLAG)
def test_each_flag_refuses_naming_itself(flag: str, text: str, problem: str) -> None:
    err = refused(lambda: KUBECTL_FLAGS[flag](text))
    assert err.message == f'{flag} "{text}": {problem}'


def test_the_request_timeout_hint_says_bare_seconds_and_0() -> None:
    hint = refused(lambda: request_timeout("soon")).hint
    assert "seconds" in hint and "0 means no limit" in hint
    assert "1m30s" in refused(lambda: wait_timeout("soon")).hint


# ---------------------------------------------------------------- GEP-2257, for the manifest

GEP_2257_DURATIONS = [
    ("0s", 0),
    ("1h", 3_600_000),
    ("30m", 1_800_000),
    ("90s", 90_000),
    ("500ms", 500),
    ("1m30s", 90_000),
    ("1h30m30s500ms", 5_430_500),
    ("01h", 3_600_000),
    ("00060m", 3_600_000),
    ("99999h", 99_999 * 3_600_000),
    ("1s1s", 2_000),  # Go's ParseDuration sums repeated units; the CRD pattern allows it
    ("1ms1h", 3_600_001),
]


@pytest.mark.parametrize(("text", "ms"), GEP_2257_DURATIONS)
def test_gateway_api_durations_stay_as_written(text: str, ms: int) -> None:
    assert d.to_gateway_duration(text, "--backend-timeout") == text
    assert d.check_gateway_duration(text, "--backend-timeout") == d.Duration(ms * MS)


# kubectl forms with an exact GEP-2257 spelling: each part in the largest GEP-2257 unit, no larger
# than its own, that holds it whole; parts GEP-2257 can already spell stay as they are.
REWRITTEN = [
    ("1.5s", "1500ms"),
    ("1.5m", "90s"),
    ("1.5h", "90m"),
    ("1.25h", "75m"),
    ("1.0s", "1s"),
    ("5.s", "5s"),
    (".5s", "500ms"),
    ("0.001s", "1ms"),
    ("1m1.5s", "1m1500ms"),
    ("1s.5s", "1s500ms"),
    ("+5s", "5s"),
    ("0", "0s"),
    ("+0", "0s"),
    ("-0s", "0s"),
    ("2000us", "2ms"),
    ("1000µs", "1ms"),
    ("1000000ns", "1ms"),
]


@pytest.mark.parametrize(("text", "spelled"), REWRITTEN)
def test_kubectl_forms_are_rewritten_to_their_exact_gateway_api_equal(
    text: str, spelled: str
) -> None:
    assert d.to_gateway_duration(text, "--route-timeout") == spelled
    assert GEP_2257.fullmatch(spelled)
    same = d.check_gateway_duration(spelled, "--route-timeout")
    assert same == d.parse_duration(text, "--route-timeout")


NOT_GEP_2257 = [
    ("", "empty"),
    ("90x", 'unknown unit "x"'),
    ("90", "missing unit"),  # a bare number: kubectl's --request-timeout only
    ("1.5", "missing unit"),
    ("1d", 'unknown unit "d"'),
    ("1H", 'unknown unit "H"'),
    ("1 s", 'unknown unit " s"'),
    ("1s\n", 'unknown unit "s\n"'),
    (" 1s", ""),
    ("s", ""),
    ("-1s", "negative"),
    ("-1.5s", "negative"),
    ("1us", "finer than a millisecond"),
    ("1ns", "finer than a millisecond"),
    ("1.0000001s", "finer than a millisecond"),
    ("0.5us0.5ms", "finer than a millisecond"),
    ("1.5ms500us", "1.5ms is finer than a millisecond"),
    ("100000s", "100000s has more than 5 digits"),
    ("000001s", "000001s has more than 5 digits"),
    ("100.5s", "100.5s is 100500ms, more than 5 digits"),
    ("99999.5h", "99999.5h is 5999970m, more than 5 digits"),
    ("1h1m1s1ms1h", "more than 4 parts"),
    ("1.5s1s1s1s1s", "more than 4 parts"),
]


@pytest.mark.parametrize(("text", "reason"), NOT_GEP_2257)
@pytest.mark.parametrize("flag", ["--route-timeout", "--backend-timeout"])
def test_refuses_what_has_no_gateway_api_spelling_naming_flag_and_rule(
    flag: str, text: str, reason: str
) -> None:
    err = refused(lambda: d.to_gateway_duration(text, flag))
    detail = f": {reason}" if reason else ""
    expected = f'{flag} "{text}": not a Gateway API duration (GEP-2257){detail}'
    # One line: a newline in the value is shown escaped, as Go's %q would.
    assert err.message == expected.replace("\n", "\\n")
    assert "1m30s" in err.hint and "0s" in err.hint


@pytest.mark.parametrize("text", ["1.5s", "0", "+5s", "2000us", "", "5x"])
def test_the_strict_check_takes_only_what_the_crd_takes(text: str) -> None:
    err = refused(lambda: d.check_gateway_duration(text, "--route-timeout"))
    assert err.message == f'--route-timeout "{text}": not a Gateway API duration (GEP-2257)'


# ---------------------------------------------------------------- properties

GEP_PARTS = st.tuples(st.integers(0, 99_999), st.sampled_from(d.GATEWAY_UNITS))


@given(st.lists(GEP_PARTS, min_size=1, max_size=4), st.data())
def test_any_gateway_api_duration_round_trips(parts: list[tuple[int, str]], data: Any) -> None:
    # Leading zeros too, as long as a part keeps to 5 digits.
    text = "".join(f"{n:0{data.draw(st.integers(len(str(n)), 5))}d}{unit}" for n, unit in parts)
    assert GEP_2257.fullmatch(text)
    assert d.to_gateway_duration(text, "--route-timeout") == text
    total = sum(n * d.UNIT_NS[unit] for n, unit in parts)
    assert d.check_gateway_duration(text, "--route-timeout").nanoseconds == total
    assert d.parse_duration(text, "--timeout").nanoseconds == total


GO_PARTS = st.tuples(
    st.integers(0, 10_000),
    st.none() | st.text(alphabet="0123456789", max_size=12),
    st.sampled_from(sorted(d.UNIT_NS)),
)


def exact_ns(whole: int, fraction: str | None, unit: str) -> int:
    """A part's nanoseconds, truncated: an oracle written with fractions, not integer scaling."""
    value = Fraction(whole) + (Fraction(int(fraction), 10 ** len(fraction)) if fraction else 0)
    return int(value * d.UNIT_NS[unit])


@given(st.lists(GO_PARTS, min_size=1, max_size=6), st.sampled_from(["", "+"]))
def test_any_go_duration_built_from_parts_parses_to_their_sum(
    parts: list[tuple[int, str | None, str]], sign: str
) -> None:
    text = sign + "".join(
        f"{whole}{'' if fraction is None else '.' + fraction}{unit}"
        for whole, fraction, unit in parts
    )
    total = sum(exact_ns(*part) for part in parts)
    assert d.parse_duration(text, "--timeout").nanoseconds == total
    assert d.parse_request_timeout(text).nanoseconds == total
    if total:
        assert refused(lambda: d.parse_duration("-" + text.lstrip("+"), "--timeout")).message
    # The manifest form, where there is one, is GEP-2257 and exactly as long.
    try:
        spelled = d.to_gateway_duration(text, "--route-timeout")
    except InvalidInput as err:
        assert err.message.startswith('--route-timeout "')
        assert "GEP-2257" in err.message
    else:
        assert GEP_2257.fullmatch(spelled)
        assert d.check_gateway_duration(spelled, "--route-timeout").nanoseconds == total


@given(st.integers(0, 9_223_372_036))
def test_any_whole_number_is_seconds_for_request_timeout_only(seconds: int) -> None:
    assert d.parse_request_timeout(str(seconds)) == d.Duration(seconds * SECOND)
    if seconds:
        assert (
            "missing unit" in refused(lambda: d.parse_duration(str(seconds), "--timeout")).message
        )


@given(st.text(alphabet="0123456789.+-hmsuµnx d", max_size=14))
def test_any_text_is_a_duration_or_a_one_line_refusal_naming_the_flag(text: str) -> None:
    for flag, read in KUBECTL_FLAGS.items():
        try:
            read(text)
        except InvalidInput as err:
            assert err.message.startswith(f'{flag} "{text}": ')
    try:
        spelled = d.to_gateway_duration(text, "--route-timeout")
    except InvalidInput as err:
        assert err.message.startswith(f'--route-timeout "{text}": not a Gateway API duration')
    else:
        assert GEP_2257.fullmatch(spelled)
        assert spelled == text or not GEP_2257.fullmatch(text)


# ---------------------------------------------------------------- through the CLI


def run(*args: str) -> Result:
    return CliRunner().invoke(root, list(args), catch_exceptions=False)


def error_line(result: Result) -> str:
    lines = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_a_bad_probe_timeout_names_probe_timeout() -> None:
    result = run("status", "qwen-pool", "--probe", "--probe-timeout", "5x")
    assert result.exit_code == EXIT_USAGE, result.output
    line = error_line(result)
    assert line.startswith('error: --probe-timeout "5x": not a duration')
    assert "--request-timeout" not in result.output


def test_a_zero_probe_timeout_is_refused() -> None:
    result = run("status", "qwen-pool", "--probe", "--probe-timeout", "0s")
    assert result.exit_code == EXIT_USAGE, result.output
    assert error_line(result).startswith('error: --probe-timeout "0s": must be more than 0')


def test_request_timeout_takes_1m30s(cluster: Any, kubeconfig: Path) -> None:
    result = run("status", "--request-timeout", "1m30s")
    assert result.exit_code in (0, 3), result.output
    assert "error:" not in result.output
    client = open_cluster(GlobalFlags(kubeconfig=str(kubeconfig), request_timeout="1m30s"))
    try:
        assert client.request_timeout == 90.0
    finally:
        client.close()


@pytest.mark.parametrize(("text", "seconds"), [("0", None), ("45", 45.0), ("1.5s", 1.5)])
def test_the_client_gets_the_request_timeout_in_seconds(
    tmp_path: Path, text: str, seconds: float | None
) -> None:
    path = write_kubeconfig(tmp_path / "kc", "http://127.0.0.1:9")
    client = open_cluster(GlobalFlags(kubeconfig=str(path), request_timeout=text))
    try:
        assert client.request_timeout == seconds  # None: no limit
    finally:
        client.close()


def test_a_bad_request_timeout_is_refused_before_the_kubeconfig_is_read(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.yaml")
    result = run("status", "--kubeconfig", missing, "--request-timeout", "1d")
    assert result.exit_code == EXIT_USAGE, result.output
    assert error_line(result).startswith(
        'error: --request-timeout "1d": not a duration (unknown unit "d")'
    )


def test_expose_waits_1_5s(cluster: Any, kubeconfig: Path) -> None:
    args = ("--gateway", "inference-gateway", "--yes", "--no-record", "--timeout", "1.5s")
    result = run("expose", "qwen-pool", *args)
    assert result.exit_code == 0, result.output
    assert "error:" not in result.output
    assert expose_options(timeout="1.5s").wait_timeout_ms == 1500


def dry_run(*args: str) -> Result:
    return run("expose", "qwen-pool", "--gateway", "gw", "--dry-run=client", *args)


def test_an_empty_route_timeout_is_refused_not_taken_for_0s() -> None:
    result = dry_run("--route-timeout", "")
    assert result.exit_code == EXIT_USAGE, result.output
    assert error_line(result).startswith(
        'error: --route-timeout "": not a Gateway API duration (GEP-2257): empty'
    )
    result = dry_run("--backend-timeout", "")
    assert result.exit_code == EXIT_USAGE, result.output
    assert error_line(result).startswith('error: --backend-timeout ""')


def test_the_manifest_gets_the_gateway_api_spelling() -> None:
    result = dry_run("--route-timeout", "1.5m", "--backend-timeout", "1.5s")
    assert result.exit_code == 0, result.output
    assert "request: 90s" in result.output
    assert "backendRequest: 1500ms" in result.output


def test_the_backend_limit_compares_rewritten_values() -> None:
    result = dry_run("--route-timeout", "1.5s", "--backend-timeout", "1501ms")
    assert result.exit_code == EXIT_USAGE, result.output
    assert "--backend-timeout" in error_line(result) and "longer than" in error_line(result)
    assert dry_run("--route-timeout", "1.5s", "--backend-timeout", "1500ms").exit_code == 0


def test_durations_imports_nothing_from_cluster_or_cli() -> None:
    source = d.__file__
    assert source is not None
    with open(source, encoding="utf-8") as handle:
        imports = [line for line in handle if line.startswith(("import ", "from "))]
    # Pure: the standard library's re and typing, and the plugin's error types; no I/O.
    modules = sorted(line.split()[1] for line in imports)
    assert modules == ["..errors", "__future__", "re", "typing"]
