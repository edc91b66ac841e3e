"""Issue 20 item 3: the demo is stamped in the past. Loaded at 00:30 local
time — before the day's working hours, so a record "of today" made at 09:00
or 16:30 would be hours ahead — and on 3 February, before most of the
year's hand-written records, no moment of any demo record is later than
the moment it was loaded."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import models
from django.utils import timezone

from xieguan.demo.campaigns import load_campaigns
from xieguan.demo.county import load_county
from xieguan.demo.whole import PARTS

LOADED = datetime.datetime(2026, 2, 3, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
# Moments that lie ahead by nature: a limit, an expiry, a lock's end. And
# what this test cannot set back: the rows' bookkeeping and the national
# checklists' publication, written by the migrations at the real present,
# and a person's date_joined, whose default Django bound before the clock
# was set back.
AHEAD = {"deadline_at", "expires_at", "until", "created_at", "updated_at", "published_at", "date_joined"}


def test_no_demo_record_is_stamped_after_the_moment_it_was_loaded(db, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: LOADED)
    assert timezone.localdate() == datetime.date(2026, 2, 3)
    demo = load_county()
    for load in PARTS[: PARTS.index(load_campaigns) + 1]:  # load_demo's order, up to the campaigns
        load(demo)
    ahead, checked = [], 0
    for model in apps.get_models():
        if not model.__module__.startswith("xieguan."):
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.DateTimeField) or field.name in AHEAD:
                continue
            checked += model._default_manager.exclude(**{f"{field.name}__isnull": True}).count()
            later = model._default_manager.filter(**{f"{field.name}__gt": LOADED}).values_list(field.name, flat=True)
            ahead += [f"{model._meta.label}.{field.name}: {timezone.localtime(at)}" for at in later[:3]]
    assert checked > 1000, checked
    assert not ahead, "stamped after the demo was loaded:\n" + "\n".join(ahead)
