"""What complaints add to the shared registries (xieguan.core.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xieguan.complaints.models import Complaint
from xieguan.core.registry import ArchiveSection, MenuItem, register

register(
    MenuItem(_("Complaints"), "complaints:list", 50),
    ArchiveSection(
        _("Complaints"),
        80,
        lambda area, year: Complaint.objects.filter(area__path__startswith=area.path, registered_at__year=year),
    ),
)
