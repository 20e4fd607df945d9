"""The report's .docx and .xlsx, built from the snapshot and read back with python-docx and
openpyxl: the hand-computed figures of tests/dispatch_data.py are in them, as text in a
government-style document and as numbers in the workbook."""

import io

import openpyxl
import pytest
import time_machine
from docx import Document
from docx.oxml.ns import qn

from dispatch import render, services
from projects.models import MonthlyProgress
from tests.dispatch_data import JANUARY, TODAY, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(personas):
    with time_machine.travel(TODAY, tick=False):
        build(personas)
        return services.report_generate_now(month=JANUARY)


def read_docx(report):
    return Document(io.BytesIO(render.report_docx(report)))


def read_xlsx(report):
    return openpyxl.load_workbook(io.BytesIO(render.report_xlsx(report)))


def east_asian_fonts(document) -> set[str]:
    """Every w:eastAsia font name used by the document's styles and runs."""
    names = set()
    for element in (document.styles.element, document.element.body):
        for rfonts in element.iter(qn("w:rFonts")):
            name = rfonts.get(qn("w:eastAsia"))
            if name:
                names.add(name)
    return names


def test_the_docx_has_the_title_and_numbered_headings(report):
    document = read_docx(report)

    assert document.paragraphs[0].text == "金昌市招商引资项目月调度报告（2026年1月）"
    assert document.paragraphs[1].text == "金昌市投资促进局　2026年2月10日（第1版）"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "一、总体情况",
        "二、项目色卡变动情况",
        "三、分类推进情况",
        "四、责任单位“三亮”排名",
        "五、需要关注的事项",
    ]
    subheadings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert subheadings[0] == "（一）按产业链"
    assert "（四）按包抓市级领导（四个一）" in subheadings


def test_the_docx_uses_the_government_fonts(report):
    document = read_docx(report)

    assert document.styles["Normal"].font.name == "仿宋_GB2312"
    assert {"仿宋_GB2312", "黑体", "楷体_GB2312"} <= east_asian_fonts(document)
    headings = [p for p in document.paragraphs if p.style.name == "Heading 1"]
    assert all(run.font.name == "黑体" for p in headings for run in p.runs)


def test_the_docx_tables_carry_the_figures_with_units_in_their_headers(report):
    document = read_docx(report)
    headline, *others = document.tables

    cells = [[cell.text for cell in row.cells] for row in headline.rows]
    assert cells[0] == ["指标", "数值", "单位"]
    assert ["1月到位资金", "2,100.00", "万元"] in cells
    assert ["到位资金同比增长率", "162.50", "%"] in cells
    assert ["近两年签约项目资金到位率", "16.47", "%"] in cells
    assert ["重点项目开工率", "66.67", "%"] in cells
    ranking = next(t for t in others if t.rows[0].cells[0].text == "排名")
    header = [cell.text for cell in ranking.rows[0].cells]
    assert "年度到位资金目标（万元）" in header
    assert [cell.text for cell in ranking.rows[1].cells][:5] == [
        "1",
        "乙单位",
        "3,000.00",
        "600.00",
        "20.00",
    ]


def test_the_xlsx_has_one_sheet_per_table(report):
    workbook = read_xlsx(report)

    titles = [t["title"] for t in report.snapshot["tables"].values()]
    assert workbook.sheetnames == titles
    assert "责任单位到位资金完成情况排名" in workbook.sheetnames


def test_the_xlsx_stores_numbers_as_numbers(report):
    workbook = read_xlsx(report)

    headline = {
        row[0]: row[1] for row in workbook["主要指标"].iter_rows(min_row=2, values_only=True)
    }
    assert headline["1月到位资金"] == 2100
    assert headline["到位资金同比增长率"] == pytest.approx(162.5)
    assert headline["近两年签约项目资金到位率"] == pytest.approx(16.47)
    assert headline["实施招商引资项目"] == 3
    ranking = workbook["责任单位到位资金完成情况排名"]
    assert [c.value for c in ranking[1]][:3] == ["排名", "责任单位", "年度到位资金目标（万元）"]
    first = ranking[2]
    assert (first[0].value, first[1].value, first[3].value) == (1, "乙单位", 600)
    assert first[3].data_type == "n"
    assert first[3].number_format == "#,##0.00"


def test_the_files_come_from_the_snapshot_not_from_todays_data(report):
    MonthlyProgress.objects.filter(month=JANUARY).update(funds_in_place=1)

    workbook = read_xlsx(report)

    headline = {
        row[0]: row[1] for row in workbook["主要指标"].iter_rows(min_row=2, values_only=True)
    }
    assert headline["1月到位资金"] == 2100
