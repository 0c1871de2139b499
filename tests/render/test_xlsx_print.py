"""The annex of the default plan as printed for leadership: Times New Roman everywhere, the
"(Kèm theo Kế hoạch số …)" line the plan document prints on top of every sheet, no research source
codes, no empty column, past to-do dates marked overdue, no invented names of people or firms."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import openpyxl
import pandas as pd
import pytest

from ocop_helpers.document import annex, official, plan_document, registry
from ocop_helpers.inputs import loading
from ocop_helpers.model import compute
from ocop_helpers.model.params import Params
from ocop_helpers.render import notebook, xlsx
from tests.support.plans import DEFAULT_PLAN


@pytest.fixture(scope="module")
def results():
    notebook.setup_notebook()
    return compute.compute(loading.load_plan(DEFAULT_PLAN), Params({"draws": 1000}))


@pytest.fixture(scope="module")
def book_path(results, tmp_path_factory):
    path = tmp_path_factory.mktemp("annex") / "annex.xlsx"
    return xlsx.write_annex(path, registry.annex_sheets(results), when=results.plan.issued_on)


@pytest.fixture(scope="module")
def book(book_path):
    return openpyxl.load_workbook(book_path)


def _cells(ws):
    return [c for row in ws.iter_rows(min_row=2) for c in row if c.value is not None]


def test_times_new_roman_in_every_font_style_and_the_theme(book_path, book):
    with zipfile.ZipFile(book_path) as z:
        for name in z.namelist():
            assert b"Calibri" not in z.read(name) and b"Cambria" not in z.read(name), name
        styles = z.read("xl/styles.xml").decode()
    fonts = re.findall(r"<font>.*?</font>|<font/>", styles)
    assert fonts and all('<name val="Times New Roman"/>' in f for f in fonts), fonts
    for ws in book.worksheets:
        assert {c.font.name for c in ws[1] + ws[2] if c.value is not None} == {"Times New Roman"}


def test_every_sheet_opens_with_the_line_the_plan_document_prints(results, book):
    doc = plan_document.compose(results)
    printed = official.frame(results.plan).attached_line(doc.draft, results.plan.status)
    assert printed.startswith("(Kèm theo Kế hoạch số ")
    for ws in book.worksheets:
        assert ws["A1"].value == printed, ws.title
        assert ws["A1"].font.i
        assert ws.freeze_panes == "A3" and ws.print_title_rows == "$2:$2"


def test_quotes_are_vietnamese_curly_quotes(book):
    assert not [c.value for ws in book.worksheets for c in _cells(ws) if "«" in str(c.value) or "»" in str(c.value)]


def test_no_source_code_in_any_cell(book):
    codes = [
        (ws.title, c.coordinate) for ws in book.worksheets for c in _cells(ws) if re.search(r"\[S\d+\]", str(c.value))
    ]
    assert not codes
    budget = book["Dự toán kinh phí"]
    notes = [r[3] for r in budget.iter_rows(min_row=3, values_only=True) if r[3]]
    assert any("20,9 tỷ đồng đã công bố" in n for n in notes)


def test_no_column_is_left_empty(book):
    for ws in book.worksheets:
        for j, head in enumerate(ws[2], start=1):
            values = [ws.cell(row=i, column=j).value for i in range(3, ws.max_row + 1)]
            assert any(v not in (None, "") for v in values) or ws.max_row == 2, (ws.title, head.value)
    assert "Năng lực" not in [c.value for c in book["Lịch đánh giá"][2]]


def test_to_do_dates_before_the_issue_date_are_shown_overdue(results, book):
    ws = book["Đánh giá lại"]
    head = [c.value for c in ws[2]]
    column = next(j for j, h in enumerate(head) if h.startswith("Thông báo chủ thể trước ngày"))
    values = [r[column] for r in ws.iter_rows(min_row=3, values_only=True)]
    issued = results.plan.issued_on
    overdue = [v for v in values if isinstance(v, str)]
    assert overdue and all(re.fullmatch(r"Quá hạn \(\d\d/\d\d/\d{4}\)", v) for v in overdue)
    assert all(v.date() >= issued for v in values if isinstance(v, dt.datetime))
    when = pd.Timestamp(results.reevaluation_schedule["notice_by"].min())
    assert f"Quá hạn ({when:%d/%m/%Y})" in overdue


def test_due_marks_only_dates_before_the_day():
    shown = annex.due(pd.Series(pd.to_datetime(["2024-12-15", "2025-01-01", None])), dt.date(2025, 1, 1))
    assert shown.tolist()[:2] == ["Quá hạn (15/12/2024)", pd.Timestamp("2025-01-01")] and shown.iloc[2] is None


def test_no_invented_name_of_a_person_household_or_company(results, book):
    plan = results.plan
    assert plan.provenance.get("organisations") == "illustrative"
    names = set(plan.organisations["organisation_name"])
    shown = {str(c.value) for ws in book.worksheets for c in _cells(ws)}
    assert not names & shown
    assert not any("Đỗ Hữu Hùng" in v or "Công ty TNHH" in v for v in shown)
    orgs = [c.value for c in book["Phân bổ theo tổ chức"][2]]
    assert "Mã tổ chức" in orgs and "Loại hình tổ chức" in orgs and "Tên tổ chức" not in orgs
    products = [c.value for c in book["Sản phẩm"][2]]
    assert "Tên sản phẩm" in products and "Mã tổ chức" in products  # real product names stay
    dated = [h for ws in book.worksheets for h in (c.value for c in ws[2]) if h and h.startswith("Ngày")]
    assert dated and all(h.endswith("(minh họa)") for h in dated), dated


def test_the_cover_says_the_scenario_in_words(book):
    cover = {r[0]: r[1] for r in book["Thông tin"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert cover["Kịch bản"].startswith("Mặc định") and "default" not in str(cover)
