"""Every credentials check on its failing fixture (failures on the right lines) and its passing
one (no failure), and no secret in any result, log line or repr."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from garrison.checks import weaklist
from garrison.checks.base import Facts, Result, Status
from garrison.checks.collectors import secrets_config
from garrison.checks.collectors.host import password_hashes
from garrison.checks.collectors.host.source import LocalSource
from garrison.checks.collectors.secrets_config import (
    CredentialSetting,
    CredentialSettings,
    SecretValue,
)
from garrison.checks.loader import ROOT, load_check
from garrison.checks.runner import run_checks
from garrison.checks.weaklist import weak_passwords

HERE = Path(__file__).parent
#: Loaded on their own, so another area's broken check cannot hide these results.
CHECKS = {
    p.name: load_check("credentials", p)()
    for p in sorted((ROOT / "credentials").iterdir())
    if p.is_dir() and p.name != "__pycache__"
}
WEAK = "credentials_weak_config_password"
EMPTY = "credentials_empty_config_password"
HASH = "credentials_weak_password_hash"
#: (file name, line) of every failure each config fixture must give.
FAIL_LINES = {
    WEAK: {
        (".env", 4),
        ("application.yml", 7),
        ("docker-compose.yml", 5),
        ("docker-compose.yml", 7),
        ("docker-compose.yml", 11),
        ("jdbc.properties", 3),
        ("my.cnf", 6),
        ("redis.conf", 3),
        ("wp-config.php", 4),
    },
    EMPTY: {
        ("application.properties", 3),
        ("docker-compose.yml", 5),
        ("docker-compose.yml", 9),
        ("my.cnf", 3),
        ("redis.conf", 2),
    },
}
#: Every password written in the fixtures: none may leave the collectors.
SECRETS = (
    "admin@123", "Passw0rd", "redis123", "foobared", "123456", "changeme", "k7Vq!2xRw9@Lm4Zp",
    "Tq8#zLw2Vx9!Rm4P", "$6$",
)  # fmt: skip


def _config_facts(check_id: str, kind: str) -> Facts:
    return Facts("t", {"credential_settings": secrets_config.collect([HERE / check_id / kind])})


def _host_facts(kind: str, words: tuple[str, ...] | None = None) -> Facts:
    source = LocalSource(HERE / HASH / kind)
    return Facts("t", {"password_hashes": password_hashes.collect(source, words=words)})


def _no_secret(results: list[Result]) -> None:
    for result in results:
        text = " ".join(str(v) for v in (result.message, result.expected, result.actual))
        text += repr(result)
        for secret in SECRETS:
            assert secret not in text, (secret, result)


def test_the_area_has_its_three_checks() -> None:
    assert set(CHECKS) == {WEAK, EMPTY, HASH}
    folders = {p.name for p in HERE.iterdir() if p.is_dir() and not p.name.startswith("_")}
    assert set(CHECKS) <= folders


@pytest.mark.parametrize("check_id", [WEAK, EMPTY])
def test_config_fail_fixture_fails_on_its_lines(check_id: str) -> None:
    results = CHECKS[check_id].run(_config_facts(check_id, "fail"))
    failed = {(Path(r.resource).name, r.line) for r in results if r.status is Status.FAIL}
    assert failed == FAIL_LINES[check_id]
    assert all(r.expected and r.actual for r in results if r.status is Status.FAIL)
    _no_secret(results)


@pytest.mark.parametrize("check_id", [WEAK, EMPTY])
def test_config_pass_fixture_passes(check_id: str) -> None:
    results = CHECKS[check_id].run(_config_facts(check_id, "pass"))
    assert results and all(r.status is Status.PASS for r in results)
    _no_secret(results)


def test_weak_messages_say_why_and_never_the_value() -> None:
    results = CHECKS[WEAK].run(_config_facts(WEAK, "fail"))
    by_place = {(Path(r.resource).name, r.line): r for r in results}
    assert "on the weak-password list" in by_place[(".env", 4)].message
    assert "DB_PASSWORD" in by_place[(".env", 4)].message
    assert "the user name" in by_place[("wp-config.php", 4)].message
    assert "the user name" in by_place[("my.cnf", 6)].message
    assert "default of its variable" in by_place[("docker-compose.yml", 7)].message
    assert "well-known default" in by_place[("jdbc.properties", 3)].message
    assert "shorter than 8" in by_place[("docker-compose.yml", 5)].message
    assert by_place[(".env", 5)].status is Status.PASS  # ${REDIS_PASSWORD}: a reference


def test_hash_fail_fixture_names_the_account_only() -> None:
    results = CHECKS[HASH].run(_host_facts("fail"))
    failed = [r for r in results if r.status is Status.FAIL]
    assert [(r.resource, r.line) for r in failed] == [("/etc/shadow", 3)]
    assert "'ops'" in failed[0].message
    assert failed[0].expected and failed[0].actual
    _no_secret(results)


def test_hash_pass_fixture_passes() -> None:
    results = CHECKS[HASH].run(_host_facts("pass", words=weak_passwords()[:60]))
    assert [(r.status, r.line) for r in results] == [(Status.PASS, 3)]
    _no_secret(results)


def test_no_settings_or_files_are_not_applicable() -> None:
    facts = Facts("cfg", {"credential_settings": CredentialSettings()})
    for check_id in (WEAK, EMPTY):
        assert [r.status for r in CHECKS[check_id].run(facts)] == [Status.NOT_APPLICABLE]


def test_missing_facts_give_errors_not_passes() -> None:
    results = run_checks(CHECKS.values(), Facts("t"))
    assert {r.status for r in results} == {Status.ERROR}


def test_unreadable_or_absent_shadow(tmp_path: Path) -> None:
    absent = password_hashes.PasswordHashes(present=False, readable=False)
    closed = password_hashes.PasswordHashes(present=True, readable=True)
    locked = password_hashes.PasswordHashes(present=True, readable=False)
    run = CHECKS[HASH].run
    assert run(Facts("t", {"password_hashes": absent}))[0].status is Status.NOT_APPLICABLE
    assert run(Facts("t", {"password_hashes": closed}))[0].status is Status.NOT_APPLICABLE
    assert run(Facts("t", {"password_hashes": locked}))[0].status is Status.MANUAL


def test_unsupported_scheme_is_manual_and_partial_search_says_so() -> None:
    accounts = (
        password_hashes.AccountHash("a", "/etc/shadow", 1, "unknown", False, False, 0, 0),
        password_hashes.AccountHash("b", "/etc/shadow", 2, "yescrypt", True, False, 50, 980),
    )
    facts = Facts("t", {"password_hashes": password_hashes.PasswordHashes(True, True, accounts)})
    first, second = CHECKS[HASH].run(facts)
    assert first.status is Status.MANUAL
    assert second.status is Status.PASS and "50 most common of 980" in second.message


def test_no_secret_in_logs_or_reprs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    config = secrets_config.collect([HERE / WEAK / "fail", HERE / EMPTY / "fail"])
    hashes = password_hashes.collect(LocalSource(HERE / HASH / "fail"))
    results = run_checks(CHECKS.values(), Facts("t", {"credential_settings": config}))
    results += run_checks(CHECKS.values(), Facts("t", {"password_hashes": hashes}))
    logging.getLogger("test").info("facts %s %r %s", config, hashes, results)
    text = caplog.text + repr(config) + str(config) + repr(hashes) + repr(results)
    assert "DB_PASSWORD" in text  # the keys are there...
    for secret in SECRETS:
        assert secret not in text  # ...the values are not


def test_secret_value_masks_everywhere() -> None:
    secret = SecretValue("admin@123")
    assert secret.reveal() == "admin@123"
    assert "admin" not in f"{secret} {secret!r} {secret:>20} {[secret]} { ({'k': secret}) }"
    assert secret == SecretValue("admin@123") and secret != SecretValue("other")
    assert len(secret) == 9
    setting = CredentialSetting("f", 1, "k", "env", "literal", secret, "u")
    assert "admin@123" not in repr(setting)


@given(
    st.from_regex(r"[A-Z0-9!@#%^&*]{6,24}", fullmatch=True),
    st.sampled_from(["literal", "default"]),
    st.one_of(st.none(), st.from_regex(r"[A-Z0-9]{1,12}", fullmatch=True)),
)
def test_no_value_in_any_result(value: str, origin: str, user: str | None) -> None:
    setting = CredentialSetting("app.env", 3, "db.pwd", "env", origin, SecretValue(value), user)  # type: ignore[arg-type]
    facts = Facts("t", {"credential_settings": CredentialSettings(("app.env",), (setting,))})
    results = CHECKS[WEAK].run(facts) + CHECKS[EMPTY].run(facts)
    assert len(results) == 2
    for result in results:
        assert value not in f"{result.message} {result.expected} {result.actual} {result!r}"


def test_weaklist_shape() -> None:
    words = weak_passwords()
    assert 500 <= len(words) <= 1000
    assert len(set(words)) == len(words)
    for must in ("123456", "admin@123", "Admin@123", "P@ssw0rd", "1qaz@WSX", "huawei@123",
                 "Huawei12#$", "Changeme_123", "5201314", "tomcat", "oracle", "postgres"):  # fmt: skip
        assert must in words
    assert words.index("123456") < words.index("admin@123") < words.index("Harbor12345")
    assert weaklist.is_listed("ADMIN@123") and not weaklist.is_listed("Zq8!wLr2#Vx9")
    assert weaklist.parse(["# c", "", " a ", "b", "a"]) == ("a", "b")
    assert weaklist.name_variants("ops")[:3] == ("ops", "ops123", "ops@123")
    assert weaklist.name_variants("") == ()
