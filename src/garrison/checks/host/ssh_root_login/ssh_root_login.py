"""``PermitRootLogin``: root must not log in over SSH (administrators use their own accounts)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.sshd import SshdConfig

_WHY = {
    "yes": "root can log in over SSH, with a password too",
    "prohibit-password": "root can still log in over SSH with a key",
    "without-password": "root can still log in over SSH with a key",
    "forced-commands-only": "root can log in over SSH with keys restricted to forced commands",
}


class ssh_root_login(Check):
    """Fails unless ``PermitRootLogin no`` (globally and in every ``Match`` block)."""

    needs = ("sshd",)

    def run(self, facts: Facts) -> list[Result]:
        """One result for the global value, plus one per ``Match`` block that allows root."""
        config: SshdConfig = self.fact(facts, "sshd")
        if not config.present:
            return [
                self.result(
                    Status.NOT_APPLICABLE, config.main_file, "no OpenSSH server configuration"
                )
            ]
        effective = config.effective("PermitRootLogin")
        value = effective.value.lower()
        shown = f"PermitRootLogin {effective.value}" + (
            " (OpenSSH default)" if effective.default else ""
        )
        results: list[Result] = []
        if value == "no":
            results.append(
                self.result(
                    Status.PASS,
                    effective.file,
                    "root cannot log in over SSH",
                    line=effective.line,
                    actual=shown,
                )
            )
        else:
            results.append(
                self.result(
                    Status.FAIL,
                    effective.file,
                    _WHY.get(value, "root may log in over SSH"),
                    line=effective.line,
                    expected="PermitRootLogin no",
                    actual=shown,
                )
            )
        for block in config.matches:
            found = block.first("PermitRootLogin")
            if found is not None and found.value.lower() != "no":
                results.append(
                    self.result(
                        Status.FAIL,
                        found.file,
                        f"{_WHY.get(found.value.lower(), 'root may log in over SSH')} "
                        f"for connections matching 'Match {block.criteria}'",
                        line=found.line,
                        expected="PermitRootLogin no",
                        actual=f"PermitRootLogin {found.value}",
                    )
                )
        return results
