"""更正说明: the differences between two versions of a month (a pure function of the two
snapshots), and the second version's documents that print them."""

import io

import pytest
import time_machine
from docx import Document

from dispatch import render, services
from dispatch.corrections import describe, snapshot_diff
from projects.models import MonthlyProgress
from tests.dispatch_data import JANUARY, TODAY, build, correct


def snapshot(tables: dict) -> dict:
    return {"generated_at": "2026-02-10T10:00:00+08:00", "tables": tables}


def ranking(rows) -> dict:
    return {
        "title": "排名",
        "columns": [
            {"key": "name", "label": "责任单位", "kind": "text"},
            {"key": "funds", "label": "到位资金（万元）", "kind": "money"},
        ],
        "rows": [{"name": name, "funds": funds} for name, funds in rows],
        "total": None,
    }


def test_two_equal_snapshots_have_no_differences_whatever_their_generation_time():
    old = snapshot({"ranking": ranking([("甲", "100.00")])})
    new = {**snapshot({"ranking": ranking([("甲", "100")])}), "generated_at": "later"}

    assert snapshot_diff(old, new) == []


def test_it_lists_changed_added_and_removed_rows():
    old = snapshot({"ranking": ranking([("甲", "100.00"), ("乙", "50.00")])})
    new = snapshot({"ranking": ranking([("甲", "120.00"), ("丙", "10.00")])})

    changes = snapshot_diff(old, new)

    assert changes == [
        {
            "table": "排名",
            "kind": "changed",
            "row": "甲",
            "columns": [{"label": "到位资金（万元）", "old": "100.00", "new": "120.00"}],
        },
        {"table": "排名", "kind": "added", "row": "丙", "columns": []},
        {"table": "排名", "kind": "removed", "row": "乙", "columns": []},
    ]
    assert [describe(c) for c in changes] == [
        "“排名”中“甲”：到位资金（万元）由100更正为120。",
        "“排名”中“丙”为新增内容。",
        "“排名”中“乙”已删除。",
    ]


def test_rows_without_a_stable_name_are_compared_whole():
    moves = {
        "title": "色卡变动",
        "columns": [
            {"key": "project", "label": "项目名称", "kind": "text"},
            {"key": "to", "label": "新阶段", "kind": "text"},
        ],
        "total": None,
    }
    blue, green = {"project": "四号", "to": "蓝色"}, {"project": "四号", "to": "绿色"}
    old = snapshot({"moves": {**moves, "rows": [blue, blue]}})
    new = snapshot({"moves": {**moves, "rows": [blue, green]}})

    kinds = [(c["kind"], c["row"]) for c in snapshot_diff(old, new)]

    assert kinds == [("removed", "四号"), ("added", "四号")]


@pytest.mark.django_db
def test_a_second_version_prints_what_it_corrects(personas):
    with time_machine.travel(TODAY, tick=False):
        build(personas)
        services.report_generate_now(month=JANUARY)
        correct(
            MonthlyProgress.objects.filter(month=JANUARY, funds_in_place=600), funds_in_place=900
        )
        second = services.report_generate_now(month=JANUARY)

    document = Document(io.BytesIO(render.report_docx(second)))
    text = [p.text for p in document.paragraphs]

    assert "更正说明" in text
    start = text.index("更正说明")
    assert text[start + 1].startswith("本期为第2版，更正第1版的以下")
    assert "“主要指标”中“1月到位资金”：数值由2,100更正为2,400。" in "\n".join(text)
    assert document.core_properties.version == "2"


@pytest.mark.django_db
def test_a_first_version_has_no_correction_note(personas):
    with time_machine.travel(TODAY, tick=False):
        build(personas)
        first = services.report_generate_now(month=JANUARY)

    text = [p.text for p in Document(io.BytesIO(render.report_docx(first))).paragraphs]

    assert "更正说明" not in text


@pytest.mark.django_db
def test_drawing_a_version_reads_the_settings_and_at_most_the_previous_one(
    personas, django_assert_num_queries
):
    with time_machine.travel(TODAY, tick=False):
        build(personas)
        first = services.report_generate_now(month=JANUARY)
        second = services.report_generate_now(month=JANUARY)

    # The letterhead settings.
    with django_assert_num_queries(1):
        render.report_docx(first)
    # The letterhead settings, the previous version's snapshot.
    with django_assert_num_queries(2):
        render.report_docx(second)
    with django_assert_num_queries(2):
        render.report_pdf(second)
