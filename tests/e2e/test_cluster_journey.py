"""Issue 26's journey: two app servers over one PostgreSQL, Redis and
SeaweedFS (the ``cluster`` fixture, as ``make cluster`` runs them). cg1
records an inspection on /m/ through the server on 8117, with two photos
taken on the phone; the county supervisor opens the inspection page on the
server on 8118 and sees both photos, read from the shared bucket."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.cluster, pytest.mark.s3, pytest.mark.django_db(transaction=True)]


def test_a_photo_taken_on_m_through_one_server_shows_on_the_others_inspection_page(
    cluster, browser, tmp_path, request, settings
):
    from playwright.sync_api import expect

    from tests.e2e.conftest import DESKTOP, PHONE, SHOTS, Journey
    from tests.e2e.test_field_journey import _big_photo, _draw, _open_field
    from xieguan.demo.county import DEMO_PASSWORD, load_county
    from xieguan.demo.seeds import restore_seeded_rows
    from xieguan.inspections.models import Inspection, Photo
    from xieguan.inspections.services.checklists import checklist_for
    from xieguan.inspections.tests.factories import plain_unit

    restore_seeded_rows()
    demo = load_county()
    # The servers know Django's own hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    for name in ("cg1", "inst"):
        demo.users[name].set_password(DEMO_PASSWORD)
        demo.users[name].save(update_fields=["password"])
    unit = plain_unit(demo.townships[0], name="城关清泉浴室")
    items = list(checklist_for(unit).items.order_by("sort"))
    photos = [tmp_path / f"{name}.jpg" for name in ("front", "inside")]
    for path, colour in zip(photos, ("olive", "teal"), strict=True):
        _big_photo(path, colour)
    one, other = cluster.urls
    folder = SHOTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.rglob("*.png"):
        old.unlink()

    cg1 = Journey(browser, one, folder / "server-8117", PHONE)
    viewer = Journey(browser, other, folder / "server-8118", DESKTOP)
    for j in (cg1, viewer):
        j.folder.mkdir(parents=True, exist_ok=True)
    try:
        cg1.login("cg1", DEMO_PASSWORD)
        cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
        _open_field(cg1)
        page = cg1.page
        page.on("dialog", lambda dialog: dialog.accept())
        page.click("button[data-new=inspection]")
        page.wait_for_selector("#inspection:not([hidden])")
        record_id = page.evaluate("location.hash.split('/')[1]")
        page.fill("#inspection [data-unit-search]", "清泉")
        page.select_option("#inspection [name=unit_id]", str(unit.pk))
        expect(page.locator("#inspection [data-checklist] li")).to_have_count(len(items))
        page.select_option("#inspection [name=second_id]", str(demo.users["cg2"].pk))
        for item in items:
            page.check(f"#inspection input[name='ans-{item.pk}'][value=conforms]")
        page.select_option("#inspection [name=overall_result]", "conforming")
        page.set_input_files("#inspection [data-photos]", [str(p) for p in photos])
        expect(page.locator("#inspection [data-thumbs] img")).to_have_count(2)
        _draw(cg1, "#inspection [data-sign=me] canvas", 8)
        _draw(cg1, "#inspection [data-sign=second] canvas", 5)
        page.fill("#inspection [name=representative]", "赵老板")
        _draw(cg1, "#inspection [data-sign=rep] canvas", 3)
        page.wait_for_timeout(500)
        cg1.shot("m-on-8117-two-photos")
        page.click("#inspection button[type=submit]")
        page.wait_for_selector(f"#outbox li[data-id='{record_id}'][data-state=sent]", timeout=90000)
        cg1.shot("m-on-8117-sent")
        record = Inspection.objects.get(pk=record_id)
        kept = list(Photo.objects.filter(inspection=record))
        assert len(kept) == 2

        # The other server, another person (the county supervisor): the inspection page with both photos.
        viewer.login("inst", DEMO_PASSWORD)
        viewer.page.wait_for_url(lambda url: "/accounts/login/" not in url)
        viewer.goto(f"/inspections/{record_id}/")
        images = viewer.page.locator("img[src*='/inspections/photos/']")
        expect(images).to_have_count(2)
        for index in range(2):
            images.nth(index).scroll_into_view_if_needed()
            image = images.nth(index).element_handle()
            # A lazy image starts loading once scrolled to; under load it may still be on its way.
            # (Not wait_for_function: its predicate is eval'd in the page, which the CSP refuses.)
            image.evaluate(
                "(img) => img.complete || new Promise((done) => {"
                " img.addEventListener('load', done); img.addEventListener('error', done); })"
            )
            assert viewer.page.evaluate("(img) => img.naturalWidth > 0", image)  # loaded, not broken
        viewer.shot("inspection-page-on-8118-shows-the-photos")
    finally:
        cg1.close()
        viewer.close()
