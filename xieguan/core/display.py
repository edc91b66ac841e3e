"""How values read to people (issue 20 items 3 and 4): in the county's time
zone (settings.TIME_ZONE, Asia/Shanghai by default) and in Chinese — 是/否
for a flag, 2026年1月 for a month, 2026年12月6日 for a day, a local
``2026-12-06 02:14`` for a moment, never a raw ``True``, ``None`` or an ISO
timestamp in UTC. Pages, PDFs, workbooks, file names and the audit log all
format through here; machine fields (the API's JSON, form inputs) stay ISO."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils import timezone
from django.utils.translation import pgettext

EMPTY = "—"

# An ISO 8601 moment as ``datetime.isoformat()`` writes it (the audit log
# keeps its values so); an offset or Z makes it aware.
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def yes_no(value: bool) -> str:
    """是 / 否."""
    return pgettext("boolean value", "yes") if value else pgettext("boolean value", "no")


def local(moment: datetime.datetime) -> datetime.datetime:
    """The moment in the county's time zone (a naive one is taken as already local)."""
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def moment_label(moment: datetime.datetime, *, seconds: bool = False) -> str:
    """``2026-12-06 02:14`` in the county's time zone."""
    return local(moment).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


# Months and days are written in the interface language: the Chinese way
# (2026年1月) by default, as the national forms and registers write them
# (and as file names carry them); 2026-1 and 2026-12-6 in English.


def month_label(year: int, month: int | None = None) -> str:
    """``2026年1月``; ``2026年`` for a whole year (no month)."""
    if month:
        return pgettext("month label", "%(year)s-%(month)s") % {"year": year, "month": month}
    return pgettext("year label", "%(year)s") % {"year": year}


def date_label(day: datetime.date) -> str:
    """``2026年12月6日``: a day as a person writes it (a moment: its local day)."""
    if isinstance(day, datetime.datetime):
        day = local(day).date()
    return pgettext("date label", "%(year)s-%(month)s-%(day)s") % {"year": day.year, "month": day.month, "day": day.day}


# Punctuation is the interface language's: Chinese lists are joined with 、,
# clauses with ；, a label meets its value with ：, a note stands in （）.


def join_list(items: Any) -> str:
    """Items of a list: ``甲、乙`` (``a, b`` in English)."""
    return pgettext("list separator", ", ").join(str(item) for item in items)


def join_clauses(items: Any) -> str:
    """Clauses, each a sentence of its own: ``甲；乙`` (``a; b``)."""
    return pgettext("clause separator", "; ").join(str(item) for item in items)


def join_phrases(items: Any) -> str:
    """Phrases of one sentence: ``甲，乙`` (``a, b``)."""
    return pgettext("phrase separator", ", ").join(str(item) for item in items)


def labelled(label: Any, value: Any) -> str:
    """``标签：值`` (``label: value``)."""
    return pgettext("label and value", "%(label)s: %(value)s") % {"label": label, "value": value}


def with_note(text: Any, note: Any) -> str:
    """``名称（说明）`` (``name (note)``)."""
    return pgettext("text and note", "%(text)s (%(note)s)") % {"text": text, "note": note}


def parse_moment(text: str) -> datetime.datetime | None:
    """The moment an ISO 8601 text names, or None when it names none."""
    if not _ISO_MOMENT.fullmatch(text.strip()):
        return None
    try:
        return datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def human_value(value: Any) -> str:
    """A stored value as a person reads it: 是/否, ``—`` for nothing, a list
    joined with 、, a moment (or its ISO text, as the audit log keeps it) in
    local time, a day as ``2026-12-06``."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime.datetime):
        return moment_label(value)
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, list | tuple | set):
        return join_list(human_value(v) for v in value)
    if isinstance(value, dict):
        return join_clauses(labelled(k, human_value(v)) for k, v in value.items())
    if isinstance(value, str):
        moment = parse_moment(value)
        if moment is not None:
            return moment_label(moment)
    return str(value)
