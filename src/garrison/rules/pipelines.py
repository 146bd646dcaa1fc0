"""pySigma processing pipelines: adapting Sigma rules to Garrison's event fields.

The built-in pipelines (``garrison/content/pipelines/*.yml``, pySigma's processing-pipeline
YAML format) map the field names of SigmaHQ rules to the fields Garrison's parsers fill, each
mapping conditioned on the rule's log source. Users add their own pipeline files in the same
format; all are merged in order of their ``priority`` (built-ins first on equal priority).

:func:`prepare` applies the merged pipeline to a **copy** of a rule (pySigma transforms rules
in place) and, by default, restricts it to the events of its log source (``event.dataset``,
and for Windows ``Channel``/``EventID``) as routed by :mod:`garrison.rules.logsources`.
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sigma.exceptions import SigmaError
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.transformations import AddConditionTransformation
from sigma.rule import SigmaRule

from garrison.core.errors import ConfigError
from garrison.events import schema
from garrison.rules.logsources import route

__all__ = ["PIPELINE_SUFFIXES", "builtin_pipeline_files", "load_pipeline_file", "load_pipelines",
           "prepare"]  # fmt: skip

PIPELINE_SUFFIXES = (".yml", ".yaml")
_ITEM_INDEX = re.compile(r"processing rule (\d+)")
#: ``ProcessingPipeline.apply`` keeps per-call state on the pipeline object.
_APPLY_LOCK = threading.Lock()


def builtin_pipeline_files() -> list[tuple[str, str]]:
    """The built-in pipelines as ``(name, YAML text)``, sorted by name."""
    folder = resources.files("garrison.content").joinpath("pipelines")
    return sorted(
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(PIPELINE_SUFFIXES)
    )


def _item_line(text: str, index: int) -> int:
    """1-based line of the ``index``-th (1-based) item of ``transformations``, else 1."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return 1
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if (
                key.value == "transformations"
                and isinstance(value, yaml.SequenceNode)
                and 0 < index <= len(value.value)
            ):
                return int(value.value[index - 1].start_mark.line) + 1
    return 1


def load_pipeline_file(text: str, where: str) -> ProcessingPipeline:
    """Parse one processing-pipeline YAML document.

    Args:
        text: The YAML text.
        where: Its file name, for error messages.

    Returns:
        The pipeline.

    Raises:
        ConfigError: The YAML or the pipeline definition is invalid (the message names the
            file and, where possible, the line).
    """
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{where}{at}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(
            f"{where}:1: a processing pipeline must be a YAML mapping",
            hint="see pySigma's processing pipeline format (name, priority, transformations)",
        )
    try:
        return ProcessingPipeline.from_dict(data)
    except (SigmaError, TypeError, ValueError, KeyError, AttributeError) as exc:
        found = _ITEM_INDEX.search(str(exc))
        line = _item_line(text, int(found.group(1))) if found else 1
        raise ConfigError(f"{where}:{line}: invalid processing pipeline: {exc}") from exc


def _user_files(extra_dirs: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for folder in extra_dirs:
        if folder.is_file():
            files.append(folder)
        elif folder.is_dir():
            files.extend(
                sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in PIPELINE_SUFFIXES)
            )
        else:
            raise ConfigError(f"{folder}: pipeline folder not found")
    return files


def load_pipelines(extra_dirs: Sequence[Path] = ()) -> ProcessingPipeline:
    """Load the built-in pipelines and the user's pipeline files, merged by priority.

    Args:
        extra_dirs: Folders of user pipeline files (``*.yml``/``*.yaml``), or single files.

    Returns:
        One pipeline: all of them, lowest ``priority`` first (a stable sort, so built-ins
        come first on equal priority and user files in name order).

    Raises:
        ConfigError: A file cannot be read or is not a valid pipeline (file and line named).
    """
    pipelines = [
        load_pipeline_file(text, f"<builtin>/{name}") for name, text in builtin_pipeline_files()
    ]
    for path in _user_files(extra_dirs):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read pipeline file: {exc}") from exc
        pipelines.append(load_pipeline_file(text, str(path)))
    pipelines.sort(key=lambda p: p.priority)
    merged = ProcessingPipeline()
    for pipeline in pipelines:
        merged = merged + pipeline
    return merged


def _restriction(rule: SigmaRule) -> ProcessingPipeline | None:
    """A pipeline adding the rule's log source route as a condition, if it is known."""
    source = rule.logsource
    found = route(source.product, source.category, source.service)
    if found is None:
        return None
    conditions: dict[str, Any] = {schema.DATASET: sorted(found.datasets)}
    if found.channels is not None:
        conditions["Channel"] = sorted(found.channels)
    if found.event_ids is not None:
        conditions["EventID"] = sorted(found.event_ids)
    add = AddConditionTransformation(conditions, name="_garrison_logsource")
    return ProcessingPipeline([ProcessingItem(add, identifier="garrison_logsource")])


def prepare(rule: SigmaRule, pipeline: ProcessingPipeline, *, restrict: bool = True) -> SigmaRule:
    """Return a copy of ``rule`` with the pipeline applied (field names mapped).

    Args:
        rule: The rule as loaded (left unchanged).
        pipeline: From :func:`load_pipelines`.
        restrict: Also require the events of the rule's log source (``event.dataset``, and
            for Windows ``Channel``/``EventID``); unknown log sources are left unrestricted.

    Returns:
        The transformed copy, ready for :func:`garrison.detect.compiler.compile_rule`.

    Raises:
        ConfigError: A pipeline transformation failed on this rule.
    """
    prepared = copy.deepcopy(rule)
    try:
        with _APPLY_LOCK:
            pipeline.apply(prepared)
        if restrict and (restriction := _restriction(prepared)) is not None:
            restriction.apply(prepared)
    except SigmaError as exc:
        title = rule.title or str(rule.id or "untitled")
        raise ConfigError(f"processing pipeline failed on rule '{title}': {exc}") from exc
    result: SigmaRule = prepared
    return result
