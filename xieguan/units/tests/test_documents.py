"""The unit file as PDF, the filtered list as Excel, the lists of what
expires: scoped inside / above / beside, content checked against the data."""

import datetime
import io
import shutil
import subprocess

import openpyxl
import pytest
from django.http import QueryDict
from django.urls import reverse

from xieguan.core.testing import assert_constant_queries, assert_pdf_with_cjk_font
from xieguan.units import services
from xieguan.units.models import Category, CertificateKind, Unit
from xieguan.units.selectors import UnitFilters, units_filtered
from xieguan.units.tests.factories import credit_code, make_unit

TODAY = datetime.date.today()


@pytest.fixture
def unit(demo, comanager_in):
    unit = make_unit(comanager_in, demo.villages[1], credit_code=credit_code(1))
    services.licence_add(
        actor=comanager_in,
        unit=unit,
        kind="卫生许可证",
        number="示卫2024001",
        expires_on=TODAY + datetime.timedelta(days=10),
    )
    services.certificate_add(
        actor=comanager_in,
        unit=unit,
        person_name="李秀英",
        kind=CertificateKind.HEALTH,
        number="JK123456",
        expires_on=TODAY - datetime.timedelta(days=3),
    )
    services.unit_update(actor=comanager_in, unit=unit, name="红星大酒店")
    return unit


def _xlsx_rows(response):
    body = b"".join(response.streaming_content)
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    return rows[1], rows[2:]  # row 0 is the merged title


# The PDF of the unit file -------------------------------------------------


def test_unit_file_pdf_inside_and_above(login, unit, inside_or_above):
    response = login(inside_or_above).get(reverse("units:pdf", args=[unit.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert_pdf_with_cjk_font(response.content)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (make system-deps) reads the PDF's text")
def test_unit_file_pdf_shows_base_data_licences_certificates_gaps_and_history(demo, login, comanager_in, unit):
    services.unit_update(actor=comanager_in, unit=unit, phone="")
    response = login(comanager_in).get(reverse("units:pdf", args=[unit.pk]))
    pdftotext = shutil.which("pdftotext") or "pdftotext"
    text = subprocess.run([pdftotext, "-", "-"], input=response.content, capture_output=True, check=True).stdout  # noqa: S603
    text = "".join(text.decode().split())  # the title is letter-spaced
    for expected in [
        "监督对象档案",  # the title
        "红星大酒店",
        unit.credit_code,
        "餐位数",  # a category field
        "示卫2024001",
        "李秀英",
        "已过期",  # the certificate
        "建档尚缺",  # what the file lacks: the phone
        "联系电话",
        "红星酒店",  # the history: before → after of the name
        comanager_in.full_name,  # by whom, by name
        "建档完整：—→是",  # a flag as 是/否, never True (issue 20 item 4)
    ]:
        assert expected in text, expected


def test_unit_page_has_a_print_button(demo, login, comanager_in, unit):
    page = login(comanager_in).get(reverse("units:detail", args=[unit.pk])).content.decode()
    assert reverse("units:pdf", args=[unit.pk]) in page and "打印" in page


# The Excel export ---------------------------------------------------------


@pytest.fixture
def registry(demo, comanager_in, outsider, unit):
    """Units of both townships: a suspended one, a key unit, one without a
    phone, and one in 河东镇 (the neighbour's)."""
    make_unit(comanager_in, demo.villages[1], name="停业店", status="suspended", phone="13912345678")
    make_unit(comanager_in, demo.villages[0], name="重点店", is_key_unit=True)
    make_unit(comanager_in, demo.townships[0], name="没电话", phone="")
    make_unit(outsider, demo.villages[3], name="河东饭店")
    return unit


@pytest.mark.parametrize(("who", "count"), [("cg1", 4), ("inst", 5), ("bureau", 5), ("dh1", 1)])
def test_export_holds_exactly_the_users_list(demo, login, registry, who, count):
    user = demo.users[who]
    _headers, rows = _xlsx_rows(login(user).get(reverse("units:export")))
    names = [r[0] for r in rows]
    expected = list(units_filtered(user, UnitFilters()).order_by("name", "id").values_list("name", flat=True))
    assert names == expected and len(names) == count
    if who == "dh1":
        assert names == ["河东饭店"]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"status": "suspended"}, ["停业店"]),
        ({"key_unit": "yes"}, ["重点店"]),
        ({"incomplete": "on"}, ["没电话"]),
        ({"expiring": "on"}, ["红星大酒店"]),
        ({"q": "hxdjd"}, ["红星大酒店"]),
    ],
)
def test_export_of_a_filter_holds_exactly_the_filtered_units(demo, login, comanager_in, registry, query, names):
    _headers, rows = _xlsx_rows(login(comanager_in).get(reverse("units:export"), query))
    assert [r[0] for r in rows] == names


def test_export_columns_category_fields_and_masked_phone(demo, login, comanager_in, registry):
    response = login(comanager_in).get(reverse("units:export"), {"category": Category.objects.get(code="food").pk})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in response["Content-Disposition"]
    headers, rows = _xlsx_rows(response)
    assert headers[:3] == ["名称", "统一社会信用代码", "类别"]
    assert "餐位数" in headers and "食品经营许可证号" in headers
    row = next(r for r in rows if r[0] == "红星大酒店")
    assert row[1] == registry.credit_code
    assert row[headers.index("餐位数")] == 80
    assert row[headers.index("联系电话")] == "138****1111"
    assert row[headers.index("村（社区）")] == "李家村"
    assert row[headers.index("档案")] == "建档完整"
    # Not a single whole phone number leaves in the file.
    assert not any("13800001111" in str(v) for r in rows for v in r)


