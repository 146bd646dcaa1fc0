"""Passwords must be changed at least every 90 days (login.defs and each account)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host._auth_common import as_int
from garrison.checks.collectors.host.accounts import SHADOW, Accounts
from garrison.checks.collectors.host.password_policy import LOGIN_DEFS, PasswordPolicy

MAX_DAYS = 90


class password_max_age(Check):
    """Fails when ``PASS_MAX_DAYS`` (for new accounts) is unset or above 90, and once per
    interactive account (login shell and a usable password) whose own maximum age in
    ``/etc/shadow`` is unset or above 90."""

    needs = ("password_policy", "accounts")

    def run(self, facts: Facts) -> list[Result]:
        """One result for login.defs, one per failing account (or one pass for all)."""
        policy: PasswordPolicy = self.fact(facts, "password_policy")
        accounts: Accounts = self.fact(facts, "accounts")
        results = [self._login_defs(policy)]
        if not accounts.shadow_readable:
            results.append(
                self.result(
                    Status.MANUAL,
                    SHADOW,
                    f"{SHADOW} is unreadable: scan as root to check each account's maximum age",
                )
            )
            return results
        interactive = [a for a in accounts.accounts if a.login_shell and a.kind == "hash"]
        failed = 0
        for account in interactive:
            days = account.max_days
            if days is not None and 0 < days <= MAX_DAYS:
                continue
            failed += 1
            results.append(
                self.result(
                    Status.FAIL,
                    SHADOW,
                    f"the password of {account.name!r} "
                    + ("never expires" if days is None or days <= 0 or days >= 99999 else
                       f"expires only after {days} days"),
                    line=account.shadow_line,
                    expected=f"maximum age {MAX_DAYS} days or less (chage -M {MAX_DAYS})",
                    actual="unset" if days is None else f"{days} days",
                )
            )  # fmt: skip
        if not failed:
            message = (
                f"{len(interactive)} interactive account(s) change passwords within {MAX_DAYS} days"
                if interactive
                else "no interactive account has a password"
            )
            results.append(self.result(Status.PASS, SHADOW, message))
        return results

    def _login_defs(self, policy: PasswordPolicy) -> Result:
        setting = policy.login_defs.get("PASS_MAX_DAYS")
        days = as_int(setting.value) if setting else None
        if setting is not None and days is not None and 0 < days <= MAX_DAYS:
            return self.result(
                Status.PASS,
                setting.file,
                f"new passwords expire after {days} days",
                line=setting.line,
                actual=f"PASS_MAX_DAYS {setting.value}",
            )
        return self.result(
            Status.FAIL,
            setting.file if setting else LOGIN_DEFS,
            "new passwords do not expire within 90 days",
            line=setting.line if setting else None,
            expected=f"PASS_MAX_DAYS {MAX_DAYS} or less",
            actual=f"PASS_MAX_DAYS {setting.value}" if setting else "PASS_MAX_DAYS not set (99999)",
        )
