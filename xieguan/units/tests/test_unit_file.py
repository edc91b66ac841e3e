"""The complete unit file (一户一档, issue 25 item 5): the page and its PDF
hold, in the archive order, the base data with its history and every record
of the unit — inspections with their answers and photos, opinions,
re-inspections, handovers, reports, complaints (never the complainant),
guidance and documents — proven on the demo county's own records, in a
query count that does not grow with them, and nothing of another township."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from xieguan.archives.models import Document
from xieguan.complaints.models import Complaint
from xieguan.core.scope import scope_path_for
from xieguan.core.testing import assert_constant_queries, kept_for_module
from xieguan.demo.archives import load_archives
from xieguan.demo.complaints import load_complaints
from xieguan.demo.county import load_county
from xieguan.demo.inspections import load_inspections
from xieguan.demo.outreach import load_outreach
from xieguan.demo.reports import load_reports
from xieguan.demo.units import load_units
from xieguan.inspections.models import Handover, Inspection, InspectionAnswer, Opinion, Photo, Reinspection
from xieguan.outreach.models import Outreach
from xieguan.outreach.services import outreach_create
from xieguan.reports.models import Report
from xieguan.units.models import Unit

# The headings of the records in the archive rules' order, after 底册资料
# (base data, licences, certificates and their history).
ORDER = [
    "巡查登记表",
    "现场检查记录",
    "卫生监督意见书",
    "整改复查",
    "照片",
    "案件移交",
    "信息报告",
    "投诉举报",
    "指导",
    "资料",
]


@pytest.fixture(scope="module")
def _demo_once(django_db_setup, django_db_blocker):
    """The demo county with its records, loaded once for the module and
    rolled back after it (core.testing.kept_for_module)."""

    def build():
        demo = load_county()
        load_units(demo)
        load_outreach(demo)
        load_complaints(demo)
        load_reports(demo)
        load_inspections(demo)
        load_archives(demo)
        _photograph(demo)
        return demo

    yield from kept_for_module(django_db_blocker, build)


@pytest.fixture
def full(_demo_once, db):
    return _demo_once


def _page(client, unit) -> str:
    response = client.get(reverse("units:detail", args=[unit.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _heading_positions(text: str) -> list[int]:
    return [text.index(f"<h2>{h}</h2>") if f"<h2>{h}</h2>" in text else -1 for h in ORDER]


def _jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, "JPEG")
    return out.getvalue()


def _photograph(demo) -> None:
    """The demo's records carry no photos: two on the inspection behind a
    re-inspected opinion and one on the re-inspection, kept as the phone's
    upload keeps them (a stored picture, its hash, who took it)."""
    re = Reinspection.objects.select_related("opinion__inspection").order_by("inspected_at", "id").first()
    record = re.opinion.inspection
    for n, (owner, colour) in enumerate([(record, (200, 60, 60)), (record, (60, 200, 60)), (re, (60, 60, 200))]):
        data = _jpeg(colour)
        name = default_storage.save(f"inspections/test/unit-file-{n}.jpg", ContentFile(data))
        Photo.objects.create(
            area=record.area,
            inspection=record if owner is record else None,
            reinspection=re if owner is re else None,
            image=name,
            width=320,
            height=240,
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=record.recorded_by,
        )


def _richest_unit():
    """The demo unit with a photographed inspection whose opinion was re-inspected."""
    re = Reinspection.objects.filter(opinion__inspection__photos__isnull=False).select_related("opinion__unit").first()
    assert re is not None, "the demo county has a re-inspected opinion of a photographed inspection"
    return re.opinion.unit


def test_the_page_shows_every_section_in_the_archive_order(full, login):
    unit = _richest_unit()
    page = _page(login(full.users["bureau"]), unit)
    positions = _heading_positions(page)
    assert -1 not in positions, dict(zip(ORDER, positions, strict=True))
    assert positions == sorted(positions)
    # 底册资料 first: the base data, then its licences, certificates and the
    # history of their changes (the audit log), and only then the records.
    base = page[page.index('<dl class="facts">') : positions[0]]
    assert base.count("<h2>") == 3 and ("尚无变更记录" in base or '<ol class="timeline">' in base)


def test_an_inspection_shows_its_checklist_answers_and_photos(full, login):
    unit = _richest_unit()
    record = Inspection.objects.filter(unit=unit, photos__isnull=False).distinct().first()
    answer = InspectionAnswer.objects.filter(inspection=record).select_related("item").first()
    page = _page(login(full.users["bureau"]), unit)
    records = page.split('id="file-records"')[1].split("</section>")[0]
    assert answer.item.text in records and reverse("inspections:detail", args=[record.pk]) in page
    photos = page.split('id="file-photos"')[1].split("</section>")[0]
    for photo in record.photos.all():
        assert reverse("inspections:photo", args=[photo.pk]) in photos


def test_opinions_reinspections_and_handovers_are_listed(full, login):
    handover = Handover.objects.select_related("unit").first()
    assert handover is not None
    unit = handover.unit
    client = login(full.users["bureau"])
    page = _page(client, unit)
    section = page.split('id="file-handovers"')[1].split("</section>")[0]
    assert reverse("inspections:handover", args=[handover.pk]) in section
    assert handover.get_reason_display() in section
    rich = _richest_unit()
    page = _page(client, rich)
    for opinion in Opinion.objects.filter(unit=rich):
        assert opinion.number in page.split('id="file-opinions"')[1].split("</section>")[0]
    for re in Reinspection.objects.filter(opinion__unit=rich):
        assert reverse("inspections:reinspection", args=[re.pk]) in page


def test_reports_complaints_guidance_and_documents_are_listed(full, login):
    client = login(full.users["bureau"])
    report = Report.objects.filter(unit__isnull=False).select_related("unit").first()
    if report is None:  # the demo names the unit of a report only when its 红星 shop exists
        report = Report.objects.order_by("found_at").first()
        report.unit = Unit.objects.filter(area__path__startswith=report.area.path).order_by("name").first()
        report.save(update_fields=["unit"])
    page = _page(client, report.unit)
    assert reverse("reports:detail", args=[report.pk]) in page.split('id="file-reports"')[1]
    # The demo's publicity has no guidance to a unit: cg1 records one as the page would.
    shop = Unit.objects.filter(area__path__startswith=full.townships[0].path).order_by("name").first()
    guidance = outreach_create(
        actor=full.users["cg1"], area=shop.area, date=timezone.localdate(), place=shop.address or shop.name,
        form="guidance", theme="餐具消毒指导", audience="从业人员", audience_count=3, unit=shop,
    )  # fmt: skip
    page = _page(client, shop)
    assert guidance.theme in page.split('id="file-guidance"')[1].split("</section>")[0]
    document = Document.objects.filter(owner_type__model="unit").first()
    page = _page(login(full.users["cg1"]), Unit.objects.get(pk=document.owner_id))
    section = page.split('id="file-documents"')[1].split("</section>")[0]
    assert document.title in section and reverse("archives:document", args=[document.pk]) in section
    assert "add-document" in section  # cg1 keeps documents in 城关镇


def test_a_complaint_shows_without_its_complainant(full, login):
    complaint = Complaint.objects.filter(unit__isnull=False).exclude(complainant_name="").select_related("unit").first()
    assert complaint is not None, "the demo county has a named complaint about a unit"
    page = _page(login(full.users["bureau"]), complaint.unit)
    section = page.split('id="file-complaints"')[1].split("</section>")[0]
    assert reverse("complaints:detail", args=[complaint.pk]) in section
    assert complaint.complainant_name not in page
    if complaint.complainant_phone:
        assert complaint.complainant_phone not in page


def test_a_neighbour_sees_nothing_and_a_village_officer_only_their_village(full, login):
    unit = _richest_unit()
    # a co-manager of another township: the file is not theirs
    outsider = next(
        u for u in (full.users["dh1"], full.users["cg1"]) if not unit.area.path.startswith(scope_path_for(u))
    )
    assert login(outsider).get(reverse("units:detail", args=[unit.pk])).status_code == 404
    assert login(outsider).get(reverse("units:pdf", args=[unit.pk])).status_code == 404


def test_the_unit_file_query_count_stays_the_same_with_more_records(full, login):
    """Every section read at once: moving the demo county's other records
    onto the unit (inspections with answers and photos, opinions,
    re-inspections, handovers, reports, complaints, guidance, documents)
    costs not one query more."""
    unit = _richest_unit()
    if not unit.credit_code:
        # Which unit is richest follows the demo's dates; with a credit code
        # its possible duplicates are asked by code too, whichever it is.
        Unit.objects.filter(pk=unit.pk).update(credit_code="91990000MA0TEST01X")
    client = login(full.users["bureau"])
    url = reverse("units:detail", args=[unit.pk])

    def grow():
        assert Inspection.objects.exclude(unit=unit).update(unit=unit) > 3
        Opinion.objects.exclude(unit=unit).update(unit=unit)
        Handover.objects.exclude(unit=unit).update(unit=unit)
        Report.objects.exclude(unit=unit).update(unit=unit)
        Complaint.objects.exclude(unit=unit).update(unit=unit)
        Outreach.objects.exclude(unit=unit).update(unit=unit)
        Document.objects.filter(owner_type__model="unit").update(owner_id=unit.pk)

    # 30: possible duplicates ask the township and the credit code apart;
    # the county's fields, the licences and the certificates are read once
    # for the base data, the missing fields and the history (34 before).
    assert_constant_queries(lambda: client.get(url), grow, exactly=30)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (make system-deps) reads the PDF's text")
def test_the_pdf_holds_every_section_in_order_with_photo_thumbnails(full, login, tmp_path):
    unit = _richest_unit()
    response = login(full.users["bureau"]).get(reverse("units:pdf", args=[unit.pk]))
    assert response.status_code == 200
    pdftotext = shutil.which("pdftotext") or "pdftotext"
    raw = subprocess.run([pdftotext, "-", "-"], input=response.content, capture_output=True, check=True).stdout  # noqa: S603
    text = "".join(raw.decode().split())
    # Each heading after the one before it ("照片" also counts photos in a record's line).
    at = 0
    for heading in ["监督对象档案", "历史", *ORDER]:
        at = text.find(heading, at)
        assert at != -1, f"{heading} missing or out of the archive order"
    answer = InspectionAnswer.objects.filter(inspection__unit=unit).select_related("item").first()
    assert "".join(answer.item.text.split()) in text
    for opinion in Opinion.objects.filter(unit=unit):
        assert opinion.number in text
    photos = (
        Photo.objects.filter(inspection__unit=unit).count()
        + Photo.objects.filter(reinspection__opinion__unit=unit).count()
    )
    pdfimages = shutil.which("pdfimages") or "pdfimages"
    (tmp_path / "file.pdf").write_bytes(response.content)
    listing = subprocess.run([pdfimages, "-list", str(tmp_path / "file.pdf")], capture_output=True, check=True).stdout  # noqa: S603
    images = [line for line in listing.decode().splitlines()[2:] if " image " in line]
    assert photos and len(images) >= photos
