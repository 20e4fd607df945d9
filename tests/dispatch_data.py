"""A hand-built data set for the monthly dispatch report, and a local group-robot server.

Today is 10 February 2026; the report is January 2026's, so the year to date is January alone
and the same period last year is January 2025 (the year boundary: December 2025 counts in
neither). Amounts in 万元; "funds" = funds in place of a month.

    P1  green, key 20000 (contracted 18000), unit 甲, leader 王; signed 2025-03-01, started
        2025-06-01; funds 2025-01 500, 2025-12 2000, 2026-01 1500 (investment 3000)
    P2  blue, key 8000 (no contracted figure), unit 乙; signed 2024-11-01; funds 2025-01 300;
        no entry for January 2026; an open problem due 2026-01-20 (overdue)
    P3  red, 3000, unit 甲: orange, downgraded to red on 15 January 2026
    P4  green, key 6000 (contracted 6000), unit 乙; red since December, signed and blue on
        5 January 2026, green on 20 January (started that day); funds 2026-01 600
        (investment 1000)
    P5  dropped on 1 June 2025, 10000 (contracted 10000), unit 甲; signed 2025-02-01;
        funds 2025-03 1000
    P6  red, key 9000, unit 乙, entered on 8 January 2026

Hand-computed figures for January 2026:
    projects under implementation: P1, P2, P4 = 3 (P5 dropped before the year)
    funds in place YTD 1500 + 600 = 2100.00; same period last year 500 + 300 = 800.00;
    increment 1300.00; growth 1300 / 800 = 162.50%
    recent signings (2025-01-01 .. 2026-01-31): P1 18000 + P4 6000 + P5 10000 = 34000.00;
    their funds 500 + 2000 + 1500 + 600 + 1000 = 5600.00; arrival rate 16.47%
    key projects of the year: P1, P2, P4 = 3; started P1, P4 = 2; start rate 66.67%
    investment completed YTD 3000 + 1000 = 4000.00
    moves in January: new 1 (P6), upgrades 2 (P4 twice), downgrades 1 (P3)
    unit targets 2026: 甲 12000 (1500 = 12.50%), 乙 3000 (600 = 20.00%): 乙 1st, 甲 2nd
"""

import contextlib
import datetime
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from dashboard.models import AnnualTarget
from projects import services as project_services
from projects.models import MonthlyProgress, StageChange
from projects.stages import Stage
from tests import factories

TZ = ZoneInfo("Asia/Shanghai")
TODAY = datetime.datetime(2026, 2, 10, 10, 0, tzinfo=TZ)
JANUARY = datetime.date(2026, 1, 1)
LONG_AGO = datetime.datetime(2024, 10, 1, 9, 0, tzinfo=TZ)
D = Decimal


def at(day: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=12, tzinfo=TZ)


def progress(project, month: str, funds, investment=0):
    return factories.filed(
        MonthlyProgress.objects.create(
            project=project,
            month=datetime.date.fromisoformat(month + "-01"),
            funds_in_place=D(funds),
            investment_completed=D(investment),
        )
    )


def project(name, *, history, **fields):
    """A project whose card went through `history` [(day, stage)] (the first from nothing)."""
    stage = history[-1][1]
    fields.setdefault("created_at", LONG_AGO)
    p = factories.ProjectFactory(name=name, stage=stage, **fields)
    StageChange.objects.filter(project=p).delete()
    previous = ""
    for day, to_stage in history:
        StageChange.objects.create(
            project=p, from_stage=previous, to_stage=to_stage, changed_at=at(day), reason="记录"
        )
        previous = to_stage
    return p


