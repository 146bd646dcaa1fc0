"""LDAP disabling and enabling against ldap3's offline MOCK_SYNC server (OpenLDAP and AD)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from ldap3 import BASE, MOCK_SYNC, Connection, Server  # type: ignore[import-untyped]
from ldap3.core.exceptions import LDAPSocketOpenError  # type: ignore[import-untyped]
from pydantic import SecretStr

from garrison.core.errors import ActionError
from garrison.respond.actions.account import DisableAccount, EnableAccount
from garrison.respond.actions.base import Outcome, Undo
from garrison.respond.actions.ldap_account import LOCKED_FOREVER, describe, set_disabled
from garrison.respond.config import LdapSettings, ResponseSettings

from .conftest import MakeContext, scripted

ADMIN = "cn=admin,dc=example,dc=com"
PEOPLE = "ou=people,dc=example,dc=com"
PASSWORD = "s3cret-Pa55"
OPENLDAP = LdapSettings(
    url="ldap://directory.example.com",
    bind_dn=ADMIN,
    password=SecretStr(PASSWORD),
    users_dn=PEOPLE,
)
AD = OPENLDAP.model_copy(update={"flavor": "ad", "user_attribute": "sAMAccountName"})


class Directory:
    """One mock server (its entries are shared by every connection) and a connector."""

    def __init__(self) -> None:
        self.server = Server("directory.example.com")
        self.connections: list[Any] = []
        seed = self.open(ADMIN, PASSWORD)
        seed.strategy.add_entry(ADMIN, {"userPassword": PASSWORD, "cn": "admin"})
        person = {"objectClass": ["inetOrgPerson"]}
        seed.strategy.add_entry(f"uid=alice,{PEOPLE}", {**person, "uid": "alice", "sn": "A"})
        seed.strategy.add_entry(
            f"cn=Bob,{PEOPLE}", {**person, "sAMAccountName": "bob", "userAccountControl": "512"}
        )
        seed.strategy.add_entry(f"uid=twin,ou=a,{PEOPLE}", {"uid": "twin"})
        seed.strategy.add_entry(f"uid=twin,ou=b,{PEOPLE}", {"uid": "twin"})

    def open(self, user: str | None, password: str | None) -> Any:
        return Connection(self.server, user=user, password=password, client_strategy=MOCK_SYNC)

    def connector(self, settings: LdapSettings, timeout: float) -> Any:
        secret = settings.password.get_secret_value() if settings.password else None
        conn = self.open(settings.bind_dn, secret)
        self.connections.append(conn)
        return conn

    def read(self, dn: str, attribute: str) -> list[str]:
        conn = self.open(ADMIN, PASSWORD)
        assert conn.bind()
        conn.search(dn, "(objectClass=*)", BASE, attributes=[attribute])
        return [str(v) for v in conn.response[0]["attributes"][attribute]]


@pytest.fixture
def directory() -> Directory:
    return Directory()


def ldap_ctx(make_ctx: MakeContext, ldap: LdapSettings) -> Any:
    return make_ctx(scripted(), settings=ResponseSettings(ldap=ldap))


def test_openldap_lock_and_unlock(directory: Directory, make_ctx: MakeContext) -> None:
    ctx = ldap_ctx(make_ctx, OPENLDAP)
    disable = DisableAccount(ldap_connector=directory.connector)
    enable = EnableAccount(ldap_connector=directory.connector)
    dn = f"uid=alice,{PEOPLE}"

    outcome = disable.run(disable.parse({"user": "alice", "directory": "ldap"}), ctx)
    assert directory.read(dn, "pwdAccountLockedTime") == [LOCKED_FOREVER]
    assert outcome.changed
    assert outcome.output["dn"] == dn
    assert outcome.undo == Undo("enable_account", {"user": "alice", "directory": "ldap"})
    assert ctx.runner.calls == []  # no host command for a directory account

    again = disable.run(disable.parse({"user": "alice", "directory": "ldap"}), ctx)
    assert not again.changed
    assert again.undo is None

    enabled = enable.run(enable.parse({"user": "alice", "directory": "ldap"}), ctx)
    assert directory.read(dn, "pwdAccountLockedTime") == []
    assert enabled.changed
    assert not enable.run(enable.parse({"user": "alice", "directory": "ldap"}), ctx).changed
    assert all(conn.closed for conn in directory.connections)


def test_ad_sets_and_clears_the_disable_bit(directory: Directory, make_ctx: MakeContext) -> None:
    ctx = ldap_ctx(make_ctx, AD)
    disable = DisableAccount(ldap_connector=directory.connector)
    enable = EnableAccount(ldap_connector=directory.connector)
    dn = f"cn=Bob,{PEOPLE}"
    disable.run(disable.parse({"user": "bob", "directory": "ldap"}), ctx)
    assert directory.read(dn, "userAccountControl") == ["514"]
    assert not disable.run(disable.parse({"user": "bob", "directory": "ldap"}), ctx).changed
    enable.run(enable.parse({"user": "bob", "directory": "ldap"}), ctx)
    assert directory.read(dn, "userAccountControl") == ["512"]


def test_unknown_and_ambiguous_accounts(directory: Directory) -> None:
    for user, message in (("nobody", "no account matches"), ("twin", "more than one account")):
        with pytest.raises(ActionError, match=message):
            set_disabled(OPENLDAP, user, disable=True, timeout=5, connector=directory.connector)


def test_a_wrong_password_fails_without_showing_it(directory: Directory) -> None:
    wrong = OPENLDAP.model_copy(update={"password": SecretStr("not-the-Pa55")})
    with pytest.raises(ActionError) as info:
        set_disabled(wrong, "alice", disable=True, timeout=5, connector=directory.connector)
    assert "invalidCredentials" in str(info.value)
    assert "not-the-Pa55" not in str(info.value)
    assert directory.read(f"uid=alice,{PEOPLE}", "pwdAccountLockedTime") == []


def test_an_unreachable_server_is_retryable_and_hides_the_password() -> None:
    def refused(settings: LdapSettings, timeout: float) -> Any:
        class Broken:
            closed = False

            def bind(self) -> bool:
                raise LDAPSocketOpenError(f"socket error while talking with {PASSWORD}")

            def unbind(self) -> None:
                self.closed = True

        return Broken()

    with pytest.raises(ActionError) as info:
        set_disabled(OPENLDAP, "alice", disable=True, timeout=5, connector=refused)
    assert info.value.retryable
    assert PASSWORD not in str(info.value)


def test_the_filter_value_is_escaped(directory: Directory) -> None:
    seen: list[str] = []

    def spy(settings: LdapSettings, timeout: float) -> Any:
        conn = directory.connector(settings, timeout)
        search: Callable[..., Any] = conn.search

        def record(base: str, search_filter: str, *args: Any, **kwargs: Any) -> Any:
            seen.append(search_filter)
            return search(base, search_filter, *args, **kwargs)

        conn.search = record
        return conn

    with pytest.raises(ActionError, match="no account"):
        set_disabled(OPENLDAP, "a*)(uid=*", disable=True, timeout=5, connector=spy)
    assert seen == [r"(uid=a\2a\29\28uid=\2a)"]


def test_not_configured_and_bad_attribute_names(directory: Directory) -> None:
    with pytest.raises(ActionError, match="no LDAP directory"):
        set_disabled(
            LdapSettings(), "alice", disable=True, timeout=5, connector=directory.connector
        )
    odd = OPENLDAP.model_copy(update={"user_attribute": "uid)(cn=*"})
    with pytest.raises(ActionError, match="not an attribute name"):
        set_disabled(odd, "alice", disable=True, timeout=5, connector=directory.connector)
    assert directory.connections == []


def test_plan_does_not_connect(directory: Directory, make_ctx: MakeContext) -> None:
    ctx = ldap_ctx(make_ctx, OPENLDAP)
    disable = DisableAccount(ldap_connector=directory.connector)
    outcome: Outcome = disable.plan(disable.parse({"user": "alice", "directory": "ldap"}), ctx)
    assert directory.connections == []
    assert [e.detail for e in outcome.effects] == [
        f"ldap modify (uid=alice) under {PEOPLE}: replace pwdAccountLockedTime with {LOCKED_FOREVER}"
    ]
    assert describe(AD, "bob", disable=False) == (
        f"ldap modify (sAMAccountName=bob) under {PEOPLE}: clear bit 0x2 of userAccountControl"
    )


def test_never_disable_applies_to_the_directory(
    directory: Directory, make_ctx: MakeContext
) -> None:
    settings = ResponseSettings(ldap=OPENLDAP, never_disable=["root", "Alice"])
    ctx = make_ctx(scripted(), settings=settings)
    disable = DisableAccount(ldap_connector=directory.connector)
    with pytest.raises(ActionError, match="never_disable"):
        disable.run(disable.parse({"user": "alice", "directory": "ldap"}), ctx)
    assert directory.connections == []
