"""The public page says, for each draw, the day its results are due and
whether they were published by then (issue 21 §4: a deadline the county sets)."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.test import Client
from django.utils import timezone

from xieguan.campaigns import services
from xieguan.campaigns.models import RandomDraw
from xieguan.campaigns.public import results_state


def _draw(demo: Any, title: str) -> RandomDraw:
    return services.draw_make(
        actor=demo.users["inst"], area=demo.county, title=title, filters={"category": "public_place"}, count=1
    )


def _section(page: str, draw: RandomDraw) -> str:
    return re.search(rf'<section class="draw" id="draw-{draw.pk}">(.*?)</section>', page, re.S).group(1)


def test_the_public_page_shows_each_draws_deadline_and_whether_it_was_met(demo: Any, pools: Any) -> None:
    inst = demo.users["inst"]
    today = timezone.localdate()
    on_time, late, overdue, pending = (_draw(demo, t) for t in ("准时", "逾期公开", "逾期未公开", "期限内"))
    assert pending.results_due is not None and pending.results_due > today  # 20 working days by default
    services.draw_publish(actor=inst, draw=on_time)
    services.draw_publish(actor=inst, draw=late)
    # The deadlines of two draws lie in the past: one was published after it, one never.
    RandomDraw.objects.filter(pk__in=[late.pk, overdue.pk]).update(results_due=today - datetime.timedelta(days=3))

    page = Client().get(f"/public/{demo.county.code}/").content.decode()
    due = f"{pending.results_due:%Y-%m-%d}"
    assert f'结果公开期限：<time class="due">{due}</time>' in _section(page, pending)
    assert "尚未公开，仍在期限内" in _section(page, pending)
    assert "按期公开" in _section(page, on_time) and f"{today:%Y-%m-%d}" in _section(page, on_time)
    past = f"{today - datetime.timedelta(days=3):%Y-%m-%d}"
    assert past in _section(page, late) and "逾期公开" in _section(page, late)
    assert past in _section(page, overdue) and "逾期未公开" in _section(page, overdue)

    data = Client().get(f"/api/public-draws/{demo.county.code}/draws").json()
    states = {d["title"]: (d["results_state"], d["results_due"]) for d in data["items"]}
    assert states == {
        "准时": ("on_time", f"{on_time.results_due:%Y-%m-%d}"),
        "逾期公开": ("late", past),
        "逾期未公开": ("overdue", past),
        "期限内": ("pending", due),
    }
    one = Client().get(f"/api/public-draws/{demo.county.code}/draws/{late.pk}").json()
    assert (one["results_state"], one["results_published_on"]) == ("late", today.isoformat())


def test_the_deadline_day_itself_still_counts_as_in_time() -> None:
    due = datetime.date(2026, 6, 10)
    noon = timezone.make_aware(datetime.datetime(2026, 6, 10, 23, 30))  # local time, UTC the same day
    assert results_state(RandomDraw(results_due=due, published_at=noon), due) == "on_time"
    assert results_state(RandomDraw(results_due=due), due) == "pending"
    assert results_state(RandomDraw(results_due=due), due + datetime.timedelta(days=1)) == "overdue"
    assert results_state(RandomDraw(results_due=due, published_at=noon + datetime.timedelta(hours=1)), due) == "late"
    assert results_state(RandomDraw(), due) == "none"
