"""The campaign's closing summary: tables from the data, a prose draft the user edits, Word."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from typing import Any

from xieguan.campaigns.models import Campaign
from xieguan.campaigns.selectors import TownshipProgress, progress, targets_for


@dataclass
class SummaryTables:
    progress: list[TownshipProgress]
    targets: int
    done: int
    results: list[tuple[str, int]]
    rows: list[Any]


def summary_tables(user: Any, campaign: Campaign) -> SummaryTables:
    rows = list(targets_for(user, campaign).order_by("area__path", "unit__name", "id"))
    results: Counter[str] = Counter()
    for t in rows:
        if t.is_done:
            results[str(t.inspection.get_overall_result_display() or "未填写")] += 1
    townships = progress(user, campaign)
    return SummaryTables(
        progress=townships,
        targets=sum(p.targets for p in townships),
        done=sum(p.done for p in townships),
        results=sorted(results.items()),
        rows=rows,
    )


def summary_draft(campaign: Campaign, tables: SummaryTables) -> str:
    """A first draft in plain words, from the figures."""
    rate = f"{tables.done * 100 / tables.targets:.1f}%" if tables.targets else "—"
    lines = [
        f"根据{campaign.basis or '有关要求'}，{campaign.area.name}于{campaign.starts_on:%Y年%m月%d日}至"
        f"{campaign.ends_on:%Y年%m月%d日}开展{campaign.name}。",
        f"本次专项检查共列检查对象 {tables.targets} 户，已检查 {tables.done} 户，专项完成率 {rate}。",
    ]
    for p in tables.progress:
        lines.append(f"{p.township.name}：检查对象 {p.targets} 户，已检查 {p.done} 户。")
    if tables.results:
        lines.append("检查结果：" + "，".join(f"{label} {n} 户" for label, n in tables.results) + "。")
    lines.append("发现的主要问题及整改情况：（请补充）")
    lines.append("下一步工作：（请补充）")
    return "\n".join(lines)


def summary_docx_bytes(campaign: Campaign, tables: SummaryTables, text: str) -> bytes:
    """The summary as Word: title, the progress table, the targets table, the text."""
    from docx import Document
    from docx.oxml.ns import qn

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
    document.add_heading(f"{campaign.name}工作总结", level=1)
    for block in text.replace("\r\n", "\n").split("\n"):
        if block.strip():
            document.add_paragraph(block.strip())
    document.add_heading("各乡镇完成情况", level=2)
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, ["乡镇", "检查对象", "已检查", "专项完成率"], strict=True):
        cell.text = label
    for p in tables.progress:
        cells = table.add_row().cells
        percent = p.rate.percent
        for cell, value in zip(
            cells,
            [p.township.name, str(p.targets), str(p.done), f"{percent}%" if percent is not None else "—"],
            strict=True,
        ):
            cell.text = value
    document.add_heading("检查对象", level=2)
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, ["乡镇", "单位", "检查日期", "结果"], strict=True):
        cell.text = label
    from xieguan.core.display import local

    for t in tables.rows:
        cells = table.add_row().cells
        done = t.is_done
        values = [
            t.area.name,
            t.unit.name,
            f"{local(t.inspection.started_at):%Y-%m-%d}" if done else "未检查",
            str(t.inspection.get_overall_result_display()) if done else "",
        ]
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
