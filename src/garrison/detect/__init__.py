"""Detection: Sigma rules compiled into fast event predicates.

:func:`compile_rule` turns a pySigma rule into a :class:`CompiledRule` whose ``matches`` tests
one event and whose ``required_any`` feeds a literal prefilter (see
:func:`garrison.detect.values.haystack`).
"""

from garrison.detect.compiler import CompiledRule, LogSource, Matcher, compile_rule
from garrison.detect.values import UnsupportedRuleError, haystack

__all__ = [
    "CompiledRule",
    "LogSource",
    "Matcher",
    "UnsupportedRuleError",
    "compile_rule",
    "haystack",
]
