"""The content of a monthly dispatch report, computed once and frozen as JSON.

Every figure comes from dashboard.figures (the one module that defines them, also used by the
dashboard and the API); this module only adds the report's own lists (key projects with no
progress in the month, flagged projects, open problems) and lays everything out as numbered
sections of tables. The HTML page, the .docx and the .xlsx are all drawn from the snapshot
alone, so a generated report never changes when the data does.

A table is {"key", "title", "columns": [{"key", "label", "kind"}], "rows": [{...}],
"total": {...} | None}; `kind` is text, int, money (万元), pct (%) or number. Decimals are
stored as strings, so the JSON carries them exactly.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard import figures
from dashboard.figures import Scope
from dispatch.briefing import briefing
from jinchang.formats import money, percent
from projects import periods
from projects.flags import flags_of
from projects.models import MonthlyProgress, Problem
from projects.selectors import (
    flagged_then_q,
    progress_filed_q,
    project_list,
    with_flags_at,
)
from projects.stages import ACTIVE, Stage
from projects.warnings import thresholds

SCHEMA = 1
ISSUER = "金昌市投资促进局"
STAGE_COLUMNS = [Stage.RED, Stage.ORANGE, Stage.BLUE, Stage.GREEN, Stage.OPERATING, Stage.DROPPED]


def _json(value):
    """Decimals as strings, dates as ISO, recursively; the rest as is."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def col(key: str, label, kind: str = "text") -> dict:
    return {"key": key, "label": str(label), "kind": kind}


def table(key: str, title, columns: list[dict], rows: list[dict], total=None) -> dict:
    return {"key": key, "title": str(title), "columns": columns, "rows": rows, "total": total}


def month_label(month: datetime.date) -> str:
    return _("%(y)d年%(m)d月") % {"y": month.year, "m": month.month}


def period_label(month: datetime.date) -> str:
    """1—6月, or 1月 for January."""
    if month.month == 1:
        return _("1月")
    return _("1—%(m)d月") % {"m": month.month}


# --- the headline --------------------------------------------------------------------------


def _headline(scope: Scope, month: datetime.date) -> dict:
    head = figures.headline(scope)
    funds = figures.monthly_funds(scope)
    movements = figures.stage_movements(scope)
    head["funds_in_month"] = funds["this_year"][month.month - 1]
    head["funds_in_month_prev_year"] = funds["last_year"][month.month - 1]
    for name in ("new", "upgrades", "downgrades", "drops", "restores", "to_operating"):
        head[name] = movements[name]
    return {"headline": head, "monthly_funds": funds, "movements": movements}


def _headline_table(head: dict, month: datetime.date) -> dict:
    period = period_label(month)
    this = month_label(month)
    items = [
        ("projects_in_progress", _("实施招商引资项目"), "int", _("个")),
        ("funds_in_month", _("%(m)s到位资金") % {"m": this}, "money", _("万元")),
        ("funds_in_place_ytd", _("%(p)s到位资金") % {"p": period}, "money", _("万元")),
        ("funds_in_place_prev_ytd", _("上年同期到位资金"), "money", _("万元")),
        ("funds_increment", _("到位资金同比增量"), "money", _("万元")),
        ("funds_growth_rate", _("到位资金同比增长率"), "pct", "%"),
        ("recent_contracted", _("近两年签约项目签约投资"), "money", _("万元")),
        ("recent_funds", _("近两年签约项目到位资金"), "money", _("万元")),
        ("arrival_rate", _("近两年签约项目资金到位率"), "pct", "%"),
        ("key_projects_of_year", _("年度重点项目"), "int", _("个")),
        ("key_projects_started", _("已开工重点项目"), "int", _("个")),
        ("start_rate", _("重点项目开工率"), "pct", "%"),
        ("investment_completed_ytd", _("%(p)s完成投资") % {"p": period}, "money", _("万元")),
        ("investment_completed_prev_ytd", _("上年同期完成投资"), "money", _("万元")),
        ("new_signings", _("%(p)s新签约项目") % {"p": period}, "int", _("个")),
        ("new_signings_contracted", _("新签约项目签约投资"), "money", _("万元")),
        ("new", _("%(m)s新增项目") % {"m": this}, "int", _("个")),
        ("upgrades", _("%(m)s升级项目") % {"m": this}, "int", _("个")),
        ("downgrades", _("%(m)s降级项目") % {"m": this}, "int", _("个")),
        ("drops", _("%(m)s终止项目") % {"m": this}, "int", _("个")),
        ("to_operating", _("%(m)s投产项目") % {"m": this}, "int", _("个")),
    ]
    rows = [
        {"key": key, "label": str(label), "value": head[key], "kind": kind, "unit": str(unit)}
        for key, label, kind, unit in items
    ]
    return table(
        "headline",
        _("主要指标"),
        [col("label", _("指标")), col("value", _("数值"), "number"), col("unit", _("单位"))],
        rows,
    )


