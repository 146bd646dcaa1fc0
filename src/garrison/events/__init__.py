"""The normalised event: one schema for every source."""

from garrison.events.model import Event

__all__ = ["Event"]
