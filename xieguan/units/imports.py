"""Excel import of units (SPEC §3, issue 4 item 7): a template per category,
then upload → check → preview → confirm.

Every row is checked with the registry's own rules (``clean_unit_data``, the
same the unit form and the API use); a bad row is reported with its row
number, the column's header as written in the sheet, and the reason in
Chinese. Nothing is imported until every row is good. Confirm checks the
file again (the registry may have changed since) and writes every row in
one transaction, in bulk, with an audit event per unit.

What a sheet may look like is the county's business: title rows above the
header, headers merged over two rows, in any order, under an alias, with
trailing spaces or full-width characters; cells with full-width digits,
dates in the ways people write them, phone numbers Excel turned into floats,
credit codes in lower case or with spaces (xieguan.core.tabular).
"""

from __future__ import annotations

import datetime
import decimal
import io
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from simple_history.utils import bulk_create_with_history

from xieguan.accounts.permissions import MANAGE_UNITS, require
from xieguan.areas.models import Area, Level
from xieguan.core.audit import audit_record, audited_bulk_create
from xieguan.core.tabular import BadFile, cell_text, find_header, header_key, parse_date, read_rows
from xieguan.core.validators import normalise_credit_code
from xieguan.units.duplicates import Candidate, duplicate_pairs
from xieguan.units.models import (
    Category,
    CategoryField,
    FieldKind,
    Grade,
    ImportBatch,
    ImportStatus,
    RiskGrade,
    Unit,
    UnitStatus,
    county_id_of,
)
from xieguan.units.selectors import (
    COMMON_REQUIRED,
    county_id_for_user,
    fields_in_force,
    place_names_near,
    subtypes_in_force,
    township_path_of,
)
from xieguan.units.services import clean_unit_data, county_path, credit_code_taken, record_filing, unit_snapshot

if TYPE_CHECKING:
    from xieguan.accounts.models import User

logger = logging.getLogger(__name__)

# A sheet above this many rows is checked and imported in the background.
BACKGROUND_ROWS = 500
MAX_ROWS = 20_000
PROGRESS_EVERY = 250
PREVIEW_ROWS = 10
EXAMPLE_MARKS = ("（示例）", "(示例)", "示例：", "示例:")


@dataclass(frozen=True)
class Column:
    """One column of the template and of the sheets it reads."""

    key: str  # a unit field, or extra.<category field key>
    label: str  # the header the template writes
    aliases: tuple[str, ...] = ()
    needed: bool = False  # a row without it is refused (name, area)
    for_complete: bool = False  # needed for a complete file (marked ※)
    kind: str = "text"
    choices: tuple[str, ...] = ()
    example: Any = ""
    note: str = ""


STATUS_WORDS = {
    "营业": UnitStatus.OPEN,
    "正常": UnitStatus.OPEN,
    "在营": UnitStatus.OPEN,
    "开业": UnitStatus.OPEN,
    "停业": UnitStatus.SUSPENDED,
    "歇业": UnitStatus.SUSPENDED,
    "暂停营业": UnitStatus.SUSPENDED,
    "注销": UnitStatus.CLOSED,
    "关闭": UnitStatus.CLOSED,
    "已注销": UnitStatus.CLOSED,
}
RISK_WORDS = {"低": RiskGrade.LOW, "中": RiskGrade.MEDIUM, "高": RiskGrade.HIGH}
YES_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "重点"}
NO_WORDS = {"否", "无", "n", "no", "false", "0", "×", "非重点"}


def area_label(area: Area, township_name: str | None) -> str:
    """How the template lists an area: 城关镇, or 城关镇/李家村 for a village
    (two townships may each have a 王庄村)."""
    return f"{township_name}/{area.name}" if township_name else area.name