def _highlights(head: dict, month: datetime.date) -> list[str]:
    """The few lines a leader reads first (the summary paragraph and the notice)."""
    period = period_label(month)
    growth = head["funds_growth_rate"]
    lines = [
        _("实施招商引资项目 %(n)d 项") % {"n": head["projects_in_progress"]},
        _("%(m)s到位资金 %(v)s") % {"m": month_label(month), "v": money(head["funds_in_month"])},
        (
            _("%(p)s到位资金 %(v)s，同比增量 %(d)s，增长率 %(g)s")
            % {
                "p": period,
                "v": money(head["funds_in_place_ytd"]),
                "d": money(head["funds_increment"]),
                "g": percent(growth),
            }
            if head["funds_in_place_prev_ytd"] is not None
            else _("%(p)s到位资金 %(v)s（上年同期无可比数据）")
            % {"p": period, "v": money(head["funds_in_place_ytd"])}
        ),
        _("近两年签约项目资金到位率 %(r)s") % {"r": percent(head["arrival_rate"])},
        _("年度重点项目 %(n)d 个，已开工 %(s)d 个，开工率 %(r)s")
        % {
            "n": head["key_projects_of_year"],
            "s": head["key_projects_started"],
            "r": percent(head["start_rate"]),
        },
        _("%(p)s完成投资 %(v)s") % {"p": period, "v": money(head["investment_completed_ytd"])},
        _("本月新增 %(new)d 个、升级 %(up)d 个、降级 %(down)d 个、终止 %(drop)d 个、投产 %(op)d 个")
        % {
            "new": head["new"],
            "up": head["upgrades"],
            "down": head["downgrades"],
            "drop": head["drops"],
            "op": head["to_operating"],
        },
    ]
    return [str(line) for line in lines]


# --- stage and breakdown tables ----------------------------------------------------------


def _stage_table(rows: list[dict]) -> dict:
    body = [
        {
            "stage": r["stage"],
            "label": r["label"],
            "count": r["count"],
            "investment": r["investment"],
        }
        for r in rows
    ]
    live = [r for r in rows if r["stage"] != Stage.DROPPED]
    total = {
        "label": _("合计（不含终止）"),
        "count": sum(r["count"] for r in live),
        "investment": sum((r["investment"] for r in live), Decimal("0")),
    }
    return table(
        "by_stage",
        _("各色卡阶段项目"),
        [
            col("label", _("阶段")),
            col("count", _("项目数（个）"), "int"),
            col("investment", _("总投资（万元）"), "money"),
        ],
        body,
        {**total, "label": str(total["label"])},
    )


def _changes_table(movements: dict, month: datetime.date) -> dict:
    rows = [
        {
            "project": c["project_name"],
            "from": c["from_label"],
            "to": c["to_label"],
            "kind": c["kind_label"],
            "day": c["changed_at"][:10],
            "reason": c["reason"],
        }
        for c in movements["changes"]
    ]
    return table(
        "stage_changes",
        _("%(m)s色卡变动") % {"m": month_label(month)},
        [
            col("project", _("项目名称")),
            col("from", _("原阶段")),
            col("to", _("新阶段")),
            col("kind", _("变动类型")),
            col("day", _("日期")),
            col("reason", _("原因")),
        ],
        rows,
    )


def _breakdown_table(key: str, title, name_label, rows: list[dict], month, none_name) -> dict:
    columns = [
        col("name", name_label),
        col("count", _("项目数（个）"), "int"),
        col("investment", _("总投资（万元）"), "money"),
        col("funds_ytd", _("%(p)s到位资金（万元）") % {"p": period_label(month)}, "money"),
    ] + [
        col(f"stage_{stage.value}", _("%(s)s（个）") % {"s": stage.label}, "int")
        for stage in STAGE_COLUMNS
    ]
    body = []
    for r in rows:
        row = {
            "name": r["name"] if r["id"] is not None else str(none_name),
            "count": r["count"],
            "investment": r["investment"],
            "funds_ytd": r["funds_ytd"],
        }
        for stage in STAGE_COLUMNS:
            row[f"stage_{stage.value}"] = r["stages"].get(stage.value, 0)
        body.append(row)
    total = {"name": str(_("合计"))}
    for c in columns[1:]:
        zero = 0 if c["kind"] == "int" else Decimal("0")
        total[c["key"]] = sum((row[c["key"]] for row in body), zero)
    return table(key, title, columns, body, total)


