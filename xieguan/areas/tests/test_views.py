import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from xieguan.areas.models import Area
from xieguan.core.testing import assert_constant_queries

# Pages that show or change a record of the first township: (url name, expected
# status for the user inside, above, beside).
READ_PAGES = ["areas:detail"]
WRITE_PAGES = ["areas:edit", "areas:create", "areas:retire"]


@pytest.mark.parametrize("name", READ_PAGES)
def test_reading_a_township_inside_and_above(demo, login, name, inside_or_above):
    response = login(inside_or_above).get(reverse(name, args=[demo.townships[0].pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("name", WRITE_PAGES)
@pytest.mark.parametrize(("who", "status"), [("bureau", 200), ("cg1", 403), ("city", 403), ("dh1", 404)])
def test_changing_a_township_inside_above_and_beside(demo, login, name, who, status):
    target = demo.villages[1] if name == "areas:retire" else demo.townships[0]
    assert login(demo.users[who]).get(reverse(name, args=[target.pk])).status_code == status


@pytest.mark.parametrize("who", ["dh1", "cg1", "city"])
def test_denied_post_changes_nothing(demo, login, who):
    township = demo.townships[0]
    login(demo.users[who]).post(reverse("areas:edit", args=[township.pk]), {"name": "被改名", "code": ""})
    township.refresh_from_db()
    assert township.name == "城关镇" and township.code == "990101100000"


def test_bad_code_keeps_what_was_typed(demo, login, county_admin, township):
    response = login(county_admin).post(
        reverse("areas:create", args=[township.pk]), {"name": "新村", "code": "9901011002"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "12 位数字" in page and 'value="新村"' in page and 'value="9901011002"' in page
    assert not Area.objects.filter(name="新村").exists()


def test_comanager_home_lists_own_villages_not_the_neighbours(demo, login, comanager_in):
    page = login(comanager_in).get("/").content.decode()
    assert "李家村" in page and "王庄村" in page
    assert "河东村" not in page and "张湾村" not in page


def test_area_detail_query_count_does_not_grow(demo, login, county_admin):
    from xieguan.areas import services

    client = login(county_admin)
    url = reverse("areas:detail", args=[demo.county.pk])
    assert_constant_queries(
        lambda: client.get(url),
        lambda: [services.area_create(actor=county_admin, parent=demo.county, name=f"新镇{i}") for i in range(5)],
        exactly=13,
    )


def test_area_search_query_count_does_not_grow(demo, login, county_admin):
    from xieguan.areas import services

    client = login(county_admin)
    url = reverse("areas:list") + "?q=新"
    first = services.area_create(actor=county_admin, parent=demo.county, name="新镇")

    def grow():
        for i in range(3):
            town = services.area_create(actor=county_admin, parent=demo.county, name=f"新镇{i}")
            services.area_create(actor=county_admin, parent=town, name=f"新村{i}")
        services.area_create(actor=county_admin, parent=first, name="新村")

    # the session, its user, institution and area; the page of areas with
    # their parents; the roles; the session saved again (3, in a savepoint)
    assert_constant_queries(lambda: client.get(url), grow, exactly=9)
    assert client.get(url).content.decode().count("新村") == 4


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def test_import_page_with_a_messy_sheet(demo, login, county_admin):
    content = _xlsx(
        [
            ["示范县区划代码表（2026年）"],
            ["区划代码", "名称"],
            ["９９０１０１３０００００", " 新城镇 "],
            [990101300201, "新城村"],
        ]
    )
    upload = SimpleUploadedFile("areas.xlsx", content)
    response = login(county_admin).post(reverse("areas:import"), {"file": upload})
    assert response.status_code == 302
    assert Area.objects.get(code="990101300201").parent.name == "新城镇"


def test_import_page_lists_bad_rows_and_imports_nothing(demo, login, county_admin):
    upload = SimpleUploadedFile("areas.csv", "代码,名称\n990101300000,新城镇\n990101300,坏行\n".encode())
    response = login(county_admin).post(reverse("areas:import"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200 and "有 1 行有问题" in page and "12 位数字" in page
    assert not Area.objects.filter(code="990101300000").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.xlsx", b"PK\x03\x04 this is not really a zip", "已损坏"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "另存为 .xlsx"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100, "不是 Excel"),
        ("empty.csv", b"", "空"),
    ],
)
def test_bad_files_get_a_clear_message(demo, login, county_admin, name, content, message):
    response = login(county_admin).post(reverse("areas:import"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_huge_file_is_refused(demo, login, county_admin, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    upload = SimpleUploadedFile("big.csv", b"990101300000,x\n" * 200)
    response = login(county_admin).post(reverse("areas:import"), {"file": upload})
    assert "超过上限" in response.content.decode()