def unit_areas(user: Any) -> list[tuple[str, Area]]:
    """(label, area) of every active township and village the user may put
    a unit in, each township followed by its villages."""
    areas = list(
        Area.objects.active()
        .visible_to(user)
        .filter(level__in=[Level.TOWNSHIP, Level.VILLAGE])
        .select_related("parent")
        .in_code_order()
    )
    return [(area_label(a, a.parent.name if a.level == Level.VILLAGE and a.parent else None), a) for a in areas]


def columns_for(category: Category, areas: list[str], *, county_id: Any = None) -> list[Column]:
    """The template's columns: the common fields, then the category's own in
    force in the county (the national ones and the county's; the national
    ones only when no county is given)."""
    subtypes = tuple(s.name for s in subtypes_in_force(category, county_id))
    required_common = {name for name, _label in COMMON_REQUIRED}
    columns = [
        Column(
            "name",
            pgettext("import column", "Unit name"),
            ("单位名称", "名称", "单位", "企业名称", "机构名称", "name"),
            needed=True,
            example="红星酒店",
        ),
        Column(
            "credit_code",
            pgettext("import column", "Unified social credit code"),
            ("统一社会信用代码", "信用代码", "社会信用代码", "统一代码", "credit code"),
            example="91411234MA0000001X",
            note=_("18 characters; leave empty if the unit has none."),
        ),
        Column(
            "area",
            pgettext("import column", "Village or township"),
            (
                "所属村（社区）或乡镇",
                "村或乡镇",
                "所属区域",
                "所在区划",
                "所属乡镇",
                "乡镇",
                "村",
                "所属村",
                "区域",
                "area",
            ),
            needed=True,
            kind="choice",
            choices=tuple(areas),
            example=areas[0] if areas else "",
            note=_("Choose from the list: a township, or township/village."),
        ),
        Column(
            "subtype",
            pgettext("import column", "Subtype"),
            ("小类", "类别", "专业类别", "单位类别", "subtype"),
            for_complete="subtype" in required_common,
            kind="choice",
            choices=subtypes,
            example=subtypes[0] if subtypes else "",
        ),
        Column(
            "address",
            pgettext("import column", "Address"),
            ("地址", "经营地址", "单位地址", "详细地址", "注册地址", "address"),
            for_complete=True,
            example="城关镇人民路18号",
        ),
        Column(
            "legal_representative",
            pgettext("import column", "Legal representative"),
            ("法定代表人（负责人）", "法定代表人", "法人", "负责人", "法人代表"),
            for_complete=True,
            example="王建国",
        ),
        Column(
            "phone",
            pgettext("import column", "Contact phone"),
            ("联系电话", "电话", "手机", "手机号", "联系方式", "phone"),
            for_complete=True,
            example="13800000000",
        ),
        Column(
            "status",
            pgettext("import column", "Status"),
            ("经营状态", "状态", "营业状态", "status"),
            kind="choice",
            choices=("营业", "停业", "注销"),
            example="营业",
            note=_("Empty means open."),
        ),
        Column(
            "opened_on",
            pgettext("import column", "Opened on"),
            ("开业日期", "成立日期", "开业时间"),
            kind="date",
            example="2023-05-06",
            note=_("A date such as 2023-05-06, 2023/5/6, 2023.5.6 or 2023年5月6日."),
        ),
        Column(
            "closed_on",
            pgettext("import column", "Closed on"),
            ("注销日期", "注销时间", "停业日期"),
            kind="date",
            note=_("Only for a closed unit."),
        ),
        Column(
            "is_key_unit",
            pgettext("import column", "Key unit"),
            ("重点单位", "重点户源", "是否重点单位", "重点户"),
            kind="choice",
            choices=("是", "否"),
            example="否",
        ),
        Column(
            "risk_grade",
            pgettext("import column", "Risk grade"),
            ("风险等级", "风险分级", "风险"),
            kind="choice",
            choices=("低", "中", "高"),
            example="低",
        ),
        Column(
            "hygiene_grade",
            pgettext("import column", "Hygiene grade"),
            ("量化分级", "卫生等级", "卫生信誉度等级", "等级"),
            kind="choice",
            choices=("A", "B", "C"),
            example="A",
        ),
        Column("latitude", pgettext("import column", "Latitude"), ("纬度", "latitude"), kind="decimal"),
        Column("longitude", pgettext("import column", "Longitude"), ("经度", "longitude"), kind="decimal"),
    ]
    for f in fields_in_force(category, county_id):
        kind = f.kind
        choices: tuple[str, ...] = tuple(f.choices or ())
        if kind == FieldKind.BOOL:
            choices = ("是", "否")
        columns.append(
            Column(
                f"extra.{f.key}",
                f.label,
                (f.label, f.key, re.sub(r"[（(].*?[)）]", "", f.label)),
                for_complete=f.required,
                kind="choice" if choices else kind,
                choices=choices,
                example=_example_for(f),
            )
        )
    return columns


