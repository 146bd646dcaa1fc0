"""``MaxAuthTries``: at most 5 authentication attempts per SSH connection."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host._auth_common import as_int
from garrison.checks.collectors.host.sshd import SshdConfig

LIMIT = 5


class ssh_max_auth_tries(Check):
    """Fails when ``MaxAuthTries`` is above 5 (the OpenSSH default is 6), globally or in a
    ``Match`` block."""

    needs = ("sshd",)

    def run(self, facts: Facts) -> list[Result]:
        """One result for the global value, plus one per ``Match`` block raising it."""
        config: SshdConfig = self.fact(facts, "sshd")
        if not config.present:
            return [
                self.result(
                    Status.NOT_APPLICABLE, config.main_file, "no OpenSSH server configuration"
                )
            ]
        effective = config.effective("MaxAuthTries")
        tries = as_int(effective.value)
        shown = f"MaxAuthTries {effective.value}" + (
            " (OpenSSH default)" if effective.default else ""
        )
        results: list[Result] = []
        if tries is not None and 0 < tries <= LIMIT:
            results.append(
                self.result(
                    Status.PASS,
                    effective.file,
                    f"at most {tries} authentication attempts per connection",
                    line=effective.line,
                    actual=shown,
                )
            )
        else:
            results.append(
                self.result(
                    Status.FAIL,
                    effective.file,
                    "too many authentication attempts allowed per SSH connection",
                    line=effective.line,
                    expected=f"MaxAuthTries {LIMIT} or less",
                    actual=shown,
                )
            )
        for block in config.matches:
            found = block.first("MaxAuthTries")
            value = as_int(found.value) if found is not None else None
            if found is not None and not (value is not None and 0 < value <= LIMIT):
                results.append(
                    self.result(
                        Status.FAIL,
                        found.file,
                        f"too many authentication attempts for 'Match {block.criteria}'",
                        line=found.line,
                        expected=f"MaxAuthTries {LIMIT} or less",
                        actual=f"MaxAuthTries {found.value}",
                    )
                )
        return results
