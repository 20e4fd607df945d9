"""User text that looks like a formula is written as text by every spreadsheet writer: the
ledger exports (pages), the API export and the monthly report .xlsx. Each file is the real one,
read back with openpyxl; a cell holding a formula would have data_type "f"."""

import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from dispatch import render, services
from jinchang.spreadsheet import safe_text
from tests import factories
from tests.dispatch_data import JANUARY, TODAY, build

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://x.example/","点我")'
SUM = "=1+2"


def cells_with(workbook, text: str) -> list:
    return [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and text in cell.value
    ]


def assert_text_cell(workbook, text: str):
    found = cells_with(workbook, text)
    assert found, f"{text!r} is not in the workbook"
    for cell in found:
        assert cell.data_type == "s"
        assert cell.value == text


@pytest.mark.parametrize("value", ["=1+2", "+1+2", "-1+2", "@SUM(A1)", "\t=1+2", "\r=1+2"])
def test_formula_like_text_is_wrapped(value):
    assert safe_text(value) is not value
    assert str("".join(safe_text(value))) == value


@pytest.mark.parametrize("value", ["招商局", "", None, 12, 3.5, "a=b", "项目-1"])
def test_everything_else_is_left_alone(value):
    assert safe_text(value) is value


def test_the_ledger_export_page_writes_formulas_as_text(personas, login):
    factories.ProjectFactory(name=LINK, unit=personas.unit_a)

    response = login(personas.officer_a).get(reverse("ledger:export", args=["projects"]))

    assert response.status_code == 200
    workbook = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    assert_text_cell(workbook, LINK)


def test_the_api_export_writes_formulas_as_text(personas, login):
    factories.ProjectFactory(name=SUM, unit=personas.unit_a)

    response = login(personas.leader).get("/api/v1/projects/export/")

    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert_text_cell(workbook, SUM)


def test_the_monthly_report_xlsx_writes_formulas_as_text(personas):
    with time_machine.travel(TODAY, tick=False):
        data = build(personas)
        data.p1.name = LINK
        data.p1.save(update_fields=["name"])
        report = services.report_generate_now(month=JANUARY)

    workbook = openpyxl.load_workbook(io.BytesIO(render.report_xlsx(report)))

    assert_text_cell(workbook, LINK)
