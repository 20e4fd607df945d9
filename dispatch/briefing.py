"""What a leader reads in the monthly report beyond the figures: who moved, who is behind, what
is stuck and what the officers wrote, all as of the end of the month.

`briefing(month)` returns plain JSON-able data (dates as ISO strings, amounts as strings of
万元) so the snapshot can freeze it with the figures. Everything is read as the month ended,
through `projects.periods` (the one definition of "as of"): card moves up to its last instant,
each project's card and total investment then (so "key" is what it was then), the month's own
progress entries, the problems raised by then and not resolved by then. The city's and the
units' counts are the figures' own sets. Its query count does not grow with the data.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from dashboard import figures
from dashboard.models import AnnualTarget
from projects import periods
from projects.models import (
    Instruction,
    InstructionReply,
    MonthlyProgress,
    Problem,
    Project,
    StageChange,
    is_key_amount,
)
from projects.periods import Scope
from projects.stages import Kind, Stage

SCHEMA = 1
# How many overdue problems the first page puts before the leaders (需领导协调事项).
DECISIONS = 3
MARK_LABELS = {"": "", "yellow": "黄", "red": "红"}


def _s(value) -> str | None:
    return None if value is None else str(value)


def _stage_label(code: str) -> str:
    return str(Stage(code).label) if code else ""


def _project_row(p, total, **extra) -> dict:
    """A project as listed; `total` its total investment at the month end."""
    row = {
        "code": p.code,
        "name": p.name,
        "unit": str(p.unit),
        "leader": str(p.leader) if p.leader_id else "",
        "investment": str(total),
        "key": is_key_amount(total),
    }
    row.update(extra)
    return row


def _moves(scope: Scope, month: datetime.date) -> tuple[dict, dict]:
    """The month's named lists (new, signed, started, dropped, up, down) and each project's moves.

    Two queries: the month's card changes, the projects signed or started in the month.
    """
    changes = (
        StageChange.objects.filter(
            changed_at__gte=scope.month_start_at, changed_at__lt=scope.end_at
        )
        .select_related("project__unit", "project__leader")
        .annotate(total_then=periods.total_investment_at(scope.end_at, "project__"))
        .order_by("changed_at", "id")
    )
    lists = {name: [] for name in ("new", "signed", "started", "dropped", "upgraded", "downgraded")}
    by_project = defaultdict(list)
    for change in changes:
        p = change.project
        day = change.changed_at.astimezone(scope.end_at.tzinfo).date()
        move = {
            "from": _stage_label(change.from_stage),
            "to": _stage_label(change.to_stage),
            "day": day.isoformat(),
            "reason": change.reason,
        }
        by_project[p.pk].append(move)
        row = _project_row(p, change.total_then, **move)
        kind = change.kind
        if kind == Kind.CREATED:
            lists["new"].append(row)
        elif kind == Kind.DROP:
            lists["dropped"].append(row)
        elif kind == Kind.UPGRADE:
            lists["upgraded"].append(row)
        elif kind == Kind.DOWNGRADE:
            lists["downgraded"].append(row)
    period = (month, scope.period_end)
    signed_or_started = (
        Project.objects.filter(Q(signed_on__range=period) | Q(started_on__range=period))
        .select_related("unit", "leader")
        .annotate(total_then=periods.total_investment_at(scope.end_at))
        .order_by("-total_investment", "id")
    )
    for p in signed_or_started:
        if p.signed_on and month <= p.signed_on <= scope.period_end:
            lists["signed"].append(_project_row(p, p.total_then, day=p.signed_on.isoformat()))
        if p.started_on and month <= p.started_on <= scope.period_end:
            lists["started"].append(_project_row(p, p.total_then, day=p.started_on.isoformat()))
    return lists, by_project


def _leaders(scope: Scope, month: datetime.date, moves_of: dict) -> list[dict]:
    """四个一: each leader's projects, their card as of the month end and how they moved.

    One query: the projects with a leader that existed at the month end, each with its card
    and total investment then (periods.as_of) and the month's progress narrative.
    """
    narrative = MonthlyProgress.objects.filter(project_id=OuterRef("pk"), month=month)
    projects = (
        periods.as_of(Project.objects.filter(leader__isnull=False), scope)
        .filter(periods.existing_q())
        .annotate(narrative_then=Subquery(narrative.values("narrative")[:1]))
        .select_related("unit", "leader")
        .order_by("leader__full_name", "leader__username", "-total_investment", "id")
    )
    leaders: dict[int, dict] = {}
    for p in projects:
        if p.stage_then == Stage.DROPPED and not moves_of.get(p.pk):
            continue  # dropped before the month: no longer on the leader's list
        entry = leaders.setdefault(
            p.leader_id,
            {
                "name": str(p.leader),
                "projects": [],
                "count": 0,
                "investment": Decimal("0"),
                "moved": 0,
            },
        )
        moves = moves_of.get(p.pk, [])
        entry["projects"].append(
            _project_row(
                p,
                p.total_then,
                stage=_stage_label(p.stage_then),
                moves="；".join(
                    f"{m['from'] or _('新增')}→{m['to']}（{_md(m['day'])}）" for m in moves
                ),
                narrative=p.narrative_then or "",
            )
        )
        entry["count"] += 1
        entry["investment"] += p.total_then
        entry["moved"] += bool(moves)
    result = list(leaders.values())
    for entry in result:
        entry["investment"] = str(entry["investment"])
    return result


def _md(iso: str) -> str:
    day = datetime.date.fromisoformat(iso)
    return f"{day.month}月{day.day}日"


def _problems(scope: Scope) -> list[dict]:
    """Problems raised by the month end and not resolved by it, most overdue first (one query)."""
    end = scope.period_end
    # Open today, or resolved after the month ended: it was open then.
    open_then = Q(status=Problem.Status.OPEN) | Q(resolved_on__gt=end)
    problems = (
        Problem.objects.filter(open_then, raised_at__lt=scope.end_at)
        .select_related("project", "unit")
        .annotate(total_then=periods.total_investment_at(scope.end_at, "project__"))
        .order_by("deadline", "id")
    )
    return [
        {
            "project": p.project.name,
            "key": is_key_amount(p.total_then),
            "category": str(p.get_category_display()),
            "description": p.description,
            "unit": str(p.unit),
            "raised_on": p.raised_at.astimezone(scope.end_at.tzinfo).date().isoformat(),
            "deadline": p.deadline.isoformat(),
            "days_overdue": max(0, (end - p.deadline).days),
        }
        for p in problems
    ]


def _instructions(scope: Scope) -> list[dict]:
    """Leaders' 批示 still being handled at the month end (given by then, not done by then),
    overdue first, with the last reply written by then (two queries)."""
    end = scope.period_end
    open_then = Q(done_at__isnull=True) | Q(done_at__gte=scope.end_at)
    replies = InstructionReply.objects.filter(
        instruction_id=OuterRef("pk"), replied_at__lt=scope.end_at
    ).order_by("-replied_at", "-id")
    rows = (
        Instruction.objects.filter(open_then, given_at__lt=scope.end_at)
        .select_related("project", "leader", "unit")
        .annotate(last_reply=Subquery(replies.values("text")[:1]))
        .order_by("deadline", "id")
    )
    result = []
    for i in rows:
        overdue = i.deadline is not None and i.deadline < end
        result.append(
            {
                "project": i.project.name,
                "leader": str(i.leader),
                "unit": str(i.unit) if i.unit_id else "",
                "text": i.text,
                "given_on": i.given_at.astimezone(scope.end_at.tzinfo).date().isoformat(),
                "deadline": i.deadline.isoformat() if i.deadline else "",
                "state": str(_("已回复") if i.last_reply else _("待办理")),
                "reply": i.last_reply or "",
                "days_overdue": (end - i.deadline).days if overdue else 0,
            }
        )
    result.sort(key=lambda r: -r["days_overdue"])
    return result


def _narratives(month: datetime.date) -> list[dict]:
    """The month's progress entries that say something, by unit (one query)."""
    entries = (
        MonthlyProgress.objects.filter(month=month)
        .exclude(narrative="", next_steps="")
        .select_related("project__unit")
        .order_by("project__unit__order", "project__unit__name", "-project__total_investment")
    )
    return [
        {
            "project": e.project.name,
            "unit": str(e.project.unit),
            "narrative": e.narrative.strip(),
            "next_steps": e.next_steps.strip(),
        }
        for e in entries
    ]


