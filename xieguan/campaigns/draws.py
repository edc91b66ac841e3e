"""The 双随机 algorithm, in the words the draw's page prints, with nothing
but SHA-256 (anyone can recompute a published draw with any SHA-256 tool):

- the seed is 32 random bytes written in hex (64 characters);
- every unit of the pool is ranked by the hex SHA-256 digest of
  ``seed + ":" + unit_id`` (ids as the draw's pool lists them), ascending,
  and the first ``count`` are picked; with ratios per grade, the ranking is
  made within each grade and each grade's share taken from its head;
- each picked unit's inspectors are ranked by the hex SHA-256 digest of
  ``seed + ":" + unit_id + ":" + inspector_id``, ascending, and taken in that
  order, skipping anyone in conflict with the unit, until the pair is made."""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


def new_seed() -> str:
    """32 random bytes in hex."""
    return secrets.token_hex(32)


def digest(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


def rank_units(seed: str, pool: Iterable[str]) -> list[str]:
    """The pool in draw order: by sha256(seed:unit_id), ascending."""
    return sorted(pool, key=lambda unit_id: digest(seed, unit_id))


def share(size: int, ratio: Decimal) -> int:
    """How many of ``size`` units a ratio in per cent takes: rounded up, so a
    non-empty group with a positive ratio gives at least one unit."""
    if size <= 0 or ratio <= 0:
        return 0
    return min(size, math.ceil(Decimal(size) * ratio / 100 - Decimal("1e-9")))


def pick_units(
    seed: str,
    pool: Sequence[str],
    *,
    count: int | None = None,
    ratio: Decimal | None = None,
    grade_of: dict[str, str] | None = None,
    grade_ratios: dict[str, Decimal] | None = None,
) -> list[str]:
    """The picked unit ids, in draw order. ``count`` or ``ratio`` (per cent of
    the pool) or, with ``grade_ratios``, a ratio per grade (``grade_of`` maps
    each unit to its grade; a grade without a ratio takes ``ratio``, or none)."""
    ranked = rank_units(seed, pool)
    if grade_ratios:
        grade_of = grade_of or {}
        chosen: set[str] = set()
        for grade in sorted({grade_of.get(u, "") for u in pool}):
            members = [u for u in ranked if grade_of.get(u, "") == grade]
            rate = grade_ratios.get(grade, ratio if ratio is not None else Decimal(0))
            chosen.update(members[: share(len(members), Decimal(rate))])
        return [u for u in ranked if u in chosen]
    if count is None:
        count = share(len(pool), ratio or Decimal(0))
    return ranked[:count]


def pick_inspectors(
    seed: str,
    unit_id: str,
    inspectors: Iterable[str],
    *,
    conflict: Callable[[str, str], bool],
    need: int = 2,
) -> list[str]:
    """``need`` inspectors for one unit: ranked by sha256(seed:unit_id:inspector_id),
    ascending, skipping those in conflict with the unit. Fewer when not enough
    are free (the caller refuses the draw then)."""
    ranked = sorted(inspectors, key=lambda person: digest(seed, unit_id, person))
    return [person for person in ranked if not conflict(unit_id, person)][:need]


ALGORITHM = _(
    "The random seed is 32 random bytes (a 64-digit hexadecimal number) generated at the draw. "
    "For each unit in the pool, the SHA-256 digest (hexadecimal) of “seed:unit id” is computed; "
    "the units are sorted by digest, smallest first, and the first ones are taken, as many as required; "
    "when shares are set per risk grade, the units of each grade are sorted the same way and each grade's share is taken. "
    "For each unit drawn, the SHA-256 digests of “seed:unit id:inspector id” are sorted, smallest first, "
    "skipping the people with an interest in the unit (a declared conflict, or working there), "
    "and taken in turn until the unit has the number of inspectors it needs (at least two). "
    "Anyone can recompute and check the result with any SHA-256 tool, from the seed and the lists published on this page."
)
