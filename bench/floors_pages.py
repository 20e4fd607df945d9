"""Floors of the color board, a project's page and a chain map (see bench/floors.py): the same
rows and figures by raw SQL, written as the page's HTML with plain string formatting."""

import datetime
from collections import defaultdict
from html import escape

from bench.floors import (
    ACTIVE,
    DEMO,
    DISPLAY,
    KEY,
    KEY_BADGE,
    KIND_LABEL,
    LEAD_SOURCE,
    ORDER,
    PROBLEM_CATEGORY,
    STAGE_DESC,
    STAGE_LABEL,
    badge,
    day,
    filter_form,
    filter_options,
    flag_badges,
    flags,
    kind_of,
    lines,
    money,
    page,
    today,
)

# --- color board (/projects/board/) -----------------------------------------------------------

FLAGS_SQL = """p.staleness,
    p.total_investment > 5000 AND (p.leader_id IS NULL
        OR NOT EXISTS (SELECT 1 FROM projects_project_team t WHERE t.project_id = p.id)
        OR (p.manager_id IS NULL AND u.uses_project_manager)),
    EXISTS (SELECT 1 FROM projects_problem pr WHERE pr.project_id = p.id
            AND pr.status = 'open' AND pr.deadline < %s)"""


def board_data(cur, per_column: int = 30):  # projects.views.BOARD_CARDS_PER_COLUMN
    cur.execute(
        "SELECT stage, count(*), sum(total_investment) FROM projects_project GROUP BY stage"
    )
    totals = {stage: (n, total) for stage, n, total in cur.fetchall()}
    cur.execute(
        # Each column's largest through the (stage, total_investment) index: a window over
        # every project of the four columns costs seven times as much.
        f"""SELECT p.id, p.name, (SELECT name FROM projects_enterprise WHERE id = p.investor_id),
                   p.total_investment, p.stage, p.is_illustrative, {FLAGS_SQL}
            FROM unnest(ARRAY['red', 'orange', 'blue', 'green']) s (stage),
            LATERAL (SELECT * FROM projects_project q WHERE q.stage = s.stage
                     ORDER BY q.total_investment DESC, q.id LIMIT %s) p
            JOIN org_unit u ON u.id = p.unit_id
            ORDER BY p.total_investment DESC, p.id""",
        (today(), per_column),
    )
    return totals, cur.fetchall(), filter_options(cur, with_links=False)


def board_write(totals, cards, options) -> bytes:
    by_stage = defaultdict(list)
    for pk, name, investor, amount, stage, demo, *flagged in cards:
        following = ORDER[ORDER.index(stage) + 1]
        by_stage[stage].append(
            f'      <li class="board-card" data-project="{pk}" draggable="true" '
            f'data-transition-url="/projects/{pk}/transition/">\n'
            f'        <a class="name" href="/projects/{pk}/">{escape(name)}</a>\n'
            f"        {KEY_BADGE if amount > KEY else ''}\n        {DEMO if demo else ''}\n"
            f'        <div class="meta">{escape(investor)}</div>\n        <div class="row">\n'
            f'          <span class="amount">{money(amount)}</span>\n'
            f'          <a class="move" href="/projects/{pk}/transition/?to={following}">变更色卡'
            f"</a>\n        </div>\n        {flag_badges(flags(*flagged))}\n      </li>\n"
        )
    columns = []
    for stage in ACTIVE:
        n, total = totals.get(stage, (0, None))
        shown = by_stage[stage] or ['      <li class="muted">暂无项目</li>\n']
        more = (
            f'    <a class="more" href="/projects/?stage={stage}">'
            f"还有 {n - len(by_stage[stage])} 个，查看全部 {n} 个项目</a>\n"
            if n > len(by_stage[stage])
            else ""
        )
        columns.append(
            f'  <section class="column stage-{stage}" data-stage="{stage}" '
            f'aria-label="{STAGE_LABEL[stage]}">\n    <header>\n'
            f'      <h2><span class="dot stage-{stage}"></span> {STAGE_LABEL[stage]}\n'
            f'        <span class="count">{n} 个</span></h2>\n'
            f'      <div class="sum">总投资 <strong class="total">{money(total or 0)}</strong>'
            f'</div>\n      <div class="desc">{STAGE_DESC[stage]}</div>\n    </header>\n'
            f'    <ul class="cards">\n{"".join(shown)}    </ul>\n{more}  </section>\n'
        )
    ends = "".join(
        f'  <a href="/projects/?stage={stage}" class="end-{stage}">\n    {badge(stage)}\n'
        f"    {totals.get(stage, (0,))[0]} 个 · {money(totals.get(stage, (0, 0))[1] or 0)}\n"
        "  </a>\n"
        for stage in ("operating", "dropped")
    )
    main = (
        '<div class="toolbar">\n  <h1>色卡看板</h1>\n'
        '  <a class="btn secondary" href="/projects/">项目台账</a>\n</div>\n'
        + filter_form(options, {}, stages=False, links=False, clear="/projects/board/")
        + f'<div class="board" id="board">\n{"".join(columns)}</div>\n'
        f'<div class="card ends" style="margin-top:1rem">\n{ends}</div>\n'
    )
    script = '<script src="/static/js/board.js" defer></script>\n'
    return page(
        "色卡看板", main, path="/projects/board/", active="/projects/board/", scripts=script
    )


