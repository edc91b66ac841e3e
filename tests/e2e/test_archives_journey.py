"""Issue 25's journey: bureau issues a document to the townships and sees
河东镇 has not read it; dh1 reads it; cg1 opens last year's archive (closed
by the county), exports 城关镇's year, watches the progress and downloads
the zip; its table of contents and a unit file PDF are rendered to look at."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.utils import timezone

from tests.e2e.conftest import DESKTOP, first_page_png, poppler
from xieguan.archives.models import UpperDocument, UpperDocumentReceipt, YearPackage
from xieguan.archives.package import build
from xieguan.demo.archives import load_archives
from xieguan.demo.county import DEMO_PASSWORD, load_county
from xieguan.demo.outreach import load_outreach
from xieguan.demo.units import load_units
from xieguan.inspections.tests.factories import submitted
from xieguan.units.models import Unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_issue_read_archive_export_and_download(journey, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo = load_county()
    load_units(demo)
    load_outreach(demo)
    # Two inspections of a unit of 城关镇 (the demo's own take minutes to load);
    # the archives loader stamps evidence photos onto them.
    inspected = Unit.objects.filter(area__path__startswith=demo.townships[0].path).order_by("name").first()
    for hours in (30, 6):
        submitted(
            demo.users["cg1"],
            inspected,
            inspectors=[demo.users["cg1"], demo.users["cg2"]],
            at=timezone.now() - datetime.timedelta(hours=hours),
        )
    load_archives(demo)
    last_year = timezone.localdate().year - 1
    hedong = demo.townships[1]

    bureau = journey(DESKTOP, "bureau")
    bureau.login("bureau", DEMO_PASSWORD)
    bureau.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    bureau.goto("/upper-documents/")
    bureau.shot("upper-documents")
    bureau.page.click("text=下发文件")
    bureau.page.fill("#id_number", "示卫发〔2026〕20号")
    bureau.page.fill("#id_title", "关于开展冬季学校卫生巡查的通知")
    bureau.page.fill("#id_body", "请各协管站于月底前完成辖区学校的巡查并签收本通知。")
    bureau.shot("issue-form")
    bureau.submit()
    bureau.page.wait_for_selector("#receipts")
    assert "河东镇" in bureau.page.inner_text("#unread-list")
    bureau.shot("issued-nobody-read")
    document = UpperDocument.objects.get(title="关于开展冬季学校卫生巡查的通知")

    dh1 = journey(DESKTOP, "dh1")
    dh1.login("dh1", DEMO_PASSWORD)
    dh1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    dh1.goto("/upper-documents/")
    dh1.shot("dh1-list-unread")
    dh1.page.click("text=关于开展冬季学校卫生巡查的通知")
    dh1.page.wait_for_selector("#own-receipt")
    dh1.page.click("#own-receipt button")
    dh1.page.wait_for_selector("text=已签收")
    dh1.shot("dh1-read-and-acknowledged")
    receipt = UpperDocumentReceipt.objects.get(document=document, area=hedong)
    assert receipt.read_at and receipt.acknowledged_at and receipt.read_by.username == "dh1"

    bureau.page.reload()
    assert "河东镇" not in (
        bureau.page.inner_text("#unread-list") if bureau.page.query_selector("#unread-list") else ""
    )
    bureau.shot("bureau-sees-hedong-read")

    cg1 = journey(DESKTOP, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    cg1.goto("/archives/")
    cg1.shot("archive-years")
    cg1.page.click(f"text={last_year}年度")
    cg1.page.wait_for_selector("#sections")
    assert "已归档关闭" in cg1.page.inner_text("main")
    cg1.shot("archive-year-township")
    cg1.page.click("#sections a >> nth=0")
    cg1.shot("archive-section")
    cg1.page.go_back()
    cg1.page.click("#export")
    cg1.page.wait_for_selector("#package-progress")
    cg1.shot("package-queued")
    package = YearPackage.objects.get()
    build(package)  # what the worker does
    cg1.page.wait_for_selector("#download", timeout=20000)
    cg1.shot("package-done")
    with cg1.page.expect_download() as download_info:
        cg1.page.click("#download")
    zip_path = tmp_path / "package.zip"
    download_info.value.save_as(zip_path)
    package.refresh_from_db()
    import hashlib

    assert hashlib.sha256(zip_path.read_bytes()).hexdigest() == package.sha256
    archive = zipfile.ZipFile(io.BytesIO(zip_path.read_bytes()))
    names = archive.namelist()
    assert names[0] == "00-目录.pdf"
    toc = cg1.folder / "toc.pdf"
    toc.write_bytes(archive.read("00-目录.pdf"))
    assert "目录" in poppler("pdftotext", str(toc), "-")
    first_page_png(toc)

    # The unit file with photos: the unit the demo gave evidence photos.
    unit = Unit.objects.filter(inspections__photos__isnull=False).distinct().get()
    assert unit.area.path.startswith(demo.townships[0].path)
    cg1.goto(f"/units/{unit.pk}/")
    cg1.page.wait_for_selector("#file-photos img", state="attached")  # lazy, below the fold
    cg1.page.locator("#file-photos").scroll_into_view_if_needed()
    cg1.shot("unit-file-photos")
    answer = cg1.page.request.get(cg1.base_url + f"/units/{unit.pk}/pdf/")
    assert answer.status == 200
    unit_pdf = cg1.folder / "unit-file.pdf"
    unit_pdf.write_bytes(answer.body())
    first_page_png(unit_pdf)
    # Every page, to look at: the album's page shows the stamped thumbnails.
    poppler("pdftoppm", "-png", "-r", "60", str(unit_pdf), str(cg1.folder / "unit-file-page"))
    assert poppler("pdfimages", "-list", str(unit_pdf)).count("jpeg") >= 6
    # Thumbnails, not the 1600 px photos: every picture at most 480 px wide.
    widths = [int(line.split()[3]) for line in poppler("pdfimages", "-list", str(unit_pdf)).splitlines()[2:]]
    assert widths and max(widths) <= 480
