"""Passwords must mix four character classes (upper, lower, digits, symbols)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host._auth_common import as_int
from garrison.checks.collectors.host.password_policy import PasswordPolicy
from garrison.checks.host._common import no_password_stack

_CREDITS = ("dcredit", "ucredit", "lcredit", "ocredit")


class password_complexity(Check):
    """Fails for each PAM password stack that does not require all four character classes:
    ``minclass=4``, or every one of ``dcredit``/``ucredit``/``lcredit``/``ocredit`` negative
    (a negative credit is a minimum count of that class)."""

    needs = ("password_policy",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per password stack."""
        policy: PasswordPolicy = self.fact(facts, "password_policy")
        stacks = policy.stacks_of("password")
        if not stacks:
            return no_password_stack(self, "password complexity")
        results: list[Result] = []
        expected = "minclass=4, or dcredit/ucredit/lcredit/ocredit all -1 or lower"
        for stack in stacks:
            minclass = policy.quality(stack, "minclass")
            if minclass is None:
                results.append(
                    self.result(
                        Status.FAIL,
                        stack,
                        "no password quality module: any characters are accepted",
                        line=policy.first_line(stack, "password"),
                        expected=expected,
                        actual="no pam_pwquality or pam_cracklib",
                    )
                )
                continue
            credits = {name: policy.quality(stack, name) for name in _CREDITS}
            values = {name: as_int(r.value) if r else None for name, r in credits.items()}
            classes = as_int(minclass.value) or 0
            all_required = all(v is not None and v < 0 for v in values.values())
            actual = f"minclass {minclass.value}; " + ", ".join(
                f"{name} {r.value if r else '?'}" for name, r in credits.items()
            )
            if classes >= 4 or all_required:
                results.append(
                    self.result(
                        Status.PASS,
                        minclass.file,
                        f"passwords set through {stack} need all four character classes",
                        line=minclass.line,
                        actual=actual,
                    )
                )
                continue
            # Point at the line that sets minclass, else at the module line.
            where = minclass if minclass.origin != "default" else None
            module = policy.quality_module(stack)
            results.append(
                self.result(
                    Status.FAIL,
                    where.file if where else stack,
                    f"passwords set through {stack} need only {max(classes, 1)} character "
                    "class(es)",
                    line=where.line if where else (module.line if module else None),
                    expected=expected,
                    actual=actual,
                )
            )
        return results
