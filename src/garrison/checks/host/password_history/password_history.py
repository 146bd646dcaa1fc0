"""Old passwords must not be reused: the last 5 at least are remembered."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host._auth_common import as_int
from garrison.checks.collectors.host.password_policy import PasswordPolicy, Resolved
from garrison.checks.host._common import no_password_stack

REMEMBER = 5


class password_history(Check):
    """Fails for each PAM password stack that remembers fewer than 5 old passwords.

    ``pam_pwhistory`` (``remember=`` option, else ``/etc/security/pwhistory.conf``, else its
    default of 10) or ``pam_unix remember=``; the larger applies.
    """

    needs = ("password_policy",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per password stack."""
        policy: PasswordPolicy = self.fact(facts, "password_policy")
        stacks = policy.stacks_of("password")
        if not stacks:
            return no_password_stack(self, "password history")
        return [self._stack(policy, stack) for stack in stacks]

    def _stack(self, policy: PasswordPolicy, stack: str) -> Result:
        found: list[tuple[int, Resolved, str]] = []
        for line in policy.modules(stack, "password", "pam_pwhistory"):
            value = policy.module_setting(line, "remember", policy.pwhistory, "10")
            if value is not None:
                found.append((as_int(value.value) or 0, value, "pam_pwhistory"))
        for line in policy.modules(stack, "password", "pam_unix"):
            value = policy.module_setting(line, "remember", {}, None)
            if value is not None:
                found.append((as_int(value.value) or 0, value, "pam_unix"))
        expected = f"pam_pwhistory remember={REMEMBER} or more"
        if not found:
            return self.result(
                Status.FAIL,
                stack,
                "old passwords can be reused at once (no password history)",
                line=policy.first_line(stack, "password"),
                expected=expected,
                actual="no pam_pwhistory, no pam_unix remember=",
            )
        count, where, module = max(found, key=lambda item: item[0])
        default = " (default)" if where.origin == "default" else ""
        actual = f"{module} remember={where.value}{default}"
        if count >= REMEMBER:
            return self.result(
                Status.PASS,
                where.file,
                f"the last {count} passwords cannot be reused ({stack})",
                line=where.line,
                actual=actual,
            )
        return self.result(
            Status.FAIL,
            where.file,
            f"only the last {count} password(s) are remembered ({stack})",
            line=where.line,
            expected=expected,
            actual=actual,
        )
