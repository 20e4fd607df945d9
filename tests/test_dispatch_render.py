"""The report's .docx read back with python-docx: the 公文 shell (版头 with 期号, the red line,
主送, numbered sections, 落款 and 成文日期, 版记, "— 1 —" page numbers), the fonts with their
East Asian fallbacks and zh-CN, and the print layout (rows kept whole, header rows repeated,
captions kept with their tables, landscape only for wide tables), on the hand-computed
figures of tests/dispatch_data.py."""

import datetime
import io
import re
import zipfile

import pytest
import time_machine
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from lxml import etree

from dispatch import render, services
from dispatch.briefing import briefing
from dispatch.models import ReportSettings
from dispatch.render_docx import RED
from projects.models import Instruction, MonthlyProgress
from tests.dispatch_data import JANUARY, TODAY, at, build

pytestmark = pytest.mark.django_db

SECTIONS = [
    "一、本月要情",
    "二、总体情况",
    "三、项目推进情况",
    "四、“四个一”包抓推进情况",
    "五、分类推进情况",
    "六、责任单位“三亮”排名",
    "七、预警情况",
    "八、存在问题",
    "九、下步工作",
]


@pytest.fixture
def data(personas):
    with time_machine.travel(TODAY, tick=False):
        return build(personas)


@pytest.fixture
def report(data):
    with time_machine.travel(TODAY, tick=False):
        return services.report_generate_now(month=JANUARY)


@pytest.fixture
def briefed(report):
    """The report as it will be once the snapshot freezes the briefing with the figures."""
    report.snapshot["briefing"] = briefing(JANUARY)
    report.save(update_fields=["snapshot"])
    return report


def read_docx(report):
    return Document(io.BytesIO(render.report_docx(report)))


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def index_of(document, text: str) -> int:
    return texts(document).index(text)


def test_the_masthead_has_the_issuing_body_the_issue_number_and_the_red_line(report):
    document = read_docx(report)
    paragraphs = document.paragraphs

    assert paragraphs[0].text == "招商引资项目月调度通报"
    assert paragraphs[0].runs[0].font.color.rgb == RED
    assert paragraphs[1].text == "2026年第1期"
    # 1 February 2026 is a Sunday: the 成文日期 defaults to Monday the 2nd.
    assert paragraphs[2].text == "金昌市投资促进局\t2026年2月2日"
    line = paragraphs[2]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert line.get(qn("w:color")) == "E60012"


def test_the_title_breaks_before_the_date_and_the_version_is_metadata(report):
    document = read_docx(report)

    assert "金昌市招商引资项目月调度报告\n（2026年1月）" in texts(document)
    assert not any("第1版" in text for text in texts(document))
    assert document.core_properties.version == "1"
    assert document.core_properties.revision == 1
    assert document.core_properties.language == "zh-CN"


def test_main_recipients_sections_signature_and_record_follow_the_settings(report):
    ReportSettings.objects.create(
        issuer="金昌市招商局",
        main_recipients="各县区人民政府，市直有关部门",
        copy_to="市委办公室，市政府办公室",
    )
    report.dated_on = datetime.date(2026, 2, 5)
    report.save(update_fields=["dated_on"])

    document = read_docx(report)
    paragraphs = document.paragraphs

    title = index_of(document, "金昌市招商引资项目月调度报告\n（2026年1月）")
    assert paragraphs[title + 1].text == "各县区人民政府，市直有关部门："
    headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert headings == SECTIONS
    subheadings = [p.text for p in paragraphs if p.style.name == "Heading 2"]
    assert subheadings[:4] == [
        "（一）目标与序时进度",
        "（二）当月与累计",
        "（三）责任单位排名",
        "（四）需领导协调事项",
    ]
    signature = index_of(document, "金昌市招商局")
    assert paragraphs[signature + 1].text == "2026年2月5日"
    assert paragraphs[signature].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    annex = index_of(document, "　　　2.本月无进展的重点项目")
    assert re.fullmatch(r"附件：1\.预警项目清单（\d+个）", paragraphs[annex - 1].text)
    assert annex < signature
    assert "抄送：市委办公室，市政府办公室。" in texts(document)
    assert texts(document)[-1] == "金昌市招商局\t2026年2月5日印发"


def test_every_page_is_numbered_with_a_page_field(report):
    document = read_docx(report)
    footer = document.sections[0].footer.paragraphs[0]

    instructions = [node.text.strip() for node in footer._p.iter(qn("w:instrText"))]
    assert instructions == ["PAGE"]
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    assert all(section.footer.is_linked_to_previous for section in document.sections[1:])


