"""Possible duplicates and merging two units into one: the similarity rule
and its thresholds, the pages, every record moved, history kept, the merged
unit's address leading to the survivor, scope (inside, above, beside)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from xieguan.core.models import AuditEvent
from xieguan.core.testing import assert_constant_queries
from xieguan.units import services
from xieguan.units.duplicates import (
    NAME_THRESHOLD,
    Candidate,
    duplicate_pairs,
    is_near_identical,
    normalise_address,
    normalise_name,
    similarity,
)
from xieguan.units.models import Licence, StaffCertificate, Unit
from xieguan.units.selectors import (
    UnitFilters,
    duplicate_pairs_for,
    filing_rate_by_township,
    possible_duplicates_of,
    units_filtered,
)
from xieguan.units.tests.factories import credit_code, make_unit

PLACES = ["示范县", "城关镇", "城关", "李家村"]

# ---- the rule ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("红星酒店", "红星酒店有限公司"),
        ("城关镇红星酒店", "红星酒店"),
        ("红星（酒店）", "红星 酒店"),
        ("ＡＢＣ超市", "abc超市"),
        ("福满楼饭店", "福满楼饭店。"),
        ("金源大酒店", "金源大酒店有限责任公司"),
    ],
)
def test_names_folded_alike(a, b):
    assert normalise_name(a, places=PLACES) == normalise_name(b, places=PLACES)


def test_addresses_fold_width_spaces_and_place_names():
    assert normalise_address("示范县城关镇人民路 １８ 号", places=PLACES) == normalise_address(
        "人民路18号", places=PLACES
    )


@pytest.mark.parametrize(
    ("name_a", "addr_a", "name_b", "addr_b", "same"),
    [
        ("红星酒店", "人民路18号", "红星大酒店", "人民路18号", True),  # ratio 0.89
        ("红星酒店", "人民路18号", "红星饭店", "人民路18号", False),  # ratio 0.75 < 0.85
        ("红星酒店", "人民路18号", "红星酒店", "建设路7号", False),  # same name, another place: two branches
        ("红星酒店", "人民路18号", "红星酒店", "人民路18号院", True),  # address ratio 0.91
        ("红星酒店", "", "红星酒店", "人民路18号", True),  # one has no address: names equal
        ("红星酒店", "", "红星大酒店", "人民路18号", False),  # … names only similar
    ],
)
def test_near_identical_thresholds(name_a, addr_a, name_b, addr_b, same):
    assert is_near_identical(name_a, addr_a, name_b, addr_b) is same


def test_threshold_sits_between_the_cases():
    assert similarity("红星酒店", "红星大酒店") >= NAME_THRESHOLD > similarity("红星酒店", "红星饭店")


def test_pairs_by_code_anywhere_and_by_name_only_within_a_township():
    candidates = [
        Candidate(1, "t1", "红星酒店", "人民路18号", "X1"),
        Candidate(2, "t1", "红星大酒店", "人民路18号", None),
        Candidate(3, "t2", "红星酒店", "人民路18号", "X1"),
        Candidate(4, "t2", "阳光面馆", "建设路3号", None),
    ]
    found = {(a.key, b.key, reason) for a, b, reason in duplicate_pairs(candidates)}
    found = {(min(a, b), max(a, b), r) for a, b, r in found}
    assert found == {(1, 2, "name"), (1, 3, "credit_code")}


# ---- pages ---------------------------------------------------------------------


@pytest.fixture
def pair(demo, comanager_in):
    first = make_unit(comanager_in, demo.townships[0], name="福满楼饭店", address="城关镇人民路18号")
    second = make_unit(
        comanager_in,
        demo.villages[1],
        name="福满楼饭店有限公司",
        address="示范县城关镇人民路１８号",
        credit_code=credit_code(901),
        phone="13911112222",
        legal_representative="",
    )
    Licence.objects.create(unit=second, kind="食品经营许可证", number="JY9", expires_on=datetime.date(2027, 1, 1))
    StaffCertificate.objects.create(unit=second, person_name="李四", kind="health_certificate")
    return first, second


def test_possible_duplicates_are_found_within_the_viewers_scope_only(demo, comanager_in, outsider, pair):
    """The township's near-identical unit is found for everyone who sees the
    township (the co-manager, the county, the city above it), never for a
    village doctor whose village holds only one of the two, nor for a
    co-manager beside it."""
    first, second = pair
    for who in ("cg1", "bureau", "city", "admin"):
        assert [(u.pk, r) for u, r in possible_duplicates_of(second, demo.users[who])] == [(first.pk, "name")], who
    assert possible_duplicates_of(second, demo.users["cun1"]) == []  # first is the township's, not 李家村's
    assert possible_duplicates_of(second, outsider) == []


def test_unit_file_and_duplicates_page_list_the_pair(demo, login, comanager_in, pair):
    first, second = pair
    assert [(u.pk, reason) for u, reason in possible_duplicates_of(first, comanager_in)] == [(second.pk, "name")]
    client = login(comanager_in)
    page = client.get(reverse("units:detail", args=[first.pk])).content.decode()
    assert "疑似重复" in page and reverse("units:merge", args=[first.pk, second.pk]) in page
    page = client.get(reverse("units:duplicates")).content.decode()
    assert "福满楼饭店有限公司" in page and "名称和地址相近" in page


def test_duplicates_page_is_scoped_and_constant_in_queries(demo, login, comanager_in, outsider, pair):
    client = login(comanager_in)
    counter = iter(range(100))

    def grow():
        n = next(counter)
        make_unit(comanager_in, demo.townships[0], name=f"阳光{n}号面馆", address=f"建设路{n}号")
        make_unit(comanager_in, demo.townships[0], name=f"阳光{n}号面馆。", address=f"建设路{n}号")

    assert_constant_queries(lambda: client.get(reverse("units:duplicates")), grow, exactly=12)
    assert len(duplicate_pairs_for(comanager_in)) == 2
    assert duplicate_pairs_for(outsider) == []
    assert "福满楼" not in login(outsider).get(reverse("units:duplicates")).content.decode()


def test_merge_page_shows_both_side_by_side(demo, login, comanager_in, pair):
    first, second = pair
    page = login(comanager_in).get(reverse("units:merge", args=[first.pk, second.pk])).content.decode()
    assert "福满楼饭店" in page and "13911112222" in page and 'name="take.phone"' in page
    assert 'name="take.category"' not in page


def test_merge_moves_everything_keeps_history_and_redirects(demo, login, comanager_in, pair):
    first, second = pair
    services.unit_update(actor=comanager_in, unit=second, address="城关镇人民路18号（东门）")
    client = login(comanager_in)
    response = client.post(
        reverse("units:merge", args=[first.pk, second.pk]),
        {"survivor": "a", "take.credit_code": "b", "take.phone": "b", "take.area": "a", "take.name": "a"},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.merged_into == first and second.credit_code is None
    assert first.credit_code == credit_code(901) and first.phone == "13911112222"
    assert first.legal_representative == "张红星"  # kept its own
    assert list(first.licences.values_list("number", flat=True)) == ["JY9"]
    assert list(first.certificates.values_list("person_name", flat=True)) == ["李四"]
    # One event records the merge, with before → after.
    event = AuditEvent.objects.for_object(first).order_by("-id").first()
    assert event.changes["phone"] == ["138****1111", "139****2222"]  # masked in the log (SPEC §12)
    assert event.changes["merged_units"] == [None, "福满楼饭店有限公司"]
    assert "许可证 1" in event.note and "从业人员证件 1" in event.note
    # The merged unit's page leads to the survivor, whose timeline has both histories.
    response = client.get(reverse("units:detail", args=[second.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("units:detail", args=[first.pk])
    page = client.get(response["Location"]).content.decode()
    assert "（已合并）福满楼饭店有限公司" in page and "城关镇人民路18号（东门）" in page
    # Gone from lists, search and the filing rate.
    listed = set(units_filtered(comanager_in, UnitFilters(q="福满楼")).values_list("pk", flat=True))
    assert listed == {first.pk}
    rate = next(r for r in filing_rate_by_township(comanager_in) if r.township == demo.townships[0])
    assert rate.units == Unit.objects.current().existing().filter(area__path__startswith=demo.townships[0].path).count()
    # Merging it again is refused.
    with pytest.raises(ValidationError):
        services.unit_merge(actor=comanager_in, survivor=first, merged=second)


def test_merge_keeping_the_second_takes_its_values(demo, comanager_in, pair):
    first, second = pair
    survivor = services.unit_merge(actor=comanager_in, survivor=second, merged=first, take_from_merged=["name"])
    assert survivor.pk == second.pk and survivor.name == "福满楼饭店"
    assert survivor.credit_code == credit_code(901)
    first.refresh_from_db()
    assert first.merged_into_id == second.pk


def test_merge_moves_units_merged_earlier(demo, comanager_in, pair):
    first, second = pair
    third = make_unit(comanager_in, demo.townships[0], name="福满楼饭店（老店）")
    services.unit_merge(actor=comanager_in, survivor=second, merged=third)
    services.unit_merge(actor=comanager_in, survivor=first, merged=second)
    third.refresh_from_db()
    assert third.merged_into_id == first.pk


@pytest.mark.parametrize(("who", "status"), [("cg1", 302), ("inst", 302), ("bureau", 302), ("dh1", 404)])
def test_merge_inside_above_and_beside(demo, login, pair, who, status):
    first, second = pair
    response = login(demo.users[who]).post(reverse("units:merge", args=[first.pk, second.pk]), {"survivor": "a"})
    assert response.status_code == status
    second.refresh_from_db()
    assert (second.merged_into_id == first.pk) is (status == 302)
    if status == 404:
        assert second.licences.count() == 1


def test_merge_with_a_unit_outside_scope_is_refused_and_changes_nothing(demo, comanager_in, outsider, pair):
    first, _second = pair
    theirs = make_unit(outsider, demo.townships[1], name="河东福满楼饭店")
    with pytest.raises(Http404):
        services.unit_merge(actor=comanager_in, survivor=first, merged=theirs)
    theirs.refresh_from_db()
    assert theirs.merged_into_id is None


def test_merge_across_counties_is_refused_in_chinese(demo, comanager_in, pair):
    from xieguan.areas.models import Area, Level
    from xieguan.units.models import Category

    first, _second = pair
    county = Area.objects.create(name="邻县", code="990200000000", level=Level.COUNTY, parent=demo.prefecture)
    township = Area.objects.create(name="邻县镇", code="990200100000", level=Level.TOWNSHIP, parent=county)
    food = Category.objects.get(code="food")
    other = Unit.objects.create(name="福满楼饭店", area=township, category=food)
    admin = demo.users["admin"]
    assert admin.is_superuser
    with pytest.raises(ValidationError) as caught:
        services.unit_merge(actor=admin, survivor=first, merged=other)
    assert "不同县" in caught.value.message_dict["merged"][0]


def test_merge_refuses_the_same_unit(demo, comanager_in, pair):
    first, _second = pair
    with pytest.raises(ValidationError) as caught:
        services.unit_merge(actor=comanager_in, survivor=first, merged=first)
    assert caught.value.message_dict["merged"] == ["请选择两个不同的单位。"]


@pytest.mark.parametrize(
    ("name_a", "addr_a", "name_b", "addr_b"),
    [
        ("刘记企业职工食堂", "健康路145号", "张记企业职工食堂", "健康路141号"),  # similar text, other house number
        ("阳光1号面馆", "建设路3号", "阳光2号面馆", "建设路3号"),  # numbered branches
    ],
)
def test_different_numbers_are_different_units(name_a, addr_a, name_b, addr_b):
    assert not is_near_identical(name_a, addr_a, name_b, addr_b)
