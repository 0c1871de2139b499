"""The signable plan composed from one scenario's Results, checked on the document model itself."""

from __future__ import annotations

import datetime as dt

import pytest

from ocop_helpers.core import vnformat
from ocop_helpers.document import docmodel, plan_document
from ocop_helpers.inputs import loading
from ocop_helpers.model import compute
from ocop_helpers.model.params import Params
from ocop_helpers.render import html as render_html
from ocop_helpers.render import notebook
from tests.support import docfind
from tests.support.plans import DEFAULT_PLAN, DEMO_PLAN

FAST = {"draws": 1000}


@pytest.fixture(scope="module")
def results():
    notebook.setup_notebook()
    return compute.compute(loading.load_plan(DEFAULT_PLAN), Params(FAST))


@pytest.fixture(scope="module")
def doc(results):
    return plan_document.compose(results)


@pytest.fixture(scope="module")
def page(doc):
    return render_html.render_html(doc)


def headings(blocks) -> list[str]:
    return [b.label for b in blocks if isinstance(b, docmodel.Heading) and b.level == 1]


def test_the_parts_of_a_ke_hoach_in_order(doc, results):
    assert headings(doc.body) == [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. MỤC TIÊU, CHỈ TIÊU",
        "III. NHIỆM VỤ, GIẢI PHÁP",
        "IV. KINH PHÍ THỰC HIỆN",
        "V. TỔ CHỨC THỰC HIỆN",
    ]  # the adjustment after the July-2025 reorganisation is the successor's own document
    assert doc.header.issuing_body == "TỈNH BẮC GIANG" and doc.header.number_line == "Số: …/KH-UBND"
    assert doc.draft, "the body shows illustrative figures: the default plan is a draft"
    assert doc.signature.authority_line == "TM. ỦY BAN NHÂN DÂN"
    # The analysis is no appendix of the signed plan: it is its own unsigned file.
    assert not doc.appendices
    analysis = plan_document.compose_analysis(results)
    assert not analysis.signed and headings(analysis.body)[0] == "I. SỐ LIỆU PHÂN TÍCH"


def test_illustrative_detail_is_never_unmarked(doc):
    for b in doc.all_blocks():
        about_organisations = ("tổ chức kinh tế", "hỗ trợ đủ", "tên tổ chức", "không được hỗ trợ")
        if isinstance(b, docmodel.Table) and any(w in c.header.lower() for c in b.columns for w in about_organisations):
            assert b.provenance == "illustrative", b.caption
    body_tables = [b for b in doc.body if isinstance(b, docmodel.Table)]
    assert any(t.provenance == "published" for t in body_tables)
    assert any(t.provenance == "illustrative" for t in body_tables)


def test_budget_lines_and_sources_sum_to_the_total(page, results):
    total = vnformat.money(results.plan.targets.budget_total_vnd)
    lines = docfind.table(page, caption="Kinh phí theo nội dung chi")
    sources = docfind.table(page, caption="Kinh phí theo nguồn")
    assert lines.cell("Tổng cộng", "Kinh phí") == total == sources.cell("Tổng cộng", "Kinh phí")
    assert int(results.budget_sources["amount_vnd"].sum()) == results.plan.targets.budget_total_vnd
    sentence = docfind.sentence(page, "Tổng kinh phí thực hiện Kế hoạch")
    assert f"khoảng {total}" in sentence, "the source gives the total as approximate"


def test_rounds_say_who_recognises_and_who_pays(page):
    issued = docfind.table(page, caption="Các đợt đánh giá, phân hạng sản phẩm OCOP")
    # As issued (early 2025, QĐ 148): districts recognise 3★ and pay its reward, the province 4★.
    by = {(r[0], r[1]): r for r in issued.rows}
    assert by[("Đợt 1", "Cấp huyện")][issued.column("Công nhận kết quả")] == "UBND cấp huyện công nhận 3 sao"
    assert by[("Đợt 1", "Cấp huyện")][issued.column("Ngân sách chi hỗ trợ sau công nhận")] == "Ngân sách cấp huyện"
    assert by[("Đợt 2", "Cấp tỉnh")][issued.column("Công nhận kết quả")] == "UBND tỉnh công nhận 4 sao"
    assert by[("Đợt 2", "Cấp huyện")][issued.column("Công nhận kết quả")] == "UBND cấp huyện công nhận 3 sao"


def test_the_decisions_are_not_in_the_plan_but_in_its_submission(doc, page):
    """The options and the recommendation go to the Tờ trình (document.submission), not to the plan."""
    assert not doc.proposals
    assert "ĐỀ XUẤT, KIẾN NGHỊ" not in page and "Các phương án phân bổ" not in page


def test_a_later_as_of_date_leaves_the_plan_as_issued(results):
    """The as-of date is the planner's view; the plan still speaks as of its issue date (the
    successor's adjusted plan is document.adjustment)."""
    later = compute.compute(results.plan, Params({**FAST, "as_of": dt.date(2025, 8, 1)}))
    doc = plan_document.compose(later)
    assert doc.header.issuing_body == "TỈNH BẮC GIANG"
    assert doc.summary == "Triển khai Chương trình mỗi xã một sản phẩm (OCOP) năm 2025"


def test_other_provinces_compose_from_data_alone():
    for folder, params in (
        (DEMO_PLAN, {"plan_dir": str(DEMO_PLAN), "province": "demo", "year": 2027}),
        (DEFAULT_PLAN.parent.parent / "bac-ninh" / "2026", {}),
    ):
        plan = loading.load_plan(folder)
        doc = plan_document.compose(compute.compute(plan, Params({**FAST, **params})))
        assert headings(doc.body)[:5][-1] == "V. TỔ CHỨC THỰC HIỆN"
        page = render_html.render_html(doc)
        assert render_html.external_references(page) == []