def _example_for(f: CategoryField) -> Any:
    if f.kind == FieldKind.INT:
        return 20
    if f.kind == FieldKind.DECIMAL:
        return 120.5
    if f.kind == FieldKind.BOOL:
        return "否"
    if f.kind == FieldKind.DATE:
        return "2025-03-01"
    if f.kind == FieldKind.CHOICE:
        return (f.choices or [""])[0]
    return ""


# ---- the template -----------------------------------------------------------


def template_xlsx(category: Category, user: Any) -> bytes:
    """The import template of a category for this user: a title row, the
    headers (* needed to import, ※ needed for a complete file), an example row
    the import skips, drop-down lists for every enumeration (the user's own
    townships and villages among them) and an instructions sheet."""
    import xlsxwriter

    from xieguan.core.spreadsheets import new_workbook

    areas = [label for label, _a in unit_areas(user)]
    columns = columns_for(category, areas, county_id=county_id_for_user(user))
    buffer = io.BytesIO()
    book = new_workbook(buffer, in_memory=True)
    sheet_name = _("Units")[:31]
    ws = book.add_worksheet(sheet_name)
    notes = book.add_worksheet(_("Instructions")[:31])
    lists = book.add_worksheet("lists")
    title = book.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    head = book.add_format({"bold": True, "border": 1, "bg_color": "#E6F2EC", "text_wrap": True, "valign": "vcenter"})
    head_needed = book.add_format(
        {"bold": True, "border": 1, "bg_color": "#FBD9D6", "text_wrap": True, "valign": "vcenter"}
    )
    example = book.add_format({"italic": True, "font_color": "#777777"})
    text = book.add_format({"num_format": "@"})

    ws.merge_range(
        0,
        0,
        0,
        len(columns) - 1,
        _("%(category)s: units to import (* needed; ※ needed for a complete file)") % {"category": category.name},
        title,
    )
    ws.set_row(0, 30)
    for col, column in enumerate(columns):
        mark = "*" if column.needed else ("※" if column.for_complete else "")
        ws.write(1, col, f"{column.label}{mark}", head_needed if column.needed else head)
        width = max(12, min(30, len(column.label) * 2 + 4))
        if column.key in ("credit_code", "phone"):
            ws.set_column(col, col, 22, text)
        else:
            ws.set_column(col, col, width)
        value = column.example
        if col == 0:
            value = f"（示例）{value}"
        ws.write(2, col, value, example)
        if column.choices:
            lists.write(0, col, column.label)
            for i, choice in enumerate(column.choices, start=1):
                lists.write(i, col, choice)
            letter = xlsxwriter.utility.xl_col_to_name(col)
            ws.data_validation(
                2,
                col,
                MAX_ROWS + 2,
                col,
                {
                    "validate": "list",
                    "source": f"=lists!${letter}$2:${letter}${len(column.choices) + 1}",
                    "error_title": str(column.label)[:32],
                    "error_message": _("Choose a value from the list.")[:255],
                    "error_type": "warning",
                },
            )
    ws.freeze_panes(2, 1)
    lists.hide()

    notes.set_column(0, 0, 26)
    notes.set_column(1, 1, 80)
    bold = book.add_format({"bold": True})
    lines = [
        (_("How to fill in"), ""),
        (
            "1",
            _("One unit per row, from row 4 of the sheet “%(sheet)s”. Row 3 is an example; it is skipped.")
            % {"sheet": sheet_name},
        ),
        (
            "2",
            _(
                "Columns marked * are needed; a row without them is refused. Columns marked ※ are needed for a "
                "complete file."
            ),
        ),
        (
            "3",
            _(
                "Use the drop-down lists where a column has one. Dates may be written 2023-05-06, 2023/5/6, "
                "2023.5.6 or 2023年5月6日."
            ),
        ),
        ("4", _("Columns may be in any order; a title row above the header is fine.")),
        (
            "5",
            _(
                "Upload the sheet; every row is checked and every mistake is listed with its row and column. "
                "Nothing is imported until every row is good."
            ),
        ),
        ("", ""),
        (_("Column"), _("What to write")),
    ]
    for column in columns:
        detail = str(column.note)
        if column.choices and column.key != "area":
            detail = f"{detail} {_('One of')}: {'、'.join(column.choices)}".strip()
        lines.append((str(column.label), detail))
    for row, (a, b) in enumerate(lines):
        notes.write(row, 0, a, bold if row in (0, 7) else None)
        notes.write(row, 1, b, bold if row == 7 else None)
    book.close()
    return buffer.getvalue()


