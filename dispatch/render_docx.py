"""The report as a .docx laid out as a 公文 (GB/T 9704-2012 conventions), from dispatch.document.

版头 (red document name, 期号, issuing body and date over a red line), 主送, the title, the
numbered sections, 附件说明, 落款 and 成文日期, the annexes, 版记 (抄送, 印发机关, 印发日期) and
"— 1 —" page numbers. Wide tables are set on landscape pages; table rows never split, header
rows repeat and captions stay with their tables.
"""

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from dispatch.document import LANDSCAPE_HALFWIDTHS, PORTRAIT_HALFWIDTHS, document, fitted_widths

# GB/T 9704: title 小标宋 二号, headings 黑体 / 楷体 三号, body 仿宋 三号, page numbers 四号.
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
NUMBER_FONT = "宋体"
# What a machine without the government fonts draws instead (Debian's fonts-noto-cjk): Word
# and LibreOffice read w:altName in the font table; the family picks serif or sans.
FALLBACKS = {
    TITLE_FONT: ("Noto Serif CJK SC", "roman"),
    BODY_FONT: ("Noto Serif CJK SC", "roman"),
    SUBHEADING_FONT: ("Noto Serif CJK SC", "roman"),
    NUMBER_FONT: ("Noto Serif CJK SC", "roman"),
    HEADING_FONT: ("Noto Sans CJK SC", "swiss"),
}
SIZE_MASTHEAD = Pt(30)
SIZE_TITLE = Pt(22)  # 二号
SIZE_BODY = Pt(16)  # 三号
SIZE_RECORD = Pt(14)  # 四号
SIZE_CAPTION = Pt(12)  # 小四
SIZE_TABLE = Pt(10.5)  # 五号
RED = RGBColor(0xE6, 0x00, 0x12)
INDENT = Pt(32)  # two characters of 三号
# What may follow w:pBdr inside w:pPr (ECMA-376 CT_PPrBase order).
PPR_AFTER_BORDER = tuple(
    f"w:{tag}"
    for tag in [
        "shd",
        "tabs",
        "suppressAutoHyphens",
        "kinsoku",
        "wordWrap",
        "overflowPunct",
        "topLinePunct",
        "autoSpaceDE",
        "autoSpaceDN",
        "bidi",
        "adjustRightInd",
        "snapToGrid",
        "spacing",
        "ind",
        "contextualSpacing",
        "mirrorIndents",
        "suppressOverlap",
        "jc",
        "textDirection",
        "textAlignment",
        "textboxTightWrap",
        "outlineLvl",
        "divId",
        "cnfStyle",
        "rPr",
        "sectPr",
        "pPrChange",
    ]
)


# --- fonts, language, styles -----------------------------------------------------------------


def _east_asian(element, name: str) -> None:
    """Name the font for every script: Word picks Chinese text's font from w:eastAsia, which
    python-docx does not set, and a theme attribute would override the name."""
    rfonts = element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rfonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{attribute}"), name)


def _chinese(rpr) -> None:
    """w:lang zh-CN, so spell-checking, line breaking and font choice treat the text as Chinese."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for attribute in ("val", "eastAsia"):
        lang.set(qn(f"w:{attribute}"), "zh-CN")


def _style(style, name: str, size, bold=False) -> None:
    style.font.name = name
    style.font.size = size
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    _east_asian(style.element, name)
    _chinese(style.element.get_or_add_rPr())


def _font_table(doc) -> None:
    part = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))
    root = etree.fromstring(part.blob)
    for existing in root.findall(qn("w:font")):
        if existing.get(qn("w:name")) in FALLBACKS:
            root.remove(existing)
    for name, (alternative, family) in FALLBACKS.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (("altName", alternative), ("charset", "86"), ("family", family)):
            etree.SubElement(font, qn(f"w:{tag}")).set(qn("w:val"), value)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _setup(doc) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    _chinese(defaults.find(qn("w:rPr")))
    normal = doc.styles["Normal"]
    _style(normal, BODY_FONT, SIZE_BODY)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)
    for name, font in (("Heading 1", HEADING_FONT), ("Heading 2", SUBHEADING_FONT)):
        style = doc.styles[name]
        _style(style, font, SIZE_BODY)
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.first_line_indent = INDENT
        style.paragraph_format.keep_with_next = True
    _style(doc.styles["Table Grid"], BODY_FONT, SIZE_TABLE)
    _font_table(doc)


def _run(paragraph, text: str, name: str = BODY_FONT, size=SIZE_BODY, bold=False, color=None):
    run = paragraph.add_run(text)
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    _east_asian(run._element, name)
    return run


def _paragraph(doc, text="", align=None, indent=True, **font):
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = INDENT
    if text:
        _run(paragraph, text, **font)
    return paragraph


def _border(paragraph, edge: str, color: str, size: int) -> None:
    """A rule above or below a paragraph (the red separator, the 版记's lines); size in 1/8 pt."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        # Word rejects a pPr whose children are out of the schema's order.
        borders = OxmlElement("w:pBdr")
        p_pr.insert_element_before(borders, *PPR_AFTER_BORDER)
    line = OxmlElement(f"w:{edge}")
    for key, value in (("val", "single"), ("sz", str(size)), ("space", "1"), ("color", color)):
        line.set(qn(f"w:{key}"), value)
    borders.append(line)


def _right_tab(paragraph, section) -> None:
    width = section.page_width - section.left_margin - section.right_margin
    paragraph.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)


