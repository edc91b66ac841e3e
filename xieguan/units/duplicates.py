"""Possible duplicates in the registry (SPEC §3): the same unit registered
twice, found by an identical credit code, or by a near-identical name and
address within the same township.

Names and addresses are compared after folding what differs between two
people typing the same thing: full-width and half-width characters, spaces,
punctuation, common legal-form suffixes (有限公司 …), and the township's own
name in front ("城关镇红星酒店" is "红星酒店" in 城关镇). Two units are
possible duplicates when

    name similarity  ≥ NAME_THRESHOLD, and
    address similarity ≥ ADDRESS_THRESHOLD (when both have an address; when
    either has none, the folded names must be equal), and
    the numbers in them (house numbers, "1号店") the same,

similarity being difflib's ratio (2·matches ÷ total length). Comparing every
pair in a township grows with its square, so candidates are the neighbours
in name order (and in reversed-name order, for names that differ at the
start): near-identical names sort next to each other.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from xieguan.core.tabular import fold_width

NAME_THRESHOLD = 0.85
ADDRESS_THRESHOLD = 0.8
WINDOW = 6

# Longest first: 有限责任公司 before 有限公司 before 公司.
SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "分公司",
    "公司",
    "个体工商户",
    "经营部",
    "门市部",
)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", fold_width(text or "")).lower()
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] not in "PSZ")


# Place names are folded once, not once per unit compared: a township's
# villages are folded for each of its units' names and addresses (on the
# unit file page, ~30,000 folds of the same ~60 names before this).
_fold_place = lru_cache(maxsize=16384)(_fold)


def normalise_name(name: str, *, places: Sequence[str] = ()) -> str:
    """The name with width, case, spaces, punctuation, a legal-form suffix and
    a leading place name folded away."""
    folded = _fold(name)
    changed = True
    while changed:
        changed = False
        for place in places:
            place = _fold_place(place)
            if place and folded.startswith(place) and len(folded) > len(place) + 1:
                folded = folded[len(place) :]
                changed = True
                break
    for suffix in SUFFIXES:
        if folded.endswith(suffix) and len(folded) > len(suffix) + 1:
            folded = folded[: -len(suffix)]
            break
    return folded


def normalise_address(address: str, *, places: Sequence[str] = ()) -> str:
    """The address with width, spaces, punctuation and leading place names
    (county, township, village) folded away."""
    folded = _fold(address)
    changed = True
    while changed and folded:
        changed = False
        for place in places:
            place = _fold_place(place)
            if place and folded.startswith(place):
                folded = folded[len(place) :]
                changed = True
                break
    return folded


@lru_cache(maxsize=20000)
def normalised_pair(name: str, address: str, places: tuple[str, ...]) -> tuple[str, str]:
    """(normalise_name, normalise_address) of a unit, remembered per process:
    a unit file compares the unit with every unit of its township, and the
    township's names change far less often than its files are opened."""
    return normalise_name(name, places=places), normalise_address(address, places=places)


def similarity(a: str, b: str) -> float:
    """difflib's ratio of two folded strings, 0 … 1."""
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def is_near_identical(name_a: str, address_a: str, name_b: str, address_b: str) -> bool:
    """Whether two folded (name, address) pairs look like the same unit."""
    if not name_a or not name_b:
        return False
    if _numbers(name_a) != _numbers(name_b):
        return False  # 阳光1号面馆 and 阳光2号面馆 are two shops
    if name_a != name_b and not _similar(name_a, name_b, NAME_THRESHOLD):
        return False
    if address_a and address_b:
        if _numbers(address_a) and _numbers(address_b) and _numbers(address_a) != _numbers(address_b):
            return False  # 人民路145号 is not 人民路141号
        return address_a == address_b or _similar(address_a, address_b, ADDRESS_THRESHOLD)
    return name_a == name_b


def _similar(a: str, b: str, threshold: float) -> bool:
    """similarity(a, b) ≥ threshold, with difflib's cheap upper bounds first
    (most pairs compared are far apart)."""
    if 2 * min(len(a), len(b)) / (len(a) + len(b)) < threshold:
        return False
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.quick_ratio() >= threshold and matcher.ratio() >= threshold


_DIGITS = re.compile(r"\d+")


def _numbers(text: str) -> list[str]:
    return [n.lstrip("0") for n in _DIGITS.findall(text)]


def place_names_for(path_names: Iterable[str]) -> list[str]:
    """The place names to fold off names and addresses: each name and its
    stem without 镇/乡/街道/村/社区居委会, longest first."""
    names: set[str] = set()
    for name in path_names:
        if not name:
            continue
        names.add(name)
        for ending in ("社区居委会", "居委会", "街道", "镇", "乡", "村", "县", "市", "区"):
            if name.endswith(ending) and len(name) > len(ending) + 1:
                names.add(name[: -len(ending)])
    return sorted(names, key=len, reverse=True)


@dataclass
class Candidate:
    """One unit (or one row of a sheet) as compared: ``key`` identifies it to
    the caller (a unit id, a row number); ``group`` is its township."""

    key: Any
    group: str
    name: str
    address: str
    credit_code: str | None = None


def duplicate_pairs(candidates: Sequence[Candidate]) -> list[tuple[Candidate, Candidate, str]]:
    """(a, b, reason) for every possible duplicate pair: ``reason`` is
    "credit_code" (identical code, anywhere among the candidates) or "name"
    (near-identical name and address in the same group). Each pair once."""
    pairs: dict[tuple[Any, Any], tuple[Candidate, Candidate, str]] = {}

    def add(a: Candidate, b: Candidate, reason: str) -> None:
        if a.key == b.key:
            return
        key = (a.key, b.key) if str(a.key) < str(b.key) else (b.key, a.key)
        if key not in pairs or (reason == "credit_code" and pairs[key][2] != reason):
            pairs[key] = (a, b, reason)

    by_code: dict[str, list[Candidate]] = {}
    for c in candidates:
        if c.credit_code:
            by_code.setdefault(c.credit_code, []).append(c)
    for same in by_code.values():
        for i, a in enumerate(same):
            for b in same[i + 1 :]:
                add(a, b, "credit_code")

    by_group: dict[str, list[Candidate]] = {}
    for c in candidates:
        by_group.setdefault(c.group, []).append(c)
    for members in by_group.values():
        for order in (lambda c: c.name, lambda c: c.name[::-1]):
            ranked = sorted(members, key=order)
            for i, a in enumerate(ranked):
                for b in ranked[i + 1 : i + 1 + WINDOW]:
                    if is_near_identical(a.name, a.address, b.name, b.address):
                        add(a, b, "name")
    return list(pairs.values())
