"""The dashboard page's floor (see bench/floors_dashboard.py for its figures): the page's HTML
written with f-strings from the same figures, and the figures again as the page's <script>
JSON, as Django's json_script writes it."""

import json
from collections import defaultdict
from html import escape

from bench.floors import badge, money, page, today
from bench.floors_dashboard import dashboard_data, figures
from dashboard.views import CHART_KEYS  # what the page's charts draw

LIST = "/projects/"

DASH_TEXT = (
    '<div id="dash-text" hidden\n  data-projects="项目数" data-total-yi="总投资（亿元）"\n'
    '  data-count="个" data-yi="{n}亿元" data-wan="{n}万元"\n'
    '  data-unit-yi="亿元" data-unit-wan="万元"\n'
    '  data-year="{y}年" data-cumulative="{name}累计" data-month="{m}月"\n'
    '  data-in-month="当月（{u}）" data-in-total="累计（{u}）"\n'
    '  data-unfilled="未填" data-funnel-tip="{name}：{n}个（年内新达到 {entered}）"\n'
    '  data-and-above="{label}及以上" data-done="完成"\n'
    '  data-time-progress="序时进度" data-completion="完成率"\n'
    '  data-time-mark="序时 {p}"></div>\n'
)
SCRIPTS = (
    '<script src="/static/vendor/echarts.min.js" defer></script>\n'
    '<script src="/static/js/dashboard.js" defer></script>\n'
)


def _pc(value) -> str:
    return "—" if value is None else f"{value:.2f}%"


def _link(query, text) -> str:
    return f'<a href="{LIST}?{escape(query)}">{text}</a>'


def _select(name, label, choices, chosen, empty=None) -> str:
    options = [("", empty)] if empty else []
    opts = "".join(
        f'  <option value="{v}"{" selected" if v == chosen else ""}>{escape(str(t))}</option>\n'
        for v, t in options + choices
    )
    return (
        f'  <div>\n    <label for="id_{name}">{label}</label>\n'
        f'    <select name="{name}" id="id_{name}">\n{opts}</select>\n  </div>\n'
    )


def _card(ident, query, label, value, subs) -> str:
    return (
        f'  <a class="stat" id="card-{ident}" href="{LIST}?{escape(query)}">\n'
        f'    <div class="label">{label}</div>\n    <div class="value">{value}</div>\n'
        + "".join(f'    <div class="sub">{sub}</div>\n' for sub in subs)
        + "  </a>\n"
    )


def _breakdown(title, table_id, rows) -> str:
    body = []
    for row in rows:
        if row["query"] is not None:
            name = f"<td>{_link(row['query'], escape(row['name']))}</td>"
            count = f'<td class="num">{_link(row["query"], row["count"])}</td>'
        else:
            name, count = "<td>未填</td>", f'<td class="num">{row["count"]}</td>'
        dots = "".join(
            f'<span class="dot stage-{s}" title="{s}"></span>{n} '
            for s, n in row["stages"].items()
            if n
        )
        body.append(
            f"        <tr>\n          {name}\n          {count}\n"
            f'          <td class="num">{money(row["investment"])}</td>\n'
            f'          <td class="num">{money(row["funds_ytd"])}</td>\n'
            f'          <td class="nowrap">{dots}</td>\n        </tr>\n'
        )
    return (
        f'<div>\n  <h3>{title}</h3>\n  <div class="table-wrap">\n    <table id="{table_id}">\n'
        f'      <thead><tr><th>{title}</th><th class="num">项目数</th><th class="num">总投资</th>'
        '<th class="num">本年到位资金</th><th>色卡分布</th></tr></thead>\n'
        f"      <tbody>{''.join(body)}</tbody>\n    </table>\n  </div>\n</div>\n"
    )


