"""The penalty-wording check (SPEC §1, §4): a co-manager's opinion may not
hold 责令, 罚款, 处罚 … even written 责 令 or 罚，款 or in full-width letters.

Both text and phrases are normalised the same way — NFKC (full-width →
half-width), lower case, spaces, punctuation and symbols removed — and the
matches are mapped back to the original characters so a page can mark them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def _kept(ch: str) -> str:
    """The normalised form of one character, "" when it is skipped."""
    norm = unicodedata.normalize("NFKC", ch).lower()
    return "".join(c for c in norm if not c.isspace() and unicodedata.category(c)[0] not in "PSZC")


def normalise(text: str) -> str:
    return "".join(_kept(ch) for ch in text or "")


@dataclass(frozen=True)
class Hit:
    phrase: str
    start: int  # index into the original text
    end: int


def find_forbidden(text: str, phrases: Iterable[str]) -> list[Hit]:
    """Every occurrence of a forbidden phrase in ``text``, by position in the
    original text (so ``罚 款`` is one hit spanning the space)."""
    norm_chars: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text or ""):
        for c in _kept(ch):
            norm_chars.append(c)
            origin.append(index)
    norm = "".join(norm_chars)
    hits: list[Hit] = []
    for phrase in dict.fromkeys(phrases):
        needle = normalise(phrase)
        if not needle:
            continue
        at = norm.find(needle)
        while at != -1:
            hits.append(Hit(phrase, origin[at], origin[at + len(needle) - 1] + 1))
            at = norm.find(needle, at + 1)
    hits.sort(key=lambda h: (h.start, -h.end))
    return hits


def highlight(text: str, hits: Iterable[Hit]) -> SafeString:
    """The text as HTML with each offending span in <mark>; overlapping spans
    (处罚 inside 行政处罚) are merged."""
    spans: list[list[int]] = []
    for hit in sorted(hits, key=lambda h: h.start):
        if spans and hit.start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], hit.end)
        else:
            spans.append([hit.start, hit.end])
    out: list[str] = []
    pos = 0
    for start, end in spans:
        out.append(escape(text[pos:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out).replace("\n", "<br>"))  # noqa: S308 - every piece escaped above
