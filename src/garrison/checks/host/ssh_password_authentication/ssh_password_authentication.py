"""Password-only SSH logins: 等保 asks administrators for two authentication factors."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.sshd import SshdConfig
from garrison.checks.host._common import no_sshd


def multi_factor(methods: str) -> bool:
    """``AuthenticationMethods`` demands two methods in every alternative it lists.

    ``publickey,password publickey,keyboard-interactive`` needs a key *and* a password;
    ``any`` (the default) or ``publickey password`` lets one method suffice.
    """
    lists = methods.split()
    if not lists or methods.strip().lower() == "any":
        return False
    return all(len({m.split(":")[0] for m in item.split(",") if m}) >= 2 for item in lists)


class ssh_password_authentication(Check):
    """Fails when a password alone opens an SSH session.

    That is ``PasswordAuthentication yes`` (the OpenSSH default), or keyboard-interactive
    authentication through PAM (``KbdInteractiveAuthentication yes`` with ``UsePAM yes``),
    which asks for the same password, unless ``AuthenticationMethods`` requires a second factor.
    """

    needs = ("sshd",)

    def run(self, facts: Facts) -> list[Result]:
        """One result for the global settings, plus one per ``Match`` block enabling passwords."""
        config: SshdConfig = self.fact(facts, "sshd")
        if not config.present:
            return no_sshd(self, config)
        results = [self._global(config)]
        for block in config.matches:
            found = block.first("PasswordAuthentication")
            methods = block.first("AuthenticationMethods")
            if found is None or found.value.lower() != "yes":
                continue
            if methods is not None and multi_factor(methods.value):
                continue
            results.append(
                self.result(
                    Status.FAIL,
                    found.file,
                    f"password-only SSH logins for connections matching 'Match {block.criteria}'",
                    line=found.line,
                    expected="PasswordAuthentication no",
                    actual=f"PasswordAuthentication {found.value}",
                )
            )
        return results

    def _global(self, config: SshdConfig) -> Result:
        methods = config.effective("AuthenticationMethods")
        if not methods.default and multi_factor(methods.value):
            return self.result(
                Status.PASS,
                methods.file,
                "SSH logins need two authentication methods",
                line=methods.line,
                actual=f"AuthenticationMethods {methods.value}",
            )
        password = config.effective("PasswordAuthentication")
        expected = "PasswordAuthentication no (keys, or AuthenticationMethods with two factors)"
        if password.value.lower() != "no":
            default = " (OpenSSH default)" if password.default else ""
            return self.result(
                Status.FAIL,
                password.file,
                "a password alone opens an SSH session",
                line=password.line,
                expected=expected,
                actual=f"PasswordAuthentication {password.value}{default}",
            )
        kbd = config.effective("KbdInteractiveAuthentication")
        pam = config.effective("UsePAM")
        if kbd.value.lower() != "no" and pam.value.lower() == "yes":
            return self.result(
                Status.FAIL,
                kbd.file,
                "PAM keyboard-interactive logins still accept a password alone",
                line=kbd.line,
                expected="KbdInteractiveAuthentication no",
                actual=f"KbdInteractiveAuthentication {kbd.value}, UsePAM yes",
            )
        return self.result(
            Status.PASS,
            password.file,
            "SSH does not accept a password alone",
            line=password.line,
            actual=f"PasswordAuthentication {password.value}",
        )
