"""The report as an .xlsx for reading and printing: one sheet per table of the snapshot, then
the briefing's lists, each with a title and month row, fitted widths, real numbers and dates,
a totals row, frozen headers and an A4 print setup (landscape when wide, fit to width,
repeated header rows, the month in the page header).
"""

import datetime
import io
import re
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from dispatch.document import chinese_date, text_width
from dispatch.document_sections import flagged_rows
from dispatch.models import ReportSettings
from jinchang.spreadsheet import safe_text

FORMATS = {"int": "#,##0", "money": "#,##0.00", "pct": "0.00", "date": "yyyy-mm-dd"}
MONTH_FORMAT = 'yyyy"年"m"月"'
TITLE_ROW, MONTH_ROW, HEADER_ROW = 1, 2, 3
# Wider than this (in characters of 11pt) and a sheet prints on landscape A4.
PORTRAIT_WIDTH = 95
MAX_WIDTH = 50
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
THIN = Side(style="thin", color="999999")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _sheet_title(title: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub("", title)[:28] or "Sheet"
    name, n = base, 2
    while name in taken:
        name, n = f"{base[:26]}{n}", n + 1
    taken.add(name)
    return name


def _value(value, kind: str):
    """(cell value, number format): numbers as numbers, ISO dates as dates, text made safe."""
    if value is None or value == "":
        return None, None
    if kind == "int":
        return int(value), FORMATS["int"]
    if kind in ("money", "pct"):
        return Decimal(str(value)), FORMATS[kind]
    text = str(value)
    if _ISO_DAY.match(text):
        return datetime.date.fromisoformat(text), FORMATS["date"]
    if _ISO_MONTH.match(text):
        return datetime.date.fromisoformat(text + "-01"), MONTH_FORMAT
    return safe_text(text), None


def _shown_width(value, kind: str) -> int:
    if value is None:
        return 0
    if kind == "money":
        return len(f"{Decimal(str(value)):,.2f}")
    if isinstance(value, datetime.date):
        return 10
    return text_width(str(value))


def _snapshot_sheet(t: dict) -> dict:
    """A stored table as a sheet: the headline's values take each row's own kind."""
    columns = [(c["label"], c["kind"]) for c in t["columns"]]
    rows, kinds = [], []
    for r in t["rows"]:
        rows.append([r.get(c["key"]) for c in t["columns"]])
        kinds.append([r.get("kind", "text") if k == "number" else k for _label, k in columns])
    total = [t["total"].get(c["key"]) for c in t["columns"]] if t.get("total") else None
    if total is None and "investment" in {c["key"] for c in t["columns"]} and rows:
        # A list of projects: how many and their total investment.
        total = [None] * len(columns)
        total[0] = _("合计（%(n)d个）") % {"n": len(rows)}
        i = next(i for i, c in enumerate(t["columns"]) if c["key"] == "investment")
        total[i] = sum((Decimal(r[i] or 0) for r in rows), Decimal("0"))
    return {"title": t["title"], "columns": columns, "rows": rows, "kinds": kinds, "total": total}


def _list_sheet(title: str, columns: list[tuple[str, str]], rows: list[list], total=None) -> dict:
    kinds = [[k for _label, k in columns]] * len(rows)
    return {"title": title, "columns": columns, "rows": rows, "kinds": kinds, "total": total}


def _completion(actual, target):
    if target in (None, "", 0, "0") or Decimal(str(target)) == 0:
        return None
    return (Decimal(str(actual)) * 100 / Decimal(str(target))).quantize(Decimal("0.01"))


def _city_sheet(city: dict, head: dict) -> dict:
    """The city's annual targets against the year so far and 序时进度."""
    rows = [
        [_("到位资金（万元）"), city["funds_target"], head["funds_in_place_ytd"]],
        [_("新签约项目（个）"), city["signings_target"], city["signings_ytd"]],
        [_("新开工项目（个）"), city["starts_target"], city["starts_ytd"]],
    ]
    rows = [r + [_completion(r[2], r[1]), city["time_progress"]] for r in rows]
    kinds = [["text", "money", "money", "pct", "pct"]] + [["text", "int", "int", "pct", "pct"]] * 2
    columns = [
        (_("指标"), "text"),
        (_("年度目标"), "number"),
        (_("累计完成"), "number"),
        (_("完成率（%）"), "pct"),
        (_("序时进度（%）"), "pct"),
    ]
    sheet = _list_sheet(_("全市年度目标与序时进度"), columns, rows)
    sheet["kinds"] = kinds
    return sheet


def _briefing_sheets(b: dict) -> list[dict]:
    names = {"new": "新增", "signed": "签约", "started": "开工", "dropped": "终止"}
    names.update({"upgraded": "升级", "downgraded": "降级"})
    moves = [
        [names[key], r["name"], r["unit"], r["leader"], r["investment"], r["day"]]
        for key in names
        for r in b["moves"][key]
    ]
    leaders = [
        [
            lead["name"],
            p["name"],
            p["unit"],
            p["stage"],
            p["investment"],
            p["moves"],
            p["narrative"],
        ]
        for lead in b["leaders"]
        for p in lead["projects"]
    ]
    ranking = [
        [r["name"]]
        + [r[f"{m}_{f}"] for m in ("funds", "signings", "starts") for f in ("target", "actual")]
        + [r[f"{m}_completion"] for m in ("funds", "signings", "starts")]
        + ["".join(r[f"{m}_mark"] or "—" for m in ("funds", "signings", "starts"))]
        for r in b["ranking"]
    ]
    problems = [
        [p["project"], p["unit"], p["category"], p["description"], p["raised_on"], p["deadline"]]
        + [p["days_overdue"]]
        for p in b["problems"]
    ]
    notes = [[n["unit"], n["project"], n["narrative"], n["next_steps"]] for n in b["narratives"]]
    money = _("（万元）")
    return [
        _list_sheet(
            _("本月项目变动"),
            [(_("变动"), "text"), (_("项目名称"), "text"), (_("责任单位"), "text")]
            + [(_("包抓领导"), "text"), (_("总投资") + money, "money"), (_("日期"), "text")],
            moves,
        ),
        _list_sheet(
            _("包抓领导项目"),
            [(_("包抓领导"), "text"), (_("项目名称"), "text"), (_("责任单位"), "text")]
            + [(_("月末阶段"), "text"), (_("总投资") + money, "money")]
            + [(_("本月变动"), "text"), (_("本月进展"), "text")],
            leaders,
        ),
        _list_sheet(
            _("三亮排名（资金签约开工）"),
            [(_("责任单位"), "text")]
            + [(_("到位资金目标") + money, "money"), (_("到位资金") + money, "money")]
            + [(_("签约目标（个）"), "int"), (_("签约（个）"), "int")]
            + [(_("开工目标（个）"), "int"), (_("开工（个）"), "int")]
            + [(_("资金完成率（%）"), "pct"), (_("签约完成率（%）"), "pct")]
            + [(_("开工完成率（%）"), "pct"), (_("标识（资金/签约/开工）"), "text")],
            ranking,
        ),
        _list_sheet(
            _("月末未解决问题"),
            [(_("项目名称"), "text"), (_("责任单位"), "text"), (_("类别"), "text")]
            + [(_("问题"), "text"), (_("提出日期"), "text"), (_("办结时限"), "text")]
            + [(_("逾期天数（天）"), "int")],
            problems,
        ),
        _list_sheet(
            _("本月进展与下步计划"),
            [(_("责任单位"), "text"), (_("项目名称"), "text")]
            + [(_("本月进展"), "text"), (_("下步计划"), "text")],
            notes,
        ),
    ]


def _write(sheet, spec: dict, title: str, month_line: str) -> None:
    columns, width = spec["columns"], len(spec["columns"])
    last = get_column_letter(width)
    sheet.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    sheet.merge_cells(f"A{MONTH_ROW}:{last}{MONTH_ROW}")
    sheet.cell(TITLE_ROW, 1, spec["title"]).font = Font(bold=True, size=14)
    sheet.cell(TITLE_ROW, 1).alignment = Alignment(horizontal="center")
    sheet.cell(MONTH_ROW, 1, month_line).alignment = Alignment(horizontal="center")
    widths = [text_width(label) + 2 for label, _kind in columns]
    header_fill = PatternFill("solid", fgColor="EEF1F5")
    for i, (label, _kind) in enumerate(columns, start=1):
        cell = sheet.cell(HEADER_ROW, i, label)
        cell.font, cell.fill, cell.border = Font(bold=True), header_fill, GRID
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    rows = list(zip(spec["rows"], spec["kinds"], strict=True))
    if spec["total"]:
        rows.append((spec["total"], [k for _label, k in columns]))
    for r, (values, kinds) in enumerate(rows, start=HEADER_ROW + 1):
        is_total = spec["total"] is not None and r == HEADER_ROW + len(rows)
        for i, (raw, kind) in enumerate(zip(values, kinds, strict=True), start=1):
            value, number_format = _value(raw, kind)
            cell = sheet.cell(r, i, value)
            cell.border = GRID
            if number_format:
                cell.number_format = number_format
            if is_total:
                cell.font = Font(bold=True)
            if kind == "text" and not number_format:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
            widths[i - 1] = max(widths[i - 1], _shown_width(value, kind) + 2)
    for i, w in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(MAX_WIDTH, max(8, w))
    # The header and the first column stay on screen and on every printed page.
    sheet.freeze_panes = f"B{HEADER_ROW + 1}"
    if spec["rows"]:
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + len(spec['rows'])}"
    _print_setup(sheet, title, sum(min(MAX_WIDTH, max(8, w)) for w in widths))


