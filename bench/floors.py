"""Floors: each page's or API answer's output produced the cheapest way a person would, with
raw SQL (psycopg, or a Django connection's cursor) and the bytes written with plain string
formatting: f-strings and "".join for HTML, json.dumps for JSON.

A floor is what the work itself costs, so the ratio page/floor is the framework's overhead
(ORM, forms, templates, serialisers). Each floor is two steps, `*_data` (the SQL, its rows in
Python) and `*_write` (the bytes), so that the bench can show the SQL's share; the function
named after the page does both and returns the bytes. Constants (stage labels, the site's
chrome) are literals here: a person writing the page by hand would write them out too.

The JSON floors write the API's structure (the list API's bytes are the same as the API's);
the HTML floors write the page's elements and classes for the same rows and figures, not
byte for byte (bench/README.md says how they were approximated). The dashboard's floor is in
bench/floors_dashboard.py.
"""

import datetime
import hashlib
import hmac
import json
import secrets
from decimal import Decimal
from html import escape
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")  # settings.TIME_ZONE
KEY = Decimal(5000)  # a key project: total investment above 5000万元
STAGES = ["red", "orange", "blue", "green", "operating", "dropped"]
ORDER, ACTIVE = STAGES[:5], STAGES[:4]
STAGE_LABEL = dict(zip(STAGES, ["红色", "橙色", "蓝色", "绿色", "已投产", "终止"], strict=True))
STAGE_DESC = dict(
    zip(
        STAGES,
        [
            "洽谈中，合作意向较弱，持续跟踪",
            "合作意向较强或已签订协议",
            "正在办理前期手续",
            "已开工建设",
            "已投产/竣工",
            "已终止",
        ],
        strict=True,
    )
)
STALENESS_FLAG = {"yellow": "stale_yellow", "red": "stale_red", "drop": "propose_drop"}
FLAG_LABEL = {
    "stale_yellow": ("两个月无进展", "warn"),
    "stale_red": ("三个月无进展", "danger"),
    "propose_drop": ("建议终止", "danger"),
    "four_one_missing": ("四个一不全", "warn"),
    "overdue_problem": ("问题逾期", "danger"),
}
LEAD_SOURCE = {
    "business": "以商招商",
    "chain": "以链招商",
    "event": "招商活动",
    "resident": "驻点招商",
    "fund": "基金招商",
    "online": "网络招商",
    "other": "其他",
}
PROBLEM_CATEGORY = {
    "land": "用地",
    "eia": "环评",
    "energy": "能耗",
    "funding": "资金",
    "permits": "手续审批",
    "utilities": "水电气",
    "other": "其他",
}
KIND_LABEL = {
    "created": "新建",
    "upgrade": "升级",
    "downgrade": "降级",
    "drop": "终止",
    "restore": "恢复",
}
ROLES_READING = ("招商专员", "市级领导", "管理员")
KEY_BADGE = '<span class="badge key">重点</span>'
NUM = ' class="num"'
DEMO = '<span class="badge demo" title="来源资料未给出该数值，此为演示用示例数据">示例数据</span>'
# A user's name as the pages show it (User.display_name): full name, else first and last
# name, else the username.
DISPLAY = "coalesce(nullif({0}.full_name, ''), nullif(trim({0}.first_name || ' ' || {0}.last_name), ''), {0}.username)"  # noqa: E501


def today() -> datetime.date:
    return datetime.datetime.now(LOCAL).date()


def flags(staleness, four_one_missing, overdue) -> list[str]:
    out = [STALENESS_FLAG[staleness]] if staleness else []
    if four_one_missing:
        out.append("four_one_missing")
    if overdue:
        out.append("overdue_problem")
    return out


def kind_of(from_stage, to_stage) -> str:
    if not from_stage:
        return "created"
    if to_stage == "dropped":
        return "drop"
    if from_stage == "dropped":
        return "restore"
    return "upgrade" if ORDER.index(to_stage) > ORDER.index(from_stage) else "downgrade"


# --- how values read (jinchang/formats.py, written out) --------------------------------------


def money(value) -> str:
    if value is None:
        return "—"
    if abs(value) >= 10000:
        return f"{value / 10000:,.2f}亿元"
    return f"{value:,.2f}万元"


