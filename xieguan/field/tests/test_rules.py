"""Issue 20 item 6 on the phone: the submit rule's numbers come from the
server (the checklist's photo count, the fewest inspectors), the result and
answer words are the web page's, each checklist item numbered once, and
sending an inspection (which locks it) asks first."""

import re

from django.test import Client

from xieguan.inspections.models import MIN_INSPECTORS, Answer, ChecklistTemplate, OverallResult
from xieguan.inspections.services.checklists import checklist_draft_create, checklist_items_set, checklist_publish
from xieguan.inspections.tests.factories import plain_unit


def test_the_bootstrap_carries_the_submit_rule_of_each_checklist(demo, api_token, comanager_in, supervisor_of):
    unit = plain_unit(demo.townships[0])
    county_version = checklist_draft_create(actor=supervisor_of, county=demo.county, category=unit.category)
    checklist_items_set(
        actor=supervisor_of, template=county_version, title="公共场所巡查表", items="1 | 持证经营 |", photos_required=3
    )
    checklist_publish(actor=supervisor_of, template=county_version)
    body = Client().get("/api/field/bootstrap", **api_token(comanager_in)).json()
    assert body["inspection_rules"] == {"min_inspectors": MIN_INSPECTORS}
    held = {t.pk: t.photos_required for t in ChecklistTemplate.objects.all()}
    assert {c["id"]: c["photos_required"] for c in body["checklists"]} == {
        str(pk): held[pk] for pk in held if str(pk) in {c["id"] for c in body["checklists"]}
    }
    chosen = next(u["checklist_id"] for u in body["units"] if u["id"] == str(unit.pk))
    assert chosen == str(county_version.pk)
    assert next(c for c in body["checklists"] if c["id"] == chosen)["photos_required"] == 3


def test_the_phone_shows_the_web_pages_words_and_asks_before_it_locks(demo, login, comanager_in):
    html = login(comanager_in).get("/m/").content.decode()
    results = re.search(r'<select name="overall_result"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option value="(\w+)">([^<]+)</option>', results) == [
        (value, str(label)) for value, label in OverallResult.choices
    ]
    assert "问题严重" not in html and "符合</option>" not in results
    for value, label in Answer.choices:
        assert f'data-{value}="{label}"' in html
    assert '<ul class="checklist" data-checklist>' in html and "<ol" not in html
    assert 'data-submit-confirm="确定发送并提交这份记录？' in html
    # The photo rule is the checklist's, filled in by the script: no fixed "two" left in the form.
    assert "至少两张" not in html and "data-photos-rule" in html
