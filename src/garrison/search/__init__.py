"""Event search: the query language (:mod:`.query`) and user-typed times (:mod:`.timeparse`).

This package only parses; compiling a query to SQL lives in
:mod:`garrison.storage.sql.query_sql` so that search stays independent of storage.
"""

from __future__ import annotations

from garrison.search.query import (
    And,
    Exists,
    MatchAll,
    Node,
    Not,
    Or,
    Range,
    Term,
    Text,
    Wildcard,
    parse,
)
from garrison.search.timeparse import parse_duration, parse_time, time_span

__all__ = [
    "And",
    "Exists",
    "MatchAll",
    "Node",
    "Not",
    "Or",
    "Range",
    "Term",
    "Text",
    "Wildcard",
    "parse",
    "parse_duration",
    "parse_time",
    "time_span",
]
