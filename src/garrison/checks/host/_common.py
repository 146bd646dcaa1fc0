"""What host checks share: the walk failures, the missing sshd and PAM stack results, and
the judgement of one sshd setting.

Not a check (the loader only loads folders): helpers imported by the ``files_*``, ``ssh_*``
and ``password_*`` checks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from garrison.checks.base import Check, Result, Status
from garrison.checks.collectors.host.files import FileModes, describe, walk_results
from garrison.checks.collectors.host.source import FileInfo
from garrison.checks.collectors.host.sshd import SshdConfig


def entry_results(
    check: Check,
    modes: FileModes,
    entries: Sequence[FileInfo],
    cap: int,
    *,
    message: str,
    expected: str,
    ok: str,
) -> list[Result]:
    """A failure per entry of a walk (up to ``cap``), then what :func:`walk_results` adds.

    Args:
        check: The check.
        modes: The ``file_modes`` fact.
        entries: The entries the check flags.
        cap: Failures listed at most; the rest are counted in one more failure.
        message: The message of each failure.
        expected: What each entry should be.
        ok: The pass message when no entry is flagged.
    """
    failures = [
        check.result(Status.FAIL, info.path, message, expected=expected, actual=describe(info))
        for info in entries[:cap]
    ]
    return walk_results(check, modes, failures, len(entries), ok)


def no_sshd(check: Check, config: SshdConfig) -> list[Result]:
    """The result of an SSH check on a host without an OpenSSH server configuration."""
    return [
        check.result(Status.NOT_APPLICABLE, config.main_file, "no OpenSSH server configuration")
    ]


def no_password_stack(check: Check, what: str) -> list[Result]:
    """The result of a password check on a host without a PAM password stack.

    Args:
        check: The check.
        what: What a person has to verify (``password history``).
    """
    return [
        check.result(
            Status.MANUAL,
            "/etc/pam.d",
            f"no PAM password stack found: verify {what} by hand",
        )
    ]


def sshd_setting(
    check: Check,
    config: SshdConfig,
    keyword: str,
    ok: Callable[[str], bool],
    *,
    passed: Callable[[str], str],
    failed: Callable[[str], str],
    failed_in_match: Callable[[str, str], str],
    expected: str,
) -> list[Result]:
    """Judge one sshd setting: its global value, then each ``Match`` block setting it.

    Args:
        check: The check.
        config: The ``sshd`` fact (present).
        keyword: The sshd keyword as people write it (``MaxAuthTries``).
        ok: Whether a value is acceptable.
        passed: The pass message for an acceptable global value.
        failed: The failure message for a global value that is not.
        failed_in_match: The failure message for a value and the criteria of its block.
        expected: What the setting should be.

    Returns:
        A pass or failure for the effective global value, then a failure per ``Match`` block
        that sets an unacceptable value.
    """
    effective = config.effective(keyword)
    shown = f"{keyword} {effective.value}" + (" (OpenSSH default)" if effective.default else "")
    results: list[Result] = []
    if ok(effective.value):
        results.append(
            check.result(
                Status.PASS,
                effective.file,
                passed(effective.value),
                line=effective.line,
                actual=shown,
            )
        )
    else:
        results.append(
            check.result(
                Status.FAIL,
                effective.file,
                failed(effective.value),
                line=effective.line,
                expected=expected,
                actual=shown,
            )
        )
    for block in config.matches:
        found = block.first(keyword)
        if found is not None and not ok(found.value):
            results.append(
                check.result(
                    Status.FAIL,
                    found.file,
                    failed_in_match(found.value, block.criteria),
                    line=found.line,
                    expected=expected,
                    actual=f"{keyword} {found.value}",
                )
            )
    return results
