"""The arithmetic of an assessment, kept apart from the database so it can be
tested on hand-made figures (SPEC §9): an automatic item's score from its
indicator's rate, a total with deductions and a veto, the award tiers, and the
money. Pure functions on Decimals; nothing here reads or writes a record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
POINT = Decimal("0.01")
DEFAULT_PER_CAPITA = Decimal("1.25")  # 元 per person for 卫生监督协管 (seeds: 人均1.25元)


def _q(value: Decimal) -> Decimal:
    return value.quantize(POINT, rounding=ROUND_HALF_UP)


def item_score(
    *,
    percent: Decimal | None,
    max_score: Decimal,
    rule: str,
    target: Decimal | None = None,
    floor: Decimal | None = None,
    tiers: Sequence[tuple[Decimal, Decimal]] = (),
) -> Decimal:
    """The score an automatic item earns at ``percent`` (the indicator's rate;
    None when nothing was counted, which earns nothing).

    - ``threshold``: full marks at or above ``target``; zero under ``floor``;
      between them proportional: max × percent ÷ target.
    - ``tiers``: [(minimum percent, share of the maximum in per cent), …];
      the highest tier reached counts, none reached scores zero."""
    if percent is None:
        return Decimal("0.00")
    if rule == "tiers":
        reached = [share for minimum, share in tiers if percent >= minimum]
        return _q(max_score * max(reached) / 100) if reached else Decimal("0.00")
    target = target if target is not None else Decimal(100)
    if floor is not None and percent < floor:
        return Decimal("0.00")
    if target <= 0 or percent >= target:
        return _q(max_score)
    return _q(max_score * percent / target)


def total_score(item_scores: Sequence[Decimal], deductions: Sequence[Decimal], *, vetoed: bool) -> Decimal:
    """Items added, deductions taken off, never below zero; a one-vote veto
    (一票否决) makes the total zero whatever the items earned."""
    if vetoed:
        return Decimal("0.00")
    return _q(max(Decimal(0), sum(item_scores, Decimal(0)) - sum(deductions, Decimal(0))))


@dataclass(frozen=True)
class Ranked:
    key: object
    total: Decimal
    rank: int
    tier: str


def rank_and_tier(
    totals: Sequence[tuple[object, Decimal]],
    *,
    mode: str,
    tiers: Sequence[tuple[str, Decimal]],
    vetoed: frozenset[object] = frozenset(),
) -> list[Ranked]:
    """Rank by total (equal totals share a rank) and give award tiers.

    ``mode`` ``ranks``: ``tiers`` is [(name, how many), …] handed out in rank
    order (一等奖 1, 二等奖 2, 三等奖 3); a tie at a tier's last place goes to
    the better tier for all tied. ``thresholds``: [(name, minimum total), …],
    the first reached counts. A vetoed area wins nothing."""
    ordered = sorted(totals, key=lambda kv: -kv[1])
    out: list[Ranked] = []
    rank = 0
    previous: Decimal | None = None
    for position, (key, total) in enumerate(ordered, start=1):
        if total != previous:
            rank = position
            previous = total
        out.append(Ranked(key, total, rank, ""))
    if mode == "thresholds":
        return [
            Ranked(r.key, r.total, r.rank, "" if r.key in vetoed else next((n for n, m in tiers if r.total >= m), ""))
            for r in out
        ]
    given: list[Ranked] = []
    bounds: list[tuple[str, int]] = []
    upto = 0
    for name, count in tiers:
        upto += int(count)
        bounds.append((name, upto))
    for r in out:
        tier = "" if r.key in vetoed else next((n for n, limit in bounds if r.rank <= limit), "")
        given.append(Ranked(r.key, r.total, r.rank, tier))
    return given


def largest_remainder(budget: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``budget`` (元, to the fen) in proportion to ``weights`` so the
    parts add up to it exactly: each part rounded down to the fen, and the fen
    left over go one each to the largest remainders (earlier first on a tie).
    All weights zero: split evenly the same way."""
    fen_total = int((budget / FEN).to_integral_value(rounding=ROUND_HALF_UP))
    if not weights:
        return []
    if fen_total < 0:
        raise ValueError("budget below zero")
    weights = [max(Decimal(0), w) for w in weights]
    whole = sum(weights, Decimal(0))
    if whole == 0:
        weights = [Decimal(1)] * len(weights)
        whole = Decimal(len(weights))
    exact = [Decimal(fen_total) * w / whole for w in weights]
    floors = [int(e.to_integral_value(rounding=ROUND_DOWN)) for e in exact]
    left = fen_total - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [(Decimal(f) * FEN).quantize(FEN) for f in floors]


def coefficient_of(
    total: Decimal,
    *,
    formula: str,
    tier: str = "",
    tier_coefficients: dict[str, Decimal] | None = None,
    full_marks: Decimal = Decimal(100),
) -> Decimal:
    """The score coefficient: total ÷ full marks (``share``), or the
    coefficient the scheme gives the area's award tier (``tiers``; an area
    with no tier takes the coefficient named "" or 1)."""
    if formula == "tiers":
        table = tier_coefficients or {}
        return Decimal(str(table.get(tier, table.get("", "1"))))
    if full_marks <= 0:
        return Decimal(0)
    return (total / full_marks).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def allocate(budget: Decimal, rows: Sequence[tuple[int, Decimal]]) -> list[Decimal]:
    """The funds formula: each area's weight is its population × its score
    coefficient, and the budget is split by those weights to the fen,
    summing exactly to the budget (largest remainder)."""
    return largest_remainder(budget, [Decimal(population) * coefficient for population, coefficient in rows])
