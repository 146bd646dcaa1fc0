"""Shared or generic login accounts (``admin``, ``test``, ``guest``...): nobody is accountable."""

from __future__ import annotations

import re

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.accounts import PASSWD, Accounts

#: Names that say "anyone" rather than "someone". Product service accounts (oracle,
#: postgres...) are left out: they are owners of software, usually without a password.
GENERIC = frozenset(
    {
        "admin", "administrator", "guest", "test", "tester", "testuser", "user", "demo",
        "temp", "tmp", "default", "shared", "share", "public", "anonymous", "support",
        "training", "student", "ops", "dev", "qa",
    }
)  # fmt: skip
#: ``test1``, ``user01``, ``guest_2``...
_NUMBERED = re.compile(r"^(?:test|user|guest|temp|demo|admin)[-_]?\d{1,3}$")


def generic(name: str) -> bool:
    """A shared, generic account name."""
    lowered = name.lower()
    return lowered in GENERIC or bool(_NUMBERED.match(lowered))


class accounts_generic_names(Check):
    """Fails once per generic account that can log in (login shell and usable password);
    ``manual`` for a generic account with a login shell when ``/etc/shadow`` is unreadable."""

    needs = ("accounts",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per generic login account, else one pass."""
        accounts: Accounts = self.fact(facts, "accounts")
        results: list[Result] = []
        for account in accounts.accounts:
            if not generic(account.name) or not account.login_shell:
                continue
            usable = account.usable_password
            if usable is None:
                results.append(
                    self.result(
                        Status.MANUAL,
                        PASSWD,
                        f"generic account {account.name!r} has a login shell; "
                        "cannot tell whether it has a password (shadow unreadable)",
                        line=account.line,
                    )
                )
            elif usable:
                results.append(
                    self.result(
                        Status.FAIL,
                        PASSWD,
                        f"generic account {account.name!r} can log in: "
                        "a shared account hides who did what",
                        line=account.line,
                        expected="personal named accounts; generic ones locked or removed",
                        actual=f"{account.name} with shell {account.shell or '/bin/sh'}",
                    )
                )
        return results or [self.result(Status.PASS, PASSWD, "no generic account can log in")]
