"""The bulletin (通报) of an assessment: drafted from its results (ranking,
awards, the problems found, by township), edited by the user, issued as Word
and PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from xieguan.assessments.models import AssessedArea, Assessment, Deduction, DeductionKind, ItemScore


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
        f"关于{assessment.name}结果的通报",
        "",
        "各乡镇卫生院（卫生监督协管站）：",
        f"根据《{assessment.scheme.name}》，{assessment.area.name}于{assessment.starts_on:%Y年%m月%d日}至"
        f"{assessment.ends_on:%Y年%m月%d日}对{len(results.rows)}个单位的卫生监督协管工作进行了考核，现将结果通报如下。",
        "",
        "一、考核结果",
    ]
    for r in ranked:
        tier = f"，{r.tier}" if r.tier else ""
        veto = "（一票否决）" if r.vetoed else ""
        lines.append(f"第{r.rank}名 {r.area.name} {r.total}分{tier}{veto}")
    winners = [r for r in ranked if r.tier]
    if winners:
        lines += ["", "二、表扬", "、".join(f"{r.area.name}（{r.tier}）" for r in winners) + "工作扎实，予以通报表扬。"]
    problems: list[str] = []
    for r in ranked:
        lost = []
        for item, cell in zip(results.items, getattr(r, "cells", []), strict=False):
            if cell is not None and cell.score is not None and cell.score < item.max_score * 6 / 10:
                lost.append(f"{item.name}（{cell.score}/{item.max_score}分）")
        reasons = [d.reason for d in results.deductions if d.area_id == r.area_id]
        if lost or reasons:
            problems.append(f"{r.area.name}：" + "；".join(lost + reasons) + "。")
    if problems:
        lines += ["", "三、存在的问题", *problems]
    lines += ["", "请各单位对照问题认真整改，整改情况于下次考核时一并检查。", "", assessment.area.name]
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
    document.add_heading("考核得分表", level=2)
    headers = ["名次", "单位"] + [f"{i.name}（{i.max_score}）" for i in results.items] + ["总分", "奖项"]
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, headers, strict=True):
        cell.text = label
    for r in results.rows:
        values = [str(r.rank or ""), r.area.name]
        values += [str(c.score) if c is not None and c.score is not None else "" for c in getattr(r, "cells", [])]
        values += [str(r.total if r.total is not None else ""), r.tier + ("（一票否决）" if r.vetoed else "")]
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


__all__ = ["DeductionKind", "Results", "bulletin_docx", "bulletin_draft", "results_of"]
