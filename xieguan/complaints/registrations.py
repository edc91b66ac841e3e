"""What complaints add to the shared registries (xieguan.core.registry)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xieguan.complaints.models import OPEN_STATUSES, Complaint
from xieguan.core.registry import ArchiveSection, MenuItem, OpenWork, records_of_year, register

register(
    MenuItem(_("Complaints"), "complaints:list", 50),
    ArchiveSection(_("Complaints"), 80, records_of_year(Complaint, "registered_at")),
    # A complaint sits in its township; when the township is split, an open
    # one about a village (or a unit there) that moves is handled by the new one.
    OpenWork(Complaint, places=("village", "unit__area"), is_open=Q(status__in=OPEN_STATUSES)),
)
