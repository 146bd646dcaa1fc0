"""Idle SSH sessions must end: ``ClientAliveInterval``/``ClientAliveCountMax`` or ``TMOUT``."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host._auth_common import as_int
from garrison.checks.collectors.host.sshd import SshdConfig
from garrison.checks.host._common import no_sshd

#: Longest accepted idle time, in seconds.
MAX_IDLE = 600
MAX_COUNT = 3


class ssh_idle_timeout(Check):
    """Passes when sshd drops unanswered sessions within 600 s or the shell ends idle ones.

    ``ClientAliveInterval`` 1-600 with ``ClientAliveCountMax`` 1-3 (0 disables the check in
    OpenSSH 8.2+), or every ``TMOUT`` set in ``/etc/profile``, ``/etc/profile.d/*.sh`` or the
    system bashrc between 1 and 600 seconds.
    """

    needs = ("sshd",)

    def run(self, facts: Facts) -> list[Result]:
        """One result."""
        config: SshdConfig = self.fact(facts, "sshd")
        if not config.present:
            return no_sshd(self, config)
        interval = config.effective("ClientAliveInterval")
        count = config.effective("ClientAliveCountMax")
        seconds = as_int(interval.value)
        tries = as_int(count.value)
        sshd_text = (
            f"ClientAliveInterval {interval.value}{' (default)' if interval.default else ''}, "
            f"ClientAliveCountMax {count.value}{' (default)' if count.default else ''}"
        )
        if (
            seconds is not None
            and 0 < seconds <= MAX_IDLE
            and tries is not None
            and 0 < tries <= MAX_COUNT
        ):
            return [
                self.result(
                    Status.PASS,
                    interval.file,
                    f"sshd ends unresponsive sessions after {seconds * tries} s",
                    line=interval.line,
                    actual=sshd_text,
                )
            ]
        values = [as_int(t.value) for t in config.tmout]
        if values and all(v is not None and 0 < v <= MAX_IDLE for v in values):
            first = config.tmout[0]
            return [
                self.result(
                    Status.PASS,
                    first.file,
                    f"idle shells end after TMOUT={first.value} s",
                    line=first.line,
                    actual=f"TMOUT={first.value}",
                )
            ]
        tmout_text = (
            ", ".join(f"TMOUT={t.value} ({t.file}:{t.line})" for t in config.tmout) or "no TMOUT"
        )
        return [
            self.result(
                Status.FAIL,
                interval.file,
                "idle SSH sessions are never ended",
                line=interval.line,
                expected=f"ClientAliveInterval 1-{MAX_IDLE} with ClientAliveCountMax "
                f"1-{MAX_COUNT}, or TMOUT<={MAX_IDLE} in /etc/profile",
                actual=f"{sshd_text}; {tmout_text}",
            )
        ]
