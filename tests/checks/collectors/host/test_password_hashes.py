"""Password hashes against the weak list: matches, schemes, budgets, and no hash let out."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from garrison.checks.collectors.host import password_hashes as ph
from garrison.checks.collectors.host.registry import collectors
from garrison.checks.collectors.host.source import FileInfo, LocalSource
from garrison.checks.weaklist import name_variants

CRYPT = ph.crypt_function()
pytestmark = pytest.mark.skipif(CRYPT is None, reason="no crypt implementation on this machine")
SHA512 = "$6$Jq3xw9ZtLr0cVb2N$"
YESCRYPT = "$y$j9T$mflA7u.UUVWW6CQomae1N.$"
BCRYPT = "$2b$04$abcdefghijklmnopqrstuu"
WORDS = ("123456", "password", "admin@123", "qwerty")


def _hash(word: str, setting: str) -> str:
    assert CRYPT is not None
    out = CRYPT(word, setting)
    assert out and not out.startswith("*"), setting
    return out


def _tree(tmp_path: Path, shadow: str, passwd: str = "") -> LocalSource:
    (tmp_path / "etc").mkdir(exist_ok=True)
    (tmp_path / "etc/shadow").write_text(shadow)
    (tmp_path / "etc/passwd").write_text(passwd)
    return LocalSource(tmp_path)


def _line(name: str, field: str) -> str:
    return f"{name}:{field}:19700:0:99999:7:::\n"


def test_is_a_host_collector() -> None:
    assert collectors()["password_hashes"] is ph.collect


@pytest.mark.parametrize(
    ("field", "scheme"),
    [
        ("$1$abc$def", "md5crypt"),
        ("$5$abc$def", "sha256crypt"),
        ("$6$abc$def", "sha512crypt"),
        ("$y$j9T$abc$def", "yescrypt"),
        ("$2b$10$abcdef", "bcrypt"),
        ("abNnksTBk3le2", "descrypt"),
        ("$9$abc$def", "unknown"),
        ("", None),
        ("*", None),
        ("!", None),
        ("!!", None),
        ("x", None),
        ("!$6$abc$def", None),  # locked: the accounts checks' business
    ],
)
def test_scheme_of(field: str, scheme: str | None) -> None:
    assert ph.scheme_of(field) == scheme


def test_weak_and_strong_accounts(tmp_path: Path) -> None:
    shadow = (
        _line("root", "*")
        + _line("ops", _hash("admin@123", SHA512))
        + _line("deploy", _hash("deploy@123", SHA512))  # a variant of the account name
        + _line("alice", _hash("Zq8!wLr2#Vx9-long-and-random", SHA512))
        + _line("empty", "")
        + _line("locked", "!" + _hash("123456", SHA512))
    )
    found = ph.collect(_tree(tmp_path, shadow), words=WORDS)
    assert found.present and found.readable
    by_name = {a.account: a for a in found.accounts}
    assert set(by_name) == {"ops", "deploy", "alice"}
    assert by_name["ops"].weak and by_name["ops"].line == 2
    assert by_name["deploy"].weak
    alice = by_name["alice"]
    assert not alice.weak and alice.complete and alice.tried == alice.candidates
    assert alice.scheme == "sha512crypt" and alice.supported


def test_slow_schemes_get_the_head_of_the_list(tmp_path: Path) -> None:
    words = tuple(f"word{i}" for i in range(200))
    shadow = _line("a", _hash("word3", BCRYPT)) + _line("b", _hash("not-a-candidate", BCRYPT))
    found = ph.collect(_tree(tmp_path, shadow), words=words)
    a, b = found.accounts
    assert a.weak and a.scheme == "bcrypt"
    assert not b.weak and b.tried == ph.SLOW_CAP and not b.complete
    assert b.candidates == len(words) + len(name_variants("b"))


def test_yescrypt(tmp_path: Path) -> None:
    if (CRYPT or (lambda w, s: None))("x", YESCRYPT) in (None, "*0"):
        pytest.skip("no yescrypt in this libcrypt")
    shadow = _line("pi", _hash("raspberry", YESCRYPT))
    (found,) = ph.collect(_tree(tmp_path, shadow), words=("raspberry",)).accounts
    assert found.weak and found.scheme == "yescrypt"


def test_legacy_hash_in_passwd(tmp_path: Path) -> None:
    passwd = (
        f"old:{_hash('qwerty', 'ab')}:1001:1001::/home/old:/bin/sh\nroot:x:0:0::/root:/bin/sh\n"
    )
    found = ph.collect(_tree(tmp_path, _line("root", "*"), passwd), words=WORDS)
    assert [(a.file, a.account, a.weak, a.scheme) for a in found.accounts] == [
        ("/etc/passwd", "old", True, "descrypt")
    ]


def test_unsupported_scheme(tmp_path: Path) -> None:
    (found,) = ph.collect(_tree(tmp_path, _line("x", "$9$abc$def")), words=WORDS).accounts
    assert not found.supported and not found.weak and found.tried == 0


class _Closed:
    """A host whose /etc/shadow exists but cannot be read (a scan without root)."""

    description = "closed"

    def read_text(self, path: str, limit: int = 0) -> str | None:
        return None

    def stat(self, path: str) -> FileInfo | None:
        return FileInfo(path, 0o100640, 0, 42, 1000)


def test_unreadable_and_absent_shadow(tmp_path: Path) -> None:
    closed = ph.collect(_Closed())  # type: ignore[arg-type]
    assert closed.present and not closed.readable and closed.accounts == ()
    absent = ph.collect(LocalSource(tmp_path))
    assert not absent.present and not absent.readable


def test_the_budget_bounds_the_work(tmp_path: Path) -> None:
    calls = []

    def slow(word: str, setting: str) -> str:
        calls.append(word)
        time.sleep(0.01)
        return setting + "x"  # never a match

    shadow = "".join(_line(f"u{i}", f"$6$s{i}$h") for i in range(4))
    words = tuple(f"w{i}" for i in range(1000))
    start = time.monotonic()
    found = ph.collect(_tree(tmp_path, shadow), words=words, budget=0.4, crypt=slow)
    assert time.monotonic() - start < 1.5
    assert all(not a.complete and a.tried >= 1 for a in found.accounts)
    assert len(calls) < 100


def test_backends_agree() -> None:
    stdlib, lib = ph._stdlib_crypt(), ph.libcrypt()
    if stdlib is None or lib is None:
        pytest.skip("needs both the crypt module and libcrypt")
    for setting in (SHA512, "$1$abcdefgh$", BCRYPT, "ab"):
        assert stdlib("admin@123", setting) == lib("admin@123", setting)
    assert lib("x", "$9$bad$") in (None, "*0", "*1")


def test_no_hash_leaves_the_collector(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    stored = _hash("admin@123", SHA512)
    found = ph.collect(_tree(tmp_path, _line("ops", stored)), words=WORDS)
    text = repr(found) + str(found) + caplog.text
    assert "ops" in text
    assert stored not in text and "$6$" not in text and "admin@123" not in text
