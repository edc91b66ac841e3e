"""The demo county's campaign (issue 21 item 6): 2026 游泳场所专项检查 with
targets in both demo townships, about half of them done; one published and
one unpublished 双随机 draw."""

from xieguan.campaigns.models import Campaign, RandomDraw


def test_the_demo_campaign_is_about_half_done_in_both_townships(demo):
    from xieguan.demo.campaigns import load_campaigns
    from xieguan.demo.inspections import load_inspections
    from xieguan.demo.units import load_units

    load_units(demo)
    load_inspections(demo)
    load_campaigns(demo)
    campaign = Campaign.objects.get(name__contains="游泳场所专项检查")
    targets = list(campaign.targets.select_related("inspection"))
    done = [t for t in targets if t.inspection is not None and t.inspection.status == "submitted"]
    assert {t.area.path.split("/")[4] for t in targets} >= {t.id.hex for t in demo.townships[:2]}
    assert len(targets) >= 6 and len(targets) // 4 <= len(done) <= len(targets) // 2
    assert {d.published_at is not None for d in RandomDraw.objects.all()} == {True, False}
    # Its material, a declared 回避关系 kept by every draw, and the grades' own dates for the public page.
    from xieguan.campaigns.models import DrawConflict
    from xieguan.units.models import Unit

    assert campaign.materials.filter(title="专项检查动员部署会").exists()
    conflict = DrawConflict.objects.get()
    for draw in RandomDraw.objects.all():
        for pick in draw.picks:
            assert not (
                pick["unit_id"] == str(conflict.unit_id) and str(conflict.inspector_id) in pick["inspector_ids"]
            )
    graded = Unit.objects.exclude(hygiene_grade="")
    assert graded.exists() and not graded.filter(hygiene_graded_on__isnull=True).exists()
