"""Host checks, part A (SSH, passwords, accounts): each failing fixture fails on its file and
line, each passing fixture passes; plus the cases the fixtures do not show."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from garrison.checks.base import Check, Facts, Status
from garrison.checks.collectors.host import accounts, password_policy, sshd
from garrison.checks.collectors.host.source import LocalSource
from garrison.checks.loader import ROOT, load_check

HERE = Path(__file__).parent
COLLECTORS: dict[str, Any] = {
    "sshd": sshd.collect,
    "password_policy": password_policy.collect,
    "accounts": accounts.collect,
}
#: (resource, line) of every failure each failing fixture must give.
FAIL = {
    "ssh_root_login": [("/etc/ssh/sshd_config.d/50-cloud-init.conf", 2)],
    "ssh_password_authentication": [("/etc/ssh/sshd_config", 3)],
    "ssh_protocol_ciphers": [("/etc/ssh/sshd_config", 4), ("/etc/ssh/sshd_config", 5)],
    "ssh_idle_timeout": [("/etc/ssh/sshd_config", 3)],
    "ssh_max_auth_tries": [("/etc/ssh/sshd_config", 2)],
    "password_min_length": [("/etc/security/pwquality.conf", 3)],
    "password_complexity": [("/etc/pam.d/system-auth", 10)],
    "password_max_age": [("/etc/login.defs", 2), ("/etc/shadow", 5)],
    "password_history": [("/etc/pam.d/common-password", 5)],
    "account_lockout": [("/etc/pam.d/common-auth", 2)],
    "accounts_uid0": [("/etc/passwd", 7)],
    "accounts_empty_password": [("/etc/shadow", 5)],
    "accounts_duplicate_uid": [("/etc/passwd", 7)],
    "accounts_generic_names": [("/etc/passwd", 7)],
    "accounts_system_shells": [("/etc/passwd", 3)],
}
# Loaded one by one: a check another area is still writing must not break these tests.
CHECKS: dict[str, Check] = {i: load_check("host", ROOT / "host" / i)() for i in FAIL}


def facts_of(root: Path, check: Check) -> Facts:
    source = LocalSource(root)
    return Facts(str(root), {name: COLLECTORS[name](source) for name in check.needs})


def test_every_part_a_check_is_loaded() -> None:
    assert all(CHECKS[i].id == i and CHECKS[i].metadata.area == "host" for i in FAIL)


@pytest.mark.parametrize("check_id", sorted(FAIL))
def test_failing_fixture_fails_on_its_lines(check_id: str) -> None:
    check = CHECKS[check_id]
    results = check.run(facts_of(HERE / check_id / "fail", check))
    failed = [r for r in results if r.status is Status.FAIL]
    assert [(r.resource, r.line) for r in failed] == FAIL[check_id]
    assert all(r.expected and r.actual and r.message for r in failed)
    assert not [r for r in results if r.status is Status.ERROR]


@pytest.mark.parametrize("check_id", sorted(FAIL))
def test_passing_fixture_passes(check_id: str) -> None:
    check = CHECKS[check_id]
    results = check.run(facts_of(HERE / check_id / "pass", check))
    assert results
    assert all(r.status is Status.PASS for r in results), results


@pytest.mark.parametrize("check_id", sorted(c for c in FAIL if c.startswith("ssh_")))
def test_ssh_checks_are_not_applicable_without_sshd(tmp_path: Path, check_id: str) -> None:
    check = CHECKS[check_id]
    results = check.run(facts_of(tmp_path, check))
    assert [r.status for r in results] == [Status.NOT_APPLICABLE]


def test_missing_facts_are_errors_not_passes() -> None:
    from garrison.checks.runner import run_checks

    results = run_checks(CHECKS.values(), Facts("t"))
    assert {r.status for r in results} == {Status.ERROR}


# -- SSH details ---------------------------------------------------------------------------


def _sshd(tmp_path: Path, text: str, **files: str) -> sshd.SshdConfig:
    (tmp_path / "etc/ssh").mkdir(parents=True, exist_ok=True)
    (tmp_path / "etc/ssh/sshd_config").write_text(text)
    for name, content in files.items():
        path = tmp_path / name.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return sshd.collect(LocalSource(tmp_path))


def _run(check_id: str, **values: Any) -> list[tuple[Status, str]]:
    return [(r.status, r.message) for r in CHECKS[check_id].run(Facts("t", values))]


def test_root_login_defaults_to_prohibit_password(tmp_path: Path) -> None:
    results = CHECKS["ssh_root_login"].run(Facts("t", {"sshd": _sshd(tmp_path, "Port 22\n")}))
    assert [r.status for r in results] == [Status.FAIL]
    assert results[0].line is None and "key" in results[0].message
    assert results[0].actual == "PermitRootLogin prohibit-password (OpenSSH default)"


def test_match_blocks_report_their_own_failures(tmp_path: Path) -> None:
    config = _sshd(
        tmp_path,
        "PermitRootLogin no\nPasswordAuthentication no\nMaxAuthTries 3\n"
        "Match Address 192.168.1.0/24\n  PermitRootLogin yes\n  PasswordAuthentication yes\n"
        "  MaxAuthTries 20\n",
    )
    for check_id in ("ssh_root_login", "ssh_password_authentication", "ssh_max_auth_tries"):
        results = CHECKS[check_id].run(Facts("t", {"sshd": config}))
        assert [r.status for r in results] == [Status.PASS, Status.FAIL], check_id
        assert "192.168.1.0/24" in results[1].message


def test_keyboard_interactive_through_pam_is_a_password(tmp_path: Path) -> None:
    config = _sshd(tmp_path, "PasswordAuthentication no\nUsePAM yes\n")
    results = CHECKS["ssh_password_authentication"].run(Facts("t", {"sshd": config}))
    assert [r.status for r in results] == [Status.FAIL]
    assert "keyboard-interactive" in results[0].message


def test_two_factor_authentication_methods_pass(tmp_path: Path) -> None:
    config = _sshd(
        tmp_path, "AuthenticationMethods publickey,password publickey,keyboard-interactive\n"
    )
    assert _run("ssh_password_authentication", sshd=config)[0][0] is Status.PASS
    config = _sshd(tmp_path, "AuthenticationMethods publickey password\n")
    assert _run("ssh_password_authentication", sshd=config)[0][0] is Status.FAIL


def test_protocol_1_and_appended_weak_algorithms(tmp_path: Path) -> None:
    config = _sshd(
        tmp_path,
        "Protocol 2,1\nKexAlgorithms +diffie-hellman-group1-sha1\n"
        "HostKeyAlgorithms +ssh-rsa\nMACs -hmac-sha1\nCiphers ^arcfour256\n",
    )
    results = CHECKS["ssh_protocol_ciphers"].run(Facts("t", {"sshd": config}))
    assert [r.line for r in results if r.status is Status.FAIL] == [1, 5, 2, 3]


def test_idle_timeout_from_tmout(tmp_path: Path) -> None:
    profile = {"etc__profile.d__tmout.sh": "readonly TMOUT=600; export TMOUT\n"}
    config = _sshd(tmp_path, "Port 22\n", **profile)
    assert config.tmout[0].file == "/etc/profile.d/tmout.sh"
    results = CHECKS["ssh_idle_timeout"].run(Facts("t", {"sshd": config}))
    assert [r.status for r in results] == [Status.PASS]
    config = _sshd(tmp_path, "ClientAliveInterval 300\nClientAliveCountMax 0\n")
    config = replace(config, tmout=())
    assert [r.status for r in CHECKS["ssh_idle_timeout"].run(Facts("t", {"sshd": config}))] == [
        Status.FAIL
    ]


# -- password details ------------------------------------------------------------------------


def _policy(tmp_path: Path, **files: str) -> password_policy.PasswordPolicy:
    for name, content in files.items():
        path = tmp_path / name.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return password_policy.collect(LocalSource(tmp_path))


def test_positive_credits_shorten_the_minimum(tmp_path: Path) -> None:
    policy = _policy(
        tmp_path,
        **{
            "etc__pam.d__common-password": "password requisite pam_pwquality.so minlen=14 "
            "dcredit=1 ucredit=1 lcredit=1\npassword required pam_unix.so\n"
        },
    )
    results = CHECKS["password_min_length"].run(Facts("t", {"password_policy": policy}))
    assert [r.status for r in results] == [Status.FAIL]
    assert "11 characters" in results[0].message and results[0].line == 1


def test_no_quality_module_and_no_pam(tmp_path: Path) -> None:
    policy = _policy(
        tmp_path, **{"etc__pam.d__common-password": "password required pam_unix.so sha512\n"}
    )
    assert [s for s, _ in _run("password_min_length", password_policy=policy)] == [Status.FAIL]
    assert [s for s, _ in _run("password_complexity", password_policy=policy)] == [Status.FAIL]
    assert [s for s, _ in _run("password_history", password_policy=policy)] == [Status.FAIL]
    empty = _policy(tmp_path / "none", **{"etc__login.defs": "PASS_MIN_LEN 12\n"})
    assert [s for s, _ in _run("password_min_length", password_policy=empty)] == [Status.PASS]
    for check_id in ("password_complexity", "password_history", "account_lockout"):
        assert [s for s, _ in _run(check_id, password_policy=empty)] == [Status.MANUAL]


def test_all_negative_credits_make_four_classes(tmp_path: Path) -> None:
    policy = _policy(
        tmp_path,
        **{
            "etc__pam.d__password-auth": "password requisite pam_pwquality.so\n",
            "etc__security__pwquality.conf": "dcredit=-1\nucredit=-1\nlcredit=-1\nocredit=-2\n",
        },
    )
    assert [s for s, _ in _run("password_complexity", password_policy=policy)] == [Status.PASS]


def test_pwhistory_default_and_tally2(tmp_path: Path) -> None:
    policy = _policy(
        tmp_path,
        **{
            "etc__pam.d__system-auth": "auth required pam_tally2.so onerr=fail\n"
            "password required pam_pwhistory.so use_authtok\n",
        },
    )
    history = CHECKS["password_history"].run(Facts("t", {"password_policy": policy}))
    assert history[0].status is Status.PASS and "(default)" in (history[0].actual or "")
    lockout = CHECKS["account_lockout"].run(Facts("t", {"password_policy": policy}))
    assert lockout[0].status is Status.FAIL  # pam_tally2 never locks without deny=


# -- account details -------------------------------------------------------------------------


def test_unreadable_shadow_gives_manual_results(tmp_path: Path) -> None:
    root = HERE / "accounts_generic_names" / "fail"
    facts = accounts.collect(LocalSource(root))
    blind = replace(
        facts,
        shadow_readable=False,
        accounts=tuple(
            replace(a, shadow_kind=None, algorithm=None, max_days=None, shadow_line=None)
            for a in facts.accounts
        ),
    )
    statuses = [s for s, _ in _run("accounts_generic_names", accounts=blind)]
    assert statuses == [Status.MANUAL]
    statuses = [s for s, _ in _run("accounts_empty_password", accounts=blind)]
    assert statuses == [Status.MANUAL]
    policy = password_policy.collect(LocalSource(root))
    statuses = [s for s, _ in _run("password_max_age", accounts=blind, password_policy=policy)]
    assert statuses == [Status.PASS, Status.MANUAL]


def test_empty_passwd_field_and_empty_shell(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/passwd").write_text(
        "root:x:0:0::/root:/bin/bash\nbackup::34:34::/var/backups:\n"
    )
    facts = accounts.collect(LocalSource(tmp_path))
    results = CHECKS["accounts_empty_password"].run(Facts("t", {"accounts": facts}))
    assert [(r.status, r.resource, r.line) for r in results] == [
        (Status.FAIL, "/etc/passwd", 2),
        (Status.MANUAL, "/etc/shadow", None),
    ]
    shells = CHECKS["accounts_system_shells"].run(Facts("t", {"accounts": facts}))
    assert shells[0].status is Status.FAIL and "/bin/sh" in (shells[0].actual or "")


def test_the_registry_finds_the_part_a_collectors() -> None:
    from garrison.checks.collectors.host.registry import collect_host, collectors

    assert {"sshd", "password_policy", "accounts"} <= set(collectors())
    facts = collect_host(LocalSource(HERE / "ssh_root_login" / "fail"), ["sshd", "accounts"])
    assert isinstance(facts.get("sshd"), sshd.SshdConfig)
    assert facts.get("accounts") is None  # no /etc/passwd in that tree: left out, not faked