# ---- reading a sheet ----------------------------------------------------------


@dataclass
class CheckResult:
    """What checking a sheet found: the clean rows (row number, values),
    the errors [{row, column, reason}], possible duplicates, and how many
    good rows will have an incomplete file."""

    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    incomplete: int = 0
    preview: dict[str, Any] = field(default_factory=dict)


def _shown(column: Column, value: Any) -> str:
    """A clean value as the registry will show it: the area's township/village,
    a subtype's or a choice's name, a date as 2026-05-06, 是/否."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Area):
        parent = value.parent if value.level == Level.VILLAGE else None
        return area_label(value, parent.name if parent is not None else None)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "name") and not isinstance(value, str):
        return str(value.name)
    if not column.key.startswith("extra."):
        choices = dict(getattr(Unit._meta.get_field(column.key), "flatchoices", None) or ())
        return str(choices.get(value, value))
    return str(value)


def _preview(columns: list[Column], rows: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    """The first ``PREVIEW_ROWS`` good rows as they will be stored, in the
    sheet's columns (the template's order)."""

    def stored(clean: dict[str, Any], key: str) -> Any:
        return clean["extra"].get(key.removeprefix("extra.")) if key.startswith("extra.") else clean.get(key)

    table = [[row_no, *(_shown(c, stored(clean, c.key)) for c in columns)] for row_no, clean in rows[:PREVIEW_ROWS]]
    return {"columns": [str(c.label) for c in columns], "rows": table}


class _Resolver:
    """Turns cell text into the values the services take, per column kind;
    the subtypes and fields are those in force in the uploader's county."""

    def __init__(self, user: Any, category: Category) -> None:
        self.category = category
        self.county_id = county_id_for_user(user)
        self.fields = fields_in_force(category, self.county_id)
        self._fields_by_county: dict[Any, list[CategoryField]] = {self.county_id: self.fields}
        self.areas: dict[str, Area] = {}
        by_name: dict[str, list[Area]] = {}
        for label, area in unit_areas(user):
            self.areas[_fold_key(label)] = area
            self.areas[_fold_key(label.replace("/", ""))] = area
            by_name.setdefault(_fold_key(area.name), []).append(area)
        for name, found in by_name.items():
            if len(found) == 1:
                self.areas.setdefault(name, found[0])
        self.ambiguous = {name for name, found in by_name.items() if len(found) > 1}
        subtypes = list(subtypes_in_force(category, self.county_id))
        self.subtypes = {_fold_key(s.name): s for s in subtypes}
        self.subtype_names = "、".join(s.name for s in subtypes)

    def fields_for(self, area: Any) -> list[CategoryField]:
        """The fields in force where a row's unit will be (the uploader's
        county, unless an uploader above county level imports into several)."""
        county_id = county_id_of(area) if isinstance(area, Area) else self.county_id
        if county_id not in self._fields_by_county:
            self._fields_by_county[county_id] = fields_in_force(self.category, county_id)
        return self._fields_by_county[county_id]

    def area(self, text: str) -> Area:
        key = _fold_key(text)
        if key in self.areas:
            return self.areas[key]
        if key in self.ambiguous:
            raise ValueError(
                _("more than one village is called %(name)s; write it as township/village") % {"name": text}
            )
        raise ValueError(_("%(name)s is not a township or village in your area") % {"name": text})

    def subtype(self, text: str) -> Any:
        found = self.subtypes.get(_fold_key(text))
        if found is None:
            raise ValueError(_("choose one of: %(choices)s") % {"choices": self.subtype_names})
        return found


