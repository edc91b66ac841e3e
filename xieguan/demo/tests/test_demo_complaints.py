from django.core.cache import cache
from django.utils import timezone

from xieguan.complaints import services
from xieguan.complaints.models import Status
from xieguan.complaints.selectors import complaints_for_list, possible_duplicates
from xieguan.demo.complaints import DEMO_PIN, DEMO_RECEIPT, load_complaints
from xieguan.demo.units import load_units


def test_demo_complaints_in_several_states_one_past_and_a_known_receipt(demo):
    cache.clear()
    load_units(demo)
    made = load_complaints(demo)
    assert {c.status for c in made} >= {
        Status.REGISTERED,
        Status.ACCEPTED,
        Status.TRANSFERRED,
        Status.RESULT,
        Status.REPLIED,
        Status.NOT_ACCEPTED,
        Status.ARCHIVED,
    }
    rows = list(complaints_for_list(demo.users["bureau"], status="open").order_by("urgency", "due_on", "id"))
    assert rows[0].urgency == 0 and rows[0].due_on < timezone.localdate()  # past first
    assert sum(1 for r in rows if r.urgency == 0) == 1
    assert rows[1].urgency == 1  # then the near one
    known = services.complaint_by_receipt(ip="demo", receipt=DEMO_RECEIPT, pin=DEMO_PIN)
    assert known.status == Status.REPLIED and services.reopen_until(known) >= timezone.localdate()
    assert services.complaint_contact_for(actor=demo.users["cg1"], complaint=known).phone == "13912345678"
    assert services.complaint_contact_for(actor=demo.users["cg2"], complaint=known).phone == "139****5678"
    newest = max((c for c in made if c.status == Status.REGISTERED), key=lambda c: c.registered_at)
    assert len(possible_duplicates(demo.users["cg1"], newest)) == 1
