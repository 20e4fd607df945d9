"""Ledgers shaped like the ones offices keep (issue #15): titles and a 填报日期 line above a
two-row merged header, amounts in 亿元, a hidden last-year sheet first, one sheet per county,
merged leader cells, section, subtotal and signature rows, remarks beside stage words, dates
without a year, legacy .xls and WPS-saved .xlsx. Each is built here, imported through the
whole flow, and the STORED values are checked, with what the preview said about them."""

import datetime
import re
import zipfile
from io import BytesIO

import pytest

from ledger.models import ImportJob
from projects.models import Project
from projects.stages import Stage
from tests import factories
from tests.ledger_files import (
    PROJECT_HEADERS,
    D,
    import_file,
    project_row,
    reference_data,
    stored,
    upload,
    workbook,
    xls,
    xlsx,
)

# The ledger tests' day, media folder and fast hasher (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_day")]


@pytest.fixture
def refs(personas):
    data = reference_data(personas)
    data.yongchang = factories.PlaceFactory(name="永昌县")
    return data


def rows_of(job) -> dict:
    """The preview's rows by (sheet, row number)."""
    return {(r["sheet"], r["row"]): r for r in job.preview["rows"]}


# --- A county ledger: title, 填报日期, two-row merged header in 亿元, sections, totals ----------

COUNTY_HEADER_TOP = [
    "序号",
    "项目名称（全称）",
    "投资方",
    "投资情况（亿元）",
    None,
    "色卡阶段",
    "责任单位",
    "包抓领导",
    "签约时间",
    "开工时间",
    "预计竣工时间",
    "合作意向",
    "联系人",
]
COUNTY_HEADER_SUB = [None, None, None, "总投资", "签约投资", None, None, None, None, None]
COUNTY_MERGES = [
    "A1:M1",  # the title over the whole table
    *(f"{col}3:{col}4" for col in "ABCFGHIJKLM"),  # one-row headers merged down
    "D3:E3",  # the group over its two amounts
    "A5:M5",  # the section title
    "H6:H7",  # one leader for both projects
]


def county_sheet(title="金川区") -> dict:
    return {
        "title": title,
        "rows": [
            ["金昌市2025年招商引资重点项目台账"],
            ["填报单位：甲单位", None, None, None, None, None, None, "填报日期：2025年7月10日"],
            COUNTY_HEADER_TOP,
            COUNTY_HEADER_SUB,
            ["一、有色金属新材料产业链（2个）"],
            [
                1,
                "年产3万吨高温合金棒材项目",
                "甘肃甲合金有限公司",
                12.6,
                10,
                "绿色（已开工）",
                "甲单位",
                "王明远",
                "6月26日",
                "2025年7月1日",
                "2025年12月底",
                "已签约，设备订货",
                "张三",
            ],
            [
                2,
                "镍钴新材料研发中心项目",
                "甘肃乙新材料有限公司",
                "3000万",
                "—",
                "红",
                "甲单位",
                None,
                "/",
                "无",
                None,
                "无",
                "李四",
            ],
            ["小计", None, None, 12.9, 10],
            [],
            ["合计", None, None, 12.9, 10],
            ["填表人：张三        审核人：李四"],
        ],
        "merge": COUNTY_MERGES,
    }


EXPECTED_FIRST = {
    "investor": "甘肃甲合金有限公司",
    "total": D("126000"),
    "contracted": D("100000"),
    "stage": Stage.GREEN,
    "place": "金川区",
    "unit": "甲单位",
    "chain": "有色金属新材料",
    "leader": "王明远",
    "signed_on": datetime.date(2025, 6, 26),
    "started_on": datetime.date(2025, 7, 1),
    "expected_completion_on": datetime.date(2025, 12, 31),
    "intent_note": "已签约，设备订货",
}
EXPECTED_SECOND = {
    "investor": "甘肃乙新材料有限公司",
    "total": D("3000"),
    "contracted": None,
    "stage": Stage.RED,
    "place": "金川区",
    "unit": "甲单位",
    "chain": "有色金属新材料",
    "leader": "王明远",
    "signed_on": None,
    "started_on": None,
    "expected_completion_on": None,
    "intent_note": "",
}