def test_fonts_are_named_for_east_asian_text_with_linux_fallbacks_and_zh_cn(report):
    document = read_docx(report)
    styles = document.styles

    for name, font in (
        ("Normal", "仿宋_GB2312"),
        ("Heading 1", "黑体"),
        ("Heading 2", "楷体_GB2312"),
    ):
        rpr = styles[name].element.rPr
        assert rpr.rFonts.get(qn("w:eastAsia")) == font
        assert rpr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    defaults = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert defaults.find(qn("w:rPr")).find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    title_fonts = {run.font.name for run in document.paragraphs[0].runs} | {
        rf.get(qn("w:eastAsia")) for rf in document.paragraphs[0]._p.iter(qn("w:rFonts"))
    }
    assert title_fonts == {"方正小标宋简体"}

    with zipfile.ZipFile(io.BytesIO(render.report_docx(report))) as archive:
        fonts = etree.fromstring(archive.read("word/fontTable.xml"))
    alternatives = {
        font.get(qn("w:name")): font.find(qn("w:altName")).get(qn("w:val"))
        for font in fonts.iter(qn("w:font"))
        if font.find(qn("w:altName")) is not None
    }
    assert alternatives["仿宋_GB2312"] == "Noto Serif CJK SC"
    assert alternatives["方正小标宋简体"] == "Noto Serif CJK SC"
    assert alternatives["楷体_GB2312"] == "Noto Serif CJK SC"
    assert alternatives["黑体"] == "Noto Sans CJK SC"


def test_table_rows_never_split_headers_repeat_and_captions_keep_with_their_table(report):
    document = read_docx(report)

    assert len(document.tables) >= 8
    for table in document.tables:
        rows = table.rows
        # In the schema's order, which Word insists on.
        assert [child.tag for child in rows[0]._tr.trPr] == [qn("w:cantSplit"), qn("w:tblHeader")]
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in rows)
    captions = [p for p in document.paragraphs if re.match(r"^表\d+　", p.text)]
    assert len(captions) >= len(document.tables)
    assert all(p.paragraph_format.keep_with_next for p in captions)
    units = [p for p in document.paragraphs if p.text.startswith("单位：")]
    assert units and all(p.paragraph_format.keep_with_next for p in units)


def test_amounts_are_whole_without_decimals_and_units_are_in_the_caption(report):
    document = read_docx(report)
    headline = document.tables[0]

    cells = [[cell.text for cell in row.cells] for row in headline.rows]
    assert cells[0] == ["指标", "数值", "单位"]
    assert ["1月到位资金", "2,100", "万元"] in cells
    assert ["到位资金同比增长率", "162.50", "%"] in cells
    assert ["近两年签约项目资金到位率", "16.47", "%"] in cells
    ranking = next(
        t for t in document.tables if [c.text for c in t.rows[0].cells][:2] == ["排名", "责任单位"]
    )
    header = [cell.text for cell in ranking.rows[0].cells]
    assert not any("万元" in h for h in header)  # the （万元） is said once, in the caption
    assert [cell.text for cell in ranking.rows[1].cells][:5] == ["1", "乙单位", "3,000", "600"] + [
        "20.00"
    ]


def test_name_columns_are_wider_than_stage_columns(report):
    document = read_docx(report)
    stages = next(
        t
        for t in document.tables
        if t.rows[0].cells[0].text == "项目名称" and "新阶段" in [c.text for c in t.rows[0].cells]
    )

    header = [cell.text for cell in stages.rows[0].cells]
    widths = [column.width for column in stages.columns]
    assert widths[header.index("项目名称")] > widths[header.index("新阶段")]
    assert sum(widths) <= document.sections[0].page_width


def test_only_the_wide_tables_are_on_landscape_pages(report):
    document = read_docx(report)

    orientations = [section.orientation for section in document.sections]
    assert orientations[0] == WD_ORIENT.PORTRAIT
    assert WD_ORIENT.LANDSCAPE in orientations
    assert orientations[-1] == WD_ORIENT.PORTRAIT
    body = document.element.body
    # The section holding 按产业链 (ten columns) is landscape: its sectPr follows it.
    caption = next(p for p in document.paragraphs if "按产业链" in p.text and p.text[0] == "表")
    following = caption._p.getnext()
    while following is not None and following.find(f".//{qn('w:sectPr')}") is None:
        following = following.getnext()
    section_xml = following.find(f".//{qn('w:sectPr')}")
    assert section_xml.find(qn("w:pgSz")).get(qn("w:orient")) == "landscape"
    assert body is not None


def test_the_leaders_page_states_the_month_and_the_decisions(report):
    document = read_docx(report)
    text = "\n".join(texts(document))

    assert "1月当月到位资金2100万元，同比增长162.5%" in text
    assert "1月累计到位资金2100万元，同比增长162.5%" in text
    assert "到位资金完成率居前的是乙单位、甲单位" in text
    assert "1.二号项目（乙单位）：用地指标未落实，2026-01-20到期" in text