def _ranking(scope: Scope) -> list[dict]:
    """三亮: every unit with a target on funds, signings and starts, with red/yellow marks.

    The scoreboard (figures, three queries) is the one place the completions are computed.
    """
    rows = figures.unit_scoreboard(scope)
    time_progress = scope.time_progress
    result = []
    for r in rows:
        entry = {"name": r["name"], "time_progress": _s(time_progress)}
        for measure, target, actual, completion in (
            ("funds", "target_funds", "actual_funds", "completion"),
            ("signings", "target_signings", "actual_signings", "signings_completion"),
            ("starts", "target_starts", "actual_starts", "starts_completion"),
        ):
            done = r[completion]
            entry[f"{measure}_target"] = _s(r[target])
            entry[f"{measure}_actual"] = _s(r[actual])
            entry[f"{measure}_completion"] = _s(done)
            behind = None if done is None else time_progress - done
            entry[f"{measure}_mark"] = MARK_LABELS[figures.mark_for(behind)]
        result.append(entry)
    for measure in ("funds", "signings", "starts"):
        key = f"{measure}_completion"
        ranked = sorted(
            (e for e in result if e[key] is not None), key=lambda e, k=key: -Decimal(e[k])
        )
        previous = None
        for position, e in enumerate(ranked, start=1):
            tied = previous is not None and previous[key] == e[key]
            e[f"{measure}_rank"] = previous[f"{measure}_rank"] if tied else position
            previous = e
        for e in result:
            e.setdefault(f"{measure}_rank", None)
    return result


