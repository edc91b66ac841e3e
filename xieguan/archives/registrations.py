"""What the archives add to the shared registries: the menu, the due list
(upper documents still to read), the 上级文件 section of the archive, and
the closed-year check behind ``assert_period_open``."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xieguan.archives.locks import assert_year_open
from xieguan.archives.models import UpperDocumentReceipt
from xieguan.archives.selectors import unread_receipts
from xieguan.core.registry import ArchiveSection, DueItem, DueSource, MenuItem, register, registry


def upper_due(person: Any, now: datetime.datetime) -> list[DueItem]:
    """Documents from above the person's institution has not read (or acknowledged by its deadline)."""
    today = timezone.localdate(now)
    items = []
    for receipt in unread_receipts(person)[:200]:
        doc = receipt.document
        due = doc.ack_due or timezone.localdate(doc.issued_at)
        items.append(
            DueItem(
                "upper_document",
                gettext("%(title)s (%(issuer)s)") % {"title": doc.title, "issuer": doc.issuer.name},
                due,
                person,
                reverse("archives:upper_detail", args=[doc.pk]),
                receipt.area,
                overdue=doc.ack_due is not None and doc.ack_due < today,
                record=receipt,
            )
        )
    return sorted(items, key=lambda i: i.due)


def upper_of_year(area: Any, year: int) -> Any:
    """The copies of documents from above the area's institutions received in the year."""
    return UpperDocumentReceipt.objects.filter(area__path__startswith=area.path, document__issued_at__year=year)


registry.year_check = assert_year_open
register(
    MenuItem(_("Documents from above"), "archives:upper_list", 92),
    MenuItem(_("Archives"), "archives:index", 94),
    DueSource("upper_document", _("Documents from above to read"), upper_due, 40),
    ArchiveSection(_("Documents from above"), 5, upper_of_year),
)
