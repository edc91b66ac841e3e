"""Issue 17 finding 7: a licence's issue date and a unit's closing date are
work done (2000 … today); expiry dates may lie ahead, but not past thirty
years; a unit may have opened before 2000 but not tomorrow. The same rule on
the page, the API and the import; nothing saved when refused."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xieguan.units import batches, services
from xieguan.units.models import Category, ImportStatus, Licence, StaffCertificate, Unit
from xieguan.units.tests.factories import credit_code, make_unit
from xieguan.units.tests.test_imports import HEADERS, food_row, sheet_bytes, upload

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def unit(demo, comanager_in):
    return make_unit(comanager_in, demo.villages[1], credit_code=credit_code(1))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("issued_on", "1999-12-31", "日期不能早于2000年1月1日"),
        ("issued_on", TOMORROW.isoformat(), "日期不能晚于今天"),
        ("expires_on", "2099-12-31", "日期不能晚于"),
    ],
)
def test_licence_dates_are_bounded_on_the_api_and_the_page(
    demo, login, api_token, comanager_in, unit, field, value, message
):
    data = {"kind": "卫生许可证", "number": "示卫2026001", "issuer": "示范县卫生健康局", field: value}
    api = Client().post(
        f"/api/units/{unit.pk}/licences", data, content_type="application/json", **api_token(comanager_in)
    )
    assert api.status_code == 422 and message in api.json()["fields"][field][0]
    page = login(comanager_in).post(reverse("units:licence_add", args=[unit.pk]), {**data, "scope": ""})
    assert page.status_code == 200 and message in page.content.decode()
    assert not Licence.objects.exists()


def test_a_licence_may_expire_years_ahead(demo, comanager_in, unit):
    ahead = timezone.localdate().replace(year=timezone.localdate().year + 10)
    assert services.licence_add(actor=comanager_in, unit=unit, kind="卫生许可证", number="1", expires_on=ahead).pk


def test_a_certificate_expiring_in_2099_is_refused(demo, api_token, comanager_in, unit):
    data = {"person_name": "王秀英", "kind": "health_certificate", "number": "JK1", "expires_on": "2099-12-31"}
    api = Client().post(
        f"/api/units/{unit.pk}/certificates", data, content_type="application/json", **api_token(comanager_in)
    )
    assert api.status_code == 422 and "日期不能晚于" in api.json()["fields"]["expires_on"][0]
    assert not StaffCertificate.objects.exists()


def test_a_unit_may_have_opened_before_2000_but_not_tomorrow(demo, comanager_in):
    old = make_unit(comanager_in, demo.villages[1], name="老字号", opened_on=datetime.date(1985, 3, 1))
    assert old.opened_on == datetime.date(1985, 3, 1)
    with pytest.raises(ValidationError) as caught:
        make_unit(comanager_in, demo.villages[1], name="明天开业", opened_on=TOMORROW)
    assert "日期不能晚于今天" in caught.value.message_dict["opened_on"][0]
    assert not Unit.objects.filter(name="明天开业").exists()


def test_the_import_refuses_a_unit_opening_tomorrow(demo, comanager_in):
    food = Category.objects.get(code="food")
    content = sheet_bytes([HEADERS, food_row("明天饭店", 开业日期=TOMORROW.isoformat())])
    batch = batches.import_batch_create(actor=comanager_in, category=food, upload=upload(content))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert any("日期不能晚于今天" in e["reason"] for e in batch.errors)
    assert not Unit.objects.filter(name="明天饭店").exists()
