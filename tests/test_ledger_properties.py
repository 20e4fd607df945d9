"""Properties of the reader, over generated amounts, units and dates: the value read is the
value meant, and what the preview says a cell becomes is what is stored."""

import calendar
import datetime
import re
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import reader
from ledger.columns import PROJECT_COLUMNS
from ledger.models import ImportJob
from projects.models import Project
from tests.ledger_files import (
    PROJECT_HEADERS,
    TODAY,
    import_file,
    project_row,
    reference_data,
    workbook,
    xlsx,
)
from tests.properties import db_examples

UNITS = {"万元": Decimal(1), "亿元": Decimal(10000), "元": Decimal("0.0001")}


def read_one(headers, row, above=()) -> reader.SheetRow:
    content = workbook({"title": "台账", "rows": [*above, headers, row]})
    sheet = reader.read_ledger(BytesIO(content), PROJECT_COLUMNS)
    (only,) = sheet.rows
    return only


def shown_amount(notes) -> Decimal | None:
    for note in notes:
        match = re.search(r"→ ([\d.]+)万元$", note)
        if note.startswith("总投资") and match:
            return Decimal(match.group(1))
    return None


@settings(max_examples=60, deadline=None)
@given(
    number=st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False),
    unit=st.sampled_from(list(UNITS)),
    as_text=st.booleans(),
    own_unit=st.sampled_from([None, "万元", "亿元", "万", "亿"]),
)
def test_an_amount_is_stored_as_the_preview_says_and_as_meant(number, unit, as_text, own_unit):
    headers = [f"总投资（{unit}）" if h == "总投资（万元）" else h for h in PROJECT_HEADERS]
    if own_unit:
        cell = f"{number}{own_unit}"
        meant_unit = {"万": "万元", "亿": "亿元"}.get(own_unit, own_unit)
    else:
        cell = str(number) if as_text else float(number)
        meant_unit = unit
    row = project_row(**{"总投资（万元）": cell})

    read = read_one(headers, [row[h] for h in PROJECT_HEADERS])

    value = read.values["total_investment"]
    meant = number * UNITS[meant_unit]
    if meant_unit == "元":
        meant = meant.quantize(Decimal("0.01"))
    assert value == meant
    shown = shown_amount(read.notes)
    if meant_unit == "万元":
        assert shown is None  # nothing converted, nothing to say
    else:
        assert shown == value.quantize(Decimal("0.01"))


DATE_FORMS = {
    "cell": lambda d: d,
    "年月日": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "slash": lambda d: f"{d.year}/{d.month}/{d.day}",
    "dot": lambda d: f"{d.year}.{d.month}.{d.day}",
    "iso": lambda d: d.isoformat(),
    "digits": lambda d: int(d.strftime("%Y%m%d")),
    "no year": lambda d: f"{d.month}月{d.day}日",
}


@settings(max_examples=60, deadline=None)
@given(
    day=st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2100, 12, 31)),
    form=st.sampled_from(list(DATE_FORMS)),
)
def test_a_date_is_stored_as_the_preview_says_and_as_meant(day, form):
    above = [[f"金昌市{day.year}年项目台账"]]
    row = project_row(首次接洽日期=DATE_FORMS[form](day))

    read = read_one(PROJECT_HEADERS, [row[h] for h in PROJECT_HEADERS], above)

    assert read.values["first_contact_on"] == day
    notes = [n for n in read.notes if n.startswith("首次接洽日期")]
    if form == "no year":
        assert notes == [
            f"首次接洽日期：{day.month}月{day.day}日 → {day.isoformat()}（年份取自台账）"
        ]
    else:
        assert notes == []


@settings(max_examples=30, deadline=None)
@given(month=st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2100, 12, 1)))
def test_a_month_end_is_the_months_last_day(month):
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    row = project_row(预计竣工日期=f"{month.year}年{month.month}月底")

    read = read_one(PROJECT_HEADERS, [row[h] for h in PROJECT_HEADERS])

    assert read.values["expected_completion_on"] == last
    assert (
        f"预计竣工日期：{month.year}年{month.month}月底 → {last.isoformat()}（月底）" in read.notes
    )


# --- Through the whole flow: upload, preview, commit ---------------------------------------


@pytest.fixture
def refs(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return reference_data(personas)


@pytest.mark.django_db
@db_examples(25)
@given(
    # Within what the model accepts (0.01万元 to 500亿元); outside, the row is refused with why.
    number=st.decimals(min_value=Decimal("0.01"), max_value=499, places=2, allow_nan=False),
    unit=st.sampled_from(["万元", "亿元"]),
)
def test_what_the_preview_shows_is_what_the_commit_stores(personas, refs, number, unit):
    headers = [f"总投资（{unit}）" if h == "总投资（万元）" else h for h in PROJECT_HEADERS]
    row = project_row(**{"总投资（万元）": float(number)})
    with time_machine.travel(TODAY, tick=False):
        job = import_file(xlsx([[row[h] for h in PROJECT_HEADERS]], headers), personas.officer_a)

    try:
        assert job.status == ImportJob.Status.DONE, job.preview
        stored = Project.objects.get().total_investment
        shown = shown_amount(job.preview["rows"][0]["notes"])
        assert stored == (number * UNITS[unit]).quantize(Decimal("0.01"))
        assert stored == (shown if unit == "亿元" else number)
    finally:
        Project.objects.all().delete()
