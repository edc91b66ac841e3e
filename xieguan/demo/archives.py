"""Demo of the archives (issue 25): last year closed by the county, with
its records to browse; two documents from above, one that 河东镇 has not
read; a licence scan and a photo kept with a unit of 城关镇; evidence
photos (stamped with time, place and fix) on the inspections of 城关镇's
most inspected unit.

Runs last in the demo loader: once the year is closed, nothing dated in it
can be recorded."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from xieguan.archives import services
from xieguan.core.statistics import analysed
from xieguan.units.models import Unit


def _demo_pdf(title: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<h1 style='font-family:sans-serif'>{title}</h1><p>示范县卫生健康局</p>").write_pdf()


def _demo_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 200, 220)).save(out, "PNG")
    return out.getvalue()


def _demo_scene(seed: int) -> bytes:
    """A 1600×1200 picture with a photo's grain (what a phone sends, about
    the size of one), different for each seed."""
    import random

    from PIL import ImageDraw, ImageFilter

    rng = random.Random(seed)
    image = Image.linear_gradient("L").resize((1600, 1200)).convert("RGB")
    tint = Image.new("RGB", (1600, 1200), (rng.randrange(90, 200), rng.randrange(90, 200), rng.randrange(90, 200)))
    image = Image.blend(image, tint, 0.6)
    draw = ImageDraw.Draw(image)
    for _n in range(12):
        x, y = rng.randrange(0, 1400), rng.randrange(0, 1000)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.rectangle((x, y, x + rng.randrange(80, 400), y + rng.randrange(60, 300)), fill=colour)
    grain = Image.effect_noise((1600, 1200), 24).convert("RGB").filter(ImageFilter.GaussianBlur(0.6))
    image = Image.blend(image, grain, 0.18)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def _demo_evidence_photos(demo: Any) -> Unit | None:
    """Evidence photos for the most inspected unit of 城关镇 (two for each of
    its first three inspections), stamped as a phone's would be — time,
    place and GPS fix — so its unit file shows its album and the PDF its
    thumbnails. Returns the unit (None without inspections)."""
    from django.db.models import Count

    from xieguan.core.photos import GpsFix, evidence_stamp_lines, prepare_photo, save_photo_once
    from xieguan.inspections.models import Photo
    from xieguan.inspections.services.common import record_fix

    unit = (
        Unit.objects.filter(area__path__startswith=demo.townships[0].path)
        .annotate(n=Count("inspections"))
        .filter(n__gt=0)
        .order_by("-n", "name")
        .first()
    )
    if unit is None:
        return None
    for index, record in enumerate(unit.inspections.order_by("started_at", "id")[:3]):
        fix = record_fix(record) or GpsFix(Decimal("30.274100"), Decimal("120.155100"), 9.0)
        lines = evidence_stamp_lines(unit=unit, area=unit.area, fix=fix)
        for shot in range(2):
            upload = SimpleUploadedFile(f"现场{shot + 1}.jpg", _demo_scene(index * 10 + shot), "image/jpeg")
            prepared = prepare_photo(upload, stamp=True, stamp_time=record.started_at, stamp_lines=lines)
            save_photo_once(
                Photo,
                prepared,
                actor=record.recorded_by,
                owner={"inspection": record},
                extra={"area": record.area, "taken_at": record.started_at},
            )
    return unit


@analysed
def load_archives(demo: Any) -> None:
    bureau, institute_user = demo.users["bureau"], demo.users["inst"]
    cg1 = demo.users["cg1"]
    today = timezone.localdate()
    hedong = demo.townships[1]

    first = services.upper_document_issue(
        actor=bureau,
        number="示卫发〔2026〕12号",
        title="关于做好年度卫生监督协管档案整理归档工作的通知",
        body="各乡镇卫生院（协管站）：请于规定期限内整理上一年度协管档案，按类别装订归档并签收本通知。",
        targets=list(demo.townships),
        ack_due=today + datetime.timedelta(days=10),
        upload=SimpleUploadedFile("档案整理通知.pdf", _demo_pdf("关于做好年度卫生监督协管档案整理归档工作的通知")),
    )
    second = services.upper_document_issue(
        actor=institute_user,
        number="示卫监〔2026〕5号",
        title="关于开展学校卫生专项检查的通知",
        body="请各协管站于开学前完成辖区学校的专项巡查。",
        targets=list(demo.townships),
    )
    # Every station reads the second; all but 河东镇 read and acknowledge the first.
    readers = {u.institution_id: u for u in demo.users.values() if u.institution_id in {s.pk for s in demo.stations}}
    for receipt in second.receipts.all():
        reader = readers.get(receipt.institution_id)
        if reader is not None:
            services.receipt_read(actor=reader, receipt=receipt)
    for receipt in first.receipts.select_related("area").all():
        reader = readers.get(receipt.institution_id)
        if reader is not None and receipt.area_id != hedong.pk:
            services.receipt_acknowledge(actor=reader, receipt=receipt)

    unit = Unit.objects.filter(area__path__startswith=demo.townships[0].path).order_by("name").first()
    if unit is not None:
        services.document_upload(
            actor=cg1,
            owner_kind="unit",
            owner_id=unit.pk,
            title="卫生许可证扫描件",
            upload=SimpleUploadedFile("卫生许可证.pdf", _demo_pdf(f"{unit.name} 卫生许可证")),
        )
        services.document_upload(
            actor=cg1,
            owner_kind="unit",
            owner_id=unit.pk,
            title="门头照片",
            upload=SimpleUploadedFile("门头.png", _demo_png()),
        )
    # Last year's publicity in 城关镇 and 河东镇 (the rest of the demo lies in
    # this year), so the closed year has records to browse and export.
    from xieguan.outreach.services import outreach_create

    themes = ["控烟宣传", "饮用水卫生知识", "公共场所卫生法规", "学校传染病防控"]
    for town, who in ((demo.townships[0], cg1), (demo.townships[1], demo.users["dh1"])):
        for month, theme in zip((3, 6, 9, 11), themes, strict=True):
            outreach_create(
                actor=who, area=town, date=datetime.date(today.year - 1, month, 15), place=f"{town.name}集市",
                form="consultation", theme=theme, audience="群众", audience_count=40 + month,
            )  # fmt: skip
    _demo_evidence_photos(demo)
    services.year_close(actor=bureau, year=today.year - 1)
