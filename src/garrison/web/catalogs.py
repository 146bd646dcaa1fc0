"""Keeping the translation catalogs in step with the code: ``python -m garrison.web.catalogs``.

Extracts every translatable string (``_()``/``gettext()``/``N_()`` in the console's Python
modules and templates), then rewrites both catalogs: new strings are added (English: the
text itself; Chinese: empty, to be translated), strings no longer used are dropped, and
existing translations are kept. ``tests/web/test_i18n.py`` fails while a Chinese translation is
missing or its placeholders differ from the English text.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from garrison.web.i18n import LANGUAGES, catalog_path

ROOT = Path(__file__).parent
METHODS = [
    ("templates/**.html", "jinja2.ext:babel_extract"),
    ("**.py", "python"),
]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extract() -> Catalog:
    """Every translatable string of the console, with where it is used."""
    catalog = Catalog(project="Garrison")
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS, options_map=OPTIONS
    ):
        catalog.add(message, locations=[(filename, lineno)])
    return catalog


def placeholders(text: str) -> set[str]:
    """The ``%(name)s`` placeholders of a message."""
    return set(PLACEHOLDER.findall(text))


def update() -> dict[str, int]:
    """Rewrite both catalogs from the code; return how many strings lack a translation."""
    template = extract()
    missing: dict[str, int] = {}
    for language, folder in LANGUAGES.items():
        path = catalog_path(language)
        with path.open("rb") as handle:
            old = read_po(handle, locale=folder)
        # Fixed dates and no line numbers: the file changes only when the strings do.
        new = Catalog(
            locale=folder,
            project="Garrison",
            header_comment=old.header_comment,
            creation_date=old.creation_date,
            revision_date=old.creation_date,
            fuzzy=False,
        )
        for message in template:
            if not message.id:
                continue
            previous = old.get(message.id)
            text = previous.string if previous is not None and previous.string else ""
            if not text and language == "en":
                text = message.id
            new.add(message.id, text, locations=message.locations)
            if not text:
                missing[language] = missing.get(language, 0) + 1
        with path.open("wb") as handle:
            write_po(handle, new, width=100, sort_output=True, include_lineno=False)
    return missing


if __name__ == "__main__":  # pragma: no cover - a developer's command
    gaps = update()
    for language, count in gaps.items():
        print(f"{language}: {count} string(s) to translate in {catalog_path(language)}")
    sys.exit(1 if gaps else 0)
