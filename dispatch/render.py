"""The report's faces, drawn from its frozen snapshot only: the web page's layout (here), the
.docx 公文 (render_docx), the .xlsx workbook (render_xlsx) and the PDF (render_pdf).

The .docx and the PDF both lay out dispatch.document, so they read the same; this module is
the one name the views, the API and the commands import.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from dispatch.document import NUMERIC_KINDS, cell_kind, chinese_number
from dispatch.render_docx import report_docx
from dispatch.render_pdf import report_pdf
from dispatch.render_xlsx import report_xlsx

__all__ = ["download_name", "layout", "report_docx", "report_pdf", "report_xlsx"]


# The web page keeps two decimals on every amount (a screen aligns them; the documents trim
# whole amounts).
def fmt(value, kind: str) -> str:
    if value is None or value == "":
        return "—" if kind in NUMERIC_KINDS else ""
    if kind == "money":
        return f"{Decimal(value):,.2f}"
    if kind == "pct":
        return f"{Decimal(value):.2f}"
    if kind == "int":
        return f"{int(value):,}"
    return str(value)


def _cells(columns: list[dict], row: dict) -> list[dict]:
    cells = []
    for column in columns:
        kind = cell_kind(column, row)
        cells.append(
            {
                "text": fmt(row.get(column["key"]), kind),
                "value": row.get(column["key"]),
                "kind": kind,
                "numeric": kind in NUMERIC_KINDS,
            }
        )
    return cells


def layout(snapshot: dict) -> list[dict]:
    """Numbered sections, each with its paragraphs and formatted tables (表1, 表2 …)."""
    tables = snapshot["tables"]
    counter = 0

    def prepared(key: str) -> dict:
        nonlocal counter
        counter += 1
        t = tables[key]
        return {
            "key": key,
            "number": counter,
            "caption": _("表%(n)d  %(title)s") % {"n": counter, "title": t["title"]},
            "title": t["title"],
            "columns": t["columns"],
            "rows": [_cells(t["columns"], row) for row in t["rows"]],
            "total": _cells(t["columns"], t["total"]) if t.get("total") else None,
        }

    result = []
    for i, section in enumerate(snapshot["sections"], start=1):
        result.append(
            {
                "number": f"{chinese_number(i)}、",
                "heading": section["heading"],
                "paragraphs": section.get("paragraphs", []),
                "tables": [prepared(key) for key in section.get("tables", [])],
                "subsections": [
                    {
                        "number": f"（{chinese_number(j)}）",
                        "heading": sub["heading"],
                        "tables": [prepared(key) for key in sub.get("tables", [])],
                    }
                    for j, sub in enumerate(section.get("subsections", []), start=1)
                ],
            }
        )
    return result


def download_name(report, extension: str) -> str:
    return f"{report.snapshot['title']}-v{report.version}.{extension}"