def board(conn) -> bytes:
    with conn.cursor() as cur:
        return board_write(*board_data(cur))


# --- a project's page (/projects/<pk>/) ----------------------------------------------------

# What each stage needs recorded (projects.stages.REQUIREMENTS, cumulative): the 需补录 box.
NEEDED = [("intent_note", "合作意向"), ("signed_on", "签约日期")]
NEEDED += [("contracted_investment", "签约投资"), ("started_on", "实际开工")]
NEEDED += [("operating_on", "投产日期")]
NEEDED_UP_TO = {"red": 0, "orange": 1, "blue": 3, "green": 4, "operating": 5, "dropped": 0}
# The history's columns compared between two versions, with their labels.
HISTORY_FIELDS = [
    ("code", "项目编号"),
    ("name", "项目名称"),
    ("total_investment", "总投资（万元）"),
    ("contracted_investment", "签约投资（万元）"),
    ("construction_content", "建设内容"),
    ("lead_source", "线索来源"),
    ("intent_note", "合作意向"),
    ("first_contact_on", "首次接洽日期"),
    ("signed_on", "签约日期"),
    ("started_on", "实际开工日期"),
    ("expected_completion_on", "预计竣工日期"),
    ("operating_on", "投产日期"),
    ("stage", "色卡阶段"),
    ("investor_id", "投资方"),
    ("chain_id", "产业链"),
    ("chain_link_id", "环节"),
    ("place_id", "建设地点"),
    ("unit_id", "责任单位"),
    ("leader_id", "包抓市级领导"),
    ("manager_id", "项目管家"),
    ("event_id", "签约活动"),
]