def test_a_county_ledger_is_read_as_a_person_reads_it(personas, refs):
    job = import_file(workbook(county_sheet()), personas.officer_a)

    assert job.status == ImportJob.Status.DONE, job.preview
    assert stored("年产3万吨高温合金棒材项目") == EXPECTED_FIRST
    assert stored("镍钴新材料研发中心项目") == EXPECTED_SECOND
    assert Project.objects.count() == 2


def test_the_preview_shows_what_will_be_stored_for_each_converted_cell(personas, refs):
    job = upload(workbook(county_sheet()), personas.officer_a)

    first = rows_of(job)[("", 6)]
    assert first["status"] == "new"
    assert "总投资（万元）：12.6（亿元） → 126000万元" in first["notes"]
    assert "签约投资（万元）：10（亿元） → 100000万元" in first["notes"]
    assert "签约日期：6月26日 → 2025-06-26（年份取自台账）" in first["notes"]
    assert "预计竣工日期：2025年12月底 → 2025-12-31（月底）" in first["notes"]
    assert "色卡阶段：“绿色（已开工）”按 绿色 导入（括号内的说明不导入）" in first["notes"]
    assert "建设地点取自工作表名“金川区”：金川区" in first["notes"]
    assert "产业链取自分组标题“一、有色金属新材料产业链（2个）”：有色金属新材料" in first["notes"]
    second = rows_of(job)[("", 7)]
    assert "总投资（万元）：“3000万” → 3000万元" not in second["notes"]  # 万 is 万元: no note
    assert "包抓市级领导：取自合并单元格 H6:H7" in second["notes"]


def test_rows_that_are_not_projects_are_named_in_the_preview_as_skipped(personas, refs):
    job = upload(workbook(county_sheet()), personas.officer_a)

    rows = rows_of(job)
    assert {n: r["status"] for (_s, n), r in rows.items()} == {
        5: "skipped",
        6: "new",
        7: "new",
        8: "skipped",
        10: "skipped",
        11: "skipped",
    }
    assert rows[("", 5)]["notes"] == ["分组标题行，不是项目，已跳过"]
    assert rows[("", 8)]["notes"] == ["合计/小计行，不是项目，已跳过"]
    assert rows[("", 10)]["label"].startswith("合计")
    assert rows[("", 11)]["notes"] == ["说明、落款或只有备注等不导入内容的行，不是项目，已跳过"]
    assert job.summary["skipped"] == 4
    reading = job.preview["reading"]
    assert "读取工作表“金川区”：表头在第 3—4 行，2 行数据。" in reading
    assert "工作表“金川区”跳过空行 1 行：第 9 行。" in reading
    assert any("“联系人”系统中没有对应的项，已忽略" in note for note in reading)


def test_the_same_ledger_saved_as_xls_stores_the_same_values(personas, refs):
    job = upload(xls(county_sheet()), personas.officer_a, name="台账.xls")
    assert job.status == ImportJob.Status.PREVIEWED, job.preview
    from ledger.services import job_commit, job_request_commit

    job_request_commit(job_id=job.pk, user=personas.officer_a)
    job = job_commit(job_id=job.pk)

    assert job.status == ImportJob.Status.DONE, job.preview
    assert stored("年产3万吨高温合金棒材项目") == EXPECTED_FIRST
    assert stored("镍钴新材料研发中心项目") == EXPECTED_SECOND


# --- Several sheets -----------------------------------------------------------------------------


