"""The response actions by name, found by module.

Each module of :mod:`garrison.respond.actions` that defines ``ACTION`` (an
:class:`~garrison.respond.actions.base.Action` instance) contributes it; a module may define
``ACTIONS`` (a tuple) instead when it holds a pair such as block and unblock.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Any

from garrison.core.errors import InputError
from garrison.respond import actions
from garrison.respond.actions.base import Action

_SKIP = {"argv", "base", "memory", "registry", "values"}


@cache
def registry() -> dict[str, Action[Any]]:
    """Action name -> action, for every action module of the package."""
    found: dict[str, Action[Any]] = {}
    for info in pkgutil.iter_modules(actions.__path__):
        if info.name in _SKIP or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{actions.__name__}.{info.name}")
        members = list(getattr(module, "ACTIONS", ()))
        single = getattr(module, "ACTION", None)
        if single is not None:
            members.append(single)
        for action in members:
            if not isinstance(action, Action):
                raise TypeError(f"{module.__name__} exports {action!r}, not an Action")
            if action.name in found:
                raise RuntimeError(f"two actions are named {action.name!r}")
            found[action.name] = action
    return found


def get(name: str) -> Action[Any]:
    """The action called ``name``.

    Raises:
        InputError: For an unknown name, listing the known ones.
    """
    known = registry()
    if name not in known:
        raise InputError(f"unknown action {name!r}", hint="known: " + ", ".join(sorted(known)))
    return known[name]
