"""Backups that restore (SPEC §12, issue 19 item 3): the demo county with
its stored files is backed up, wiped and restored, and comes back row for
row and byte for byte — on PostgreSQL through pg_dump/pg_restore, on SQLite
through its online backup API (the suite runs on both).

Transactional: pg_dump reads the database from its own session, so the rows
must be committed, not held in the test's open transaction."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from PIL import Image

from xieguan.core.backup import MANIFEST, row_counts, stored_files
from xieguan.demo.county import DEMO_PASSWORD
from xieguan.demo.seeds import restore_seeded_rows

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _jpeg(color: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def _demo_with_files() -> None:
    """The whole demo county (as `make run` loads it) plus one stored file of
    each kind a record keeps: inspection photo and signature, publicity
    photo, report photo, complaint photo."""
    from xieguan.complaints.tests.conftest import file_public
    from xieguan.core.photos import prepare_photo
    from xieguan.demo.complaints import load_complaints
    from xieguan.demo.county import load_county
    from xieguan.demo.inspections import load_inspections
    from xieguan.demo.monthly import load_monthly
    from xieguan.demo.outreach import load_outreach
    from xieguan.demo.reports import load_reports
    from xieguan.demo.units import load_units
    from xieguan.inspections.models import SignerRole
    from xieguan.inspections.services.evidence import inspection_photo_add, signature_add
    from xieguan.inspections.tests.factories import draft, plain_unit, png
    from xieguan.outreach.services import outreach_photo_add
    from xieguan.outreach.tests.factories import make_outreach
    from xieguan.reports.services import report_photo_add
    from xieguan.reports.tests.factories import make_report

    restore_seeded_rows()  # an earlier transactional test may have flushed what the migrations seed
    demo = load_county()  # what `manage.py load_demo` loads, in its order
    for load in (load_units, load_outreach, load_complaints, load_reports, load_inspections, load_monthly):
        load(demo)
    cg1, township = demo.users["cg1"], demo.townships[0]
    inspection = draft(cg1, plain_unit(township), inspectors=[cg1])
    inspection_photo_add(actor=cg1, inspection=inspection, upload=_jpeg("teal"))
    signature_add(actor=cg1, inspection=inspection, role=SignerRole.INSPECTOR, user=cg1, upload=png())
    outreach = make_outreach(area=township, by=cg1, date=timezone.localdate())
    outreach_photo_add(actor=cg1, outreach=outreach, upload=_jpeg("red"))
    report = make_report(area=township, by=cg1, found_at=timezone.now())
    report_photo_add(actor=cg1, report=report, upload=_jpeg("blue"))
    file_public(township, photos=[prepare_photo(_jpeg("olive"))])


def _wipe(media: Path) -> None:
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media)


def test_the_demo_county_backed_up_wiped_and_restored_comes_back_whole(media, tmp_path):
    _demo_with_files()
    before_rows, before_files = row_counts(), stored_files()
    assert len(before_files) >= 5 and before_rows["units_unit"] > 0 and before_rows["inspections_inspection"] > 0

    out = io.StringIO()
    call_command("backup", to=tmp_path / "backups", stdout=out)
    (archive,) = (tmp_path / "backups").iterdir()  # one finished archive, no partial folder left
    manifest = json.loads((archive / MANIFEST).read_text("utf-8"))
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["tables"] == before_rows
    assert manifest["files"] == before_files
    assert manifest["migration_heads"]["units"].startswith("00") and manifest["app"]["version"]

    _wipe(media)
    assert row_counts()["units_unit"] == 0 and not media.exists()

    call_command("restore", source=archive, stdout=io.StringIO())

    assert row_counts() == before_rows
    assert stored_files() == before_files
    # A backup of the restored installation has the first one's manifest.
    call_command("backup", to=tmp_path / "again", stdout=io.StringIO())
    (second,) = (tmp_path / "again").iterdir()
    again = json.loads((second / MANIFEST).read_text("utf-8"))
    for part in ("tables", "files", "migrations", "migration_heads"):
        assert again[part] == manifest[part], part
    call_command("check_media", stdout=(checked := io.StringIO()))  # raises (exit 1) when any file is missing
    assert "0 stored files missing" in checked.getvalue()
    assert get_user_model().objects.get(username="cg1").check_password(DEMO_PASSWORD)  # the demo logins work


def test_a_restore_refuses_a_changed_archive_and_a_database_with_people_changing_nothing(media, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from xieguan.demo.county import load_county

    restore_seeded_rows()
    load_county()
    default_storage.save("outreach/2026/12/a.jpg", ContentFile(b"first photo"))
    call_command("backup", to=tmp_path / "backups", stdout=io.StringIO())
    (archive,) = (tmp_path / "backups").iterdir()
    rows, files = row_counts(), stored_files()

    # The county has people and files: no overwrite unless asked for.
    with pytest.raises(CommandError, match=r"已有 \d+ 个账号.*--force"):
        call_command("restore", source=archive, stdout=io.StringIO())
    assert (row_counts(), stored_files()) == (rows, files)

    # One byte changed in a stored file of the archive: refused before anything is touched, even forced.
    get_user_model().objects.filter(username="cg2").delete()
    rows = row_counts()
    photo = archive / "media" / "outreach" / "2026" / "12" / "a.jpg"
    photo.write_bytes(b"First photo")
    with pytest.raises(CommandError, match=r"未通过校验，未做任何改动[\s\S]*outreach/2026/12/a\.jpg"):
        call_command("restore", source=archive, force=True, stdout=io.StringIO())
    photo.write_bytes(b"first photo")
    # A file the manifest does not list, or a database file that is not the one it names.
    (archive / "media" / "extra.txt").write_bytes(b"planted")
    with pytest.raises(CommandError, match="清单未列出的文件"):
        call_command("restore", source=archive, force=True, stdout=io.StringIO())
    (archive / "media" / "extra.txt").unlink()
    manifest = json.loads((archive / MANIFEST).read_text("utf-8"))
    manifest["database"]["sha256"] = "0" * 64
    (archive / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(CommandError, match=r"数据库文件 \S+ 与清单不符"):
        call_command("restore", source=archive, force=True, stdout=io.StringIO())
    # Another database's archive, or one from a release newer than this code.
    manifest["database"]["vendor"] = "mysql"
    (archive / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(CommandError, match="不能恢复到不同种类的数据库"):
        call_command("restore", source=archive, force=True, stdout=io.StringIO())
    manifest["database"]["vendor"] = connection.vendor
    manifest["migrations"].append("units.9999_from_the_future")
    (archive / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(CommandError, match=r"不认识的迁移（units\.9999_from_the_future）"):
        call_command("restore", source=archive, force=True, stdout=io.StringIO())
    assert (row_counts(), stored_files()) == (rows, files)
    assert get_user_model().objects.filter(username="cg1").exists()
