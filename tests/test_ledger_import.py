"""Importing a project ledger: real .xlsx files built here, previewed, committed; each bad file
is refused with a clear message and leaves the database as it was."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from ledger import imports
from ledger.models import ImportJob
from ledger.services import (
    IMPORT_REASON,
    job_commit,
    job_give_up,
    job_preview,
    job_request_commit,
)
from projects import backfill
from projects.models import Enterprise, Project, StageChange
from projects.stages import Stage
from tests import factories
from tests.ledger_files import (
    PROJECT_HEADERS,
    D,
    import_file,
    project_row,
    snapshot,
    upload,
    xlsx,
)

# The ledger tests' day, media folder and fast hasher, and `refs` (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_day")]


# --- A good file --------------------------------------------------------------------------------


def test_a_new_project_is_created_with_its_references_and_a_new_investor(personas, refs):
    job = import_file(xlsx([project_row()]), personas.officer_a)

    assert job.status == ImportJob.Status.DONE
    assert job.summary["new"] == 1
    project = Project.objects.get(name="年产5万吨高温合金项目")
    assert project.code == "JC-2025-0001"
    assert project.investor.name == "甘肃测试合金有限公司"
    assert project.total_investment == D("80000")
    assert (project.unit, project.place, project.chain, project.chain_link, project.leader) == (
        personas.unit_a,
        refs.place,
        refs.chain,
        refs.link,
        refs.leader,
    )
    assert project.first_contact_on == datetime.date(2025, 3, 1)
    assert project.created_by == personas.officer_a
    move = StageChange.objects.get(project=project)
    assert (move.to_stage, move.reason, move.changed_by) == (
        Stage.RED,
        IMPORT_REASON,
        personas.officer_a,
    )


def test_the_preview_says_which_rows_are_new_and_names_the_new_enterprise(personas, refs):
    job = upload(xlsx([project_row(), project_row(项目名称="二期项目")]), personas.officer_a)

    assert job.status == ImportJob.Status.PREVIEWED
    assert job.summary == {
        "new": 2,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "error": 0,
        "total": 2,
    }
    first, second = job.preview["rows"]
    assert first["status"] == "new" and first["row"] == 2
    assert "新建企业：甘肃测试合金有限公司" in first["notes"]
    # Said once, on the first row naming the enterprise.
    assert not any("新建企业" in note for note in second["notes"])
    assert Project.objects.count() == 0  # a preview writes nothing
    assert Enterprise.objects.count() == 0


def test_an_existing_project_is_matched_by_code_and_updated_not_duplicated(personas, refs):
    project = factories.ProjectFactory(code="JC-001", unit=personas.unit_a, name="旧名称")
    row = project_row(
        项目编号="JC-001",
        项目名称="新名称",
        投资方=project.investor.name,
        **{"总投资（万元）": 9000},
    )

    job = upload(xlsx([row]), personas.officer_a)

    assert job.summary["updated"] == 1
    changes = job.preview["rows"][0]["changes"]
    assert ["项目名称", "旧名称", "新名称"] in changes
    assert ["总投资（万元）", "8,000.00", "9,000.00"] in changes

    import_file(xlsx([row]), personas.officer_a)

    project.refresh_from_db()
    assert (project.name, project.total_investment, project.version) == ("新名称", D("9000"), 2)
    assert Project.objects.count() == 1
    assert project.history.count() == 2  # created, then edited by the import


def test_a_project_without_code_is_matched_by_name_and_investor(personas, refs):
    investor = factories.EnterpriseFactory(name="金川集团股份有限公司")
    project = factories.ProjectFactory(
        code="JC-777", name="7万吨三元前驱体", investor=investor, unit=personas.unit_a
    )
    row = project_row(项目名称="7万吨三元前驱体", 投资方="金川集团股份有限公司")

    job = import_file(xlsx([row]), personas.officer_a)

    assert job.summary["updated"] == 1
    assert Project.objects.count() == 1
    project.refresh_from_db()
    assert project.code == "JC-777"
    assert project.total_investment == D("80000")


def test_importing_the_same_file_again_changes_nothing(personas, refs):
    content = xlsx(
        [project_row(), project_row(项目名称="二期项目", 色卡阶段="橙", 合作意向="意向强")]
    )
    import_file(content, personas.officer_a)
    before = snapshot()

    job = upload(content, personas.officer_a)

    assert job.summary == {
        "new": 0,
        "updated": 0,
        "unchanged": 2,
        "skipped": 0,
        "error": 0,
        "total": 2,
    }
    assert not job.can_commit
    assert snapshot() == before


def test_a_jump_from_red_to_green_goes_through_the_state_machine_with_the_row_dates(personas, refs):
    project = factories.ProjectFactory(code="JC-002", unit=personas.unit_a, stage=Stage.RED)
    row = project_row(
        项目编号="JC-002",
        项目名称=project.name,
        投资方=project.investor.name,
        色卡阶段="绿色",
        合作意向="已签约",
        签约日期="2025年3月10日",
        实际开工日期="2025/6/26",
        **{"签约投资（万元）": 60000},
    )

    job = import_file(xlsx([row]), personas.officer_a)

    assert job.status == ImportJob.Status.DONE
    project.refresh_from_db()
    assert project.stage == Stage.GREEN
    assert project.signed_on == datetime.date(2025, 3, 10)
    assert project.started_on == datetime.date(2025, 6, 26)
    move = project.stage_changes.order_by("-id").first()
    assert (move.from_stage, move.to_stage, move.reason, move.changed_by) == (
        Stage.RED,
        Stage.GREEN,
        IMPORT_REASON,
        personas.officer_a,
    )


def test_a_downgrade_moves_first_so_the_intent_may_be_cleared(personas, refs):
    project = factories.ProjectFactory(code="JC-003", unit=personas.unit_a, stage=Stage.ORANGE)
    row = project_row(
        项目编号="JC-003",
        项目名称=project.name,
        投资方=project.investor.name,
        色卡阶段="红",
        合作意向="",
    )

    job = import_file(xlsx([row]), personas.officer_a)

    assert job.status == ImportJob.Status.DONE
    project.refresh_from_db()
    assert (project.stage, project.intent_note) == (Stage.RED, "")
    assert project.stage_changes.filter(
        from_stage=Stage.ORANGE, to_stage=Stage.RED, reason=IMPORT_REASON
    ).exists()


def test_a_project_can_be_dropped_by_import(personas, refs):
    project = factories.ProjectFactory(code="JC-004", unit=personas.unit_a, stage=Stage.GREEN)
    row = project_row(
        项目编号="JC-004",
        项目名称=project.name,
        投资方=project.investor.name,
        色卡阶段="终止",
        签约日期=project.signed_on,
        实际开工日期=project.started_on,
        合作意向=project.intent_note,
    )

    import_file(xlsx([row]), personas.officer_a)

    project.refresh_from_db()
    assert project.stage == Stage.DROPPED


@pytest.mark.parametrize(
    ("written", "stage"),
    [("红", Stage.RED), ("橙色", Stage.ORANGE), ("蓝", Stage.BLUE), ("绿卡", Stage.GREEN)],
)
def test_stages_are_read_in_their_short_and_long_names(personas, refs, written, stage):
    row = project_row(
        色卡阶段=written,
        合作意向="意向较强",
        签约日期="2025-03-01",
        实际开工日期="2025-05-01",
        **{"签约投资（万元）": 60000},
    )

    import_file(xlsx([row]), personas.officer_a)

    assert Project.objects.get().stage == stage


def test_amounts_written_with_wan_or_yi_are_converted_to_wan_and_said_so(personas, refs):
    rows = [
        project_row(项目名称="甲", **{"总投资（万元）": "5000万", "签约投资（万元）": "4,000"}),
        project_row(项目名称="乙", **{"总投资（万元）": "1.2亿", "签约投资（万元）": "8000万元"}),
    ]

    job = import_file(xlsx(rows), personas.officer_a)

    assert job.status == ImportJob.Status.DONE
    assert Project.objects.get(name="甲").total_investment == D("5000")
    assert Project.objects.get(name="乙").total_investment == D("12000")
    assert Project.objects.get(name="乙").contracted_investment == D("8000")
    assert "总投资（万元）：“1.2亿” → 12000万元" in job.preview["rows"][1]["notes"]


@pytest.mark.parametrize(
    "written",
    ["2025年6月26日", "2025/6/26", "2025.6.26", "2025-06-26", " 2025-6-26 ", 20250626, 45834],
)
def test_dates_written_as_text_in_the_common_chinese_forms_are_read(personas, refs, written):
    import_file(xlsx([project_row(首次接洽日期=written)]), personas.officer_a)

    assert Project.objects.get().first_contact_on == datetime.date(2025, 6, 26)


def test_title_rows_above_the_header_and_empty_rows_are_skipped(personas, refs):
    rows = [
        project_row(项目名称="甲"),
        [None] * len(PROJECT_HEADERS),
        ["  "],
        project_row(项目名称="乙"),
    ]
    content = xlsx(rows, above=[["金昌市重点项目台账"], ["填报单位：甲单位"]])

    job = import_file(content, personas.officer_a)

    assert job.summary["new"] == 2
    assert [r["row"] for r in job.preview["rows"]] == [4, 7]
    assert Project.objects.count() == 2


def test_headers_are_matched_whatever_their_brackets_and_spaces(personas, refs):
    headers = [h.replace("（", "(").replace("）", ")") for h in PROJECT_HEADERS]
    headers[1] = "项目\n名称"
    row = list(project_row().values())

    job = import_file(xlsx([row], headers), personas.officer_a)

    assert job.status == ImportJob.Status.DONE
    assert Project.objects.get().name == "年产5万吨高温合金项目"


def test_a_column_left_out_of_the_file_is_left_unchanged(personas, refs):
    project = factories.ProjectFactory(
        code="JC-005", unit=personas.unit_a, construction_content="原建设内容"
    )
    headers = [h for h in PROJECT_HEADERS if h != "建设内容"]
    row = project_row(项目编号="JC-005", 项目名称=project.name, 投资方=project.investor.name)

    import_file(xlsx([row], headers), personas.officer_a)

    project.refresh_from_db()
    assert project.construction_content == "原建设内容"
    assert project.total_investment == D("80000")


# --- Bad files: a clear message, and nothing changed ------------------------------------------


def refused(content, user, kind="projects") -> list[str]:
    """Run the whole flow on a bad file; return what the user is told."""
    job = import_file(content, user, kind)
    assert job.status in (ImportJob.Status.FAILED, ImportJob.Status.PREVIEWED)
    messages = list(job.preview.get("file_errors", []))
    for row in job.preview.get("rows", []):
        messages += [f"第{row['row']}行 {col}：{msg}" for col, msg in row["errors"]]
    assert messages, "a refused file must say why"
    return messages


@pytest.fixture
def existing(personas, refs):
    """One project of 甲单位 in the database, so 'nothing changed' has something to keep."""
    return factories.ProjectFactory(code="JC-100", unit=personas.unit_a, name="已有项目")


def test_a_file_that_is_not_an_xlsx_is_refused(personas, existing):
    before = snapshot()

    messages = refused("项目名称,投资方\n甲,乙\n".encode(), personas.officer_a)

    assert "文件不是有效的 Excel 工作簿（.xlsx 或 .xls）" in messages[0]
    assert snapshot() == before


def test_an_amount_header_without_a_unit_is_refused_with_the_header_suggested(personas, existing):
    # Changed with issue #15: "总投资" is now a known name of the column, but a number under
    # it could be 万元 or 亿元, so the file is refused until the header says which.
    headers = ["总投资" if h == "总投资（万元）" else h for h in PROJECT_HEADERS]
    before = snapshot()

    messages = refused(xlsx([list(project_row().values())], headers), personas.officer_a)

    assert messages == ["列“总投资”没有写明金额单位（万元、亿元或元）。您是否指：总投资（万元）？"]
    assert snapshot() == before


def test_a_missing_required_header_is_refused(personas, existing):
    headers = [h for h in PROJECT_HEADERS if h != "责任单位"]
    row = project_row()
    del row["责任单位"]

    messages = refused(xlsx([row], headers), personas.officer_a)

    assert messages == ["缺少必填列“责任单位”。"]


def test_a_header_merged_over_two_columns_is_refused_as_a_column_twice(personas, existing):
    # Changed with issue #15: merged headers are read (a group over its columns, a title over
    # the table); merging 总投资 over the 签约投资 cell hides that header, so the column is
    # there twice and the file is refused.
    before = snapshot()
    content = xlsx([project_row()], above=[["金昌市项目台账"]], merge=["A1:F1", "D2:E2"])

    messages = refused(content, personas.officer_a)

    assert messages == ["列“总投资（万元）”出现了两次。"]
    assert snapshot() == before


def test_a_sheet_without_the_ledger_headers_is_refused(personas, existing):
    messages = refused(xlsx([["甲", "乙"]], ["名称", "金额"]), personas.officer_a)

    assert messages[0].startswith("没有找到表头")


def test_a_formula_is_refused_with_how_to_fix_it(personas, existing):
    before = snapshot()
    row = project_row(**{"总投资（万元）": "=2000*4"})

    messages = refused(xlsx([row]), personas.officer_a)

    assert messages == [
        "第2行 总投资（万元）：单元格 D2 是公式，请将公式转换为数值（复制后“选择性粘贴 → 数值”）。"
    ]
    assert snapshot() == before


@pytest.mark.parametrize("written", ["五千万", "约5000", "5000美元"])
def test_an_amount_that_cannot_be_read_is_refused(personas, existing, written):
    before = snapshot()

    messages = refused(xlsx([project_row(**{"总投资（万元）": written})]), personas.officer_a)

    assert messages == [
        f"第2行 总投资（万元）：金额“{written}”无法识别：请填写以万元为单位的数字，如 5000，"
        "或写成 5000万、1.2亿。"
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2025年2月30日", "日期“2025年2月30日”不存在，请核对。"),
        (
            "去年三月",
            "日期“去年三月”无法识别，请写成 2025-06-26、2025/6/26、2025.6.26 或 2025年6月26日。",
        ),
    ],
)
def test_a_date_that_cannot_be_read_is_refused(personas, existing, written, message):
    before = snapshot()

    messages = refused(xlsx([project_row(首次接洽日期=written)]), personas.officer_a)

    assert messages == [f"第2行 首次接洽日期：{message}"]
    assert snapshot() == before


def test_an_unknown_unit_or_chain_is_refused_with_the_closest_name(personas, existing):
    before = snapshot()
    rows = [
        project_row(责任单位="工信"),
        project_row(项目名称="乙", 产业链="有色金属", 产业链环节=""),
    ]

    messages = refused(xlsx(rows), personas.officer_a)

    assert "第2行 责任单位：未找到责任单位“工信”。您是否指：工信局？" in messages
    assert "第3行 产业链：未找到产业链“有色金属”。您是否指：有色金属新材料？" in messages
    assert snapshot() == before


def test_unknown_places_links_and_leaders_are_refused(personas, refs, existing):
    row = project_row(建设地点="火星", 产业链环节="钛合金", 包抓市级领导="王明")

    messages = refused(xlsx([row]), personas.officer_a)

    assert (
        "第2行 建设地点：未找到建设地点“火星”，请核对名称，或请管理员先在系统中添加。" in messages
    )
    assert any(
        m.startswith("第2行 产业链环节：未找到有色金属新材料的环节“钛合金”") for m in messages
    )
    assert "第2行 包抓市级领导：未找到市级领导“王明”。您是否指：王明远？" in messages


def test_a_link_may_be_written_with_its_sub_chain(personas, refs):
    import_file(xlsx([project_row(产业链环节="高温合金/镍基合金")]), personas.officer_a)

    assert Project.objects.get().chain_link == refs.link


def test_duplicate_rows_in_the_file_are_refused(personas, existing):
    before = snapshot()
    rows = [
        project_row(),
        project_row(项目名称=" 年产5万吨高温合金项目 "),
        project_row(项目编号="JC-100", 项目名称="已有项目", 投资方=existing.investor.name),
        project_row(项目编号="JC-100", 项目名称="已有项目（改）", 投资方=existing.investor.name),
    ]

    messages = refused(xlsx(rows), personas.officer_a)

    assert messages == [
        "第3行 项目：与第 2 行是同一个项目（编号相同，或项目名称和投资方都相同），请合并为一行。",
        "第5行 项目：与第 4 行是同一个项目（编号相同，或项目名称和投资方都相同），请合并为一行。",
    ]
    assert snapshot() == before


def test_a_stage_the_ledger_states_is_imported_with_what_it_lacks_to_fill_in(personas, existing):
    # Changed with issue #15 (item 7): the ledger states the office's truth. A stage whose
    # requirements the row does not meet is imported as stated, through the stage service
    # with the reason "Excel导入", and what it lacks is listed to fill in (需补录).
    rows = [
        project_row(色卡阶段="绿"),
        project_row(
            项目编号="JC-100", 项目名称="已有项目", 投资方=existing.investor.name, 色卡阶段="蓝"
        ),
    ]

    job = import_file(xlsx(rows), personas.officer_a)

    assert job.status == ImportJob.Status.DONE, job.preview
    new = Project.objects.get(name="年产5万吨高温合金项目")
    existing.refresh_from_db()
    assert (new.stage, existing.stage) == (Stage.GREEN, Stage.BLUE)
    # Blue asks the contracted amount too (issue #19), so a jump past it lacks it as well.
    assert backfill.missing_labels(new) == [
        "合作意向",
        "签约日期",
        "签约投资（万元）",
        "实际开工日期",
    ]
    assert backfill.missing_labels(existing) == ["合作意向", "签约日期", "签约投资（万元）"]
    assert existing.stage_changes.latest("changed_at").reason == IMPORT_REASON
    assert set(backfill.projects_to_backfill(unit=personas.unit_a)) == {new, existing}
    notes = job.preview["rows"][0]["notes"]
    assert "需补录：合作意向（台账标明为绿色，导入后请在项目页补填）" in notes
    assert "需补录：实际开工日期（台账标明为绿色，导入后请在项目页补填）" in notes


def test_a_ledger_that_empties_what_the_stage_stands_on_is_still_refused(personas, refs):
    factories.ProjectFactory(
        code="JC-102",
        name="已开工项目",
        unit=personas.unit_a,
        stage=Stage.GREEN,
        intent_note="已签约",
        signed_on=datetime.date(2025, 1, 10),
        started_on=datetime.date(2025, 5, 1),
    )
    project = Project.objects.get(code="JC-102")
    before = snapshot()
    row = project_row(
        项目编号="JC-102",
        项目名称="已开工项目",
        投资方=project.investor.name,
        色卡阶段="绿",
        合作意向="已签约",
        签约日期="2025-01-10",
        实际开工日期=None,
    )

    messages = refused(xlsx([row]), personas.officer_a)

    assert messages == ["第2行 色卡阶段：升为绿色需先填写实际开工日期。"]
    assert snapshot() == before


def test_a_move_the_card_does_not_allow_is_refused(personas, refs):
    project = factories.ProjectFactory(code="JC-101", unit=personas.unit_a, stage=Stage.GREEN)
    before = snapshot()
    row = project_row(
        项目编号="JC-101",
        项目名称=project.name,
        投资方=project.investor.name,
        色卡阶段="橙",
        合作意向=project.intent_note,
        签约日期=project.signed_on,
        实际开工日期=project.started_on,
    )

    messages = refused(xlsx([row]), personas.officer_a)

    assert messages == ["第2行 色卡阶段：不能从绿色直接变更为橙色。"]
    assert snapshot() == before


def test_dates_the_services_refuse_are_refused(personas, existing):
    rows = [
        project_row(色卡阶段="蓝", 合作意向="强", 签约日期="2025-08-01"),
        project_row(
            项目名称="乙",
            色卡阶段="绿",
            合作意向="强",
            签约日期="2025-06-01",
            实际开工日期="2025-05-01",
        ),
    ]

    messages = refused(xlsx(rows), personas.officer_a)

    assert "第2行 签约日期：实际发生的日期不能晚于今天。" in messages
    assert "第3行 实际开工日期：开工日期不能早于签约日期。" in messages


def test_an_amount_out_of_range_is_refused_by_the_models_rules(personas, existing):
    messages = refused(xlsx([project_row(**{"总投资（万元）": -5})]), personas.officer_a)

    assert len(messages) == 1
    assert messages[0].startswith("第2行 总投资（万元）：")


def test_the_templates_example_row_is_refused(personas, existing):
    row = project_row(项目名称=imports.EXAMPLE_PROJECT_NAME)

    messages = refused(xlsx([row]), personas.officer_a)

    assert messages == ["第2行 项目名称：这是导入模板中的示例行，请删除后再导入。"]


def test_a_code_that_contradicts_the_name_and_investor_is_refused(personas, existing):
    row = project_row(项目编号="JC-999", 项目名称="已有项目", 投资方=existing.investor.name)

    messages = refused(xlsx([row]), personas.officer_a)

    assert messages == [
        "第2行 项目编号：已有同名、同投资方的项目，编号为 JC-100，与本行编号 JC-999 不同，请核对。"
    ]


def test_a_required_cell_left_empty_is_refused(personas, existing):
    messages = refused(xlsx([project_row(建设地点=None)]), personas.officer_a)

    assert messages == ["第2行 建设地点：必填，不能为空。"]


# --- Permissions --------------------------------------------------------------------------------


def test_an_officer_cannot_import_another_units_projects(personas, refs):
    other = factories.ProjectFactory(code="JC-200", unit=personas.unit_b, name="乙单位项目")
    own = factories.ProjectFactory(code="JC-300", unit=personas.unit_a, name="本单位项目")
    rows = [
        project_row(责任单位="乙单位"),
        project_row(
            项目编号="JC-200",
            项目名称="乙单位项目",
            投资方=other.investor.name,
            责任单位="乙单位",
            **{"总投资（万元）": 1},
        ),
        project_row(
            项目编号="JC-300", 项目名称="本单位项目", 投资方=own.investor.name, 责任单位="乙单位"
        ),
    ]
    before = snapshot()

    messages = refused(xlsx(rows), personas.officer_a)

    assert "第2行 责任单位：您只能导入本单位（甲单位）的项目；该行的责任单位是乙单位。" in messages
    assert "第3行 责任单位：该项目属于乙单位，您只能导入本单位的项目。" in messages
    assert "第4行 责任单位：不能把项目移交给其他单位（乙单位）。" in messages
    assert snapshot() == before


def test_an_officer_may_import_the_whole_city_ledger_when_others_rows_are_unchanged(personas, refs):
    other = factories.ProjectFactory(code="JC-201", unit=personas.unit_b, name="乙单位项目")
    rows = [
        project_row(),
        project_row(
            项目编号="JC-201",
            项目名称="乙单位项目",
            投资方=other.investor.name,
            责任单位="乙单位",
            色卡阶段="红",
            建设地点=other.place.name,
            产业链=other.chain.name,
            产业链环节="",
            包抓市级领导="",
            建设内容="",
            首次接洽日期=None,
            **{"总投资（万元）": 8000},
        ),
    ]

    job = import_file(xlsx(rows), personas.officer_a)

    assert job.status == ImportJob.Status.DONE
    assert [r["status"] for r in job.preview["rows"]] == ["new", "unchanged"]


def test_an_admin_imports_any_units_projects(personas, refs):
    job = import_file(xlsx([project_row(责任单位="乙单位")]), personas.admin)

    assert job.status == ImportJob.Status.DONE
    assert Project.objects.get().unit == personas.unit_b


# --- The commit decides -------------------------------------------------------------------------


def test_a_file_with_any_error_cannot_be_committed(personas, existing):
    job = upload(
        xlsx([project_row(), project_row(项目名称="乙", 责任单位="无此单位")]), personas.officer_a
    )

    assert job.summary["error"] == 1
    assert not job.can_commit
    with pytest.raises(ValidationError, match="1 行错误"):
        job_request_commit(job_id=job.pk, user=personas.officer_a)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED


def test_a_commit_plans_again_and_rolls_everything_back_when_a_row_became_invalid(personas, refs):
    project = factories.ProjectFactory(code="JC-400", unit=personas.unit_a)
    rows = [
        project_row(),
        project_row(项目编号="JC-400", 项目名称=project.name, 投资方=project.investor.name),
    ]
    job = upload(xlsx(rows), personas.officer_a)
    assert job.can_commit
    # Between the preview and the commit, the project is handed to another unit.
    Project.objects.filter(pk=project.pk).update(unit=personas.unit_b)
    before = snapshot()

    job_request_commit(job_id=job.pk, user=personas.officer_a)
    job = job_commit(job_id=job.pk)

    assert job.status == ImportJob.Status.PREVIEWED
    assert job.preview["notes"][0] == "导入时发现错误，已全部撤销，没有导入任何数据。"
    assert job.preview["rows"][1]["errors"] == [
        ["责任单位", "该项目属于乙单位，您只能导入本单位的项目。"]
    ]
    assert snapshot() == before


def test_a_commit_is_done_once_even_if_the_task_runs_twice(personas, refs):
    job = import_file(xlsx([project_row()]), personas.officer_a)
    assert job.status == ImportJob.Status.DONE

    job_commit(job_id=job.pk)

    assert Project.objects.count() == 1


def test_a_preview_run_twice_gives_the_same_result(personas, refs):
    job = upload(xlsx([project_row()]), personas.officer_a)

    again = job_preview(job_id=job.pk)

    assert (again.status, again.summary, again.preview) == (job.status, job.summary, job.preview)


def test_a_job_the_worker_gave_up_on_is_marked_failed_not_left_running(personas, refs):
    job = upload(xlsx([project_row()]), personas.officer_a)
    job_request_commit(job_id=job.pk, user=personas.officer_a)

    job_give_up(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.preview["file_errors"] == ["数据库繁忙，本次没有导入任何数据，请稍后重新上传。"]
    assert not Project.objects.exists()


def test_a_new_project_stated_as_dropped_is_refused_by_the_start_rule(personas, refs):
    before = snapshot()

    messages = refused(xlsx([project_row(色卡阶段="终止")]), personas.officer_a)

    assert messages == ["第2行 色卡阶段：新项目不能以终止状态开始。"]
    assert snapshot() == before
