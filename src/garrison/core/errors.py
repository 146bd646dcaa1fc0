"""One exception tree for the whole platform.

Every error carries a stable machine-readable ``code`` and an optional ``hint`` that tells the
user what to do. The CLI maps classes to exit codes and the API maps them to HTTP statuses in
one table each, so new errors only need a class here.
"""

from __future__ import annotations


class GarrisonError(Exception):
    """Base class of every error Garrison raises on purpose.

    Attributes:
        code: Stable identifier, safe to show to machines (``"config.invalid"``).
        hint: Optional human advice on how to fix the problem.
    """

    code = "garrison.error"
    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(GarrisonError):
    """Settings or a configuration file are invalid."""

    code = "config.invalid"
    exit_code = 2


class UsageError(GarrisonError):
    """A command was called with arguments that cannot work together."""

    code = "usage.invalid"
    exit_code = 2


class InputError(GarrisonError):
    """Input data (a file, a query, a request body) is invalid."""

    code = "input.invalid"
    exit_code = 3


class RejectedError(InputError):
    """Submitted content (a rule file) was refused; ``details`` lists each problem.

    Attributes:
        details: ``{"line", "message"}`` per problem.
    """

    def __init__(
        self, message: str, details: list[dict[str, object]], *, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.details = details


class NotFoundError(InputError):
    """The thing asked for (an alert, a user, a token) does not exist."""

    code = "not_found"
    exit_code = 3


class QuerySyntaxError(InputError):
    """A search query could not be parsed.

    Attributes:
        position: Zero-based character offset of the problem in the query.
    """

    code = "query.syntax"

    def __init__(self, message: str, *, position: int, hint: str | None = None) -> None:
        super().__init__(f"{message} (at character {position + 1})", hint=hint)
        self.position = position


class RequestTooLargeError(InputError):
    """A request body exceeds the configured limit."""

    code = "request.too_large"


class StorageError(GarrisonError):
    """The database is unreachable, or its schema is not what this version expects."""

    code = "storage.error"
    exit_code = 4


class IntegrityError(GarrisonError):
    """Stored data failed an integrity check (hash chain, archive manifest)."""

    code = "integrity.failed"
    exit_code = 5


class TargetError(GarrisonError):
    """A scan target could not be reached, or could not be trusted (an SSH host key)."""

    code = "target.unreachable"
    exit_code = 7


class ActionError(GarrisonError):
    """A response action could not do its work (a command failed, an API refused).

    Attributes:
        retryable: Whether trying again later may succeed (a timeout, a refused connection),
            as opposed to a refusal no retry can fix (a bad argument, a missing container).
    """

    code = "action.failed"
    exit_code = 8

    def __init__(self, message: str, *, retryable: bool = False, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retryable = retryable


class AuthError(GarrisonError):
    """A token or credential was missing or wrong."""

    code = "auth.failed"
    exit_code = 6


class MfaRequiredError(AuthError):
    """The password was right; a TOTP code must follow."""

    code = "auth.mfa_required"


class PasswordExpiredError(AuthError):
    """The password is right but older than the policy allows: it must be changed first."""

    code = "auth.password_expired"


class ForbiddenError(GarrisonError):
    """The caller is authenticated but its role or token scope does not allow the action."""

    code = "auth.forbidden"
    exit_code = 6
