"""A ready-to-run detection set: rules loaded, field-mapped, compiled; problems collected."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from sigma.correlations import SigmaCorrelationRule

from garrison.detect.compiler import CompiledRule, LogSource, compile_rule
from garrison.detect.values import UnsupportedRuleError
from garrison.rules.loader import Problem, load
from garrison.rules.logsources import datasets_for
from garrison.rules.pipelines import load_pipelines, prepare


@dataclass
class DetectionSet:
    """Compiled rules and correlations, and every problem met while building them."""

    rules: list[CompiledRule] = field(default_factory=list)
    correlations: list[SigmaCorrelationRule] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def builtin_rules_dir() -> Path:
    """The folder of Garrison's built-in rule pack."""
    return Path(str(resources.files("garrison.content") / "rules"))


def route(source: LogSource) -> frozenset[str] | None:
    """The datasets a rule applies to (``None``: every dataset)."""
    return datasets_for(source.product, source.category, source.service)


def build(
    paths: Sequence[Path], *, builtin: bool = True, pipeline_dirs: Sequence[Path] = ()
) -> DetectionSet:
    """Load, map and compile rules; a rule that cannot be used is reported, never dropped.

    Args:
        paths: User rule files and folders.
        builtin: Include the built-in rule pack.
        pipeline_dirs: Extra processing-pipeline folders.
    """
    everything = [builtin_rules_dir(), *paths] if builtin else list(paths)
    loaded = load(everything)
    result = DetectionSet(correlations=loaded.correlations, problems=list(loaded.problems))
    pipeline = load_pipelines(pipeline_dirs)
    for rule in loaded.rules:
        try:
            result.rules.append(compile_rule(prepare(rule, pipeline)))
        except UnsupportedRuleError as exc:
            where = rule.source.path if rule.source is not None else Path("?")
            result.problems.append(
                Problem(Path(str(where)), 1, "unsupported", str(exc), rule.title)
            )
    return result