def day(value) -> str:
    return value.isoformat() if value else "—"


def stamp(value) -> str:
    """A datetime as the API writes it: local time, ISO 8601."""
    return value.astimezone(LOCAL).isoformat()


def badge(stage) -> str:
    return f'<span class="badge stage-{stage}">{STAGE_LABEL.get(stage, stage or "—")}</span>'


def flag_badges(codes) -> str:
    return "".join(
        f'<span class="badge {FLAG_LABEL[c][1]}">{FLAG_LABEL[c][0]}</span> ' for c in codes
    )


def sub(text) -> str:
    return f'<div class="sub">{escape(text)}</div>' if text else ""


def lines(text) -> str:
    return escape(text or "").replace("\n", "<br>")


# --- the site's chrome (templates/base.html), the same for every page -------------------------

NAV = [
    ("/projects/", "项目台账"),
    ("/projects/board/", "色卡看板"),
    ("/projects/problems/", "难点堵点"),
    ("/chains/", "产业链图谱"),
    ("/dashboard/", "领导驾驶舱"),
    ("/dispatch/", "月度调度"),
    ("/projects/events/", "招商活动"),
    ("/projects/enterprises/", "客商"),
    ("/ledger/", "Excel台账"),
    ("/audit/", "审计日志"),
    ("/admin/", "系统管理"),
]


def page(title, main, *, path, active, user="bench_admin", scripts="") -> bytes:
    token = secrets.token_urlsafe(48)
    nav = "\n".join(
        f'    <a href="{href}" class="active" aria-current="page">{label}</a>'
        if href == active
        else f'    <a href="{href}">{label}</a>'
        for href, label in NAV
    )
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
    return (
        '<!doctype html>\n<html lang="zh-hans">\n<head>\n  <meta charset="utf-8">\n'
        '  <meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'  <meta name="csrf-token" content="{token}">\n'
        f"  <title>{title} · 金昌市招商引资项目管理系统</title>\n"
        '  <link rel="stylesheet" href="/static/css/app.css">\n</head>\n<body>\n'
        '<header class="topbar">\n  <a class="brand" href="/">金昌招商项目</a>\n'
        '  <button class="nav-toggle" type="button" aria-label="菜单">☰</button>\n'
        f'  <nav class="nav" aria-label="主导航">\n{nav}\n  </nav>\n'
        f'  <div class="userbox">\n    <span>{escape(user)}</span>\n'
        '    <a href="/accounts/password_change/">修改密码</a>\n'
        f'    <form method="post" action="/accounts/logout/">{csrf}<button type="submit">退出'
        "</button></form>\n  </div>\n</header>\n<main>\n"
        f"{main}"
        '</main>\n<footer class="footer">\n  金昌市投资促进局 · 招商引资项目色卡管理\n'
        f'  <form class="lang-switch no-print" action="/i18n/setlang/" method="post">{csrf}\n'
        f'    <input name="next" type="hidden" value="{escape(path)}">\n'
        '    <button type="submit" name="language" value="zh-hans" aria-current="true" disabled>'
        '中文</button><button type="submit" name="language" value="en">English</button>\n'
        "  </form>\n</footer>\n"
        '<script src="/static/vendor/htmx.min.js" defer></script>\n'
        f'<script src="/static/js/app.js" defer></script>\n{scripts}</body>\n</html>\n'
    ).encode()


# --- the list filters (templates/projects/_filters.html) --------------------------------------

FILTERED = ' <span class="muted">（已筛选）</span>'
YES_NO = [("is_key", "仅重点项目"), ("overdue", "有逾期问题"), ("no_progress", "上月未报进展")]
YES_NO += [("flagged", "有预警")]
SORTS = [("total_investment", "总投资"), ("name", "名称"), ("signed_on", "签约日期")]
SORTS += [("stage_changed_at", "阶段变更"), ("code", "编号"), ("funds_period", "到位资金")]
SORTS += [("completed_period", "完成投资")]
ORDERING = [("", "默认（总投资从高到低）")]
ORDERING += [o for f, label in SORTS for o in ((f, label), (f"-{f}", f"{label}（降序）"))]
SELECTS = [("chain", "产业链"), ("chain_link", "环节"), ("place", "建设地点")]
SELECTS += [("unit", "责任单位"), ("leader", "包抓领导")]


