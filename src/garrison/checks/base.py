"""What a check is and what it returns."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from garrison.checks.metadata import Metadata


class Status(StrEnum):
    """The outcome of a check on one resource."""

    PASS = "pass"  # noqa: S105 - a status, not a password
    FAIL = "fail"
    MANUAL = "manual"  # needs a person to verify
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"  # the check could not decide (bad facts); never a silent pass


@dataclass(frozen=True, slots=True)
class Result:
    """One finding (or pass) of a check on one resource.

    Attributes:
        check_id: The check.
        status: Its outcome.
        resource: What was checked (a file, a service, a container, a URL...).
        message: One sentence for people.
        line: The line in ``resource``, for files.
        expected: What the policy wants.
        actual: What was found (never a secret: checks mask them).
    """

    check_id: str
    status: Status
    resource: str
    message: str
    line: int | None = None
    expected: str | None = None
    actual: str | None = None


@dataclass
class Facts:
    """What collectors learned about one target, by collector name."""

    target: str
    values: dict[str, Any] = field(default_factory=dict)
    #: When the scan runs (UTC); checks that compare dates (end of life, expiry) read it.
    now: datetime | None = None

    def get(self, name: str) -> Any:
        """The facts of one collector (``None`` when it did not run)."""
        return self.values.get(name)


class MissingFactError(LookupError):
    """A check needed facts that could not be collected on this target."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class Check(ABC):
    """A check: reads facts, returns results; no I/O.

    Subclasses live in ``<area>/<id>/<id>.py``, are named exactly like their id, and declare
    the facts they read in :attr:`needs`.
    """

    #: Collector names whose facts the check reads.
    needs: ClassVar[tuple[str, ...]] = ()
    #: Filled by the loader from the metadata file.
    metadata: ClassVar[Metadata]

    @property
    def id(self) -> str:
        """The check id."""
        return self.metadata.id

    def fact(self, facts: Facts, name: str) -> Any:
        """The fact ``name``, which must have been collected.

        Raises:
            MissingFactError: When its collector did not run or failed; the runner turns it
                into an ``error`` result, never a pass.
        """
        value = facts.get(name)
        if value is None:
            raise MissingFactError(name)
        return value

    def result(self, status: Status, resource: str, message: str, **extra: Any) -> Result:
        """A result of this check."""
        return Result(self.metadata.id, status, resource, message, **extra)

    @abstractmethod
    def run(self, facts: Facts) -> list[Result]:
        """Check the facts of one target."""
