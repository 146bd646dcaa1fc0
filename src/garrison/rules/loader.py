"""Loading Sigma rule files and folders, with every problem located by file and line.

pySigma parses the rules (including correlation rules and multi-document files); its errors
name the file but not the line, so the loader finds the line: YAML errors carry their mark,
and other errors are located by the quoted name they mention (a modifier, a selection, a
field), searched inside the rule's own YAML document, else at the document's first line.
A file that cannot be read or parsed is reported and the others still load: a rule is never
skipped silently.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import SigmaError, SigmaRuleLocation
from sigma.rule import SigmaRule

RULE_SUFFIXES = (".yml", ".yaml")
Severity = Literal["error", "unsupported", "warning"]
_QUOTED = re.compile(r"'([^']{1,200})'")
_DOC_SPLIT = re.compile(r"^---\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of a rule file.

    Attributes:
        path: The file.
        line: 1-based line of the problem (the rule's first line when not more precise).
        severity: ``error`` (the rule cannot be used), ``unsupported`` (valid Sigma that
            Garrison does not evaluate yet) or ``warning``.
        message: What is wrong.
        rule: Title (or id) of the rule concerned, if known.
    """

    path: Path
    line: int
    severity: Severity
    message: str
    rule: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        subject = f" [{self.rule}]" if self.rule else ""
        return f"{where}: {self.severity}:{subject} {self.message}"


@dataclass
class RuleSet:
    """Everything loaded from a set of paths."""

    rules: list[SigmaRule] = field(default_factory=list)
    correlations: list[SigmaCorrelationRule] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    #: Where each correlation was read (to locate reference errors found later).
    _where: dict[int, tuple[Path, str, int, int | None]] = field(default_factory=dict, repr=False)
    _ids: dict[str, tuple[Path, int]] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        """True when no error was found (warnings and unsupported features allowed)."""
        return not any(p.severity == "error" for p in self.problems)


def rule_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Every ``.yml``/``.yaml`` file under the given files and folders, sorted per folder."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in RULE_SUFFIXES
            )
        else:
            yield path


def _document_starts(text: str) -> list[int]:
    """1-based first line of each YAML document of a multi-document file."""
    starts = [1]
    for match in _DOC_SPLIT.finditer(text):
        starts.append(text.count("\n", 0, match.start()) + 2)
    return starts


def _locate(text: str, start: int, end: int | None, message: str) -> int:
    """The line, within lines [start, end), of the first quoted name the message mentions."""
    lines = text.splitlines()
    stop = len(lines) if end is None else end - 1
    for name in _QUOTED.findall(message):
        if "/" in name or name.endswith((".yml", ".yaml")):
            continue  # the file path pySigma appends
        for number in range(start, stop + 1):
            if number - 1 < len(lines) and name in lines[number - 1]:
                return number
    return start


def _first_non_mapping(text: str) -> int:
    """The first line of the first YAML document that is not a mapping (1 if unknown)."""
    starts = _document_starts(text)
    # YAML that does not parse was reported by pySigma's own error; fall back to line 1.
    with contextlib.suppress(yaml.YAMLError):
        for index, document in enumerate(yaml.safe_load_all(text)):
            if document is not None and not isinstance(document, dict):
                return starts[index] if index < len(starts) else 1
    return 1


def load_file(path: Path, into: RuleSet) -> None:
    """Load one rule file into ``into``, recording its problems."""
    into.files += 1
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        into.problems.append(Problem(path, 1, "error", f"cannot read the file: {exc}"))
        return
    try:
        # References are resolved once all files are loaded: a correlation may use rules
        # of other files.
        collection = SigmaCollection.from_yaml(
            text, collect_errors=True, source=SigmaRuleLocation(path), resolve_references=False
        )
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = str(getattr(exc, "problem", None) or exc).strip()
        into.problems.append(Problem(path, line, "error", f"invalid YAML: {problem}"))
        return
    except SigmaError as exc:
        message = str(exc).replace(f" in {path}", "")
        into.problems.append(Problem(path, _locate(text, 1, None, message), "error", message))
        return
    except (AttributeError, TypeError, ValueError):
        # pySigma expects every document to be a mapping; a scalar or a list trips it up.
        into.problems.append(
            Problem(
                path,
                _first_non_mapping(text),
                "error",
                "not a Sigma rule: every YAML document must be a mapping of rule fields",
            )
        )
        return
    starts = _document_starts(text)
    for index, rule in enumerate(collection.rules):
        start = starts[index] if index < len(starts) else 1
        end = starts[index + 1] if index + 1 < len(starts) else None
        name = getattr(rule, "title", None) or str(getattr(rule, "id", "") or "") or None
        errors = list(getattr(rule, "errors", []))
        if isinstance(rule, SigmaRule) and not errors:
            errors.extend(_condition_errors(rule))
        for error in errors:
            message = str(error).replace(f" in {path}", "")
            line = _locate(text, start, end, message)
            into.problems.append(Problem(path, line, "error", message, name))
        if errors:
            continue
        rule_id = str(rule.id) if getattr(rule, "id", None) else None
        if rule_id is not None:
            line = _locate(text, start, end, f"'{rule_id}'")
            first = into._ids.setdefault(rule_id, (path, line))
            if first != (path, line):
                message = (
                    f"duplicate rule id {rule_id} (first used at {first[0]}:{first[1]});"
                    " give a modified copy of a rule an id of its own"
                )
                into.problems.append(Problem(path, line, "error", message, name))
                continue
        if isinstance(rule, SigmaCorrelationRule):
            into.correlations.append(rule)
            into._where[id(rule)] = (path, text, start, end)
        elif isinstance(rule, SigmaRule):
            into.rules.append(rule)


def _condition_errors(rule: SigmaRule) -> list[SigmaError]:
    """Parse the conditions now: pySigma defers it, so a broken condition would pass loading."""
    found: list[SigmaError] = []
    for condition in rule.detection.parsed_condition:
        try:
            condition.parse()
        except SigmaError as exc:
            found.append(exc)
    return found


def load(paths: Iterable[Path]) -> RuleSet:
    """Load every rule under ``paths``; problems are collected, nothing raises."""
    result = RuleSet()
    for path in rule_files(paths):
        if not path.exists():
            result.problems.append(Problem(path, 1, "error", "no such file or folder"))
            continue
        load_file(path, result)
    _resolve_references(result)
    return result


def _resolve_references(result: RuleSet) -> None:
    """Link each correlation to the rules it names, across files; report what is missing."""
    collection = SigmaCollection([*result.rules, *result.correlations], resolve_references=False)
    usable: list[SigmaCorrelationRule] = []
    for correlation in result.correlations:
        try:
            correlation.resolve_rule_references(collection)
        except SigmaError as exc:
            path, text, start, end = result._where[id(correlation)]
            message = str(exc).replace(f" in {path}", "")
            line = _locate(text, start, end, message)
            result.problems.append(Problem(path, line, "error", message, correlation.title))
        else:
            usable.append(correlation)
    result.correlations = usable
