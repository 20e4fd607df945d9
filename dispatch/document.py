"""The monthly report as a 公文 (调度通报), in reading order, drawn from its frozen snapshot.

`document(report)` returns the letterhead, the 主送, the numbered sections (paragraphs and
tables), the annexes, the 落款 and the 版记 as plain data; the .docx and the PDF both lay out
exactly this, so they never read differently. The briefing (`snapshot["briefing"]`, see
dispatch.briefing) adds the leaders' first page, the named lists and the narratives; a
snapshot without it still makes a complete document from its tables.

Units: amounts are kept in 万元. A table states its one unit in its caption (单位：万元) and
prints whole amounts without ".00"; sentences say 亿元 from 1亿 up. Projects are counted in 个.
"""

import datetime
import re
from decimal import Decimal

from django.utils.translation import gettext as _

from dispatch.corrections import snapshot_diff
from dispatch.models import Report, ReportSettings
from jinchang.formats import YI

NUMERALS = "一二三四五六七八九十"
# "figure" is a number already formatted by its row's own kind (the headline's values).
NUMERIC_KINDS = {"int", "money", "pct", "figure"}
FIXED_KINDS = NUMERIC_KINDS | {"date"}
# Worst first: the order of the warning list and the weight of each flag in it.
FLAG_SEVERITY = ["建议终止", "三个月无进展", "问题逾期", "两个月无进展", "四个一不全"]
# Text width an A4 page holds at 五号 in half-width characters (15.6 / 23.5 cm of text).
# Each cell's margins take about a character and a half of that.
PORTRAIT_HALFWIDTHS = 84
LANDSCAPE_HALFWIDTHS = 126
CELL_PADDING = 3
# A text column may wrap down to this many half-width characters (four CJK characters).
MIN_TEXT_HALFWIDTHS = 8


ISO_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


# --- formatting ----------------------------------------------------------------------------


def chinese_number(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def chinese_date(day) -> str:
    """2026-02-10 as 2026年2月10日, as a document is dated."""
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day[:10])
    return f"{day.year}年{day.month}月{day.day}日"


def _trim(amount: Decimal, places: int = 2, grouping: str = ",") -> str:
    """1,234 for a whole amount, 1,234.5 / 1,234.56 otherwise."""
    text = f"{amount:{grouping}.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt(value, kind: str) -> str:
    """A table cell's text: whole amounts without ".00", percentages with two decimals."""
    if value is None or value == "":
        return "—" if kind in NUMERIC_KINDS else ""
    if kind == "money":
        return _trim(Decimal(value))
    if kind == "pct":
        return f"{Decimal(value):.2f}"
    if kind == "int":
        return f"{int(value):,}"
    return str(value)


def amount_text(value) -> str:
    """An amount in a sentence: 2100万元, 1.53亿元."""
    if value is None:
        return "—"
    amount = Decimal(value)
    # Sentences write figures without thousands separators (2100万元), as the office does.
    if abs(amount) >= YI:
        return _trim(amount / YI, grouping="") + "亿元"
    return _trim(amount, grouping="") + "万元"


def pct_text(value) -> str:
    return "—" if value is None else _trim(Decimal(value), grouping="") + "%"


def text_width(text: str) -> int:
    """Printed width in half-width characters: a CJK character takes two."""
    return sum(1 if ord(ch) < 0x2E80 else 2 for ch in str(text))


def cell_kind(column: dict, row: dict) -> str:
    """A column's kind; the headline's value column takes each row's own kind."""
    return row.get("kind", "text") if column["kind"] == "number" else column["kind"]


# --- tables --------------------------------------------------------------------------------