def _scoreboard_table(rows: list[dict], month) -> dict:
    marks = {"": _("正常"), "yellow": _("黄色"), "red": _("红色")}
    body = [
        {
            "rank": r["rank"],
            "name": r["name"],
            "target_funds": r["target_funds"],
            "actual_funds": r["actual_funds"],
            "completion": r["completion"],
            "time_progress": r["time_progress"],
            "behind_points": r["behind_points"],
            "mark": str(marks.get(r["mark"], r["mark"])),
        }
        for r in rows
    ]
    return table(
        "unit_ranking",
        _("责任单位到位资金完成情况排名"),
        [
            col("rank", _("排名"), "int"),
            col("name", _("责任单位")),
            col("target_funds", _("年度到位资金目标（万元）"), "money"),
            col("actual_funds", _("%(p)s到位资金（万元）") % {"p": period_label(month)}, "money"),
            col("completion", _("完成率（%）"), "pct"),
            col("time_progress", _("序时进度（%）"), "pct"),
            col("behind_points", _("落后序时进度（百分点）"), "pct"),
            col("mark", _("标识")),
        ],
        body,
    )


# --- the report's own lists ----------------------------------------------------------------


def _no_progress_key(month: datetime.date, scope: Scope) -> dict:
    """Key projects on the board at the end of month M (as of then) that filed no entry for
    it."""
    last = Subquery(
        MonthlyProgress.objects.filter(project_id=OuterRef("pk"), month__lte=month)
        .order_by()
        .values("project_id")
        .annotate(last=Max("month"))
        .values("last")
    )
    projects = (
        periods.as_of(project_list(), scope)
        .filter(periods.key_then_q(), stage_then__in=ACTIVE)
        .filter(~progress_filed_q(month))
        .annotate(last_progress=last)
        .order_by("unit__order", "unit__name", "-total_investment", "id")
    )
    rows = [
        {
            "code": p.code,
            "name": p.name,
            "unit": str(p.unit),
            "leader": str(p.leader) if p.leader else "",
            "stage": str(Stage(p.stage_then).label),
            "investment": p.total_then,
            "last_progress": p.last_progress.strftime("%Y-%m") if p.last_progress else "",
        }
        for p in projects
    ]
    return table(
        "no_progress_key",
        _("%(m)s无进展的重点项目") % {"m": month_label(month)},
        [
            col("code", _("项目编号")),
            col("name", _("项目名称")),
            col("unit", _("责任单位")),
            col("leader", _("包抓领导")),
            col("stage", _("阶段")),
            col("investment", _("总投资（万元）"), "money"),
            col("last_progress", _("最近填报月份")),
        ],
        rows,
    )


def _flagged(scope: Scope, day: datetime.date) -> dict:
    """Projects on the card with a warning on `day` (the rule applied as of then)."""
    projects = (
        with_flags_at(
            periods.as_of(project_list(), scope).filter(periods.live_q()), day, thresholds()
        )
        .filter(flagged_then_q())
        .order_by("unit__order", "unit__name", "-total_investment", "id")
    )
    rows = [
        {
            "code": p.code,
            "name": p.name,
            "unit": str(p.unit),
            "stage": str(Stage(p.stage_then).label),
            "investment": p.total_then,
            "flags": "、".join(str(flag.label) for flag in flags_of(p, p.staleness_then)),
        }
        for p in projects
    ]
    return table(
        "flagged",
        _("预警项目"),
        [
            col("code", _("项目编号")),
            col("name", _("项目名称")),
            col("unit", _("责任单位")),
            col("stage", _("阶段")),
            col("investment", _("总投资（万元）"), "money"),
            col("flags", _("预警")),
        ],
        rows,
    )


def _problems(today: datetime.date) -> dict:
    """Problems open on `today` (raised by then, not resolved before it), overdue first (the
    most overdue at the top), then by deadline."""
    open_then = (Q(status=Problem.Status.OPEN) | Q(resolved_on__gt=today)) & Q(
        raised_at__lt=periods.aware(today + datetime.timedelta(days=1))
    )
    problems = (
        Problem.objects.filter(open_then)
        .select_related("project", "unit")
        .order_by("deadline", "id")
    )
    rows = [
        {
            "project": p.project.name,
            "category": str(p.get_category_display()),
            "description": p.description,
            "unit": str(p.unit),
            "deadline": p.deadline.isoformat(),
            "days_overdue": max(0, (today - p.deadline).days),
            "state": str(_("已逾期") if p.deadline < today else _("未到期")),
        }
        for p in problems
    ]
    return table(
        "open_problems",
        _("未解决的难点堵点"),
        [
            col("project", _("项目名称")),
            col("category", _("类别")),
            col("description", _("问题")),
            col("unit", _("责任单位")),
            col("deadline", _("办结时限")),
            col("days_overdue", _("逾期天数（天）"), "int"),
            col("state", _("状态")),
        ],
        rows,
    )


