"""The numbered sections and annexes of the report document (see dispatch.document).

Each section reads like the office wrote it: sentences with the figures first, then the
tables that back them. What needs the briefing (named lists, leaders, narratives, the city
target) is left out, not invented, when the snapshot predates it.
"""

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

from django.utils.translation import gettext as _

from dispatch.document import (
    FLAG_SEVERITY,
    amount_text,
    chinese_number,
    make_table,
    pct_text,
    snapshot_table,
)
from projects.models import is_key_amount

# The body lists this many flagged key projects (worst first); the annex has them all.
KEY_WARNINGS_SHOWN = 15
# 下步工作 names this many projects per unit (the largest first), then counts the rest.
NEXT_STEPS_PER_UNIT = 3

# The named lists of the month's moves: briefing key, heading, date column.
MOVE_LISTS = [
    ("new", "本月新增项目", "录入日期"),
    ("signed", "本月签约项目", "签约日期"),
    ("started", "本月开工项目", "开工日期"),
    ("dropped", "本月终止项目", "终止日期"),
]


def stored(snapshot: dict, key: str) -> dict | None:
    """A table of the snapshot, or None: a table a later snapshot schema drops is left out."""
    return snapshot.get("tables", {}).get(key)


def _rows(snapshot: dict, key: str) -> list[dict]:
    t = stored(snapshot, key)
    return t["rows"] if t else []


def _para(text: str) -> dict:
    return {"type": "para", "text": text}


def _sub(text: str) -> dict:
    return {"type": "heading2", "text": text}


def _change(this, before) -> str:
    """同比增长12.5% / 同比下降3% / 无可比数据."""
    if this is None or before is None or Decimal(before) == 0:
        return _("无可比数据")
    rate = (Decimal(this) - Decimal(before)) * 100 / Decimal(before)
    if rate >= 0:
        return _("增长%(r)s") % {"r": pct_text(rate.quantize(Decimal("0.01")))}
    return _("下降%(r)s") % {"r": pct_text((-rate).quantize(Decimal("0.01")))}


def _period(month: datetime.date) -> str:
    return "1月" if month.month == 1 else f"1—{month.month}月"


# --- 一、本月要情 (the leaders' first page) -------------------------------------------------


def _target_sentence(head: dict, briefing: dict | None, month) -> str:
    if not briefing:
        return ""
    city = briefing["city"]
    progress = Decimal(city["time_progress"])
    if not city["funds_target"] or Decimal(city["funds_target"]) == 0:
        return _("%(y)d年全市到位资金目标尚未录入，序时进度%(t)s。") % {
            "y": city["year"],
            "t": pct_text(progress),
        }
    done = Decimal(head["funds_in_place_ytd"]) * 100 / Decimal(city["funds_target"])
    done = done.quantize(Decimal("0.01"))
    gap = done - progress
    position = (
        _("超序时进度%(p)s个百分点") % {"p": _trim_pct(gap)}
        if gap >= 0
        else _("落后序时进度%(p)s个百分点") % {"p": _trim_pct(-gap)}
    )
    text = _(
        "全市%(y)d年到位资金目标%(t)s，%(p)s完成%(a)s，占年度目标的%(d)s，序时进度%(s)s，%(pos)s。"
    ) % {
        "y": city["year"],
        "t": amount_text(city["funds_target"]),
        "p": _period(month),
        "a": amount_text(head["funds_in_place_ytd"]),
        "d": pct_text(done),
        "s": pct_text(progress),
        "pos": position,
    }
    counts = []
    if city["signings_target"]:
        counts.append(
            _("新签约项目目标%(t)d个、已签约%(a)d个")
            % {"t": city["signings_target"], "a": city["signings_ytd"]}
        )
    if city["starts_target"]:
        counts.append(
            _("新开工项目目标%(t)d个、已开工%(a)d个")
            % {"t": city["starts_target"], "a": city["starts_ytd"]}
        )
    return text + ("；".join(counts) + "。" if counts else "")


