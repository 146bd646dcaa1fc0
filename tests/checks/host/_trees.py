"""Fixture trees for the host checks and collectors: written from a mapping of files, or
copied to a temporary folder with real modes (part B).

Git keeps neither modes such as 777 or 0640 nor empty folders, so a fixture tree lists the
modes it needs in ``modes.txt`` at its top (``relative/path 0750`` per line); the copy first
gives every folder 0755 and every file 0644 (whatever the checkout's umask), then applies
``modes.txt``. ``modes.txt`` itself is not copied.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from garrison.checks.collectors.host.source import LocalSource

MODES = "modes.txt"


def tree(source: Path, destination: Path) -> Path:
    """Copy fixture tree ``source`` to ``destination`` and apply its ``modes.txt``."""
    shutil.copytree(
        source, destination, symlinks=True, ignore=shutil.ignore_patterns(MODES, ".keep")
    )
    for folder, dirs, files in os.walk(destination):
        for name in dirs:
            if not os.path.islink(os.path.join(folder, name)):
                os.chmod(os.path.join(folder, name), 0o755)  # noqa: S103 - fixture
        for name in files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):  # links keep pointing inside the tree, unchanged
                os.chmod(path, 0o644)
    os.chmod(destination, 0o755)  # noqa: S103 - fixture root
    listing = source / MODES
    if listing.is_file():
        for raw in listing.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            path, mode = line.rsplit(None, 1)
            target = destination / path
            if not target.exists():
                target.mkdir(parents=True)  # empty folders cannot live in git
            os.chmod(target, int(mode, 8))
    return destination


def write_tree(root: Path, files: dict[str, str]) -> LocalSource:
    """Write ``files`` (absolute path on the host -> text) under ``root``; a source reading it."""
    for path, text in files.items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return LocalSource(root)
