"""Only root may have UID 0: any other UID 0 account is a second, unaccountable root."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.accounts import PASSWD, Accounts


class accounts_uid0(Check):
    """Fails once per account other than ``root`` with UID 0."""

    needs = ("accounts",)

    def run(self, facts: Facts) -> list[Result]:
        """One failure per extra UID 0 account, or one pass."""
        accounts: Accounts = self.fact(facts, "accounts")
        results = [
            self.result(
                Status.FAIL,
                PASSWD,
                f"account {account.name!r} has UID 0: it is root under another name",
                line=account.line,
                expected="UID 0 for root only",
                actual=f"{account.name}:x:0",
            )
            for account in accounts.accounts
            if account.uid == 0 and account.name != "root"
        ]
        return results or [self.result(Status.PASS, PASSWD, "only root has UID 0")]