def _trim_pct(value: Decimal) -> str:
    return pct_text(value).rstrip("%")


def _month_sentence(snapshot: dict, month) -> str:
    head, funds = snapshot["headline"], snapshot.get("monthly_funds") or {}
    m = month.month
    this_year, last_year = funds.get("this_year") or [], funds.get("last_year") or []
    this = head.get("funds_in_month")
    same_month = last_year[m - 1] if len(last_year) >= m else None
    before = this_year[m - 2] if m > 1 and len(this_year) >= m - 1 else None
    if m == 1:
        before = last_year[11] if len(last_year) == 12 else None
    return _(
        "%(m)d月当月到位资金%(v)s，同比%(yoy)s，环比%(mom)s；%(p)s累计到位资金%(ytd)s，"
        "同比%(ytd_yoy)s；完成投资%(inv)s，同比%(inv_yoy)s。"
    ) % {
        "m": m,
        "v": amount_text(this),
        "yoy": _change(this, same_month),
        "mom": _change(this, before),
        "p": _period(month),
        "ytd": amount_text(head["funds_in_place_ytd"]),
        "ytd_yoy": _change(head["funds_in_place_ytd"], head["funds_in_place_prev_ytd"]),
        "inv": amount_text(head["investment_completed_ytd"]),
        "inv_yoy": _change(head["investment_completed_ytd"], head["investment_completed_prev_ytd"]),
    }


def _ranking_rows(snapshot: dict) -> list[dict]:
    briefing = snapshot.get("briefing")
    if briefing:
        return briefing["ranking"]
    marks = {"黄色": "黄", "红色": "红"}
    return [
        {
            "name": r["name"],
            "funds_rank": r["rank"],
            "funds_completion": r["completion"],
            "funds_mark": marks.get(r["mark"], ""),
        }
        for r in _rows(snapshot, "unit_ranking")
    ]


def _ranking_sentence(snapshot: dict) -> str:
    rows = [r for r in _ranking_rows(snapshot) if r.get("funds_rank")]
    if not rows:
        return _("各责任单位年度目标尚未录入。")
    rows.sort(key=lambda r: r["funds_rank"])
    leaders = "、".join(r["name"] for r in rows[:3])
    behind = [f"{r['name']}（{r['funds_mark']}）" for r in rows if r.get("funds_mark")]
    text = _("到位资金完成率居前的是%(top)s") % {"top": leaders}
    if behind:
        text += _("；落后序时进度的有%(b)s") % {"b": "、".join(behind)}
    else:
        text += _("；各单位均未明显落后序时进度")
    text += "。"
    for measure, label in (("signings", _("签约项目")), ("starts", _("开工项目"))):
        # Only with the briefing (三亮 on signings and starts); units without a target skip.
        lagging = [
            f"{r['name']}（{r[f'{measure}_mark']}）"
            for r in rows
            if r.get(f"{measure}_mark") and r.get(f"{measure}_target") not in (None, "0")
        ]
        if lagging:
            text += _("%(m)s落后序时进度的有%(b)s。") % {"m": label, "b": "、".join(lagging)}
    return text


def _decisions(snapshot: dict) -> list[dict]:
    briefing = snapshot.get("briefing")
    if briefing:
        items = briefing["decisions"]
    else:
        rows = _rows(snapshot, "open_problems")
        items = sorted((r for r in rows if r["days_overdue"]), key=lambda r: -r["days_overdue"])[:3]
    if not items:
        return [_para(_("本月无逾期未解决的重点项目问题。"))]
    return [
        _para(
            _("%(i)d.%(p)s（%(u)s）：%(d)s，%(dl)s到期，已逾期%(n)d天。")
            % {
                "i": i,
                "p": item["project"],
                "u": item["unit"],
                "d": item["description"].rstrip("。"),
                "dl": item["deadline"],
                "n": item["days_overdue"],
            }
        )
        for i, item in enumerate(items, start=1)
    ]


