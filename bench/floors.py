"""Raw-SQL floors: the same numbers or rows as each page, computed directly with psycopg.

A floor is what the database alone needs; the ratio page/floor is the framework's overhead
(ORM, templates, serialisation). Each function takes an open psycopg connection and returns
its rows so that nothing is optimised away.
"""

import datetime


def dashboard(conn, year: int, month: int):
    """The dashboard's figures for a closed month, as of its end: the card from the month-end
    rows (projects.month_ends, built by the page's first request), the year's start from
    December's, funds from the progress rows."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, month, 1)
    prev_start, prev_end = datetime.date(year - 1, 1, 1), datetime.date(year - 1, month, 1)
    year_began = datetime.date(year - 1, 12, 1)
    recent = datetime.date(year - 1, 1, 1)
    as_of = """FROM projects_project p
               JOIN projects_monthend me ON me.project_id = p.id AND me.month = %s
               LEFT JOIN projects_monthend b ON b.project_id = p.id AND b.month = %s"""
    with conn.cursor() as cur:
        out = []
        cur.execute(
            "SELECT stage, count(*), sum(total_investment) FROM projects_monthend "
            "WHERE month = %s GROUP BY stage",
            (end,),
        )
        out.append(cur.fetchall())
        cur.execute(
            """SELECT sum(funds_in_place) FILTER (WHERE month BETWEEN %s AND %s),
                      sum(funds_in_place) FILTER (WHERE month BETWEEN %s AND %s),
                      sum(investment_completed) FILTER (WHERE month BETWEEN %s AND %s),
                      count(*) FILTER (WHERE month BETWEEN %s AND %s)
               FROM projects_monthlyprogress WHERE month BETWEEN %s AND %s""",
            (start, end, prev_start, prev_end, start, end, prev_start, prev_end, prev_start, end),
        )
        out.append(cur.fetchall())
        cur.execute(
            """SELECT extract(year FROM month), extract(month FROM month), sum(funds_in_place)
               FROM projects_monthlyprogress WHERE month >= %s AND month < %s GROUP BY 1, 2""",
            (prev_start, datetime.date(year + 1, 1, 1)),
        )
        out.append(cur.fetchall())
        cur.execute(
            """SELECT sum(coalesce(p.contracted_investment, p.total_investment)),
                      (SELECT sum(m.funds_in_place)
                 FROM projects_monthlyprogress m JOIN projects_project q ON q.id = m.project_id
                 WHERE q.signed_on BETWEEN %s AND %s AND m.month BETWEEN %s AND %s)
               FROM projects_project p WHERE p.signed_on BETWEEN %s AND %s""",
            (recent, end, recent, end, recent, end),
        )
        out.append(cur.fetchall())
        in_play = "(b.stage IS NULL OR b.stage NOT IN ('dropped', 'operating'))"
        cur.execute(
            f"""SELECT count(*) FILTER (WHERE p.signed_on <= %s),
                       count(*) FILTER (WHERE p.signed_on <= %s AND me.total_investment > 5000),
                       count(*) FILTER (WHERE p.signed_on <= %s AND me.total_investment > 5000
                                         AND p.started_on <= %s),
                       count(*) FILTER (WHERE me.reached >= 0),
                       count(*) FILTER (WHERE me.reached >= 1),
                       count(*) FILTER (WHERE me.reached >= 2),
                       count(*) FILTER (WHERE me.reached >= 3)
                {as_of} WHERE {in_play}""",
            (end, end, end, end, end, year_began),
        )
        out.append(cur.fetchall())
        for column in ("chain_id", "place_id", "unit_id", "leader_id"):
            cur.execute(
                f"""SELECT p.{column}, me.stage, count(*), sum(me.total_investment)
                    {as_of} GROUP BY p.{column}, me.stage""",
                (end, year_began),
            )
            out.append(cur.fetchall())
            cur.execute(
                f"""SELECT p.{column}, sum(m.funds_in_place) FROM projects_monthlyprogress m
                    JOIN projects_project p ON p.id = m.project_id
                    WHERE m.month BETWEEN %s AND %s GROUP BY p.{column}""",
                (start, end),
            )
            out.append(cur.fetchall())
        cur.execute(
            """SELECT s.project_id, s.from_stage, s.to_stage, s.changed_at, p.name
               FROM projects_stagechange s JOIN projects_project p ON p.id = s.project_id
               WHERE s.changed_at >= %s ORDER BY s.changed_at DESC LIMIT 10""",
            (end,),
        )
        out.append(cur.fetchall())
        cur.execute(
            """SELECT pr.id, p.name, pr.deadline FROM projects_problem pr
               JOIN projects_project p ON p.id = pr.project_id
               WHERE pr.status = 'open' AND pr.deadline < now() ORDER BY pr.deadline LIMIT 10"""
        )
        out.append(cur.fetchall())
        return out


def project_list(conn, stage: str, chain_id: int, limit: int = 50):
    with conn.cursor() as cur:
        cur.execute(
            """SELECT count(*), sum(total_investment) FROM projects_project
               WHERE stage = %s AND chain_id = %s""",
            (stage, chain_id),
        )
        totals = cur.fetchall()
        cur.execute(
            """SELECT p.id, p.code, p.name, e.name, p.total_investment, p.stage, c.name, pl.name,
                      u.name, l.full_name, p.staleness,
                      EXISTS (SELECT 1 FROM projects_problem pr WHERE pr.project_id = p.id
                              AND pr.status = 'open' AND pr.deadline < now()),
                      EXISTS (SELECT 1 FROM projects_project_team t WHERE t.project_id = p.id)
               FROM projects_project p
               JOIN projects_enterprise e ON e.id = p.investor_id
               LEFT JOIN chains_industrychain c ON c.id = p.chain_id
               JOIN org_place pl ON pl.id = p.place_id
               JOIN org_unit u ON u.id = p.unit_id
               LEFT JOIN org_user l ON l.id = p.leader_id
               WHERE p.stage = %s AND p.chain_id = %s
               ORDER BY p.total_investment DESC, p.id LIMIT %s""",
            (stage, chain_id, limit),
        )
        return totals, cur.fetchall()


def board(conn, per_column: int = 60):
    with conn.cursor() as cur:
        cur.execute(
            "SELECT stage, count(*), sum(total_investment) FROM projects_project GROUP BY stage"
        )
        totals = cur.fetchall()
        cur.execute(
            """SELECT * FROM (SELECT p.id, p.name, e.name, p.total_investment, p.stage,
                      row_number() OVER (PARTITION BY p.stage ORDER BY p.total_investment DESC) r
                 FROM projects_project p JOIN projects_enterprise e ON e.id = p.investor_id
                 WHERE p.stage IN ('red', 'orange', 'blue', 'green')) x WHERE r <= %s""",
            (per_column,),
        )
        return totals, cur.fetchall()


def project_page(conn, pk: int):
    with conn.cursor() as cur:
        out = []
        cur.execute(
            """SELECT p.*, e.name, pl.name, u.name FROM projects_project p
               JOIN projects_enterprise e ON e.id = p.investor_id
               JOIN org_place pl ON pl.id = p.place_id JOIN org_unit u ON u.id = p.unit_id
               WHERE p.id = %s""",
            (pk,),
        )
        out.append(cur.fetchall())
        cur.execute(
            """SELECT month, investment_completed, funds_in_place,
                      sum(funds_in_place) OVER (PARTITION BY extract(year FROM month)
                                                ORDER BY month),
                      sum(funds_in_place) OVER (ORDER BY month)
               FROM projects_monthlyprogress WHERE project_id = %s ORDER BY month DESC""",
            (pk,),
        )
        out.append(cur.fetchall())
        for sql in (
            "SELECT * FROM projects_stagechange WHERE project_id = %s ORDER BY changed_at",
            "SELECT * FROM projects_problem WHERE project_id = %s",
            "SELECT * FROM projects_instruction WHERE project_id = %s",
            "SELECT * FROM projects_project_team WHERE project_id = %s",
        ):
            cur.execute(sql, (pk,))
            out.append(cur.fetchall())
        return out


def chain_map(conn, chain_id: int):
    with conn.cursor() as cur:
        cur.execute(
            'SELECT * FROM chains_chainlink WHERE chain_id = %s ORDER BY "order"', (chain_id,)
        )
        links = cur.fetchall()
        cur.execute(
            """SELECT p.chain_link_id, p.id, p.name, p.stage, p.total_investment
               FROM projects_project p WHERE p.chain_id = %s AND p.stage <> 'dropped'""",
            (chain_id,),
        )
        projects = cur.fetchall()
        cur.execute(
            """SELECT le.chainlink_id, e.name FROM chains_chainlink_enterprises le
               JOIN projects_enterprise e ON e.id = le.enterprise_id
               JOIN chains_chainlink l ON l.id = le.chainlink_id WHERE l.chain_id = %s""",
            (chain_id,),
        )
        return links, projects, cur.fetchall()


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
