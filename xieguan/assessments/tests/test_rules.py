"""The arithmetic on hand-made figures, and the money adding up exactly
whatever the budget and populations (Hypothesis)."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from xieguan.assessments.rules import (
    allocate,
    coefficient_of,
    item_score,
    largest_remainder,
    rank_and_tier,
    total_score,
)


def test_threshold_gives_full_marks_at_or_above_the_target():
    assert item_score(percent=D("95"), max_score=D("10"), rule="threshold", target=D("95"), floor=D("60")) == D("10.00")
    assert item_score(percent=D("100"), max_score=D("10"), rule="threshold", target=D("95")) == D("10.00")


def test_threshold_is_proportional_below_the_target_and_zero_under_the_floor():
    assert item_score(percent=D("76"), max_score=D("10"), rule="threshold", target=D("95"), floor=D("60")) == D("8.00")
    assert item_score(percent=D("59.9"), max_score=D("10"), rule="threshold", target=D("95"), floor=D("60")) == D(
        "0.00"
    )
    assert item_score(percent=D("60"), max_score=D("15"), rule="threshold", target=D("90"), floor=D("60")) == D("10.00")


def test_nothing_counted_scores_nothing():
    assert item_score(percent=None, max_score=D("10"), rule="threshold", target=D("90")) == D("0.00")


def test_tiers_take_the_highest_reached():
    tiers = [(D("90"), D("100")), (D("80"), D("80")), (D("60"), D("50"))]
    assert item_score(percent=D("85"), max_score=D("20"), rule="tiers", tiers=tiers) == D("16.00")
    assert item_score(percent=D("90"), max_score=D("20"), rule="tiers", tiers=tiers) == D("20.00")
    assert item_score(percent=D("59"), max_score=D("20"), rule="tiers", tiers=tiers) == D("0.00")


def test_deductions_come_off_and_never_below_zero():
    assert total_score([D("40"), D("35.5")], [D("2"), D("1.5")], vetoed=False) == D("72.00")
    assert total_score([D("3")], [D("5")], vetoed=False) == D("0.00")


def test_a_veto_makes_the_total_zero():
    assert total_score([D("50"), D("48")], [], vetoed=True) == D("0.00")


def test_award_tiers_by_rank_counts_share_ties_and_skip_a_veto():
    totals = [("a", D("95")), ("b", D("90")), ("c", D("90")), ("d", D("80")), ("e", D("70")), ("v", D("99"))]
    out = {
        r.key: (r.rank, r.tier)
        for r in rank_and_tier(
            totals, mode="ranks", tiers=[("一等奖", 1), ("二等奖", 2), ("三等奖", 3)], vetoed=frozenset({"v"})
        )
    }
    assert out["v"] == (1, "")
    assert out["a"] == (2, "二等奖")
    assert out["b"] == out["c"] == (3, "二等奖")
    assert out["d"] == (5, "三等奖")


def test_award_tiers_by_thresholds():
    out = rank_and_tier(
        [("a", D("92")), ("b", D("81")), ("c", D("50"))],
        mode="thresholds",
        tiers=[("一等奖", D("90")), ("二等奖", D("80"))],
    )
    assert [r.tier for r in out] == ["一等奖", "二等奖", ""]


def test_allocation_by_population_and_coefficient_on_hand_made_figures():
    # 10000 × 0.9 : 20000 × 0.8 : 5000 × 1.0 = 9000 : 16000 : 5000 of 30000 → 300 : 533.33.. : 166.66..
    parts = allocate(D("1000.00"), [(10000, D("0.9")), (20000, D("0.8")), (5000, D("1.0"))])
    assert parts == [D("300.00"), D("533.33"), D("166.67")]  # the larger remainder (.67) takes the fen
    assert sum(parts) == D("1000.00")


def test_coefficient_by_share_or_tier():
    assert coefficient_of(D("87.5"), formula="share") == D("0.8750")
    assert coefficient_of(
        D("87.5"), formula="tiers", tier="一等奖", tier_coefficients={"一等奖": D("1.2"), "": D("1")}
    ) == D("1.2")
    assert coefficient_of(D("50"), formula="tiers", tier="", tier_coefficients={"一等奖": D("1.2")}) == D("1")


budgets = st.decimals(min_value=D("0"), max_value=D("99999999.99"), places=2)
populations = st.lists(st.integers(min_value=0, max_value=2_000_000), min_size=1, max_size=40)


@given(budget=budgets, pops=populations, data=st.data())
def test_allocations_add_up_exactly_to_the_budget(budget, pops, data):
    coefficients = data.draw(
        st.lists(st.decimals(min_value=D("0"), max_value=D("1.5"), places=4), min_size=len(pops), max_size=len(pops))
    )
    parts = allocate(budget, list(zip(pops, coefficients, strict=True)))
    assert sum(parts) == budget
    assert all(p >= 0 and p == p.quantize(D("0.01")) for p in parts)


@given(
    budget=budgets,
    weights=st.lists(st.decimals(min_value=D("0"), max_value=D("1e7"), places=3), min_size=1, max_size=30),
)
def test_largest_remainder_is_within_a_fen_of_the_exact_share(budget, weights):
    parts = largest_remainder(budget, weights)
    assert sum(parts) == budget
    whole = sum(weights)
    if whole:
        for part, w in zip(parts, weights, strict=True):
            assert abs(part - budget * w / whole) < D("0.01")
