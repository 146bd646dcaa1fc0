"""Accounts whose password field is empty: anyone can log in as them without a password."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.accounts import PASSWD, SHADOW, Accounts


class accounts_empty_password(Check):
    """Fails once per account with an empty password field in ``/etc/passwd`` or
    ``/etc/shadow``; ``manual`` when the shadow file cannot be read."""

    needs = ("accounts",)

    def run(self, facts: Facts) -> list[Result]:
        """One failure per account, else one pass (and a manual result without shadow)."""
        accounts: Accounts = self.fact(facts, "accounts")
        results: list[Result] = []
        expected = "a password, or a locked account (passwd -l)"
        for account in accounts.accounts:
            if account.kind != "empty":
                continue
            in_shadow = account.passwd_kind == "shadow"  # noqa: S105 - a kind, not a password
            where = SHADOW if in_shadow else PASSWD
            results.append(
                self.result(
                    Status.FAIL,
                    where,
                    f"account {account.name!r} has no password (empty field in {where})",
                    line=account.shadow_line if in_shadow else account.line,
                    expected=expected,
                    actual="empty password field",
                )
            )
        if not accounts.shadow_readable:
            results.append(
                self.result(
                    Status.MANUAL,
                    SHADOW,
                    f"{SHADOW} is unreadable: scan as root to find empty passwords there",
                )
            )
        elif not results:
            results.append(self.result(Status.PASS, SHADOW, "every account has a password field"))
        return results
