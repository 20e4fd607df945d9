"""Monthly progress: filing it (a phone form), the rules it must meet, and the year-to-date and
cumulative figures derived from it."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import selectors_work, services, services_work
from projects.forms import ProjectForm
from projects.models import MAX_AMOUNT, MonthlyProgress
from projects.stages import Stage
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mid_june_2025():
    with time_machine.travel(datetime.datetime(2025, 6, 15, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def project(personas):
    return factories.ProjectFactory(unit=personas.unit_a, stage=Stage.GREEN)


def post_progress(client, project, **overrides):
    data = {
        "month": "2025-06",
        "investment_completed": "1200.50",
        "funds_in_place": "800",
        "narrative": "主体厂房封顶",
        "next_steps": "设备安装",
    }
    data.update(overrides)
    return client.post(reverse("projects:progress_add", args=[project.pk]), data)


def errors_of(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def test_an_officer_files_this_months_progress_and_lands_on_the_project_page(
    personas, login, project
):
    client = login(personas.officer_a)

    response = post_progress(client, project)

    assert response.status_code == 302
    assert response.url == f"/projects/{project.pk}/"
    entry = MonthlyProgress.objects.get(project=project)
    assert entry.month == datetime.date(2025, 6, 1)
    assert entry.investment_completed == Decimal("1200.50")
    assert entry.funds_in_place == Decimal("800")
    assert entry.narrative == "主体厂房封顶"
    assert entry.filed_by == personas.officer_a
    message = [str(m) for m in response.wsgi_request._messages]
    assert message == [f"已保存{project.name} 2025年6月的进展。"]


def test_the_form_opens_on_the_current_month_with_a_decimal_keyboard(personas, login, project):
    response = login(personas.officer_a).get(reverse("projects:progress_add", args=[project.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'type="month"' in html
    assert 'value="2025-06"' in html
    assert html.count('inputmode="decimal"') == 2
    assert "本月完成投资（万元）" in html
    assert "本月到位资金（万元）" in html


def test_a_second_entry_for_the_same_month_is_refused_and_one_row_remains(personas, login, project):
    client = login(personas.officer_a)
    post_progress(client, project)

    response = post_progress(client, project, investment_completed="5")

    assert response.status_code == 200
    assert errors_of(response, "month") == [
        "2025年6月的进展已经填报过，请修改已有记录，不要重复填报。"
    ]
    assert MonthlyProgress.objects.filter(project=project).count() == 1
    assert MonthlyProgress.objects.get(project=project).investment_completed == Decimal("1200.50")


def test_a_future_month_is_refused(personas, login, project):
    response = post_progress(login(personas.officer_a), project, month="2025-07")

    assert errors_of(response, "month") == ["不能填报未来月份（2025年7月）的进展。"]
    assert not MonthlyProgress.objects.exists()


def test_an_unreadable_month_is_refused(personas, login, project):
    response = post_progress(login(personas.officer_a), project, month="六月")

    assert errors_of(response, "month") == ["请选择月份（格式：年-月，如 2025-06）。"]
    assert not MonthlyProgress.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("investment_completed", "-1", "金额不能为负数。"),
        ("funds_in_place", "-0.01", "金额不能为负数。"),
        ("investment_completed", "9000", "本月金额超过项目总投资（8,000.00万元），请核对。"),
        (
            "funds_in_place",
            "80000000",
            "金额超出合理范围（不超过5,000,000万元，即500亿元），请核对单位是否为万元。",
        ),
        ("funds_in_place", "abc", "请输入金额数字（单位：万元）。"),
    ],
)
def test_negative_absurd_or_unreadable_amounts_are_refused_on_their_field(
    personas, login, project, field, value, message
):
    response = post_progress(login(personas.officer_a), project, **{field: value})

    assert response.status_code == 200
    assert errors_of(response, field) == [message]
    assert not MonthlyProgress.objects.exists()


def test_a_month_in_which_nothing_was_spent_can_be_filed(personas, login, project):
    response = post_progress(
        login(personas.officer_a), project, investment_completed="0", funds_in_place="0"
    )

    assert response.status_code == 302
    assert MonthlyProgress.objects.get(project=project).investment_completed == 0


def test_the_service_normalises_the_month_to_its_first_day(personas, project):
    entry = services.progress_create(
        user=personas.officer_a,
        project_id=project.pk,
        month=datetime.date(2025, 5, 17),
        investment_completed=Decimal("10"),
        funds_in_place=Decimal("5"),
    )

    assert entry.month == datetime.date(2025, 5, 1)


def test_filing_the_missing_month_clears_the_stale_warning_at_once(personas, project):
    # Last entry in February: by mid-June, March..May are missing (red: three months).
    factories.ProgressFactory(project=project, month=datetime.date(2025, 2, 1))
    project.staleness = "red"
    project.save(update_fields=["staleness"])

    services.progress_create(
        user=personas.officer_a,
        project_id=project.pk,
        month=datetime.date(2025, 5, 1),
        investment_completed=Decimal("10"),
        funds_in_place=Decimal("5"),
    )

    project.refresh_from_db()
    assert project.staleness == ""


def test_the_service_reports_every_broken_rule_at_once(personas, project):
    with pytest.raises(ValidationError) as caught:
        services.progress_create(
            user=personas.officer_a,
            project_id=project.pk,
            month=datetime.date(2026, 1, 1),
            investment_completed=Decimal("-5"),
            funds_in_place=MAX_AMOUNT + 1,
        )

    assert set(caught.value.message_dict) == {"month", "investment_completed", "funds_in_place"}
    assert not MonthlyProgress.objects.exists()


def test_a_duplicate_that_slips_past_the_check_is_stopped_by_the_constraint(personas, project):
    # Two filings racing: the second insert reaches the database after the first committed.
    factories.ProgressFactory(project=project, month=datetime.date(2025, 6, 1))
    late = MonthlyProgress(project=project, month=datetime.date(2025, 6, 1))

    with pytest.raises(ValidationError) as caught:
        services_work._save_progress(late, personas.officer_a)

    assert caught.value.message_dict["month"] == [
        "2025年6月的进展已经填报过，请修改已有记录，不要重复填报。"
    ]
    assert MonthlyProgress.objects.filter(project=project).count() == 1


def test_editing_an_entry_saves_the_correction(personas, login, project):
    entry = factories.ProgressFactory(project=project, month=datetime.date(2025, 5, 1))

    response = login(personas.officer_a).post(
        reverse("projects:progress_edit", args=[entry.pk]),
        {
            "month": "2025-05",
            "investment_completed": "150",
            "funds_in_place": "90",
            "narrative": "更正",
            "next_steps": "",
        },
    )

    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.investment_completed, entry.funds_in_place) == (Decimal("150"), Decimal("90"))
    assert entry.history.count() == 2  # the factory's insert and the correction


def test_an_entry_cannot_be_moved_onto_a_month_already_filed(personas, project):
    factories.ProgressFactory(project=project, month=datetime.date(2025, 4, 1))
    may = factories.ProgressFactory(project=project, month=datetime.date(2025, 5, 1))

    with pytest.raises(ValidationError) as caught:
        services.progress_update(
            user=personas.officer_a, progress_id=may.pk, month=datetime.date(2025, 4, 1)
        )

    assert "2025年4月的进展已经填报过" in caught.value.message_dict["month"][0]
    may.refresh_from_db()
    assert may.month == datetime.date(2025, 5, 1)


def test_an_edit_may_not_touch_the_bookkeeping_fields(personas, project):
    entry = factories.ProgressFactory(project=project)

    with pytest.raises(ValidationError) as caught:
        services.progress_update(user=personas.officer_a, progress_id=entry.pk, filed_by=None)

    assert caught.value.message_dict == {"filed_by": ["该字段不能直接修改。"]}


# --- Derived figures ---------------------------------------------------------------------------


@pytest.fixture
def across_new_year(project):
    """Four months across the 2024/2025 boundary, and another project's month beside them."""
    for month, investment, funds in [
        (datetime.date(2024, 11, 1), "100", "50"),
        (datetime.date(2024, 12, 1), "200", "80"),
        (datetime.date(2025, 1, 1), "300", "120"),
        (datetime.date(2025, 2, 1), "50", "10"),
    ]:
        factories.ProgressFactory(
            project=project,
            month=month,
            investment_completed=Decimal(investment),
            funds_in_place=Decimal(funds),
        )
    factories.ProgressFactory(month=datetime.date(2025, 1, 1), investment_completed=Decimal("999"))
    return project


