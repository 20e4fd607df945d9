"""Real .xlsx files for the ledger tests, built with openpyxl, and the reference data they name.

Today is 15 July 2025 in these tests (`TODAY`); the reference data is a unit 甲单位 (officer_a's),
the place 金川区, the chain 有色金属新材料 with the sub-chain 高温合金 and its link 镍基合金, and
the leader 王明远.
"""

import datetime
from decimal import Decimal
from io import BytesIO
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from ledger import imports, services
from ledger.columns import PROGRESS_COLUMNS, PROJECT_COLUMNS
from projects.models import Enterprise, MonthlyProgress, Project, StageChange
from tests import factories

TODAY = datetime.datetime(2025, 7, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PROJECT_HEADERS = [c.header for c in PROJECT_COLUMNS if c.importable]
PROGRESS_HEADERS = [c.header for c in PROGRESS_COLUMNS if c.importable]


def xlsx(rows, headers=None, *, above=(), merge=()) -> bytes:
    """A workbook whose first sheet has `above` rows, the header row, then `rows` (lists, or
    dicts by header). `merge` lists cell ranges to merge, e.g. "A1:B1"."""
    headers = PROJECT_HEADERS if headers is None else headers
    workbook = Workbook()
    sheet = workbook.active
    for line in above:
        sheet.append(list(line))
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(h) for h in headers] if isinstance(row, dict) else list(row))
    for cells in merge:
        sheet.merge_cells(cells)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def project_row(**by_header) -> dict:
    """A valid new red project of 甲单位; override cells by header."""
    row = {
        "项目编号": None,
        "项目名称": "年产5万吨高温合金项目",
        "投资方": "甘肃测试合金有限公司",
        "总投资（万元）": 80000,
        "签约投资（万元）": None,
        "色卡阶段": "红",
        "产业链": "有色金属新材料",
        "产业链环节": "镍基合金",
        "建设地点": "金川区",
        "责任单位": "甲单位",
        "包抓市级领导": "王明远",
        "建设内容": "建设高温合金熔炼及加工生产线",
        "首次接洽日期": datetime.date(2025, 3, 1),
        "签约日期": None,
        "实际开工日期": None,
        "预计竣工日期": None,
        "投产日期": None,
        "合作意向": "",
    }
    row.update(by_header)
    return row


def reference_data(personas) -> SimpleNamespace:
    place = factories.PlaceFactory(name="金川区")
    chain = factories.ChainFactory(name="有色金属新材料", short_name="有色")
    sub_chain = factories.ChainLinkFactory(chain=chain, name="高温合金")
    link = factories.ChainLinkFactory(chain=chain, parent=sub_chain, name="镍基合金")
    leader = personas.leader
    leader.full_name = "王明远"
    leader.save()
    factories.UnitFactory(name="金昌市工业和信息化局", short_name="工信局")
    return SimpleNamespace(place=place, chain=chain, sub_chain=sub_chain, link=link, leader=leader)


def plan(content: bytes, user, kind="projects") -> imports.Plan:
    sheet = imports.read_sheet(BytesIO(content), imports.COLUMNS[kind])
    return imports.PLANNERS[kind](sheet, user=user)


def upload(content: bytes, user, kind="projects", name="台账.xlsx"):
    """Upload and preview, as the page's task would (on_commit does not fire in a test's
    transaction, so the steps are called here)."""
    job = services.job_create(user=user, kind=kind, upload=SimpleUploadedFile(name, content))
    return services.job_preview(job_id=job.pk)


def import_file(content: bytes, user, kind="projects"):
    """Upload, preview and commit; returns the job."""
    job = upload(content, user, kind)
    if not job.can_commit:
        return job
    services.job_request_commit(job_id=job.pk, user=user)
    return services.job_commit(job_id=job.pk)


def snapshot() -> tuple:
    """Everything an import may write, to show that a refused file changed nothing."""
    return (
        list(
            Project.objects.order_by("pk").values_list(
                "pk", "code", "name", "stage", "version", "total_investment", "unit_id"
            )
        ),
        StageChange.objects.count(),
        Project.history.count(),
        Enterprise.objects.count(),
        list(MonthlyProgress.objects.order_by("pk").values_list("pk", "funds_in_place")),
    )


def errors_of(result: imports.Plan) -> list[str]:
    return [f"{col}：{msg}" for row in result.rows for col, msg in row.errors]


D = Decimal


def workbook(*sheets) -> bytes:
    """A workbook of several sheets, each a dict: `title`, `rows` (lists; the header is just
    a row, written where the test puts it), `merge` (ranges), `hidden` (bool), `hidden_rows`
    (numbers), `hidden_columns` (letters)."""
    book = Workbook()
    book.remove(book.active)
    for spec in sheets:
        sheet = book.create_sheet(spec.get("title", "Sheet"))
        for row in spec.get("rows", ()):
            sheet.append(list(row))
        for cells in spec.get("merge", ()):
            sheet.merge_cells(cells)
        if spec.get("hidden"):
            sheet.sheet_state = "hidden"
        for number in spec.get("hidden_rows", ()):
            sheet.row_dimensions[number].hidden = True
        for letter in spec.get("hidden_columns", ()):
            sheet.column_dimensions[letter].hidden = True
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xls(*sheets) -> bytes:
    """The same sheets as a legacy .xls (BIFF8), written by xlwt: dates as date cells,
    merged ranges as merged cells (the value in the first cell), hidden sheets hidden."""
    import xlwt
    from openpyxl.utils import range_boundaries

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for spec in sheets:
        sheet = book.add_sheet(spec.get("title", "Sheet"))
        merged = {}
        for cells in spec.get("merge", ()):
            min_col, min_row, max_col, max_row = range_boundaries(cells)
            merged[(min_row, min_col)] = (max_row, max_col)
        covered = {
            (r, c)
            for (r0, c0), (r1, c1) in merged.items()
            for r in range(r0, r1 + 1)
            for c in range(c0, c1 + 1)
        }
        for r, row in enumerate(spec.get("rows", ()), start=1):
            for c, value in enumerate(row, start=1):
                if (r, c) in merged:
                    r1, c1 = merged[(r, c)]
                    sheet.write_merge(r - 1, r1 - 1, c - 1, c1 - 1, value)
                elif (r, c) in covered or value is None:
                    continue
                elif isinstance(value, datetime.date):
                    sheet.write(r - 1, c - 1, value, date_style)
                else:
                    sheet.write(r - 1, c - 1, value)
        if spec.get("hidden"):
            sheet.visibility = 1
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def stored(name: str) -> dict:
    """The stored fields of the project named `name` that the shapes tests check."""
    project = Project.objects.select_related("unit", "place", "chain", "leader", "investor").get(
        name=name
    )
    return {
        "investor": project.investor.name,
        "total": project.total_investment,
        "contracted": project.contracted_investment,
        "stage": project.stage,
        "place": project.place.name,
        "unit": str(project.unit),
        "chain": project.chain.name if project.chain else None,
        "leader": project.leader.full_name if project.leader else None,
        "signed_on": project.signed_on,
        "started_on": project.started_on,
        "expected_completion_on": project.expected_completion_on,
        "intent_note": project.intent_note,
    }
