"""Disabling and enabling a directory account over LDAP (used by ``disable_account``).

OpenLDAP (the ppolicy overlay) locks an account for good when ``pwdAccountLockedTime`` is
``000001010000Z``; deleting the attribute unlocks it. Active Directory disables an account
with the ``ACCOUNTDISABLE`` bit (``0x2``) of ``userAccountControl``.

The account is found by ``(<user_attribute>=<user>)`` under ``users_dn``, with the value
escaped, and exactly one entry must match. The service password never appears in a result,
an error or a log line. The connection factory is a parameter, so tests pass one that builds
an ldap3 ``MOCK_SYNC`` connection.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from garrison.core.errors import ActionError
from garrison.respond.config import LdapSettings

with warnings.catch_warnings():
    # ldap3 2.9 imports names pyasn1 has deprecated; the warning says nothing about our use.
    warnings.simplefilter("ignore", DeprecationWarning)
    from ldap3 import (  # type: ignore[import-untyped]
        MODIFY_DELETE,
        MODIFY_REPLACE,
        NONE,
        SUBTREE,
        Connection,
        Server,
    )
    from ldap3.core.exceptions import (  # type: ignore[import-untyped]
        LDAPCommunicationError,
        LDAPException,
    )
    from ldap3.utils.conv import escape_filter_chars  # type: ignore[import-untyped]

#: ``pwdAccountLockedTime`` value meaning "locked until an administrator unlocks it".
LOCKED_FOREVER = "000001010000Z"
#: The ``ACCOUNTDISABLE`` flag of ``userAccountControl``.
ACCOUNTDISABLE = 0x2
_ATTRIBUTE = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,63}")

#: Builds an unbound connection from the settings and a timeout in seconds.
Connector = Callable[[LdapSettings, float], Any]


def connect(settings: LdapSettings, timeout: float) -> Any:
    """An unbound ldap3 connection to ``settings.url`` as ``settings.bind_dn``."""
    password = settings.password.get_secret_value() if settings.password else None
    server = Server(settings.url, get_info=NONE, connect_timeout=timeout)
    return Connection(
        server,
        user=settings.bind_dn or None,
        password=password,
        receive_timeout=timeout,
        raise_exceptions=False,
    )


@dataclass(frozen=True)
class LdapChange:
    """What happened to the account's entry.

    Attributes:
        dn: The entry's distinguished name.
        attribute: The attribute that holds the account's state.
        before / after: Its value before and after (``None`` when absent).
        changed: Whether a modify was sent (``False`` when it already had the wanted state).
    """

    dn: str
    attribute: str
    before: str | None
    after: str | None
    changed: bool


def _attribute(settings: LdapSettings) -> str:
    return "userAccountControl" if settings.flavor == "ad" else "pwdAccountLockedTime"


def _filter(settings: LdapSettings, user: str) -> str:
    if not _ATTRIBUTE.fullmatch(settings.user_attribute):
        raise ActionError(
            f"ldap user_attribute {settings.user_attribute[:40]!r} is not an attribute name"
        )
    return f"({settings.user_attribute}={escape_filter_chars(user)})"


def describe(settings: LdapSettings, user: str, *, disable: bool) -> str:
    """One line saying what :func:`set_disabled` would change (for dry runs; no connection)."""
    if settings.flavor == "ad":
        change = f"{'set' if disable else 'clear'} bit 0x2 of userAccountControl"
    elif disable:
        change = f"replace pwdAccountLockedTime with {LOCKED_FOREVER}"
    else:
        change = "delete pwdAccountLockedTime"
    return f"ldap modify {_filter(settings, user)} under {settings.users_dn}: {change}"


def _failed(what: str, conn: Any) -> ActionError:
    result = getattr(conn, "result", None) or {}
    detail = result.get("description") or "no answer"
    message = result.get("message")
    return ActionError(f"LDAP {what} failed: {detail}" + (f" ({message})" if message else ""))


def _safe(exc: Exception, settings: LdapSettings) -> str:
    """The exception as text, cut short, with the service password blanked should it appear."""
    text = f"{type(exc).__name__}: {exc}"[:300]
    secret = settings.password.get_secret_value() if settings.password else ""
    return text.replace(secret, "***") if secret else text


def _first(values: Any) -> str | None:
    if isinstance(values, list | tuple):
        return str(values[0]) if values else None
    return None if values is None else str(values)


def set_disabled(
    settings: LdapSettings,
    user: str,
    *,
    disable: bool,
    timeout: float,
    connector: Connector = connect,
) -> LdapChange:
    """Lock (``disable=True``) or unlock the account ``user`` in the directory.

    Raises:
        ActionError: No directory is configured, the bind failed, the account is not found
            exactly once, or the modify was refused (retryable when the server was unreachable).
    """
    if not settings.url or not settings.users_dn:
        raise ActionError(
            "no LDAP directory is configured",
            hint="set [response.ldap] url, bind_dn, password and users_dn",
        )
    search = _filter(settings, user)
    attribute = _attribute(settings)
    conn = connector(settings, timeout)
    try:
        if not conn.bind():
            raise _failed(f"bind as {settings.bind_dn or 'anonymous'}", conn)
        conn.search(settings.users_dn, search, SUBTREE, attributes=[attribute], size_limit=2)
        entries = [r for r in conn.response or [] if r.get("type") == "searchResEntry"]
        if len(entries) != 1:
            found = "no account" if not entries else "more than one account"
            raise ActionError(f"{found} matches {search} under {settings.users_dn}")
        dn = str(entries[0]["dn"])
        before = _first(entries[0].get("attributes", {}).get(attribute))
        changes, after = _changes(settings, attribute, before, disable=disable)
        if changes is None:
            return LdapChange(dn, attribute, before, after, changed=False)
        if not conn.modify(dn, changes):
            raise _failed(f"modify of {dn}", conn)
        return LdapChange(dn, attribute, before, after, changed=True)
    except LDAPCommunicationError as exc:
        raise ActionError(
            f"LDAP server {settings.url} unreachable: {_safe(exc, settings)}", retryable=True
        ) from None
    except LDAPException as exc:
        raise ActionError(f"LDAP error: {_safe(exc, settings)}") from None
    finally:
        # Closing a broken connection can fail too; nothing is left to do then.
        with contextlib.suppress(LDAPException):
            conn.unbind()


def _changes(
    settings: LdapSettings, attribute: str, before: str | None, *, disable: bool
) -> tuple[dict[str, list[tuple[str, list[str]]]] | None, str | None]:
    """The modify to send (``None`` when the entry already has the wanted state)."""
    if settings.flavor == "ad":
        if before is None or not before.strip().lstrip("-").isdigit():
            raise ActionError(f"the account has no usable {attribute} ({before!r})")
        flags = int(before)
        wanted = flags | ACCOUNTDISABLE if disable else flags & ~ACCOUNTDISABLE
        if wanted == flags:
            return None, before
        return {attribute: [(MODIFY_REPLACE, [str(wanted)])]}, str(wanted)
    if disable:
        if before == LOCKED_FOREVER:
            return None, before
        return {attribute: [(MODIFY_REPLACE, [LOCKED_FOREVER])]}, LOCKED_FOREVER
    if before is None:
        return None, None
    return {attribute: [(MODIFY_DELETE, [])]}, None