def page_write(d: dict, rows: dict, year: int, month: int) -> bytes:
    h, hq, f, a = d["headline"], d["headline_queries"], d["forecast"], d["attention"]
    names = defaultdict(list)
    for dim, pk, name, order in rows["names"]:
        names[dim].append(((order or 0, name), (pk, name)))
    choices = {dim: [c for _k, c in sorted(v)] for dim, v in names.items()}
    now = today()
    years = [(y, f"{y}年") for y in range(now.year, 2017, -1)]
    out = [
        '<div class="toolbar">\n  <h1 class="dash-title">领导驾驶舱</h1>\n'
        '  <button type="button" class="btn secondary no-print" data-print>打印</button>\n'
        f'</div>\n<p class="dash-period">\n  截至{year}年{month}月底\n'
        "  · 金额单位：万元/亿元\n</p>\n"
        '<form class="filters" method="get" action="">\n',
        _select("year", "年度", years, year),
        _select("month", "截至月份", [(i, f"{i}月底") for i in range(1, 13)], month),
        _select("chain", "产业链", choices["chain"], "", "全部产业链"),
        _select("place", "建设地点", choices["place"], "", "全部地点"),
        _select("unit", "责任单位", choices["unit"], "", "全部单位"),
        '  <div><button type="submit">查询</button></div>\n</form>\n'
        '<section class="grid dash-cards" aria-label="主要指标">\n',
    ]
    growth = h["funds_growth_rate"]
    funds_subs = (
        ["上年同期 无可比数据"]
        if h["funds_in_place_prev_ytd"] is None
        else [
            f"上年同期 {money(h['funds_in_place_prev_ytd'])}",
            f'同比增量\n      <span class="{"down" if h["funds_increment"] < 0 else "up"}">'
            f"{money(h['funds_increment'])}</span>\n      · 增长率\n"
            f'      <span class="{"down" if growth is not None and growth < 0 else "up"}">'
            f"{'无可比数据' if growth is None else _pc(growth)}</span>",
        ]
    )
    prev_done = h["investment_completed_prev_ytd"]
    out += [
        _card(
            "in-progress",
            hq["projects_in_progress"],
            "实施招商引资项目",
            f"{h['projects_in_progress']} <small>项</small>",
            ["已签约且年内在推进"],
        ),
        _card(
            "funds",
            hq["funds_in_place"],
            f"1—{month}月到位资金",
            money(h["funds_in_place_ytd"]),
            funds_subs,
        ),
        _card(
            "arrival",
            hq["arrival_rate"],
            "近两年签约项目资金到位率",
            _pc(h["arrival_rate"]),
            [f"到位 {money(h['recent_funds'])} / 签约 {money(h['recent_contracted'])}"],
        ),
        _card(
            "start-rate",
            hq["key_projects_of_year"],
            "重点项目开工率",
            _pc(h["start_rate"]),
            [f"已开工 {h['key_projects_started']} / 年度重点项目 {h['key_projects_of_year']} 个"],
        ),
        _card(
            "investment",
            hq["investment_completed"],
            "完成投资",
            money(h["investment_completed_ytd"]),
            [f"上年同期 {'无可比数据' if prev_done is None else money(prev_done)}"],
        ),
        _card(
            "signings",
            hq["new_signings"],
            "新签约项目",
            f"{h['new_signings']} <small>个</small>",
            [f"签约投资 {money(h['new_signings_contracted'])}"],
        ),
    ]
    if f:
        target = (
            f"全市目标 {money(f['city_target'])} · 预计完成 {_pc(f['expected_rate'])}"
            if f["city_target"] is not None
            else "未设置全市年度目标"
        )
        out.append(
            '  <a class="stat" id="card-forecast" href="#forecast">\n'
            f'    <div class="label">预计年底到位资金</div>\n'
            f'    <div class="value">{money(f["expected"])}</div>\n'
            f'    <div class="sub">{target}</div>\n  </a>\n'
        )
    stage_rows = "".join(
        f'          <tr><td><span class="dot stage-{r["stage"]}"></span> '
        f"{_link(r['query'], r['label'])}</td>\n"
        f'            <td class="num">{_link(r["query"], r["count"])}</td>'
        f'<td class="num">{money(r["investment"])}</td></tr>\n'
        for r in d["by_stage"]
    )
    funnel = "".join(
        f'      <li><span class="dot stage-{r["stage"]}"></span> '
        f"{_link(r['query'], r['label'] + f'及以上 <b>{r[COUNT]}</b>')} ({r['entered']})</li>\n"
        for r in d["stage_funnel"]
    )

    def chart(ident, title):
        return (
            f'  <div class="card chart-card">\n    <h2>{title}</h2>\n'
            f'    <div class="chart" id="chart-{ident}" role="img" aria-label="{title}"></div>\n'
        )

    mv = d["stage_movements"]
    out += [
        '</section>\n<section class="grid-2 dash-charts">\n',
        chart("stage", "各色卡阶段项目数与投资"),
        '    <div class="table-wrap">\n      <table id="table-stage">\n'
        '        <thead><tr><th>阶段</th><th class="num">项目数</th><th class="num">总投资</th>'
        f"</tr></thead>\n        <tbody>\n{stage_rows}</tbody>\n      </table>\n    </div>\n"
        "  </div>\n",
        chart("monthly", f"{year}年与{year - 1}年逐月到位资金") + "  </div>\n",
        chart("chain", "按产业链") + "  </div>\n",
        chart("place", "按建设地点") + "  </div>\n",
        chart("funnel", "年度色卡推进漏斗")
        + '    <p class="muted">年内在推进的项目截至期末达到各阶段（含以上）的个数；'
        f'括号内为年内新达到的。</p>\n    <ul class="moves">\n{funnel}</ul>\n  </div>\n',
        chart("units", "责任单位到位资金目标完成情况") + "  </div>\n</section>\n",
        f'<section class="card" id="movements">\n  <h2>{month}月色卡变动</h2>\n'
        f'  <ul class="moves">\n    <li>新增 <b>{mv["new"]}</b></li>\n'
        f'    <li>升级 <b class="up">{mv["upgrades"]}</b></li>\n'
        f'    <li>降级 <b class="down">{mv["downgrades"]}</b></li>\n'
        f"    <li>终止 <b>{mv['drops']}</b></li>\n    <li>恢复 <b>{mv['restores']}</b></li>\n"
        f"    <li>转入投产 <b>{mv['to_operating']}</b></li>\n  </ul>\n</section>\n",
        '<section class="card" id="scoreboard">\n  <h2>三亮：责任单位年度目标与序时进度</h2>\n'
        f'  <p class="muted">序时进度 {d["scope"]["time_progress"]}%'
        "（截至本月底应完成全年目标的比例）；"
        "落后10—30个百分点黄色提示，落后30个百分点以上红色提示。按责任单位全部项目统计。</p>\n",
    ]
    if d["unit_scoreboard"]:
        heads = '<th>排名</th><th>责任单位</th><th class="num">到位资金目标</th>'
        heads += '<th class="num">已到位</th><th class="num">完成率</th>'
        heads += '<th class="num">落后序时进度</th><th>提示</th>'
        heads += '<th class="num">签约（实际/目标）</th><th class="num">开工（实际/目标）</th>'
        body = []
        for r in d["unit_scoreboard"]:
            behind = r["behind_points"]
            if behind is None:
                behind = "—"
            elif behind < 0:
                behind = f'<span class="up">超前 {str(behind).lstrip("-")}</span>'
            mark = {"red": '<span class="badge danger">红色提示</span>'}.get(r["mark"], "")
            if r["mark"] == "yellow":
                mark = '<span class="badge warn">黄色提示</span>'
            body.append(
                f'        <tr class="mark-{r["mark"] or "none"}">\n'
                f"          <td>{r['rank'] or '—'}</td>\n"
                f"          <td>{_link(r['query'], escape(r['name']))}</td>\n"
                f'          <td class="num">{money(r["target_funds"])}</td>\n'
                f'          <td class="num">{money(r["actual_funds"])}</td>\n'
                f'          <td class="num">{_pc(r["completion"])}</td>\n'
                f'          <td class="num">{behind}</td>\n          <td>{mark}</td>\n'
                f'          <td class="num">{_link(r["signings_query"], r["actual_signings"])} / '
                f"{r['target_signings']}</td>\n"
                f'          <td class="num">{_link(r["starts_query"], r["actual_starts"])} / '
                f"{r['target_starts']}</td>\n        </tr>\n"
            )
        out.append(
            f'  <div class="table-wrap">\n    <table>\n      <thead><tr>{heads}</tr></thead>\n'
            f"      <tbody>{''.join(body)}</tbody>\n    </table>\n  </div>\n"
        )
    out.append("</section>\n")
    if f:
        rows_f = "".join(
            f'        <tr><td><span class="dot stage-{s["stage"]}"></span> {s["label"]}</td>'
            f'<td class="num">{money(s["pipeline"])}</td><td class="num">{s["weight"]}</td>'
            f'<td class="num">{money(s["weighted"])}</td></tr>\n'
            for s in f["stages"]
        )
        out.append(
            '<section class="card" id="forecast">\n  <h2>年底到位资金预测</h2>\n'
            f"  <p>已到位 {money(f['actual'])} + 在推进项目按阶段加权 "
            f"{money(f['weighted_pipeline'])} = 预计 {money(f['expected'])}</p>\n"
            '  <div class="table-wrap">\n    <table>\n      <thead><tr><th>阶段</th>'
            '<th class="num">待到位投资</th><th class="num">权重</th><th class="num">加权</th>'
            f"</tr></thead>\n      <tbody>{rows_f}</tbody>\n    </table>\n  </div>\n</section>\n"
        )

    def listing(ident, title, items) -> str:
        lis = "".join(f"      <li>{item}</li>\n" for item in items)
        return (
            f'  <div class="card" id="attention-{ident}">\n    <h2>{title}</h2>\n'
            f"    <ul>\n{lis or NONE}    </ul>\n  </div>\n"
        )

    def project(p) -> str:
        return f'<a href="/projects/{p["project_id"]}/">{escape(p["project_name"])}</a>'

    t, qs = a["totals"], a["queries"]
    out += [
        '<section class="grid-2 attention" aria-label="需关注事项">\n',
        listing(
            "overdue",
            f'逾期未解决问题 <a href="/projects/problems/?{qs["overdue_problems"]}">'
            f"全部 {t['overdue_problems']} 个</a>",
            [
                f"{project(p)}：{p['category']} · {escape(p['unit'])} · "
                f'<span class="down">逾期{p["days_overdue"]}天</span>'
                for p in a["overdue_problems"]
            ],
        ),
        listing(
            "flagged",
            f"预警项目 {_link(qs['flagged_projects'], all_of(t['flagged_projects']))}",
            [
                f"{project(p)} {badge(p['stage'])} "
                + "".join(f'<span class="badge warn">{flag}</span> ' for flag in p["flags"])
                for p in a["flagged_projects"]
            ],
        ),
        listing(
            "four-one",
            f"“四个一”不全的重点项目 "
            f"{_link(qs['four_one_missing'], all_of(t['four_one_missing']))}",
            [
                f"{project(p)} · {escape(p['unit'])} · 缺"
                + "、".join(x["label"] for x in p["missing"])
                for p in a["four_one_missing"]
            ],
        ),
        listing(
            "changed",
            f"{month}月色卡变动的项目",
            [
                f"{project(c)}\n        {badge(c['from_stage'])} → {badge(c['to_stage'])}\n"
                f'        <span class="{KIND_CLASS.get(c["kind"], "")}">{c["kind_label"]}</span>\n'
                f'        <span class="muted">{c["changed_at"][:10]}'
                f"{' · ' + escape(c['reason'][:40]) if c['reason'] else ''}</span>"
                for c in a["changed_this_month"]
            ],
        ),
        "</section>\n"
        '<section class="card" id="breakdowns">\n  <h2>分类统计</h2>\n'
        '  <p class="muted">项目数和总投资为当前在库项目（不含终止），'
        "到位资金为本年截至期末累计。</p>\n"
        '  <div class="dash-breakdowns">\n',
        _breakdown("产业链", "table-chain", d["by_chain"]),
        _breakdown("建设地点", "table-place", d["by_place"]),
        _breakdown("责任单位", "table-unit", d["by_unit"]),
        _breakdown("包抓市级领导", "table-leader", d["by_leader"]),
        "  </div>\n</section>\n",
    ]
    # What the charts draw (dashboard.views.CHART_KEYS), as Django's json_script writes it.
    charts = {**d, "list_url": LIST}
    script = json.dumps({key: charts[key] for key in CHART_KEYS}, default=str)
    script = script.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
    out += [f'<script id="dash-data" type="application/json">{script}</script>\n', DASH_TEXT]
    path = f"/dashboard/?year={year}&month={month}"
    return page("领导驾驶舱", "".join(out), path=path, active="/dashboard/", scripts=SCRIPTS)


KIND_CLASS = {"upgrade": "up", "downgrade": "down", "drop": "down"}
NONE = '      <li class="muted">无</li>\n'
COUNT = "count"


def all_of(n) -> str:
    return f"全部 {n} 个"


def dashboard_page(conn, year: int, month: int) -> bytes:
    with conn.cursor() as cur:
        rows = dashboard_data(cur, year, month)
    return page_write(figures(rows, year, month), rows, year, month)