def test_export_without_category_puts_fields_in_one_column(demo, login, comanager_in, registry):
    headers, rows = _xlsx_rows(login(comanager_in).get(reverse("units:export"), {"q": "红星"}))
    assert rows[0][headers.index("类别字段")] == "餐位数：80；食品经营许可证号：JY13599010000001"


def test_export_sorted_by_recent_change(demo, login, comanager_in, registry):
    services.unit_update(actor=comanager_in, unit=Unit.objects.get(name="停业店"), address="新址 1 号")
    _headers, rows = _xlsx_rows(login(comanager_in).get(reverse("units:export"), {"sort": "recent"}))
    assert rows[0][0] == "停业店"


def test_export_queries_do_not_grow_with_rows(demo, login, county_admin, comanager_in, registry):
    client = login(county_admin)

    def fetch():
        b"".join(client.get(reverse("units:export")).streaming_content)

    assert_constant_queries(
        fetch, lambda: [make_unit(comanager_in, demo.villages[1], name=f"店{i}") for i in range(5)], exactly=11
    )


def test_list_page_export_button_carries_the_filters(demo, login, comanager_in, registry):
    page = login(comanager_in).get(reverse("units:list"), {"status": "suspended", "q": "店"}).content.decode()
    href = page.split('id="export-link" href="')[1].split('"')[0].replace("&amp;", "&")
    assert href.startswith(reverse("units:export") + "?")
    assert QueryDict(href.split("?", 1)[1]) == QueryDict("status=suspended&q=%E5%BA%97")
    _headers, rows = _xlsx_rows(login(comanager_in).get(href))
    assert [r[0] for r in rows] == ["停业店"]


# The list: sorting and the expired filter --------------------------------


def test_list_sorts_by_recent_change(demo, login, comanager_in, registry):
    services.unit_update(actor=comanager_in, unit=Unit.objects.get(name="重点店"), address="新址 2 号")
    page = login(comanager_in).get(reverse("units:list"), {"sort": "recent"}).content.decode()
    rows = page.split("<tbody>")[1]
    assert rows.index("重点店") < rows.index("没电话") < rows.index("停业店") < rows.index("红星大酒店")


def test_list_filters_units_with_an_expired_licence(demo, login, comanager_in, registry):
    other = Unit.objects.get(name="停业店")
    services.licence_add(
        actor=comanager_in, unit=other, kind="卫生许可证", number="旧", expires_on=TODAY - datetime.timedelta(days=1)
    )
    page = login(comanager_in).get(reverse("units:list"), {"expired": "on"}).content.decode()
    assert "停业店" in page and "红星大酒店" not in page


# What expires -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "state", "shown"),
    [
        ("units:licence_expiry", "expiring", "示卫2024001"),
        ("units:licence_expiry", "expired", None),
        ("units:certificate_expiry", "expired", "李秀英"),
        ("units:certificate_expiry", "expiring", None),
    ],
)
@pytest.mark.parametrize("who", ["cg1", "inst", "bureau", "dh1"])
def test_expiry_lists_inside_above_and_beside(demo, login, unit, name, state, shown, who):
    response = login(demo.users[who]).get(reverse(name), {"state": state})
    assert response.status_code == 200
    page = response.content.decode()
    if shown and who != "dh1":
        assert shown in page and "红星大酒店" in page
    else:
        assert "红星大酒店" not in page


def test_expiry_list_query_count_does_not_grow(demo, login, county_admin, comanager_in, unit):
    client = login(county_admin)

    def grow():
        for i in range(4):
            services.licence_add(
                actor=comanager_in,
                unit=unit,
                kind="卫生许可证",
                number=f"N{i}",
                expires_on=TODAY + datetime.timedelta(days=i),
            )

    assert_constant_queries(lambda: client.get(reverse("units:licence_expiry")), grow, exactly=9)


def test_area_filter_offers_counties_when_villages_are_too_many(demo, login, comanager_in, outsider, monkeypatch):
    """A province has 10,000 villages: its drop-down lists prefectures and
    counties instead, and any area in scope still filters."""
    from xieguan.units import forms

    make_unit(comanager_in, demo.villages[1], name="城关店")
    make_unit(outsider, demo.villages[3], name="河东店")
    monkeypatch.setattr(forms, "FILTER_CHOICES_MAX", 5)
    client = login(demo.users["bureau"])
    page = client.get(reverse("units:list")).content.decode()
    options = page.split('name="area"')[1].split("</select>")[0]
    assert demo.county.name in options and "城关镇" not in options
    by_county = client.get(reverse("units:list"), {"area": demo.county.pk}).content.decode()
    assert "城关店" in by_county and "河东店" in by_county
    by_township = client.get(reverse("units:list"), {"area": demo.townships[1].pk}).content.decode()
    assert "河东店" in by_township and "城关店" not in by_township