def filter_options(cur, with_links=True) -> dict:
    """The filter selects' choices, one query: chains, links (named with their chain),
    places, units and the leaders."""
    cur.execute(
        f"""SELECT 'chain', id, name, "order" FROM chains_industrychain
            UNION ALL SELECT 'place', id, name, "order" FROM org_place
            UNION ALL SELECT 'unit', id, coalesce(nullif(short_name, ''), name), "order"
                FROM org_unit
            UNION ALL SELECT 'leader', u.id, {DISPLAY.format("u")}, 0 FROM org_user u
                WHERE EXISTS (SELECT 1 FROM org_user_groups ug JOIN auth_group g
                              ON g.id = ug.group_id WHERE ug.user_id = u.id AND g.name = %s)
            {
            '''UNION ALL SELECT 'chain_link', l.id,
                coalesce(nullif(c.short_name, ''), c.name) || '·' || l.name, l."order"
                FROM chains_chainlink l JOIN chains_industrychain c ON c.id = l.chain_id'''
            if with_links
            else ""
        }
            ORDER BY 1, 4, 3""",
        ("市级领导",),
    )
    options: dict = {}
    for kind, pk, name, _order in cur.fetchall():
        options.setdefault(kind, []).append((pk, name))
    return options


def filter_form(options, chosen: dict, *, stages=True, links=True, clear="/projects/") -> str:
    def select(name, label, choices, empty="全部"):
        value = str(chosen.get(name, ""))
        opts = "".join(
            f'  <option value="{v}"{" selected" if str(v) == value else ""}>{escape(str(t))}'
            "</option>\n"
            for v, t in [("", empty), *choices]
        )
        return (
            f'    <div class="filter-{name}">\n      <label for="id_{name}">{label}</label>\n'
            f'      <select name="{name}" id="id_{name}">\n{opts}</select>\n    </div>\n'
        )

    parts = [
        '<details class="card filter-box no-print" data-open-on-desktop open>\n'
        f"  <summary>筛选条件{FILTERED if any(chosen.values()) else ''}</summary>\n"
        '  <form method="get" class="filters" role="search">\n'
        '    <div class="filter-search">\n      <label for="id_search">搜索</label>\n'
        f'      <input type="text" name="search" id="id_search" value="{escape(chosen.get("search", ""))}">\n'  # noqa: E501
        "    </div>\n"
    ]
    if stages:
        boxes = "".join(
            f'<div>\n    <label for="id_stage_{i}"><input type="checkbox" name="stage" '
            f'value="{s}" id="id_stage_{i}"{" checked" if s == chosen.get("stage") else ""}>\n'
            f" {STAGE_LABEL[s]}</label>\n\n</div>"
            for i, s in enumerate(STAGES)
        )
        parts.append(
            '    <div class="filter-stage">\n      <span class="label">色卡阶段</span>\n'
            f'      <div id="id_stage">{boxes}\n</div>\n    </div>\n'
        )
    for name, label in SELECTS:
        if name != "chain_link" or links:
            parts.append(select(name, label, options.get(name, [])))
    for name, label in YES_NO:
        if stages or name in ("is_key", "flagged"):
            parts.append(select(name, label, [("true", "是"), ("false", "否")]))
    if stages:
        parts.append(select("ordering", "排序", ORDERING[1:], empty=ORDERING[0][1]))
    parts.append(
        '    <div class="filter-actions">\n      <button type="submit">筛选</button>\n'
        f'      <a class="btn secondary" href="{clear}">清除</a>\n    </div>\n'
        "  </form>\n</details>\n"
    )
    return "".join(parts)


# --- project list API (/api/v1/projects/) -----------------------------------------------------

