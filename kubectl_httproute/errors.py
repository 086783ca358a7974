"""Error types: each carries what went wrong, what to do next, and the exit code the CLI uses."""

from __future__ import annotations

# Exit codes, documented in the README and `--help`.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNHEALTHY = 3
EXIT_NOT_APPROVED = 4


class InferrouteError(Exception):
    """A failure the user can act on: a one-line message and a hint naming what to run next."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InvalidInput(InferrouteError):
    """A flag or argument breaks a rule; detected before any request is sent."""

    exit_code = EXIT_USAGE


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
    ) -> None:
        super().__init__(message, hint)
        self.status = status
        self.reason = reason
        self.causes = causes


class NotFound(InferrouteError):
    """A named object or a required API (CRD) does not exist in the cluster."""


class NotApproved(InferrouteError):
    """The user declined, or there was nobody to ask: nothing was changed."""

    exit_code = EXIT_NOT_APPROVED