def test_a_hidden_sheet_is_never_read_even_when_it_comes_first(personas, refs):
    last_year = {
        "title": "2024年台账",
        "hidden": True,
        "rows": [
            PROJECT_HEADERS,
            list(
                project_row(项目名称="年产3万吨高温合金棒材项目", **{"总投资（万元）": 1}).values()
            ),
            list(project_row(项目名称="只在去年台账里的项目").values()),
        ],
    }
    job = import_file(workbook(last_year, county_sheet()), personas.officer_a)

    assert job.status == ImportJob.Status.DONE, job.preview
    assert stored("年产3万吨高温合金棒材项目") == EXPECTED_FIRST
    assert not Project.objects.filter(name="只在去年台账里的项目").exists()
    assert "未读取隐藏的工作表“2024年台账”。" in job.preview["reading"]


def test_every_county_sheet_is_read_and_states_its_place(personas, refs):
    headers = [h for h in PROJECT_HEADERS if h != "建设地点"]

    def sheet(title, name):
        row = project_row(项目名称=name)
        del row["建设地点"]
        return {"title": title, "rows": [headers, list(row.values())]}

    notes = {"title": "填表说明", "rows": [["本表由各县区填报"], ["金额单位：万元"]]}
    content = workbook(sheet("金川区", "金川区的项目"), notes, sheet("永昌县", "永昌县的项目"))

    job = import_file(content, personas.officer_a)

    assert job.status == ImportJob.Status.DONE, job.preview
    assert stored("金川区的项目")["place"] == "金川区"
    assert stored("永昌县的项目")["place"] == "永昌县"
    assert stored("永昌县的项目")["total"] == D("80000")
    assert job.preview["rows"][1]["sheet"] == "永昌县"
    assert "未读取工作表“填表说明”：没有找到台账的表头。" in job.preview["reading"]


def test_a_row_with_no_place_anywhere_is_refused_and_named(personas, refs):
    headers = [h for h in PROJECT_HEADERS if h != "建设地点"]
    row = project_row()
    del row["建设地点"]

    job = upload(
        workbook({"title": "Sheet1", "rows": [headers, list(row.values())]}), personas.officer_a
    )

    assert job.preview["rows"][0]["errors"] == [
        ["建设地点", "必填。表中没有“建设地点”列，工作表名和分组标题中也没有可识别的地点。"]
    ]


# --- Cells ------------------------------------------------------------------------------------


def test_a_bare_number_under_a_yi_header_is_multiplied_and_never_suggested_into_wan(personas, refs):
    headers = ["总投资（亿元）" if h == "总投资（万元）" else h for h in PROJECT_HEADERS]
    rows = [
        project_row(项目名称="甲", **{"总投资（万元）": 12.6}),
        project_row(项目名称="乙", **{"总投资（万元）": "0.35"}),
        project_row(项目名称="丙", **{"总投资（万元）": "8000万元"}),
    ]
    content = xlsx([[r[h] for h in PROJECT_HEADERS] for r in rows], headers)

    job = import_file(content, personas.officer_a)

    assert job.status == ImportJob.Status.DONE, job.preview
    assert Project.objects.get(name="甲").total_investment == D("126000")
    assert Project.objects.get(name="乙").total_investment == D("3500")
    assert Project.objects.get(name="丙").total_investment == D("8000")


def test_a_unit_line_above_the_table_gives_the_amounts_their_unit(personas, refs):
    headers = ["总投资" if h == "总投资（万元）" else h for h in PROJECT_HEADERS]
    content = xlsx(
        [list(project_row(**{"总投资（万元）": 1.5}).values())],
        headers,
        above=[["金昌市招商项目台账"], ["单位：亿元"]],
    )

    import_file(content, personas.officer_a)

    assert Project.objects.get().total_investment == D("15000")


def test_a_date_without_a_year_in_a_ledger_without_one_is_refused(personas, refs):
    job = upload(xlsx([project_row(首次接洽日期="3月5日")]), personas.officer_a)

    assert job.preview["rows"][0]["errors"] == [
        [
            "首次接洽日期",
            "日期“3月5日”没有年份，表格标题和填报日期中也找不到年份，请写明年份。",
        ]
    ]
    assert not Project.objects.exists()


