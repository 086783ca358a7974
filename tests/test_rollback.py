"""`rollback`: a revision's rules restored through the same steps as `expose`, through the CLI,
against the test API server and its controller simulator."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from golden import assert_golden
from history_helpers import (
    REVISIONS,
    ROUTES,
    expose_three_times,
    run,
    same_times,
    set_weights_with_kubectl,
    stored_route,
)

from kubectl_httproute.core.revisions import find_outside_change, list_revisions


def revisions_of(cluster: Any) -> list[Any]:
    return list_revisions(stored_route(cluster))[0]


def real_writes(cluster: Any) -> list[Any]:
    return [
        r
        for r in cluster.requests
        if r.method in ("POST", "PUT", "PATCH", "DELETE")
        and "/selfsubject" not in r.path
        and r.query.get("dryRun") != ["All"]
    ]


# --- restoring each revision ------------------------------------------------------------------


def test_rolls_back_to_each_revision_of_a_route_changed_three_times(
    cluster: Any, kubeconfig: Path
) -> None:
    expose_three_times(cluster)
    kept = {r.number: r.rules for r in revisions_of(cluster)}
    assert kept[1] != kept[2] != kept[3]

    for number, newest in ((1, 4), (3, 5), (2, 6)):
        result = run("rollback", "qwen-pool", "--to-revision", str(number), "--yes", "--no-record")

        assert result.exit_code == 0, result.output
        route = stored_route(cluster)
        assert route["spec"]["rules"] == kept[number]
        assert route["spec"]["parentRefs"] == [
            {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "inference-gateway"}
        ]
        revisions = revisions_of(cluster)
        assert revisions[-1].number == newest
        assert revisions[-1].rules == kept[number]
        assert revisions[-1].command == (
            f"inferroute rollback qwen-pool --to-revision {number} --yes --no-record"
            f"  # restores revision {number}"
        )
        assert find_outside_change(route, revisions) is None
        assert "Verdict: Ready" in result.output


def test_by_default_restores_the_revision_before_the_newest(cluster: Any, kubeconfig: Path) -> None:
    expose_three_times(cluster)
    second = revisions_of(cluster)[1]

    result = run("rollback", "qwen-pool", "--yes", "--no-record")

    assert result.exit_code == 0, result.output
    assert stored_route(cluster)["spec"]["rules"] == second.rules
    assert "restores the rules of revision 2, the revision before the newest (3)" in result.output
    assert "traffic split: qwen-pool=90 qwen-b=10 → qwen-pool=1" in result.output
    assert "spec.rules[0].backendRefs[0].weight: 90 → 1" in result.output
    assert "httproute.gateway.networking.k8s.io/qwen-pool configured" in result.output


def test_shows_the_plan_and_the_servers_changes_before_applying(
    cluster: Any, kubeconfig: Path
) -> None:
    expose_three_times(cluster)

    out = run("rollback", "qwen-pool", "--yes", "--no-record").output

    order = [
        "Rollback of HTTPRoute llm/qwen-pool",
        "Preflight checks",
        "Server dry-run",
        "Changes to the live HTTPRoute llm/qwen-pool",
        "configured (server-side apply)",
        "Verdict: Ready",
    ]
    assert [out.index(line) for line in order] == sorted(out.index(line) for line in order)


def test_rolling_back_to_the_live_revision_applies_nothing(cluster: Any, kubeconfig: Path) -> None:
    expose_three_times(cluster)
    before = cluster.snapshot()
    cluster.clear_requests()

    result = run("rollback", "qwen-pool", "--to-revision", "3", "--yes", "--no-record")

    assert result.exit_code == 0, result.output
    assert "unchanged (the server has it already: nothing to apply)" in result.output
    assert real_writes(cluster) == []
    assert cluster.snapshot() == before


# --- refusals: nothing changed ----------------------------------------------------------------


def test_refuses_without_a_terminal_and_changes_nothing(cluster: Any, kubeconfig: Path) -> None:
    expose_three_times(cluster)
    before = cluster.snapshot()

    result = run("rollback", "qwen-pool", "--no-record")

    assert result.exit_code == 4
    assert (
        "error: not applied: there is no terminal to ask for approval; review the rollback "
        "with --dry-run=server, then run again with --yes to apply"
    ) in result.output
    assert cluster.snapshot() == before


def test_an_unknown_revision_is_one_line_and_changes_nothing(
    cluster: Any, kubeconfig: Path
) -> None:
    expose_three_times(cluster)
    before = cluster.snapshot()
    cluster.clear_requests()

    result = run("rollback", "qwen-pool", "--to-revision", "7", "--yes")

    assert result.exit_code == 2
    assert result.output == (
        "error: HTTPRoute llm/qwen-pool has no revision 7; its revisions are 1, 2, 3; "
        "see them with `kubectl inferroute history qwen-pool -n llm`\n"
    )
    assert [r.method for r in cluster.requests] == ["GET"]
    assert cluster.snapshot() == before


def test_a_route_with_one_revision_has_no_earlier_one(cluster: Any, kubeconfig: Path) -> None:
    run("expose", "qwen-pool", "--gateway", "inference-gateway", "--yes", "--no-record")
    before = cluster.snapshot()

    result = run("rollback", "qwen-pool", "--yes")

    assert result.exit_code == 2
    assert result.output == (
        "error: HTTPRoute llm/qwen-pool has no revision before revision 1, which is live; "
        "see them with `kubectl inferroute history qwen-pool -n llm`\n"
    )
    assert cluster.snapshot() == before


def test_a_route_made_with_kubectl_has_no_revisions(cluster: Any, kubeconfig: Path) -> None:
    from fakekube import objects as o

    cluster.add(o.httproute("made-by-kubectl", "llm"))
    before = cluster.snapshot()

    result = run("rollback", "made-by-kubectl", "--yes")

    assert result.exit_code == 2
    assert result.output.startswith(
        "error: HTTPRoute llm/made-by-kubectl has no revisions to roll back to; "
    )
    assert cluster.snapshot() == before


def test_a_corrupt_history_is_said_and_leaves_nothing_to_roll_back_to(
    cluster: Any, kubeconfig: Path
) -> None:
    from fakekube import objects as o

    route = o.httproute("qwen-pool", "llm")
    route["metadata"]["annotations"] = {REVISIONS: "[{not json"}
    cluster.add(route)

    result = run("rollback", "qwen-pool", "--yes")

    assert result.exit_code == 2
    assert "annotation inferroute.llm-d.ai/revisions is unreadable" in result.stderr
    assert "has no revisions to roll back to" in result.stderr


def test_a_missing_route_is_one_line(cluster: Any, kubeconfig: Path) -> None:
    result = run("rollback", "nope", "--yes")

    assert result.exit_code == 1
    assert result.output == (
        'error: HTTPRoute "nope" not found in namespace "llm"; '
        "list the routes with `kubectl inferroute status -n llm`\n"
    )


def test_bad_flags_are_refused_before_any_request(cluster: Any, kubeconfig: Path) -> None:
    cluster.clear_requests()

    for args, text in (
        (("--to-revision", "0"), "--to-revision 0 is not a revision number"),
        (("--to-revision", "x"), "'x' is not a valid integer"),
        (("--timeout", "soon"), "--timeout"),
        (("--record", "a.md", "--no-record"), "--record and --no-record contradict"),
    ):
        result = run("rollback", "qwen-pool", *args)
        assert result.exit_code == 2, (args, result.output)
        assert text in result.output
        assert len(result.output.strip().splitlines()) <= 2  # kubectl's usage: two lines
    assert cluster.requests == []


# --- preflight --------------------------------------------------------------------------------


def test_a_pool_the_revision_names_that_is_gone_stops_it_unless_forced(
    cluster: Any, kubeconfig: Path
) -> None:
    expose_three_times(cluster)
    run("rollback", "qwen-pool", "--to-revision", "1", "--yes", "--no-record")
    cluster.delete("inference.networking.k8s.io/v1", "inferencepools", "llm", "qwen-b")
    before = cluster.snapshot()

    refused = run("rollback", "qwen-pool", "--to-revision", "3", "--yes", "--no-record")

    assert refused.exit_code == 1
    assert (
        "InferencePool llm/qwen-b (inference.networking.k8s.io), named by revision 3, "
        "does not exist"
    ) in refused.output
    assert "fix: create it first, or roll back to another revision" in refused.output
    assert "nothing was changed" in refused.output
    assert cluster.snapshot() == before

    forced = run(
        "rollback", "qwen-pool", "--to-revision", "3", "--yes", "--no-record", "--force",
        "--timeout", "2s",
    )  # fmt: skip

    assert forced.exit_code == 3, forced.output  # applied, but qwen-b does not resolve
    assert "--force restores the revision anyway" in forced.output
    assert stored_route(cluster)["spec"]["rules"] == revisions_of(cluster)[2].rules


def test_without_permission_to_patch_routes_nothing_is_sent_but_reads(
    cluster: Any, kubeconfig: Path
) -> None:
    expose_three_times(cluster)
    cluster.deny("admin", "patch", resource="httproutes")
    before = cluster.snapshot()
    cluster.clear_requests()

    result = run("rollback", "qwen-pool", "--yes", "--no-record")

    assert result.exit_code == 1
    assert 'you may not patch httproutes.gateway.networking.k8s.io in namespace "llm"' in (
        result.output
    )
    assert not any(r.method == "PATCH" for r in cluster.requests)
    assert cluster.snapshot() == before


# --- a change made with kubectl ---------------------------------------------------------------


def test_history_across_a_kubectl_edit_then_a_rollback(cluster: Any, kubeconfig: Path) -> None:
    expose_three_times(cluster)
    set_weights_with_kubectl(cluster, (50, 50))
    third = revisions_of(cluster)[2]

    shown = run("history", "qwen-pool").output.splitlines()
    assert shown[-1].startswith("-  ") and "kubectl-edit" in shown[-1]

    # kubectl-edit now owns the rules: server-side apply says so, and nothing changes.
    before = cluster.snapshot()
    refused = run("rollback", "qwen-pool", "--yes", "--no-record")
    assert refused.exit_code == 1
    assert "kubectl-edit now manages the rules: taking them back needs --force-conflicts" in (
        refused.output
    )
    assert 'conflict with "kubectl-edit"' in refused.output
    assert cluster.snapshot() == before

    result = run("rollback", "qwen-pool", "--yes", "--no-record", "--force-conflicts")

    assert result.exit_code == 0, result.output
    assert "restores the rules of revision 3, the newest revision: the rules were changed " in (
        result.output
    )
    assert "traffic split: qwen-pool=50 qwen-b=50 → qwen-pool=90 qwen-b=10" in result.output
    assert "kubectl-edit now manages the rules: --force-conflicts takes them back" in result.output
    assert stored_route(cluster)["spec"]["rules"] == third.rules
    after = run("history", "qwen-pool").output
    assert "outside" not in after
    assert [line.split()[0] for line in after.splitlines()[1:]] == ["1", "2", "3", "4"]
    assert "# restores revision 3" in after.splitlines()[-1]


# --- dry runs and output ----------------------------------------------------------------------


def test_server_dry_run_stores_nothing_and_prints_the_object(
    cluster: Any, kubeconfig: Path
) -> None:
    expose_three_times(cluster)
    before = cluster.snapshot()

    result = run("rollback", "qwen-pool", "--to-revision", "1", "--dry-run=server", "-o", "yaml")

    assert result.exit_code == 0, result.output
    shown = yaml.safe_load(result.stdout)
    assert shown["spec"]["rules"] == revisions_of(cluster)[0].rules
    assert "managedFields" not in shown["metadata"]
    assert cluster.snapshot() == before


def test_client_dry_run_sends_only_the_read_of_the_route(cluster: Any, kubeconfig: Path) -> None:
    expose_three_times(cluster)
    before = cluster.snapshot()
    cluster.clear_requests()

    result = run("rollback", "qwen-pool", "--dry-run=client", "-o", "json")

    assert result.exit_code == 0, result.output
    assert [f"{r.method} {r.path}" for r in cluster.requests] == [
        f"GET /apis/{ROUTES}/namespaces/llm/httproutes/qwen-pool"
    ]
    assert '"value": "/v1"' in result.stdout
    assert cluster.snapshot() == before


def test_client_dry_run_on_the_terminal_shows_the_manifest_without_the_history(
    cluster: Any, kubeconfig: Path
) -> None:
    expose_three_times(cluster)

    result = run("rollback", "qwen-pool", "--dry-run=client")

    assert result.exit_code == 0, result.output
    assert "HTTPRoute to apply (client dry run" in result.output
    assert "annotations:" not in result.output
    assert "with this rollback as the newest revision" in result.output


def test_with_output_json_prints_the_applied_object(cluster: Any, kubeconfig: Path) -> None:
    import json

    expose_three_times(cluster)

    result = run("rollback", "qwen-pool", "--yes", "--no-record", "-o", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["spec"]["rules"] == revisions_of(cluster)[1].rules


def test_no_wait_applies_without_waiting_for_the_verdict(cluster: Any, kubeconfig: Path) -> None:
    expose_three_times(cluster)

    result = run("rollback", "qwen-pool", "--yes", "--no-record", "--no-wait")

    assert result.exit_code == 0, result.output
    assert "Verdict" not in result.output
    assert "waiting" not in result.output


# --- the record -------------------------------------------------------------------------------


def test_the_record_says_which_revision_was_restored(cluster: Any, kubeconfig: Path) -> None:
    expose_three_times(cluster)

    result = run("rollback", "qwen-pool", "--yes", "--record", "rollback.md")

    assert result.exit_code == 0, result.output
    text = Path("rollback.md").read_text()
    text = re.sub(r"http://127\.0\.0\.1:\d+", "http://127.0.0.1:PORT", same_times(text))
    assert_golden("record/rollback.md", text)


# --- on a terminal ----------------------------------------------------------------------------


def test_on_a_terminal_no_at_the_question_changes_nothing(cluster: Any, kubeconfig: Path) -> None:
    from test_terminal import installed_plugin, plugin_env, run_in_terminal

    expose_three_times(cluster)
    before = cluster.snapshot()

    code, terminal = run_in_terminal(
        [installed_plugin(), "rollback", "qwen-pool", "--no-record"],
        plugin_env(kubeconfig),
        [("Roll the HTTPRoute back to this revision? May I proceed? [y/N]", "n")],
    )

    assert code == 4, terminal
    assert "not applied: you did not approve" in terminal
    assert cluster.snapshot() == before


def test_on_a_terminal_yes_at_the_question_rolls_back(cluster: Any, kubeconfig: Path) -> None:
    from test_terminal import installed_plugin, plugin_env, run_in_terminal

    expose_three_times(cluster)
    second = revisions_of(cluster)[1]

    code, terminal = run_in_terminal(
        [installed_plugin(), "rollback", "qwen-pool", "--no-record"],
        plugin_env(kubeconfig),
        [("May I proceed? [y/N]", "y"), ("Send a test request", "n")],
    )

    assert code == 0, terminal
    assert stored_route(cluster)["spec"]["rules"] == second.rules
    assert revisions_of(cluster)[-1].command.endswith("  # restores revision 2")
