"""Spreadsheet cells that hold what people typed.

openpyxl stores any string that starts with "=" as a formula, so a project named
`=HYPERLINK(...)` or a narrative `=1+2` would run in the leader's Excel. Every writer passes
user text through `safe_text`: such a string becomes a one-run rich-text value, which openpyxl
writes as an inline string (Excel shows the characters, evaluates nothing, adds no visible
quote), and reads back as the same plain string.
"""

from openpyxl.cell.rich_text import CellRichText

# What Excel, LibreOffice and WPS may read as the start of a formula or a DDE call.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value):
    """`value` as a cell value that is never a formula (non-strings pass unchanged)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return CellRichText(value)
    return value
