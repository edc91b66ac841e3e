"""Issue 25 item 1: the page of every record documents are kept with (a
campaign, an inspection, a complaint, a training, an assessment, a unit)
shows its documents and, to those who keep documents in its area, the link
to add one; a neighbour's page is not theirs to open."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.route_world import build_world
from xieguan.archives import services
from xieguan.archives.owners import OWNER_KINDS

PAGES = {
    "unit": "units:detail",
    "campaign": "campaigns:detail",
    "inspection": "inspections:detail",
    "complaint": "complaints:detail",
    "training": "outreach:training_detail",
    "assessment": "assessments:detail",
}


def test_every_owner_kind_has_a_page_here():
    assert set(PAGES) == set(OWNER_KINDS)


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_the_records_page_shows_its_documents_and_the_link_to_add_one(db, login, pdf_bytes, kind):
    world = build_world()
    owner = world.records[kind]
    # A campaign and an assessment are the county's: the bureau keeps their documents.
    county_wide = kind in ("campaign", "assessment")
    keeper = world.demo.users["bureau" if county_wide else "cg1"]
    document = services.document_upload(
        actor=keeper,
        owner_kind=kind,
        owner_id=owner.pk,
        title=f"附件之{kind}",
        upload=SimpleUploadedFile("a.pdf", pdf_bytes),
    )
    url = reverse(PAGES[kind], args=[owner.pk])
    add = reverse("archives:documents", args=[kind, owner.pk])
    page = login(keeper).get(url).content.decode()
    section = page.split('id="file-documents"')[1].split("</section>")[0]
    assert document.title in section and reverse("archives:document", args=[document.pk]) in section
    assert f'href="{add}#upload-form"' in section
    # A village officer reads them but does not add them.
    officer = login(world.demo.users["cun1"]).get(url)
    if officer.status_code == 200:
        seen = officer.content.decode().split('id="file-documents"')[1].split("</section>")[0]
        assert document.title in seen and "#upload-form" not in seen
    # The neighbour's co-manager never gets a page of 城关镇's, nor adds to the county's.
    beside = login(world.demo.users["dh1"]).get(url)
    if county_wide:
        assert beside.status_code in (200, 404) and "#upload-form" not in beside.content.decode()
    else:
        assert beside.status_code == 404
