"""Entries with mode 777: every user can read, change and run them (source doc 003:
"禁止777权限")."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result
from garrison.checks.collectors.host.files import FileModes
from garrison.checks.host._common import entry_results

CAP = 100


class files_mode_777(Check):
    """Fails for each file or folder with all permission bits set under the roots."""

    needs = ("file_modes",)

    def run(self, facts: Facts) -> list[Result]:
        """One failure per entry (up to :data:`CAP`), or a pass for the roots walked."""
        modes: FileModes = self.fact(facts, "file_modes")
        return entry_results(
            self,
            modes,
            modes.mode_777,
            CAP,
            message="mode 777: anyone can read, change and execute it",
            expected="no 777 (at most 755 for folders and programs, 644 for files)",
            ok="no mode-777 entry",
        )
