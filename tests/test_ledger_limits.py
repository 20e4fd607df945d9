"""An upload is read in bounded memory and time (issue #18, item 1): a zip bomb is refused
before it is unpacked, rows and columns stop at their limits, and the ledger tasks have time
limits, each with a Chinese message naming the limit."""

import time
import tracemalloc
import zipfile
from io import BytesIO

import pytest
from django.conf import settings as django_settings

from ledger import reader, services, tasks
from ledger.columns import PROJECT_COLUMNS
from ledger.models import ImportJob
from projects.models import Project
from tests.ledger_files import (
    PROJECT_HEADERS,
    project_row,
    snapshot,
    upload,
    workbook,
)

# The ledger tests' day, media folder and fast hasher, and `refs` (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_day")]


def _inline(value) -> bytes:
    return f'<c t="inlineStr"><is><t>{value}</t></is></c>'.encode()


def with_sheet_rows(rows_xml, count: int, header=PROJECT_HEADERS) -> bytes:
    """A real .xlsx whose first sheet is rewritten as the header row and then `count` copies
    of `rows_xml`, streamed into the archive (the test never holds the unpacked sheet)."""
    base = workbook({"title": "台账", "rows": [header]})
    source = zipfile.ZipFile(BytesIO(base))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info))
                continue
            with target.open(info.filename, "w") as sheet:
                sheet.write(
                    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
                    b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                )
                sheet.write(b"<row>" + b"".join(_inline(h) for h in header) + b"</row>")
                chunk = rows_xml * 1000
                for _ in range(count // 1000):
                    sheet.write(chunk)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def bomb() -> bytes:
    """About 100 MB of cells packed into a few hundred KB, like the upload in issue #18."""
    row = b"<row>" + _inline("x") * 40 + b"</row>"
    return with_sheet_rows(row, 110_000)


def test_a_zip_bomb_is_refused_before_it_is_unpacked_with_the_limit_named(personas, refs):
    content = bomb()
    assert len(content) < 2 * 1024 * 1024
    before = snapshot()

    tracemalloc.start()
    started = time.monotonic()
    with pytest.raises(reader.FileRejected) as refused:
        reader.read_ledger(BytesIO(content), PROJECT_COLUMNS)
    elapsed = time.monotonic() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert refused.value.messages == [
        "文件解压后超过 80 MB（上限 80 MB），不像一份正常的台账，已拒绝读取。"
        "请删除多余的空白行列和工作表，或拆分成几个文件后再上传。"
    ]
    assert elapsed < 2
    assert peak < 10 * 1024 * 1024
    assert snapshot() == before


def test_an_uploaded_bomb_fails_the_job_with_the_message(personas, refs):
    job = upload(bomb(), personas.officer_a)

    assert job.status == ImportJob.Status.FAILED
    assert "文件解压后超过 80 MB" in job.preview["file_errors"][0]


def test_rows_past_the_limit_stop_the_read_with_the_limit_named(personas, refs, monkeypatch):
    # A smaller limit keeps the test quick; the rows are real and each one is a project row.
    monkeypatch.setattr(reader, "MAX_ROWS", 3000)
    row = b"<row>" + b"".join(_inline(v or "") for v in project_row().values()) + b"</row>"
    content = with_sheet_rows(row, 5000)

    started = time.monotonic()
    with pytest.raises(reader.FileRejected) as refused:
        reader.read_ledger(BytesIO(content), PROJECT_COLUMNS)

    assert refused.value.messages == ["一次最多导入 3000 行，请把文件拆分后分批导入。"]
    assert time.monotonic() - started < 10


def test_a_formatted_empty_tail_down_to_the_last_row_is_not_read_to_the_end(personas, refs):
    content = workbook({"title": "台账", "rows": [PROJECT_HEADERS, list(project_row().values())]})
    # One styled, empty cell at Excel's last row, as some sheets carry.
    source = zipfile.ZipFile(BytesIO(content))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"</sheetData>", b'<row r="1048576"><c r="A1048576" s="0"/></row></sheetData>'
                )
            target.writestr(info.filename, data)

    started = time.monotonic()
    sheet = reader.read_ledger(BytesIO(out.getvalue()), PROJECT_COLUMNS)

    assert [r.values["name"] for r in sheet.rows] == ["年产5万吨高温合金项目"]
    assert time.monotonic() - started < 5
    assert "工作表“台账”从第 3 行起连续 1000 行为空，视为表格结束，其后的内容没有读取。" in (
        sheet.notes
    )


def test_columns_past_the_limit_are_not_read_and_the_preview_says_so(personas, refs):
    wide = PROJECT_HEADERS + [f"附加列{i}" for i in range(reader.MAX_COLUMNS)]
    row = list(project_row().values()) + ["x"] * reader.MAX_COLUMNS
    job = upload(workbook({"title": "台账", "rows": [wide, row]}), personas.officer_a)

    assert job.summary["new"] == 1
    assert "工作表“台账”第 60 列以后的内容没有读取（最多读取 60 列）。" in job.preview["reading"]


def test_the_ledger_tasks_have_time_limits_and_the_worker_a_memory_bound():
    assert tasks.preview_import.soft_time_limit == 120
    assert tasks.preview_import.time_limit == 150
    assert tasks.commit_import.soft_time_limit == 600
    assert tasks.commit_import.time_limit == 630
    assert django_settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD == 400_000


def test_a_job_past_its_time_limit_is_failed_with_the_limit_named(personas, refs):
    job = services.job_create(
        user=personas.officer_a,
        kind="projects",
        upload=__import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
            "台账.xlsx", workbook({"rows": [PROJECT_HEADERS, list(project_row().values())]})
        ),
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.COMMITTING)

    services.job_timed_out(job_id=job.pk, seconds=600)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.preview["file_errors"] == [
        "文件处理超过了 600 秒的时间上限，已停止，没有导入任何数据。请删除多余的空白行列和"
        "工作表，或拆分成几个文件后再上传。"
    ]
    assert not Project.objects.exists()
