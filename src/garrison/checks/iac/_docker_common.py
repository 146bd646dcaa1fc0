"""What the Dockerfile and Compose checks share: secret-looking names, masking, root users.

Not a check (the loader only loads folders): helpers imported by the ``dockerfile_*`` and
``compose_*`` checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from garrison.checks.base import Check, Result, Status

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