# --- the whole report --------------------------------------------------------------------


def build(month: datetime.date, *, on_progress: Callable[[int], None] = lambda p: None) -> dict:
    """The snapshot of month `month` (its first day), as JSON-ready data."""
    today = timezone.localdate()
    scope = Scope(year=month.year, month=month.month)
    top = _headline(scope, month)
    head, movements = top["headline"], top["movements"]
    on_progress(20)
    # The stage table and the four breakdowns from one grouped query.
    parts = figures.breakdowns(scope)
    tables = [_headline_table(head, month), _stage_table(parts["by_stage"])]
    tables.append(_changes_table(movements, month))
    on_progress(35)
    period = period_label(month)
    breakdowns = [
        ("by_chain", _("按产业链"), _("产业链"), _("未归入产业链")),
        ("by_place", _("按建设地点"), _("建设地点"), _("未填地点")),
        ("by_unit", _("按责任单位"), _("责任单位"), _("未填单位")),
        ("by_leader", _("按包抓市级领导（四个一）"), _("包抓领导"), _("未明确包抓领导")),
    ]
    for key, title, name_label, none_name in breakdowns:
        tables.append(_breakdown_table(key, title, name_label, parts[key], month, none_name))
    on_progress(60)
    tables.append(_scoreboard_table(figures.unit_scoreboard(scope), month))
    on_progress(75)
    # Warnings and problems as they stood on the month's last day (today, if earlier), so a
    # report generated again later says the same.
    day = min(today, scope.period_end)
    tables.append(_no_progress_key(month, scope))
    tables.append(_flagged(scope, day))
    tables.append(_problems(day))
    on_progress(90)

    highlights = _highlights(head, month)
    title = _("金昌市招商引资项目月调度报告（%(m)s）") % {"m": month_label(month)}
    sections = [
        {
            "heading": str(_("总体情况")),
            "paragraphs": [
                str(_("截至%(m)s底，") % {"m": month_label(month)}) + "；".join(highlights) + "。"
            ],
            "tables": ["headline", "by_stage"],
            "subsections": [],
        },
        {
            "heading": str(_("项目色卡变动情况")),
            "paragraphs": [
                str(
                    _(
                        "%(m)s新增项目 %(new)d 个，升级 %(up)d 个，降级 %(down)d 个，"
                        "终止 %(drop)d 个，转入投产 %(op)d 个。"
                    )
                    % {
                        "m": month_label(month),
                        "new": head["new"],
                        "up": head["upgrades"],
                        "down": head["downgrades"],
                        "drop": head["drops"],
                        "op": head["to_operating"],
                    }
                )
            ],
            "tables": ["stage_changes"],
            "subsections": [],
        },
        {
            "heading": str(_("分类推进情况")),
            "paragraphs": [
                str(
                    _("项目数和总投资为%(m)s底在库项目（不含终止），到位资金为%(p)s累计。")
                    % {"m": month_label(month), "p": period}
                )
            ],
            "tables": [],
            "subsections": [
                {"heading": str(title), "tables": [key]} for key, title, *_rest in breakdowns
            ],
        },
        {
            "heading": str(_("责任单位“三亮”排名")),
            "paragraphs": [
                str(
                    _("按%(p)s到位资金占年度目标的比例排名，序时进度为 %(t)s。")
                    % {"p": period, "t": percent(scope.time_progress)}
                )
            ],
            "tables": ["unit_ranking"],
            "subsections": [],
        },
        {
            "heading": str(_("需要关注的事项")),
            "paragraphs": [str(_("预警与问题为%(d)s的状态。") % {"d": day.isoformat()})],
            "tables": [],
            "subsections": [
                {"heading": str(_("本月无进展的重点项目")), "tables": ["no_progress_key"]},
                {"heading": str(_("预警项目")), "tables": ["flagged"]},
                {"heading": str(_("未解决的难点堵点（逾期优先）")), "tables": ["open_problems"]},
            ],
        },
    ]
    return _json(
        {
            "schema": SCHEMA,
            "month": month.strftime("%Y-%m"),
            "title": str(title),
            "issuer": ISSUER,
            "generated_at": timezone.localtime(),
            "as_of": today,
            # The day the warnings and problems are read at: the month's last day.
            "state_day": day,
            # Named lists, leaders' portfolios, narratives and the city target, as of the
            # month's end (dispatch/briefing.py), for the documents' leaders' pages.
            "briefing": briefing(month),
            "highlights": highlights,
            "headline": head,
            "monthly_funds": top["monthly_funds"],
            "sections": sections,
            "tables": {t["key"]: t for t in tables},
        }
    )
