"""The kubeconfig reader without PyYAML: what it accepts, it reads exactly as yaml.safe_load."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kubectl_httproute.cluster import blockyaml
from kubectl_httproute.cluster.blockyaml import DECLINED

KIND = """\
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM=
    server: https://127.0.0.1:41527
  name: kind-kind
contexts:
- context:
    cluster: kind-kind
    user: kind-kind
  name: kind-kind
current-context: kind-kind
kind: Config
preferences: {}
users:
- name: kind-kind
  user:
    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t
    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==
"""

EKS = """\
apiVersion: v1
clusters:
- cluster:
    server: https://ABCDEF.gr7.us-west-2.eks.amazonaws.com
    insecure-skip-tls-verify: false
  name: arn:aws:eks:us-west-2:123456789012:cluster/demo
contexts:
- context:
    cluster: arn:aws:eks:us-west-2:123456789012:cluster/demo
    namespace: llm
    user: arn:aws:eks:us-west-2:123456789012:cluster/demo
  name: arn:aws:eks:us-west-2:123456789012:cluster/demo
current-context: arn:aws:eks:us-west-2:123456789012:cluster/demo
kind: Config
preferences: {}
users:
- name: arn:aws:eks:us-west-2:123456789012:cluster/demo
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - --region
      - us-west-2
      - eks
      - get-token
      - --cluster-name
      - demo
      command: aws
      env:
      - name: AWS_PROFILE
        value: "123"
      interactiveMode: IfAvailable
      provideClusterInfo: false
"""

# Written by hand, as people do: comments, deeper indentation, quotes, a null.
HAND_WRITTEN = """\
# my clusters
apiVersion: v1
kind: Config
clusters:
  - name: 'lab'
    cluster:
      server: "https://10.0.0.1:6443"
      # tls-server-name: lab.example.com
      proxy-url: ~
users:
  - name: me
    user:
      token: "abc\\u00e9\\n"
contexts:
  -   name: lab
      context: {cluster: lab, user: me}
current-context: lab
"""


def same(a: Any, b: Any) -> bool:
    """Equal, with the same types all the way down (1 == True, but not as a kubeconfig)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def agrees_with_pyyaml(text: str) -> bool:
    """Declined, or exactly what PyYAML reads; never a value where PyYAML finds an error."""
    ours = blockyaml.load(text)
    if ours is DECLINED:
        return True
    try:
        theirs = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return same(ours, theirs)


@pytest.mark.parametrize("text", [KIND, EKS], ids=["kind", "eks exec plugin"])
def test_reads_the_kubeconfigs_kubectl_and_cloud_clis_write(text: str) -> None:
    ours = blockyaml.load(text)

    assert ours is not DECLINED
    assert same(ours, yaml.safe_load(text))


def test_reads_the_kubeconfig_the_tests_write_with_pyyaml() -> None:
    config = {
        "apiVersion": "v1",
        "clusters": [{"name": "fake", "cluster": {"server": "http://127.0.0.1:8080"}}],
        "users": [{"name": "tester", "user": {"token": "admin-token"}}],
        "contexts": [{"name": "test", "context": {"cluster": "fake", "namespace": "llm"}}],
        "current-context": "test",
    }
    text = yaml.safe_dump(config)

    assert same(blockyaml.load(text), config)


def test_a_hand_written_file_with_flow_style_goes_to_pyyaml() -> None:
    assert blockyaml.load(HAND_WRITTEN) is DECLINED
    assert agrees_with_pyyaml(HAND_WRITTEN.replace("{cluster: lab, user: me}", "\n"))


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("k: true", True),
        ("k: Off", False),
        ("k: yes", True),
        ("k: NULL", None),
        ("k:", None),
        ("k: 0", 0),
        ("k: 6443", 6443),
        ("k: []", []),
        ("k: {}", {}),
        ("k: ''", ""),
        ("k: 'it''s'", "it's"),
        ('k: "a\\"b\\\\c\\/\\t"', 'a"b\\c/\t'),
        ("k: --cluster-name", "--cluster-name"),
        ("k: /home/me/.kube/ca.crt", "/home/me/.kube/ca.crt"),
        ("k: C:\\Users\\me", "C:\\Users\\me"),
        ("k: https://[::1]:6443", "https://[::1]:6443"),
        ("k: two  words", "two  words"),
        ("k: truely", "truely"),
    ],
)
def test_plain_and_quoted_scalars_get_pyyaml_types(line: str, value: Any) -> None:
    assert same(blockyaml.load(line), {"k": value})
    assert same(yaml.safe_load(line), {"k": value})