def test_with_the_briefing_it_names_the_moves_the_leaders_and_the_next_steps(briefed, data):
    MonthlyProgress.objects.filter(project=data.p1, month=JANUARY).update(next_steps="设备安装")
    briefed.snapshot["briefing"] = briefing(JANUARY)

    document = read_docx(briefed)
    text = "\n".join(texts(document))

    assert "（二）本月签约项目（1个）" in text
    signed = next(t for t in document.tables if t.rows[0].cells[-1].text == "签约日期")
    assert [c.text for c in signed.rows[1].cells] == [
        "四号项目",
        "乙单位",
        "",
        "6,000",
        "2026-01-05",
    ]
    assert "王示例同志包抓项目1个，总投资2亿元，本月有色卡变动的0个。" in text
    assert "（一）甲单位。一号项目：设备安装。" in text
    assert "2026年全市到位资金目标尚未录入，序时进度8.33%。" in text


def test_the_files_come_from_the_snapshot_not_from_todays_data(report):
    MonthlyProgress.objects.filter(month=JANUARY).update(funds_in_place=1)

    cells = [[c.text for c in row.cells] for row in read_docx(report).tables[0].rows]

    assert ["1月到位资金", "2,100", "万元"] in cells


def test_the_leaders_body_lists_the_moves_and_the_annex_every_project(briefed, data):
    data.p4.leader = data.leader
    data.p4.save(update_fields=["leader"])
    briefed.snapshot["briefing"] = briefing(JANUARY)

    document = read_docx(briefed)
    text = texts(document)

    moved = next(t for t in document.tables if "包抓项目本月色卡变动" in _caption_of(document, t))
    assert [row.cells[1].text for row in moved.rows[1:]] == ["四号项目"]
    assert "附件3" in text and "包抓领导项目推进情况" in text
    everything = document.tables[-1]
    assert [row.cells[1].text for row in everything.rows[1:]] == ["一号项目", "四号项目"]
    numbers = [int(m.group(1)) for p in text if (m := re.match(r"^表(\d+)　", p))]
    assert numbers == list(range(1, len(numbers) + 1))  # numbered in reading order


def _caption_of(document, table) -> str:
    """The caption paragraph before a table (skipping its 单位 line)."""
    node = table._tbl.getprevious()
    while node is not None and not "".join(node.itertext()).startswith("表"):
        node = node.getprevious()
    return "".join(node.itertext()) if node is not None else ""


def test_the_leaders_page_marks_units_behind_on_signings_and_starts(briefed, personas):
    from dashboard.models import AnnualTarget

    AnnualTarget.objects.filter(unit=personas.unit_a).update(new_signings=1, starts=1)
    # June's ranking: 序时进度 50%, and 甲单位 with nothing signed or started is 50 points
    # behind on both, 红 (more than 30).
    briefed.snapshot["briefing"] = briefing(datetime.date(2026, 6, 1))

    text = "\n".join(texts(read_docx(briefed)))

    assert "签约项目落后序时进度的有甲单位（红）。" in text
    assert "开工项目落后序时进度的有甲单位（红）。" in text


def test_a_snapshot_without_some_tables_still_makes_a_document(briefed):
    # A later snapshot schema may drop a table: its part is left out, the annexes renumber.
    for key in ("no_progress_key", "by_place", "stage_changes", "unit_ranking"):
        del briefed.snapshot["tables"][key]

    text = texts(read_docx(briefed))

    flagged = len(briefed.snapshot["tables"]["flagged"]["rows"])
    assert [p for p in text if p.startswith("附件")] == [
        f"附件：1.预警项目清单（{flagged}个）",
        "附件1",
        "附件2",
    ]
    assert "各位领导包抓的全部项目及其月末阶段见附件2。" in text
    assert not any("按建设地点" in p for p in text)


def test_the_problems_section_lists_the_leaders_instructions_still_open(data, personas):
    Instruction.objects.create(
        project=data.p2,
        leader=personas.leader,
        unit=personas.unit_b,
        text="尽快协调用地指标",
        deadline=datetime.date(2026, 1, 20),
        given_at=at("2026-01-10"),
    )
    with time_machine.travel(TODAY, tick=False):
        report = services.report_generate_now(month=JANUARY)

    document = read_docx(report)

    assert "月末未办结的领导批示1件，其中逾期1件。" in texts(document)
    table = next(t for t in document.tables if t.rows[0].cells[1].text == "批示领导")
    row = [cell.text for cell in table.rows[1].cells]
    assert row[0] == data.p2.name and row[3] == "尽快协调用地指标" and row[-1] == "11"
