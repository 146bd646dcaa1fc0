"""Loading and linting playbook files: every problem names its file and line.

Beyond the schema (:mod:`~garrison.respond.playbook`), lint checks what a schema cannot: step
ids are unique, ``needs`` names earlier steps, ``on_error`` names a compensate step, actions
exist and their literal arguments are valid, and every expression compiles.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from garrison.core.errors import InputError
from garrison.core.yamlloc import YamlError, line_of, load_documents
from garrison.respond.actions import registry
from garrison.respond.expressions import ExpressionError, compile_expression, templates_in
from garrison.respond.playbook import Playbook, Step

SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True)
class Problem:
    """One problem of a playbook file."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Loaded:
    """A valid playbook with where it came from.

    Attributes:
        playbook: The parsed playbook.
        path: Its file (``builtin:<name>`` for shipped ones).
        source: The file's text (shown in the console).
        revision: First 16 hex digits of the text's SHA-256 (stored with each run).
        builtin: Shipped with Garrison.
    """

    playbook: Playbook
    path: str
    source: str
    revision: str
    builtin: bool = False


@dataclass
class Catalog:
    """Every playbook found, and the problems of those that could not be loaded."""

    playbooks: dict[str, Loaded] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def get(self, playbook_id: str) -> Loaded:
        """The playbook called ``playbook_id``.

        Raises:
            InputError: When there is none (with the known ids as a hint).
        """
        if playbook_id not in self.playbooks:
            raise InputError(
                f"no playbook {playbook_id!r}",
                hint="known: " + (", ".join(sorted(self.playbooks)) or "none"),
            )
        return self.playbooks[playbook_id]


def _locate(document: Any, loc: tuple[Any, ...]) -> int:
    """The line of the deepest part of ``loc`` that exists in the YAML document."""
    line = line_of(document, default=1) or 1
    node = document
    for part in loc:
        found = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        if not found:
            break
        line = line_of(node, part, line) or line
        node = node[part]
    return line


def _step_line(document: Any, group: str, index: int, key: str | None = None) -> int:
    loc: tuple[Any, ...] = (group, index) if key is None else (group, index, key)
    return _locate(document, loc)


