"""The campaign's closing summary: tables from the data, a prose draft the user edits, Word."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xieguan.campaigns.models import Campaign, CampaignMaterial
from xieguan.campaigns.selectors import TownshipProgress, progress, targets_for

MAX_PHOTOS = 60  # the visits' evidence photos a summary shows (the first ones, by township and unit)
PHOTOS_PER_TARGET = 3


@dataclass
class SummaryTables:
    progress: list[TownshipProgress]
    targets: int
    done: int
    results: list[tuple[str, int]]
    rows: list[Any]
    photos: list[Any]
    materials: list[Any]
    items: list[tuple[str, str, int, int]]


def _photos(user: Any, rows: list[Any]) -> list[Any]:
    """The evidence photos of the campaign's submitted visits the user may see,
    a few per unit, each knowing its unit (``p.target``), in one query."""
    from xieguan.inspections.models import Photo

    by_inspection = {t.inspection_id: t for t in rows if t.is_done}
    photos: list[Any] = []
    seen: Counter[Any] = Counter()
    qs = Photo.objects.visible_to(user).filter(inspection_id__in=list(by_inspection)).order_by("created_at", "id")
    for photo in qs[: MAX_PHOTOS * PHOTOS_PER_TARGET]:
        if seen[photo.inspection_id] >= PHOTOS_PER_TARGET:
            continue
        seen[photo.inspection_id] += 1
        photo.target = by_inspection[photo.inspection_id]
        photos.append(photo)
    order = {t.pk: n for n, t in enumerate(rows)}
    photos.sort(key=lambda p: order[p.target.pk])
    return photos[:MAX_PHOTOS]


def _items(campaign: Campaign, rows: list[Any]) -> list[tuple[str, str, int, int]]:
    """Per item of the campaign's own checklist: how many visits found it
    conforming and how many not (only when the campaign has a checklist)."""
    if campaign.template_id is None:
        return []
    from django.db.models import Count, Q

    from xieguan.inspections.models import InspectionAnswer

    done = [t.inspection_id for t in rows if t.is_done]
    counts = {
        row["item_id"]: row
        for row in InspectionAnswer.objects.filter(inspection_id__in=done, item__template_id=campaign.template_id)
        .values("item_id")
        .annotate(ok=Count("id", filter=Q(result="conforms")), bad=Count("id", filter=Q(result="fails")))
    }
    return [
        (item.code, item.text, counts.get(item.pk, {}).get("ok", 0), counts.get(item.pk, {}).get("bad", 0))
        for item in campaign.template.items.order_by("sort", "id")
    ]


def summary_tables(user: Any, campaign: Campaign) -> SummaryTables:
    rows = list(targets_for(user, campaign).order_by("area__path", "unit__name", "id"))
    results: Counter[str] = Counter()
    for t in rows:
        if t.is_done:
            results[str(t.inspection.get_overall_result_display() or _("Not filled in"))] += 1
    townships = progress(user, campaign)
    return SummaryTables(
        progress=townships,
        targets=sum(p.targets for p in townships),
        done=sum(p.done for p in townships),
        results=sorted(results.items()),
        rows=rows,
        photos=_photos(user, rows),
        materials=list(
            CampaignMaterial.objects.visible_to(user).filter(campaign=campaign).select_related("uploaded_by")
        ),
        items=_items(campaign, rows),
    )


def summary_draft(campaign: Campaign, tables: SummaryTables) -> str:
    """A first draft in plain words, from the figures."""

    def day(value: Any) -> str:
        return _("%(year)d-%(month)02d-%(day)02d") % {"year": value.year, "month": value.month, "day": value.day}

    rate = f"{tables.done * 100 / tables.targets:.1f}%" if tables.targets else "—"
    lines = [
        _("Under %(basis)s, %(area)s ran %(name)s from %(start)s to %(end)s.")
        % {
            "basis": campaign.basis or _("the relevant requirements"),
            "area": campaign.area.name,
            "start": day(campaign.starts_on),
            "end": day(campaign.ends_on),
            "name": campaign.name,
        },
        _("Targets of this campaign: %(targets)d; inspected: %(done)d; campaign completion rate: %(rate)s.")
        % {"targets": tables.targets, "done": tables.done, "rate": rate},
    ]
    for p in tables.progress:
        lines.append(
            _("%(township)s: targets %(targets)d, inspected %(done)d.")
            % {"township": p.township.name, "targets": p.targets, "done": p.done}
        )
    if tables.results:
        counted = "".join(
            (_("%(result)s %(n)d") if i == 0 else _(", %(result)s %(n)d")) % {"result": label, "n": n}
            for i, (label, n) in enumerate(tables.results)
        )
        lines.append(_("Inspection results: %(counts)s.") % {"counts": counted})
    lines.append(_("Main problems found and how they were corrected: (to be filled in)"))
    lines.append(_("Next steps: (to be filled in)"))
    return "\n".join(lines)


def summary_docx_bytes(campaign: Campaign, tables: SummaryTables, text: str) -> bytes:
    """The summary as Word: title, the progress table, the targets table, the text."""
    from docx import Document
    from docx.oxml.ns import qn

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
    document.add_heading(_("%(name)s: work summary") % {"name": campaign.name}, level=1)
    for block in text.replace("\r\n", "\n").split("\n"):
        if block.strip():
            document.add_paragraph(block.strip())
    document.add_heading(_("Progress by township"), level=2)
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, label in zip(
        table.rows[0].cells,
        [pgettext("campaign", "Township"), _("Targets"), _("Inspected"), _("Campaign completion rate")],
        strict=True,
    ):
        cell.text = label
    for p in tables.progress:
        cells = table.add_row().cells
        percent = p.rate.percent
        for cell, value in zip(
            cells,
            [p.township.name, str(p.targets), str(p.done), f"{percent}%" if percent is not None else "—"],
            strict=True,
        ):
            cell.text = value
    document.add_heading(_("Targets"), level=2)
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, label in zip(
        table.rows[0].cells,
        [
            pgettext("campaign", "Township"),
            pgettext("campaign", "Unit"),
            _("Inspection date"),
            pgettext("column", "Result"),
        ],
        strict=True,
    ):
        cell.text = label
    from xieguan.core.display import local

    for t in tables.rows:
        cells = table.add_row().cells
        done = t.is_done
        values = [
            t.area.name,
            t.unit.name,
            f"{local(t.inspection.started_at):%Y-%m-%d}" if done else _("Not inspected"),
            str(t.inspection.get_overall_result_display()) if done else "",
        ]
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    if tables.items:
        document.add_heading(_("Results per checklist item"), level=2)
        table = document.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, label in zip(
            table.rows[0].cells, [_("No."), _("Checklist item"), _("Conforming"), _("Not conforming")], strict=True
        ):
            cell.text = label
        for code, text, ok, bad in tables.items:
            for cell, value in zip(table.add_row().cells, [code, text, str(ok), str(bad)], strict=True):
                cell.text = value
    _docx_materials(document, campaign, tables)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_materials(document: Any, campaign: Campaign, tables: SummaryTables) -> None:
    """The campaign's materials (listed; pictures shown) and the visits' photos."""
    from docx.image.exceptions import UnrecognizedImageError
    from docx.shared import Cm

    from xieguan.core.display import local
    from xieguan.core.photos import MissingFile, open_stored

    def picture(field: Any, caption: str) -> None:
        try:
            with open_stored(field) as handle:
                document.add_picture(io.BytesIO(handle.read()), width=Cm(7))
        except (MissingFile, OSError, ValueError, UnrecognizedImageError):  # gone or unreadable: the caption says so
            document.add_paragraph(_("%(caption)s (file missing)") % {"caption": caption})
            return
        document.add_paragraph(caption)

    documents = list(tables.materials)
    if campaign.basis_file or documents:
        document.add_heading(_("Campaign materials"), level=2)
        if campaign.basis_file:
            document.add_paragraph(
                _("Basis document: %(basis)s (%(file)s)")
                % {"basis": campaign.basis or campaign.basis_name, "file": campaign.basis_name}
            )
        for m in documents:
            document.add_paragraph(
                _("%(title)s (%(file)s, uploaded %(date)s)")
                % {"title": m.title, "file": m.file_name, "date": f"{local(m.created_at):%Y-%m-%d}"}
            )
            if m.is_image:
                picture(m.file, m.title)
    if tables.photos:
        document.add_heading(_("Inspection photos"), level=2)
        for p in tables.photos:
            picture(p.image, f"{p.target.unit.name} · {local(p.taken_at or p.created_at):%Y-%m-%d %H:%M}")
