"""A record whose stored file has gone (a lost disk, a restore without its
media) answers a Chinese 404, never a 500; its PDF prints a placeholder;
`manage.py check_media` lists it (issue 17, finding 7)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from xieguan.core.models import AuditEvent

pytestmark = pytest.mark.django_db

MISSING = "此记录的文件已丢失"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def jpeg(color="teal"):
    out = io.BytesIO()
    Image.new("RGB", (400, 300), color).save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def stored(demo, comanager_in):
    """One stored file of every kind a page serves: inspection photo and
    signature, publicity photo, report photo, complaint photo."""
    from xieguan.complaints.tests.conftest import file_public
    from xieguan.core.photos import prepare_photo
    from xieguan.inspections.models import SignerRole
    from xieguan.inspections.services.evidence import inspection_photo_add, signature_add
    from xieguan.inspections.tests.factories import draft, plain_unit, png
    from xieguan.outreach.services import outreach_photo_add
    from xieguan.outreach.tests.factories import make_outreach
    from xieguan.reports.services import report_photo_add
    from xieguan.reports.tests.factories import make_report

    township = demo.townships[0]
    inspection = draft(comanager_in, plain_unit(township), inspectors=[comanager_in])
    photo, _ = inspection_photo_add(actor=comanager_in, inspection=inspection, upload=jpeg())
    signature = signature_add(
        actor=comanager_in, inspection=inspection, role=SignerRole.INSPECTOR, user=comanager_in, upload=png()
    )
    outreach = make_outreach(area=township, by=comanager_in, date=timezone.localdate())
    outreach_photo, _ = outreach_photo_add(actor=comanager_in, outreach=outreach, upload=jpeg("red"))
    report = make_report(area=township, by=comanager_in, found_at=timezone.now())
    report_photo, _ = report_photo_add(actor=comanager_in, report=report, upload=jpeg("blue"))
    complaint = file_public(township, photos=[prepare_photo(jpeg("olive"))]).complaint
    return {
        "inspections:photo": photo,
        "inspections:signature": signature,
        "outreach:photo": outreach_photo,
        "reports:photo": report_photo,
        "complaints:photo": complaint.photos.get(),
        "inspection": inspection,
    }


def _lose(record) -> None:
    Path(record.image.path).unlink()


@pytest.mark.parametrize(
    "route", ["inspections:photo", "inspections:signature", "outreach:photo", "reports:photo", "complaints:photo"]
)
def test_a_missing_file_is_a_chinese_404_page_not_a_500(stored, login, comanager_in, route):
    record = stored[route]
    client = login(comanager_in)
    client.raise_request_exception = False
    url = reverse(route, args=[record.pk])
    assert client.get(url).status_code == 200
    _lose(record)
    response = client.get(url)
    assert response.status_code == 404
    assert MISSING in response.content.decode()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (make system-deps) reads the PDF's text")
def test_an_inspection_pdf_prints_a_placeholder_for_a_missing_photo_and_signature(stored, login, comanager_in):
    _lose(stored["inspections:photo"])
    _lose(stored["inspections:signature"])
    client = login(comanager_in)
    client.raise_request_exception = False
    response = client.get(reverse("inspections:pdf", args=[stored["inspection"].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdftotext = shutil.which("pdftotext") or "pdftotext"
    text = subprocess.run([pdftotext, "-", "-"], input=response.content, capture_output=True, check=True).stdout  # noqa: S603
    text = "".join(text.decode().split())
    assert "照片文件已丢失" in text and "签名文件已丢失" in text


def test_an_import_whose_workbook_is_missing_fails_with_a_chinese_message(demo, comanager_in):
    from xieguan.units import batches
    from xieguan.units.models import Category, ImportStatus
    from xieguan.units.tests.test_imports import HEADERS, food_row, sheet_bytes, upload

    food = Category.objects.get(code="food")
    batch = batches.import_batch_create(
        actor=comanager_in, category=food, upload=upload(sheet_bytes([HEADERS, food_row("好运饭店")]))
    )
    Path(batch.file.path).unlink()
    batch = batches.import_batch_confirm(actor=comanager_in, batch=batch)
    assert batch.status == ImportStatus.FAILED
    assert "不在服务器上" in batch.message


def test_check_media_lists_every_record_whose_file_is_missing_and_fails(stored, capsys):
    call_command("check_media")  # all present: exits 0
    assert "0" in capsys.readouterr().out
    _lose(stored["outreach:photo"])
    _lose(stored["inspections:signature"])
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError) as failed:
        call_command("check_media")
    assert failed.value.returncode == 1 and "2" in str(failed.value)
    out = capsys.readouterr().out
    for record in (stored["outreach:photo"], stored["inspections:signature"]):
        line = next(row for row in out.splitlines() if str(record.pk) in row)
        assert record._meta.label in line and "image" in line and record.image.name in line
    assert str(stored["reports:photo"].pk) not in out
    assert AuditEvent.objects.count() == events  # read-only