def _expressions(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield from templates_in(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _expressions(item)
    elif isinstance(value, list):
        for item in value:
            yield from _expressions(item)


def _has_template(value: Any) -> bool:
    return any(True for _ in _expressions(value))


def _check_args(step: Step) -> list[str]:
    """Problems of the literal arguments of an action step (templated ones are checked at run)."""
    assert step.action is not None  # noqa: S101 - only called for action steps
    try:
        action = registry.get(step.action)
    except InputError as exc:
        return [f"step {step.id!r}: {exc.message} ({exc.hint})"]
    templated = {k for k, v in step.args.items() if _has_template(v)}
    literal = {k: v for k, v in step.args.items() if k not in templated}
    try:
        action.args_model.model_validate(literal)
    except ValidationError as exc:
        found = []
        for error in exc.errors():
            head = error["loc"][0] if error["loc"] else None
            if head in templated or (error["type"] == "missing" and head in templated):
                continue
            where = ".".join(str(p) for p in error["loc"]) or "args"
            found.append(f"step {step.id!r}: {step.action} argument {where}: {error['msg']}")
        return found
    return []


def _check_expressions(step: Step) -> list[str]:
    found = []
    sources = [s for s in (step.if_, step.for_each) if s]
    sources += list(_expressions(step.args))
    if step.approval is not None:
        sources += templates_in(step.approval.message)
    for source in sources:
        try:
            compile_expression(source)
        except ExpressionError as exc:
            found.append(f"step {step.id!r}: {exc.message}")
    return found


def lint(playbook: Playbook, document: Any, path: str) -> list[Problem]:
    """Problems a schema cannot see (see the module docstring)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    compensate_ids = {s.id for s in playbook.compensate}
    for group, steps in (("steps", playbook.steps), ("compensate", playbook.compensate)):
        for index, step in enumerate(steps):
            line = _step_line(document, group, index)
            if step.id in seen:
                problems.append(Problem(path, line, f"step id {step.id!r} is used twice"))
            for need in step.needs:
                if need not in seen:
                    problems.append(
                        Problem(
                            path,
                            _step_line(document, group, index, "needs"),
                            f"step {step.id!r} needs {need!r}, which is not an earlier step",
                        )
                    )
            seen.add(step.id)
            if step.on_error not in ("stop", "continue", "undo") and (
                step.on_error not in compensate_ids
            ):
                problems.append(
                    Problem(
                        path,
                        _step_line(document, group, index, "on_error"),
                        f"step {step.id!r}: on_error is stop, continue, undo or the id of a "
                        f"compensate step, not {step.on_error!r}",
                    )
                )
            if group == "compensate" and step.on_error in compensate_ids:
                problems.append(
                    Problem(path, line, f"compensate step {step.id!r} may not compensate again")
                )
            messages = _check_expressions(step)
            if step.action is not None:
                messages += _check_args(step)
            problems += [Problem(path, line, m) for m in messages]
    trigger = playbook.trigger
    for name, key, where in (
        ("alert", "where", trigger.alert.where if trigger.alert else None),
        ("alert", "once_per", trigger.alert.once_per if trigger.alert else None),
        ("incident", "where", trigger.incident.where if trigger.incident else None),
    ):
        if where:
            try:
                compile_expression(where)
            except ExpressionError as exc:
                problems.append(
                    Problem(path, _locate(document, ("trigger", name, key)), exc.message)
                )
    for name, spec in playbook.inputs.items():
        for source in _expressions(spec.default):
            try:
                compile_expression(source)
            except ExpressionError as exc:
                problems.append(Problem(path, _locate(document, ("inputs", name)), exc.message))
    return problems


def parse(text: str, path: str) -> tuple[Playbook | None, list[Problem]]:
    """Parse and lint one playbook file's text.

    Returns:
        The playbook (``None`` when it has an error) and every problem found.
    """
    try:
        documents = load_documents(text, path)
    except YamlError as exc:
        return None, [Problem(path, exc.line or 1, f"invalid YAML: {exc.message}")]
    if len(documents) != 1 or not isinstance(documents[0], dict):
        return None, [Problem(path, 1, "a playbook file holds one YAML mapping")]
    document = documents[0]
    try:
        playbook = Playbook.model_validate(document)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            where = ".".join(str(p) for p in loc) or "playbook"
            problems.append(Problem(path, _locate(document, loc), f"{where}: {error['msg']}"))
        return None, problems
    problems = lint(playbook, document, path)
    return (None if problems else playbook), problems


def _revision(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    return sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES and p.is_file())


def builtin_sources() -> list[tuple[str, str]]:
    """The shipped playbooks as ``(name, text)``, sorted by name."""
    root = resources.files("garrison.content").joinpath("playbooks")
    found = []
    for entry in root.iterdir():
        if entry.name.endswith(SUFFIXES):
            found.append((entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def load_catalog(folders: Iterable[Path] = (), *, builtin: bool = True) -> Catalog:
    """Every playbook: the shipped ones (unless ``builtin`` is off) then ``folders``.

    A user playbook with the id of a shipped one replaces it; two user files with one id are
    a problem (the second is refused).
    """
    catalog = Catalog()
    sources: list[tuple[str, str, bool]] = []
    if builtin:
        sources += [(f"builtin:{name}", text, True) for name, text in builtin_sources()]
    for folder in folders:
        if not folder.exists():
            catalog.problems.append(Problem(str(folder), 1, "no such file or folder"))
            continue
        for file in _files(folder):
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                catalog.problems.append(Problem(str(file), 1, f"cannot read: {exc}"))
                continue
            sources.append((str(file), text, False))
    for path, text, shipped in sources:
        playbook, problems = parse(text, path)
        catalog.problems += problems
        if playbook is None:
            continue
        known = catalog.playbooks.get(playbook.id)
        if known is not None and not known.builtin:
            catalog.problems.append(
                Problem(path, 1, f"playbook id {playbook.id!r} is also used by {known.path}")
            )
            continue
        catalog.playbooks[playbook.id] = Loaded(playbook, path, text, _revision(text), shipped)
    return catalog