@pytest.mark.parametrize("written", ["1899-12-31", "2101-01-01", "0001-01-01"])
def test_an_implausible_date_is_refused(personas, refs, written):
    job = upload(xlsx([project_row(首次接洽日期=written)]), personas.officer_a)

    # The one date-range rule's message (projects.validators), with the cell as written.
    assert job.preview["rows"][0]["errors"][0][1] == (
        f"日期“{written}”：日期须在1990年1月1日至2100年12月31日之间，请检查年份是否填写正确。"
    )


def test_an_empty_mark_clears_nothing_it_should_not(personas, refs):
    project = factories.ProjectFactory(
        code="JC-7",
        name="已有项目",
        unit=personas.unit_a,
        contracted_investment=D("500"),
        intent_note="旧意向",
    )
    row = project_row(
        项目编号="JC-7",
        项目名称="已有项目",
        投资方=project.investor.name,
        **{"签约投资（万元）": "—", "合作意向": "/"},
    )

    job = upload(xlsx([row]), personas.officer_a)

    changes = {c[0]: c[1:] for c in job.preview["rows"][0]["changes"]}
    # "—" and "/" mean empty: the preview says the cell is cleared, so nothing is a surprise.
    assert changes["签约投资（万元）"] == ["500.00", "（空）"]
    assert changes["合作意向"] == ["旧意向", "（空）"]


def test_a_data_cell_merged_across_two_columns_is_refused_not_copied(personas, refs):
    row = project_row(投资方=None)
    content = workbook(
        {"title": "台账", "rows": [PROJECT_HEADERS, list(row.values())], "merge": ["B2:C2"]}
    )

    job = upload(content, personas.officer_a)

    assert job.preview["rows"][0]["errors"] == [
        [
            "投资方",
            "单元格 C2 与左边的单元格合并在一起（B2:C2），无法确定这一列的值，"
            "请取消合并后分别填写。",
        ]
    ]


# --- The monthly progress ledger (填报表) gets the same reader --------------------------------


def test_a_monthly_filing_sheet_with_its_month_in_the_title_and_a_grouped_header(personas):
    project = factories.ProjectFactory(
        code="JC-1", name="年产5万吨高温合金项目", unit=personas.unit_a
    )
    content = workbook(
        {
            "title": "6月",
            "rows": [
                ["金昌市2025年6月重点项目进展填报表"],
                ["填报单位：甲单位", None, None, None, None, None, "填报日期：2025年7月5日"],
                ["序号", "项目名称", "本月（万元）", None, "累计（亿元）", None, "本月进展"],
                [None, None, "完成投资", "到位资金", "完成投资", "到位资金", None],
                [1, "年产5万吨高温合金项目", 1200, "800", 3.5, 2, "主体厂房封顶"],
                ["合计", None, 1200, 800, 3.5, 2],
            ],
            "merge": ["A1:G1", "A3:A4", "B3:B4", "C3:D3", "E3:F3", "G3:G4"],
        }
    )

    job = import_file(content, personas.officer_a, kind="progress")

    assert job.status == ImportJob.Status.DONE, job.preview
    entry = project.progress.get()
    assert entry.month == datetime.date(2025, 6, 1)
    assert entry.investment_completed == D("1200")  # 本月, not 累计
    assert entry.funds_in_place == D("800")
    assert entry.narrative == "主体厂房封顶"
    assert "月份取自表格标题：2025年6月" in job.preview["rows"][0]["notes"]
    assert any("累计（亿元）/完成投资" in note for note in job.preview["reading"])


# --- WPS ------------------------------------------------------------------------------------------


