import datetime
from decimal import Decimal

from xieguan.demo.outreach import load_outreach
from xieguan.outreach.models import Attendance, Outreach, Training
from xieguan.outreach.selectors import DONE, OVERDUE, publicity_due


def test_demo_year_has_one_township_clearly_behind(demo):
    load_outreach(demo)
    assert Outreach.objects.count() > 30 and Training.objects.count() > 30 and Attendance.objects.count() > 50
    rows = {
        r.township.name: r for r in publicity_due(demo.users["bureau"], year=2026, today=datetime.date(2026, 11, 23))
    }
    hedong, chengguan = rows["河东镇"], rows["城关镇"]
    assert hedong.states[:3] == [DONE, DONE, OVERDUE]
    assert {p.username for p in hedong.short} == {"dh1", "dh2"}
    assert all(p.year_hours == Decimal(8) for p in hedong.short)
    assert chengguan.states[:3] == [DONE, DONE, DONE] and chengguan.training_states[:3] == [DONE, DONE, DONE]
    assert chengguan.short == []
    behind = [name for name, r in rows.items() if OVERDUE in r.states[:3] or r.short]
    assert behind == ["河东镇"]
