"""The main navigation. Each domain adds its entry here; an entry shows only
to users whose roles allow what it leads to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def _can(capability: str) -> Callable[[Any], bool]:
    def check(user: Any) -> bool:
        from xieguan.accounts.permissions import can

        return can(user, capability)

    return check


def _above_township(user: Any) -> bool:
    """County, prefecture and province users (and those with no institution)."""
    institution = getattr(user, "institution", None)
    return institution is None or institution.area.level <= 3


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    visible: Callable[[Any], bool]


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "core:home", lambda user: True),
    NavItem(_("Inspections"), "inspections:list", lambda user: True),
    NavItem(_("Reports"), "reports:list", lambda user: True),
    NavItem(_("Units"), "units:list", lambda user: True),
    NavItem(_("Complaints"), "complaints:list", lambda user: True),
    NavItem(_("Publicity"), "outreach:list", lambda user: True),
    NavItem(_("Training"), "outreach:training_list", lambda user: True),
    NavItem(pgettext_lazy("menu", "Monthly report"), "monthly:index", lambda user: True),
    NavItem(pgettext_lazy("menu", "Overview"), "monthly:overview", lambda user: _above_township(user)),
    NavItem(_("Areas"), "areas:list", lambda user: True),
    NavItem(_("Institutions"), "accounts:institution_list", lambda user: True),
    NavItem(_("People"), "accounts:person_list", _can("view_people")),
    NavItem(_("Transfers"), "accounts:transfer_list", _can("approve_transfers")),
    NavItem(_("Audit log"), "core:audit", _can("view_audit")),
]
