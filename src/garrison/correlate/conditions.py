"""Sigma correlation count conditions (``{"gte": 5}``, ``{"gt": 2, "lte": 10}``).

A condition is a conjunction of bounds on a count. Conditions with only lower bounds
(``gt``/``gte``) are *eager*: once the count satisfies them, adding events cannot make them
false, so a window fires as soon as it is reached. Conditions with an upper bound (``lt``,
``lte``, ``eq``) can only be decided when the window closes.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from garrison.core.errors import InputError

Op = Literal["gt", "gte", "lt", "lte", "eq"]

_OPS: dict[str, Callable[[int, int], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "eq": operator.eq,
}
_LOWER_ONLY = frozenset({"gt", "gte"})


@dataclass(frozen=True, slots=True)
class Condition:
    """A conjunction of ``(operator, threshold)`` bounds on a count.

    Attributes:
        bounds: The bounds, e.g. ``(("gte", 5),)``; all must hold.
    """

    bounds: tuple[tuple[Op, int], ...]

    def __post_init__(self) -> None:
        if not self.bounds:
            raise InputError("a correlation condition needs at least one bound")
        for op, value in self.bounds:
            if op not in _OPS:
                raise InputError(
                    f"unknown correlation condition operator {op!r}",
                    hint="use one of gt, gte, lt, lte, eq",
                )
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InputError(f"correlation condition {op} needs a non-negative integer")

    @classmethod
    def parse(cls, spec: Mapping[str, Any]) -> Condition:
        """Build a condition from a Sigma ``condition`` mapping.

        The ``field`` key (used by ``value_count``) is ignored here; it names the counted
        field, not a bound.

        Args:
            spec: e.g. ``{"gte": 5}`` or ``{"field": "user.name", "gt": 3}``.

        Returns:
            The condition.

        Raises:
            InputError: On unknown operators or non-integer thresholds.
        """
        bounds: list[tuple[Op, int]] = []
        for key, value in spec.items():
            if key == "field":
                continue
            if key not in _OPS:
                raise InputError(
                    f"unknown correlation condition operator {key!r}",
                    hint="use one of gt, gte, lt, lte, eq",
                )
            bounds.append((cast(Op, key), value))
        return cls(tuple(bounds))

    @property
    def eager(self) -> bool:
        """True when the condition has only lower bounds and can fire as soon as it holds."""
        return all(op in _LOWER_ONLY for op, _ in self.bounds)

    def matches(self, count: int) -> bool:
        """Return whether ``count`` satisfies every bound."""
        return all(_OPS[op](count, value) for op, value in self.bounds)
