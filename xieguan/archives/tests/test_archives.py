"""Documents, documents from above, the closed year and the year package (issue 25)."""

from __future__ import annotations

import datetime
import hashlib
import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from xieguan.archives import services
from xieguan.archives.models import Document, UpperDocumentReceipt, YearClose
from xieguan.archives.package import build
from xieguan.archives.registrations import upper_due
from xieguan.core.models import AuditEvent
from xieguan.outreach.models import Outreach
from xieguan.outreach.services import outreach_create, outreach_update

LAST_YEAR = timezone.localdate().year - 1


def _unit(area, name="城关红星浴室"):
    from xieguan.units.models import Category, Unit

    category = Category.objects.order_by("pk").first()
    return Unit.objects.create(name=name, area=area, category=category, address="示范路1号")


# ---------------------------------------------------------------- documents


@pytest.mark.django_db
def test_upload_sniffs_the_bytes_keeps_versions_and_refuses_what_is_not_a_document(
    demo, township, pdf_bytes, png_bytes
):
    cg1 = demo.users["cg1"]
    unit = _unit(township)
    doc = services.document_upload(
        actor=cg1,
        owner_kind="unit",
        owner_id=unit.pk,
        upload=SimpleUploadedFile("../../etc/营业执照.pdf", pdf_bytes),
        title="营业执照",
    )
    version = doc.current
    assert version.kind == "pdf" and version.number == 1
    assert version.sha256 == hashlib.sha256(pdf_bytes).hexdigest()
    assert version.original_name == "营业执照.pdf" and ".." not in version.file.name
    assert version.file.name.startswith("archives/documents/")
    services.document_upload(
        actor=cg1, owner_kind="", owner_id=None, document=doc, upload=SimpleUploadedFile("x.png", png_bytes)
    )
    assert [v.number for v in doc.versions.order_by("number")] == [1, 2]
    doc.refresh_from_db()
    assert doc.current.kind == "png"

    before = (Document.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as refused:
        services.document_upload(
            actor=cg1, owner_kind="unit", owner_id=unit.pk, upload=SimpleUploadedFile("假的.pdf", b"MZ\x90\x00 exe")
        )
    assert "只能上传" in str(refused.value)
    assert (Document.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.django_db
def test_a_document_is_scoped_like_its_owner(demo, township, login, pdf_bytes):
    unit = _unit(township)
    doc = services.document_upload(
        actor=demo.users["cg1"], owner_kind="unit", owner_id=unit.pk, upload=SimpleUploadedFile("a.pdf", pdf_bytes)
    )
    with pytest.raises(Http404):
        services.document_upload(
            actor=demo.users["dh1"], owner_kind="unit", owner_id=unit.pk, upload=SimpleUploadedFile("a.pdf", pdf_bytes)
        )
    for name in ("cg1", "inst", "bureau"):
        client = login(demo.users[name])
        assert client.get(reverse("archives:document", args=[doc.pk])).status_code == 200
        preview = client.get(reverse("archives:version_file", args=[doc.current.pk]))
        assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
        assert preview["Content-Disposition"].startswith("inline")
    assert login(demo.users["dh1"]).get(reverse("archives:document", args=[doc.pk])).status_code == 404


@pytest.mark.django_db
def test_the_documents_page_uploads_and_lists(demo, township, login, png_bytes, django_assert_max_num_queries):
    unit = _unit(township)
    client = login(demo.users["cg1"])
    url = reverse("archives:documents", args=["unit", unit.pk])
    answer = client.post(url, {"title": "现场照片", "file": SimpleUploadedFile("p.png", png_bytes)})
    assert answer.status_code == 302
    bad = client.post(url, {"title": "x", "file": SimpleUploadedFile("p.png", b"not an image at all")})
    assert bad.status_code == 422 and "只能上传" in bad.content.decode()
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert "现场照片" in page.content.decode()


# ---------------------------------------------------------------- documents from above


@pytest.mark.django_db
def test_bureau_issues_a_document_and_sees_who_has_not_read_it(demo, login):
    bureau, dh1, cg1 = demo.users["bureau"], demo.users["dh1"], demo.users["cg1"]
    doc = services.upper_document_issue(
        actor=bureau,
        title="关于开展夏季卫生监督协管工作的通知",
        targets=demo.townships,
        ack_due=timezone.localdate() + datetime.timedelta(days=7),
    )
    assert doc.receipts.count() >= 2
    assert any(item.record.document == doc for item in upper_due(dh1, timezone.now()))
    page = login(bureau).get(reverse("archives:upper_detail", args=[doc.pk])).content.decode()
    assert "河东镇" in page and "未阅" in page
    login(dh1).get(reverse("archives:upper_detail", args=[doc.pk]))
    receipt = UpperDocumentReceipt.objects.get(document=doc, institution=dh1.institution)
    assert receipt.read_at is not None and receipt.read_by == dh1
    client = login(dh1)
    client.post(reverse("archives:upper_acknowledge", args=[doc.pk]))
    receipt.refresh_from_db()
    assert receipt.acknowledged_at is not None
    assert not any(item.record.document == doc for item in upper_due(dh1, timezone.now()))
    # cg1's copy is cg1's; dh1 never sees it, nor can cg1 issue.
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied
        services.upper_document_issue(actor=cg1, title="越权", targets=[demo.townships[0]])
    assert login(demo.users["dh1"]).get(reverse("archives:upper_list")).status_code == 200


# ---------------------------------------------------------------- the closed year


@pytest.mark.django_db
def test_a_closed_year_refuses_edits_with_a_clear_message_and_nothing_changes(demo, township):
    cg1, bureau = demo.users["cg1"], demo.users["bureau"]
    day = datetime.date(LAST_YEAR, 6, 10)
    record = outreach_create(actor=cg1, area=township, date=day, place="集市", form="consultation", theme="控烟宣传")
    services.year_close(actor=bureau, year=LAST_YEAR)
    before = (Outreach.objects.get(pk=record.pk).theme, AuditEvent.objects.count())
    with pytest.raises(ValidationError) as refused:
        outreach_update(actor=cg1, record=record, theme="改过的主题")
    assert f"{LAST_YEAR}年度已归档关闭" in str(refused.value) and "只读" in str(refused.value)
    with pytest.raises(ValidationError):
        outreach_create(actor=cg1, area=township, date=day, place="集市", form="consultation", theme="补录")
    assert (Outreach.objects.get(pk=record.pk).theme, AuditEvent.objects.count()) == before

    closed = YearClose.objects.get(year=LAST_YEAR)
    with pytest.raises(ValidationError):
        services.year_close(actor=bureau, year=LAST_YEAR)
    with pytest.raises(ValidationError):
        services.year_reopen_grant(actor=bureau, closed=closed, until=timezone.localdate())
    services.year_reopen_request(actor=cg1, closed=closed, reason="补录一次宣传")
    services.year_reopen_grant(actor=bureau, closed=closed, until=timezone.localdate() + datetime.timedelta(days=3))
    outreach_update(actor=cg1, record=Outreach.objects.get(pk=record.pk), theme="改过的主题")
    assert Outreach.objects.get(pk=record.pk).theme == "改过的主题"
    assert {"year.close", "year.reopen_request", "year.reopen"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


@pytest.mark.django_db
def test_only_the_county_closes_a_year_and_not_the_running_one(demo):
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied
        services.year_close(actor=demo.users["cg1"], year=LAST_YEAR)
    with pytest.raises(ValidationError):
        services.year_close(actor=demo.users["bureau"], year=timezone.localdate().year)
    assert not YearClose.objects.exists()


# ---------------------------------------------------------------- the year package


def _records(demo, township, pdf_bytes):
    cg1 = demo.users["cg1"]
    day = datetime.date(LAST_YEAR, 5, 1)
    outreach_create(actor=cg1, area=township, date=day, place="集市", form="consultation", theme="城关宣传")
    village = next(
        v for v in demo.villages if v.path.startswith(township.path) and v.pk == demo.users["cun1"].institution.area_id
    )
    outreach_create(actor=cg1, area=village, date=day, place="村部", form="consultation", theme="李家村宣传")
    unit = _unit(township)
    services.document_upload(
        actor=cg1, owner_kind="unit", owner_id=unit.pk, upload=SimpleUploadedFile("a.pdf", pdf_bytes)
    )
    return village


@pytest.mark.django_db
def test_the_package_is_the_same_bytes_when_rebuilt(demo, township, pdf_bytes):
    _records(demo, township, pdf_bytes)
    services.year_close(actor=demo.users["bureau"], year=LAST_YEAR)
    first = build(services.package_start(actor=demo.users["cg1"], area=township, year=LAST_YEAR))
    second = build(services.package_start(actor=demo.users["cg1"], area=township, year=LAST_YEAR))
    assert first.status == second.status == "done"
    assert first.sha256 and first.sha256 == second.sha256
    data = first.file.open("rb").read()
    assert hashlib.sha256(data).hexdigest() == first.sha256
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names[0] == "00-目录.pdf"
    assert all(info.date_time == (LAST_YEAR, 12, 31, 0, 0, 0) for info in zipfile.ZipFile(io.BytesIO(data)).infolist())


@pytest.mark.django_db
def test_a_village_officers_package_holds_only_its_village(demo, township, pdf_bytes):
    village = _records(demo, township, pdf_bytes)
    cun1 = demo.users["cun1"]
    package = build(services.package_start(actor=cun1, area=village, year=LAST_YEAR))
    archive = zipfile.ZipFile(package.file.open("rb"))
    from xieguan.archives.package import collect

    labels = [e.label for s in collect(package) for e in s.entries]
    assert any("李家村宣传" in label for label in labels)
    assert all("城关宣传" not in label for label in labels)
    assert all("a.pdf" not in name for name in archive.namelist())  # the township's unit document
    text = b"".join(archive.read(n) for n in archive.namelist())
    assert "城关宣传".encode() not in text
    with pytest.raises(Http404):
        services.package_start(actor=cun1, area=township, year=LAST_YEAR)


@pytest.mark.django_db
def test_archive_pages_browse_year_township_section(demo, township, login, pdf_bytes):
    _records(demo, township, pdf_bytes)
    client = login(demo.users["cg1"])
    page = client.get(reverse("archives:year", args=[LAST_YEAR])).content.decode()
    assert "上级文件" in page and "宣传" in page
    assert login(demo.users["dh1"]).get(reverse("archives:year_area", args=[LAST_YEAR, township.pk])).status_code == 404
    bureau = login(demo.users["bureau"]).get(reverse("archives:year", args=[LAST_YEAR])).content.decode()
    assert township.name in bureau


@pytest.mark.django_db
def test_the_package_is_streamed_into_the_store_not_built_aside(demo, township, pdf_bytes, monkeypatch):
    """Issue 26 item 3: the zip goes into the store as it is written (the
    pipe to core.storage.save_stream), never whole in memory nor in a local
    temporary file then copied; a failure half-way leaves nothing stored."""
    import tempfile

    from xieguan.archives import package as package_module
    from xieguan.core import storage

    _records(demo, township, pdf_bytes)
    services.year_close(actor=demo.users["bureau"], year=LAST_YEAR)
    seen: list[Any] = []
    save_stream = storage.save_stream

    def spy(name: str, source: Any, **kwargs: Any) -> Any:
        seen.append(source)
        return save_stream(name, source, **kwargs)

    def no_temp(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the package is not built in a temporary file")

    monkeypatch.setattr(package_module, "save_stream", spy)
    monkeypatch.setattr(tempfile, "mkstemp", no_temp)
    monkeypatch.setattr(tempfile, "TemporaryFile", no_temp)
    built = build(services.package_start(actor=demo.users["cg1"], area=township, year=LAST_YEAR))
    assert built.status == "done" and len(seen) == 1 and hasattr(seen[0], "read")
    assert not isinstance(seen[0], (bytes, io.BytesIO))
    data = built.file.open("rb").read()
    assert len(data) == built.size and hashlib.sha256(data).hexdigest() == built.sha256

    def broken(package: Any, sections: Any, out: Any, **kwargs: Any) -> None:
        out.write(b"PK" * 100000)
        raise OSError("disk gone")

    monkeypatch.setattr(package_module, "write_zip", broken)
    before = set(storage.names_under("archives/packages"))
    failed = build(services.package_start(actor=demo.users["cg1"], area=township, year=LAST_YEAR))
    assert failed.status == "failed" and not failed.file
    assert set(storage.names_under("archives/packages")) == before


@pytest.mark.django_db
def test_long_lists_are_bound_in_volumes_so_no_pdf_lays_out_a_whole_county(demo, township, pdf_bytes, monkeypatch):
    """A county's table of contents in one PDF took WeasyPrint 1.7 GB: lists
    longer than VOLUME entries go into volumes, numbered on across them."""
    from xieguan.archives import package as package_module

    monkeypatch.setattr(package_module, "VOLUME", 1)
    _records(demo, township, pdf_bytes)
    made = build(services.package_start(actor=demo.users["cg1"], area=township, year=LAST_YEAR))
    sections = package_module.collect(made)
    entries = sum(len(s.entries) for s in sections)
    assert entries > 1
    volumes = package_module.toc_volumes(sections)
    assert len(volumes) == entries
    assert all(sum(len(s.entries) for s in v) <= 1 for v in volumes)
    listed = [e.number for v in volumes for s in v for e in s.entries]
    assert listed == list(range(1, entries + 1))  # numbered on, in the archive's order
    assert [s.number for v in volumes for s in v if not s.entries] == [s.number for s in sections if not s.entries]
    names = zipfile.ZipFile(made.file.open("rb")).namelist()
    assert [n for n in names if "/" not in n] == [f"00-目录-第{i:02d}册.pdf" for i in range(1, len(volumes) + 1)]
    for section in sections:
        registers = [n for n in names if n.startswith(f"{section.folder}/00-")]
        assert len(registers) == max(1, len(section.entries)), section.name