def _fold_key(text: str) -> str:
    return header_key(text).replace("/", "/").replace("、", "")


def _yes_no(text: str) -> bool:
    low = text.lower()
    if low in YES_WORDS:
        return True
    if low in NO_WORDS:
        return False
    raise ValueError(_("write 是 or 否"))


_SCIENTIFIC = re.compile(r"^\d(\.\d+)?e\+?\d+$", re.IGNORECASE)


def _convert(column: Column, raw: Any, resolver: _Resolver) -> Any:
    """The cell as the service takes it; ValueError with the reason."""
    if column.kind == "date" or (column.key.startswith("extra.") and column.kind == FieldKind.DATE):
        try:
            return parse_date(raw)
        except (ValueError, OverflowError):
            raise ValueError(_("is not a date; write it as 2023-05-06")) from None
    text = cell_text(raw)
    if text == "":
        return None
    key = column.key
    if key == "area":
        return resolver.area(text)
    if key == "subtype":
        return resolver.subtype(text)
    if key == "credit_code":
        return normalise_credit_code(text)
    if key == "phone":
        if _SCIENTIFIC.match(text):
            raise ValueError(
                _("Excel turned the number into %(text)s; format the column as text and type the number again")
                % {"text": text}
            )
        return text
    if key == "status":
        if text in STATUS_WORDS:
            return STATUS_WORDS[text]
        if text.lower() in UnitStatus.values:
            return text.lower()
        raise ValueError(_("write 营业, 停业 or 注销"))
    if key == "is_key_unit":
        return _yes_no(text)
    if key == "risk_grade":
        value = RISK_WORDS.get(text.removesuffix("风险"), text.lower())
        if value not in RiskGrade.values:
            raise ValueError(_("write 低, 中 or 高"))
        return value
    if key == "hygiene_grade":
        value = text.upper().removesuffix("级")
        if value not in Grade.values:
            raise ValueError(_("write A, B or C"))
        return value
    if key in ("latitude", "longitude"):
        try:
            return decimal.Decimal(text)
        except decimal.InvalidOperation:
            raise ValueError(_("is not a number")) from None
    return text


def _is_example(values: list[Any], name_col: int | None) -> bool:
    if name_col is None or name_col >= len(values):
        return False
    return cell_text(values[name_col]).startswith(EXAMPLE_MARKS)


