"""The report as a PDF, for phones and group chats: dispatch.document laid out by an HTML
template (templates/dispatch/report_document.html) and printed by WeasyPrint.

WeasyPrint rather than LibreOffice: it installs with pip (its only system libraries, pango and
fontconfig, are plain Debian packages), runs in-process in well under a second per report with
no office suite or profile directory to manage, and embeds the subset of the CJK font it
uses. The template's CSS carries the same page rules as the .docx (A4, 公文 margins, rows
kept whole, header rows repeated, landscape pages for wide tables, "— 1 —" page numbers).
"""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from dispatch.corrections import describe
from dispatch.document import LANDSCAPE_HALFWIDTHS, PORTRAIT_HALFWIDTHS, document, fitted_widths


def _with_percents(blocks: list[dict], landscape: bool) -> None:
    capacity = LANDSCAPE_HALFWIDTHS if landscape else PORTRAIT_HALFWIDTHS
    for block in blocks:
        if block["type"] == "table":
            block["percents"] = [f"{f * 100:.2f}" for f in fitted_widths(block, capacity)]


def report_html(report) -> str:
    doc = document(report)
    for part in doc["sections"] + doc["annexes"]:
        _with_percents(part["blocks"], part["landscape"])
    for annex in doc["annexes"]:
        annex["number"], annex["name"] = annex["title"].split("　", 1)
    corrections = [describe(c) for c in doc["correction"]["changes"]] if doc["correction"] else []
    return render_to_string(
        "dispatch/report_document.html", {"doc": doc, "corrections": corrections}
    )


STYLESHEET = Path(settings.BASE_DIR) / "templates" / "dispatch" / "report_document.css"


def report_pdf(report) -> bytes:
    # Imported here: loading pango takes a moment that the web workers need not pay up front.
    from weasyprint import CSS, HTML

    return HTML(string=report_html(report)).write_pdf(stylesheets=[CSS(filename=STYLESHEET)])
