"""The words of a score's reasons, made when shown (so they follow the
language), and the address of the record behind each."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

LINK_ROUTES = {
    "inspection": "inspections:detail",
    "opinion": "inspections:opinion",
    "complaint": "complaints:detail",
    "report": "reports:detail",
    "unit": "units:detail",
}


def reason_text(reason: dict[str, Any]) -> str:
    p = reason.get("params") or {}
    code = reason.get("code")
    if code == "violations":
        return _("%(n)s violation records (last 12 months)") % p
    if code == "serious":
        return _("%(n)s of them serious") % p
    if code == "open_rectifications":
        return _("%(n)s rectifications still open") % p
    if code == "complaints":
        return _("%(n)s complaints about the unit (last 12 months)") % p
    if code == "reports":
        return _("%(n)s information reports about the unit (last 12 months)") % p
    if code == "overdue":
        return _("%(days)s days since the last patrol, rule %(rule)s days") % p
    if code == "never_inspected":
        return _("never patrolled (rule %(rule)s days)") % p
    if code == "category":
        return _("base risk of its category")
    if code == "key_unit":
        return pgettext("risk reason", "key unit")
    if code == "licences_expired":
        return _("%(n)s licences expired") % p
    if code == "licences_expiring":
        return _("%(n)s licences expiring within 30 days") % p
    if code == "health_expired":
        return _("health certificates of %(n)s people expired") % p
    if code == "training_expired":
        return _("training certificates of %(n)s people expired") % p
    if code == "hygiene":
        return _("hygiene grade %(grade)s") % p
    return str(code)


def link_url(link: dict[str, Any]) -> str:
    route = LINK_ROUTES.get(link.get("kind", ""))
    if route is None:
        return ""
    try:
        return reverse(route, args=[link["id"]])
    except (NoReverseMatch, KeyError):
        return ""


def readable(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each reason with its words and its links' addresses."""
    return [
        {
            "code": r.get("code", ""),
            "text": reason_text(r),
            "points": r.get("points", 0),
            "links": [{"label": link.get("label") or "", "url": link_url(link)} for link in r.get("links", [])],
        }
        for r in reasons
    ]