def _print_setup(sheet, title: str, total_width: float) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    wide = total_width > PORTRAIT_WIDTH
    sheet.page_setup.orientation = "landscape" if wide else "portrait"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    if wide:
        sheet.print_title_cols = "A:A"
    sheet.print_options.horizontalCentered = True
    sheet.oddHeader.center.text = title
    sheet.oddHeader.center.size = 10
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def report_xlsx(report) -> bytes:
    snapshot = report.snapshot
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = snapshot["title"]
    workbook.properties.creator = ReportSettings.load().issuer  # one issuing body everywhere
    workbook.properties.version = str(report.version)
    specs = []
    for key, t in snapshot["tables"].items():
        if key == "flagged":
            t = {**t, "rows": flagged_rows(snapshot)}  # worst first, as in the document
        specs.append(_snapshot_sheet(t))
    if snapshot.get("briefing"):
        specs.append(_city_sheet(snapshot["briefing"]["city"], snapshot["headline"]))
        specs += _briefing_sheets(snapshot["briefing"])
    month = datetime.date.fromisoformat(snapshot["month"] + "-01")
    month_line = _("%(y)d年%(m)d月　数据截至%(d)s　第%(v)d版") % {
        "y": month.year,
        "m": month.month,
        "d": chinese_date(_month_end(month)),
        "v": report.version,
    }
    taken: set[str] = set()
    for spec in specs:
        sheet = workbook.create_sheet(_sheet_title(spec["title"], taken))
        _write(sheet, spec, snapshot["title"], month_line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _month_end(month: datetime.date) -> datetime.date:
    following = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)
