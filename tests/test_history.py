"""`history`: the revisions kept on a route, and changes made by others, from one read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from fakekube import objects as o
from golden import assert_golden
from history_helpers import (
    REVISIONS,
    apply_with_kubectl,
    edit_with_kubectl,
    expose_three_times,
    run,
    same_times,
    set_weights_with_kubectl,
    stored_route,
)

from kubectl_httproute.cli.completion import complete
from kubectl_httproute.core.history import HistoryEntry
from kubectl_httproute.render.history import render_history_table


def test_lists_each_revision_oldest_first_with_its_command_and_split(
    cluster: Any, kubeconfig: Path
) -> None:
    expose_three_times(cluster)

    result = run("history", "qwen-pool")

    assert result.exit_code == 0, result.output
    assert_golden("history/three_revisions.txt", same_times(result.output))


def test_the_table_layout_with_an_outside_change() -> None:
    rules: list[dict[str, Any]] = []
    entries = [
        HistoryEntry(1, "2026-05-01T10:00:00Z", "alice", "inferroute expose qwen", "qwen=1", rules),
        HistoryEntry(
            2, "2026-05-02T10:00:00Z", "bob", "inferroute shift qwen v2=10", "qwen=90 v2=10", rules
        ),
        HistoryEntry(
            None,
            "2026-05-03T10:00:00Z",
            "kubectl-edit",
            "(changed outside kubectl-inferroute)",
            "qwen=50 v2=50",
            rules,
        ),
    ]
    assert_golden("history/outside_change.txt", render_history_table(entries) + "\n")


def test_a_change_made_with_kubectl_shows_as_its_own_row(cluster: Any, kubeconfig: Path) -> None:
    expose_three_times(cluster)
    set_weights_with_kubectl(cluster, (50, 50))

    result = run("history", "qwen-pool")

    assert result.exit_code == 0, result.output
    last = result.output.splitlines()[-1].split()
    assert last[0] == "-"
    assert last[2] == "kubectl-edit"
    assert "(changed outside kubectl-inferroute)" in result.output
    assert last[-2:] == ["qwen-pool=50", "qwen-b=50"]
    edited_at = next(
        e["time"]
        for e in stored_route(cluster)["metadata"]["managedFields"]
        if e["manager"] == "kubectl-edit"
    )
    assert last[1] == edited_at


def test_a_server_side_apply_by_kubectl_shows_as_its_own_row(
    cluster: Any, kubeconfig: Path
) -> None:
    expose_three_times(cluster)
    rules = stored_route(cluster)["spec"]["rules"]
    rules[0]["backendRefs"] = rules[0]["backendRefs"][1:]  # all traffic to qwen-b
    apply_with_kubectl(cluster, rules)

    report = json.loads(run("history", "qwen-pool", "-o", "json").output)

    last = report["revisions"][-1]
    assert (last["number"], last["outside"], last["user"]) == (None, True, "kubectl")
    assert last["split"] == "qwen-b=10"
    assert [r["number"] for r in report["revisions"]] == [1, 2, 3, None]


def test_a_change_to_labels_only_is_no_change_to_the_traffic(
    cluster: Any, kubeconfig: Path
) -> None:
    expose_three_times(cluster)
    edit_with_kubectl(cluster, {"metadata": {"labels": {"team": "a"}}})

    result = run("history", "qwen-pool")

    assert result.exit_code == 0, result.output
    assert "outside" not in result.output
    assert len(result.output.splitlines()) == 1 + 3


def test_json_is_the_documented_structure(cluster: Any, kubeconfig: Path) -> None:
    expose_three_times(cluster)
    set_weights_with_kubectl(cluster, (50, 50))

    result = run("history", "qwen-pool", "-o", "json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["apiVersion"] == "inferroute/v1"
    assert report["kind"] == "RouteHistory"
    assert report["route"] == {"namespace": "llm", "name": "qwen-pool"}
    assert [r["number"] for r in report["revisions"]] == [1, 2, 3, None]
    assert [r["outside"] for r in report["revisions"]] == [False, False, False, True]
    # Sorted, as kubectl's -o json prints keys (changed on purpose from the insertion order).
    assert list(report["revisions"][0]) == [
        "command",
        "number",
        "outside",
        "rules",
        "split",
        "time",
        "user",
    ]
    assert report["revisions"][2]["split"] == "qwen-pool=90 qwen-b=10"
    assert report["revisions"][1]["rules"][0]["matches"][0]["path"]["value"] == "/v1"
    assert report["revisions"][3]["rules"] == stored_route(cluster)["spec"]["rules"]
    assert report["warnings"] == []


def test_yaml_holds_the_same_structure(cluster: Any, kubeconfig: Path) -> None:
    expose_three_times(cluster)

    as_yaml = yaml.safe_load(run("history", "qwen-pool", "-o", "yaml").output)
    as_json = json.loads(run("history", "qwen-pool", "-o", "json").output)

    assert as_yaml == as_json


def test_jsonpath_picks_fields(cluster: Any, kubeconfig: Path) -> None:
    expose_three_times(cluster)

    result = run("history", "qwen-pool", "-o", "jsonpath={.revisions[*].number}")

    assert result.output == "1 2 3"


def test_a_route_without_revisions_is_one_clear_line(cluster: Any, kubeconfig: Path) -> None:
    cluster.add(o.httproute("made-by-kubectl", "llm"))

    result = run("history", "made-by-kubectl")

    assert result.exit_code == 0, result.output
    assert result.output == (
        "HTTPRoute llm/made-by-kubectl has no revisions: none of its changes was made by "
        "kubectl-inferroute (expose, shift and rollback record one each)\n"
    )


def test_a_corrupt_annotation_is_a_warning_not_a_failure(cluster: Any, kubeconfig: Path) -> None:
    route = o.httproute("qwen-pool", "llm")
    route["metadata"]["annotations"] = {REVISIONS: "[{not json"}
    cluster.add(route)

    result = run("history", "qwen-pool")

    assert result.exit_code == 0, result.output
    assert "! warning: httproute/llm/qwen-pool: annotation" in result.stderr
    assert f"kubectl annotate httproute qwen-pool {REVISIONS}-" in result.stderr
    assert "has no revisions" in result.stdout


def test_a_missing_route_is_one_line_with_the_fix(cluster: Any, kubeconfig: Path) -> None:
    result = run("history", "nope")

    assert result.exit_code == 1
    assert result.output == (
        'error: HTTPRoute "nope" not found in namespace "llm"; '
        "list the routes with `kubectl inferroute status -n llm`\n"
    )


def test_a_bad_route_name_is_refused_before_any_request(cluster: Any, kubeconfig: Path) -> None:
    cluster.clear_requests()

    result = run("history", "Not_A_Name")

    assert result.exit_code == 2
    assert len(result.output.splitlines()) == 1
    assert cluster.requests == []


def test_history_reads_only(cluster: Any, kubeconfig: Path) -> None:
    expose_three_times(cluster)
    before = cluster.snapshot()
    cluster.clear_requests()

    run("history", "qwen-pool")

    assert [r.method for r in cluster.requests] == ["GET"]
    assert cluster.snapshot() == before


def test_history_takes_kubectls_global_flags_after_the_command(
    cluster: Any, kubeconfig: Path
) -> None:
    expose_three_times(cluster)

    result = run("history", "qwen-pool", "-n", "default")

    assert result.exit_code == 1
    assert 'not found in namespace "default"' in result.output


def test_completes_route_names(cluster: Any, kubeconfig: Path) -> None:
    expose_three_times(cluster)

    assert [str(i.value) for i in complete(["history"], "")] == ["qwen-pool"]
    assert [str(i.value) for i in complete(["rollback"], "qw")] == ["qwen-pool"]
