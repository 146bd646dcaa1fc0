"""A literal password in a configuration file that is weak, a default or the user name."""

from __future__ import annotations

import re

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.secrets_config import CredentialSetting, CredentialSettings
from garrison.checks.weaklist import MIN_LENGTH, is_listed, name_variants

#: Values that are placeholders someone forgot to replace, whatever the list says.
_DEFAULT_LIKE = re.compile(
    r"change[_\-.]?me|change[_\-.]?it|your[_\-.]?pass(?:word)?|^(?:pass(?:word)?|secret|default"
    r"|example|sample|test|demo|temp)\d*$",
    re.IGNORECASE,
)
EXPECTED = f"a random password of at least {MIN_LENGTH} characters, kept in a secret store"


def weaknesses(setting: CredentialSetting) -> list[str]:
    """Why a setting's password is weak (empty when it is not, or is not a literal).

    The reasons never quote the password.
    """
    if setting.value is None:
        return []
    value = setting.value.reveal()
    reasons = []
    if _DEFAULT_LIKE.search(value):
        reasons.append("a well-known default or placeholder")
    if is_listed(value):
        reasons.append("on the weak-password list")
    if setting.user and value.casefold() in {v.casefold() for v in name_variants(setting.user)}:
        reasons.append("the user name or a variant of it")
    if len(value) < MIN_LENGTH:
        reasons.append(f"shorter than {MIN_LENGTH} characters")
    return reasons


class credentials_weak_config_password(Check):
    """Fails for each configured password that is weak; passes the others."""

    needs = ("credential_settings",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per password setting."""
        found: CredentialSettings = self.fact(facts, "credential_settings")
        if not found.settings:
            return [
                self.result(
                    Status.NOT_APPLICABLE, facts.target, "no password set in configuration files"
                )
            ]
        results = []
        for setting in found.settings:
            where = f"{setting.key}" + (
                " (default of its variable)" if setting.origin == "default" else ""
            )
            reasons = weaknesses(setting)
            if reasons:
                results.append(
                    self.result(
                        Status.FAIL,
                        setting.file,
                        f"{where}: weak password ({'; '.join(reasons)})",
                        line=setting.line,
                        expected=EXPECTED,
                        actual=f"{setting.key} = a weak password ({reasons[0]})",
                    )
                )
            elif setting.value is None:
                results.append(
                    self.result(
                        Status.PASS,
                        setting.file,
                        f"{where}: taken from a variable or secret, not written in the file",
                        line=setting.line,
                    )
                )
            else:
                results.append(
                    self.result(
                        Status.PASS,
                        setting.file,
                        f"{where}: not on the weak-password list, not the user name, "
                        f"at least {MIN_LENGTH} characters",
                        line=setting.line,
                    )
                )
        return results
