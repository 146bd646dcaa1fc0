"""``MaxAuthTries``: at most 5 authentication attempts per SSH connection."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result
from garrison.checks.collectors.host._auth_common import as_int
from garrison.checks.collectors.host.sshd import SshdConfig
from garrison.checks.host._common import no_sshd, sshd_setting

LIMIT = 5


def _within_limit(value: str) -> bool:
    """Whether a ``MaxAuthTries`` value allows 1 to :data:`LIMIT` attempts."""
    tries = as_int(value)
    return tries is not None and 0 < tries <= LIMIT


class ssh_max_auth_tries(Check):
    """Fails when ``MaxAuthTries`` is above 5 (the OpenSSH default is 6), globally or in a
    ``Match`` block."""

    needs = ("sshd",)

    def run(self, facts: Facts) -> list[Result]:
        """One result for the global value, plus one per ``Match`` block raising it."""
        config: SshdConfig = self.fact(facts, "sshd")
        if not config.present:
            return no_sshd(self, config)
        return sshd_setting(
            self,
            config,
            "MaxAuthTries",
            _within_limit,
            passed=lambda value: f"at most {as_int(value)} authentication attempts per connection",
            failed=lambda _: "too many authentication attempts allowed per SSH connection",
            failed_in_match=lambda _, criteria: (
                f"too many authentication attempts for 'Match {criteria}'"
            ),
            expected=f"MaxAuthTries {LIMIT} or less",
        )
