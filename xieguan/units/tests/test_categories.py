"""A county's own subtypes and category fields (issue 20 item 10): the
services, the 分类与字段 page, the API; and that the unit form, the unit
file, the import, the completeness check (建档完整) and the unit API read the
fields in force in the unit's county, never another county's. Users inside
(bureau, inst; cg1 reads), above (city) and beside (dh1, and the bureau of a
neighbouring county)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from xieguan.accounts.models import Institution, Role, RoleCode, User
from xieguan.areas.models import Area, Level
from xieguan.core.models import AuditEvent
from xieguan.core.tabular import read_rows
from xieguan.core.testing import assert_constant_queries
from xieguan.units import batches, categories, imports, services
from xieguan.units.models import Category, CategoryField, ImportStatus, Subtype, Unit
from xieguan.units.selectors import fields_in_force, filing_rate_by_township, missing_fields, subtypes_in_force
from xieguan.units.tests.factories import FOOD_EXTRA, credit_code, make_unit

SETTINGS = reverse("units:categories")


@pytest.fixture
def food(db):
    return Category.objects.get(code="food")


@pytest.fixture
def neighbour(demo):
    """The bureau (county leader) of another county under the same prefecture,
    with one township."""
    county = Area.objects.create(name="邻县", code="990200000000", level=Level.COUNTY, parent=demo.prefecture)
    Area.objects.create(name="邻镇", code="990200100000", level=Level.TOWNSHIP, parent=county)
    bureau = Institution.objects.create(name="邻县卫生健康局", type="bureau", area=county)
    user = User.objects.create(username="linxian", full_name="邻县局长", institution=bureau)
    user.roles.set(Role.objects.filter(code=RoleCode.COUNTY_LEADER))
    return user


def neighbour_township(neighbour):
    return Area.objects.get(name="邻镇")


@pytest.fixture
def tables(demo, county_admin, food):
    """The demo county's own subtype 夜市摊点 and required field 许可证有效期至
    (a date) for food; the neighbour county has neither."""
    subtype, _ = categories.subtype_add(actor=county_admin, county=demo.county, category=food, name="夜市摊点")
    field, _ = categories.category_field_add(
        actor=county_admin, county=demo.county, category=food, label="许可证有效期至", kind="date", required=True
    )
    return subtype, field


def _counts() -> tuple[int, int, int]:
    return Subtype.objects.count(), CategoryField.objects.count(), AuditEvent.objects.count()


# ---- services ----------------------------------------------------------------------


def test_a_county_subtype_is_audited_and_offered_to_its_units_only(demo, county_admin, food, neighbour):
    subtype, created = categories.subtype_add(actor=county_admin, county=demo.county, category=food, name="夜市摊点")
    assert created and subtype.county == demo.county and subtype.is_active
    event = AuditEvent.objects.get(action="subtype.add")
    assert event.area_path == demo.county.path and event.changes["name"] == [None, "夜市摊点"]
    assert "夜市摊点" in [s.name for s in subtypes_in_force(food, demo.county.pk)]
    assert "夜市摊点" not in [s.name for s in subtypes_in_force(food, neighbour.institution.area_id)]
    assert "夜市摊点" not in [s.name for s in subtypes_in_force(food, None)]
    # After the national ones.
    assert [s.name for s in subtypes_in_force(food, demo.county.pk)][-1] == "夜市摊点"


def test_the_same_subtype_again_is_a_retry_and_a_taken_name_is_refused(demo, county_admin, food, tables):
    subtype, _field = tables
    before = _counts()
    again, created = categories.subtype_add(actor=county_admin, county=demo.county, category=food, name="夜市摊点")
    assert (again, created) == (subtype, False)
    for name, message in [("餐饮服务单位", "全国统一"), ("夜市 摊点", "本县已有小类"), ("", "名称")]:
        with pytest.raises(ValidationError) as caught:
            categories.subtype_add(actor=county_admin, county=demo.county, category=food, name=name)
        assert message in str(caught.value), name
    assert _counts() == before


@pytest.mark.parametrize(
    ("who", "error"), [("cg1", PermissionDenied), ("dh1", PermissionDenied), ("city", PermissionDenied)]
)
def test_who_may_not_configure_the_county_changes_nothing(demo, food, who, error):
    before = _counts()
    with pytest.raises(error):
        categories.subtype_add(actor=demo.users[who], county=demo.county, category=food, name="越权细类")
    with pytest.raises(error):
        categories.category_field_add(actor=demo.users[who], county=demo.county, category=food, label="越权字段")
    assert _counts() == before


def test_another_county_neither_changes_nor_switches_off_ours(demo, food, tables, neighbour):
    subtype, field = tables
    before = _counts()
    with pytest.raises(Http404):
        categories.subtype_add(actor=neighbour, county=demo.county, category=food, name="越界细类")
    with pytest.raises(Http404):
        categories.subtype_deactivate(actor=neighbour, subtype=subtype)
    with pytest.raises(Http404):
        categories.category_field_deactivate(actor=neighbour, field=field)
    assert _counts() == before
    subtype.refresh_from_db()
    field.refresh_from_db()
    assert subtype.is_active and field.is_active


def test_the_national_subtypes_and_fields_stay_in_use(demo, county_admin, food):
    national = food.subtypes.get(name="餐饮服务单位", county=None)
    seats = food.fields.get(key="seats", county=None)
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        categories.subtype_deactivate(actor=county_admin, subtype=national)
    assert "全国统一" in str(caught.value)
    with pytest.raises(ValidationError):
        categories.category_field_deactivate(actor=county_admin, field=seats)
    assert _counts() == before
    national.refresh_from_db()
    assert national.is_active


def test_a_field_gets_a_pinyin_key_and_its_label_must_be_free(demo, county_admin, food):
    field, created = categories.category_field_add(
        actor=county_admin, county=demo.county, category=food, label="包间数", kind="int"
    )
    assert created and field.key == "bao_jian_shu" and field.county == demo.county
    again, created = categories.category_field_add(
        actor=county_admin, county=demo.county, category=food, label="包间数", kind="int"
    )
    assert (again, created) == (field, False)
    before = _counts()
    cases = [
        ({"label": "包间数", "kind": "text"}, "label", "不同"),
        ({"label": "餐位数"}, "label", "全国统一"),
        ({"label": "地址"}, "label", "已有"),
        ({"label": "联系电话"}, "label", "已有"),
        ({"label": "供应方式", "kind": "choice", "choices": ["堂食"]}, "choices", "至少"),
        ({"label": "面积", "kind": "int", "choices": ["大", "小"]}, "choices", "选项"),
        ({"label": "面积", "kind": "colour"}, "kind", "种类"),
        ({"label": "面积", "key": "Bad Key"}, "key", "小写字母"),
    ]
    for data, where, words in cases:
        with pytest.raises(ValidationError) as caught:
            categories.category_field_add(actor=county_admin, county=demo.county, category=food, **data)
        assert where in caught.value.message_dict and words in " ".join(caught.value.message_dict[where]), data
    assert _counts() == before


def test_a_required_county_field_counts_for_the_file_in_that_county_only(
    demo, comanager_in, county_admin, food, neighbour
):
    ours = make_unit(comanager_in, demo.villages[1], credit_code=credit_code(1))
    theirs = make_unit(demo.users["admin"], neighbour_township(neighbour), name="邻县饭店")
    assert ours.is_complete and theirs.is_complete
    rates = {r.township.name: r for r in filing_rate_by_township(county_admin)}
    assert rates["城关镇"].complete == 1

    field, _ = categories.category_field_add(
        actor=county_admin, county=demo.county, category=food, label="许可证有效期至", kind="date", required=True
    )
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert not ours.is_complete and theirs.is_complete
    assert missing_fields(ours) == [(f"extra.{field.key}", "许可证有效期至")]
    assert missing_fields(theirs) == []
    rates = {r.township.name: r for r in filing_rate_by_township(county_admin)}
    assert (rates["城关镇"].units, rates["城关镇"].complete) == (1, 0)
    assert "1" in AuditEvent.objects.get(action="category_field.add").note

    services.unit_update(actor=comanager_in, unit=ours, extra={**FOOD_EXTRA, field.key: "2027-06-30"})
    ours.refresh_from_db()
    assert ours.is_complete and ours.extra[field.key] == "2027-06-30"
    # Its kind is checked like the national fields'; another county's unit has no such field.
    with pytest.raises(ValidationError) as caught:
        services.unit_update(actor=comanager_in, unit=ours, extra={**FOOD_EXTRA, field.key: "明年"})
    assert f"extra.{field.key}" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.unit_update(actor=demo.users["admin"], unit=theirs, extra={**FOOD_EXTRA, field.key: "2027-06-30"})
    assert f"extra.{field.key}" in caught.value.message_dict


def test_a_field_switched_off_keeps_the_values_and_no_longer_counts(demo, comanager_in, county_admin, food, tables):
    _subtype, field = tables
    unit = make_unit(comanager_in, demo.villages[1], extra={**FOOD_EXTRA, field.key: "2027-06-30"})
    second = make_unit(comanager_in, demo.villages[2], name="第二饭店", address="王庄村 1 号")
    assert unit.is_complete and not second.is_complete

    field = categories.category_field_deactivate(actor=county_admin, field=field)
    assert not field.is_active and CategoryField.objects.filter(pk=field.pk).exists()  # not deleted
    event = AuditEvent.objects.get(action="category_field.deactivate")
    assert event.changes["is_active"] == [True, False] and event.area_path == demo.county.path
    second.refresh_from_db()
    assert second.is_complete  # no longer missing a field the county dropped
    assert field not in fields_in_force(food, demo.county.pk)

    # The form sends only the fields in force; the value filled in stays.
    services.unit_update(actor=comanager_in, unit=unit, extra={"seats": 90, "food_licence_no": "JY9"})
    unit.refresh_from_db()
    assert unit.extra == {"seats": 90, "food_licence_no": "JY9", field.key: "2027-06-30"}
    # A new unit cannot be given a value for it.
    with pytest.raises(ValidationError):
        make_unit(comanager_in, demo.villages[0], name="新饭店", extra={**FOOD_EXTRA, field.key: "2027-06-30"})

    categories.category_field_reactivate(actor=county_admin, field=field)
    second.refresh_from_db()
    assert not second.is_complete and missing_fields(unit) == []


def test_a_subtype_of_another_county_or_switched_off_is_not_given(demo, comanager_in, county_admin, food, neighbour):
    theirs, _ = categories.subtype_add(
        actor=neighbour, county=neighbour.institution.area, category=food, name="邻县细类"
    )
    with pytest.raises(ValidationError) as caught:
        make_unit(comanager_in, demo.villages[1], subtype=theirs)
    assert "本县不使用" in caught.value.message_dict["subtype"][0]

    ours, _ = categories.subtype_add(actor=county_admin, county=demo.county, category=food, name="夜市摊点")
    unit = make_unit(comanager_in, demo.villages[1], subtype=ours)
    categories.subtype_deactivate(actor=county_admin, subtype=ours)
    # The unit keeps it through an edit; no other unit is given it.
    services.unit_update(actor=comanager_in, unit=unit, name="夜市一号摊")
    unit.refresh_from_db()
    assert unit.subtype == ours and unit.name == "夜市一号摊"
    with pytest.raises(ValidationError) as caught:
        make_unit(comanager_in, demo.villages[2], name="夜市二号摊", subtype=ours)
    assert "不再使用" in caught.value.message_dict["subtype"][0]
    categories.subtype_reactivate(actor=county_admin, subtype=ours)
    assert make_unit(comanager_in, demo.villages[2], name="夜市二号摊", subtype=ours).subtype == ours


# ---- the 分类与字段 page ------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "manages"), [("bureau", True), ("inst", True), ("admin", True), ("cg1", False), ("dh1", False)]
)
def test_the_page_shows_the_county_and_its_forms_only_to_who_may_change_it(demo, login, tables, who, manages):
    response = login(demo.users[who]).get(SETTINGS)
    assert response.status_code == 200
    text = response.content.decode()
    assert "夜市摊点" in text and "许可证有效期至" in text and "餐饮服务单位" in text
    assert (reverse("units:field_create", args=["food"]) in text) is manages
    assert ('id="read-only"' in text) is not manages


def test_above_reads_the_page_of_a_county_and_beside_gets_404(demo, login, tables, neighbour):
    city = login(demo.users["city"]).get(f"{SETTINGS}?county={demo.county.pk}")
    assert city.status_code == 200 and "夜市摊点" in city.content.decode() and 'id="read-only"' in city.content.decode()
    client = login(neighbour)
    assert client.get(f"{SETTINGS}?county={demo.county.pk}").status_code == 404
    own = client.get(SETTINGS)
    assert own.status_code == 200 and "邻县" in own.content.decode() and "夜市摊点" not in own.content.decode()
    subtype, field = tables
    for url in (
        reverse("units:subtype_active", args=[subtype.pk]),
        reverse("units:field_active", args=[field.pk]),
        f"{reverse('units:subtype_create', args=['food'])}?county={demo.county.pk}",
    ):
        assert client.post(url, {"active": "0", "name": "越界"}).status_code == 404, url
    subtype.refresh_from_db()
    field.refresh_from_db()
    assert subtype.is_active and field.is_active and not Subtype.objects.filter(name="越界").exists()


def test_the_page_costs_the_same_however_many_rows_the_county_adds(demo, login, county_admin, food):
    client = login(county_admin)
    n = iter(range(100))

    def grow() -> None:
        for _ in range(3):
            i = next(n)
            categories.subtype_add(actor=county_admin, county=demo.county, category=food, name=f"细类{i}")
            categories.category_field_add(actor=county_admin, county=demo.county, category=food, label=f"字段{i}")

    assert_constant_queries(lambda: client.get(SETTINGS), grow, exactly=12)


def test_adding_a_choice_field_through_the_page(demo, login, county_admin, food):
    url = f"{reverse('units:field_create', args=['food'])}?county={demo.county.pk}"
    client = login(county_admin)
    assert client.get(url).status_code == 200
    bad = client.post(url, {"label": "供应方式", "kind": "choice", "choices": "堂食", "required": "on"})
    assert bad.status_code == 200 and "至少" in bad.content.decode() and 'value="供应方式"' in bad.content.decode()
    assert not CategoryField.objects.filter(label="供应方式").exists()
    response = client.post(
        url, {"label": "供应方式", "kind": "choice", "choices": "堂食\n外卖、自助", "required": "on"}
    )
    assert response.status_code == 302 and response["Location"] == f"{SETTINGS}?county={demo.county.pk}"
    field = CategoryField.objects.get(label="供应方式")
    assert (field.county, field.choices, field.required, field.kind) == (
        demo.county,
        ["堂食", "外卖", "自助"],
        True,
        "choice",
    )
    assert "已添加" in client.get(response["Location"]).content.decode()


def test_adding_a_subtype_and_switching_it_off_through_the_page(demo, login, county_admin, food):
    client = login(county_admin)
    url = f"{reverse('units:subtype_create', args=['food'])}?county={demo.county.pk}"
    assert client.post(url, {"name": "夜市摊点"}).status_code == 302
    subtype = Subtype.objects.get(name="夜市摊点")
    response = client.post(reverse("units:subtype_active", args=[subtype.pk]), {"active": "0"})
    assert response.status_code == 302
    subtype.refresh_from_db()
    assert not subtype.is_active
    page = client.get(response["Location"]).content.decode()
    assert "已停用" in page and "重新启用" in page


@pytest.mark.parametrize("who", ["cg1", "dh1", "city"])
def test_who_may_only_read_cannot_add_or_switch_off(demo, login, tables, who):
    _subtype, field = tables
    client = login(demo.users[who])
    before = _counts()
    url = f"{reverse('units:subtype_create', args=['food'])}?county={demo.county.pk}"
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, {"name": "越权"}).status_code in (403, 404)
    assert client.post(reverse("units:field_active", args=[field.pk]), {"active": "0"}).status_code in (403, 404)
    assert _counts() == before
    field.refresh_from_db()
    assert field.is_active


# ---- the unit form, the unit file ---------------------------------------------------


def test_the_unit_form_shows_a_county_field_only_for_that_county(demo, login, comanager_in, tables, neighbour):
    _subtype, field = tables
    create = f"{reverse('units:create')}?category=food"
    ours = login(comanager_in).get(create).content.decode()
    assert "许可证有效期至" in ours and f'name="extra.{field.key}"' in ours and "夜市摊点" in ours
    theirs = login(neighbour).get(create).content.decode()
    assert "餐位数" in theirs and "许可证有效期至" not in theirs and "夜市摊点" not in theirs

    unit = make_unit(comanager_in, demo.villages[1])
    edit = login(comanager_in).get(reverse("units:edit", args=[unit.pk])).content.decode()
    assert f'name="extra.{field.key}"' in edit
    other = make_unit(demo.users["admin"], neighbour_township(neighbour), name="邻县饭店")
    edit = login(neighbour).get(reverse("units:edit", args=[other.pk])).content.decode()
    assert f'name="extra.{field.key}"' not in edit


def test_the_unit_form_saves_the_county_field_and_the_file_shows_it(demo, login, comanager_in, tables):
    subtype, field = tables
    client = login(comanager_in)
    data = {
        "name": "夜市一号摊",
        "area": str(demo.villages[1].pk),
        "subtype": str(subtype.pk),
        "address": "李家村夜市 1 号",
        "legal_representative": "张三",
        "phone": "13800001111",
        "status": "open",
        "extra.seats": "8",
        "extra.food_licence_no": "JY8",
    }
    response = client.post(f"{reverse('units:create')}?category=food", data)
    assert response.status_code == 302
    unit = Unit.objects.get(name="夜市一号摊")
    assert unit.subtype == subtype and not unit.is_complete
    page = client.get(response["Location"]).content.decode()
    assert "许可证有效期至" in page and "建档尚缺" in page

    response = client.post(reverse("units:edit", args=[unit.pk]), {**data, f"extra.{field.key}": "2027-06-30"})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.is_complete and unit.extra[field.key] == "2027-06-30"
    assert "2027-06-30" in client.get(reverse("units:detail", args=[unit.pk])).content.decode()
    history = AuditEvent.objects.filter(action="unit.update").latest("at").changes
    assert history[f"extra.{field.key}"] == [None, "2027-06-30"]


def test_the_file_marks_a_switched_off_field_where_the_unit_has_a_value(
    demo, login, comanager_in, county_admin, tables
):
    _subtype, field = tables
    unit = make_unit(comanager_in, demo.villages[1], extra={**FOOD_EXTRA, field.key: "2027-06-30"})
    categories.category_field_deactivate(actor=county_admin, field=field)
    page = login(comanager_in).get(reverse("units:detail", args=[unit.pk])).content.decode()
    assert "许可证有效期至（已停用）" in page and "2027-06-30" in page


def test_the_filter_offers_no_subtype_of_another_county(demo, login, comanager_in, neighbour, food):
    categories.subtype_add(actor=neighbour, county=neighbour.institution.area, category=food, name="邻县细类")
    page = login(comanager_in).get(reverse("units:list")).content.decode()
    assert "餐饮服务单位" in page and "邻县细类" not in page


def test_the_checklist_page_offers_no_subtype_of_another_county(demo, login, county_admin, tables, neighbour, food):
    categories.subtype_add(actor=neighbour, county=neighbour.institution.area, category=food, name="邻县细类")
    page = login(county_admin).get(reverse("inspections:checklists")).content.decode()
    assert "夜市摊点" in page and "邻县细类" not in page


def _xlsx(response):
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    return rows[1], rows[2:]


def test_the_export_has_a_county_field_for_that_county_only(demo, login, comanager_in, tables, neighbour, food):
    _subtype, field = tables
    categories.category_field_add(actor=neighbour, county=neighbour.institution.area, category=food, label="邻县字段")
    make_unit(comanager_in, demo.villages[1], extra={**FOOD_EXTRA, field.key: "2027-06-30"})
    make_unit(demo.users["admin"], neighbour_township(neighbour), name="邻县饭店")
    headers, rows = _xlsx(login(comanager_in).get(reverse("units:export"), {"category": food.pk}))
    assert "许可证有效期至" in headers and not any("邻县字段" in str(h) for h in headers)
    assert rows[0][headers.index("许可证有效期至")] == "2027-06-30"
    _headers, rows = _xlsx(login(comanager_in).get(reverse("units:export")))
    assert "许可证有效期至：2027-06-30" in rows[0][_headers.index("类别字段")]
    # Above both counties: each county's own field named with its county, filled for its units only.
    headers, rows = _xlsx(login(demo.users["city"]).get(reverse("units:export"), {"category": food.pk}))
    column = headers.index("许可证有效期至（示范县）")
    assert "邻县字段（邻县）" in headers
    assert {r[0]: r[column] for r in rows} == {"红星酒店": "2027-06-30", "邻县饭店": None}  # an empty cell


# ---- the import -----------------------------------------------------------------------


HEADERS = ["单位名称", "村（社区）或乡镇", "小类", "地址", "法定代表人（负责人）", "联系电话", "餐位数",
           "食品经营许可证号", "许可证有效期至"]  # fmt: skip


def _sheet(*rows) -> bytes:
    book = Workbook()
    for row in [HEADERS, *rows]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _row(name, *, subtype="夜市摊点", until="2027-06-30"):
    return [name, "城关镇/李家村", subtype, f"李家村{name}", "王建国", "13800000000", 8, "JY1", until]


def test_the_template_has_the_county_field_and_subtype_for_that_county_only(
    demo, comanager_in, tables, neighbour, food
):
    def headers_and_lists(user):
        book = load_workbook(io.BytesIO(imports.template_xlsx(food, user)))
        lists = book["lists"]
        values = {c.value for row in lists.iter_rows() for c in row if c.value}
        return [c.value for c in book.worksheets[0][2]], values

    headers, lists = headers_and_lists(comanager_in)
    assert "许可证有效期至※" in headers and "夜市摊点" in lists
    headers, lists = headers_and_lists(neighbour)
    assert "许可证有效期至※" not in headers and "夜市摊点" not in lists and "餐位数※" in headers


def test_the_import_checks_a_county_field_and_counts_it_for_the_file(demo, comanager_in, tables, food):
    _subtype, field = tables
    content = _sheet(_row("夜市一号摊", until="明年六月"), _row("夜市二号摊"))
    result = imports.check_sheet(comanager_in, food, read_rows(io.BytesIO(content), name="t.xlsx"))
    assert [(e["row"], e["column"]) for e in result.errors] == [(2, "许可证有效期至")]

    content = _sheet(_row("夜市一号摊", until=""), _row("夜市二号摊"))
    batch = batches.import_batch_create(actor=comanager_in, category=food, upload=SimpleUpload(content))
    assert batch.status == ImportStatus.READY and batch.incomplete_count == 1
    batch = batches.import_batch_confirm(actor=comanager_in, batch=batch)
    assert batch.created_count == 2
    one, two = Unit.objects.get(name="夜市一号摊"), Unit.objects.get(name="夜市二号摊")
    assert (one.is_complete, two.is_complete) == (False, True)
    assert two.extra[field.key] == "2027-06-30" and two.subtype.name == "夜市摊点"


def test_the_import_of_another_county_knows_neither(demo, tables, neighbour, food):
    content = _sheet(["邻县饭店", "邻镇", "夜市摊点", "邻镇1号", "王建国", "13800000000", 8, "JY1", "2027-06-30"])
    result = imports.check_sheet(neighbour, food, read_rows(io.BytesIO(content), name="t.xlsx"))
    assert [(e["row"], e["column"]) for e in result.errors] == [(2, "小类")]
    content = _sheet(["邻县饭店", "邻镇", "餐饮服务单位", "邻镇1号", "王建国", "13800000000", 8, "JY1", "2027-06-30"])
    result = imports.check_sheet(neighbour, food, read_rows(io.BytesIO(content), name="t.xlsx"))
    assert not result.errors and "许可证有效期至" not in result.preview["columns"]
    assert list(result.rows[0][1]["extra"]) == ["seats", "food_licence_no"]


def SimpleUpload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("units.xlsx", content)


# ---- the API ----------------------------------------------------------------------------


def test_the_api_lists_the_categories_as_the_county_has_them(demo, api_token, tables, neighbour):
    body = Client().get("/api/unit-categories", **api_token(demo.users["cg1"])).json()
    food = next(c for c in body["categories"] if c["code"] == "food")
    assert body["county_id"] == str(demo.county.pk)
    assert "夜市摊点" in [s["name"] for s in food["subtypes"]]
    own = next(f for f in food["fields"] if f["label"] == "许可证有效期至")
    assert own["county_id"] == str(demo.county.pk) and own["required"] and own["kind"] == "date"
    theirs = Client().get("/api/unit-categories", **api_token(neighbour)).json()
    food = next(c for c in theirs["categories"] if c["code"] == "food")
    assert "夜市摊点" not in [s["name"] for s in food["subtypes"]]
    assert all(f["county_id"] is None for f in food["fields"])
    answer = Client().get(f"/api/unit-categories?county_id={demo.county.pk}", **api_token(neighbour))
    assert answer.status_code == 404 and answer.json()["detail"]


def test_the_api_adds_once_and_switches_off(demo, api_token, county_admin):
    headers = api_token(county_admin)
    client = Client()
    made = client.post(
        "/api/unit-categories/food/subtypes", {"name": "夜市摊点"}, content_type="application/json", **headers
    )
    assert made.status_code == 201 and made.json()["county_id"] == str(demo.county.pk)
    again = client.post(
        "/api/unit-categories/food/subtypes", {"name": "夜市摊点"}, content_type="application/json", **headers
    )
    assert again.status_code == 200 and again.json()["id"] == made.json()["id"]
    assert Subtype.objects.filter(name="夜市摊点").count() == 1

    payload = {"label": "供应方式", "kind": "choice", "choices": ["堂食", "外卖"], "required": True}
    field = client.post("/api/unit-categories/food/fields", payload, content_type="application/json", **headers)
    assert field.status_code == 201 and field.json()["key"] == "gong_ying_fang_shi"
    bad = client.post(
        "/api/unit-categories/food/fields", {"label": "餐位数"}, content_type="application/json", **headers
    )
    assert bad.status_code == 422 and "全国统一" in bad.json()["detail"]
    off = client.post(f"/api/unit-categories/fields/{field.json()['id']}/deactivate", **headers)
    assert off.status_code == 200 and off.json()["is_active"] is False
    seats = CategoryField.objects.get(key="seats", county=None)
    national = client.post(f"/api/unit-categories/fields/{seats.pk}/deactivate", **headers)
    assert national.status_code == 422 and "全国统一" in national.json()["detail"]


@pytest.mark.parametrize(("who", "status"), [("cg1", 403), ("dh1", 403), ("city", 403), ("neighbour", 404)])
def test_the_api_refuses_who_may_not_and_changes_nothing(demo, api_token, tables, neighbour, who, status):
    subtype, field = tables
    user = neighbour if who == "neighbour" else demo.users[who]
    headers = api_token(user)
    before = _counts()
    client = Client()
    county = {"county_id": str(demo.county.pk)}
    answers = [
        client.post(
            "/api/unit-categories/food/subtypes", {**county, "name": "越权"}, content_type="application/json", **headers
        ),
        client.post(
            "/api/unit-categories/food/fields", {**county, "label": "越权"}, content_type="application/json", **headers
        ),
        client.post(f"/api/unit-categories/subtypes/{subtype.pk}/deactivate", **headers),
        client.post(f"/api/unit-categories/fields/{field.pk}/deactivate", **headers),
    ]
    assert [a.status_code for a in answers] == [status] * 4
    assert all(a.json()["detail"] for a in answers)
    assert _counts() == before


def test_the_unit_api_reads_and_checks_the_county_fields(demo, api_token, comanager_in, tables):
    _subtype, field = tables
    unit = make_unit(comanager_in, demo.villages[1])
    headers = api_token(comanager_in)
    body = Client().get(f"/api/units/{unit.pk}", **headers).json()
    assert f"extra.{field.key}" in body["missing_fields"] and body["is_complete"] is False
    assert field.key in [f["key"] for f in body["fields"]]
    bad = Client().patch(
        f"/api/units/{unit.pk}",
        {"extra": {**FOOD_EXTRA, field.key: "明年"}},
        content_type="application/json",
        **headers,
    )
    assert bad.status_code == 422 and f"extra.{field.key}" in bad.json()["fields"]
    good = Client().patch(
        f"/api/units/{unit.pk}",
        {"extra": {**FOOD_EXTRA, field.key: "2027-06-30"}},
        content_type="application/json",
        **headers,
    )
    assert good.status_code == 200 and good.json()["is_complete"] is True


def test_the_openapi_says_the_creates_take_no_client_id():
    doc = Client().get("/api/openapi.json").json()
    for path in ("/api/unit-categories/{code}/subtypes", "/api/unit-categories/{code}/fields"):
        operation = doc["paths"][path]["post"]
        schema_name = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert "id" not in doc["components"]["schemas"][schema_name]["properties"]
        assert "No client-made id" in operation["description"] and "200" in operation["description"]