def wps_saved(content: bytes) -> bytes:
    """The same workbook as WPS writes it: a <dimension> that says "A1" whatever the data, and
    WPS's application name and custom properties."""
    source = zipfile.ZipFile(BytesIO(content))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
            if info.filename == "docProps/app.xml":
                data = re.sub(
                    rb"<Application>[^<]*</Application>",
                    b"<Application>WPS Office</Application>",
                    data,
                )
            target.writestr(info.filename, data)
        target.writestr(
            "docProps/custom.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'custom-properties"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" '
            'pid="2" name="KSOProductBuildVer"><vt:lpwstr xmlns:vt="http://schemas.'
            'openxmlformats.org/officeDocument/2006/docPropsVTypes">2052-12.1.0.16388'
            "</vt:lpwstr></property></Properties>",
        )
    return out.getvalue()


def test_a_wps_saved_xlsx_with_a_wrong_dimension_is_read_whole(personas, refs):
    job = import_file(wps_saved(workbook(county_sheet())), personas.officer_a)

    assert job.status == ImportJob.Status.DONE, job.preview
    assert stored("年产3万吨高温合金棒材项目") == EXPECTED_FIRST
    assert stored("镍钴新材料研发中心项目") == EXPECTED_SECOND


def test_each_monthly_sheet_takes_its_own_month_from_its_own_title(personas):
    project = factories.ProjectFactory(
        code="JC-1", name="年产5万吨高温合金项目", unit=personas.unit_a
    )

    def month_sheet(month, completed):
        return {
            "title": f"{month}月",
            "rows": [
                [f"金昌市2025年{month}月重点项目进展填报表"],
                ["项目名称", "本月完成投资（万元）", "本月到位资金（万元）"],
                ["年产5万吨高温合金项目", completed, 100],
            ],
        }

    job = import_file(
        workbook(month_sheet(5, 300), month_sheet(6, 400)), personas.officer_a, kind="progress"
    )

    assert job.status == ImportJob.Status.DONE, job.preview
    assert dict(project.progress.values_list("month", "investment_completed")) == {
        datetime.date(2025, 5, 1): D("300"),
        datetime.date(2025, 6, 1): D("400"),
    }


def test_names_as_offices_write_them_are_read_and_the_preview_says_how(personas, refs):
    row = project_row(
        建设地点="金川区宁远堡镇",
        责任单位="金昌市工信局",
        包抓市级领导="王明远（副市长）",
        色卡阶段="橙色/已签约",
        合作意向="已签约",
    )
    job = import_file(xlsx([row]), personas.admin)

    assert job.status == ImportJob.Status.DONE, job.preview
    project = Project.objects.select_related("place", "unit", "leader").get()
    assert (project.place.name, project.unit.short_name, project.leader.full_name) == (
        "金川区",
        "工信局",
        "王明远",
    )
    assert project.stage == Stage.ORANGE
    notes = job.preview["rows"][0]["notes"]
    assert "建设地点：“金川区宁远堡镇”按 金川区 导入" in notes
    assert "责任单位：“金昌市工信局”按 工信局 导入" in notes
    assert "包抓市级领导：“王明远（副市长）”按 王明远 导入" in notes


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"包抓市级领导": "王明远、李四"}, "包抓市级领导", "未找到市级领导“王明远、李四”"),
        ({"建设地点": "金川区、永昌县"}, "建设地点", "未找到建设地点“金川区、永昌县”"),
        ({"色卡阶段": "蓝色→绿色"}, "色卡阶段", "无法识别的色卡阶段“蓝色→绿色”"),
        ({"色卡阶段": "红黄"}, "色卡阶段", "无法识别的色卡阶段“红黄”"),
        ({"签约日期": "2025年3月"}, "签约日期", "日期“2025年3月”只写到月份"),
    ],
)
def test_what_cannot_be_read_for_sure_is_refused_with_its_reason(
    personas, refs, cells, column, message
):
    job = upload(xlsx([project_row(**cells)]), personas.officer_a)

    errors = job.preview["rows"][0]["errors"]
    assert any(col == column and text.startswith(message) for col, text in errors), errors