def project_page_data(cur, pk: int):
    cur.execute(
        f"""SELECT p.code, p.name, p.stage, p.stage_changed_at, p.total_investment,
                   p.contracted_investment, p.is_illustrative, p.source, p.lead_source,
                   p.first_contact_on, p.signed_on, p.started_on, p.expected_completion_on,
                   p.operating_on, p.intent_note, p.construction_content, p.staleness,
                   (SELECT name FROM projects_enterprise WHERE id = p.investor_id),
                   (SELECT name FROM chains_industrychain WHERE id = p.chain_id),
                   (SELECT name FROM chains_chainlink WHERE id = p.chain_link_id),
                   (SELECT name FROM org_place WHERE id = p.place_id),
                   coalesce(nullif(u.short_name, ''), u.name), u.uses_project_manager,
                   (SELECT name FROM projects_event WHERE id = p.event_id),
                   (SELECT {DISPLAY.format("l")} FROM org_user l WHERE l.id = p.leader_id),
                   (SELECT coalesce(nullif(m.full_name, ''), m.username) FROM org_user m
                    WHERE m.id = p.manager_id),
                   ARRAY(SELECT ce.name FROM projects_project_co_investors ci
                         JOIN projects_enterprise ce ON ce.id = ci.enterprise_id
                         WHERE ci.project_id = p.id ORDER BY ce.name),
                   ARRAY(SELECT coalesce(nullif(tu.full_name, ''), tu.username)
                         FROM projects_project_team t JOIN org_user tu ON tu.id = t.user_id
                         WHERE t.project_id = p.id ORDER BY tu.username),
                   EXISTS (SELECT 1 FROM projects_problem pr WHERE pr.project_id = p.id
                           AND pr.status = 'open' AND pr.deadline < %s)
            FROM projects_project p JOIN org_unit u ON u.id = p.unit_id
            WHERE p.id = %s""",
        (today(), pk),
    )
    project = cur.fetchone()
    cur.execute(
        """SELECT s.from_stage, s.to_stage, s.changed_at, s.reason,
                  coalesce(nullif(u.full_name, ''), u.username)
           FROM projects_stagechange s LEFT JOIN org_user u ON u.id = s.changed_by_id
           WHERE s.project_id = %s ORDER BY s.changed_at, s.id""",
        (pk,),
    )
    timeline = cur.fetchall()
    cur.execute(
        """SELECT m.month, m.investment_completed,
                  sum(m.investment_completed) OVER (PARTITION BY extract(year FROM m.month)
                                                    ORDER BY m.month),
                  sum(m.investment_completed) OVER (ORDER BY m.month),
                  m.funds_in_place,
                  sum(m.funds_in_place) OVER (PARTITION BY extract(year FROM m.month)
                                              ORDER BY m.month),
                  sum(m.funds_in_place) OVER (ORDER BY m.month),
                  m.narrative, m.next_steps, coalesce(nullif(u.full_name, ''), u.username),
                  m.is_illustrative
           FROM projects_monthlyprogress m LEFT JOIN org_user u ON u.id = m.filed_by_id
           WHERE m.project_id = %s ORDER BY m.month DESC""",
        (pk,),
    )
    progress = cur.fetchall()
    cur.execute(
        """SELECT pr.id, pr.category, pr.description, pr.resolution,
                  coalesce(nullif(u.short_name, ''), u.name), pr.deadline, pr.status,
                  pr.resolved_on
           FROM projects_problem pr JOIN org_unit u ON u.id = pr.unit_id
           WHERE pr.project_id = %s ORDER BY pr.status, pr.deadline""",
        (pk,),
    )
    problems = cur.fetchall()
    cur.execute(
        """SELECT i.id, i.status, coalesce(nullif(l.full_name, ''), l.username), i.given_at,
                  i.is_illustrative, pr.category, i.text, coalesce(nullif(u.short_name, ''),
                  u.name), i.deadline, i.done_at,
                  (SELECT json_agg(json_build_array(r.replied_at, coalesce(nullif(
                       ru.full_name, ''), ru.username), r.marks_done, r.text)
                       ORDER BY r.replied_at, r.id)
                   FROM projects_instructionreply r LEFT JOIN org_user ru
                   ON ru.id = r.replied_by_id WHERE r.instruction_id = i.id)
           FROM projects_instruction i JOIN org_user l ON l.id = i.leader_id
           LEFT JOIN projects_problem pr ON pr.id = i.problem_id
           JOIN projects_project p ON p.id = i.project_id
           JOIN org_unit u ON u.id = coalesce(i.unit_id, p.unit_id)
           WHERE i.project_id = %s ORDER BY i.given_at DESC, i.id DESC""",
        (pk,),
    )
    instructions = cur.fetchall()
    columns = ", ".join(f"h.{name}" for name, _label in HISTORY_FIELDS)
    cur.execute(
        f"""SELECT h.history_date, coalesce(nullif(u.full_name, ''), u.username),
                   h.history_type, {columns}
            FROM projects_historicalproject h LEFT JOIN org_user u ON u.id = h.history_user_id
            WHERE h.id = %s ORDER BY h.history_date DESC, h.history_id DESC LIMIT 31""",
        (pk,),
    )
    history = cur.fetchall()
    return pk, project, timeline, progress, problems, instructions, history


LATE_BADGE = ' <span class="badge danger">已逾期</span>'
LATE_NOTE = '<span class="overdue-note">已逾期</span>'


def muted(html) -> str:
    return f'<div class="muted">{html}</div>'


def _time(value) -> str:
    return value.astimezone(datetime.timezone(datetime.timedelta(hours=8))).strftime(
        "%Y-%m-%d %H:%M"
    )


