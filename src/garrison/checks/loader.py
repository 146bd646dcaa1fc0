"""Finding the checks: ``<area>/<check_id>/<check_id>.py`` + ``<check_id>.metadata.json``.

A check whose folder, metadata id, module and class do not all carry the same id, or whose
metadata is invalid or names another area, is refused with the file: a check that loads wrong
would report on the wrong requirement.
"""

from __future__ import annotations

import importlib
import inspect
from functools import cache
from pathlib import Path

from garrison.checks.base import Check
from garrison.checks.metadata import CHECK_ID, load_metadata
from garrison.core.errors import ConfigError, InputError

ROOT = Path(__file__).parent
AREAS = ("host", "web", "container", "iac", "credentials")


def load_check(area: str, folder: Path, package: str = "garrison.checks") -> type[Check]:
    """Load and validate the check in ``folder`` (``<area>/<check_id>``).

    Raises:
        ConfigError: When id, folder, module, class or area disagree, or metadata is invalid.
    """
    check_id = folder.name
    if not CHECK_ID.match(check_id):
        raise ConfigError(f"{folder}: invalid check folder name (lowercase letters, digits, _)")
    module_file = folder / f"{check_id}.py"
    meta_file = folder / f"{check_id}.metadata.json"
    for needed in (module_file, meta_file):
        if not needed.is_file():
            raise ConfigError(f"{folder}: missing {needed.name}")
    metadata = load_metadata(meta_file)
    if metadata.id != check_id:
        raise ConfigError(f"{meta_file}: id {metadata.id!r} differs from its folder {check_id!r}")
    if metadata.area != area:
        raise ConfigError(f"{meta_file}: area {metadata.area!r} but the check is under {area!r}")
    module = importlib.import_module(f"{package}.{area}.{check_id}.{check_id}")
    found = getattr(module, check_id, None)
    if not (inspect.isclass(found) and issubclass(found, Check) and found is not Check):
        classes = [
            n for n, v in vars(module).items() if inspect.isclass(v) and issubclass(v, Check)
        ]
        raise ConfigError(
            f"{module_file}: no check class named {check_id!r}",
            hint=f"found {', '.join(classes) or 'none'}; the class must carry the check id",
        )
    found.metadata = metadata
    return found


@cache
def all_checks() -> tuple[type[Check], ...]:
    """Every built-in check, by area and id."""
    found = []
    for area in AREAS:
        base = ROOT / area
        if not base.is_dir():
            continue
        for folder in sorted(p for p in base.iterdir() if p.is_dir() and p.name != "__pycache__"):
            found.append(load_check(area, folder))
    return tuple(found)


def select(area: str | None = None, ids: tuple[str, ...] = ()) -> list[Check]:
    """Instances of the checks of ``area`` (or all), or of the given ids."""
    chosen = [c for c in all_checks() if area is None or c.metadata.area == area]
    if ids:
        known = {c.metadata.id for c in chosen}
        unknown = sorted(set(ids) - known)
        if unknown:
            raise InputError(f"unknown check {unknown[0]!r}", hint="see 'garrison check list'")
        chosen = [c for c in chosen if c.metadata.id in ids]
    return [c() for c in chosen]
