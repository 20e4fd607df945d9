"""The report's three faces, drawn from its frozen snapshot only: the page's layout, a .docx laid
out as a government document (公文格式) and an .xlsx with one sheet per table.

The numbering (一、 (一) 表1) and the cell formatting are computed once in `layout`, so the
page and the .docx read the same.
"""

import datetime
import io
import re
from decimal import Decimal

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from jinchang.spreadsheet import safe_text

# GB/T 9704 (党政机关公文格式): title in 小标宋 二号, headings 黑体 / 楷体 三号, body 仿宋 三号.
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "仿宋_GB2312"
SIZE_TITLE = Pt(22)  # 二号
SIZE_BODY = Pt(16)  # 三号
SIZE_CAPTION = Pt(12)  # 小四
SIZE_TABLE = Pt(10.5)  # 五号
NUMERALS = "一二三四五六七八九十"
NUMERIC_KINDS = {"int", "money", "pct"}
# More columns than this do not fit a portrait page at 五号 with amounts on one line.
WIDE_TABLE_COLUMNS = 6
XLSX_FORMATS = {"int": "0", "money": "#,##0.00", "pct": "0.00"}


def chinese_number(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def chinese_date(iso: str) -> str:
    """2026-02-10 as 2026年2月10日, as a document is dated."""
    day = datetime.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def cell_kind(column: dict, row: dict) -> str:
    """A column's kind; the headline's value column takes each row's own kind."""
    return row.get("kind", "text") if column["kind"] == "number" else column["kind"]


def fmt(value, kind: str) -> str:
    if value is None or value == "":
        return "—" if kind in NUMERIC_KINDS else ""
    if kind == "money":
        return f"{Decimal(value):,.2f}"
    if kind == "pct":
        return f"{Decimal(value):.2f}"
    if kind == "int":
        return f"{int(value):,}"
    return str(value)


def _cells(columns: list[dict], row: dict) -> list[dict]:
    cells = []
    for column in columns:
        kind = cell_kind(column, row)
        cells.append(
            {
                "text": fmt(row.get(column["key"]), kind),
                "value": row.get(column["key"]),
                "kind": kind,
                "numeric": kind in NUMERIC_KINDS,
            }
        )
    return cells


def layout(snapshot: dict) -> list[dict]:
    """Numbered sections, each with its paragraphs and formatted tables (表1, 表2 …)."""
    tables = snapshot["tables"]
    counter = 0

    def prepared(key: str) -> dict:
        nonlocal counter
        counter += 1
        t = tables[key]
        return {
            "key": key,
            "number": counter,
            "caption": _("表%(n)d  %(title)s") % {"n": counter, "title": t["title"]},
            "title": t["title"],
            "columns": t["columns"],
            "rows": [_cells(t["columns"], row) for row in t["rows"]],
            "total": _cells(t["columns"], t["total"]) if t.get("total") else None,
        }

    result = []
    for i, section in enumerate(snapshot["sections"], start=1):
        result.append(
            {
                "number": f"{chinese_number(i)}、",
                "heading": section["heading"],
                "paragraphs": section.get("paragraphs", []),
                "tables": [prepared(key) for key in section.get("tables", [])],
                "subsections": [
                    {
                        "number": f"（{chinese_number(j)}）",
                        "heading": sub["heading"],
                        "tables": [prepared(key) for key in sub.get("tables", [])],
                    }
                    for j, sub in enumerate(section.get("subsections", []), start=1)
                ],
            }
        )
    return result


# --- .docx -----------------------------------------------------------------------------------


def _east_asian(element, name: str) -> None:
    """Name the font for every script: Word picks Chinese text's font from w:eastAsia, which
    python-docx does not set, and a theme attribute (the default headings have them) would
    override the name."""
    rfonts = element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rfonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{attribute}"), name)


def _style_font(style, name: str, size, bold=False) -> None:
    style.font.name = name
    style.font.size = size
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    _east_asian(style.element, name)


def _run(paragraph, text: str, name: str, size, bold=False):
    run = paragraph.add_run(text)
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    _east_asian(run._element, name)
    return run


def _field_char(paragraph, kind: str) -> None:
    run = _run(paragraph, "", "宋体", Pt(14))
    node = OxmlElement("w:fldChar")
    node.set(qn("w:fldCharType"), kind)
    run._element.append(node)


def _page_number_footer(section) -> None:
    """ "— 1 —" centred at the foot of each page: a PAGE field between two dashes."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, "— ", "宋体", Pt(14))
    _field_char(paragraph, "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    _run(paragraph, "", "宋体", Pt(14))._element.append(instruction)
    _field_char(paragraph, "separate")
    _run(paragraph, "1", "宋体", Pt(14))
    _field_char(paragraph, "end")
    _run(paragraph, " —", "宋体", Pt(14))


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _cell_paragraph(cell):
    """A cell's paragraph, single-spaced: the body's fixed 28pt lines would make rows tall."""
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.paragraph_format.space_after = Pt(0)
    return paragraph


def _column_widths(columns: list[dict], available: int) -> list[int]:
    """Fixed widths for numbers (so an amount never breaks across lines), the rest shared
    by the text columns."""
    fixed = {"money": Cm(3.5), "pct": Cm(2.0), "int": Cm(1.6)}
    widths = [fixed.get(column["kind"]) for column in columns]
    text_columns = widths.count(None)
    if text_columns:
        left = available - sum(w for w in widths if w is not None)
        share = max(int(Cm(1.8)), left // text_columns)
        widths = [share if w is None else int(w) for w in widths]
    return [int(w) for w in widths]


def _set_widths(table, widths: list[int]) -> None:
    # Word reads the cells' widths, LibreOffice the grid's: set both.
    table.autofit = False
    for i, width in enumerate(widths):
        table.columns[i].width = width
        for cell in table.columns[i].cells:
            cell.width = width


def _docx_table(doc, t: dict, available: int) -> None:
    caption = doc.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.space_before = Pt(6)
    _run(caption, t["caption"], HEADING_FONT, SIZE_CAPTION)
    if not t["rows"]:
        empty = doc.add_paragraph()
        empty.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(empty, _("（无）"), BODY_FONT, SIZE_TABLE)
        return
    rows = t["rows"] + ([t["total"]] if t["total"] else [])
    table = doc.add_table(rows=1 + len(rows), cols=len(t["columns"]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _repeat_header(table.rows[0])
    _set_widths(table, _column_widths(t["columns"], available))
    for i, column in enumerate(t["columns"]):
        paragraph = _cell_paragraph(table.rows[0].cells[i])
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(paragraph, column["label"], HEADING_FONT, SIZE_TABLE)
    for r, cells in enumerate(rows, start=1):
        is_total = t["total"] is not None and r == len(rows)
        for i, value in enumerate(cells):
            paragraph = _cell_paragraph(table.rows[r].cells[i])
            if value["numeric"]:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _run(paragraph, value["text"], TABLE_FONT, SIZE_TABLE, bold=is_total)


def _orient(section, landscape: bool) -> None:
    """A4 with the 公文 margins; a landscape page keeps them on the same edges of the paper."""
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
        section.top_margin, section.bottom_margin = Cm(2.8), Cm(2.6)
        section.left_margin, section.right_margin = Cm(3.7), Cm(3.5)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)


def _is_wide(section_layout: dict) -> bool:
    tables = section_layout["tables"] + [
        t for sub in section_layout["subsections"] for t in sub["tables"]
    ]
    return any(len(t["columns"]) > WIDE_TABLE_COLUMNS for t in tables)


def report_docx(report) -> bytes:
    """The report as a .docx: A4, 公文 margins, title, numbered headings, tables, page numbers.

    A part whose tables are too wide for a portrait page is set on landscape pages.
    """
    snapshot = report.snapshot
    doc = Document()
    section = doc.sections[0]
    _orient(section, landscape=False)

    normal = doc.styles["Normal"]
    _style_font(normal, BODY_FONT, SIZE_BODY)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)
    for name, font in (("Heading 1", HEADING_FONT), ("Heading 2", SUBHEADING_FONT)):
        style = doc.styles[name]
        _style_font(style, font, SIZE_BODY)
        style.paragraph_format.space_before = Pt(6)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.first_line_indent = Pt(32)
    table_style = doc.styles["Table Grid"]
    _style_font(table_style, TABLE_FONT, SIZE_TABLE)
    table_style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    doc.core_properties.title = snapshot["title"]
    doc.core_properties.author = snapshot.get("issuer", "")

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_after = Pt(12)
    _run(title, snapshot["title"], TITLE_FONT, SIZE_TITLE)
    byline = doc.add_paragraph()
    byline.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(
        byline,
        _("%(issuer)s　%(day)s（第%(v)d版）")
        % {
            "issuer": snapshot.get("issuer", ""),
            "day": chinese_date(snapshot["as_of"]),
            "v": report.version,
        },
        BODY_FONT,
        SIZE_BODY,
    )

    landscape = False
    for section_layout in layout(snapshot):
        if _is_wide(section_layout) != landscape:
            landscape = not landscape
            # New sections inherit the first one's footer (the page number).
            _orient(doc.add_section(WD_SECTION.NEW_PAGE), landscape)
        page = doc.sections[-1]
        available = page.page_width - page.left_margin - page.right_margin
        heading = doc.add_paragraph(style="Heading 1")
        _run(heading, section_layout["number"] + section_layout["heading"], HEADING_FONT, SIZE_BODY)
        for text in section_layout["paragraphs"]:
            paragraph = doc.add_paragraph()
            paragraph.paragraph_format.first_line_indent = Pt(32)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            _run(paragraph, text, BODY_FONT, SIZE_BODY)
        for t in section_layout["tables"]:
            _docx_table(doc, t, available)
        for sub in section_layout["subsections"]:
            heading = doc.add_paragraph(style="Heading 2")
            _run(heading, sub["number"] + sub["heading"], SUBHEADING_FONT, SIZE_BODY)
            for t in sub["tables"]:
                _docx_table(doc, t, available)

    _page_number_footer(doc.sections[0])
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# --- .xlsx -----------------------------------------------------------------------------------

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub("", title)[:28] or "Sheet"
    name, n = base, 2
    while name in taken:
        name, n = f"{base[:26]}{n}", n + 1
    taken.add(name)
    return name


def _xlsx_value(value, kind: str):
    """Numbers as numbers (Decimal is written as a numeric cell), the rest as text."""
    if value is None or value == "":
        return None
    if kind == "int":
        return int(value)
    if kind in ("money", "pct"):
        return Decimal(value)
    return safe_text(str(value))


def report_xlsx(report) -> bytes:
    """One sheet per table, the header on row 1 (filterable), numbers stored as numbers."""
    snapshot = report.snapshot
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = snapshot["title"]
    workbook.properties.creator = snapshot.get("issuer", "")
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="EEF1F5")
    taken: set[str] = set()
    for t in snapshot["tables"].values():
        sheet = workbook.create_sheet(_sheet_title(t["title"], taken))
        columns = t["columns"]
        for i, column in enumerate(columns, start=1):
            cell = sheet.cell(row=1, column=i, value=column["label"])
            cell.font, cell.fill = bold, header_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            width = max(10, min(40, len(column["label"]) * 2 + 2))
            sheet.column_dimensions[get_column_letter(i)].width = width
        rows = list(t["rows"]) + ([t["total"]] if t.get("total") else [])
        for r, row in enumerate(rows, start=2):
            for i, column in enumerate(columns, start=1):
                kind = cell_kind(column, row)
                cell = sheet.cell(row=r, column=i, value=_xlsx_value(row.get(column["key"]), kind))
                if kind in XLSX_FORMATS:
                    cell.number_format = XLSX_FORMATS[kind]
                if t.get("total") and r == len(rows) + 1:
                    cell.font = bold
        sheet.freeze_panes = "A2"
        if t["rows"]:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(t['rows']) + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download_name(report, extension: str) -> str:
    return f"{report.snapshot['title']}-v{report.version}.{extension}"
