"""Values as people read them, in the county's time zone and in Chinese
(issue 20 items 3 and 4): xieguan/core/display.py, the download names
(core/documents.py), the one empty choice (core/forms.FormRenderer) and the
API's moments (core/api.LocalTimeJSONEncoder)."""

from __future__ import annotations

import datetime
import json
from urllib.parse import quote

from django import forms
from django.utils import timezone, translation

from xieguan.core.api import LocalTimeJSONEncoder
from xieguan.core.display import date_label, human_value, month_label
from xieguan.core.documents import download_header, download_name

# 18:14 UTC on 5 December is 02:14 on 6 December in Asia/Shanghai.
EVENING_UTC = datetime.datetime(2026, 12, 5, 18, 14, 41, 123456, tzinfo=datetime.UTC)


def test_months_and_days_are_written_the_chinese_way():
    assert month_label(2026, 1) == "2026年1月"
    assert month_label(2026) == "2026年"
    assert date_label(datetime.date(2026, 12, 6)) == "2026年12月6日"
    with timezone.override("Asia/Shanghai"):
        assert date_label(EVENING_UTC) == "2026年12月6日"  # its local day, not UTC's


def test_stored_values_read_as_people_read_them():
    with translation.override("zh-hans"), timezone.override("Asia/Shanghai"):
        assert [human_value(v) for v in (True, False, None, "", [])] == ["是", "否", "—", "—", "—"]
        assert human_value(EVENING_UTC) == "2026-12-06 02:14"
        assert human_value(EVENING_UTC.isoformat()) == "2026-12-06 02:14"  # as the audit log keeps it
        assert human_value("2026-12-05T18:14:41Z") == "2026-12-06 02:14"
        assert human_value(["甲", True]) == "甲、是"
        assert human_value(datetime.date(2026, 12, 6)) == "2026-12-06"
        assert human_value("2026-12-06") == "2026-12-06" and human_value(80) == "80"


def test_a_download_is_named_what_it_is_whose_and_its_local_day():
    with timezone.override("Asia/Shanghai"):
        name = download_name("检查记录", "城关红星浴室", EVENING_UTC, ext="pdf")
    assert name == "检查记录-城关红星浴室-2026年12月6日.pdf"
    assert download_name("月报表", "城关镇", month_label(2026, 1), ext="xlsx") == "月报表-城关镇-2026年1月.xlsx"
    # What a file name may not hold becomes a space; empty parts are left out.
    assert download_name("一户一档", 'A/B:C*"D"', "", None, ext="pdf") == "一户一档-A B C D.pdf"


def test_a_chinese_download_name_goes_as_rfc_6266_filename_star():
    name = "检查记录-城关红星浴室-2026年12月6日.pdf"
    assert download_header(name) == f"attachment; filename*=utf-8''{quote(name)}"
    assert download_header(name, inline=True) == f"inline; filename*=utf-8''{quote(name)}"


class _Choices(forms.Form):
    kind = forms.ChoiceField(choices=[("", "---------"), ("a", "甲")], required=False)
    area = forms.ModelChoiceField(queryset=None, required=False)  # type: ignore[arg-type]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from xieguan.areas.models import Area

        self.fields["area"].queryset = Area.objects.all()


def test_every_drop_down_offers_the_empty_choice_as_a_dash(db):
    html = str(_Choices())
    assert "---------" not in html
    assert html.count('<option value="" selected>—</option>') == 2


def test_the_api_writes_moments_with_the_countys_offset():
    with timezone.override("Asia/Shanghai"):
        text = json.dumps({"at": EVENING_UTC, "day": datetime.date(2026, 12, 6)}, cls=LocalTimeJSONEncoder)
    assert json.loads(text) == {"at": "2026-12-06T02:14:41.123+08:00", "day": "2026-12-06"}
