"""`expose` keeps the route's revision history on the route, in the same apply as the change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from kubectl_httproute.cli import root
from kubectl_httproute.core.revisions import find_outside_change, list_revisions, redact_command

ROUTES = "gateway.networking.k8s.io/v1"


def run(*args: str) -> Result:
    return CliRunner().invoke(root, list(args), catch_exceptions=False)


def stored_route(cluster: Any) -> Any:
    return cluster.get(ROUTES, "httproutes", "llm", "qwen-pool")


def route_writes(cluster: Any) -> list[Any]:
    return [
        r
        for r in cluster.requests
        if r.method == "PATCH" and "httproutes" in r.path and r.query.get("dryRun") != ["All"]
    ]


def test_the_first_expose_records_revision_one_with_its_command_and_user(
    cluster: Any, kubeconfig: Path
) -> None:
    result = run("expose", "qwen-pool", "--gateway", "inference-gateway", "--yes", "--no-record")
    assert result.exit_code == 0, result.output
    revisions, findings = list_revisions(stored_route(cluster))
    assert findings == []
    assert [r.number for r in revisions] == [1]
    assert revisions[0].command == (
        "inferroute expose qwen-pool --gateway inference-gateway --yes --no-record"
    )
    assert revisions[0].user == "tester"
    assert revisions[0].time.endswith("Z")


def test_the_revision_is_written_by_the_apply_that_makes_the_change(
    cluster: Any, kubeconfig: Path
) -> None:
    run("expose", "qwen-pool", "--gateway", "inference-gateway", "--yes", "--no-record")
    assert len(route_writes(cluster)) == 1


def test_the_live_rules_match_the_last_revision_so_no_outside_change_shows(
    cluster: Any, kubeconfig: Path
) -> None:
    run("expose", "qwen-pool", "--gateway", "inference-gateway", "--yes", "--no-record")
    route = stored_route(cluster)
    revisions, _ = list_revisions(route)
    assert find_outside_change(route, revisions) is None


def test_an_unchanged_rerun_adds_no_revision_and_applies_nothing(
    cluster: Any, kubeconfig: Path
) -> None:
    args = ("expose", "qwen-pool", "--gateway", "inference-gateway", "--yes", "--no-record")
    run(*args)
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert "unchanged" in result.output
    assert [r.number for r in list_revisions(stored_route(cluster))[0]] == [1]
    assert len(route_writes(cluster)) == 1


def test_a_change_adds_the_next_revision_and_keeps_the_earlier_one(
    cluster: Any, kubeconfig: Path
) -> None:
    run("expose", "qwen-pool", "--gateway", "inference-gateway", "--yes", "--no-record")
    result = run(
        "expose",
        "qwen-pool",
        "--gateway",
        "inference-gateway",
        "--path",
        "/v1",
        "--yes",
        "--no-record",
    )
    assert result.exit_code == 0, result.output
    revisions, _ = list_revisions(stored_route(cluster))
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[0].digest != revisions[1].digest
    assert "--path /v1" in revisions[1].command


def test_a_secret_flag_never_reaches_the_recorded_command() -> None:
    # No flag of ours takes a secret today; a kubeconfig-style one, if ever added, is redacted.
    assert redact_command(["--token=abc", "status"]) == "inferroute --token=REDACTED status"
    assert redact_command(["--password", "abc", "x"]) == "inferroute --password REDACTED x"
    assert redact_command(["expose", "a b"]) == "inferroute expose 'a b'"


def test_a_refused_change_records_no_revision(cluster: Any, kubeconfig: Path) -> None:
    result = run("expose", "qwen-pool", "--gateway", "inference-gateway", "--no-record")
    assert result.exit_code == 4
    assert stored_route(cluster) is None
