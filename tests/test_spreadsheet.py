"""User text in a spreadsheet cell is shown as typed and never runs as a formula."""

import io

import openpyxl
import pytest

from jinchang.spreadsheet import safe_text


@pytest.mark.parametrize("write_only", [False, True])
def test_a_formula_string_is_stored_as_text(write_only):
    book = openpyxl.Workbook(write_only=write_only)
    sheet = book.create_sheet() if write_only else book.active
    sheet.append([safe_text('=HYPERLINK("http://x.example/","点我")'), safe_text("@SUM(1)"), 5])
    buffer = io.BytesIO()
    book.save(buffer)

    cells = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active[1]

    assert [c.value for c in cells] == ['=HYPERLINK("http://x.example/","点我")', "@SUM(1)", 5]
    assert [c.data_type for c in cells] == ["s", "s", "n"]


def test_plain_text_and_numbers_pass_unchanged():
    assert safe_text("金川集团") == "金川集团"
    assert safe_text(12.5) == 12.5
    assert safe_text(None) is None
