"""Playbook expressions: CEL (Common Expression Language), never Python ``eval`` or Jinja.

Conditions (``if``, ``where``, ``for_each``) are CEL expressions; argument strings may embed
``${{ expression }}``. CEL was designed for evaluating untrusted policies over untrusted data:
it cannot loop forever, call out, or touch the host, so an alert field such as
``${{ 7*7 }}`` or ``{{ config }}`` is plain text when it arrives as data. Values from events
only ever enter as *variables*; the expression text comes from the playbook file.

A string argument that is exactly one ``${{ ... }}`` keeps the expression's type (a list stays a
list); otherwise each ``${{ ... }}`` is replaced by the text of its value.

Functions added to CEL's own: ``is_ip(s)``, ``in_cidr(ip, cidr)``, ``is_internal(ip)`` (the
``[response] internal`` networks) and ``never_block(ip)``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cel

from garrison.core.errors import InputError

_TEMPLATE = re.compile(r"\$\{\{(.*?)\}\}", re.S)

#: Names an expression may start from (CEL comprehension variables aside).
ROOTS = ("alert", "event", "incident", "inputs", "steps", "run", "item", "index", "now")


class ExpressionError(InputError):
    """An expression does not compile, or failed on the data it was given."""

    code = "playbook.expression"


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> cel.Program:
    """Compile a CEL expression (cached: playbooks reuse the same few).

    Raises:
        ExpressionError: With CEL's own message on a syntax error.
    """
    if not source.strip():
        raise ExpressionError("an expression is empty")
    try:
        return cel.compile(source)
    except (ValueError, RuntimeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise ExpressionError(
            f"expression {source.strip()[:80]!r} does not compile: {first}"
        ) from None


def templates_in(text: str) -> list[str]:
    """The expressions embedded as ``${{ ... }}`` in ``text``."""
    return [m.group(1).strip() for m in _TEMPLATE.finditer(text)]


def _ip(value: object) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _in_any(value: object, networks: Iterable[str]) -> bool:
    address = _ip(value)
    if address is None:
        return False
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks)


def _in_cidr(value: object, cidr: object) -> bool:
    if not isinstance(cidr, str):
        return False
    try:
        return _in_any(value, [cidr])
    except ValueError:
        return False


@dataclass(frozen=True)
class Functions:
    """The networks behind ``is_internal`` and ``never_block``."""

    internal: tuple[str, ...] = ()
    never_block: tuple[str, ...] = ()

    def table(self) -> dict[str, Callable[..., Any]]:
        """Function name -> Python function, for a CEL context."""
        internal, never = self.internal, self.never_block
        return {
            "is_ip": lambda v: _ip(v) is not None,
            "in_cidr": _in_cidr,
            "is_internal": lambda v: _in_any(v, internal),
            "never_block": lambda v: _in_any(v, never),
        }


def _plain(value: Any) -> Any:
    """Values CEL can take: tuples become lists, other objects their text."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


class Scope:
    """Variables and functions one evaluation sees."""

    def __init__(self, variables: Mapping[str, Any], functions: Functions | None = None) -> None:
        self.variables = {k: _plain(v) for k, v in variables.items()}
        self.functions = functions or Functions()

    def with_values(self, **values: Any) -> Scope:
        """A copy with more variables (``item`` and ``index`` of a ``for_each``)."""
        merged = dict(self.variables)
        merged.update({k: _plain(v) for k, v in values.items()})
        return Scope(merged, self.functions)

    def _context(self) -> cel.Context:
        return cel.Context(variables=dict(self.variables), functions=self.functions.table())

    def evaluate(self, source: str) -> Any:
        """Evaluate one expression.

        Raises:
            ExpressionError: On a syntax error, or a missing field or wrong type in the data
                (use ``has(alert.x)`` to test for optional fields).
        """
        program = compile_expression(source)
        try:
            return program.execute(self._context())
        except KeyError as exc:
            raise ExpressionError(
                f"expression {source.strip()[:80]!r}: no field {exc.args[0]!r} in the data",
                hint="test optional fields with has(...)",
            ) from None
        except (ValueError, TypeError, RuntimeError, ArithmeticError) as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ExpressionError(f"expression {source.strip()[:80]!r} failed: {message}") from None

    def truth(self, source: str) -> bool:
        """Evaluate a condition; it must give a boolean.

        Raises:
            ExpressionError: When it does not, or fails.
        """
        value = self.evaluate(source)
        if not isinstance(value, bool):
            raise ExpressionError(
                f"condition {source.strip()[:80]!r} gave {type(value).__name__}, not true/false"
            )
        return value

    def render(self, value: Any) -> Any:
        """Resolve ``${{ ... }}`` in a value, recursively through lists and mappings."""
        if isinstance(value, str):
            return self._render_text(value)
        if isinstance(value, Mapping):
            return {k: self.render(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.render(v) for v in value]
        return value

    def _render_text(self, text: str) -> Any:
        whole = _TEMPLATE.fullmatch(text.strip())
        if whole is not None and len(_TEMPLATE.findall(text)) == 1:
            return self.evaluate(whole.group(1))
        return _TEMPLATE.sub(lambda m: _text(self.evaluate(m.group(1))), text)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
