"""What the Dockerfile and Compose checks share: secret-looking names, masking, root users,
the loop of results per service, per Dockerfile or per image.

Not a check (the loader only loads folders): helpers imported by the ``dockerfile_*`` and
``compose_*`` checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from garrison.checks.base import Check, Result, Status
from garrison.checks.collectors.compose import ComposeFacts, Service
from garrison.checks.collectors.dockerfile import Dockerfile, DockerfileFacts, Stage

#: Variable names that hold a secret (matched on the upper-cased name).
_SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|"
    r"CREDENTIALS?$|(?:^|_)KEY$|(?:^|_)PWD$|(?:^|_)PASS$|AUTH_?KEY|ENCRYPTION_?KEY|SIGNING_?KEY"
)
#: Names that only point at a secret or describe it (``POSTGRES_PASSWORD_FILE``): not secrets.
_NOT_SECRET = re.compile(
    r"(?:_FILE|_PATH|_DIR|_URL|_URI|_ENDPOINT|_HOST|_PORT|_TYPE|_LENGTH|_TTL|_EXPIRY|"
    r"_EXPIRES|_TIMEOUT|_ENABLED|_ENABLE|_HEADER|_NAME|_ID|_USER|_USERNAME|_ALGORITHM|"
    r"_POLICY|_REGION|_VERSION)$|PUBLIC|(?:^|_)PWD_?DIR|^PWD$"
)
#: Values that are placeholders, not secrets.
_PLACEHOLDERS = {"", "none", "null", "false", "true"}
_VARIABLE = re.compile(r"\$\{?\w+")
#: Ways to name the root user (``user`` / ``USER`` values, before any ``:group``).
ROOT_USERS = {"root", "0"}


def is_secret_name(name: str) -> bool:
    """Whether an environment variable or build argument named ``name`` holds a secret."""
    upper = name.upper().replace("-", "_").replace(".", "_")
    return bool(_SECRET_NAME.search(upper)) and not _NOT_SECRET.search(upper)


def is_literal_secret(value: str | None) -> bool:
    """Whether ``value`` is written out (not ``${VAR}``, not empty, not a placeholder)."""
    if value is None:
        return False
    text = value.strip()
    if text.lower() in _PLACEHOLDERS:
        return False
    # A value that takes any part from a variable is filled in at run time.
    return not _VARIABLE.search(text.replace("$$", ""))


def mask(value: str) -> str:
    """A secret shown as its first two characters (for values of 8+) and ``****``."""
    return f"{value[:2]}****" if len(value) >= 8 else "****"


def is_root(user: str) -> bool:
    """Whether a ``user`` / ``USER`` value (``name[:group]``) is the root user."""
    return user.strip().split(":", 1)[0].strip().lower() in ROOT_USERS


def unreadable(check: Check, errors: Iterable[tuple[str, int | None, str]]) -> list[Result]:
    """An ``error`` result per file that could not be read or parsed (never a silent pass)."""
    return [
        check.result(Status.ERROR, file, f"could not read the file: {reason}", line=line)
        for file, line, reason in errors
    ]


def per_service(
    check: Check,
    found: ComposeFacts,
    failures_of: Callable[[Service], list[Result]],
    passed: str,
) -> list[Result]:
    """The results of a check that fails on items of a Compose service.

    Args:
        check: The check.
        found: The ``compose`` fact.
        failures_of: The failures of one service.
        passed: What a service without failures does, after ``service <name>`` (its pass).

    Returns:
        An error per unreadable file, then per service its failures or one pass on its line.
    """
    results = unreadable(check, found.errors)
    for service in found.services:
        failures = failures_of(service)
        results.extend(failures)
        if not failures:
            message = f"service {service.name} {passed}"
            results.append(check.result(Status.PASS, service.file, message, line=service.line))
    return results


def per_dockerfile(
    check: Check,
    found: DockerfileFacts,
    failures_of: Callable[[Dockerfile], list[Result]],
    passed: str,
) -> list[Result]:
    """The results of a check that fails on instructions of a Dockerfile.

    Args:
        check: The check.
        found: The ``dockerfile`` fact.
        failures_of: The failures of one Dockerfile.
        passed: The message of the pass of a Dockerfile without failures.

    Returns:
        An error per unreadable file, then per Dockerfile its failures or one pass.
    """
    results = unreadable(check, found.errors)
    for dockerfile in found.files:
        failures = failures_of(dockerfile)
        results.extend(failures)
        if not failures:
            results.append(check.result(Status.PASS, dockerfile.file, passed))
    return results


def per_image(
    check: Check,
    found: DockerfileFacts,
    result_of: Callable[[Dockerfile, list[Stage]], Result],
) -> list[Result]:
    """The results of a check that judges the image a Dockerfile builds.

    Args:
        check: The check.
        found: The ``dockerfile`` fact.
        result_of: The result of one Dockerfile, from its final stage then the stages that
            stage builds on (:meth:`~garrison.checks.collectors.dockerfile.Dockerfile.lineage`).

    Returns:
        An error per unreadable file, then one result per Dockerfile with a ``FROM``.
    """
    results = unreadable(check, found.errors)
    for dockerfile in found.files:
        final = dockerfile.final
        if final is not None:
            results.append(result_of(dockerfile, dockerfile.lineage(final)))
    return results
