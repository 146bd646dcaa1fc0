"""A local account whose password hash matches a weak password (or its own name)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.password_hashes import (
    SHADOW,
    SLOW_SCHEMES,
    PasswordHashes,
)


class credentials_weak_password_hash(Check):
    """Fails for each account whose password is a common weak one; names the account only."""

    needs = ("password_hashes",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per account with a password hash."""
        found: PasswordHashes = self.fact(facts, "password_hashes")
        if not found.present:
            return [self.result(Status.NOT_APPLICABLE, SHADOW, "no /etc/shadow on this host")]
        if not found.readable:
            return [
                self.result(
                    Status.MANUAL,
                    SHADOW,
                    "/etc/shadow cannot be read (it needs root): check password strength by hand",
                )
            ]
        if not found.accounts:
            return [
                self.result(
                    Status.NOT_APPLICABLE, SHADOW, "no account has a password (hash) to test"
                )
            ]
        results = []
        for account in found.accounts:
            if not account.supported:
                results.append(
                    self.result(
                        Status.MANUAL,
                        account.file,
                        f"account {account.account!r}: {account.scheme} hashes cannot be "
                        "computed on this machine: check its password by hand",
                        line=account.line,
                    )
                )
            elif account.weak:
                results.append(
                    self.result(
                        Status.FAIL,
                        account.file,
                        f"account {account.account!r} has a weak password "
                        "(a common password or a variant of its name)",
                        line=account.line,
                        expected="a password that is not on the weak-password list",
                        actual=f"{account.scheme} hash matches a weak-password candidate",
                    )
                )
            else:
                slow = account.scheme in SLOW_SCHEMES
                scope = (
                    f"none of the {account.tried} weak candidates matches"
                    if account.complete
                    else f"none of the {account.tried} most common of {account.candidates} "
                    f"weak candidates matches (stopped early to bound the scan time"
                    + (f": {account.scheme} is slow by design)" if slow else ")")
                )
                results.append(
                    self.result(
                        Status.PASS,
                        account.file,
                        f"account {account.account!r}: {scope}",
                        line=account.line,
                    )
                )
        return results
