"""The campaign's closing summary: tables from the data, a prose draft the user edits, Word."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from typing import Any

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
            results[str(t.inspection.get_overall_result_display() or "未填写")] += 1
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
    rate = f"{tables.done * 100 / tables.targets:.1f}%" if tables.targets else "—"
    lines = [
        f"根据{campaign.basis or '有关要求'}，{campaign.area.name}于{campaign.starts_on:%Y年%m月%d日}至"
        f"{campaign.ends_on:%Y年%m月%d日}开展{campaign.name}。",
        f"本次专项检查共列检查对象 {tables.targets} 户，已检查 {tables.done} 户，专项完成率 {rate}。",
    ]
    for p in tables.progress:
        lines.append(f"{p.township.name}：检查对象 {p.targets} 户，已检查 {p.done} 户。")
    if tables.results:
        lines.append("检查结果：" + "，".join(f"{label} {n} 户" for label, n in tables.results) + "。")
    lines.append("发现的主要问题及整改情况：（请补充）")
    lines.append("下一步工作：（请补充）")
    return "\n".join(lines)


def summary_docx_bytes(campaign: Campaign, tables: SummaryTables, text: str) -> bytes:
    """The summary as Word: title, the progress table, the targets table, the text."""
    from docx import Document
    from docx.oxml.ns import qn

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
    document.add_heading(f"{campaign.name}工作总结", level=1)
    for block in text.replace("\r\n", "\n").split("\n"):
        if block.strip():
            document.add_paragraph(block.strip())
    document.add_heading("各乡镇完成情况", level=2)
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, ["乡镇", "检查对象", "已检查", "专项完成率"], strict=True):
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
    document.add_heading("检查对象", level=2)
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, ["乡镇", "单位", "检查日期", "结果"], strict=True):
        cell.text = label
    from xieguan.core.display import local

    for t in tables.rows:
        cells = table.add_row().cells
        done = t.is_done
        values = [
            t.area.name,
            t.unit.name,
            f"{local(t.inspection.started_at):%Y-%m-%d}" if done else "未检查",
            str(t.inspection.get_overall_result_display()) if done else "",
        ]
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    if tables.items:
        document.add_heading("检查表各项结果", level=2)
        table = document.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, label in zip(table.rows[0].cells, ["序号", "检查内容", "符合", "不符合"], strict=True):
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
            document.add_paragraph(f"{caption}（文件缺失）")
            return
        document.add_paragraph(caption)

    documents = list(tables.materials)
    if campaign.basis_file or documents:
        document.add_heading("专项检查材料", level=2)
        if campaign.basis_file:
            document.add_paragraph(f"依据文件：{campaign.basis or campaign.basis_name}（{campaign.basis_name}）")
        for m in documents:
            document.add_paragraph(f"{m.title}（{m.file_name}，{local(m.created_at):%Y-%m-%d} 上传）")
            if m.is_image:
                picture(m.file, m.title)
    if tables.photos:
        document.add_heading("检查照片", level=2)
        for p in tables.photos:
            picture(p.image, f"{p.target.unit.name} · {local(p.taken_at or p.created_at):%Y-%m-%d %H:%M}")
