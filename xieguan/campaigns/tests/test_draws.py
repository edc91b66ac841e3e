"""The 双随机 draw: verifiable by anyone with SHA-256, conflicts never drawn, final once made."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from xieguan.accounts.models import RoleCode, User
from xieguan.campaigns import services
from xieguan.campaigns.models import CampaignSettings, CampaignTarget, RandomDraw
from xieguan.core.models import AuditEvent


def recompute(seed: str, pool: list[str], count: int) -> list[str]:
    """The published algorithm, written out with hashlib alone."""
    return sorted(pool, key=lambda u: hashlib.sha256(f"{seed}:{u}".encode()).hexdigest())[:count]


def recompute_inspectors(seed: str, unit_id: str, people: list[str], skip: set[str], need: int) -> list[str]:
    ranked = sorted(people, key=lambda p: hashlib.sha256(f"{seed}:{unit_id}:{p}".encode()).hexdigest())
    return [p for p in ranked if p not in skip][:need]


def test_a_draw_is_recomputed_with_hashlib_from_its_seed_and_pool(demo: Any, campaign: Any, pools: Any) -> None:
    draw = services.draw_make(actor=demo.users["inst"], campaign=campaign, ratio=Decimal("50"))
    assert len(draw.seed) == 64 and int(draw.seed, 16) >= 0
    all_units = sorted(str(u.pk) for units in pools.values() for u in units)
    assert sorted(draw.pool) == all_units
    assert draw.count == 5  # 50 % of 9, rounded up
    assert [p["unit_id"] for p in draw.picks] == recompute(draw.seed, draw.pool, draw.count)
    for pick in draw.picks:
        assert pick["inspector_ids"] == recompute_inspectors(draw.seed, pick["unit_id"], draw.inspector_pool, set(), 2)
        assert len(set(pick["inspector_ids"])) == 2
    targets = CampaignTarget.objects.filter(campaign=campaign, draw=draw)
    assert sorted(str(t.unit_id) for t in targets) == sorted(p["unit_id"] for p in draw.picks)


def test_the_same_seed_and_pool_always_give_the_same_picks(demo: Any, pools: Any) -> None:
    inst = demo.users["inst"]
    seed = "ab" * 32
    first = services.draw_make(
        actor=inst, area=demo.county, title="甲", filters={"category": "public_place"}, count=4, seed=seed
    )
    second = services.draw_make(
        actor=inst, area=demo.county, title="乙", filters={"category": "public_place"}, count=4, seed=seed
    )
    assert first.pool == second.pool
    assert first.picks == second.picks
    other = services.draw_make(actor=inst, area=demo.county, title="丙", filters={"category": "public_place"}, count=4)
    assert other.seed != seed
    assert [p["unit_id"] for p in other.picks] == recompute(other.seed, other.pool, 4)


def test_the_pool_is_the_units_at_the_moment_of_the_draw(demo: Any, pools: Any) -> None:
    inst = demo.users["inst"]
    draw = services.draw_make(
        actor=inst,
        area=demo.county,
        title="城关",
        filters={"category": "public_place", "townships": [str(demo.townships[0].pk)]},
        count=2,
    )
    assert sorted(draw.pool) == sorted(str(u.pk) for u in pools["cg"])
    pools["cg"][0].status = "closed"
    pools["cg"][0].save()
    draw.refresh_from_db()
    assert len(draw.pool) == 5


def test_conflicts_are_never_drawn(demo: Any, pools: Any) -> None:
    """A declared conflict, or working at the unit itself (the station's host), is skipped on every seed."""
    inst = demo.users["inst"]
    CampaignSettings.objects.create(county=demo.county, comanagers_drawn=True)
    unit = pools["cg"][0]
    host_unit = pools["dh"][0]
    station2 = demo.stations[1]
    host_unit.name = station2.host
    host_unit.save()
    services.conflict_declare(actor=inst, unit=unit, inspector=inst, reason="亲属经营")
    station2_people = set(str(p) for p in User.objects.filter(institution=station2).values_list("pk", flat=True))
    assert station2_people
    seen_inst_elsewhere = False
    for n in range(25):
        draw = services.draw_make(
            actor=inst,
            area=demo.county,
            title=f"第{n}次",
            filters={"category": "public_place"},
            count=9,
            inspectors_per_target=3,
        )
        by_unit = {p["unit_id"]: p["inspector_ids"] for p in draw.picks}
        assert str(inst.pk) not in by_unit[str(unit.pk)]
        assert not station2_people & set(by_unit[str(host_unit.pk)])
        skip = {str(inst.pk)}
        assert by_unit[str(unit.pk)] == recompute_inspectors(draw.seed, str(unit.pk), draw.inspector_pool, skip, 3)
        seen_inst_elsewhere |= any(str(inst.pk) in ids for u, ids in by_unit.items() if u != str(unit.pk))
    assert seen_inst_elsewhere  # inst is in the pool: only the conflict keeps them off that unit


def test_only_supervisors_are_drawn_unless_the_county_allows_co_managers(demo: Any, campaign: Any) -> None:
    draw = services.draw_make(actor=demo.users["inst"], campaign=campaign, count=3)
    people = User.objects.filter(pk__in=draw.inspector_pool)
    assert people.exists()
    assert all(p.has_role(RoleCode.SUPERVISOR) for p in people)
    assert not people.filter(roles__code=RoleCode.COMANAGER).exists()


def test_a_redraw_keeps_the_first_and_needs_a_reason(demo: Any, campaign: Any) -> None:
    inst = demo.users["inst"]
    first = services.draw_make(actor=inst, campaign=campaign, count=3)
    first_picks = list(first.picks)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.draw_make(actor=inst, campaign=campaign, count=3, replaces=first, reason="  ")
    assert "reason" in refused.value.message_dict
    assert AuditEvent.objects.count() == events and RandomDraw.objects.count() == 1

    second = services.draw_make(actor=inst, campaign=campaign, count=3, replaces=first, reason="抽取时名录未更新")
    first.refresh_from_db()
    assert first.picks == first_picks and first.seed != second.seed
    assert second.replaces == first and second.reason == "抽取时名录未更新"
    assert set(RandomDraw.objects.values_list("pk", flat=True)) == {first.pk, second.pk}
    targets = set(CampaignTarget.objects.filter(campaign=campaign).values_list("unit_id", flat=True))
    assert {str(u) for u in targets} == {p["unit_id"] for p in second.picks}
    assert AuditEvent.objects.filter(action="draw.create").count() == 2


def test_a_ratio_per_risk_grade_is_taken_within_each_grade(demo: Any, pools: Any) -> None:
    inst = demo.users["inst"]
    units = pools["cg"] + pools["dh"]
    for unit, grade in zip(units, ["high"] * 3 + ["low"] * 6, strict=True):
        unit.risk_grade = grade
        unit.save()
    draw = services.draw_make(
        actor=inst,
        area=demo.county,
        title="分级",
        filters={"category": "public_place"},
        grade_ratios={"high": "100", "low": "20"},
    )
    picked = {p["unit_id"] for p in draw.picks}
    high = [str(u.pk) for u in units[:3]]
    low = [str(u.pk) for u in units[3:]]
    assert set(high) <= picked
    assert picked - set(high) == set(recompute(draw.seed, low, 2))


def test_a_township_cannot_draw_and_bad_input_changes_nothing(demo: Any, campaign: Any) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(Http404):  # the county's campaign lies above the township
        services.draw_make(actor=demo.users["cg1"], campaign=campaign, count=2)
    with pytest.raises(PermissionDenied):  # a township may not draw even in its own area
        services.draw_make(actor=demo.users["cg1"], area=demo.townships[0], title="乡镇", count=1)
    with pytest.raises(ValidationError):
        services.draw_make(actor=demo.users["inst"], campaign=campaign, count=99)
    with pytest.raises(ValidationError):
        services.draw_make(actor=demo.users["inst"], campaign=campaign, ratio="abc")
    assert RandomDraw.objects.count() == 0 and AuditEvent.objects.count() == events
