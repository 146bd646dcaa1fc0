"""The translation catalogs: every console string has a Chinese translation, kept in sync."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from garrison.web.catalogs import extract, placeholders
from garrison.web.i18n import LANGUAGES, catalog_path, negotiate, translations


@pytest.fixture(scope="module")
def used() -> set[str]:
    return {m.id for m in extract() if m.id and isinstance(m.id, str)}


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_catalogs_hold_exactly_the_strings_the_code_uses(language: str, used: set[str]) -> None:
    with catalog_path(language).open("rb") as handle:
        catalog = read_po(handle)
    held = {m.id for m in catalog if m.id}
    assert not used - held, "run: python -m garrison.web.catalogs (strings missing)"
    assert not held - used, "run: python -m garrison.web.catalogs (strings no longer used)"
    for message in catalog:
        if not message.id:
            continue
        assert message.string, f"{language}: no translation for {message.id!r}"
        assert placeholders(str(message.string)) == placeholders(str(message.id)), message.id


def test_chinese_is_really_chinese() -> None:
    gettext = translations("zh-CN").gettext
    assert gettext("Alerts") == "告警" and gettext("Sign in") == "登录"
    assert translations("en").gettext("Alerts") == "Alerts"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "zh-CN"),
        ("", "zh-CN"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("zh-TW,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("fr-FR", "en"),
        ("en;q=0.5,zh;q=0.9", "zh-CN"),
        ("en;q=abc", "en"),
    ],
)
def test_browser_language_negotiation(header: str | None, language: str) -> None:
    assert negotiate(header) == language
