"""The dashboard's floor (see bench/floors.py): every figure of `dashboard.figures.dashboard` for
a closed month with no filter, by raw SQL over the same tables (the month-end cards, the kept
month totals, the history), then the API's JSON (json.dumps). The page's HTML from the same
figures: bench/floors_dashboard_page.py.

Unlike the app, which keeps a closed month's card counts in the shared cache, the floor counts
them every time: it reads the database only.
"""

import calendar
import datetime
import json
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from bench.floors import (
    ACTIVE,
    FLAG_LABEL,
    KIND_LABEL,
    PROBLEM_CATEGORY,
    STAGE_LABEL,
    STAGES,
    flags,
    kind_of,
    today,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
COLORS = dict(
    zip(STAGES, ["#d93025", "#f08c00", "#1c64d1", "#1e8e3e", "#5f6368", "#9aa0a6"], strict=True)
)
DIMENSIONS = ["chain", "place", "unit", "leader"]
MISSING = {"leader": "包抓领导", "team": "专班", "manager": "项目管家"}


def m(value) -> Decimal:
    return (value or ZERO).quantize(CENT, ROUND_HALF_UP)


def pct(part, whole):
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(CENT, ROUND_HALF_UP)


def _midnight(day):
    """Local midnight (the SQL reads it AT TIME ZONE 'Asia/Shanghai')."""
    return datetime.datetime.combine(day, datetime.time.min)


def dashboard_data(cur, year: int, month: int) -> dict:
    """The rows every figure needs: eight queries."""
    end_month, year_began = datetime.date(year, month, 1), datetime.date(year - 1, 12, 1)
    start, prev_start = datetime.date(year, 1, 1), datetime.date(year - 1, 1, 1)
    period_end = datetime.date(year, month, calendar.monthrange(year, month)[1])
    day_after = period_end + datetime.timedelta(days=1)
    now = today()
    # The card at the month's end (me) and when the year began (b), per project.
    as_of = """FROM projects_project p
               JOIN projects_monthend me ON me.project_id = p.id AND me.month = %(end)s
               LEFT JOIN projects_monthend b ON b.project_id = p.id AND b.month = %(began)s"""
    in_play = "(b.stage IS NULL OR b.stage NOT IN ('dropped', 'operating'))"
    signed = "p.signed_on <= %(period_end)s AND " + in_play
    key = signed + " AND me.total_investment > 5000"
    committed = "coalesce(p.contracted_investment, me.total_investment)"
    new = "p.signed_on BETWEEN %(start)s AND %(period_end)s"
    recent = "p.signed_on BETWEEN %(prev_start)s AND %(period_end)s"
    funnel = ", ".join(
        f"count(*) FILTER (WHERE {in_play} AND me.reached >= {i}), "
        f"count(*) FILTER (WHERE {in_play} AND me.reached >= {i} "
        f"AND (b.reached IS NULL OR b.reached < {i}))"
        for i in range(len(ACTIVE))
    )
    args = {
        "end": end_month,
        "began": year_began,
        "start": start,
        "prev_start": prev_start,
        "period_end": period_end,
        "today": now,
        "month_at": _midnight(end_month),
        "end_at": _midnight(day_after),
        "tomorrow": _midnight(now + datetime.timedelta(days=1)),
        "year": year,
    }
    out = {"args": args}
    cur.execute(
        f"""SELECT count(*) FILTER (WHERE {signed}), count(*) FILTER (WHERE {key}),
                   count(*) FILTER (WHERE {key} AND p.started_on <= %(period_end)s),
                   count(*) FILTER (WHERE {new}), sum({committed}) FILTER (WHERE {new}),
                   sum({committed}) FILTER (WHERE {recent}), {funnel},
                   (SELECT sum(mp.funds_in_place) FROM projects_project q
                    JOIN projects_monthend qe ON qe.project_id = q.id AND qe.month = %(end)s
                    JOIN projects_monthlyprogress mp ON mp.project_id = q.id
                         AND mp.month BETWEEN %(prev_start)s AND %(end)s
                    WHERE q.signed_on BETWEEN %(prev_start)s AND %(period_end)s)
            {as_of}""",
        args,
    )
    out["headline"] = cur.fetchone()
    # Each breakdown's cards, the stage table with the forecast's pipeline, each unit's
    # signings and starts: one pass, grouping sets.
    cur.execute(
        f"""SELECT grouping(p.chain_id, p.place_id, p.unit_id, p.leader_id, me.stage),
                   p.chain_id, p.place_id, p.unit_id, p.leader_id, me.stage, count(*),
                   sum(me.total_investment),
                   sum(greatest({committed} - me.funds_to_date, 0)),
                   count(*) FILTER (WHERE {new}),
                   count(*) FILTER (WHERE p.started_on BETWEEN %(start)s AND %(period_end)s)
            {as_of}
            GROUP BY GROUPING SETS ((p.chain_id, me.stage), (p.place_id, me.stage),
                                    (p.unit_id, me.stage), (p.leader_id, me.stage),
                                    (me.stage), (p.unit_id))""",
        args,
    )
    out["groups"] = cur.fetchall()
    # Month sums (the kept month totals): the city's by month, each dimension's this year.
    cur.execute(
        """SELECT 'all', 0, month, funds_in_place, investment_completed, entries
           FROM projects_monthtotal WHERE dimension = 'all' AND key = 0
           AND month BETWEEN %(prev_start)s AND %(end)s
           UNION ALL
           SELECT dimension, key, NULL, sum(funds_in_place), sum(investment_completed),
                  sum(entries)
           FROM projects_monthtotal WHERE dimension <> 'all'
           AND month BETWEEN %(start)s AND %(end)s GROUP BY dimension, key""",
        args,
    )
    out["sums"] = cur.fetchall()
    cur.execute(
        """SELECT 'chain', id, coalesce(nullif(short_name, ''), name), "order"
               FROM chains_industrychain
           UNION ALL SELECT 'place', id, name, "order" FROM org_place
           UNION ALL SELECT 'unit', id, coalesce(nullif(short_name, ''), name), "order"
               FROM org_unit
           UNION ALL SELECT 'leader', id, coalesce(nullif(full_name, ''), username), NULL
               FROM org_user""",
    )
    out["names"] = cur.fetchall()
    cur.execute(
        """SELECT s.project_id, p.name, s.from_stage, s.to_stage, s.changed_at, s.reason
           FROM projects_stagechange s JOIN projects_project p ON p.id = s.project_id
           WHERE s.changed_at >= %(month_at)s::timestamp AT TIME ZONE 'Asia/Shanghai'
             AND s.changed_at < %(end_at)s::timestamp AT TIME ZONE 'Asia/Shanghai'
           ORDER BY s.changed_at DESC, s.id DESC""",
        args,
    )
    out["changes"] = cur.fetchall()
    cur.execute(
        """SELECT t.unit_id, coalesce(nullif(u.short_name, ''), u.name), t.funds_in_place,
                  t.new_signings, t.starts, NULL, u."order"
           FROM dashboard_annualtarget t LEFT JOIN org_unit u ON u.id = t.unit_id
           WHERE t.year = %(year)s
           UNION ALL SELECT NULL, stage, weight, NULL, NULL, 1, NULL FROM dashboard_stageweight
           ORDER BY 6 NULLS FIRST, 7, 2""",
        args,
    )
    out["targets"] = cur.fetchall()
    cur.execute(
        """SELECT pr.id, pr.project_id, p.name, pr.category, pr.description,
                  coalesce(nullif(u.short_name, ''), u.name), pr.deadline, count(*) OVER ()
           FROM projects_problem pr JOIN projects_project p ON p.id = pr.project_id
           JOIN org_unit u ON u.id = pr.unit_id
           WHERE (pr.status = 'open' OR pr.resolved_on > %(today)s)
             AND pr.raised_at < %(tomorrow)s::timestamp AT TIME ZONE 'Asia/Shanghai'
             AND pr.deadline < %(today)s
           ORDER BY pr.deadline, pr.id LIMIT 10""",
        args,
    )
    out["overdue"] = cur.fetchall()
    # Today's warnings on the live cards, largest first: both lists' lengths and tops. (The
    # task forces and overdue problems joined as sets: as EXISTS per project, PostgreSQL's
    # estimate is high enough to compile the query (JIT), 30 ms.)
    cur.execute(
        """WITH team AS (SELECT DISTINCT project_id FROM projects_project_team),
            late AS (SELECT DISTINCT project_id FROM projects_problem
                     WHERE status = 'open' AND deadline < %(today)s),
            live AS (
              SELECT p.id, p.total_investment, p.staleness, p.leader_id IS NULL AS no_leader,
                     t.project_id IS NULL AS no_team,
                     p.manager_id IS NULL AND u.uses_project_manager AS no_manager,
                     l.project_id IS NOT NULL AS overdue
              FROM projects_project p
              JOIN projects_monthend me ON me.project_id = p.id AND me.month = %(end)s
              JOIN org_unit u ON u.id = p.unit_id
              LEFT JOIN team t ON t.project_id = p.id LEFT JOIN late l ON l.project_id = p.id
              WHERE me.stage <> 'dropped'),
            flagged AS (
              SELECT *, total_investment > 5000 AND (no_leader OR no_team OR no_manager)
                        AS missing FROM live),
            ranked AS (
              SELECT *, staleness <> '' OR overdue OR missing AS warned FROM flagged),
            shown AS (
              (SELECT 'warned' AS kind, * FROM ranked WHERE warned
               ORDER BY total_investment DESC, id LIMIT 10)
              UNION ALL (SELECT 'missing', * FROM ranked WHERE missing
                         ORDER BY total_investment DESC, id LIMIT 10))
            SELECT 'n', count(*) FILTER (WHERE warned), NULL, NULL, NULL,
                   count(*) FILTER (WHERE missing), NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                   NULL
            FROM ranked
            UNION ALL
            SELECT s.kind, p.id, p.name, p.code, me.stage, me.total_investment,
                   coalesce(nullif(u.short_name, ''), u.name), s.staleness, s.missing,
                   s.overdue, s.no_leader, s.no_team, s.no_manager, p.total_investment
            FROM shown s JOIN projects_project p ON p.id = s.id
            JOIN projects_monthend me ON me.project_id = p.id AND me.month = %(end)s
            JOIN org_unit u ON u.id = p.unit_id
            ORDER BY 1, 14 DESC, 2""",
        args,
    )
    out["attention"] = cur.fetchall()
    return out


def figures(rows: dict, year: int, month: int) -> dict:
    """The figures, in the API's structure and order (dashboard.figures.dashboard)."""
    args = rows["args"]
    filt = f"year={year}&month={month}"

    def q(figure, **extra):
        return "&".join([f"figure={figure}", filt, *(f"{k}={v}" for k, v in extra.items())])

    h = rows["headline"]
    sums = {}
    by_dim = defaultdict(dict)
    for dim, key, when, funds, completed, entries in rows["sums"]:
        if dim == "all":
            sums[when] = (funds, completed, entries)
        else:
            by_dim[dim][key or None] = funds
    start, prev_start, last = args["start"], args["prev_start"], args["end"]
    prev_last = datetime.date(year - 1, month, 1)

    def ytd(first, to, i):
        return sum((v[i] for k, v in sums.items() if first <= k <= to), 0)

    comparable = ytd(prev_start, prev_last, 2) > 0
    funds, funds_prev = m(ytd(start, last, 0)), m(ytd(prev_start, prev_last, 0))
    increment = funds - funds_prev if comparable else None
    recent_funds = h[-1]
    headline = {
        "projects_in_progress": h[0],
        "funds_in_place_ytd": funds,
        "funds_in_place_prev_ytd": funds_prev if comparable else None,
        "funds_increment": increment,
        "funds_growth_rate": pct(increment, funds_prev) if comparable else None,
        "recent_contracted": m(h[5]),
        "recent_funds": m(recent_funds),
        "arrival_rate": pct(recent_funds, h[5]),
        "key_projects_of_year": h[1],
        "key_projects_started": h[2],
        "start_rate": pct(h[2], h[1]),
        "investment_completed_ytd": m(ytd(start, last, 1)),
        "investment_completed_prev_ytd": m(ytd(prev_start, prev_last, 1)) if comparable else None,
        "new_signings": h[3],
        "new_signings_contracted": m(h[4]),
    }
    cards = {dim: defaultdict(dict) for dim in DIMENSIONS}
    stage_rows, units = {}, {}
    for g, chain, place, unit, leader, stage, n, total, left, signings, starts in rows["groups"]:
        # grouping(): a bit set per column left out of the set, chain first.
        if g == 0b11011:
            units[unit] = (signings, starts)
        elif g == 0b11110:
            stage_rows[stage] = (n, total, left)
        else:
            dim, key = {
                0b01110: ("chain", chain),
                0b10110: ("place", place),
                0b11010: ("unit", unit),
                0b11100: ("leader", leader),
            }[g]
            cards[dim][key][stage] = (n, total)
    names = {
        (dim, pk): (name, () if order is None else (order,))
        for dim, pk, name, order in rows["names"]
    }  # noqa: E501

    def breakdown(dim):
        out = []
        for key, stages in cards[dim].items():
            name, order = names.get((dim, key), ("", ()))
            live = [v for s, v in stages.items() if s != "dropped"]
            row = {
                "id": key,
                "name": name,
                "count": sum(n for n, _t in live),
                "investment": m(sum((t for _n, t in live), ZERO)),
                "funds_ytd": m(by_dim[dim].get(key)),
                "stages": {s: stages.get(s, (0,))[0] for s in STAGES},
                "query": q("live", **{dim: key}) if key is not None else None,
            }
            out.append(((key is None, order, name, key or 0), row))
        return [row for _k, row in sorted(out, key=lambda kv: kv[0])]

    this_year = [
        m(sums.get(datetime.date(year, i, 1), (None,))[0]) if i <= month else None
        for i in range(1, 13)
    ]
    last_year = [
        m(v[0]) if (v := sums.get(datetime.date(year - 1, i, 1))) is not None else None
        for i in range(1, 13)
    ]
    changes = []
    counts = dict.fromkeys(["new", "upgrades", "downgrades", "drops", "restores"], 0)
    counts["to_operating"] = 0
    for project_id, name, from_stage, to_stage, at, reason in rows["changes"]:
        kind = kind_of(from_stage, to_stage)
        counts[
            {"created": "new", "drop": "drops", "restore": "restores"}.get(kind, kind + "s")
        ] += 1
        counts["to_operating"] += bool(from_stage) and to_stage == "operating"
        if from_stage:
            changes.append(
                {
                    "project_id": project_id,
                    "project_name": name,
                    "from_stage": from_stage,
                    "from_label": STAGE_LABEL.get(from_stage, ""),
                    "to_stage": to_stage,
                    "to_label": STAGE_LABEL.get(to_stage, ""),
                    "kind": kind,
                    "kind_label": KIND_LABEL[kind],
                    "changed_at": at.astimezone(_LOCAL).isoformat(),
                    "reason": reason,
                }
            )
    time_progress = (Decimal(month) * 100 / 12).quantize(CENT, ROUND_HALF_UP)
    targets = [t for t in rows["targets"] if t[5] is None and t[0] is not None]
    weights = {t[1]: t[2] for t in rows["targets"] if t[5] == 1}
    city_target = next((t[2] for t in rows["targets"] if t[5] is None and t[0] is None), None)
    board = []
    for unit_id, name, target_funds, target_signings, target_starts, *_kind in targets:
        actual = m(by_dim["unit"].get(unit_id))
        completion = pct(actual, target_funds)
        behind = None if completion is None else time_progress - completion
        mark = "" if behind is None or behind < 10 else ("red" if behind > 30 else "yellow")
        signings, starts = units.get(unit_id, (0, 0))
        board.append(
            {
                "unit_id": unit_id,
                "name": name,
                "target_funds": m(target_funds),
                "actual_funds": actual,
                "completion": completion,
                "time_progress": time_progress,
                "behind_points": behind,
                "mark": mark,
                "rank": None,
                "target_signings": target_signings,
                "actual_signings": signings,
                "signings_completion": pct(signings, target_signings),
                "target_starts": target_starts,
                "actual_starts": starts,
                "starts_completion": pct(starts, target_starts),
                "query": f"unit={unit_id}&figure=funds&{filt}",
                "signings_query": f"unit={unit_id}&figure=new_signings&{filt}",
                "starts_query": f"unit={unit_id}&figure=starts&{filt}",
            }
        )
    ranked = sorted(
        (r for r in board if r["completion"] is not None), key=lambda r: -r["completion"]
    )  # noqa: E501
    for i, row in enumerate(ranked):
        tied = i and ranked[i - 1]["completion"] == row["completion"]
        row["rank"] = ranked[i - 1]["rank"] if tied else i + 1
    forecast = None
    if year >= today().year:
        stages = []
        for s in ACTIVE:
            left = m(stage_rows.get(s, (0, 0, None))[2])
            weight = weights.get(s, Decimal("0"))
            stages.append(
                {
                    "stage": s,
                    "label": STAGE_LABEL[s],
                    "color": COLORS[s],
                    "pipeline": left,
                    "weight": weight,
                    "weighted": m(left * weight),
                }
            )
        weighted = m(sum((s["weighted"] for s in stages), ZERO))
        forecast = {
            "actual": funds,
            "pipeline": m(sum((s["pipeline"] for s in stages), ZERO)),
            "weighted_pipeline": weighted,
            "expected": funds + weighted,
            "city_target": None if city_target is None else m(city_target),
            "expected_rate": pct(funds + weighted, city_target),
            "stages": stages,
        }
    lists = {"warned": [], "missing": []}
    for kind, pk, name, code, stage, total, unit, *rest in rows["attention"]:
        staleness, missing, overdue, no_leader, no_team, no_manager, _order = rest
        if kind == "n":
            totals = (pk, total)
            continue
        item = {
            "project_id": pk,
            "project_name": name,
            "code": code,
            "stage": stage,
            "stage_label": STAGE_LABEL[stage],
            "total_investment": m(total),
            "unit": unit,
        }
        if kind == "warned":
            item["flags"] = [FLAG_LABEL[f][0] for f in flags(staleness, missing, overdue)]
        else:
            lacks = [
                c
                for c, lacking in zip(MISSING, (no_leader, no_team, no_manager), strict=True)
                if lacking
            ]  # noqa: E501
            item["missing"] = [{"code": c, "label": MISSING[c]} for c in lacks]
        lists[kind].append(item)
    day = args["today"]
    return {
        "scope": {
            "year": year,
            "month": month,
            "chain_id": None,
            "place_id": None,
            "unit_id": None,
            "leader_id": None,
            "period_start": start.isoformat(),
            "period_end": args["period_end"].isoformat(),
            "time_progress": time_progress,
        },
        "headline": headline,
        "headline_queries": {
            "projects_in_progress": q("in_progress"),
            "funds_in_place": q("funds"),
            "arrival_rate": q("recent_signings"),
            "key_projects_of_year": q("key_of_year"),
            "key_projects_started": q("key_started"),
            "investment_completed": q("completed"),
            "new_signings": q("new_signings"),
        },
        "by_stage": [
            {
                "stage": s,
                "label": STAGE_LABEL[s],
                "color": COLORS[s],
                "count": stage_rows.get(s, (0,))[0],
                "investment": m(stage_rows.get(s, (0, None))[1]),
                "query": q("stage", at_stage=s),
            }
            for s in STAGES
        ],
        **{f"by_{dim}": breakdown(dim) for dim in DIMENSIONS},
        "monthly_funds": {
            "months": list(range(1, 13)),
            "year": year,
            "previous_year": year - 1,
            "this_year": this_year,
            "last_year": last_year,
            "this_year_cumulative": _running(this_year),
            "last_year_cumulative": _running(last_year),
        },
        "stage_movements": {**counts, "changes": changes},
        "stage_funnel": [
            {
                "stage": s,
                "label": STAGE_LABEL[s],
                "color": COLORS[s],
                "count": h[6 + 2 * i],
                "entered": h[7 + 2 * i],
                "query": q("reached", at_stage=s),
            }
            for i, s in enumerate(ACTIVE)
        ],
        "unit_scoreboard": ranked + [r for r in board if r["completion"] is None],
        "forecast": forecast,
        "attention": {
            "day": day.isoformat(),
            "overdue_problems": [
                {
                    "id": pk,
                    "project_id": project_id,
                    "project_name": name,
                    "category": PROBLEM_CATEGORY.get(category, category),
                    "description": text,
                    "unit": unit,
                    "deadline": deadline.isoformat(),
                    "days_overdue": (day - deadline).days,
                }
                for pk, project_id, name, category, text, unit, deadline, _n in rows["overdue"]
            ],
            "flagged_projects": lists["warned"],
            "four_one_missing": lists["missing"],
            "changed_this_month": changes[:10],
            "totals": {
                "overdue_problems": rows["overdue"][0][-1] if rows["overdue"] else 0,
                "flagged_projects": totals[0],
                "four_one_missing": int(totals[1]),
            },
            "queries": {
                "overdue_problems": f"overdue_on={day.isoformat()}",
                "flagged_projects": q("flagged"),
                "four_one_missing": q("four_one_missing"),
            },
        },
    }


_LOCAL = datetime.timezone(datetime.timedelta(hours=8))


def _running(values):
    total, out = ZERO, []
    for value in values:
        if value is None:
            out.append(None)
        else:
            total += value
            out.append(total)
    return out


def api_write(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def dashboard_api(conn, year: int, month: int) -> bytes:
    with conn.cursor() as cur:
        rows = dashboard_data(cur, year, month)
    return api_write(figures(rows, year, month))
