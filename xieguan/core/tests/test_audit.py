import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from xieguan.areas import services as area_services
from xieguan.core.models import AuditEvent


def test_a_write_records_who_what_and_before_after(demo, county_admin, township):
    area_services.area_update(actor=county_admin, area=township, name="城关街道", code=township.code)
    event = AuditEvent.objects.get(action="area.update", object_id=str(township.pk))
    assert event.actor == county_admin
    assert event.changes == {"name": ["城关镇", "城关街道"]}
    assert event.area_path == township.path


def test_audit_events_cannot_be_changed_or_deleted(demo, county_admin, township):
    area_services.area_update(actor=county_admin, area=township, name="城关街道", code=township.code)
    event = AuditEvent.objects.latest("id")
    event.note = "tampered"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).note == ""


def test_login_logout_and_failed_login_are_recorded_with_address(demo, demo_password):
    client = Client(REMOTE_ADDR="10.1.2.3")
    client.post(reverse("accounts:login"), {"username": "cg1", "password": "wrong-password"})
    client.post(reverse("accounts:login"), {"username": "cg1", "password": demo_password})
    client.post(reverse("accounts:logout"))
    actions = list(AuditEvent.objects.filter(actor_username="cg1").order_by("id").values_list("action", "ip"))
    assert actions == [
        ("session.login_failed", "10.1.2.3"),
        ("session.login", "10.1.2.3"),
        ("session.logout", "10.1.2.3"),
    ]


def test_audit_page_is_scoped_to_the_county(demo, login, county_admin, comanager_in, township):
    area_services.area_update(actor=county_admin, area=township, name="城关街道", code=township.code)
    AuditEvent.objects.create(
        action="update", actor_username="someone", object_repr="外县的记录", area_path="/elsewhere/"
    )
    page = login(county_admin).get(reverse("core:audit")).content.decode()
    assert "城关街道" in page
    assert "外县的记录" not in page


def test_comanager_may_not_read_the_audit_log(demo, login, comanager_in, outsider):
    assert login(comanager_in).get(reverse("core:audit")).status_code == 403
    assert login(outsider).get(reverse("core:audit")).status_code == 403


def test_audit_page_filters_and_pages(demo, login, county_admin, township):
    for i in range(60):
        area_services.area_update(actor=county_admin, area=township, name=f"城关{i}", code=township.code)
    client = login(county_admin)
    first = client.get(reverse("core:audit"), {"action": "area.update"})
    assert first.context["page"].has_next
    second = client.get(reverse("core:audit"), {"action": "area.update", "after": first.context["page"].next_cursor})
    ids = [e.pk for e in first.context["page"].items] + [e.pk for e in second.context["page"].items]
    assert len(ids) == len(set(ids)) == 60
    assert client.get(reverse("core:audit"), {"after": "forged"}).status_code == 200


def test_audit_page_query_count_does_not_grow(demo, login, county_admin, township):
    from xieguan.core.testing import assert_constant_queries

    client = login(county_admin)

    def grow():
        for i in range(10):
            area_services.area_update(actor=county_admin, area=township, name=f"城关{i}", code=township.code)

    assert_constant_queries(lambda: client.get(reverse("core:audit")), grow, exactly=9)


def test_audit_page_names_each_event_in_chinese_old_rows_too(demo, login, county_admin, township):
    area_services.area_update(actor=county_admin, area=township, name="城关街道", code=township.code)
    AuditEvent.objects.create(action="update", actor_username="bureau", object_repr="旧记录", area_path=township.path)
    page = login(county_admin).get(reverse("core:audit")).content.decode()
    assert "修改区划名称或代码" in page and "area.update" not in page.split('id="audit-rows"')[1]
    assert ">修改</span>" in page  # a row written before event codes
    assert '<optgroup label="区划">' in page and '<option value="area.update">' in page


def test_audit_page_filters_by_event_code_together_with_the_other_filters(demo, login, county_admin, township):
    other = demo.townships[1]
    area_services.area_update(actor=county_admin, area=township, name="城关街道", code=township.code)
    area_services.area_update(actor=county_admin, area=other, name="河东街道", code=other.code)
    area_services.area_create(actor=county_admin, parent=township, name="城关新村")
    client = login(county_admin)

    def shown(**query):
        return {e.object_repr for e in client.get(reverse("core:audit"), query).context["page"].items}

    assert shown(action="area.update") == {"城关街道", "河东街道"}
    assert shown(action="area.update", q="河东") == {"河东街道"}
    assert shown(action="area.create") == {"城关新村"}
    assert shown(action="area.create", q="河东") == set()
