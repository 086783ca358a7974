"""Findings as text: one marks table and one line shape, for expose's preflight and status."""

from __future__ import annotations

from kubectl_httproute.core.findings import ERROR, INFO, WARNING, Finding
from kubectl_httproute.render.findings import MARKS, render_findings


def test_render_carries_the_fix_and_the_yaml() -> None:
    findings = [
        Finding(ERROR, "", "you may not patch x", "ask", check="permission", blocking=True),
        Finding(ERROR, "", "no listener", "change it", check="listener", blocking=True),
        Finding(WARNING, "", "grant", "", "kind: ReferenceGrant\n", check="reference-grant"),
    ]
    text = render_findings(findings)
    assert "✗ error: you may not patch x\n      fix: ask" in text
    assert "      kind: ReferenceGrant" in text


def test_preflight_findings_are_indented_with_fix_and_yaml_below() -> None:
    findings = [
        Finding(INFO, "", "listener(s) that admit it: http"),
        Finding(WARNING, "", "no grant", "create it", "kind: ReferenceGrant\nmetadata: {}\n"),
    ]
    assert render_findings(findings) == (
        "  · info: listener(s) that admit it: http\n"
        "  ! warning: no grant\n"
        "      fix: create it\n"
        "      kind: ReferenceGrant\n"
        "      metadata: {}\n"
    )
    assert render_findings([]) == ""


def test_status_findings_name_their_subject_flush_left() -> None:
    from kubectl_httproute.render.status import _finding_block

    finding = Finding(ERROR, "HTTPRoute llm/r", "not permitted", "create it", "kind: X\n")
    assert _finding_block(finding) == (
        "✗ error: HTTPRoute llm/r: not permitted\n  fix: create it\n    kind: X"
    )


def test_every_severity_has_a_mark_and_none_reads_as_kubectls_error() -> None:
    assert set(MARKS) == {ERROR, WARNING, INFO}
    assert MARKS == {ERROR: "✗", WARNING: "!", INFO: "·"}
