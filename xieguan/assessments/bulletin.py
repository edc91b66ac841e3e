"""The bulletin (通报) of an assessment: drafted from its results (ranking,
awards, the problems found, by township), edited by the user, issued as Word
and PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from xieguan.assessments.models import AssessedArea, Assessment, Deduction, DeductionKind, ItemScore
from xieguan.assessments.periods import day_text
from xieguan.core.display import join_clauses, join_list


@dataclass
class Results:
    rows: list[AssessedArea]
    items: list[Any]
    matrix: dict[Any, dict[Any, ItemScore]] = field(default_factory=dict)  # area_id → item_id → score
    deductions: list[Deduction] = field(default_factory=list)


def results_of(assessment: Assessment, rows: Any, scores: Any, deductions: Any) -> Results:
    """The results table from querysets already scoped for the reader."""
    out = Results(rows=list(rows), items=list(assessment.scheme.items.all()), deductions=list(deductions))
    for s in scores:
        out.matrix.setdefault(s.area_id, {})[s.item_id] = s
    for r in out.rows:
        r.cells = [out.matrix.get(r.area_id, {}).get(i.pk) for i in out.items]  # type: ignore[attr-defined]
    return out


def bulletin_draft(assessment: Assessment, results: Results) -> str:
    """A first draft from the data, for the user to edit."""
    ranked = [r for r in results.rows if r.total is not None]
    lines = [
        _("Bulletin on the results of %(assessment)s") % {"assessment": assessment.name},
        "",
        _("To the township health centres (health supervision co-management stations):"),
        ngettext(
            "Under “%(scheme)s”, %(area)s assessed the health supervision co-management work of %(count)d area "
            "from %(start)s to %(end)s. The results are announced as follows.",
            "Under “%(scheme)s”, %(area)s assessed the health supervision co-management work of %(count)d areas "
            "from %(start)s to %(end)s. The results are announced as follows.",
            len(results.rows),
        )
        % {
            "scheme": assessment.scheme.name,
            "area": assessment.area.name,
            "start": day_text(assessment.starts_on),
            "end": day_text(assessment.ends_on),
            "count": len(results.rows),
        },
        "",
        _("1. Results"),
    ]
    for r in ranked:
        values = {"rank": r.rank, "area": r.area.name, "total": r.total, "award": r.tier}
        if r.tier:
            line = _("No. %(rank)s %(area)s %(total)s points, %(award)s") % values
        else:
            line = _("No. %(rank)s %(area)s %(total)s points") % values
        lines.append(_("%(text)s (one-vote veto)") % {"text": line} if r.vetoed else line)
    winners = [r for r in ranked if r.tier]
    if winners:
        named = join_list(_("%(area)s (%(award)s)") % {"area": r.area.name, "award": r.tier} for r in winners)
        lines += ["", _("2. Commendations"), _("%(areas)s did solid work and are commended.") % {"areas": named}]
    problems: list[str] = []
    for r in ranked:
        lost = []
        for item, cell in zip(results.items, getattr(r, "cells", []), strict=False):
            if cell is not None and cell.score is not None and cell.score < item.max_score * 6 / 10:
                lost.append(
                    _("%(item)s (%(score)s/%(max)s points)")
                    % {"item": item.name, "score": cell.score, "max": item.max_score}
                )
        reasons = [d.reason for d in results.deductions if d.area_id == r.area_id]
        if lost or reasons:
            problems.append(
                _("%(area)s: %(problems)s.") % {"area": r.area.name, "problems": join_clauses(lost + reasons)}
            )
    if problems:
        lines += ["", _("3. Problems found"), *problems]
    lines += [
        "",
        _("Every area is asked to put its problems right; the rectification will be checked at the next assessment."),
        "",
        assessment.area.name,
    ]
    return "\n".join(lines)


def bulletin_docx(assessment: Assessment, results: Results, text: str) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
    blocks = [b for b in text.replace("\r\n", "\n").split("\n")]
    title, rest = (blocks[0], blocks[1:]) if blocks else (assessment.name, [])
    document.add_heading(title.strip() or assessment.name, level=1)
    for block in rest:
        if block.strip():
            document.add_paragraph(block.strip())
    document.add_heading(_("Assessment score table"), level=2)
    headers = [
        _("Rank"),
        pgettext("assessed area", "Area"),
        *[_("%(item)s (%(max)s)") % {"item": i.name, "max": i.max_score} for i in results.items],
        _("Total score"),
        _("Award"),
    ]
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, headers, strict=True):
        cell.text = label
    for r in results.rows:
        values = [str(r.rank or ""), r.area.name]
        values += [str(c.score) if c is not None and c.score is not None else "" for c in getattr(r, "cells", [])]
        award = (_("%(text)s (one-vote veto)") % {"text": r.tier}).strip() if r.vetoed else r.tier
        values += [str(r.total if r.total is not None else ""), award]
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


__all__ = ["DeductionKind", "Results", "bulletin_docx", "bulletin_draft", "results_of"]