def project_page_write(pk, project, timeline, progress, problems, instructions, history):
    (code, name, stage, changed_at, total, contracted, demo, source, lead, first, signed) = project[
        :11
    ]
    started, expected, operating, intent, content, staleness, investor = project[11:18]
    chain, link, place, unit, uses_manager, event, leader, manager = project[18:26]
    co_investors, team, overdue = project[26:29]
    now = today()
    key = total > KEY
    four_one = [("包抓市级领导", leader), ("责任单位", unit), ("专班成员", "、".join(team))]
    if uses_manager or manager:
        four_one.append(("项目管家", manager))
    missing = key and not all(value for _label, value in four_one)
    codes = flags(staleness, missing, overdue)
    values = {"intent_note": intent, "signed_on": signed, "contracted_investment": contracted}
    values.update(started_on=started, operating_on=operating)
    backfill = [label for f, label in NEEDED[: NEEDED_UP_TO[stage]] if not values[f]]
    following = ORDER[ORDER.index(stage) + 1] if stage in ORDER[:-1] else None
    out = [
        f'<div class="toolbar">\n  <h1>{escape(name)} {badge(stage)}\n'
        f"    {KEY_BADGE if key else ''}\n    {DEMO if demo else ''}\n"
        f"    {flag_badges(codes)}</h1>\n</div>\n"
        '<div class="actions no-print" style="margin-bottom:1rem">\n'
        f'  <a class="btn" href="/projects/{pk}/edit/">编辑项目</a>\n'
        f'  <a class="btn" href="/projects/{pk}/transition/'
        f'{f"?to={following}" if following else ""}">变更色卡</a>\n'
        f'  <a class="btn secondary" href="/projects/{pk}/progress/add/">填报月度进展</a>\n'
        f'  <a class="btn secondary" href="/projects/{pk}/problems/add/">登记难点堵点</a>\n'
        f'  <a class="btn secondary" href="/projects/{pk}/instructions/add/">领导批示</a>\n'
        '  <a class="btn secondary" href="/projects/">返回台账</a>\n</div>\n'
        '<div class="grid-2">\n<section class="card">\n  <h2>项目概况</h2>\n'
    ]
    if backfill:
        out.append(
            f'  <div class="warning-box" role="alert" id="backfill">需补录：{"、".join(backfill)}'
            "（当前色卡阶段需要这些信息，请编辑项目补填）</div>\n"
        )
    facts = [
        ("项目编号", escape(code)),
        ("投资方", escape("、".join([investor, *co_investors]))),
        ("总投资", money(total)),
        ("签约投资", money(contracted)),
        (
            "色卡阶段",
            f'{badge(stage)} <span class="muted">自 {day(changed_at and changed_at.date())}</span>',
        ),  # noqa: E501
        ("产业链", escape(chain or "—") + (f" · {escape(link)}" if link else "")),
        ("建设地点", escape(place)),
        ("线索来源", LEAD_SOURCE.get(lead, lead)),
        ("签约活动", escape(event or "—")),
        ("首次接洽", day(first)),
        ("签约日期", day(signed)),
        ("实际开工", day(started)),
        ("预计竣工", day(expected)),
        ("投产日期", day(operating)),
        ("合作意向", lines(intent) or "—"),
        ("建设内容", lines(content) or "—"),
    ]
    out.append('  <dl class="facts">\n')
    out += [f"    <dt>{label}</dt><dd>{value}</dd>\n" for label, value in facts]
    if source:
        out.append(f'    <dt>来源</dt><dd class="muted">{escape(source)}</dd>\n')
    out.append(
        '  </dl>\n</section>\n\n<section class="card four-one">\n  <h2>“四个一”推进机制</h2>\n'
    )
    if missing:
        lacking = " ".join(label for label, value in four_one if not value)
        out.append(
            f'  <div class="warning-box" role="alert">重点项目“四个一”不全：{lacking} '
            "尚未落实，请尽快补齐。</div>\n"
        )
    out.append("  <ul>\n")
    for label, value in four_one:
        shown = escape(value) if value else "未落实"
        out.append(
            f'    <li class="{"" if value else "missing"}"><span class="muted">{label}：</span>'
            f"{shown}</li>\n"
        )
    out.append("  </ul>\n")
    if not key:
        out.append('  <p class="muted">总投资未超过5000万元，不属于重点项目。</p>\n')
    out.append('  <h2>色卡变更记录</h2>\n  <ol class="timeline">\n')
    for from_stage, to_stage, at, reason, who in timeline:
        kind = kind_of(from_stage, to_stage)
        out.append(
            f'    <li class="{kind}">\n      <span class="kind">{KIND_LABEL[kind]}</span>\n'
            f"      {f'{badge(from_stage)} → ' if from_stage else ''}{badge(to_stage)}\n"
            f'      <div class="muted">{_time(at)} · {escape(who or "系统")}</div>\n'
            f"      {f'<div>{escape(reason)}</div>' if reason else ''}\n    </li>\n"
        )
    out.append(
        '  </ol>\n</section>\n</div>\n\n<section class="card">\n  <h2>月度进展</h2>\n'
        '  <div class="table-wrap cards-wrap">\n  <table class="cards-sm" id="progress-table">\n'
        '    <thead>\n      <tr><th>月份</th><th class="num">本月完成投资</th>'
        '<th class="num">年内累计</th><th class="num">累计完成</th>'
        '<th class="num">本月到位资金</th><th class="num">年内累计</th>'
        '<th class="num">累计到位</th><th>本月进展</th><th>下步计划</th><th>填报人</th></tr>\n'
        "    </thead>\n    <tbody>\n"
    )
    cells = [("本月完成投资", ""), ("年内累计完成", " ytd-investment"), ("累计完成", "")]
    cells += [("本月到位资金", ""), ("年内累计到位", " ytd-funds"), ("累计到位", "")]
    for month, *amounts, narrative, steps, who, row_demo in progress:
        tds = "".join(
            f'        <td class="num{cls}" data-label="{label}">{money(value)}</td>\n'
            for (label, cls), value in zip(cells, amounts, strict=True)
        )
        out.append(
            f'      <tr>\n        <td class="nowrap card-title">{month.year}年{month.month}月 '
            f"{DEMO if row_demo else ''}</td>\n{tds}"
            f'        <td data-label="本月进展">{lines(narrative)}</td>\n'
            f'        <td data-label="下步计划">{lines(steps)}</td>\n'
            f'        <td data-label="填报人">{escape(who or "—")}</td>\n      </tr>\n'
        )
    if not progress:
        out.append('      <tr><td colspan="10" class="muted">尚未填报月度进展。</td></tr>\n')
    out.append(
        '    </tbody>\n  </table>\n  </div>\n</section>\n\n<div class="grid-2">\n'
        '<section class="card">\n  <h2>难点堵点</h2>\n  <div class="table-wrap">\n  <table>\n'
        "    <thead><tr><th>类别</th><th>问题描述</th><th>责任单位</th><th>办结时限</th>"
        "<th>状态</th><th></th></tr></thead>\n    <tbody>\n"
    )
    for problem_id, category, text, resolution, p_unit, deadline, status, resolved in problems:
        late = status == "open" and deadline < now
        note = muted(escape(resolution)) if resolution else ""
        done = muted(day(resolved)) if resolved else ""
        action = f'<a href="/projects/problems/{problem_id}/resolve/">办结</a>'
        out.append(
            f'      <tr class="{"overdue" if late else ""}">\n'
            f"        <td>{PROBLEM_CATEGORY.get(category, category)}</td>\n"
            f"        <td>{lines(text)}{note}</td>\n        <td>{escape(p_unit)}</td>\n"
            f'        <td class="nowrap">{day(deadline)}{LATE_BADGE if late else ""}</td>\n'
            f"        <td>{'待解决' if status == 'open' else '已解决'}{done}</td>\n"
            f"        <td>{action if status == 'open' else ''}</td>\n      </tr>\n"
        )
    if not problems:
        out.append('      <tr><td colspan="6" class="muted">暂无难点堵点。</td></tr>\n')
    out.append(
        "    </tbody>\n  </table>\n  </div>\n</section>\n\n"
        '<section class="card">\n  <h2>领导批示</h2>\n'
    )
    status_label = {"open": "待办理", "answered": "已回复", "done": "已办结"}
    for (
        i_id,
        status,
        who,
        given,
        i_demo,
        category,
        text,
        i_unit,
        deadline,
        done,
        replies,
    ) in instructions:
        late = status != "done" and deadline is not None and deadline < now
        about = muted(f"针对：{PROBLEM_CATEGORY[category]}") if category else ""
        replies_html = "".join(
            f'  <div class="reply"><span class="muted">{at[:10]} {escape(by or "")}'
            f"{' · 办结' if marks else ''}：</span>{lines(reply)}</div>\n"
            for at, by, marks, reply in replies or []
        )
        out.append(
            f'<div class="instruction{" overdue" if late else ""}" data-status="{status}">\n'
            f"  <div><strong>{escape(who)}</strong>\n"
            f'    <span class="muted">{day(given.astimezone(datetime.UTC).date())}</span>\n'
            f'    <span class="badge instruction-{status}">{status_label[status]}</span>\n'
            f"    {LATE_NOTE if late else ''}\n    {DEMO if i_demo else ''}</div>\n  {about}\n"
            f"  <p>{lines(text)}</p>\n"
            f'  <div class="sub muted">责任单位：{escape(i_unit)}'
            f"{f' · 办理时限：{day(deadline)}' if deadline else ''}"
            f"{f' · 办结于 {day(done.date())}' if done else ''}</div>\n{replies_html}"
            + (
                f'  <a class="btn secondary" href="/projects/instructions/{i_id}/reply/?next=/projects/{pk}/">回复办理情况</a>\n'  # noqa: E501
                if status != "done"
                else ""
            )
            + "</div>\n"
        )
    if not instructions:
        out.append('  <p class="muted">暂无批示。</p>\n')
    out.append(
        '</section>\n</div>\n\n<section class="card">\n  <h2>修改记录</h2>\n'
        '  <div class="table-wrap">\n  <table>\n'
        "    <thead><tr><th>时间</th><th>操作人</th><th>修改内容</th></tr></thead>\n    <tbody>\n"
    )
    for i, (at, who, kind, *fields) in enumerate(history[:30]):
        older = history[i + 1][3:] if i + 1 < len(history) else None
        if kind == "+":
            what = "创建项目"
        elif older is None:
            what = '<span class="muted">保存（字段无变化）</span>'
        else:
            changes = "".join(
                f"<li>{label}：<del>{escape(str(old)[:80])}</del> → {escape(str(new)[:80])}</li>"
                for (_f, label), old, new in zip(HISTORY_FIELDS, older, fields, strict=True)
                if old != new
            )
            what = (
                f'<ul class="history-changes">{changes}</ul>' if changes else "保存（字段无变化）"
            )
        out.append(
            f'      <tr>\n        <td class="nowrap">{_time(at)}</td>\n'
            f"        <td>{escape(who or '系统')}</td>\n        <td>{what}</td>\n      </tr>\n"
        )
    if not history:
        out.append('      <tr><td colspan="3" class="muted">暂无修改记录。</td></tr>\n')
    out.append("    </tbody>\n  </table>\n  </div>\n</section>\n")
    return page(escape(name), "".join(out), path=f"/projects/{pk}/", active="/projects/")


