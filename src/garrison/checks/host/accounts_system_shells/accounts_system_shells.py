"""System accounts (below ``UID_MIN``) must not have an interactive login shell."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.accounts import PASSWD, Accounts

#: Accounts whose shell is conventional: root logs in; sync, shutdown and halt run one command.
EXEMPT = frozenset({"root", "sync", "shutdown", "halt", "nfsnobody"})
NOBODY = 65534


class accounts_system_shells(Check):
    """Fails once per system account (UID below ``UID_MIN``, or ``nobody``) whose shell is not
    ``nologin``/``false``, except root, sync, shutdown and halt."""

    needs = ("accounts",)

    def run(self, facts: Facts) -> list[Result]:
        """One failure per account, else one pass."""
        accounts: Accounts = self.fact(facts, "accounts")
        results: list[Result] = []
        for account in accounts.accounts:
            if account.name in EXEMPT or account.uid < 0 or not account.login_shell:
                continue
            if account.uid < accounts.uid_min or account.uid == NOBODY:
                shell = account.shell or "/bin/sh (empty field)"
                results.append(
                    self.result(
                        Status.FAIL,
                        PASSWD,
                        f"system account {account.name!r} (UID {account.uid}) has a login shell",
                        line=account.line,
                        expected="/usr/sbin/nologin",
                        actual=shell,
                    )
                )
        return results or [
            self.result(
                Status.PASS,
                PASSWD,
                f"no system account (UID below {accounts.uid_min}) has a login shell",
            )
        ]
