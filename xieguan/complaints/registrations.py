"""What complaints add to the shared registries (xieguan.core.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xieguan.complaints.models import Complaint
from xieguan.core.registry import ArchiveSection, MenuItem, records_of_year, register

register(
    MenuItem(_("Complaints"), "complaints:list", 50),
    ArchiveSection(_("Complaints"), 80, records_of_year(Complaint, "registered_at")),
)
