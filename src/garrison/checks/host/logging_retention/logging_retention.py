"""Logs are kept at least six months (《网络安全法》第二十一条: "留存相关的网络日志不少于六个月";
等保 8.1.5.4 d)): logrotate keeps ``rotate`` x period days of each syslog file."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.logging_config import Logging, Rotation

#: Six months.
MIN_DAYS = 180
_PERIOD_NAMES = {1 / 24: "hourly", 1: "daily", 7: "weekly", 30: "monthly", 365: "yearly"}


def _shown(rotation: Rotation) -> str:
    if rotation.rotate < 0:
        kept = "rotate -1 (never removed)"
    elif rotation.period_days is None:
        kept = f"rotate {rotation.rotate} by size"
    else:
        period = _PERIOD_NAMES.get(rotation.period_days, f"{rotation.period_days} days")
        kept = f"rotate {rotation.rotate} x {period}"
    if rotation.maxage is not None:
        kept += f", maxage {rotation.maxage}"
    days = rotation.retained_days
    return kept if days is None else f"{kept} = {days:g} days"


class logging_retention(Check):
    """Fails for each logrotate block that keeps a syslog file under 180 days."""

    needs = ("logging",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per logrotate block rotating a syslog file."""
        logging: Logging = self.fact(facts, "logging")
        blocks: dict[tuple[str, int], tuple[Rotation, list[str]]] = {}
        for path in logging.syslog_files:
            found = logging.rotations_of(path)
            if found:
                blocks.setdefault((found[0].file, found[0].line), (found[0], []))[1].append(path)
        results = []
        for rotation, paths in blocks.values():
            days = rotation.retained_days
            files = ", ".join(paths)
            if days is None:
                status, message = Status.MANUAL, f"{files}: rotated by size, retention unknown"
            elif days < MIN_DAYS:
                status, message = Status.FAIL, f"{files}: kept {days:g} days, under six months"
            else:
                status, message = Status.PASS, f"{files}: kept {days:g} days"
            results.append(
                self.result(
                    status,
                    rotation.file,
                    message,
                    line=rotation.line,
                    expected=f">= {MIN_DAYS} days (e.g. 'weekly' + 'rotate 26')",
                    actual=_shown(rotation),
                )
            )
        if not results:
            where = "/etc/logrotate.d"
            if logging.syslog or logging.journald is not None:
                message = (
                    "no logrotate rule for the syslog files: verify logs are kept six months "
                    "(or shipped to a log server)"
                )
                results.append(self.result(Status.MANUAL, where, message))
            else:
                results.append(self.result(Status.NOT_APPLICABLE, where, "no local logging"))
        return results
