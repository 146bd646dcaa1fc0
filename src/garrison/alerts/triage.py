"""Alert triage: the status an action leads to, and which actions are allowed.

``new`` → ``acknowledged`` (someone is on it) → ``closed`` with a verdict; a closed alert can be
reopened (back to ``acknowledged``). Suppressed alerts can be closed or reopened like others.
Verdicts feed the false-positive rate per rule (policy 001: at most 5 %).
"""

from __future__ import annotations

from garrison.core.errors import InputError

RESOLUTIONS = ("true_positive", "false_positive", "benign")

#: action -> (statuses it applies to, status it leads to)
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "acknowledge": (frozenset({"new", "suppressed"}), "acknowledged"),
    "close": (frozenset({"new", "acknowledged", "suppressed"}), "closed"),
    "reopen": (frozenset({"closed"}), "acknowledged"),
}


def transition(status: str, action: str, resolution: str | None = None) -> str:
    """The status ``action`` leads to from ``status``.

    Raises:
        InputError: For an unknown action, a transition that does not apply, or a close
            without a valid verdict.
    """
    if action not in ACTIONS:
        raise InputError(f"unknown action {action!r}", hint=f"one of {', '.join(ACTIONS)}")
    allowed, target = ACTIONS[action]
    if status not in allowed:
        raise InputError(f"cannot {action} an alert that is {status}")
    if action == "close" and resolution not in RESOLUTIONS:
        raise InputError(
            "closing needs a verdict", hint=f"resolution: one of {', '.join(RESOLUTIONS)}"
        )
    return target
