"""Hand-made histories give the expected scores and reasons."""

import datetime

from xieguan.risk.score import History, Record, Visit, Weights, score_history

ON = datetime.date(2026, 6, 30)
W = Weights()


def d(days_before: int) -> datetime.date:
    return ON - datetime.timedelta(days=days_before)


def test_an_unknown_unit_scores_only_for_never_being_patrolled():
    scored = score_history(History(unit_id=1), on=ON, weights=W)
    assert scored.score == 2 * W.overdue
    assert [r.code for r in scored.reasons] == ["never_inspected"]
    assert scored.grade == "low"


def test_each_factor_adds_its_points_with_its_reason_and_link():
    history = History(
        unit_id="u1",
        frequency="quarter",
        is_key_unit=True,
        hygiene_grade="C",
        visits=[
            Visit("i1", d(94), violation=True, serious=False),
            Visit("i2", d(200), violation=True, serious=True),
            Visit("i3", d(400), violation=True, serious=True),  # older than 12 months: not counted
        ],
        opinions=[Record("o1", d(94), "意〔2026〕1号"), Record("o2", d(200), "意〔2026〕2号", closed=True)],
        complaints=[Record("c1", d(10), "R1"), Record("c2", d(500), "R2")],
        reports=[Record("r1", d(20), "")],
        licences=[Record("l1", d(5), "许可证 1"), Record("l2", ON + datetime.timedelta(days=10), "许可证 2")],
        health_certificates=[
            Record("h1", d(1), "张三"),
            Record("h2", d(1), "李四"),
            Record("h3", d(1), "王五"),
            Record("h4", d(1), "赵六"),
            Record("h5", ON + datetime.timedelta(days=100), "赵六"),  # renewed: not expired
        ],
    )
    scored = score_history(history, on=ON, weights=W)
    by_code = {r.code: r for r in scored.reasons}
    assert by_code["violations"].params == {"n": 2} and by_code["violations"].points == 2 * W.violation
    assert [link["id"] for link in by_code["violations"].links] == ["i1", "i2"]
    assert by_code["serious"].points == W.serious
    assert by_code["open_rectifications"].params == {"n": 1}
    assert by_code["open_rectifications"].links[0] == {"kind": "opinion", "id": "o1", "label": "意〔2026〕1号"}
    assert by_code["complaints"].params == {"n": 1}
    assert by_code["reports"].params == {"n": 1}
    assert by_code["overdue"].params == {"days": 94, "rule": 90} and by_code["overdue"].points == W.overdue
    assert by_code["licences_expired"].params == {"n": 1}
    assert by_code["licences_expiring"].params == {"n": 1}
    assert by_code["health_expired"].params == {"n": 3}
    assert by_code["hygiene"].points == W.hygiene_c
    assert by_code["key_unit"].points == W.key_unit
    assert scored.score == sum(r.points for r in scored.reasons)
    assert scored.grade == "high"


def test_the_reasons_read_as_the_county_reads_them(settings):
    from django.utils import translation

    from xieguan.risk.reasons import reason_text

    with translation.override("zh-hans"):
        assert reason_text({"code": "violations", "params": {"n": 2}}) == "2 次违法记录（近12个月）"
        assert reason_text({"code": "health_expired", "params": {"n": 3}}) == "健康证 3 人过期"
        assert reason_text({"code": "overdue", "params": {"days": 94, "rule": 90}}) == "距上次巡查 94 天，规定 90 天"


def test_overdue_points_grow_per_interval_up_to_three():
    def points(days: int) -> int:
        h = History(unit_id=1, frequency="month", visits=[Visit("v", d(days), False, False)])
        return score_history(h, on=ON, weights=W).score

    assert points(30) == 0
    assert points(31) == W.overdue
    assert points(61) == 2 * W.overdue
    assert points(400) == 3 * W.overdue


def test_records_after_the_day_never_count():
    later = ON + datetime.timedelta(days=1)
    history = History(
        unit_id=1,
        visits=[Visit("v", d(10), False, False), Visit("late", later, True, True)],
        opinions=[Record("o", later, "x")],
        complaints=[Record("c", later, "x")],
        reports=[Record("r", later, "x")],
    )
    assert score_history(history, on=ON, weights=W).score == 0


def test_weights_and_grade_thresholds_are_the_countys():
    h = History(unit_id=1, visits=[Visit("v", d(10), True, False)])
    assert score_history(h, on=ON, weights=Weights(violation=40)).grade == "high"
    assert score_history(h, on=ON, weights=Weights(violation=0)).score == 0
    assert score_history(h, on=ON, weights=Weights(medium_from=5, high_from=50)).grade == "medium"
