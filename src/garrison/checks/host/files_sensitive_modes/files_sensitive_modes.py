"""Modes of the account, password, SSH server and sudo files: readable or writable by others
they leak password hashes or let a user rewrite who may log in and who is root."""

from __future__ import annotations

import stat

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.files import FileModes, above

#: File -> most permissive mode allowed (RHEL ships shadow files as 000, which is within).
LIMITS = {
    "/etc/shadow": 0o640,
    "/etc/gshadow": 0o640,
    "/etc/passwd": 0o644,
    "/etc/ssh/sshd_config": 0o600,
    "/etc/sudoers": 0o440,
}


class files_sensitive_modes(Check):
    """Fails for each sensitive file whose mode grants more than its limit."""

    needs = ("file_modes",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per sensitive file present."""
        modes: FileModes = self.fact(facts, "file_modes")
        results = []
        for info in modes.sensitive:
            limit = LIMITS.get(info.path)
            if limit is None:
                continue
            expected = f"at most {limit:04o} ({stat.filemode(stat.S_IFREG | limit)[1:]})"
            actual = f"{info.perms:04o} ({stat.filemode(info.mode)[1:]})"
            if info.is_link:
                results.append(
                    self.result(
                        Status.MANUAL,
                        info.path,
                        "a symbolic link: check the mode of the file it points to",
                        expected=expected,
                    )
                )
            elif above(info.perms, limit):
                results.append(
                    self.result(
                        Status.FAIL,
                        info.path,
                        f"{info.path} grants more than {limit:04o}",
                        expected=expected,
                        actual=actual,
                    )
                )
            else:
                results.append(
                    self.result(Status.PASS, info.path, f"mode {info.perms:04o}", actual=actual)
                )
        if not results:
            return [self.result(Status.NOT_APPLICABLE, "/etc", "none of the files exists")]
        return results
