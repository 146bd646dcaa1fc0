"""The console's navigation: one entry per page, shown when the viewer holds its scope.

Later features (incidents, checks, playbooks) add their entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from garrison.web.i18n import N_


@dataclass(frozen=True, slots=True)
class NavItem:
    """A navigation entry.

    Attributes:
        path: Where it links.
        label: English label (translated when shown).
        scope: The scope a viewer needs to see it.
        icon: Name of the icon in ``static/icons.svg``.
    """

    path: str
    label: str
    scope: str
    icon: str


NAV: tuple[NavItem, ...] = (
    NavItem("/overview", N_("Overview"), "read", "chart"),
    NavItem("/alerts", N_("Alerts"), "read", "bell"),
    NavItem("/incidents", N_("Incidents"), "read", "siren"),
    NavItem("/events", N_("Events"), "read", "search"),
    NavItem("/rules", N_("Rules"), "read", "shield"),
    NavItem("/checks", N_("Compliance"), "read", "clipboard-check"),
    NavItem("/response", N_("Response"), "read", "zap"),
    NavItem("/jobs", N_("Scheduled jobs"), "read", "clock"),
    NavItem("/audit", N_("Audit trail"), "audit", "list"),
    NavItem("/admin/users", N_("Users"), "admin", "users"),
    NavItem("/admin/tokens", N_("API tokens"), "admin", "key"),
)
