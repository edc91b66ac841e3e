"""The whole demo county, as ``manage.py load_demo`` loads it: the county
with its people, then each part's records in the order they depend on one
another. The command and the tests that need a county with a year of
records (conftest's ``whole_demo``) load it here, the same way."""

from __future__ import annotations

from xieguan.demo.archives import load_archives
from xieguan.demo.assessments import load_assessments
from xieguan.demo.campaigns import load_campaigns
from xieguan.demo.complaints import load_complaints
from xieguan.demo.county import DemoCounty, load_county
from xieguan.demo.inspections import load_inspections
from xieguan.demo.monthly import load_monthly
from xieguan.demo.outreach import load_outreach
from xieguan.demo.reminders import load_reminders
from xieguan.demo.reports import load_reports
from xieguan.demo.risk import load_risk
from xieguan.demo.units import load_units

PARTS = (
    load_units,
    load_outreach,
    load_complaints,
    load_reports,
    load_inspections,
    load_monthly,
    load_campaigns,
    load_reminders,
    load_risk,
    load_assessments,
    load_archives,  # last: it closes last year
)


def load_whole_demo() -> DemoCounty:
    """The demo county and a year of its records."""
    demo = load_county()
    for load in PARTS:
        load(demo)
    return demo
