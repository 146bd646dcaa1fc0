"""The rules live detection runs: built-in pack, configured folders, uploads, minus the off.

Uploaded rule files are kept under ``<home>/rules/`` (one YAML file each); rules switched off
are kept in the database (:class:`~garrison.storage.sql.rule_settings.RuleSettings`). The
detector is rebuilt when either changes (:meth:`Rulebook.signature`).
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from garrison.alerts.plan import level_name, rule_key
from garrison.core.errors import InputError, NotFoundError, RejectedError
from garrison.detect.ruleset import DetectionSet, build, builtin_rules_dir
from garrison.rules.loader import load
from garrison.settings import Settings
from garrison.storage.sql.rule_settings import RuleSettings

_DOCUMENT_BREAK = re.compile(r"^---[ \t]*$", re.MULTILINE)
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}$")
MAX_RULE_FILE = 1024 * 1024


def _origin(rule: Any) -> Path | None:
    """The file a loaded rule came from."""
    path = getattr(getattr(rule, "source", None), "path", None)
    return Path(str(path)) if path is not None else None


class Rulebook:
    """Finds, filters and accepts detection rules."""

    def __init__(self, settings: Settings, switches: RuleSettings) -> None:
        """Use the rule folders of ``settings`` and the switches in the database."""
        self.settings = settings
        self.switches = switches
        self.uploads = settings.home / "rules"

    def paths(self) -> list[Path]:
        """Rule files and folders besides the built-in pack."""
        found = list(self.settings.detection.rules)
        if self.uploads.is_dir():
            found.append(self.uploads)
        return found

    def signature(self) -> tuple[Any, ...]:
        """Changes whenever the rule set would: switches, uploaded files."""
        files: tuple[tuple[str, int], ...] = ()
        if self.uploads.is_dir():
            files = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in self.uploads.glob("*")))
        return (self.switches.revision(), files)

    def build(self) -> DetectionSet:
        """Load and compile every rule, leaving out the ones switched off."""
        detection = build(self.paths(), builtin=self.settings.detection.builtin_rules)
        off = self.switches.disabled()
        if off:
            detection.rules = [r for r in detection.rules if rule_key(r.rule) not in off]
            detection.correlations = [c for c in detection.correlations if rule_key(c) not in off]
        return detection

    def catalog(self) -> list[dict[str, Any]]:
        """Every rule with its state: id, title, kind, level, tags, author, enabled, origin."""
        everything = (
            [builtin_rules_dir(), *self.paths()]
            if self.settings.detection.builtin_rules
            else self.paths()
        )
        loaded = load(everything)
        off = self.switches.disabled()
        builtin = builtin_rules_dir()
        rows = []
        for rule in [*loaded.rules, *loaded.correlations]:
            source = _origin(rule)
            origin = "builtin" if source and source.is_relative_to(builtin) else "custom"
            kind = getattr(getattr(rule, "type", None), "name", None)
            key = rule_key(rule)
            rows.append(
                {
                    "id": key,
                    "title": rule.title,
                    "kind": f"correlation:{kind.lower()}" if kind else "rule",
                    "level": level_name(rule.level),
                    "tags": [str(tag) for tag in rule.tags or []],
                    "author": rule.author,
                    "enabled": key not in off,
                    "origin": origin,
                }
            )
        return rows

    def source(self, rule_id: str) -> str:
        """The YAML text of one rule, as written in its file (shown in the console).

        Raises:
            NotFoundError: If no rule has this id.
        """
        everything = [builtin_rules_dir(), *self.paths()]
        for rule in [*(loaded := load(everything)).rules, *loaded.correlations]:
            if rule_key(rule) != rule_id:
                continue
            path = _origin(rule)
            if path is None or not path.is_file():
                break
            for document in _DOCUMENT_BREAK.split(path.read_text(encoding="utf-8")):
                data = yaml.safe_load(document) if document.strip() else None
                if isinstance(data, dict) and rule_id in (data.get("id"), data.get("name")):
                    return document.strip("\n") + "\n"
            break
        raise NotFoundError(f"no rule {rule_id!r}", hint="see GET /api/v1/rules")

    def set_enabled(self, rule_id: str, enabled: bool, *, actor: str, reason: str) -> None:
        """Switch a rule on or off.

        Raises:
            NotFoundError: If no rule has this id.
            InputError: If no reason is given.
        """
        if not reason.strip():
            raise InputError("switching a rule needs a reason (it is audited)")
        if rule_id not in {row["id"] for row in self.catalog()}:
            raise NotFoundError(f"no rule {rule_id!r}", hint="see GET /api/v1/rules")
        self.switches.set_enabled(rule_id, enabled, actor=actor, reason=reason)

    def upload(self, name: str, text: str, *, actor: str) -> dict[str, Any]:
        """Validate a rule file against every other rule, then keep it.

        Raises:
            InputError: On a bad name, an empty or too large file.
            RejectedError: When the file has problems: each with its line and message.
        """
        stem = name.removesuffix(".yml").removesuffix(".yaml")
        if not _FILE_NAME.match(stem):
            raise InputError(f"invalid rule file name {name!r}", hint="letters, digits, . _ -")
        data = text.encode("utf-8")
        if not data.strip() or len(data) > MAX_RULE_FILE:
            raise InputError(f"a rule file must hold 1 byte to {MAX_RULE_FILE} bytes")
        target = self.uploads / f"{stem}.yml"
        with tempfile.TemporaryDirectory() as tmp:
            candidate = Path(tmp) / target.name
            candidate.write_bytes(data)
            others = [p for p in self.paths() if p != self.uploads]
            if self.uploads.is_dir():
                others.extend(p for p in self.uploads.glob("*.yml") if p.name != target.name)
            builtin = [builtin_rules_dir()] if self.settings.detection.builtin_rules else []
            loaded = load([*builtin, *others, candidate])
            mine = [p for p in loaded.problems if p.path == candidate]
            if mine:
                raise RejectedError(
                    f"{target.name}: {len(mine)} problem(s)",
                    [
                        {
                            "line": p.line,
                            "severity": p.severity,
                            "message": p.message,
                            "rule": p.rule,
                        }
                        for p in mine
                    ],
                    hint="fix the lines named and upload again",
                )
            titles = [
                r.title for r in [*loaded.rules, *loaded.correlations] if _origin(r) == candidate
            ]
        if not titles:
            raise InputError(f"{target.name} holds no rule")
        self.uploads.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        self.switches.record_upload(target.name, digest, titles, actor=actor)
        return {"file": target.name, "sha256": digest, "rules": titles}
