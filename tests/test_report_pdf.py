"""The report's PDF (WeasyPrint from the document template), read back with pypdf: the month's
figures are in its text, its CJK font is embedded, and it is drawn from the frozen snapshot."""

import io

import pytest
import time_machine
from pypdf import PdfReader

from dispatch import render, services
from projects.models import MonthlyProgress
from tests.dispatch_data import JANUARY, TODAY, build, correct

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(personas):
    with time_machine.travel(TODAY, tick=False):
        build(personas)
        return services.report_generate_now(month=JANUARY)


def read_pdf(report) -> PdfReader:
    return PdfReader(io.BytesIO(render.report_pdf(report)))


def plain(reader: PdfReader) -> str:
    """The text of every page without the line breaks and spaces the layout puts in."""
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def test_the_pdf_carries_the_masthead_and_the_months_figures(report):
    correct(MonthlyProgress.objects.filter(month=JANUARY), funds_in_place=1)  # after the freeze
    reader = read_pdf(report)
    text = plain(reader)

    assert "招商引资项目月调度通报" in text
    assert "2026年第1期" in text
    assert "1月当月到位资金2100万元，同比增长162.5%" in text
    assert "实施招商引资项目3个" in text
    assert "开工率66.67%" in text
    assert "金昌市投资促进局2026年2月2日印发" in text
    assert "—1—" in text  # the page number
    assert len(reader.pages) >= 3


def test_its_fonts_are_embedded(report):
    reader = read_pdf(report)

    embedded = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get(
                "/FontDescriptor"
            )
            if descriptor and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            ):
                embedded.add(str(font["/BaseFont"]))
    assert embedded
    assert any("CJK" in name for name in embedded), embedded
