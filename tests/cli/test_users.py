"""``garrison users`` end to end on the embedded database."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest

from garrison.cli.main import main

GOOD = "Correct-Horse-7-Battery"


def run(home: Path, *args: str, stdin: str | None = None, monkeypatch: pytest.MonkeyPatch) -> int:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["--data-dir", str(home), "--timezone", "UTC", *args])


def test_bootstrap_an_admin_then_manage_accounts(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    mp = monkeypatch
    code = run(
        home,
        "users",
        "create-admin",
        "zhang.wei",
        "--password-stdin",
        "--json",
        stdin=GOOD + "\n",
        monkeypatch=mp,
    )
    assert code == 0
    created = orjson.loads(capsys.readouterr().out)
    assert created["role"] == "admin" and created["totp_uri"].startswith("otpauth://totp/")
    assert GOOD not in created["totp_uri"]
    assert (
        run(
            home,
            "users",
            "create",
            "li.na",
            "--role",
            "analyst",
            "--password-stdin",
            stdin=GOOD + "\n",
            monkeypatch=mp,
        )
        == 0
    )
    capsys.readouterr()
    assert run(home, "users", "disable", "li.na", "--reason", "left", monkeypatch=mp) == 0
    assert run(home, "users", "list", "--json", monkeypatch=mp) == 0
    rows = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["name"], r["role"], r["disabled"]) for r in rows] == [
        ("li.na", "analyst", True),
        ("zhang.wei", "admin", False),
    ]
    assert (
        run(
            home,
            "users",
            "reset-mfa",
            "zhang.wei",
            "--reason",
            "new phone",
            "--json",
            monkeypatch=mp,
        )
        == 0
    )
    assert orjson.loads(capsys.readouterr().out)["totp_uri"].startswith("otpauth://")
    assert run(home, "audit", "list", "--json", monkeypatch=mp) == 0
    entries = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["action"] for e in entries] == [
        "user.reset_mfa",
        "user.disable",
        "user.create",
        "user.create",
    ]
    assert GOOD not in str(entries)


def test_a_weak_password_is_refused_and_nothing_is_created(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code = run(
        home,
        "users",
        "create-admin",
        "admin",
        "--password-stdin",
        stdin="admin@123\n",
        monkeypatch=monkeypatch,
    )
    assert code != 0
    err = capsys.readouterr().err
    assert "does not meet the policy" in err and "admin@123" not in err
    assert run(home, "users", "list", "--json", monkeypatch=monkeypatch) == 0
    assert capsys.readouterr().out == ""


def test_tokens_are_shown_once_listed_without_secret_and_revoked(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    mp = monkeypatch
    assert (
        run(
            home,
            "tokens",
            "create",
            "kestra",
            "--scope",
            "read",
            "--scope",
            "write",
            "--days",
            "30",
            "--json",
            monkeypatch=mp,
        )
        == 0
    )
    token = orjson.loads(capsys.readouterr().out)["token"]
    assert token.startswith("gat_")
    assert run(home, "tokens", "create", "bad", "--scope", "everything", monkeypatch=mp) != 0
    assert "unknown scope" in capsys.readouterr().err
    assert run(home, "tokens", "revoke", "kestra", monkeypatch=mp) == 0
    assert run(home, "tokens", "list", "--json", monkeypatch=mp) == 0
    (row,) = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row["scopes"] == ["read", "write"] and row["active"] is False
    assert token not in str(row)
