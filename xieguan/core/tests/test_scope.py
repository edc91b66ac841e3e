import uuid

import pytest
from django.http import Http404

from xieguan.accounts.models import Institution, User
from xieguan.areas.models import Area
from xieguan.core.scope import get_object_for_user


def test_comanager_sees_own_township_and_its_villages_only(demo, comanager_in):
    visible = set(Area.objects.visible_to(comanager_in).values_list("name", flat=True))
    assert visible == {"城关镇", "城北社区居委会", "李家村", "王庄村"}


def test_county_user_sees_whole_county_but_not_above(demo, county_admin):
    visible = Area.objects.visible_to(county_admin)
    assert visible.count() == 1 + 10 + 16
    assert not visible.filter(name__in=["示范省", "示范市"]).exists()


def test_prefecture_reader_sees_the_county_below(demo):
    assert Area.objects.visible_to(demo.users["city"]).filter(name="杨庄村").exists()


def test_sibling_township_is_invisible(demo, outsider, township):
    assert not Area.objects.visible_to(outsider).filter(pk=township.pk).exists()
    assert not Institution.objects.visible_to(outsider).filter(area=township).exists()
    assert not User.objects.visible_to(outsider).filter(username="cg1").exists()


def test_anonymous_and_inactive_users_see_nothing(demo, comanager_in):
    from django.contrib.auth.models import AnonymousUser

    assert not Area.objects.visible_to(AnonymousUser()).exists()
    comanager_in.is_active = False
    assert not Area.objects.visible_to(comanager_in).exists()


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "1", "", str(uuid.uuid4()), "' OR 1=1 --"])
def test_get_object_for_user_answers_404_for_malformed_or_unknown_ids(demo, comanager_in, bad_id):
    with pytest.raises(Http404):
        get_object_for_user(Area, comanager_in, bad_id)


def test_get_object_for_user_answers_404_outside_scope(demo, outsider, township):
    with pytest.raises(Http404):
        get_object_for_user(Area, outsider, township.pk)
    assert get_object_for_user(Area, demo.users["dh1"], demo.townships[1].pk) == demo.townships[1]


def test_scope_is_one_query_with_a_prefix_filter(demo, comanager_in, django_assert_num_queries):
    with django_assert_num_queries(1) as ctx:
        list(Area.objects.visible_to(comanager_in))
    assert "LIKE" in ctx.captured_queries[0]["sql"].upper() or "GLOB" in ctx.captured_queries[0]["sql"].upper()


@pytest.mark.parametrize("narrow", [500, 0])
@pytest.mark.parametrize("who", ["cg1", "inst", "bureau", "dh1", "city", "cun1", "admin"])
def test_visible_to_by_area_is_visible_to(demo, monkeypatch, narrow, who):
    """A narrow scope asked as a list of area ids (a wide one, or with the
    limit at 0, as the path join): the same rows as ``visible_to``, for a
    user inside a township, beside it, above it and for the superuser,
    also through a two-step lookup (a person's institution's area)."""
    from xieguan.core import scope

    monkeypatch.setattr(scope, "NARROW_SCOPE_AREAS", narrow)
    user = demo.users[who]
    for model in (Institution, User):
        by_area = set(model.objects.visible_to_by_area(user))
        assert by_area == set(model.objects.visible_to(user))
    assert Institution.objects.visible_to_by_area(user).exists()


def test_visible_to_by_area_sends_ids_for_a_township(demo, comanager_in, django_assert_num_queries):
    with django_assert_num_queries(2) as ctx:
        list(Institution.objects.visible_to_by_area(comanager_in))
    assert "LIKE" not in ctx.captured_queries[1]["sql"].upper()
    assert "IN (" in ctx.captured_queries[1]["sql"].upper()