def _front_page(snapshot: dict, month) -> list[dict]:
    head = snapshot["headline"]
    blocks = [_sub(_("（一）目标与序时进度"))]
    target = _target_sentence(head, snapshot.get("briefing"), month)
    blocks.append(_para(target or _("全市年度目标见“三亮”排名。")))
    blocks += [_sub(_("（二）当月与累计")), _para(_month_sentence(snapshot, month))]
    blocks += [_sub(_("（三）责任单位排名")), _para(_ranking_sentence(snapshot))]
    blocks += [_sub(_("（四）需领导协调事项"))] + _decisions(snapshot)
    return blocks


# --- 二、总体情况 and 三、项目推进情况 --------------------------------------------------


def _overview(snapshot: dict, month, number) -> list[dict]:
    head = snapshot["headline"]
    text = _(
        "截至%(y)d年%(m)d月底，全市实施招商引资项目%(n)d个。近两年签约项目签约投资%(c)s，"
        "到位资金%(f)s，资金到位率%(r)s。年度重点项目%(k)d个，已开工%(s)d个，开工率%(sr)s。"
        "%(p)s新签约项目%(ns)d个，签约投资%(nsc)s。"
    ) % {
        "y": month.year,
        "m": month.month,
        "n": head["projects_in_progress"],
        "c": amount_text(head["recent_contracted"]),
        "f": amount_text(head["recent_funds"]),
        "r": pct_text(head["arrival_rate"]),
        "k": head["key_projects_of_year"],
        "s": head["key_projects_started"],
        "sr": pct_text(head["start_rate"]),
        "p": _period(month),
        "ns": head["new_signings"],
        "nsc": amount_text(head["new_signings_contracted"]),
    }
    blocks = [_para(text)]
    for key in ("headline", "by_stage"):
        if t := stored(snapshot, key):
            blocks.append(snapshot_table(number(t["title"]), t))
    return blocks


def _moves(snapshot: dict, number) -> list[dict]:
    head, briefing = snapshot["headline"], snapshot.get("briefing")
    blocks = [
        _para(
            _(
                "本月新增项目%(new)d个，升级%(up)d个，降级%(down)d个，终止%(drop)d个，"
                "转入投产%(op)d个。"
            )
            % {
                "new": head["new"],
                "up": head["upgrades"],
                "down": head["downgrades"],
                "drop": head["drops"],
                "op": head["to_operating"],
            }
        )
    ]
    n = 0
    if briefing:
        for key, heading, day_label in MOVE_LISTS:
            rows = briefing["moves"][key]
            n += 1
            blocks.append(_sub(f"（{chinese_number(n)}）{heading}（{len(rows)}个）"))
            blocks.append(
                make_table(
                    number(heading),
                    [
                        (_("项目名称"), "text"),
                        (_("责任单位"), "text"),
                        (_("包抓领导"), "text"),
                        (_("总投资"), "money"),
                        (day_label, "date"),
                    ],
                    [[r["name"], r["unit"], r["leader"], r["investment"], r["day"]] for r in rows],
                )
            )
    if changes := stored(snapshot, "stage_changes"):
        n += 1
        blocks.append(_sub(f"（{chinese_number(n)}）{_('色卡变动明细')}"))
        blocks.append(snapshot_table(number(changes["title"]), changes))
    return blocks


LEADER_COLUMNS = [
    ("包抓领导", "text"),
    ("项目名称", "text"),
    ("责任单位", "text"),
    ("月末阶段", "text"),
    ("总投资", "money"),
    ("本月变动", "text"),
]


def leader_rows(briefing: dict, moved_only: bool = False) -> list[list]:
    return [
        [leader["name"], p["name"], p["unit"], p["stage"], p["investment"], p["moves"] or "—"]
        for leader in briefing["leaders"]
        for p in leader["projects"]
        if p["moves"] or not moved_only
    ]


