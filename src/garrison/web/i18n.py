"""UI languages: gettext catalogs (Babel ``.po`` files) compiled in memory at first use.

The catalogs are kept as text (``locale/<lang>/LC_MESSAGES/messages.po``) and compiled when
first needed, so the repository holds no binary ``.mo`` files that could drift from them.
Message ids are the English strings; the ``en`` catalog is there so that English wording can
change without touching the templates.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"

#: UI language -> catalog folder.
LANGUAGES: dict[str, str] = {"zh-CN": "zh_CN", "en": "en"}
DEFAULT_LANGUAGE = "zh-CN"


def catalog_path(language: str) -> Path:
    """The ``.po`` file of a UI language."""
    return LOCALE_DIR / LANGUAGES[language] / "LC_MESSAGES" / "messages.po"


@cache
def translations(language: str) -> Translations:
    """The compiled catalog of a UI language (``zh-CN`` or ``en``)."""
    with catalog_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=LANGUAGES[language])
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def negotiate(accept_language: str | None) -> str:
    """The UI language for a visitor who has not logged in, from ``Accept-Language``.

    Chinese of any region gets ``zh-CN``; any other first choice gets English; no header gets
    the default (``zh-CN``, for Garrison's main audience).
    """
    if not accept_language:
        return DEFAULT_LANGUAGE
    best = ("", -1.0)
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > best[1]:
            best = (tag.lower(), quality)
    return "zh-CN" if best[0].startswith("zh") else "en"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Mark a string for extraction; it is translated where it is shown."""
    return message


#: Words the templates translate from data (roles, statuses, levels): listed here so that the
#: catalog tools find them.
TERMS = (
    N_("Admin"),
    N_("Analyst"),
    N_("Auditor"),
    N_("Custom"),
    N_("New"),
    N_("Acknowledged"),
    N_("Closed"),
    N_("Suppressed"),
    N_("Informational"),
    N_("Low"),
    N_("Medium"),
    N_("High"),
    N_("Critical"),
    N_("Unknown"),
)
