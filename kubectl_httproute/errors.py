"""Error types: each carries what went wrong, what to do next, and the exit code the CLI uses."""

from __future__ import annotations

# Exit codes, documented in the README and `--help`.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNHEALTHY = 3
EXIT_NOT_APPROVED = 4


class InferrouteError(Exception):
    """A failure the user can act on: a one-line message and a hint naming what to run next.

    `flag_advice` names a topic the command line adds its flags' advice for (`cli.common`): the
    layers below the terminal know what went wrong, not what the flags are called."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, hint: str = "", *, flag_advice: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.flag_advice = flag_advice

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InvalidInput(InferrouteError):
    """A flag or argument breaks a rule; detected before any request is sent."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, hint: str = "", *, flag_advice: str = "") -> None:
        # Messages quote values as typed: a newline in one must not break the one-line error.
        super().__init__(_printable(message), _printable(hint), flag_advice=flag_advice)


def _printable(text: str) -> str:
    """text with each control character written as an escape (\\n, \\t, \\x1b), as Go's %q does."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


class KubeconfigError(InferrouteError):
    """The kubeconfig is missing, unreadable, or names a context, cluster or user not in it."""


class ClusterUnreachable(InferrouteError):
    """The API server could not be reached: refused, DNS, TLS, or timed out."""


class ApiError(InferrouteError):
    """The API server answered with an error status."""

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        status: int = 0,
        reason: str = "",
        causes: tuple[str, ...] = (),
        flag_advice: str = "",
    ) -> None:
        super().__init__(message, hint, flag_advice=flag_advice)
        self.status = status
        self.reason = reason
        self.causes = causes


class NotFound(InferrouteError):
    """A named object or a required API (CRD) does not exist in the cluster."""


class RouteOwned(InferrouteError):
    """The route is reconciled by its owner (a Helm release, KServe, Envoy AI Gateway): a change
    made here would be put back, so nothing was changed. Exit 1, like every refusal that comes
    from what is in the cluster rather than from the flags."""


class NotApproved(InferrouteError):
    """The user declined, or there was nobody to ask: nothing was changed."""

    exit_code = EXIT_NOT_APPROVED


# Topics of `flag_advice`: what a failure below the terminal may want a flag's advice for.
ADVICE_CONFLICT = "conflict"
ADVICE_SLOW_SERVER = "slow-server"
ADVICE_KUBECONFIG_UNREADABLE = "kubeconfig-unreadable"
ADVICE_KUBECONFIG_BROKEN = "kubeconfig-broken"
ADVICE_KUBECONFIG_NOT_ONE = "kubeconfig-not-one"
ADVICE_KUBECONFIG_MISSING = "kubeconfig-missing"
ADVICE_NO_KUBECONFIG = "no-kubeconfig"
ADVICE_NO_CONTEXT = "no-context"
ADVICE_CONTEXT_NAMESPACE = "context-namespace"
