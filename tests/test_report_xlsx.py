"""The report's .xlsx read back with openpyxl: a title and month row per sheet, widths fitted
to the content (CJK counted double), real numbers and dates, totals rows, frozen headers and
the print setup (A4, landscape when wide, fit to width, repeated header row, the month in the
page header)."""

import datetime
import io

import openpyxl
import pytest
import time_machine

from dashboard.models import AnnualTarget
from dispatch import render, services
from dispatch.briefing import briefing
from projects.models import MonthlyProgress
from tests.dispatch_data import JANUARY, TODAY, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(personas):
    with time_machine.travel(TODAY, tick=False):
        return build(personas)


@pytest.fixture
def report(data):
    with time_machine.travel(TODAY, tick=False):
        return services.report_generate_now(month=JANUARY)


def read_xlsx(report):
    return openpyxl.load_workbook(io.BytesIO(render.report_xlsx(report)))


def rows_of(sheet, first=4):
    return list(sheet.iter_rows(min_row=first, values_only=True))


def test_one_sheet_per_table_each_with_a_title_and_a_month_row(report):
    workbook = read_xlsx(report)

    titles = [t["title"] for t in report.snapshot["tables"].values()]
    # The snapshot's tables, then the sheets of its briefing (named lists, leaders, target…).
    assert workbook.sheetnames[: len(titles)] == titles
    assert "全市年度目标与序时进度" in workbook.sheetnames[len(titles) :]
    for sheet in workbook.worksheets:
        assert sheet["A1"].value == sheet.title
        assert sheet["A2"].value == "2026年1月　数据截至2026年1月31日　第1版"
        assert sheet["A1"].font.bold


def test_numbers_are_numbers_with_formats_and_the_headline_reads_by_label(report):
    headline = {row[0]: row[1] for row in rows_of(read_xlsx(report)["主要指标"])}

    assert headline["1月到位资金"] == 2100
    assert headline["到位资金同比增长率"] == pytest.approx(162.5)
    assert headline["近两年签约项目资金到位率"] == pytest.approx(16.47)
    assert headline["实施招商引资项目"] == 3
    ranking = read_xlsx(report)["责任单位到位资金完成情况排名"]
    assert [c.value for c in ranking[3]][:3] == ["排名", "责任单位", "年度到位资金目标（万元）"]
    first = ranking[4]
    assert (first[0].value, first[1].value, first[3].value) == (1, "乙单位", 600)
    assert first[3].data_type == "n"
    assert first[3].number_format == "#,##0.00"
    assert first[0].number_format == "#,##0"


def test_dates_are_real_dates_with_date_formats(report):
    workbook = read_xlsx(report)

    problems = workbook["未解决的难点堵点"]
    header = [c.value for c in problems[3]]
    deadline = problems.cell(4, header.index("办结时限") + 1)
    assert deadline.value == datetime.datetime(2026, 1, 20)
    assert deadline.number_format == "yyyy-mm-dd"
    missing = workbook["2026年1月无进展的重点项目"]
    header = [c.value for c in missing[3]]
    row = next(r for r in missing.iter_rows(min_row=4) if r[1].value == "二号项目")
    last = row[header.index("最近填报月份")]
    assert last.value == datetime.datetime(2025, 1, 1)
    assert last.number_format == 'yyyy"年"m"月"'


def test_breakdowns_and_project_lists_end_with_a_totals_row(report):
    workbook = read_xlsx(report)

    chains = workbook["按责任单位"]
    total = list(chains[chains.max_row])
    assert total[0].value == "合计"
    assert total[0].font.bold
    missing = workbook["2026年1月无进展的重点项目"]
    last = [c.value for c in missing[missing.max_row]]
    assert last[0] == "合计（2个）"
    assert 17000 in last  # 二号项目 8000 + 六号项目 9000


def test_widths_fit_the_content_counting_chinese_characters_double(report):
    sheet = read_xlsx(report)["主要指标"]

    label = sheet.column_dimensions["A"].width
    longest = max(len(str(row[0])) for row in rows_of(sheet))
    assert label >= 2 * longest
    assert sheet.column_dimensions["C"].width < label


def test_headers_are_frozen_and_the_print_setup_fits_a4(report):
    workbook = read_xlsx(report)

    narrow, wide = workbook["主要指标"], workbook["按产业链"]
    for sheet in (narrow, wide):
        assert sheet.freeze_panes == "B4"
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows == "$3:$3"
        assert sheet.oddHeader.center.text == "金昌市招商引资项目月调度报告（2026年1月）"
    assert narrow.page_setup.orientation == "portrait"
    assert wide.page_setup.orientation == "landscape"
    assert wide.print_title_cols == "$A:$A"


def test_the_briefing_adds_its_sheets(report, data):
    MonthlyProgress.objects.filter(project=data.p1, month=JANUARY).update(
        narrative="主体完工", next_steps="设备安装"
    )
    AnnualTarget.objects.create(year=2026, unit=None, funds_in_place=42000, new_signings=4)
    report.snapshot["briefing"] = briefing(JANUARY)

    workbook = read_xlsx(report)

    city = rows_of(workbook["全市年度目标与序时进度"])
    assert city[0] == ("到位资金（万元）", 42000, 2100, 5, pytest.approx(8.33))
    assert city[1] == ("新签约项目（个）", 4, 1, 25, pytest.approx(8.33))
    assert city[2][3] is None  # no target for starts: no completion

    moves = rows_of(workbook["本月项目变动"])
    assert ("签约", "四号项目", "乙单位", None, 6000, datetime.datetime(2026, 1, 5)) in moves
    notes = rows_of(workbook["本月进展与下步计划"])
    assert notes == [("甲单位", "一号项目", "主体完工", "设备安装")]


def test_the_files_come_from_the_snapshot_not_from_todays_data(report):
    MonthlyProgress.objects.filter(month=JANUARY).update(funds_in_place=1)

    headline = {row[0]: row[1] for row in rows_of(read_xlsx(report)["主要指标"])}

    assert headline["1月到位资金"] == 2100


def test_text_people_typed_never_becomes_a_formula(data, personas):
    data.overdue.description = '=HYPERLINK("http://example.test","点此")'
    data.overdue.save(update_fields=["description"])
    with time_machine.travel(TODAY, tick=False):
        report = services.report_generate_now(month=JANUARY)

    sheet = read_xlsx(report)["未解决的难点堵点"]

    header = [c.value for c in sheet[3]]
    cell = sheet.cell(4, header.index("问题") + 1)
    assert cell.data_type != "f"
    assert str(cell.value) == '=HYPERLINK("http://example.test","点此")'