def project_page(conn, pk: int) -> bytes:
    with conn.cursor() as cur:
        return project_page_write(*project_page_data(cur, pk))


# --- chain map (/chains/<pk>/map/) ---------------------------------------------------------

MARKERS_PER_LINK = 12
MOVING = '<span class="muted">（已有项目推进，投产后补齐）</span>'
NO_LINKS = '<p class="muted">该产业链尚未录入环节。</p>'
POSITION = {"up": "上游", "mid": "中游", "down": "下游"}
TIER = {"1000yi": "千亿级", "100yi": "百亿级", "plus_n": "+N"}


def chain_map_data(cur, chain_id: int):
    on_chain = """p.stage <> 'dropped' AND (p.chain_id = %s OR p.chain_link_id IN
                  (SELECT id FROM chains_chainlink WHERE chain_id = %s))"""
    cur.execute(
        f"""SELECT c.name, c.tier, CASE WHEN l.id IS NOT NULL THEN {DISPLAY.format("l")} END,
                   ARRAY(SELECT e.name FROM chains_industrychain_chain_owners o
                         JOIN projects_enterprise e ON e.id = o.enterprise_id
                         WHERE o.industrychain_id = c.id ORDER BY e.name),
                   (SELECT ARRAY[o.year::text, o.actual::text, o.target::text,
                                 o.is_illustrative::text]
                    FROM chains_chainoutput o WHERE o.chain_id = c.id AND o.year <= %s
                    AND (o.target IS NOT NULL OR o.actual IS NOT NULL)
                    ORDER BY o.year DESC LIMIT 1),
                   (SELECT coalesce(nullif(u.short_name, ''), u.name)
                    FROM chains_chaintaskforce t JOIN org_unit u ON u.id = t.lead_unit_id
                    WHERE t.chain_id = c.id)
            FROM chains_industrychain c LEFT JOIN org_user l ON l.id = c.chain_leader_id
            WHERE c.id = %s""",
        (today().year, chain_id),
    )
    chain = cur.fetchone()
    cur.execute(
        """SELECT l.id, l.parent_id, l.name, l.position, l.gap_description,
                  l.wanted_enterprises,
                  ARRAY(SELECT e.name FROM chains_chainlink_enterprises le
                        JOIN projects_enterprise e ON e.id = le.enterprise_id
                        WHERE le.chainlink_id = l.id ORDER BY e.name),
                  (SELECT count(*) FROM chains_targetenterprise t WHERE t.chain_link_id = l.id),
                  (SELECT count(*) FROM chains_opportunity o WHERE o.chain_link_id = l.id)
           FROM chains_chainlink l WHERE l.chain_id = %s ORDER BY l."order", l.name, l.id""",
        (chain_id,),
    )
    links = cur.fetchall()
    cur.execute(
        f"""SELECT p.chain_link_id, p.stage, count(*) FROM projects_project p
            WHERE {on_chain} GROUP BY 1, 2""",
        (chain_id, chain_id),
    )
    counts = cur.fetchall()
    cur.execute(
        # The largest of each link (and of the chain's projects on no link), link by link.
        """SELECT l.id, p.id, p.name, p.stage, p.total_investment,
                  (SELECT name FROM projects_enterprise WHERE id = p.investor_id)
           FROM (SELECT id FROM chains_chainlink WHERE chain_id = %s UNION ALL SELECT NULL) l,
           LATERAL (SELECT * FROM projects_project q WHERE q.stage <> 'dropped'
                    AND (q.chain_link_id = l.id
                         OR (l.id IS NULL AND q.chain_link_id IS NULL AND q.chain_id = %s))
                    ORDER BY q.total_investment DESC, q.id LIMIT %s) p
           ORDER BY l.id NULLS LAST, p.total_investment DESC, p.id""",
        (chain_id, chain_id, MARKERS_PER_LINK),
    )
    return chain_id, chain, links, counts, cur.fetchall()


