"""The one rule for dates of work done, expiry dates and deadlines
(issue 17 finding 7): not before 2000, not after today (local date) plus
what the field allows."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from xieguan.core.validators import FAR_AHEAD_DAYS, date_error, validate_ahead_date, validate_done_date

TODAY = datetime.date(2026, 12, 5)


@pytest.mark.parametrize(
    ("value", "ahead", "message"),
    [
        (datetime.date(1999, 12, 31), 0, "日期不能早于2000年1月1日。"),
        (datetime.date(2000, 1, 1), 0, None),
        (TODAY, 0, None),
        (TODAY + datetime.timedelta(days=1), 0, "日期不能晚于今天。"),
        (datetime.date(2099, 12, 31), 0, "日期不能晚于今天。"),
        (datetime.date(2050, 1, 1), FAR_AHEAD_DAYS, None),
        (datetime.date(2099, 12, 31), FAR_AHEAD_DAYS, "日期不能晚于2056-11-27。"),
        (None, 0, None),
    ],
)
def test_date_error_bounds_and_speaks_chinese(value, ahead, message):
    assert date_error(value, ahead_days=ahead, today=TODAY) == message


def test_a_time_counts_by_its_local_date():
    # 23:30 on 5 December in Shanghai is 15:30 UTC: still today, not tomorrow.
    late = timezone.make_aware(datetime.datetime(2026, 12, 5, 23, 30))
    assert date_error(late, today=TODAY) is None
    assert date_error(late + datetime.timedelta(hours=1), today=TODAY) == "日期不能晚于今天。"


def test_form_validators_refuse_out_of_bounds_dates():
    with pytest.raises(ValidationError):
        validate_done_date(datetime.date(2000, 1, 1) - datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        validate_done_date(timezone.localdate() + datetime.timedelta(days=1))
    validate_ahead_date(timezone.localdate() + datetime.timedelta(days=3650))
    with pytest.raises(ValidationError):
        validate_ahead_date(datetime.date(2099, 12, 31))
