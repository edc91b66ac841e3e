import pytest

from xieguan.areas.models import Area
from xieguan.core.pagination import BadCursor, keyset_page


def test_keyset_pages_cover_every_row_once(demo, county_admin):
    qs = Area.objects.visible_to(county_admin)
    seen, cursor = [], None
    while True:
        page = keyset_page(qs, ordering=["level", "name", "id"], cursor=cursor, size=4)
        seen.extend(a.pk for a in page.items)
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == qs.count()
    assert seen == list(qs.order_by("level", "name", "id").values_list("pk", flat=True))


def test_descending_keyset(demo, county_admin):
    qs = Area.objects.visible_to(county_admin)
    first = keyset_page(qs, ordering=["-name", "id"], size=5)
    second = keyset_page(qs, ordering=["-name", "id"], cursor=first.next_cursor, size=5)
    names = [a.name for a in first.items + second.items]
    assert names == sorted(names, reverse=True)


@pytest.mark.parametrize("cursor", ["garbage", "W10", "WyJ4Il0", "!!!"])
def test_forged_cursor_is_refused(demo, cursor):
    with pytest.raises(BadCursor):
        keyset_page(Area.objects.all(), ordering=["level", "name", "id"], cursor=cursor)


def test_ordering_must_end_with_the_primary_key(demo):
    with pytest.raises(ValueError):
        keyset_page(Area.objects.all(), ordering=["name"])
