"""Exporting lists as .xlsx, read back with openpyxl: headers, number and date formats, the
frozen header, the applied filters above the table, query budgets, and the round trip."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from chains.models import ChainTaskForce, Opportunity, TargetEnterprise
from ledger import exports, selectors
from ledger.columns import PROGRESS_COLUMNS, PROJECT_COLUMNS
from ledger.models import ImportJob
from projects.models import Project
from projects.stages import Stage
from tests import factories
from tests.ledger_files import (
    PROGRESS_HEADERS,
    TODAY,
    import_file,
    project_row,
    reference_data,
    snapshot,
    upload,
)

pytestmark = pytest.mark.django_db
HEADER_ROW = 4


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def refs(personas):
    return reference_data(personas)


def read(content: bytes):
    return load_workbook(BytesIO(content)).worksheets[0]


def export(kind: str, user, query: str = "") -> bytes:
    source = selectors.SOURCES[kind](QueryDict(query), user)
    return exports.export(kind, source.rows, applied_filters=source.applied_filters)


def header_of(sheet) -> list[str]:
    return [c.value for c in sheet[HEADER_ROW] if c.value is not None]


def make_projects(personas, refs, n: int) -> list[Project]:
    return [
        factories.ProjectFactory(
            unit=personas.unit_a if i % 2 else personas.unit_b,
            place=refs.place,
            chain=refs.chain,
            chain_link=refs.link,
            leader=refs.leader,
            stage=[Stage.RED, Stage.ORANGE, Stage.BLUE, Stage.GREEN][i % 4],
            contracted_investment=Decimal("6000.50"),
        )
        for i in range(n)
    ]


# --- The project ledger -----------------------------------------------------------------------


def test_the_project_export_has_chinese_headers_numbers_dates_and_a_frozen_header(personas, refs):
    project = make_projects(personas, refs, 4)[3]  # green: signed and started

    sheet = read(export("projects", personas.leader))

    assert sheet["A1"].value == "金昌市招商引资项目台账"
    assert sheet["A2"].value == "筛选条件：全部（未筛选）"
    assert sheet["A3"].value.startswith("导出时间：2025-07-15 10:00")
    assert header_of(sheet) == [c.header for c in PROJECT_COLUMNS]
    assert sheet.freeze_panes == "A5"
    assert sheet.column_dimensions["B"].width == 36  # 项目名称
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=HEADER_ROW + 1)}
    row = rows[project.code]
    cells = {c.header: cell for c, cell in zip(PROJECT_COLUMNS, row, strict=True)}
    assert cells["总投资（万元）"].value == 8000
    assert cells["总投资（万元）"].number_format == "#,##0.00"
    assert cells["签约投资（万元）"].value == 6000.5
    assert cells["签约日期"].is_date
    assert cells["签约日期"].value.date() == datetime.date(2024, 3, 1)
    assert cells["签约日期"].number_format == "yyyy-mm-dd"
    assert cells["色卡阶段"].value == "绿色"
    assert cells["产业链环节"].value == "高温合金/镍基合金"
    assert cells["包抓市级领导"].value == "王明远"
    assert cells["重点项目"].value == "是"


def test_the_project_export_applies_and_states_the_list_pages_filters(personas, refs):
    make_projects(personas, refs, 8)

    sheet = read(
        export("projects", personas.officer_a, f"stage=red&stage=orange&unit={personas.unit_a.pk}")
    )

    assert sheet["A2"].value == "筛选条件：色卡阶段：红色、橙色；责任单位：甲单位"
    stages = [r[5].value for r in sheet.iter_rows(min_row=HEADER_ROW + 1)]
    units = {r[9].value for r in sheet.iter_rows(min_row=HEADER_ROW + 1)}
    assert sorted(stages) == ["橙色", "橙色"]  # the odd rows are 甲单位's: orange and green
    assert units == {"甲单位"}


def test_a_flag_and_an_ordering_are_described_in_words(personas, refs):
    make_projects(personas, refs, 2)

    source = selectors.projects_source(QueryDict("is_key=true&ordering=-total_investment"), None)

    assert source.applied_filters == [("仅重点项目", "是"), ("排序", "总投资（降序）")]


def test_an_event_filter_is_described_by_the_events_name(personas, refs):
    event = factories.EventFactory(name="第31届兰洽会")

    source = selectors.projects_source(QueryDict(f"event={event.pk}"), None)

    assert source.applied_filters == [("签约活动", "第31届兰洽会")]


def test_an_invalid_filter_is_refused(personas, refs):
    with pytest.raises(selectors.InvalidFilters):
        selectors.projects_source(QueryDict("unit=99999"), None)


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def test_the_project_export_runs_the_same_queries_for_3_or_30_projects(
    personas, refs, django_assert_num_queries
):
    query = f"unit={personas.unit_a.pk}&chain={refs.chain.pk}"
    make_projects(personas, refs, 3)
    # 1 the unit filter's choice, 2 the chain filter's choice, 3 the projects with everything
    # a row shows (joins and EXISTS subqueries for the flags).
    with django_assert_num_queries(3):
        export("projects", personas.leader, query)
    make_projects(personas, refs, 27)
    with django_assert_num_queries(3):
        export("projects", personas.leader, query)


# --- The other lists --------------------------------------------------------------------------


def test_monthly_progress_is_exported_for_a_period(personas, refs):
    project = factories.ProjectFactory(code="JC-1", unit=personas.unit_a)
    for month in (4, 5, 6):
        factories.ProgressFactory(
            project=project, month=datetime.date(2025, month, 1), funds_in_place=month * 100
        )

    sheet = read(export("progress", personas.leader, "from=2025-05&to=2025-06"))

    assert sheet["A2"].value == "筛选条件：月份：2025年5月 至 2025年6月"
    assert header_of(sheet) == [c.header for c in PROGRESS_COLUMNS]
    rows = list(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert [(r[0], r[2].date(), r[4]) for r in rows] == [
        ("JC-1", datetime.date(2025, 5, 1), 500),
        ("JC-1", datetime.date(2025, 6, 1), 600),
    ]
    assert sheet.cell(HEADER_ROW + 1, 3).number_format == "yyyy-mm"


def test_a_malformed_month_is_refused(personas):
    with pytest.raises(selectors.InvalidFilters):
        selectors.progress_source(QueryDict("from=2025年5月"), None)


def test_problems_are_exported_with_their_filters(personas, refs):
    factories.ProblemFactory(unit=personas.unit_a, deadline=datetime.date(2025, 7, 1))
    factories.ProblemFactory(unit=personas.unit_b, deadline=datetime.date(2025, 8, 1))

    sheet = read(export("problems", personas.leader, "overdue=true"))

    assert sheet["A2"].value == "筛选条件：已逾期：是"
    rows = list(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert len(rows) == 1
    assert rows[0][4] == "甲单位" and rows[0][7] == "是"
    assert rows[0][5].date() == datetime.date(2025, 7, 1)


def test_problems_are_exported_with_every_filter_of_the_problem_list(personas, refs):
    chain = factories.ChainFactory(name="新能源和新能源电池")
    on_chain = factories.ProjectFactory(name="储能电池项目", chain=chain)
    factories.ProblemFactory(project=on_chain, description="能耗指标待省里调剂")
    factories.ProblemFactory(project=on_chain, description="用地报批")
    factories.ProblemFactory(description="能耗指标另一项")

    sheet = read(export("problems", personas.leader, f"chain={chain.pk}&search=能耗"))

    assert sheet["A2"].value == "筛选条件：产业链：新能源和新能源电池；搜索：能耗"
    rows = list(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert len(rows) == 1
    assert "储能电池项目" in rows[0]


def test_a_problem_export_for_one_project_names_it_and_refuses_an_absurd_id(personas, refs):
    project = factories.ProjectFactory(name="储能电池项目")
    factories.ProblemFactory(project=project)
    factories.ProblemFactory()

    sheet = read(export("problems", personas.leader, f"project={project.pk}"))

    assert sheet["A2"].value == "筛选条件：项目：储能电池项目"
    assert len(list(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))) == 1
    with pytest.raises(selectors.InvalidFilters):
        selectors.problems_source(QueryDict("project=-5e111"), None)


@pytest.mark.parametrize("year", ["0", "10000"])
def test_an_event_year_out_of_range_is_refused_not_a_server_error(personas, year):
    with pytest.raises(selectors.InvalidFilters):
        selectors.events_source(QueryDict(f"year={year}"), None)


def test_events_are_exported_with_the_projects_recorded_there(personas, refs):
    event = factories.EventFactory(name="资源综合利用产业招商暨湘企洽谈活动")
    event.reported_amount = Decimal("2179000")
    event.save()
    factories.ProjectFactory(event=event, total_investment=Decimal("12000"))

    sheet = read(export("events", personas.leader))

    row = next(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert row[0] == "资源综合利用产业招商暨湘企洽谈活动"
    assert row[4] == 2179000 and row[5] == 1 and row[6] == 12000


def test_the_three_lists_are_exported(personas, refs):
    enterprise = factories.EnterpriseFactory(name="目标电池材料公司")
    Opportunity.objects.create(chain_link=refs.link, title="镍基合金深加工", scale=50000)
    TargetEnterprise.objects.create(enterprise=enterprise, chain_link=refs.link, reason="补链")
    task_force = ChainTaskForce.objects.create(chain=refs.chain, lead_unit=personas.unit_a)
    task_force.member_units.add(personas.unit_b)

    opportunities = read(export("opportunities", personas.leader, f"chain={refs.chain.pk}"))
    targets = read(export("targets", personas.leader))
    task_forces = read(export("taskforces", personas.leader))

    assert opportunities["A2"].value == "筛选条件：产业链：有色金属新材料"
    assert next(opportunities.iter_rows(min_row=5, values_only=True))[:4] == (
        "有色金属新材料",
        "高温合金/镍基合金",
        "镍基合金深加工",
        50000,
    )
    assert next(targets.iter_rows(min_row=5, values_only=True))[0] == "目标电池材料公司"
    assert next(task_forces.iter_rows(min_row=5, values_only=True))[:4] == (
        "有色金属新材料",
        None,
        "甲单位",
        "乙单位",
    )


# --- Round trip ---------------------------------------------------------------------------------


def test_an_exported_ledger_imported_again_is_all_unchanged(personas, refs):
    make_projects(personas, refs, 8)
    factories.ProjectFactory(unit=personas.unit_a, chain=None, stage=Stage.OPERATING)
    factories.ProjectFactory(
        unit=personas.unit_a, stage=Stage.DROPPED, construction_content="多行\n内容"
    )
    content = export("projects", personas.admin)
    before = snapshot()

    job = upload(content, personas.admin)

    assert job.status == ImportJob.Status.PREVIEWED
    assert job.summary == {
        "new": 0,
        "updated": 0,
        "unchanged": 10,
        "skipped": 0,
        "error": 0,
        "total": 10,
    }
    assert not job.can_commit
    assert snapshot() == before


def test_an_exported_ledger_with_one_row_added_writes_only_that_row(personas, refs):
    make_projects(personas, refs, 6)
    sheet = load_workbook(BytesIO(export("projects", personas.admin)))
    new = project_row(项目编号="JC-NEW")
    sheet.worksheets[0].append([new.get(c.header) for c in PROJECT_COLUMNS])
    buffer = BytesIO()
    sheet.save(buffer)
    projects, moves, history, enterprises, progress = snapshot()

    job = import_file(buffer.getvalue(), personas.admin)

    assert job.status == ImportJob.Status.DONE
    assert (job.summary["new"], job.summary["unchanged"]) == (1, 6)
    after = snapshot()
    assert [p for p in after[0] if p[1] != "JC-NEW"] == projects  # no version bumped
    assert after[1:4] == (moves + 1, history + 1, enterprises + 1)


def test_exported_progress_imported_again_is_all_unchanged(personas, refs):
    project = factories.ProjectFactory(unit=personas.unit_a)
    factories.ProgressFactory(
        project=project, month=datetime.date(2025, 6, 1), narrative="两行\n进展"
    )
    content = export("progress", personas.officer_a, "from=2025-01&to=2025-07")
    before = snapshot()

    job = upload(content, personas.officer_a, kind="progress")

    assert job.summary == {
        "new": 0,
        "updated": 0,
        "unchanged": 1,
        "skipped": 0,
        "error": 0,
        "total": 1,
    }
    assert snapshot() == before


def test_the_template_has_the_headers_and_one_example_row(personas, refs):
    content = exports.template_workbook(
        "progress",
        example={"project_name": "示例", "month": datetime.date(2025, 6, 1), "narrative": "x"},
    )
    sheet = load_workbook(BytesIO(content)).worksheets[0]

    assert [c.value for c in sheet[1]] == PROGRESS_HEADERS
    assert sheet.freeze_panes == "A2"
    assert sheet["A2"].value is None and sheet["B2"].value == "示例"
    assert sheet["C2"].number_format == "yyyy-mm"
