"""Entries with mode 777: every user can read, change and run them (source doc 003:
"禁止777权限")."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.files import FileModes, describe, walk_results

CAP = 100


class files_mode_777(Check):
    """Fails for each file or folder with all permission bits set under the roots."""

    needs = ("file_modes",)

    def run(self, facts: Facts) -> list[Result]:
        """One failure per entry (up to :data:`CAP`), or a pass for the roots walked."""
        modes: FileModes = self.fact(facts, "file_modes")
        failures = [
            self.result(
                Status.FAIL,
                info.path,
                "mode 777: anyone can read, change and execute it",
                expected="no 777 (at most 755 for folders and programs, 644 for files)",
                actual=describe(info),
            )
            for info in modes.mode_777[:CAP]
        ]
        return walk_results(self, modes, failures, len(modes.mode_777), "no mode-777 entry")