def test_hidden_rows_and_columns_are_not_read_and_the_preview_names_them(personas, refs):
    # Column D is last year's 总投资, hidden beside this year's; row 3 a project filtered out.
    headers = PROJECT_HEADERS[:3] + ["总投资（万元）"] + PROJECT_HEADERS[3:]
    first = project_row(项目名称="看得见的项目")
    hidden = project_row(项目名称="隐藏行里的项目")
    rows = [
        [*[first[h] for h in PROJECT_HEADERS[:3]], 1, *[first[h] for h in PROJECT_HEADERS[3:]]],
        [*[hidden[h] for h in PROJECT_HEADERS[:3]], 1, *[hidden[h] for h in PROJECT_HEADERS[3:]]],
    ]
    content = workbook(
        {"title": "台账", "rows": [headers, *rows], "hidden_rows": [3], "hidden_columns": ["D"]}
    )

    job = import_file(content, personas.officer_a)

    assert job.status == ImportJob.Status.DONE, job.preview
    assert list(Project.objects.values_list("name", "total_investment")) == [
        ("看得见的项目", D("80000"))
    ]
    skipped = rows_of(job)[("", 3)]
    assert skipped["status"] == "skipped"
    assert skipped["notes"] == ["隐藏的行（或被筛选隐藏），没有导入；要导入请在 Excel 中取消隐藏"]
    assert "工作表“台账”的隐藏列（D）没有读取。" in job.preview["reading"]


def test_a_required_column_hidden_is_refused_with_the_hint_to_unhide_it(personas, refs):
    row = project_row()
    content = workbook(
        {"title": "台账", "rows": [PROJECT_HEADERS, list(row.values())], "hidden_columns": ["C"]}
    )

    job = upload(content, personas.officer_a)

    assert job.preview["file_errors"] == [
        "缺少必填列“投资方”。（隐藏列 C 没有读取；如果它就是这一列，请在 Excel 中取消隐藏。）"
    ]


def test_headers_with_an_explanation_in_brackets_are_their_columns(personas, refs):
    explained = {
        "色卡阶段": "色卡阶段（红/橙/蓝/绿）",
        "签约日期": "签约时间（年月日）",
        "投资方": "投资方（企业全称）",
    }
    headers = [explained.get(h, h) for h in PROJECT_HEADERS] + ["备注（说明）"]
    row = project_row(色卡阶段="橙", 合作意向="有意向", 签约日期="2025-06-01")
    content = xlsx([[*row.values(), "无"]], headers)

    job = import_file(content, personas.officer_a)

    assert job.status == ImportJob.Status.DONE, job.preview
    project = Project.objects.get()
    assert (project.stage, project.signed_on) == (Stage.ORANGE, datetime.date(2025, 6, 1))
    assert not any("备注" in note for note in job.preview["reading"])


def test_pre_numbered_empty_rows_are_blank_rows_not_skipped_projects(personas, refs):
    headers = ["序号", *PROJECT_HEADERS]
    rows = [[1, *project_row().values()], [2], [3], [4]]

    job = upload(xlsx(rows, headers), personas.officer_a)

    assert [r["row"] for r in job.preview["rows"]] == [2]
    assert "工作表“Sheet”跳过空行" not in " ".join(job.preview["reading"])  # a trailing run


def test_words_for_no_date_yet_are_empty_dates_and_building_is_green(personas, refs):
    row = project_row(
        色卡阶段="在建",
        合作意向="已签约",
        签约日期="2025-01-10",
        实际开工日期="2025-05-01",
        预计竣工日期="待定",
        投产日期="未投产",
    )

    job = import_file(xlsx([row]), personas.officer_a)

    assert job.status == ImportJob.Status.DONE, job.preview
    project = Project.objects.get()
    assert (project.stage, project.expected_completion_on, project.operating_on) == (
        Stage.GREEN,
        None,
        None,
    )
    notes = job.preview["rows"][0]["notes"]
    assert "色卡阶段：“在建”按 绿色 导入（绿色即已开工建设）" in notes
    assert "预计竣工日期：“待定”即没有日期，按空白导入" in notes


