"""Accounts must lock after at most 5 failed logins (pam_faillock or pam_tally2)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host._auth_common import as_int
from garrison.checks.collectors.host.password_policy import PamLine, PasswordPolicy, Resolved

MAX_DENY = 5


class account_lockout(Check):
    """Fails for each PAM authentication stack without a lockout of at most 5 failures.

    pam_faillock takes ``deny=``/``unlock_time=`` from its options, else from
    ``/etc/security/faillock.conf``, else its defaults (3 and 600 s). pam_tally2 never locks
    unless ``deny=`` is given. ``unlock_time=0`` (locked until an administrator unlocks) is
    accepted; ``deny=0`` disables the lockout.
    """

    needs = ("password_policy",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per authentication stack."""
        policy: PasswordPolicy = self.fact(facts, "password_policy")
        stacks = policy.stacks_of("auth")
        if not stacks:
            return [
                self.result(
                    Status.MANUAL,
                    "/etc/pam.d",
                    "no PAM authentication stack found: verify the login lockout by hand",
                )
            ]
        return [self._stack(policy, stack) for stack in stacks]

    def _resolve(self, policy: PasswordPolicy, lines: list[PamLine], name: str) -> Resolved | None:
        """The first line giving option ``name``, else the config file, else the default."""
        for line in lines:
            if line.option(name) is not None:
                return policy.module_setting(line, name, {}, None)
        module = lines[0].module
        config = policy.faillock if module == "pam_faillock" else {}
        defaults = {"pam_faillock": {"deny": "3", "unlock_time": "600"}}.get(module, {})
        return policy.module_setting(lines[0], name, config, defaults.get(name))

    def _stack(self, policy: PasswordPolicy, stack: str) -> Result:
        expected = f"pam_faillock deny={MAX_DENY} or less with unlock_time"
        lines = policy.modules(stack, "auth", "pam_faillock") or policy.modules(
            stack, "auth", "pam_tally2"
        )
        if not lines:
            return self.result(
                Status.FAIL,
                stack,
                "failed logins never lock the account",
                line=policy.first_line(stack, "auth"),
                expected=expected,
                actual="no pam_faillock or pam_tally2",
            )
        module = lines[0].module
        deny = self._resolve(policy, lines, "deny")
        unlock = self._resolve(policy, lines, "unlock_time")
        tries = as_int(deny.value) if deny else None
        actual = (
            f"{module} deny={deny.value if deny else 'unset'}"
            f" unlock_time={unlock.value if unlock else 'unset'}"
        )
        where = deny or Resolved("", stack, lines[0].line, "default")
        if tries is None or not 0 < tries <= MAX_DENY:
            return self.result(
                Status.FAIL,
                where.file,
                "failed logins do not lock the account within 5 attempts",
                line=where.line,
                expected=expected,
                actual=actual,
            )
        if unlock is None or as_int(unlock.value) is None:
            return self.result(
                Status.FAIL,
                stack,
                "the lockout has no unlock_time",
                line=lines[0].line,
                expected=expected,
                actual=actual,
            )
        return self.result(
            Status.PASS,
            where.file,
            f"accounts lock after {tries} failed logins ({stack})",
            line=where.line,
            actual=actual,
        )
