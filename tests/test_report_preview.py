"""`manage.py report_preview 2026-01` (make report-preview): the month's .docx, .xlsx and .pdf
written for a person to look at, from the month's latest version or a new one."""

import io

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command
from docx import Document

from dispatch import services
from dispatch.models import Report
from tests.dispatch_data import JANUARY, TODAY, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_page_tools(monkeypatch, tmp_path):
    """A PATH without LibreOffice and pdftoppm: the command says so and writes the files."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_it_writes_the_three_files_of_the_latest_version(personas, tmp_path, no_page_tools):
    with time_machine.travel(TODAY, tick=False):
        build(personas)
        services.report_generate_now(month=JANUARY)
        latest = services.report_generate_now(month=JANUARY)
        out = io.StringIO()
        call_command("report_preview", "2026-01", output=str(tmp_path), stdout=out)

    folder = tmp_path / "2026-01"
    assert sorted(p.name for p in folder.iterdir()) == [
        "report-v2.docx",
        "report-v2.pdf",
        "report-v2.xlsx",
    ]
    assert Report.objects.count() == 2  # nothing new was built
    assert latest.version == 2
    document = Document(folder / "report-v2.docx")
    assert document.paragraphs[1].text == "2026年第1期"
    assert "本月签约项目" in "\n".join(p.text for p in document.paragraphs)  # briefed
    assert openpyxl.load_workbook(folder / "report-v2.xlsx")["主要指标"]["A1"].value == "主要指标"
    assert (folder / "report-v2.pdf").read_bytes().startswith(b"%PDF")
    assert "pdftoppm" in out.getvalue()


def test_it_builds_a_version_when_the_month_has_none(personas, tmp_path, no_page_tools):
    with time_machine.travel(TODAY, tick=False):
        build(personas)
        call_command("report_preview", "2026-01", output=str(tmp_path), stdout=io.StringIO())

    assert Report.objects.get().status == Report.Status.DONE
    assert (tmp_path / "2026-01" / "report-v1.docx").exists()


def test_a_bad_month_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="月份格式应为 YYYY-MM"):
        call_command("report_preview", "2026/01", output=str(tmp_path))
