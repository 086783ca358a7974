"""Completion answered without click, from the tables click's commands produced at build time
(`_prerendered.py`, `make docs`): the most frequent TABs start as fast as python itself.

- kubectl's completer protocol (`kubectl_complete-inferroute ARGS... WORD`, and `__complete`):
  subcommands and flags from the pre-rendered lines; pool, Gateway and route names read from the
  cluster by `names.py`, the code click's callbacks use too.
- the protocol of the bash script `completion bash` prints (click's `bash_complete`): the same
  answers, in click's bash format.

Every function answers exactly as click would, or None: then click answers (any line this reader
does not follow as click does: `--`, bundled short flags, kubectl's spellings that click's
commands rewrite before parsing (`-n=team`, `-ojson`, `-A=false`, `--wait=false`:
cli/flagsyntax.py), unknown options, values with choices). Tests hold each answer side by side
with click's.
"""

from __future__ import annotations

# The flags that choose the cluster (cli.common.GLOBAL_FLAGS less those names do not need).
SELECTION_FLAGS = ("kubeconfig", "context", "cluster", "user", "namespace")
DIRECTIVE_NO_FILE_COMP = ":4"  # cobra's ShellCompDirectiveNoFileComp, as kubectl reads it

NameRequest = tuple[str, dict[str, str], str, tuple[str, ...]]


def completed(words: list[str]) -> str | None:
    """kubectl's completer protocol (`ARGS... WORD`) for subcommands, flags and names, as click
    answers it (cli.completion.kubectl_complete); None for anything else (values, odd lines)."""
    *args, incomplete = words or [""]
    if "=" in incomplete or len(args) > 1:
        return named(words)
    from . import _prerendered

    lines: list[str] | None = None
    if incomplete.startswith("-"):
        lines = _prerendered.FLAGS.get(" ".join(args))
    elif not args and (not incomplete or incomplete[0].isalnum()):
        lines = _prerendered.COMMANDS
    if lines is None:
        return named(words)
    # In click's order (click >= 8.5 lists the help option's names in their declared order).
    out = [line for line in lines if line.split("\t", 1)[0].startswith(incomplete)]
    return "".join(line + "\n" for line in out) + DIRECTIVE_NO_FILE_COMP + "\n"


def named(words: list[str]) -> str | None:
    """The pool, Gateway or route names click would offer for `words`, or None to let click
    answer (a line this reader does not follow exactly as click would)."""
    request = name_request(words)
    if request is None:
        return None
    kind, flags, incomplete, chosen = request
    from .cluster.kubeconfig import GlobalFlags
    from .cluster.names import candidates

    selection_flags = GlobalFlags(
        kubeconfig=flags.get("kubeconfig"),
        context=flags.get("context"),
        cluster=flags.get("cluster"),
        user=flags.get("user"),
        namespace=flags.get("namespace"),
    )
    values = candidates(kind, selection_flags, incomplete, chosen)
    return "".join(value + "\n" for value in values) + DIRECTIVE_NO_FILE_COMP + "\n"


def name_request(words: list[str]) -> NameRequest | None:
    """(names kind, global flags, incomplete word, names already given) when `words` ends in a
    name to complete, read as click reads it; None for anything else or anything unusual
    (unknown options, `--`, bundled short options, an option value that looks like an option)."""
    from typing import Any, cast

    from ._prerendered import NAMES

    tables = cast("dict[str, dict[str, Any]]", NAMES)
    *args, incomplete = words or [""]
    if incomplete.startswith("-") or incomplete == "=" or "--" in args:
        return None
    command = ""
    given: dict[str, dict[str, str]] = {"": {}}
    positionals: list[str] = []
    pending: tuple[str, str | None] | None = None  # (parameter, names kind) awaiting its value
    for arg in args:
        if pending is not None:
            if arg.startswith("-"):
                return None
            given[command][pending[0]] = arg
            pending = None
        elif arg.startswith("-"):
            option, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
            entry = tables[command]["options"].get(option)
            if entry is None:
                return None
            param, takes_value, kind = entry
            if not takes_value:
                if eq:
                    return None
            elif eq:
                given[command][param] = value
            else:
                pending = (param, kind)
        elif not command:
            if arg not in tables or not arg:
                return None
            command = arg
            given[command] = {}
        else:
            positionals.append(arg)
    if not command:
        return None
    chosen: tuple[str, ...] = ()
    if pending is not None:
        kind = pending[1]
    else:
        argument = tables[command]["argument"]
        if argument is None:
            return None
        _, nargs, kind = argument
        if nargs == -1:
            chosen = tuple(positionals)
        elif nargs != 1 or positionals:
            return None
    if kind is None:
        return None
    # As cli.common.global_flags: flags after the subcommand win over the same before it.
    flags = {key: layer[key] for layer in given.values() for key in SELECTION_FLAGS if key in layer}
    return kind, flags, incomplete, chosen


def bash_complete(comp_words: str, comp_cword: str) -> str | None:
    """The answer to the bash script's call (click's `bash_complete` instruction: the line in
    COMP_WORDS, the number of the cursor's word in COMP_CWORD), in click's bash format, or None."""
    words = split_arg_string(comp_words)
    try:
        cword = int(comp_cword)
    except ValueError:
        return None
    args = words[1:cword]
    incomplete = words[cword] if cword < len(words) else ""
    answer = completed([*args, incomplete])
    if answer is None:
        return None
    *lines, directive = answer.splitlines()
    if directive != DIRECTIVE_NO_FILE_COMP:
        return None
    values = [line.split("\t", 1)[0] for line in lines]
    return "\n".join(f"plain,{value}" for value in values) + "\n"


def split_arg_string(string: str) -> list[str]:
    """click's split of the completion line: shell words, and a partial last word as it is."""
    import shlex

    lexer = shlex.shlex(string, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    out: list[str] = []
    try:
        for token in lexer:
            out.append(token)
    except ValueError:  # an unclosed quote or escape at the end: keep the partial word
        out.append(lexer.token)
    return out
