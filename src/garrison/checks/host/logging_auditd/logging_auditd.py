"""auditd runs with audit rules: it records who ran what and touched which file, which syslog
does not (等保 8.1.4.3 安全审计 a) b) d))."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.logging_config import AUDIT_RULES_DIR, AUDITD_CONF, Logging
from garrison.checks.collectors.host.processes import Processes


class logging_auditd(Check):
    """Fails when auditd is missing, has no rules, or does not run."""

    needs = ("logging", "processes")

    def run(self, facts: Facts) -> list[Result]:
        """One result for the audit daemon."""
        logging: Logging = self.fact(facts, "logging")
        processes: Processes = self.fact(facts, "processes")
        auditd = logging.auditd
        if auditd is None:
            return [
                self.result(
                    Status.FAIL,
                    AUDITD_CONF,
                    "auditd is not installed",
                    expected="auditd installed, running, with rules",
                    actual="no /etc/audit configuration",
                )
            ]
        if auditd.rules == 0:
            return [
                self.result(
                    Status.FAIL,
                    auditd.rule_files[0] if auditd.rule_files else AUDIT_RULES_DIR,
                    "auditd has no audit rules: it records almost nothing",
                    expected="watch (-w) and syscall (-a) rules in /etc/audit/rules.d/*.rules",
                    actual="0 rules",
                )
            ]
        where = auditd.config or auditd.rule_files[0]
        if not processes.available:
            return [
                self.result(
                    Status.MANUAL,
                    where,
                    f"auditd has {auditd.rules} rules; whether it runs could not be seen",
                )
            ]
        if not processes.running("auditd"):
            return [
                self.result(
                    Status.FAIL,
                    where,
                    "auditd is configured but does not run",
                    expected="auditd running",
                    actual="not running",
                )
            ]
        return [self.result(Status.PASS, where, f"auditd runs with {auditd.rules} rules")]
