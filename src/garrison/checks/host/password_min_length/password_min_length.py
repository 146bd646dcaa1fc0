"""Passwords of at least 12 characters, enforced by PAM when a password is set."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host._auth_common import as_int
from garrison.checks.collectors.host.password_policy import PasswordPolicy

MIN_LENGTH = 12
_CREDITS = ("dcredit", "ucredit", "lcredit", "ocredit")


class password_min_length(Check):
    """Fails for each PAM password stack whose shortest accepted password is under 12.

    With pam_pwquality/pam_cracklib, the shortest password is ``minlen`` minus the positive
    credits (a character class can count as extra length). Without a quality module, pam_unix's
    ``minlen`` applies (6 by default). With no PAM password stack at all, ``PASS_MIN_LEN`` of
    ``/etc/login.defs`` is judged.
    """

    needs = ("password_policy",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per password stack (or one for login.defs)."""
        policy: PasswordPolicy = self.fact(facts, "password_policy")
        stacks = policy.stacks_of("password")
        if not stacks:
            return [self._login_defs(policy)]
        return [self._stack(policy, stack) for stack in stacks]

    def _stack(self, policy: PasswordPolicy, stack: str) -> Result:
        expected = f"minlen {MIN_LENGTH} or more (pam_pwquality), credits <= 0"
        minlen = policy.quality(stack, "minlen")
        if minlen is not None:
            length = as_int(minlen.value) or 0
            credit = sum(
                max(0, as_int(r.value) or 0)
                for r in (policy.quality(stack, name) for name in _CREDITS)
                if r is not None
            )
            shortest = length - credit
            origin = {"default": " (module default)", "config": "", "option": ""}[minlen.origin]
            actual = f"minlen {minlen.value}{origin}" + (
                f" with up to {credit} credits: {shortest} characters can pass" if credit else ""
            )
            status = Status.PASS if shortest >= MIN_LENGTH else Status.FAIL
            message = (
                f"passwords set through {stack} have at least {shortest} characters"
                if status is Status.PASS
                else f"passwords set through {stack} may have only {shortest} characters"
            )
            return self.result(
                status,
                minlen.file,
                message,
                line=minlen.line,
                expected=expected if status is Status.FAIL else None,
                actual=actual,
            )
        unix = policy.modules(stack, "password", "pam_unix")
        if unix:
            line = unix[0]
            value = line.option("minlen")
            unix_length = as_int(value) if value is not None else 6
            if unix_length is not None and unix_length >= MIN_LENGTH:
                return self.result(
                    Status.PASS,
                    stack,
                    f"pam_unix requires {unix_length} characters",
                    line=line.line,
                    actual=f"pam_unix minlen={value}",
                )
            return self.result(
                Status.FAIL,
                stack,
                "no password quality module: pam_unix accepts short passwords",
                line=line.line,
                expected=expected,
                actual=f"pam_unix minlen={value}" if value else "pam_unix (minimum 6 characters)",
            )
        return self.result(
            Status.FAIL,
            stack,
            "no password quality module in the password stack",
            line=policy.first_line(stack, "password"),
            expected=expected,
            actual="no pam_pwquality or pam_cracklib",
        )

    def _login_defs(self, policy: PasswordPolicy) -> Result:
        setting = policy.login_defs.get("PASS_MIN_LEN")
        length = as_int(setting.value) if setting else None
        if setting is not None and length is not None and length >= MIN_LENGTH:
            return self.result(
                Status.PASS,
                setting.file,
                f"passwords have at least {length} characters",
                line=setting.line,
                actual=f"PASS_MIN_LEN {setting.value}",
            )
        return self.result(
            Status.FAIL,
            setting.file if setting else "/etc/login.defs",
            "no minimum password length of 12 (no PAM password stack found)",
            line=setting.line if setting else None,
            expected=f"PASS_MIN_LEN {MIN_LENGTH}, or pam_pwquality minlen={MIN_LENGTH}",
            actual=f"PASS_MIN_LEN {setting.value}" if setting else "PASS_MIN_LEN not set",
        )