# Names are looked up by scalar subqueries, not joins: with eight joins PostgreSQL spends
# about 15 ms planning the join order (on this machine), ten times the query's execution.
API_PROJECT = f"""SELECT p.id, p.code, p.name, p.investor_id,
    ARRAY(SELECT ci.enterprise_id FROM projects_project_co_investors ci
          JOIN projects_enterprise ce ON ce.id = ci.enterprise_id
          WHERE ci.project_id = p.id ORDER BY ce.name),
    p.total_investment, p.contracted_investment, p.chain_id, p.chain_link_id, p.place_id,
    p.construction_content, p.lead_source, p.event_id, p.intent_note, p.first_contact_on,
    p.signed_on, p.started_on, p.expected_completion_on, p.operating_on, p.unit_id,
    p.leader_id,
    ARRAY(SELECT t.user_id FROM projects_project_team t JOIN org_user tu ON tu.id = t.user_id
          WHERE t.project_id = p.id ORDER BY tu.username),
    p.manager_id, (SELECT name FROM projects_enterprise WHERE id = p.investor_id), p.stage,
    p.stage_changed_at, (SELECT name FROM chains_industrychain WHERE id = p.chain_id),
    (SELECT name FROM chains_chainlink WHERE id = p.chain_link_id),
    (SELECT name FROM org_place WHERE id = p.place_id),
    (SELECT coalesce(nullif(u.short_name, ''), u.name) FROM org_unit u WHERE u.id = p.unit_id),
    (SELECT {DISPLAY.format("l")} FROM org_user l WHERE l.id = p.leader_id),
    (SELECT {DISPLAY.format("m")} FROM org_user m WHERE m.id = p.manager_id),
    (SELECT uses_project_manager FROM org_unit WHERE id = p.unit_id),
    EXISTS (SELECT 1 FROM projects_problem pr WHERE pr.project_id = p.id
            AND pr.status = 'open' AND pr.deadline < %s),
    p.staleness, p.version, p.is_illustrative, p.created_at, p.updated_at
FROM projects_project p"""


def api_projects_data(cur, stage, chain_id=None, page=1, page_size=50):
    where, params = "p.stage = %s", [stage]
    if chain_id is not None:
        where, params = where + " AND p.chain_id = %s", [*params, chain_id]
    cur.execute(f"SELECT count(*) FROM projects_project p WHERE {where}", params)
    count = cur.fetchone()[0]
    cur.execute(
        f"{API_PROJECT} WHERE {where} ORDER BY p.total_investment DESC, p.id LIMIT %s OFFSET %s",
        [today(), *params, page_size, (page - 1) * page_size],
    )
    return count, cur.fetchall()


def _str(value):
    return None if value is None else str(value)


def api_projects_write(count, rows, url, query: dict, page=1, page_size=50) -> bytes:
    """The API's page as bytes."""
    return dumps(api_projects_body(count, rows, url, query, page, page_size))


def dumps(body) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def api_projects_body(count, rows, url, query: dict, page=1, page_size=50) -> dict:
    """The API's page: DRF's pagination links (the query sorted, `page` replaced)."""

    def link(n):
        q = {k: v for k, v in query.items() if k != "page"}
        if n > 1:
            q["page"] = n
        return f"{url}?{urlencode(sorted(q.items()))}"

    results = []
    for r in rows:
        total, leader, team, manager = r[5], r[20], r[21], r[22]
        key = total is not None and total > KEY
        missing = key and (leader is None or not team or (manager is None and r[32]))
        results.append(
            {
                "id": r[0],
                "code": r[1],
                "name": r[2],
                "investor": r[3],
                "co_investors": r[4],
                "total_investment": _str(total),
                "contracted_investment": _str(r[6]),
                "chain": r[7],
                "chain_link": r[8],
                "place": r[9],
                "construction_content": r[10],
                "lead_source": r[11],
                "event": r[12],
                "intent_note": r[13],
                "first_contact_on": r[14] and r[14].isoformat(),
                "signed_on": r[15] and r[15].isoformat(),
                "started_on": r[16] and r[16].isoformat(),
                "expected_completion_on": r[17] and r[17].isoformat(),
                "operating_on": r[18] and r[18].isoformat(),
                "unit": r[19],
                "leader": leader,
                "team": team,
                "manager": manager,
                "investor_name": r[23],
                "stage": r[24],
                "stage_label": STAGE_LABEL[r[24]],
                "stage_changed_at": r[25] and stamp(r[25]),
                "is_key": key,
                "chain_name": r[26],
                "chain_link_name": r[27],
                "place_name": r[28],
                "unit_name": r[29],
                "leader_name": r[30],
                "manager_name": r[31],
                "flags": flags(r[34], missing, r[33]),
                "staleness": r[34],
                "version": r[35],
                "is_illustrative": r[36],
                "created_at": stamp(r[37]),
                "updated_at": stamp(r[38]),
            }
        )
    return {
        "count": count,
        "next": link(page + 1) if page * page_size < count else None,
        "previous": link(page - 1) if page > 1 else None,
        "results": results,
    }


