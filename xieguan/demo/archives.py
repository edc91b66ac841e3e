"""Demo of the archives (issue 25): last year closed by the county, with
its records to browse; two documents from above, one that 河东镇 has not
read; a licence scan and a photo kept with a unit of 城关镇.

Runs last in the demo loader: once the year is closed, nothing dated in it
can be recorded."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from xieguan.archives import services
from xieguan.units.models import Unit


def _demo_pdf(title: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<h1 style='font-family:sans-serif'>{title}</h1><p>示范县卫生健康局</p>").write_pdf()


def _demo_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 200, 220)).save(out, "PNG")
    return out.getvalue()


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
    services.year_close(actor=bureau, year=today.year - 1)
