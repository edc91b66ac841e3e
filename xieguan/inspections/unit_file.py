"""What patrols and inspections add to the unit file (一户一档), in the
archive rules' order: the patrol register (巡查登记), the records with their
checklist answers (检查记录), the opinions (意见书), the re-inspections
(复查), the photos (照片) and the cases handed over (移交)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from xieguan.core.documents import media_thumb_uri_if_stored
from xieguan.core.registry import UnitFileSection, register
from xieguan.inspections.models import (
    Handover,
    Inspection,
    InspectionAnswer,
    InspectionInspector,
    Opinion,
    Photo,
    Reinspection,
)

LIMIT = 200  # records of one kind in one unit file; a unit has a few dozen in ten years


def unit_file_context(user: Any, unit: Any, pdf: bool) -> dict[str, Any]:
    """The unit's inspections (with answers, inspectors and photos), opinions,
    re-inspections (with photos) and handovers the user may see, oldest
    first as a paper file is kept, in eight queries whatever their number.
    In the PDF each photo comes with its picture to embed (None when its
    file is gone, printed as a placeholder)."""
    photos = Photo.objects.order_by("taken_at", "created_at", "id")
    records = list(
        Inspection.objects.visible_to(user)
        .filter(unit=unit)
        .select_related("recorded_by", "template")
        .prefetch_related(
            Prefetch("answers", queryset=InspectionAnswer.objects.select_related("item").order_by("item__sort", "id")),
            Prefetch("inspector_links", queryset=InspectionInspector.objects.select_related("user").order_by("id")),
            Prefetch("photos", queryset=photos),
        )
        .order_by("started_at", "id")[:LIMIT]
    )
    opinions = list(
        Opinion.objects.visible_to(user)
        .filter(unit=unit)
        .select_related("issued_by", "inspection")
        .order_by("issued_at", "id")[:LIMIT]
    )
    reinspections = list(
        Reinspection.objects.visible_to(user)
        .filter(opinion__unit=unit)
        .select_related("recorded_by", "opinion")
        .prefetch_related(Prefetch("photos", queryset=photos))
        .order_by("inspected_at", "id")[:LIMIT]
    )
    handovers = list(
        Handover.objects.visible_to(user)
        .filter(unit=unit)
        .select_related("sent_by", "handled_by")
        .order_by("sent_at", "id")[:LIMIT]
    )
    # 照片: every photo of the file, under the record it was taken for.
    albums = [(r, r.started_at, list(r.photos.all())) for r in records]
    albums += [(r, r.inspected_at, list(r.photos.all())) for r in reinspections]
    albums = sorted((a for a in albums if a[2]), key=lambda a: a[1])
    images = {p.pk: media_thumb_uri_if_stored(p.image) for _r, _at, shots in albums for p in shots} if pdf else {}
    return {
        "records": records,
        "opinions": opinions,
        "reinspections": reinspections,
        "handovers": handovers,
        "albums": [(r, at, [(p, images.get(p.pk)) for p in shots]) for r, at, shots in albums],
    }


register(UnitFileSection("inspections/_unit_file.html", 20, unit_file_context))