def build(personas) -> SimpleNamespace:
    a, b = personas.unit_a, personas.unit_b
    leader = factories.LeaderFactory(username="leader_wang", full_name="王示例")
    p1 = project(
        "一号项目",
        history=[
            ("2024-12-01", Stage.RED),
            ("2025-03-01", Stage.BLUE),
            ("2025-06-01", Stage.GREEN),
        ],
        unit=a,
        total_investment=D("20000"),
        contracted_investment=D("18000"),
        signed_on=datetime.date(2025, 3, 1),
        started_on=datetime.date(2025, 6, 1),
        leader=leader,
    )
    p2 = project(
        "二号项目",
        history=[("2024-10-01", Stage.RED), ("2024-11-01", Stage.BLUE)],
        unit=b,
        total_investment=D("8000"),
        signed_on=datetime.date(2024, 11, 1),
    )
    p3 = project(
        "三号项目",
        history=[
            ("2025-06-01", Stage.RED),
            ("2025-09-01", Stage.ORANGE),
            ("2026-01-15", Stage.RED),
        ],
        unit=a,
        total_investment=D("3000"),
        intent_note="意向减弱",
    )
    p4 = project(
        "四号项目",
        history=[
            ("2025-12-01", Stage.RED),
            ("2026-01-05", Stage.BLUE),
            ("2026-01-20", Stage.GREEN),
        ],
        unit=b,
        total_investment=D("6000"),
        contracted_investment=D("6000"),
        signed_on=datetime.date(2026, 1, 5),
        started_on=datetime.date(2026, 1, 20),
    )
    p5 = project(
        "五号项目",
        history=[
            ("2025-01-10", Stage.RED),
            ("2025-02-01", Stage.BLUE),
            ("2025-06-01", Stage.DROPPED),
        ],
        unit=a,
        total_investment=D("10000"),
        contracted_investment=D("10000"),
        signed_on=datetime.date(2025, 2, 1),
        stage_changed_at=at("2025-06-01"),
    )
    p6 = project(
        "六号项目",
        history=[("2026-01-08", Stage.RED)],
        unit=b,
        total_investment=D("9000"),
        created_at=at("2026-01-08"),
    )
    progress(p1, "2025-01", 500)
    progress(p1, "2025-12", 2000)
    progress(p1, "2026-01", 1500, 3000)
    progress(p2, "2025-01", 300)
    progress(p4, "2026-01", 600, 1000)
    progress(p5, "2025-03", 1000)
    overdue = factories.ProblemFactory(
        project=p2,
        unit=b,
        deadline=datetime.date(2026, 1, 20),
        description="用地指标未落实",
        raised_at=at("2026-01-05"),
    )
    later = factories.ProblemFactory(
        project=p4,
        unit=b,
        deadline=datetime.date(2026, 3, 1),
        description="电力接入待办",
        raised_at=at("2026-01-06"),
    )
    AnnualTarget.objects.create(year=2026, unit=a, funds_in_place=D("12000"))
    AnnualTarget.objects.create(year=2026, unit=b, funds_in_place=D("3000"))
    return SimpleNamespace(
        p1=p1, p2=p2, p3=p3, p4=p4, p5=p5, p6=p6, leader=leader, overdue=overdue, later=later
    )


def table_rows(snapshot: dict, key: str) -> list[dict]:
    return snapshot["tables"][key]["rows"]


def row_named(snapshot: dict, key: str, field: str, value) -> dict:
    matches = [row for row in table_rows(snapshot, key) if row[field] == value]
    assert len(matches) == 1, f"{key}: no single row with {field}={value!r}"
    return matches[0]


# --- a group robot on 127.0.0.1 ------------------------------------------------------------


class RobotServer:
    """A local stand-in for the WeCom/DingTalk robot endpoint: records every POST."""

    def __init__(self):
        self.received: list[dict] = []
        self.fail = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length).decode("utf-8"))
                server.received.append({"path": self.path, "json": body})
                if server.fail:
                    self.send_response(500)
                    self.end_headers()
                    return
                answer = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def paths(self) -> list[str]:
        return sorted(item["path"] for item in self.received)


@contextlib.contextmanager
def running_robot_server():
    """A RobotServer listening on a free port of 127.0.0.1 for the duration of the block."""
    server = RobotServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def correct(entries, **fields):
    """Correct entries as an office does, through the progress service (which keeps the month
    totals the report reads)."""
    admin = factories.AdminFactory()
    for entry in entries:
        project_services.progress_update(user=admin, progress_id=entry.pk, **fields)
