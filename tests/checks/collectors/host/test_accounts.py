"""The accounts reader: passwd + shadow + group, and never a hash in the fact."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.checks.collectors.host import accounts
from garrison.checks.collectors.host.source import LocalSource

HASH = "$6$rounds=5000$saltsalt$Z0QvWUbQ8pmbsm8YWqAIcXJ7aP5HuQ3aQJxqBrsuQN2T1Ah4Ys7S2Ri4Zz2vVRo"


@pytest.mark.parametrize(
    ("field", "kind", "algorithm"),
    [
        ("", "empty", None),
        ("!", "locked", None),
        ("!!", "locked", None),
        ("*", "disabled", None),
        ("!*", "locked", None),
        (HASH, "hash", "sha512"),
        ("!" + HASH, "locked", "sha512"),
        ("$y$j9T$abc$def", "hash", "yescrypt"),
        ("$1$abc$def", "hash", "md5"),
        ("$2b$12$abcdefghijklmnopqrstuu", "hash", "bcrypt"),
        ("abcdefghijklm", "hash", "des"),
        ("$9$x$y", "hash", "unknown"),
        ("x", "disabled", None),
    ],
)
def test_password_kinds(field: str, kind: str, algorithm: str | None) -> None:
    assert accounts.password_kind(field) == (kind, algorithm)


def make(root: Path, passwd: str, shadow: str | None = None, defs: str | None = None) -> None:
    (root / "etc").mkdir(parents=True, exist_ok=True)
    (root / "etc/passwd").write_text(passwd)
    if shadow is not None:
        (root / "etc/shadow").write_text(shadow)
    if defs is not None:
        (root / "etc/login.defs").write_text(defs)
    (root / "etc/group").write_text("root:x:0:\nwheel:x:10:alice,bob\n+:::\n")


def test_collect_merges_shadow_without_keeping_hashes(tmp_path: Path) -> None:
    make(
        tmp_path,
        "root:x:0:0:root:/root:/bin/bash\n# comment\nalice:x:1000:1000::/home/alice:/bin/zsh\n"
        "broken line\nsvc:x:999:999::/srv:/usr/sbin/nologin\n",
        f"root:*:19000:0:99999:7:::\nalice:{HASH}:19000:0:60:7:::\nsvc:!!:19000::::::\n"
        f"ghost:{HASH}:1:0:1:::\n",
        "UID_MIN 500\n",
    )
    facts = accounts.collect(LocalSource(tmp_path))
    assert HASH not in repr(facts) and HASH not in repr(asdict(facts))
    names = [a.name for a in facts.accounts]
    assert names == ["root", "alice", "svc"]
    alice = facts.accounts[1]
    assert (alice.uid, alice.line, alice.shadow_line) == (1000, 3, 2)
    assert (alice.kind, alice.algorithm, alice.max_days) == ("hash", "sha512", 60)
    assert alice.login_shell and alice.usable_password
    svc = facts.accounts[2]
    assert not svc.login_shell and svc.kind == "locked" and svc.max_days is None
    assert facts.shadow_readable and facts.uid_min == 500 and facts.sys_uid_max == 499
    assert facts.orphans == (("ghost", 4),)
    assert [(g.name, g.gid, g.members) for g in facts.groups] == [
        ("root", 0, ()),
        ("wheel", 10, ("alice", "bob")),
    ]


def test_unreadable_shadow_and_missing_passwd(tmp_path: Path) -> None:
    make(tmp_path, "root:x:0:0::/root:/bin/bash\n")
    facts = accounts.collect(LocalSource(tmp_path))
    assert not facts.shadow_readable and facts.accounts[0].usable_password is None
    assert facts.uid_min == 1000
    with pytest.raises(LookupError):
        accounts.collect(LocalSource(tmp_path / "nothing"))


def test_hash_in_passwd_is_a_hash_kind(tmp_path: Path) -> None:
    make(tmp_path, f"old:{HASH}:1001:1001::/home/old:/bin/sh\n")
    account = accounts.collect(LocalSource(tmp_path)).accounts[0]
    assert account.passwd_kind == "hash" and account.kind == "hash"
    assert HASH not in repr(account)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_parsers_never_crash(text: str) -> None:
    accounts.parse_passwd(text)
    accounts.parse_group(text)
    for kind, _algorithm, _days, _line in accounts.parse_shadow(text).values():
        assert kind in {"empty", "locked", "disabled", "hash"}
