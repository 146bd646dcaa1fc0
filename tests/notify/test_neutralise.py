"""Neutralising attacker-controlled values (property tests)."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from garrison.notify.neutralise import markdown, markdown_url, plain

MARKDOWN_SPECIAL = set("\\`*_[]()<>#|~@&")


@given(st.text(), st.integers(2, 300))
def test_plain_is_one_clean_line(value: str, max_len: int) -> None:
    out = plain(value, max_len=max_len)
    assert len(out) <= max_len
    assert not any(unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co", "Cn"} for c in out)
    assert "\n" not in out and "\r" not in out
    assert "://" not in out


@given(st.text())
def test_markdown_has_no_markup_left(value: str) -> None:
    out = markdown(value)
    assert not MARKDOWN_SPECIAL & set(out)
    assert "://" not in out


@given(st.text())
def test_idempotent(value: str) -> None:
    assert plain(plain(value)) == plain(value)
    assert markdown(markdown(value)) == markdown(value)


def test_examples() -> None:
    hostile = (
        "登录 [click](http://evil.example/x) @all <at id=all></at>\u202egnp.exe\x1b[31m\r\nX: y"
    )
    assert (
        plain(hostile)
        == "登录 [click](http[:]//evil.example/x) @all <at id=all></at>gnp.exe[31m X: y"
    )
    assert markdown(hostile) == (
        "登录 ［click］（http［:］//evil.example/x） ＠all ＜at id=all＞＜/at＞gnp.exe［31m X: y"
    )
    assert plain("visit www.evil.example") == "visit www[.]evil.example"
    assert plain("x" * 300) == "x" * 199 + "…"
    assert markdown("svc_backup **bold** `code` # h | t ~s~ & 1") == (
        "svc＿backup ＊＊bold＊＊ ｀code｀ ＃ h ｜ t ～s～ ＆ 1"
    )


def test_markdown_url() -> None:
    assert markdown_url("https://x.example/a(b) c") == "https://x.example/a%28b%29%20c"