def _marker(pk, name, stage, amount, investor=None) -> str:
    who = f" · {escape(investor)}" if investor else ""
    return (
        f'<li><a class="marker" data-stage="{stage}" href="/projects/{pk}/" '
        f'title="{escape(name)}{who} · {STAGE_LABEL[stage]} · {money(amount)}">'
        f'<span class="dot stage-{stage}" aria-label="{STAGE_LABEL[stage]}"></span>'
        f"{escape(name)}</a></li>"
    )


def chain_map_write(chain_id, chain, links, counts, markers) -> bytes:
    name, tier, leader, owners, output, task_force = chain
    per_link, by_stage = defaultdict(int), defaultdict(int)
    for link_id, stage, n in counts:
        per_link[link_id] += n
        by_stage[stage] += n
    shown = defaultdict(list)
    for link_id, pk, p_name, stage, amount, investor in markers:
        shown[link_id].append(_marker(pk, p_name, stage, amount, investor))
    children = defaultdict(list)
    for link in links:
        children[link[1]].append(link)
    gaps = []

    def node(link, sub) -> str:
        pk, _parent, l_name, position, gap, wanted, present, targets, chances = link
        gap_count = max(0, wanted - len(present))
        gap_open = gap_count > 0 if wanted else bool(gap)
        if gap_open:
            gaps.append(
                f'<a href="/chains/links/{pk}/">{escape(gap or l_name)}'
                f"{f'（还需{gap_count}家）' if gap_count else ''}</a>"
            )
        more = per_link[pk] - len(shown[pk])
        where = "" if sub else f' <span class="pos">{POSITION.get(position, position)}</span>'
        parts = [
            f'<article class="link-box{" sub-chain" if sub else ""}{" gap" if gap_open else ""}"'
            f' id="link-{pk}" data-gap="{int(gap_open)}">\n'
            f'  <h3><a href="/chains/links/{pk}/">{escape(l_name)}</a>{where}</h3>\n'
        ]
        if present:
            parts.append(
                f'  <p class="present"><span class="label">在链企业：</span>'
                f"{escape('、'.join(present))}</p>\n"
            )
        if shown[pk]:
            markers_html = "\n    ".join(shown[pk])
            parts.append(
                f'  <ul class="markers" aria-label="本环节项目">\n    {markers_html}\n  </ul>\n'
            )  # noqa: E501
        if more > 0:
            parts.append(
                f'  <p class="more"><a href="/chains/links/{pk}/">'
                f"还有 {more} 个项目，查看全部</a></p>\n"
            )
        if gap_open:
            parts.append(
                f'  <p class="gap-note">缺：{escape(gap or "在链企业")}'
                f"{f'（还需{gap_count}家）' if gap_count else ''}"
                f"{MOVING if per_link[pk] else ''}</p>\n"
            )
        if targets or chances:
            parts.append(f'  <p class="counts">目标企业 {targets} · 投资机会 {chances}</p>\n')
        if children[pk]:
            inner = "".join(node(child, False) for child in children[pk])
            parts.append(f'  <div class="sub-links">{inner}</div>\n')
        parts.append("</article>\n")
        return "".join(parts)

    tree = "".join(node(link, True) for link in children[None])
    legend = "".join(
        f'<button type="button" class="legend-item" data-stage="{s}" aria-pressed="false" '
        f'title="{STAGE_DESC[s]}"><span class="dot stage-{s}" aria-hidden="true"></span>'
        f'{STAGE_LABEL[s]} <span class="legend-count">{by_stage[s]}</span></button>'
        for s in ORDER
    )
    year_output = ""
    if output:
        year, actual, target, demo = output
        year_output = f"· {year}年产值 {money(actual and float(actual))}"
        year_output += f" / 目标 {money(float(target))}" if target else ""
        year_output += DEMO if demo == "true" else ""
    unplaced = "".join(shown[None])
    unplaced_more = per_link[None] - len(shown[None])
    main = (
        '<p class="breadcrumb no-print"><a href="/chains/">产业链招商图谱</a> › '
        f"{escape(name)}</p>\n"
        f'<div class="toolbar">\n  <h1>{escape(name)}产业链招商图谱</h1>\n'
        '  <button type="button" class="btn secondary no-print" data-print>打印</button>\n</div>\n'
        f'<p>\n  <span class="badge tier">{TIER.get(tier, tier)}</span>\n'
        f"  链长：{escape(leader or '—')}\n  · 链主：{escape('、'.join(owners) or '—')}\n"
        f"  {year_output}\n  {f'· 专班牵头单位：{escape(task_force)}' if task_force else ''}\n"
        '</p>\n<nav class="toolbar no-print" aria-label="三张清单">\n'
        '  <a class="btn secondary" href="/chains/">产业链总览</a>\n'
        f'  <a class="btn secondary" href="/chains/opportunities/?chain={chain_id}">投资机会清单</a>\n'  # noqa: E501
        f'  <a class="btn secondary" href="/chains/targets/?chain={chain_id}">目标企业清单</a>\n'
        f'  <a class="btn secondary" href="/chains/taskforces/?chain={chain_id}">产业链专班责任清单</a>\n'  # noqa: E501
        '</nav>\n<div class="legend" aria-label="图例">\n  <strong>图例</strong>\n'
        f"  {legend}\n"
        '  <span class="legend-item gap-sample" title="缺链环节：该环节还没有投产的在链企业；'
        '签约、在建项目投产后补齐">缺链环节</span>\n'
        '  <span class="legend-note muted">“缺”指该环节还没有投产的在链企业，'
        "已签约或在建的项目投产后补齐。"
        "</span>\n</div>\n"
        '<p class="no-print"><label class="inline"><input type="checkbox" data-only-gaps> '
        "只看缺链环节"
        "</label></p>\n"
    )
    if gaps:
        main += (
            '<section class="card gaps" aria-label="缺链环节">\n'
            "  <strong>缺什么，就招什么：</strong>\n"
            f"  {'、'.join(gaps)}\n</section>\n"
        )
    main += f'<div class="chain-map">\n  {tree or NO_LINKS}\n</div>\n'
    if unplaced:
        main += (
            '<section class="card">\n  <h2>尚未归入具体环节的项目</h2>\n'
            f'  <ul class="markers">{unplaced}</ul>\n'
            + (
                f'  <p class="more"><a href="/projects/?chain={chain_id}">还有 {unplaced_more} '
                "个项目，在项目台账中查看</a></p>\n"
                if unplaced_more > 0
                else ""
            )
            + "</section>\n"
        )
    script = '<script src="/static/js/chain_map.js" defer></script>\n'
    path = f"/chains/{chain_id}/map/"
    return page(
        f"{escape(name)} · 产业链招商图谱", main, path=path, active="/chains/", scripts=script
    )


def chain_map(conn, chain_id: int) -> bytes:
    with conn.cursor() as cur:
        return chain_map_write(*chain_map_data(cur, chain_id))
