"""kubeconfig loading follows kubectl's rules, not the Python client's."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kubectl_httproute.cluster.kubeconfig import load_kubeconfig, merge_kubeconfigs
from kubectl_httproute.errors import KubeconfigError


def config(
    context: str | None, contexts: dict[str, str], server: str = "https://a.example:6443"
) -> dict[str, object]:
    doc: dict[str, object] = {
        "clusters": [{"name": c, "cluster": {"server": server}} for c in contexts.values()],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [
            {"name": name, "context": {"cluster": cluster, "user": "u"}}
            for name, cluster in contexts.items()
        ],
    }
    if context:
        doc["current-context"] = context
    return doc


def write(path: Path, doc: object) -> str:
    path.write_text(yaml.safe_dump(doc))
    return str(path)


def test_first_file_sets_the_current_context(tmp_path: Path) -> None:
    first = write(tmp_path / "a", config("one", {"one": "c1"}))
    second = write(tmp_path / "b", config("two", {"two": "c2"}))
    chosen = load_kubeconfig(environ={"KUBECONFIG": f"{first}:{second}", "HOME": str(tmp_path)})
    assert chosen.context_name == "one"


def test_first_file_wins_for_an_entry_named_twice(tmp_path: Path) -> None:
    first = write(tmp_path / "a", config("x", {"x": "c"}, server="https://first:6443"))
    second = write(tmp_path / "b", config("x", {"x": "c"}, server="https://second:6443"))
    chosen = load_kubeconfig(environ={"KUBECONFIG": f"{first}:{second}"})
    assert chosen.server == "https://first:6443"


def test_later_file_supplies_what_the_first_lacks(tmp_path: Path) -> None:
    first = write(tmp_path / "a", {"current-context": "two"})
    second = write(tmp_path / "b", config("other", {"two": "c2"}))
    chosen = load_kubeconfig(environ={"KUBECONFIG": f"{first}:{second}"})
    assert (chosen.context_name, chosen.cluster_name) == ("two", "c2")


def test_missing_files_in_kubeconfig_list_are_skipped(tmp_path: Path) -> None:
    real = write(tmp_path / "a", config("one", {"one": "c1"}))
    chosen = load_kubeconfig(environ={"KUBECONFIG": f"{tmp_path / 'nope'}:{real}"})
    assert chosen.context_name == "one"


def test_explicit_kubeconfig_ignores_the_environment(tmp_path: Path) -> None:
    env_file = write(tmp_path / "env", config("env", {"env": "c1"}))
    explicit = write(tmp_path / "explicit", config("mine", {"mine": "c2"}))
    chosen = load_kubeconfig(explicit, environ={"KUBECONFIG": env_file})
    assert chosen.context_name == "mine"


def test_home_config_is_the_fallback(tmp_path: Path) -> None:
    (tmp_path / ".kube").mkdir()
    write(tmp_path / ".kube" / "config", config("home", {"home": "c"}))
    assert load_kubeconfig(environ={"HOME": str(tmp_path)}).context_name == "home"


def test_namespace_comes_from_flag_then_context_then_default(tmp_path: Path) -> None:
    doc = config("one", {"one": "c"})
    doc["contexts"][0]["context"]["namespace"] = "llm"  # type: ignore[index]
    path = write(tmp_path / "a", doc)
    assert load_kubeconfig(path).namespace == "llm"
    assert load_kubeconfig(path, namespace="other").namespace == "other"
    assert (
        load_kubeconfig(write(tmp_path / "b", config("one", {"one": "c"}))).namespace == "default"
    )


def test_context_flag_overrides_current_context(tmp_path: Path) -> None:
    path = write(tmp_path / "a", config("one", {"one": "c1", "two": "c2"}))
    assert load_kubeconfig(path, context="two").cluster_name == "c2"


def test_relative_certificate_paths_resolve_against_their_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    doc = config("one", {"one": "c1"})
    doc["clusters"][0]["cluster"]["certificate-authority"] = "ca.crt"  # type: ignore[index]
    path = write(tmp_path / "sub" / "cfg", doc)
    chosen = load_kubeconfig(path)
    cluster = chosen.config["clusters"][0]["cluster"]
    assert cluster["certificate-authority"] == str((tmp_path / "sub" / "ca.crt").resolve())


@pytest.mark.parametrize(
    ("doc", "context", "message"),
    [
        ("clusters: [", None, "is not valid YAML"),
        ("- just\n- a list\n", None, "is not a kubeconfig"),
        (config(None, {"one": "c"}), None, "has no current context"),
        (config("one", {"one": "c"}), "nope", 'context "nope" does not exist'),
        (
            {"current-context": "x", "contexts": [{"name": "x", "context": {"cluster": "gone"}}]},
            None,
            'cluster "gone"',
        ),
    ],
)
def test_broken_kubeconfigs_say_what_is_wrong(
    tmp_path: Path, doc: object, context: str | None, message: str
) -> None:
    path = tmp_path / "cfg"
    path.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc))
    with pytest.raises(KubeconfigError, match=message) as caught:
        load_kubeconfig(str(path), context=context)
    assert caught.value.hint


def test_missing_explicit_kubeconfig_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KubeconfigError, match="does not exist"):
        load_kubeconfig(str(tmp_path / "absent"))


def test_no_kubeconfig_anywhere_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KubeconfigError, match="no kubeconfig found"):
        load_kubeconfig(environ={"HOME": str(tmp_path)})


def test_merge_keeps_the_first_preference() -> None:
    merged = merge_kubeconfigs(
        [{"preferences": {"colors": True}}, {"preferences": {"colors": False}}]
    )
    assert merged["preferences"] == {"colors": True}