def _city(scope: Scope) -> dict:
    """The city's annual target and the year's signings and starts so far (two queries), the
    signings and starts counted as the figures count them."""
    target = AnnualTarget.objects.filter(year=scope.year, unit__isnull=True).first()
    counts = periods.rows_once(periods.as_of(Project.objects.all(), scope)).aggregate(
        signings=Count("id", filter=periods.signed_in_period_q(scope)),
        starts=Count("id", filter=periods.started_in_period_q(scope)),
    )
    return {
        "year": scope.year,
        "time_progress": _s(scope.time_progress),
        "funds_target": _s(target.funds_in_place) if target else None,
        "signings_target": target.new_signings if target else None,
        "starts_target": target.starts if target else None,
        "signings_ytd": counts["signings"],
        "starts_ytd": counts["starts"],
    }


def briefing(month: datetime.date) -> dict:
    """The briefing of month `month` (its first day), as of that month's end."""
    scope = Scope(year=month.year, month=month.month)
    lists, moves_of = _moves(scope, month)
    problems = _problems(scope)
    # The first page's 需领导协调事项: the longest-overdue problems of key projects.
    decisions = [p for p in problems if p["key"] and p["days_overdue"] > 0]
    decisions.sort(key=lambda p: (-p["days_overdue"], p["deadline"]))
    return {
        "schema": SCHEMA,
        "month": month.strftime("%Y-%m"),
        "city": _city(scope),
        "ranking": _ranking(scope),
        "moves": lists,
        "leaders": _leaders(scope, month, moves_of),
        "problems": problems,
        "instructions": _instructions(scope),
        "decisions": decisions[:DECISIONS],
        "narratives": _narratives(month),
    }