def test_a_commit_whose_plan_differs_from_the_confirmed_preview_stores_nothing(personas, refs):
    from ledger.services import job_commit, job_request_commit

    project = factories.ProjectFactory(
        code="JC-400", unit=personas.unit_a, total_investment=D("1000")
    )
    row = project_row(项目编号="JC-400", 项目名称=project.name, 投资方=project.investor.name)
    job = upload(xlsx([row]), personas.officer_a)
    assert job.preview["rows"][0]["changes"][0] == ["总投资（万元）", "1,000.00", "80,000.00"]
    # Between the preview and the commit, someone saves another amount.
    Project.objects.filter(pk=project.pk).update(total_investment=D("2000"))

    job_request_commit(job_id=job.pk, user=personas.officer_a)
    job = job_commit(job_id=job.pk)

    assert job.status == ImportJob.Status.PREVIEWED
    assert job.preview["notes"][0].startswith("预览之后系统中的数据有变化，没有导入任何数据。")
    assert job.preview["rows"][0]["changes"][0] == ["总投资（万元）", "2,000.00", "80,000.00"]
    assert Project.objects.get(pk=project.pk).total_investment == D("2000")

    # Confirmed again, the file goes in as the new preview shows.
    job_request_commit(job_id=job.pk, user=personas.officer_a)
    job = job_commit(job_id=job.pk)

    assert job.status == ImportJob.Status.DONE
    assert Project.objects.get(pk=project.pk).total_investment == D("80000")


def test_a_row_of_formulas_is_read_and_each_formula_refused_not_taken_for_blank(personas, refs):
    row = dict.fromkeys(PROJECT_HEADERS)
    row.update({"项目名称": "=Sheet2!B3", "投资方": "=Sheet2!C3", "总投资（万元）": "=Sheet2!D3"})

    job = upload(xlsx([row]), personas.officer_a)

    errors = job.preview["rows"][0]["errors"]
    assert [
        "项目名称",
        "单元格 B2 是公式，请将公式转换为数值（复制后“选择性粘贴 → 数值”）。",
    ] in errors
    assert job.summary["error"] == 1


def test_a_header_repeated_below_the_data_is_skipped_and_named(personas, refs):
    rows = [
        list(project_row(项目名称="甲").values()),
        PROJECT_HEADERS,
        list(project_row(项目名称="乙").values()),
    ]

    job = upload(xlsx(rows), personas.officer_a)

    assert [(r["row"], r["status"]) for r in job.preview["rows"]] == [
        (2, "new"),
        (3, "skipped"),
        (4, "new"),
    ]
    assert job.preview["rows"][1]["notes"] == ["重复的表头行，不是项目，已跳过"]


def test_a_summary_sheet_beside_the_ledger_is_ignored_with_a_note(personas, refs):
    summary = {
        "title": "汇总",
        "rows": [["产业链", "项目数", "总投资（亿元）"], ["有色金属新材料", 1, 8]],
    }
    ledger_sheet = {"title": "台账", "rows": [PROJECT_HEADERS, list(project_row().values())]}

    job = import_file(workbook(summary, ledger_sheet), personas.officer_a)

    assert job.status == ImportJob.Status.DONE, job.preview
    assert Project.objects.get().total_investment == D("80000")
    assert (
        "未读取工作表“汇总”：表头中没有“项目名称”列，不是逐个项目的台账（如汇总表）。"
        in job.preview["reading"]
    )


def test_a_chain_written_with_its_suffix_is_the_chain_it_names(personas, refs):
    job = import_file(
        xlsx([project_row(产业链="有色金属新材料产业链", 产业链环节=None)]), personas.officer_a
    )

    assert job.status == ImportJob.Status.DONE, job.preview
    assert Project.objects.get().chain == refs.chain
    assert "产业链：“有色金属新材料产业链”按 有色金属新材料 导入" in job.preview["rows"][0]["notes"]