def check_sheet(
    actor: User,
    category: Category,
    table: list[tuple[int, list[Any]]],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> CheckResult:
    """Check every row of a sheet (as ``read_rows`` gives it) for a category:
    the errors with row, column (the header as written) and reason; the
    clean values of every good row; possible duplicates within the sheet and
    against the registry."""
    result = CheckResult()
    resolver = _Resolver(actor, category)
    columns = columns_for(category, [], county_id=resolver.county_id)
    aliases = {c.key: [str(c.label), *c.aliases] for c in columns}
    start, found, written = find_header(table, aliases)
    by_key = {c.key: c for c in columns}
    header_row = table[start - 1][0] if start else (table[0][0] if table else 1)

    def header_of(key: str) -> str:
        col = found.get(key)
        if col is not None:
            return written.get(col, str(by_key[key].label))
        return str(by_key[key].label) if key in by_key else key

    missing = [c for c in columns if c.needed and c.key not in found]
    if missing:
        for column in missing:
            result.errors.append(
                {
                    "row": header_row,
                    "column": str(column.label),
                    "reason": _("The sheet has no column %(label)s (or a header row that names it).")
                    % {"label": column.label},
                }
            )
        return result

    body = [(row_no, values) for row_no, values in table[start:] if not _is_example(values, found.get("name"))]
    if len(body) > MAX_ROWS:
        result.errors.append(
            {
                "row": body[MAX_ROWS][0],
                "column": "",
                "reason": _("A sheet may have at most %(max)d rows; split it into several files.") % {"max": MAX_ROWS},
            }
        )
        return result
    if not body:
        result.errors.append(
            {"row": header_row, "column": "", "reason": _("The sheet has a header but no units under it.")}
        )
        return result

    codes_seen: dict[str, int] = {}
    total = len(body)
    for index, (row_no, values) in enumerate(body, start=1):
        row_errors: dict[str, str] = {}
        data: dict[str, Any] = {"category": category, "extra": {}}
        for key, col in found.items():
            column = by_key[key]
            raw = values[col] if col < len(values) else None
            try:
                value = _convert(column, raw, resolver)
            except ValueError as exc:
                row_errors[key] = str(exc)
                continue
            if key.startswith("extra."):
                if value not in (None, ""):
                    data["extra"][key.removeprefix("extra.")] = value
            else:
                data[key] = value
        for key in ("name", "area"):
            if key not in row_errors and data.get(key) in (None, ""):
                row_errors[key] = _("is empty; it is needed")
        try:
            clean = clean_unit_data(
                actor,
                {k: v for k, v in data.items() if k not in row_errors},
                unit=None,
                fields=resolver.fields_for(data.get("area")),
                check_code_clash=False,
                area_permitted=True,
            )
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                row_errors.setdefault(key, "；".join(messages))
            clean = None
        code = data.get("credit_code") if "credit_code" not in row_errors else None
        if code:
            if code in codes_seen:
                row_errors.setdefault(
                    "credit_code", _("the same credit code as row %(row)d") % {"row": codes_seen[code]}
                )
            else:
                codes_seen[code] = row_no
        if row_errors:
            for key, reason in row_errors.items():
                result.errors.append({"row": row_no, "column": header_of(key), "reason": reason})
        elif clean is not None:
            result.rows.append((row_no, clean))
        if progress and (index % PROGRESS_EVERY == 0 or index == total):
            progress(index, total)

    _check_codes_in_county(actor, result, header_of("credit_code"))
    if not result.errors:
        result.duplicates = _duplicates(actor, result.rows)
    common = [name for name, _label in COMMON_REQUIRED]
    result.incomplete = sum(
        1
        for _row, clean in result.rows
        if any(clean.get(n) in (None, "") for n in common)
        or any(clean["extra"].get(f.key) in (None, "") for f in resolver.fields_for(clean["area"]) if f.required)
    )
    result.errors.sort(key=lambda e: (e["row"], e["column"]))
    result.preview = _preview([c for c in columns if c.key in found], result.rows)
    return result


def _check_codes_in_county(actor: User, result: CheckResult, header: str) -> None:
    """A credit code another unit of the same county already has is an
    error, with the form's message (the unit named only when the actor may
    see it): one query per 1,000 codes."""
    wanted = {clean["credit_code"]: (row, clean) for row, clean in result.rows if clean["credit_code"]}
    if not wanted:
        return
    codes = list(wanted)
    clashes: list[tuple[Any, str, str]] = []
    for i in range(0, len(codes), 1000):
        clashes += list(
            Unit.objects.filter(credit_code__in=codes[i : i + 1000]).values_list("credit_code", "name", "area__path")
        )
    bad_rows = set()
    for code, name, path in clashes:
        row, clean = wanted[code]
        if path.startswith(county_path(clean["area"])):
            result.errors.append(
                {
                    "row": row,
                    "column": header,
                    "reason": credit_code_taken(actor, code=code, name=name, path=path),
                }
            )
            bad_rows.add(row)
    if bad_rows:
        result.rows = [(row, clean) for row, clean in result.rows if row not in bad_rows]


def _duplicates(actor: User, rows: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Possible duplicates of the sheet's rows: near-identical name and address
    in the same township, within the sheet or against the registry (a credit
    code already taken is an error, not a warning)."""
    townships = {township_path_of(clean["area"].path) for _row, clean in rows}
    townships.discard("")
    if not townships:
        return []
    places = place_names_near(townships)
    from django.db.models import Q

    from xieguan.units.duplicates import normalise_address, normalise_name

    condition = Q()
    for path in townships:
        condition |= Q(area__path__startswith=path)
    existing = Unit.objects.current().visible_to(actor).filter(condition).values("id", "name", "address", "area__path")
    names: dict[Any, str] = {}
    candidates = []
    for unit in existing:
        names[unit["id"]] = unit["name"]
        candidates.append(
            Candidate(
                key=unit["id"],
                group=township_path_of(unit["area__path"]),
                name=normalise_name(unit["name"], places=places),
                address=normalise_address(unit["address"], places=places),
            )
        )
    for row, clean in rows:
        names[row] = clean["name"]
        candidates.append(
            Candidate(
                key=row,
                group=township_path_of(clean["area"].path),
                name=normalise_name(clean["name"], places=places),
                address=normalise_address(clean["address"], places=places),
            )
        )
    found: list[dict[str, Any]] = []
    for a, b, _reason in duplicate_pairs(candidates):
        if isinstance(a.key, int) and isinstance(b.key, int):
            first, second = sorted((a.key, b.key))
            found.append({"row": second, "name": names[second], "other_row": first, "other_name": names[first]})
        elif isinstance(a.key, int) or isinstance(b.key, int):
            row, unit = (a.key, b.key) if isinstance(a.key, int) else (b.key, a.key)
            found.append({"row": row, "name": names[row], "unit_id": str(unit), "other_name": names[unit]})
    found.sort(key=lambda d: d["row"])
    return found


# ---- batches ----------------------------------------------------------------


def _progress_saver(batch: ImportBatch) -> Callable[[int, int], None]:
    def save(done: int, total: int) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(done=done, total=total, updated_at=timezone.now())

    return save


def _table_of(batch: ImportBatch) -> list[tuple[int, list[Any]]]:
    try:
        handle = batch.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise BadFile(_("The uploaded file is no longer on the server; upload it again.")) from None
    with handle:
        return read_rows(handle, name=batch.original_name)


def batch_check(batch: ImportBatch) -> ImportBatch:
    """Check a batch's sheet and store the preview: READY when every row is
    good, FAILED with the errors otherwise. Progress is saved as it goes (out
    of any transaction, so the page polling it sees it)."""
    try:
        table = _table_of(batch)
        result = check_sheet(batch.created_by, batch.category, table, progress=_progress_saver(batch))
    except BadFile as exc:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.FAILED, message=str(exc)[:300])
    except Exception:
        logger.exception("import batch %s could not be checked", batch.pk)
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED, message=_("The sheet could not be checked; try again or ask for help.")
        )
    else:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED if result.errors else ImportStatus.READY,
            errors=result.errors,
            duplicates=result.duplicates,
            preview=result.preview,
            done=F("total"),
            incomplete_count=result.incomplete,
        )
    batch.refresh_from_db()
    return batch


def write_units(
    actor: User, rows: list[tuple[int, dict[str, Any]]], *, fields: list[CategoryField] | None = None
) -> int:
    """Insert clean rows as units in bulk, each with its history row, its
    filing history row (from today) and its audit event, in the caller's
    transaction. Returns how many. A file is
    complete by the fields in force in the unit's county (or by ``fields``,
    when given, for every row)."""
    common = [name for name, _label in COMMON_REQUIRED]
    required: dict[Any, list[str]] = {}
    units = []
    for _row, clean in rows:
        unit = Unit(id=uuid.uuid4(), **clean)
        # bulk_create skips save(), which keeps the county the credit code is
        # unique in; set it here.
        unit.county_id = county_id_of(unit.area)  # type: ignore[assignment]
        unit.fill_derived()
        where = (unit.category_id, unit.county_id)
        if where not in required:
            in_force = fields if fields is not None else fields_in_force(unit.category, unit.county_id)
            required[where] = [f.key for f in in_force if f.required]
        unit.is_complete = all(getattr(unit, n) not in (None, "") for n in common) and all(
            (unit.extra or {}).get(k) not in (None, "") for k in required[where]
        )
        units.append(unit)
    bulk_create_with_history(units, Unit, batch_size=1000, default_user=actor if actor.is_authenticated else None)
    record_filing(units)
    audited_bulk_create(actor, "unit.import", units, snapshot_with=unit_snapshot, note=_("Excel import"))
    return len(units)


def batch_import(batch: ImportBatch, *, actor: User | None = None) -> ImportBatch:
    """Import a batch the user confirmed: the sheet is checked again (the
    registry may have changed since the preview); if it is still all good,
    every row is written in one transaction; otherwise the batch goes back
    to FAILED with the new errors and nothing is written. The units are
    recorded as made by ``actor`` (who confirmed), else by the uploader."""
    try:
        table = _table_of(batch)
        result = check_sheet(batch.created_by, batch.category, table, progress=_progress_saver(batch))
    except BadFile as exc:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.FAILED, message=str(exc)[:300])
        batch.refresh_from_db()
        return batch
    except Exception:
        logger.exception("import batch %s could not be imported", batch.pk)
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED, message=_("The sheet could not be checked; try again or ask for help.")
        )
        batch.refresh_from_db()
        return batch
    if result.errors:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED, errors=result.errors, duplicates=result.duplicates
        )
        batch.refresh_from_db()
        return batch
    actor = actor or batch.created_by
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportStatus.IMPORTING:
            return locked
        created = write_units(actor, result.rows)
        locked.status = ImportStatus.IMPORTED
        locked.created_count = created
        locked.done = locked.total = len(result.rows)
        locked.imported_at = timezone.now()
        locked.save()
        audit_record(
            actor=actor,
            action="unit_import.import",
            obj=locked,
            changes={"units_created": [None, created]},
            note=locked.original_name,
        )
    return locked


def import_rows_for_bench(actor: User, category: Category, path: str | Path) -> int:
    """Parse, check and import a sheet synchronously, as the benchmark needs:
    returns how many units were created; ValueError listing the first errors
    when the sheet is not all good."""
    require(actor, MANAGE_UNITS)
    with open(path, "rb") as handle:
        table = read_rows(handle, name=str(path))
    result = check_sheet(actor, category, table)
    if result.errors:
        raise ValueError(f"{len(result.errors)} errors, first: {result.errors[:3]}")
    with transaction.atomic():
        return write_units(actor, result.rows)


def scope_area_of(actor: User) -> Area | None:
    """The area a batch belongs to (who may see it): the uploader's."""
    institution = getattr(actor, "institution", None)
    return institution.area if institution is not None else None