@pytest.mark.parametrize(
    "text",
    [
        "k: 0777",  # octal in YAML 1.1
        "k: 1_000",
        "k: 1.5",
        "k: 1e3",
        "k: 12:30",  # sexagesimal
        "k: 2025-01-01",  # a timestamp
        "k: .inf",
        "k: -1",
        "k: ~x",
        "k: &a x",
        "k: *a",
        "k: !!str 1",
        "k: |\n  text",
        "k: >\n  text",
        "k: [a]",
        "k: {a: 1}",
        "k: a # comment",
        "k: a\n  continued",
        '"k": "unterminated',
        "k: 'unterminated",
        "---\nk: v",
        "k: v\n---\nk: w",
        "k:\tv",
        "k: caf\u00e9",
        "\ufeffk: v",
        "k: v\r\nl: w",
        "on: v",  # a boolean key
        "1: v",
        "? k\n: v",
        "<<: {}",
        "  k: v",
        "k: a: b",
        "a\nb",  # a plain scalar over two lines
    ],
)
def test_everything_outside_the_subset_goes_to_pyyaml(text: str) -> None:
    assert blockyaml.load(text) is DECLINED


@pytest.mark.parametrize(
    "text",
    [
        "a:\n  - x\n  b: 1",
        "a:\n    b: 1\n  c: 2",
        "- a\nb: 1",
        "a: 1\n- b",
    ],
)
def test_broken_indentation_is_pyyamls_to_report(text: str) -> None:
    # Declined, so the kubeconfig reader's error (with PyYAML's line number) is the one shown.
    assert blockyaml.load(text) is DECLINED
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)


def test_empty_and_comment_only_files_are_null() -> None:
    assert blockyaml.load("") is None
    assert blockyaml.load("# nothing\n\n") is None


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**12),
    st.sampled_from(
        [
            "",
            "yes",
            "No",
            "on",
            "null",
            "~",
            "0777",
            "1.5",
            "12:30",
            "2025-01-01",
            "--region",
            "-",
            "- x",
            "a: b",
            "a #b",
            "#",
            "it's",
            'say "hi"',
            "back\\slash",
            "https://host:6443/path?q=1#frag",
            "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t==",
            "trailing ",
            " leading",
            "two  spaces",
            "tab\tin",
            "new\nline",
            "caf\u00e9",
            "[a]",
            "{}",
            "&anchor",
            "*alias",
            "!tag",
            "@at",
            "%pct",
            "`tick",
        ]
    ),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12),
)
KEYS = st.one_of(
    st.sampled_from(["name", "server", "certificate-authority-data", "as-user-extra", "on"]),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_./-]{0,8}", fullmatch=True),
    SCALARS.filter(lambda s: isinstance(s, str)),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(
    DOCUMENTS.filter(lambda d: isinstance(d, dict)),
    st.booleans(),
    st.sampled_from([2, 4]),
    st.booleans(),
)
def test_any_document_pyyaml_writes_is_read_as_pyyaml_reads_it(
    document: dict[Any, Any], sort_keys: bool, indent: int, unicode: bool
) -> None:
    text = yaml.safe_dump(
        document,
        default_flow_style=False,
        sort_keys=sort_keys,
        indent=indent,
        allow_unicode=unicode,
        width=10**6,
    )

    assert agrees_with_pyyaml(text)


LINE_PIECES = st.sampled_from(
    [
        "k",
        "name",
        "on",
        ":",
        ": ",
        "- ",
        "-",
        "  ",
        "    ",
        "'",
        '"',
        "''",
        "\\",
        "\\u00e9",
        "#",
        " #",
        "[]",
        "{}",
        "[",
        "{",
        "1",
        "0",
        "07",
        "true",
        "~",
        "x y",
        "https://h:1",
        "--flag",
        "&a",
        "*a",
        "|",
        ">",
        "---",
    ]
)
TEXTS = st.lists(st.lists(LINE_PIECES, max_size=6).map("".join), min_size=1, max_size=8).map(
    "\n".join
)


@settings(max_examples=1500, deadline=None)
@given(TEXTS)
def test_any_text_is_read_as_pyyaml_reads_it_or_declined(text: str) -> None:
    assert agrees_with_pyyaml(text)


def test_the_tests_own_kubeconfig_writer_stays_in_the_subset(tmp_path: Any) -> None:
    from conftest import write_kubeconfig

    path = write_kubeconfig(tmp_path / "config", "https://127.0.0.1:6443")

    assert blockyaml.load(path.read_text()) is not DECLINED
    assert textwrap.dedent(path.read_text()) == path.read_text()
