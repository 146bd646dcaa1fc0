"""A configuration that leaves a service without a password (empty, trust, allow-empty)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.secrets_config import CredentialSettings


class credentials_empty_config_password(Check):
    """Fails for each setting that turns password authentication off; passes the other files."""

    needs = ("credential_settings",)

    def run(self, facts: Facts) -> list[Result]:
        """One failure per open setting, one pass per understood file without any."""
        found: CredentialSettings = self.fact(facts, "credential_settings")
        if not found.files:
            return [
                self.result(
                    Status.NOT_APPLICABLE, facts.target, "no configuration file with passwords"
                )
            ]
        results = [
            self.result(
                Status.FAIL,
                item.file,
                item.reason,
                line=item.line,
                expected="a non-empty password required for every login",
                actual=f"{item.key}: no password",
            )
            for item in found.open_auth
        ]
        open_files = {item.file for item in found.open_auth}
        results += [
            self.result(Status.PASS, file, "no empty password and no password-less access")
            for file in found.files
            if file not in open_files
        ]
        return results