def api_projects(conn, stage, chain_id=None, page_size=50) -> bytes:
    """The project list API's page 1 for `?stage=&chain=&page_size=`, as the test client
    asks it (host testserver)."""
    with conn.cursor() as cur:
        count, rows = api_projects_data(cur, stage, chain_id, 1, page_size)
    query = {"stage": stage, "page_size": page_size}
    if chain_id is not None:
        query["chain"] = chain_id
    url = "http://testserver/api/v1/projects/"
    return api_projects_write(count, rows, url, query, 1, page_size)


def token_user(cur, header: str):
    """A knox token's holder, as api.auth checks it (digest, expiry, active account, issued
    after the last password change, a role that reads): one indexed look-up. None if refused;
    "forbidden" for an account without a reading role."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "token" or not token:
        return None
    cur.execute(
        """SELECT t.digest, t.expiry, t.created, u.id, u.is_active, u.password_changed_at,
                  (u.is_superuser OR EXISTS (SELECT 1 FROM org_user_groups ug
                       JOIN auth_group g ON g.id = ug.group_id
                       WHERE ug.user_id = u.id AND g.name = ANY(%s)))
                  AND NOT EXISTS (SELECT 1 FROM org_user_groups ug
                       JOIN auth_group g ON g.id = ug.group_id
                       WHERE ug.user_id = u.id AND g.name = '审计员')
           FROM knox_authtoken t JOIN org_user u ON u.id = t.user_id
           WHERE t.token_key = %s""",
        (list(ROLES_READING), token[:15]),
    )
    digest = hashlib.sha512(token.encode()).hexdigest()
    now = datetime.datetime.now(datetime.UTC)
    for stored, expiry, created, user_id, active, changed, reads in cur.fetchall():
        if not hmac.compare_digest(stored, digest) or (expiry is not None and expiry < now):
            continue
        if not active or (changed is not None and created < changed):
            return None
        return user_id if reads else "forbidden"
    return None


# --- project list page (/projects/?stage=&chain=) ---------------------------------------------


def project_list_data(cur, stage, chain_id, page_size=50):
    cur.execute(
        "SELECT count(*), sum(total_investment) FROM projects_project "
        "WHERE stage = %s AND chain_id = %s",
        (stage, chain_id),
    )
    totals = cur.fetchone()
    cur.execute(
        """SELECT p.id, p.code, p.name,
                  (SELECT name FROM projects_enterprise WHERE id = p.investor_id),
                  p.total_investment, p.stage,
                  (SELECT name FROM chains_industrychain WHERE id = p.chain_id),
                  (SELECT name FROM chains_chainlink WHERE id = p.chain_link_id),
                  (SELECT name FROM org_place WHERE id = p.place_id),
                  coalesce(nullif(u.short_name, ''), u.name),
                  (SELECT coalesce(nullif(l.full_name, ''), l.username) FROM org_user l
                   WHERE l.id = p.leader_id), p.staleness,
                  p.total_investment > 5000 AND (p.leader_id IS NULL
                      OR NOT EXISTS (SELECT 1 FROM projects_project_team t
                                     WHERE t.project_id = p.id)
                      OR (p.manager_id IS NULL AND u.uses_project_manager)),
                  EXISTS (SELECT 1 FROM projects_problem pr WHERE pr.project_id = p.id
                          AND pr.status = 'open' AND pr.deadline < %s),
                  p.is_illustrative
           FROM projects_project p JOIN org_unit u ON u.id = p.unit_id
           WHERE p.stage = %s AND p.chain_id = %s
           ORDER BY p.total_investment DESC, p.id LIMIT %s""",
        (today(), stage, chain_id, page_size),
    )
    rows = cur.fetchall()
    return totals, rows, filter_options(cur)


def project_list_write(totals, rows, options, stage, chain_id, page_size=50) -> bytes:
    count, total = totals
    query = f"stage={stage}&amp;chain={chain_id}"
    body = []
    for pk, code, name, investor, amount, st, chain, link, place, unit, leader, *rest in rows:
        staleness, missing, overdue, demo = rest
        body.append(
            f'    <tr>\n      <td class="nowrap">{escape(code)}</td>\n'
            f'      <td><a href="/projects/{pk}/">{escape(name)}</a>\n'
            f"        {KEY_BADGE if amount > KEY else ''}\n"
            f"        {DEMO if demo else ''}</td>\n"
            f"      <td>{escape(investor)}</td>\n"
            f'      <td class="num">{money(amount)}</td>\n      <td>{badge(st)}</td>\n'
            f"      <td>{escape(chain or '—')}"
            f"{sub(link)}</td>\n"
            f"      <td>{escape(place)}</td>\n      <td>{escape(unit)}</td>\n"
            f"      <td>{escape(leader or '—')}</td>\n"
            f"      <td>{flag_badges(flags(staleness, missing, overdue))}</td>\n    </tr>\n"
        )
    pages = -(-count // page_size)
    heads = ["项目编号", "项目名称", "投资方", "总投资", "色卡", "产业链", "建设地点"]
    heads += ["责任单位", "包抓领导", "预警"]
    main = (
        '<div class="toolbar">\n  <h1>项目台账</h1>\n'
        '  <a class="btn" href="/projects/new/">新建项目</a>\n'
        f'  <a class="btn secondary" href="/projects/board/?chain={chain_id}">色卡看板</a>\n'
        f'  <a class="btn secondary" href="/ledger/export/projects/?{query}">导出Excel</a>\n'
        "</div>\n"
        + filter_form(options, {"stage": stage, "chain": chain_id})
        + f'<p class="summary">共 {count} 个项目，总投资 {money(total or 0)}</p>\n'
        '<div class="table-wrap ledger">\n<table>\n  <thead>\n    <tr>\n'
        + "".join(f"      <th{NUM if h == '总投资' else ''}>{h}</th>\n" for h in heads)
        + "    </tr>\n  </thead>\n  <tbody>\n"
        + "".join(body)
        + '  </tbody>\n  <tfoot>\n    <tr class="totals">\n'
        f'      <td colspan="3">合计 {count} 个项目</td>\n'
        f'      <td class="num">{money(total or 0)}</td>\n      <td colspan="6"></td>\n'
        "    </tr>\n  </tfoot>\n</table>\n</div>\n"
        '<nav class="pagination" aria-label="分页">\n'
        f"  <span>第 1 / {pages} 页</span>\n"
        f'  <a href="?{query}&amp;page=2">下一页</a>\n'
        f'  <a href="?{query}&amp;page={pages}">末页</a>\n</nav>\n'
    )
    path = f"/projects/?stage={stage}&chain={chain_id}"
    return page("项目台账", main, path=path, active="/projects/")


def project_list(conn, stage, chain_id) -> bytes:
    with conn.cursor() as cur:
        data = project_list_data(cur, stage, chain_id)
    return project_list_write(*data, stage, chain_id)


# --- the Excel export (for the openpyxl floor of the batch phase) ----------------------------


def export_rows(conn, limit: int | None = None):
    """The rows of the project ledger export (for the openpyxl write-only floor)."""
    with conn.cursor() as cur:
        cur.execute(
            """SELECT p.code, p.name, e.name, p.total_investment, p.contracted_investment,
                      p.stage, c.name, cl.name, pl.name, u.name, l.full_name,
                      p.construction_content, p.first_contact_on, p.signed_on, p.started_on,
                      p.expected_completion_on, p.operating_on, p.intent_note
               FROM projects_project p
               JOIN projects_enterprise e ON e.id = p.investor_id
               LEFT JOIN chains_industrychain c ON c.id = p.chain_id
               LEFT JOIN chains_chainlink cl ON cl.id = p.chain_link_id
               JOIN org_place pl ON pl.id = p.place_id JOIN org_unit u ON u.id = p.unit_id
               LEFT JOIN org_user l ON l.id = p.leader_id
               ORDER BY p.total_investment DESC, p.id"""
            + (f" LIMIT {int(limit)}" if limit else "")
        )
        return cur.fetchall()
