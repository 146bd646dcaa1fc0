"""``PermitRootLogin``: root must not log in over SSH (administrators use their own accounts)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result
from garrison.checks.collectors.host.sshd import SshdConfig
from garrison.checks.host._common import no_sshd, sshd_setting

_WHY = {
    "yes": "root can log in over SSH, with a password too",
    "prohibit-password": "root can still log in over SSH with a key",
    "without-password": "root can still log in over SSH with a key",
    "forced-commands-only": "root can log in over SSH with keys restricted to forced commands",
}


def _why(value: str) -> str:
    """What a ``PermitRootLogin`` value other than ``no`` allows."""
    return _WHY.get(value.lower(), "root may log in over SSH")


class ssh_root_login(Check):
    """Fails unless ``PermitRootLogin no`` (globally and in every ``Match`` block)."""

    needs = ("sshd",)

    def run(self, facts: Facts) -> list[Result]:
        """One result for the global value, plus one per ``Match`` block that allows root."""
        config: SshdConfig = self.fact(facts, "sshd")
        if not config.present:
            return no_sshd(self, config)
        return sshd_setting(
            self,
            config,
            "PermitRootLogin",
            lambda value: value.lower() == "no",
            passed=lambda _: "root cannot log in over SSH",
            failed=_why,
            failed_in_match=lambda value, criteria: (
                f"{_why(value)} for connections matching 'Match {criteria}'"
            ),
            expected="PermitRootLogin no",
        )
