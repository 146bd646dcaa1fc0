"""The clock is synchronised (chrony, ntpd, systemd-timesyncd): log and audit records carry
trustworthy times, so events can be correlated across hosts (等保 8.1.4.3 b))."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.processes import Processes
from garrison.checks.collectors.host.timesync import TimeSync


class time_sync(Check):
    """Fails when no time service is configured, or none that is configured runs."""

    needs = ("timesync", "processes")

    def run(self, facts: Facts) -> list[Result]:
        """One result for the host's time synchronisation."""
        timesync: TimeSync = self.fact(facts, "timesync")
        processes: Processes = self.fact(facts, "processes")
        if timesync.container:
            return [
                self.result(
                    Status.NOT_APPLICABLE,
                    "/",
                    "a container: the host's kernel keeps the time, check the host",
                )
            ]
        configured = [s for s in timesync.services if s.configured]
        if not configured:
            named = ", ".join(s.config or s.name for s in timesync.services)
            return [
                self.result(
                    Status.FAIL,
                    (timesync.services[0].config or "/etc") if timesync.services else "/etc",
                    "no time synchronisation service is configured",
                    expected="chrony, ntpd or systemd-timesyncd with servers",
                    actual=f"no servers in {named}" if named else "none installed",
                )
            ]
        described = ", ".join(
            f"{s.name} ({', '.join(s.servers[:3]) or 'built-in servers'})" for s in configured
        )
        where = configured[0].config or configured[0].name
        if not processes.available:
            return [
                self.result(
                    Status.MANUAL, where, f"configured: {described}; whether it runs is unknown"
                )
            ]
        running = [s for s in configured if processes.running(*s.processes)]
        if not running:
            return [
                self.result(
                    Status.FAIL,
                    where,
                    "time synchronisation is configured but does not run",
                    expected=f"{configured[0].processes[0]} running",
                    actual=f"configured, not running: {described}",
                )
            ]
        servers = ", ".join(running[0].servers[:3]) or "built-in servers"
        return [
            self.result(
                Status.PASS,
                running[0].config or running[0].name,
                f"{running[0].name} runs with {servers}",
            )
        ]