def _widths(labels: list[str], kinds: list[str], rows: list[list[str]]) -> list[int]:
    """Each column's natural width in half-width characters: its longest cell, and its
    header on one line (two for a long one), so a name column is wide and a count narrow."""
    widths = []
    for i, (label, kind) in enumerate(zip(labels, kinds, strict=True)):
        longest = max([text_width(row[i]) for row in rows] or [0])
        if kind in NUMERIC_KINDS:
            # Digits of the CJK fonts' Latin part run wider than half a character, and a
            # bold total wider still: an amount must never wrap.
            longest = -(-longest * 6 // 5)
        header = text_width(label)
        if header > 12:
            header = (header + 1) // 2
        cap = 40 if kind not in FIXED_KINDS else 16
        widths.append(max(4, min(cap, max(longest, header))) + CELL_PADDING)
    return widths


def make_table(caption: str, columns: list[tuple[str, str]], rows: list[list], **options) -> dict:
    """A table block: `columns` [(label, kind)], `rows` raw values; `total` a raw row.

    `unit` (万元 by default when a column holds amounts) goes in the caption; `widths` are
    relative (half-width characters) and `wide` says a portrait page cannot hold it.
    """
    labels = [label for label, _kind in columns]
    kinds = [kind for _label, kind in columns]
    total = options.get("total")
    unit = options.get("unit", "万元" if "money" in kinds else "")

    def cells(raw: list) -> list[dict]:
        return [
            {"text": fmt(value, kind), "numeric": kind in NUMERIC_KINDS}
            for value, kind in zip(raw, kinds, strict=True)
        ]

    body = [cells(r) for r in rows]
    total_cells = cells(total) if total else None
    texts = [[c["text"] for c in r] for r in body + ([total_cells] if total_cells else [])]
    widths = _widths(labels, kinds, texts)
    narrowest = [
        w if k in FIXED_KINDS else min(w, MIN_TEXT_HALFWIDTHS + CELL_PADDING)
        for w, k in zip(widths, kinds, strict=True)
    ]
    return {
        "type": "table",
        "caption": caption,
        "unit": unit,
        # A fixed column (a number, a date) keeps its width when the table must shrink.
        "columns": [
            {"label": lab, "numeric": k in NUMERIC_KINDS, "fixed": k in FIXED_KINDS}
            for lab, k in columns
        ],
        "rows": body,
        "total": total_cells,
        "widths": widths,
        "wide": sum(narrowest) > PORTRAIT_HALFWIDTHS,
        "empty": options.get("empty", _("（无）")),
    }


def _strip_unit(label: str) -> str:
    return label.replace("（万元）", "")


def snapshot_table(caption: str, t: dict) -> dict:
    """A stored table as a block: money columns lose their （万元）, the caption says it once."""
    columns = [(_strip_unit(c["label"]), c["kind"]) for c in t["columns"]]
    if any(c["kind"] == "number" for c in t["columns"]):
        # The headline: each row's own kind and unit (the 单位 column says it).
        rows = [
            [
                fmt(r.get(c["key"]), cell_kind(c, r)) if c["kind"] == "number" else r.get(c["key"])
                for c in t["columns"]
            ]
            for r in t["rows"]
        ]
        columns = [(label, "figure" if kind == "number" else kind) for label, kind in columns]
        return make_table(caption, columns, rows, unit="")
    rows = [[r.get(c["key"]) for c in t["columns"]] for r in t["rows"]]
    total = [t["total"].get(c["key"]) for c in t["columns"]] if t.get("total") else None
    columns = [
        (label, "date" if kind == "text" and _all_dates(row[i] for row in rows) else kind)
        for i, (label, kind) in enumerate(columns)
    ]
    return make_table(caption, columns, rows, total=total)


def _all_dates(values) -> bool:
    values = [v for v in values if v]
    return bool(values) and all(ISO_DATE.match(str(v)) for v in values)


# --- the document --------------------------------------------------------------------------


class _Numbering:
    """表1, 表2 … across the body and the annexes."""

    def __init__(self):
        self.n = 0

    def __call__(self, title: str) -> str:
        self.n += 1
        return _("表%(n)d　%(t)s") % {"n": self.n, "t": title}


def previous_snapshot(report) -> dict | None:
    """The snapshot of the version this one corrects: the latest finished earlier version."""
    earlier = (
        Report.objects.filter(
            month=report.month, version__lt=report.version, status=Report.Status.DONE
        )
        .order_by("-version")
        .values_list("version", "snapshot")
        .first()
    )
    return {"version": earlier[0], "snapshot": earlier[1]} if earlier else None


def title_lines(title: str) -> list[str]:
    """The title in two lines at the date, so it never breaks inside （2026年10月）."""
    head, sep, tail = title.partition("（")
    return [head, sep + tail] if sep else [title]


def document(report, *, letterhead: ReportSettings | None = None) -> dict:
    """The whole document of a finished report version (two queries: settings, previous)."""
    from dispatch import document_sections  # the sections, kept apart for length

    snapshot = report.snapshot
    letterhead = letterhead or ReportSettings.load()
    dated = report.document_date
    month = datetime.date.fromisoformat(snapshot["month"] + "-01")
    previous = previous_snapshot(report) if report.version > 1 else None
    correction = None
    if previous:
        correction = {
            "version": previous["version"],
            "changes": snapshot_diff(previous["snapshot"], snapshot),
        }
    number = _Numbering()
    sections, annexes = document_sections.sections(snapshot, month, number)
    return {
        "title": snapshot["title"],
        "title_lines": title_lines(snapshot["title"]),
        "month": snapshot["month"],
        "version": report.version,
        "letterhead": {
            "issuer": letterhead.issuer,
            "name": letterhead.document_name,
            "issue": _("%(y)d年第%(n)d期") % {"y": month.year, "n": report.issue_number},
            "date": chinese_date(dated),
        },
        "recipients": letterhead.main_recipients.strip().rstrip("：:") + "：",
        "correction": correction,
        "sections": sections,
        "annexes": annexes,
        "signature": {"issuer": letterhead.issuer, "date": chinese_date(dated)},
        "record": {
            "copy_to": letterhead.copy_to.strip(),
            "printer": letterhead.printer,
            "printed_on": chinese_date(dated),
        },
    }


def fitted_widths(block: dict, capacity: int) -> list[float]:
    """A table's column widths as fractions of the text width.

    Narrower than the page: every column grows in proportion. Wider: the text columns give
    way (never below four characters) before a number would wrap.
    """
    widths = [float(w) for w in block["widths"]]
    total = sum(widths)
    if total > capacity:
        numeric = [c["fixed"] for c in block["columns"]]
        fixed = sum(w for w, n in zip(widths, numeric, strict=True) if n)
        flexible = total - fixed
        room = max(capacity - fixed, 0)
        if flexible:
            widths = [
                w if n else max(MIN_TEXT_HALFWIDTHS + CELL_PADDING, w * room / flexible)
                for w, n in zip(widths, numeric, strict=True)
            ]
        total = sum(widths)
    return [w / total for w in widths]