def _leaders(snapshot: dict, number, annex: int) -> list[dict]:
    """Each leader in a sentence, then the projects that moved; every project is in an annex."""
    briefing = snapshot.get("briefing")
    if not briefing:
        t = stored(snapshot, "by_leader")
        return [snapshot_table(number(t["title"]), t)] if t else []
    if not briefing["leaders"]:
        return [_para(_("本月无明确包抓领导的项目。"))]
    blocks = [
        _para(
            _("%(l)s同志包抓项目%(n)d个，总投资%(i)s，本月有色卡变动的%(m)d个。")
            % {
                "l": leader["name"],
                "n": leader["count"],
                "i": amount_text(leader["investment"]),
                "m": leader["moved"],
            }
        )
        for leader in briefing["leaders"]
    ]
    blocks.append(_para(_("各位领导包抓的全部项目及其月末阶段见附件%(n)d。") % {"n": annex}))
    columns = [(_(label), kind) for label, kind in LEADER_COLUMNS]
    caption = number(_("包抓项目本月色卡变动"))
    blocks.append(make_table(caption, columns, leader_rows(briefing, moved_only=True)))
    return blocks


# --- 七、预警, 八、存在问题, 九、下步工作 -----------------------------------------------------


def _severity(flags: str) -> tuple:
    names = [f for f in flags.split("、") if f]
    ranks = sorted(FLAG_SEVERITY.index(f) if f in FLAG_SEVERITY else 9 for f in names)
    return (ranks[0] if ranks else 9, -len(names))


def flagged_rows(snapshot: dict) -> list[dict]:
    """The warning list, worst first, then the largest investment."""
    rows = list(_rows(snapshot, "flagged"))
    return sorted(rows, key=lambda r: (_severity(r["flags"]), -Decimal(r["investment"] or 0)))


def _warnings(snapshot: dict, number) -> list[dict]:
    rows = flagged_rows(snapshot)
    key_rows = [r for r in rows if is_key_amount(Decimal(r["investment"] or 0))]
    per_unit: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        per_unit[r["unit"]]["total"] += 1
        per_unit[r["unit"]]["key"] += is_key_amount(Decimal(r["investment"] or 0))
        for flag in r["flags"].split("、"):
            per_unit[r["unit"]][flag] += 1
    units = sorted(per_unit.items(), key=lambda item: -item[1]["total"])
    blocks = [
        _para(
            _("预警项目共%(n)d个，其中重点项目%(k)d个，涉及责任单位%(u)d个，全部名单见附件1。")
            % {"n": len(rows), "k": len(key_rows), "u": len(units)}
        )
    ]
    columns = [(_("责任单位"), "text"), (_("预警项目"), "int"), (_("其中重点项目"), "int")]
    columns += [(flag, "int") for flag in FLAG_SEVERITY]
    body = [[u, c["total"], c["key"]] + [c[flag] for flag in FLAG_SEVERITY] for u, c in units]
    total = [_("合计"), len(rows), len(key_rows)] + [
        sum(c[flag] for _u, c in units) for flag in FLAG_SEVERITY
    ]
    blocks.append(
        make_table(number(_("各责任单位预警项目")), columns, body, total=total, unit="个")
    )
    shown = key_rows[:KEY_WARNINGS_SHOWN]
    caption = _("重点项目预警")
    if len(key_rows) > len(shown):
        caption = _("重点项目预警（最严重的%(n)d个，其余见附件1）") % {"n": len(shown)}
    blocks.append(warning_table(number(caption), shown))
    return blocks


def warning_table(caption: str, rows: list[dict]) -> dict:
    return make_table(
        caption,
        [
            (_("序号"), "int"),
            (_("项目名称"), "text"),
            (_("责任单位"), "text"),
            (_("阶段"), "text"),
            (_("总投资"), "money"),
            (_("预警"), "text"),
        ],
        [
            [i, r["name"], r["unit"], r["stage"], r["investment"], r["flags"]]
            for i, r in enumerate(rows, start=1)
        ],
    )


