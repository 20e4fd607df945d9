"""Dates are limited to 1990-2100 by one validator (projects.validators.validate_plausible_date),
with one clear message, on the pages, the API, the Excel import and the services."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import services
from projects.models import Problem, Project
from projects.validators import validate_plausible_date
from tests import factories
from tests.ledger_files import import_file, project_row, reference_data, xlsx
from tests.test_project_forms import new_project

pytestmark = pytest.mark.django_db
MESSAGE = "日期须在1990年1月1日至2100年12月31日之间，请检查年份是否填写正确。"


@pytest.fixture(autouse=True)
def frozen_today():
    moment = datetime.datetime(2025, 7, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def refs(db):
    return {
        "investor": factories.EnterpriseFactory(name="甘肃佰利联化学有限公司"),
        "place": factories.PlaceFactory(name="金川区"),
        "chain": factories.ChainFactory(name="化工循环"),
    }


@pytest.mark.parametrize(
    "day", [datetime.date(1990, 1, 1), datetime.date(2100, 12, 31), datetime.date(2025, 7, 15)]
)
def test_the_bounds_themselves_are_accepted(day):
    validate_plausible_date(day)


@pytest.mark.parametrize(
    "day", [datetime.date(1, 1, 1), datetime.date(1989, 12, 31), datetime.date(2101, 1, 1)]
)
def test_dates_outside_the_range_are_refused_with_the_message(day):
    with pytest.raises(ValidationError) as caught:
        validate_plausible_date(day)

    assert caught.value.messages == [MESSAGE]


@pytest.mark.parametrize(
    ("field", "value"),
    [("first_contact_on", "0001-01-01"), ("expected_completion_on", "9999-12-31")],
)
def test_the_project_form_refuses_an_implausible_date(login, personas, refs, field, value):
    response = login(personas.officer_a).post(
        reverse("projects:create"), new_project(personas, refs, **{field: value})
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [MESSAGE]
    assert not Project.objects.exists()


def test_the_api_refuses_an_implausible_date(login, personas):
    project = factories.ProjectFactory(unit=personas.unit_a)

    response = login(personas.officer_a).patch(
        f"/api/v1/projects/{project.pk}/",
        {"version": 1, "expected_completion_on": "2101-01-01"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["expected_completion_on"] == [MESSAGE]
    project.refresh_from_db()
    assert project.expected_completion_on is None


def test_the_excel_import_refuses_an_implausible_date(personas):
    reference_data(personas)

    job = import_file(
        xlsx([project_row(首次接洽日期=datetime.date(1989, 12, 31))]), personas.officer_a
    )

    assert job.error_count == 1
    assert MESSAGE in str(job.preview["rows"][0]["errors"])
    assert not Project.objects.exists()


def test_a_problem_deadline_far_in_the_future_is_refused(personas):
    project = factories.ProjectFactory(unit=personas.unit_a)

    with pytest.raises(ValidationError) as caught:
        services.problem_create(
            user=personas.officer_a,
            project_id=project.pk,
            category="land",
            description="用地指标",
            unit=personas.unit_a,
            deadline=datetime.date(9999, 12, 31),
        )

    assert caught.value.message_dict["deadline"] == [MESSAGE]
    assert not Problem.objects.exists()