# --- page setup -------------------------------------------------------------------------------


def _orient(section, landscape: bool) -> None:
    """A4 with the 公文 margins (天头 3.7 cm, 订口 2.8 cm), kept on the same paper edges."""
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
    section.footer_distance = Cm(2.0)


def _field(paragraph, instruction: str, shown: str) -> None:
    def char(kind):
        node = OxmlElement("w:fldChar")
        node.set(qn("w:fldCharType"), kind)
        _run(paragraph, "", NUMBER_FONT, SIZE_RECORD)._element.append(node)

    char("begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    _run(paragraph, "", NUMBER_FONT, SIZE_RECORD)._element.append(text)
    char("separate")
    _run(paragraph, shown, NUMBER_FONT, SIZE_RECORD)
    char("end")


def _page_number_footer(section) -> None:
    """ "— 1 —" at the foot of each page: a PAGE field between two dashes (四号 宋体)."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, "— ", NUMBER_FONT, SIZE_RECORD)
    _field(paragraph, "PAGE", "1")
    _run(paragraph, " —", NUMBER_FONT, SIZE_RECORD)


# --- tables -------------------------------------------------------------------------------------


def _row_flag(row, tag: str) -> None:
    """w:cantSplit (a row never breaks across pages) or w:tblHeader (repeats on each page)."""
    node = OxmlElement(f"w:{tag}")
    node.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(node)


def _cell_text(cell, text: str, numeric: bool, bold=False, header=False):
    paragraph = cell.paragraphs[0]
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.first_line_indent = Pt(0)
    fmt.space_after = Pt(0)
    if header:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif numeric:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(paragraph, text, HEADING_FONT if header else BODY_FONT, SIZE_TABLE, bold=bold)


def _caption(doc, block: dict) -> None:
    caption = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    caption.paragraph_format.space_before = Pt(6)
    caption.paragraph_format.keep_with_next = True
    _run(caption, block["caption"], HEADING_FONT, SIZE_CAPTION)
    if block["unit"] and block["rows"]:
        unit = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        unit.paragraph_format.keep_with_next = True
        _run(unit, _("单位：%(u)s") % {"u": block["unit"]}, BODY_FONT, SIZE_TABLE)


def _table(doc, block: dict, landscape: bool) -> None:
    _caption(doc, block)
    if not block["rows"]:
        _paragraph(doc, block["empty"], WD_ALIGN_PARAGRAPH.CENTER, False, size=SIZE_TABLE)
        return
    section = doc.sections[-1]
    available = section.page_width - section.left_margin - section.right_margin
    capacity = LANDSCAPE_HALFWIDTHS if landscape else PORTRAIT_HALFWIDTHS
    widths = [int(available * f) for f in fitted_widths(block, capacity)]
    rows = block["rows"] + ([block["total"]] if block["total"] else [])
    table = doc.add_table(rows=1 + len(rows), cols=len(block["columns"]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for i, width in enumerate(widths):
        # Word reads the cells' widths, LibreOffice the grid's: set both.
        table.columns[i].width = width
        for cell in table.columns[i].cells:
            cell.width = width
    # cantSplit before tblHeader: the order CT_TrPr requires.
    for row in table.rows:
        _row_flag(row, "cantSplit")
    _row_flag(table.rows[0], "tblHeader")
    for i, column in enumerate(block["columns"]):
        _cell_text(table.rows[0].cells[i], column["label"], False, header=True)
    for r, cells in enumerate(rows, start=1):
        is_total = block["total"] is not None and r == len(rows)
        for i, cell in enumerate(cells):
            _cell_text(table.rows[r].cells[i], cell["text"], cell["numeric"], bold=is_total)


def _blocks(doc, blocks: list[dict], landscape: bool) -> None:
    for block in blocks:
        if block["type"] == "para":
            _paragraph(doc, block["text"], WD_ALIGN_PARAGRAPH.JUSTIFY)
        elif block["type"] == "heading2":
            _run(doc.add_paragraph(style="Heading 2"), block["text"], SUBHEADING_FONT)
        else:
            _table(doc, block, landscape)


# --- the parts of the document -------------------------------------------------------------------


def _masthead(doc, data: dict) -> None:
    """版头: the red document name, the 期号, the issuing body and date, the red line."""
    head = data["letterhead"]
    name = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    name.paragraph_format.line_spacing = Pt(48)
    name.paragraph_format.space_before = Pt(12)
    _run(name, head["name"], TITLE_FONT, SIZE_MASTHEAD, color=RED)
    _paragraph(doc, head["issue"], WD_ALIGN_PARAGRAPH.CENTER, False)
    line = _paragraph(doc, indent=False)
    _right_tab(line, doc.sections[0])
    _run(line, head["issuer"] + "\t" + head["date"])
    _border(line, "bottom", "E60012", 18)
    _paragraph(doc, indent=False)


def _title(doc, lines: list[str]) -> None:
    title = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_after = Pt(12)
    for i, line in enumerate(lines):
        run = _run(title, line, TITLE_FONT, SIZE_TITLE)
        if i < len(lines) - 1:
            run.add_break(WD_BREAK.LINE)


def _correction(doc, data: dict) -> None:
    from dispatch.corrections import describe

    correction = data["correction"]
    heading = doc.add_paragraph(style="Heading 1")
    _run(heading, _("更正说明"), HEADING_FONT)
    changes = correction["changes"]
    intro = _("本期为第%(v)d版，更正第%(p)d版的以下%(n)d处内容：") % {
        "v": data["version"],
        "p": correction["version"],
        "n": len(changes),
    }
    if not changes:
        intro = _("本期为第%(v)d版，与第%(p)d版相比数据无变化。") % {
            "v": data["version"],
            "p": correction["version"],
        }
    _paragraph(doc, intro)
    for i, change in enumerate(changes, start=1):
        _paragraph(doc, f"{i}.{describe(change)}")


def _signature(doc, data: dict) -> None:
    """附件说明, then 落款 and 成文日期 right-aligned four characters in from the margin."""
    if data["annexes"]:
        _paragraph(doc)
        for i, annex in enumerate(data["annexes"], start=1):
            text = annex["title"].split("　", 1)[-1]
            prefix = _("附件：") if i == 1 else "　　　"
            _paragraph(doc, f"{prefix}{i}.{text}")
    _paragraph(doc)
    for text in (data["signature"]["issuer"], data["signature"]["date"]):
        paragraph = _paragraph(doc, text, WD_ALIGN_PARAGRAPH.RIGHT, False)
        paragraph.paragraph_format.right_indent = INDENT * 2


def _annexes(doc, data: dict, landscape: bool) -> bool:
    for annex in data["annexes"]:
        section = doc.add_section(WD_SECTION.NEW_PAGE)
        landscape = annex["landscape"]
        _orient(section, landscape)
        number, title = annex["title"].split("　", 1)
        _paragraph(doc, number, indent=False, name=HEADING_FONT)
        heading = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        _run(heading, title, TITLE_FONT, SIZE_TITLE)
        _blocks(doc, annex["blocks"], landscape)
    return landscape


def _record(doc, data: dict, landscape: bool) -> None:
    """版记 on a page of its own at the end: 抄送, then 印发机关 and 印发日期 between rules."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _orient(section, False)
    record = data["record"]
    spacer = _paragraph(doc, indent=False)
    spacer.paragraph_format.space_before = Pt(400)
    if record["copy_to"]:
        copy = _paragraph(doc, indent=False, size=SIZE_RECORD)
        copy.paragraph_format.left_indent = Pt(14)
        copy.paragraph_format.first_line_indent = -Pt(0)
        _run(copy, _("抄送：%(c)s。") % {"c": record["copy_to"].rstrip("。")}, size=SIZE_RECORD)
        _border(copy, "top", "000000", 8)
        _border(copy, "bottom", "000000", 4)
    printed = _paragraph(doc, indent=False)
    printed.paragraph_format.left_indent = Pt(14)
    _right_tab(printed, section)
    _run(printed, record["printer"] + "\t" + record["printed_on"] + _("印发"), size=SIZE_RECORD)
    if not record["copy_to"]:
        _border(printed, "top", "000000", 8)
    _border(printed, "bottom", "000000", 8)


def report_docx(report) -> bytes:
    """The report version as a .docx 公文; the version number is metadata, not in the text."""
    data = document(report)
    doc = Document()
    _orient(doc.sections[0], landscape=False)
    _setup(doc)
    props = doc.core_properties
    props.title = data["title"]
    props.author = data["letterhead"]["issuer"]
    props.subject = data["letterhead"]["issue"]
    props.language = "zh-CN"
    props.version = str(data["version"])
    props.revision = data["version"]
    props.identifier = f"{data['month']}-v{data['version']}"

    _masthead(doc, data)
    _title(doc, data["title_lines"])
    _paragraph(doc, data["recipients"], indent=False)
    if data["correction"]:
        _correction(doc, data)
    landscape = False
    for part in data["sections"]:
        if part["landscape"] != landscape:
            landscape = part["landscape"]
            # New sections inherit the first one's footer (the page number).
            _orient(doc.add_section(WD_SECTION.NEW_PAGE), landscape)
        _run(doc.add_paragraph(style="Heading 1"), part["heading"], HEADING_FONT)
        _blocks(doc, part["blocks"], landscape)
    if landscape:
        _orient(doc.add_section(WD_SECTION.NEW_PAGE), False)
    _signature(doc, data)
    landscape = _annexes(doc, data, landscape)
    _record(doc, data, landscape)
    _page_number_footer(doc.sections[0])
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