def _problem_rows(snapshot: dict) -> list[dict]:
    briefing = snapshot.get("briefing")
    return briefing["problems"] if briefing else _rows(snapshot, "open_problems")


def _problems(snapshot: dict, number) -> list[dict]:
    problems = _problem_rows(snapshot)
    overdue = [p for p in problems if p["days_overdue"]]
    overdue.sort(key=lambda p: -p["days_overdue"])
    categories = Counter(p["category"] for p in problems).most_common()
    text = _("月末未解决的难点堵点%(n)d个，其中逾期%(o)d个") % {
        "n": len(problems),
        "o": len(overdue),
    }
    if categories:
        text += _("，主要集中在%(c)s") % {
            "c": "、".join(f"{name}（{count}个）" for name, count in categories[:3])
        }
    text += "。"
    if stored(snapshot, "no_progress_key"):
        missing = len(_rows(snapshot, "no_progress_key"))
        text += _("本月有%(m)d个重点项目未填报进展（名单见附件2）。") % {"m": missing}
    return [
        _para(text),
        make_table(
            number(_("逾期未解决的难点堵点")),
            [
                (_("项目名称"), "text"),
                (_("责任单位"), "text"),
                (_("类别"), "text"),
                (_("问题"), "text"),
                (_("办结时限"), "date"),
                (_("逾期天数"), "int"),
            ],
            [
                [p["project"], p["unit"], p["category"], p["description"], p["deadline"]]
                + [p["days_overdue"]]
                for p in overdue
            ],
            unit="天",
        ),
    ]


def _instructions(snapshot: dict, number) -> list[dict]:
    """The 督办 of leaders' 批示: those still being handled at the month end, overdue first."""
    rows = (snapshot.get("briefing") or {}).get("instructions")
    if rows is None:
        return []
    overdue = sum(1 for r in rows if r["days_overdue"])
    if not rows:
        return [_para(_("月末没有未办结的领导批示。"))]
    return [
        _para(_("月末未办结的领导批示%(n)d件，其中逾期%(o)d件。") % {"n": len(rows), "o": overdue}),
        make_table(
            number(_("未办结的领导批示")),
            [
                (_("项目名称"), "text"),
                (_("批示领导"), "text"),
                (_("责任单位"), "text"),
                (_("批示内容"), "text"),
                (_("办理时限"), "date"),
                (_("办理情况"), "text"),
                (_("逾期天数"), "int"),
            ],
            [
                [r["project"], r["leader"], r["unit"], r["text"], r["deadline"]]
                + [r["reply"] or r["state"], r["days_overdue"]]
                for r in rows
            ],
            unit="天",
        ),
    ]


def _next_steps(snapshot: dict) -> list[dict]:
    briefing = snapshot.get("briefing")
    entries = [e for e in (briefing or {}).get("narratives", []) if e["next_steps"]]
    if not entries:
        return [_para(_("本月各责任单位未填报下步计划。"))]
    by_unit: dict[str, list[str]] = defaultdict(list)
    for e in entries:
        by_unit[e["unit"]].append(f"{e['project']}：{e['next_steps'].rstrip('。；;')}")
    blocks = []
    for i, (unit, items) in enumerate(by_unit.items(), start=1):
        text = f"（{chinese_number(i)}）{unit}。" + "；".join(items[:NEXT_STEPS_PER_UNIT])
        if len(items) > NEXT_STEPS_PER_UNIT:
            text += _("；另有%(n)d个项目的下步计划见报表“本月进展与下步计划”") % {
                "n": len(items) - NEXT_STEPS_PER_UNIT
            }
        blocks.append(_para(text + "。"))
    return blocks


# --- the whole -----------------------------------------------------------------------------


def _section(number: int, heading: str, blocks: list[dict]) -> dict:
    wide = any(b["type"] == "table" and b["wide"] for b in blocks)
    return {"heading": f"{chinese_number(number)}、{heading}", "blocks": blocks, "landscape": wide}


