"""A syslog daemon (rsyslog, syslog-ng) runs with rules, or journald keeps logs on disk:
without it security events are not recorded (《网络安全法》第二十一条, 等保 安全审计)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.logging_config import Logging
from garrison.checks.collectors.host.processes import Processes

#: syslog daemon -> its process names.
DAEMONS = {"rsyslog": ("rsyslogd",), "syslog-ng": ("syslog-ng",)}


class logging_syslog(Check):
    """Fails when no syslog daemon is configured with rules and running."""

    needs = ("logging", "processes")

    def run(self, facts: Facts) -> list[Result]:
        """One result per syslog daemon configured, or one for journald / nothing."""
        logging: Logging = self.fact(facts, "logging")
        processes: Processes = self.fact(facts, "processes")
        results = [self._daemon(c.daemon, c.path, c.rules, processes) for c in logging.syslog]
        if results:
            return results
        journald = logging.journald
        if journald is not None and journald.persistent:
            if not processes.available:
                status, message = Status.MANUAL, "journald keeps logs on disk; verify it runs"
            elif processes.running("systemd-journald", "systemd-journal"):
                status, message = Status.PASS, "journald runs and keeps logs on disk"
            else:
                status, message = Status.FAIL, "journald is configured but does not run"
            return [
                self.result(
                    status,
                    journald.file or "/etc/systemd/journald.conf",
                    message,
                    line=journald.line,
                    actual=f"Storage={journald.storage}",
                )
            ]
        where = journald.file if journald and journald.file else "/etc/rsyslog.conf"
        return [
            self.result(
                Status.FAIL,
                where,
                "no syslog daemon is configured and journald does not keep logs on disk",
                line=journald.line if journald else None,
                expected="rsyslog or syslog-ng running with rules, or journald Storage=persistent",
                actual=f"Storage={journald.storage}" if journald else "no logging service",
            )
        ]

    def _daemon(self, daemon: str, path: str, rules: int, processes: Processes) -> Result:
        if rules == 0:
            return self.result(
                Status.FAIL,
                path,
                f"{daemon} has no logging rules: nothing is written",
                expected="rules such as 'auth,authpriv.* /var/log/auth.log'",
                actual="0 rules",
            )
        if not processes.available:
            return self.result(
                Status.MANUAL,
                path,
                f"{daemon} is configured ({rules} rules); whether it runs could not be seen",
            )
        if not processes.running(*DAEMONS[daemon]):
            return self.result(
                Status.FAIL,
                path,
                f"{daemon} is configured but does not run",
                expected=f"{DAEMONS[daemon][0]} running",
                actual="not running",
            )
        return self.result(Status.PASS, path, f"{daemon} runs with {rules} rules")
