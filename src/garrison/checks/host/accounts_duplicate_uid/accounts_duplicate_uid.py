"""Two accounts with one UID (or one name) cannot be told apart in logs or file ownership."""

from __future__ import annotations

from collections import defaultdict

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.accounts import PASSWD, Account, Accounts


class accounts_duplicate_uid(Check):
    """Fails once per UID shared by several accounts and once per repeated user name."""

    needs = ("accounts",)

    def run(self, facts: Facts) -> list[Result]:
        """One failure per duplicate, else one pass."""
        accounts: Accounts = self.fact(facts, "accounts")
        by_uid: dict[int, list[Account]] = defaultdict(list)
        by_name: dict[str, list[Account]] = defaultdict(list)
        for account in accounts.accounts:
            if account.uid >= 0:
                by_uid[account.uid].append(account)
            by_name[account.name].append(account)
        results: list[Result] = []
        for uid, same in by_uid.items():
            if len(same) > 1:
                names = ", ".join(a.name for a in same)
                results.append(
                    self.result(
                        Status.FAIL,
                        PASSWD,
                        f"UID {uid} is shared by {names}",
                        line=same[1].line,
                        expected="one account per UID",
                        actual=f"UID {uid}: {names}",
                    )
                )
        for name, same in by_name.items():
            if len(same) > 1:
                results.append(
                    self.result(
                        Status.FAIL,
                        PASSWD,
                        f"user name {name!r} appears {len(same)} times",
                        line=same[1].line,
                        expected="unique user names",
                        actual=f"{name!r} on lines {', '.join(str(a.line) for a in same)}",
                    )
                )
        return results or [
            self.result(Status.PASS, PASSWD, "every account has its own UID and name")
        ]