def sections(snapshot: dict, month: datetime.date, number) -> tuple[list[dict], list[dict]]:
    missing = stored(snapshot, "no_progress_key")
    # 附件1 the warnings, 附件2 the key projects without progress, then the leaders' projects.
    leaders_annex = 3 if missing else 2
    parts = [
        (_("本月要情"), _front_page(snapshot, month)),
        (_("总体情况"), _overview(snapshot, month, number)),
        (_("项目推进情况"), _moves(snapshot, number)),
        (_("“四个一”包抓推进情况"), _leaders(snapshot, number, leaders_annex)),
    ]
    breakdowns = []
    present = [
        t
        for key in ("by_chain", "by_place", "by_unit", "by_leader")
        if (t := stored(snapshot, key))
    ]
    for i, t in enumerate(present, start=1):
        breakdowns += [
            _sub(f"（{chinese_number(i)}）{t['title']}"),
            snapshot_table(number(t["title"]), t),
        ]
    parts.append((_("分类推进情况"), breakdowns))
    parts.append((_("责任单位“三亮”排名"), _ranking_blocks(snapshot, month, number)))
    parts.append((_("预警情况"), _warnings(snapshot, number)))
    parts.append((_("存在问题"), _problems(snapshot, number) + _instructions(snapshot, number)))
    parts.append((_("下步工作"), _next_steps(snapshot)))
    body = [_section(i, heading, blocks) for i, (heading, blocks) in enumerate(parts, start=1)]
    annexes = [
        {
            "title": _("附件1　预警项目清单（%(n)d个）") % {"n": len(_rows(snapshot, "flagged"))},
            "blocks": [
                warning_table(number(_("预警项目（按严重程度排序）")), flagged_rows(snapshot))
            ],
        },
    ]
    if missing:
        annexes.append(
            {
                "title": _("附件2　本月无进展的重点项目"),
                "blocks": [snapshot_table(number(missing["title"]), missing)],
            }
        )
    if snapshot.get("briefing") and snapshot["briefing"]["leaders"]:
        columns = [(_(label), kind) for label, kind in LEADER_COLUMNS]
        rows = leader_rows(snapshot["briefing"])
        annexes.append(
            {
                "title": _("附件%(n)d　包抓领导项目推进情况") % {"n": leaders_annex},
                "blocks": [make_table(number(_("包抓领导项目（全部）")), columns, rows)],
            }
        )
    for annex in annexes:
        annex["landscape"] = any(b["wide"] for b in annex["blocks"])
    return body, annexes


def _ranking_blocks(snapshot: dict, month, number) -> list[dict]:
    briefing = snapshot.get("briefing")
    if not briefing:
        t = stored(snapshot, "unit_ranking")
        return [snapshot_table(number(t["title"]), t)] if t else []
    rows = briefing["ranking"]
    text = _(
        "按%(p)s完成年度目标的比例排名，序时进度%(t)s；落后序时进度10至30个百分点标“黄”，超过30个百分点标“红”。"
    ) % {
        "p": _period(month),
        "t": pct_text(briefing["city"]["time_progress"]),
    }
    columns = [(_("排名"), "int"), (_("责任单位"), "text")]
    for measure, kind in ((_("到位资金"), "money"), (_("签约"), "int"), (_("开工"), "int")):
        columns += [
            (_("%(m)s目标") % {"m": measure}, kind),
            (_("%(m)s完成") % {"m": measure}, kind),
            (_("完成率%"), "pct"),
            (_("标识"), "text"),
        ]
    body = []
    for r in sorted(rows, key=lambda r: (r["funds_rank"] is None, r["funds_rank"] or 0)):
        line = [r["funds_rank"], r["name"]]
        for m in ("funds", "signings", "starts"):
            line += [r[f"{m}_target"], r[f"{m}_actual"], r[f"{m}_completion"], r[f"{m}_mark"]]
        body.append(line)
    return [_para(text), make_table(number(_("责任单位“三亮”完成情况")), columns, body)]
