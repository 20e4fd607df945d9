"""Importing monthly progress from a unit's spreadsheet: matched by project code or name and
month, filed through the progress services, refused as a whole when any row is bad."""

import datetime

import pytest
import time_machine

from ledger.models import ImportJob
from projects.models import MonthlyProgress
from tests import factories
from tests.ledger_files import PROGRESS_HEADERS, TODAY, D, import_file, snapshot, upload, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def project(personas):
    return factories.ProjectFactory(code="JC-P1", name="金车储能18GWh项目", unit=personas.unit_a)


def progress_row(**by_header) -> dict:
    row = {
        "项目编号": "JC-P1",
        "项目名称": "金车储能18GWh项目",
        "月份": "2025年6月",
        "本月完成投资（万元）": 1200,
        "本月到位资金（万元）": "800",
        "本月进展": "主体厂房封顶",
        "下步计划": "设备安装",
    }
    row.update(by_header)
    return row


def refused(content, user) -> list[str]:
    job = import_file(content, user, "progress")
    assert job.status in (ImportJob.Status.FAILED, ImportJob.Status.PREVIEWED)
    messages = list(job.preview.get("file_errors", []))
    for row in job.preview.get("rows", []):
        messages += [f"第{row['row']}行 {col}：{msg}" for col, msg in row["errors"]]
    return messages


def test_progress_rows_are_filed_for_their_project_and_month(personas, project):
    rows = [progress_row(), progress_row(项目编号=None, 月份=datetime.date(2025, 5, 1))]

    job = import_file(xlsx(rows, PROGRESS_HEADERS), personas.officer_a, "progress")

    assert job.status == ImportJob.Status.DONE
    assert job.summary["new"] == 2
    june = MonthlyProgress.objects.get(project=project, month=datetime.date(2025, 6, 1))
    assert (june.investment_completed, june.funds_in_place, june.narrative) == (
        D("1200"),
        D("800"),
        "主体厂房封顶",
    )
    assert june.filed_by == personas.officer_a
    assert MonthlyProgress.objects.filter(month=datetime.date(2025, 5, 1)).exists()


def test_an_existing_month_is_updated_and_an_identical_one_left_alone(personas, project):
    factories.ProgressFactory(
        project=project,
        month=datetime.date(2025, 6, 1),
        investment_completed=1200,
        funds_in_place=500,
        narrative="主体厂房封顶",
        next_steps="设备安装",
    )
    factories.ProgressFactory(project=project, month=datetime.date(2025, 5, 1), narrative="五月")
    rows = [
        progress_row(),
        progress_row(
            月份="2025-05",
            本月进展="五月",
            下步计划="",
            **{"本月完成投资（万元）": 100, "本月到位资金（万元）": 100},
        ),
    ]

    job = import_file(xlsx(rows, PROGRESS_HEADERS), personas.officer_a, "progress")

    assert [r["status"] for r in job.preview["rows"]] == ["updated", "unchanged"]
    assert job.preview["rows"][0]["changes"] == [["本月到位资金（万元）", "500.00", "800.00"]]
    assert MonthlyProgress.objects.get(month=datetime.date(2025, 6, 1)).funds_in_place == D("800")


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"项目编号": "JC-X"}, "第2行 项目编号：未找到编号为“JC-X”的项目。"),
        (
            {"项目编号": None, "项目名称": "金车储能18GW项目"},
            "第2行 项目名称：未找到项目“金车储能18GW项目”。您是否指：金车储能18GWh项目？",
        ),
        ({"月份": "2025-08"}, "第2行 月份：不能填报未来月份（2025年8月）的进展。"),
        (
            {"月份": 2025.1},
            "第2行 月份：月份写成了数字 2025.1，无法区分 1 月和 10 月，"
            "请写成 2025-10 或 2025年10月。",
        ),
        ({"月份": "六月"}, "第2行 月份：月份“六月”无法识别，请写成 2025-06 或 2025年6月。"),
        (
            {"本月到位资金（万元）": "1亿"},
            "第2行 本月到位资金（万元）：本月金额超过项目总投资（8,000.00万元），请核对。",
        ),
        (
            {"本月完成投资（万元）": "=100+200"},
            "第2行 本月完成投资（万元）：单元格 D2 是公式，"
            "请将公式转换为数值（复制后“选择性粘贴 → 数值”）。",
        ),
    ],
)
def test_a_bad_progress_row_is_refused_and_nothing_is_filed(personas, project, cells, message):
    before = snapshot()

    messages = refused(xlsx([progress_row(**cells)], PROGRESS_HEADERS), personas.officer_a)

    assert messages == [message]
    assert snapshot() == before


def test_the_same_project_and_month_twice_is_refused(personas, project):
    rows = [progress_row(), progress_row(月份="2025/6")]

    messages = refused(xlsx(rows, PROGRESS_HEADERS), personas.officer_a)

    assert messages == ["第3行 月份：与第 2 行是同一项目同一月份，请合并为一行。"]
    assert not MonthlyProgress.objects.exists()


def test_an_officer_cannot_file_another_units_progress(personas, project):
    factories.ProjectFactory(code="JC-P2", name="乙单位项目", unit=personas.unit_b)
    rows = [progress_row(), progress_row(项目编号="JC-P2", 项目名称="乙单位项目")]

    messages = refused(xlsx(rows, PROGRESS_HEADERS), personas.officer_a)

    assert messages == ["第3行 项目名称：该项目属于乙单位，您只能导入本单位项目的进展。"]
    assert not MonthlyProgress.objects.exists()


def test_two_projects_of_the_same_name_need_a_code(personas, project):
    factories.ProjectFactory(code="JC-P3", name="金车储能18GWh项目", unit=personas.unit_a)

    job = upload(
        xlsx([progress_row(项目编号=None)], PROGRESS_HEADERS), personas.officer_a, "progress"
    )

    assert job.preview["rows"][0]["errors"] == [
        ["项目编号", "系统中有 2 个名为“金车储能18GWh项目”的项目，请填写项目编号。"]
    ]
