"""Parsers: raw records to normalised :class:`~garrison.events.Event` objects."""
