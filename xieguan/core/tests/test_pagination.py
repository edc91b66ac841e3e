import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xieguan.areas.models import Area, Level
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


def test_a_list_read_a_part_at_a_time_gives_the_same_pages(demo):
    """``parts``: the villages of every township, each township's first rows
    asked apart (an index range each on PostgreSQL) and the page the first
    of their union; page by page, cursor by cursor, the same rows as the
    plain query. Two queries a page where the database orders inside a
    union (PostgreSQL), one where it cannot (SQLite)."""
    townships = list(Area.objects.filter(level=Level.TOWNSHIP).values_list("pk", flat=True))
    qs = Area.objects.filter(parent_id__in=townships)
    ordering = ["-name", "-id"]

    def walk(parts):
        seen, cursor, queries = [], None, []
        while True:
            with CaptureQueriesContext(connection) as asked:
                page = keyset_page(qs, ordering=ordering, cursor=cursor, size=4, parts=parts)
            queries.append(len(asked))
            seen.extend(a.pk for a in page.items)
            if not page.has_next:
                return seen, queries
            cursor = page.next_cursor

    plain, plain_queries = walk(None)
    by_parts, part_queries = walk(("parent_id", townships))
    assert len(plain) == qs.count() > 8 and by_parts == plain
    assert set(plain_queries) == {1}
    assert set(part_queries) == {2 if connection.features.supports_slicing_ordering_in_compound else 1}


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


def test_next_page_link_keeps_the_filters_and_only_the_newest_cursor(demo, login, county_admin, township):
    from django.urls import reverse

    from xieguan.areas import services as area_services

    for i in range(60):
        area_services.area_update(actor=county_admin, area=township, name=f"城关{i}", code=township.code)
    client = login(county_admin)
    first = client.get(reverse("core:audit"), {"action": "area.update", "after": "forged"})
    cursor = first.context["page"].next_cursor
    link = f"?action=area.update&amp;after={cursor}"
    assert f'href="{link}" hx-get="{link}" hx-target="#audit-rows"' in first.content.decode()
    assert "更早的记录" in first.content.decode()
    second = client.get(reverse("core:audit") + f"?action=area.update&after={cursor}")
    assert len(first.context["page"].items) + len(second.context["page"].items) == 60
    assert 'class="pager"' not in second.content.decode()