def test_year_to_date_restarts_in_january_and_cumulative_runs_on(across_new_year):
    rows = list(selectors_work.progress_rows(project_id=across_new_year.pk))

    assert [r.month for r in rows] == [
        datetime.date(2025, 2, 1),
        datetime.date(2025, 1, 1),
        datetime.date(2024, 12, 1),
        datetime.date(2024, 11, 1),
    ]
    assert [r.ytd_investment for r in rows] == [350, 300, 300, 100]
    assert [r.cumulative_investment for r in rows] == [650, 600, 300, 100]
    assert [r.ytd_funds for r in rows] == [130, 120, 130, 50]
    assert [r.cumulative_funds for r in rows] == [260, 250, 130, 50]


def test_a_corrected_month_corrects_every_figure_after_it(personas, across_new_year):
    december = MonthlyProgress.objects.get(
        project=across_new_year, month=datetime.date(2024, 12, 1)
    )

    services.progress_update(
        user=personas.officer_a, progress_id=december.pk, investment_completed="250"
    )

    rows = list(selectors_work.progress_rows(project_id=across_new_year.pk))
    assert [r.cumulative_investment for r in rows] == [700, 650, 350, 100]
    assert [r.ytd_investment for r in rows] == [350, 300, 350, 100]


def test_the_progress_rows_take_one_query(across_new_year, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(selectors_work.progress_rows(project_id=across_new_year.pk))
        assert rows[0].filed_by is None  # select_related: no query for the filer


def test_an_amount_beyond_500_yi_gets_one_message_wherever_it_is_typed(personas, login, project):
    """The project form, the project API, the progress form and the progress API all refuse a
    unit slip with the same words (`projects.validators.check_amount`)."""
    officer = login(personas.officer_a)
    absurd = "80000000"

    progress_form = errors_of(
        post_progress(officer, project, funds_in_place=absurd), "funds_in_place"
    )
    progress_api = officer.post(
        "/api/v1/progress/",
        {
            "project": project.pk,
            "month": "2025-06",
            "investment_completed": "1",
            "funds_in_place": absurd,
        },
        content_type="application/json",
    ).json()["funds_in_place"]
    project_api = officer.post(
        "/api/v1/projects/",
        {
            "name": "单位填错的项目",
            "investor": project.investor_id,
            "total_investment": absurd,
            "place": project.place_id,
            "unit": project.unit_id,
        },
        content_type="application/json",
    ).json()["total_investment"]
    form = ProjectForm(data={"total_investment": absurd}, user=personas.officer_a, creating=True)
    project_form = form.errors["total_investment"] if not form.is_valid() else []

    expected = ["金额超出合理范围（不超过5,000,000万元，即500亿元），请核对单位是否为万元。"]
    assert progress_form == progress_api == project_api == list(project_form) == expected
    assert not MonthlyProgress.objects.exists()
