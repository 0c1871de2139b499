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


def test_the_parts_of_a_ke_hoach_in_order(doc):
    assert headings(doc.body) == [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. MỤC TIÊU, CHỈ TIÊU",
        "III. NHIỆM VỤ, GIẢI PHÁP",
        "IV. KINH PHÍ THỰC HIỆN",
        "V. TỔ CHỨC THỰC HIỆN",
        "VI. ĐIỀU CHỈNH THEO SẮP XẾP ĐƠN VỊ HÀNH CHÍNH",
    ]
    assert doc.header.issuing_body == "TỈNH BẮC GIANG" and doc.header.number_line == "Số: …/KH-UBND"
    assert doc.draft, "the body shows illustrative figures: the default plan is a draft"
    assert doc.appendices and doc.signature.authority_line == "TM. ỦY BAN NHÂN DÂN"


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
    adjusted = docfind.table(page, caption="Các đợt sau khi sắp xếp đơn vị hành chính")
    rows = {(r[0], r[1]): r for r in adjusted.rows}
    assert rows[("Đợt 1", "Cấp tỉnh")][adjusted.column("Cơ quan chủ trì tại thời hạn")] == "UBND tỉnh Bắc Ninh"
    assert rows[("Đợt 1", "Cấp tỉnh")][adjusted.column("Công nhận kết quả")] == "UBND tỉnh công nhận 3 sao và 4 sao"
    assert (
        rows[("Đợt 2", "Cấp huyện")][adjusted.column("Công nhận kết quả")] == "Cấp này không còn tổ chức tại thời hạn"
    )


def test_the_decisions_are_not_in_the_plan_but_in_its_submission(doc, page):
    """The options and the recommendation go to the Tờ trình (document.submission), not to the plan."""
    assert not doc.proposals
    assert "ĐỀ XUẤT, KIẾN NGHỊ" not in page and "Các phương án phân bổ" not in page


def test_a_later_as_of_date_makes_it_the_successors_adjusted_plan(results):
    later = compute.compute(results.plan, Params({**FAST, "as_of": dt.date(2025, 8, 1)}))
    doc = plan_document.compose(later)
    assert doc.header.issuing_body == "TỈNH BẮC NINH"
    assert "Bắc Giang" in doc.summary


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


def test_a_round_in_the_days_the_data_leave_unclear_is_marked_uncertain(plan_copy):
    """Between 1/7/2025 (no districts) and 6/7/2025 (QĐ 1489) the rules in force still give 3★ to a
    level that no longer exists: a round due then is marked, not silently assigned."""
    text = (plan_copy / "plan.yaml").read_text(encoding="utf-8").replace("deadline: 2025-07-10", "deadline: 2025-07-03")
    (plan_copy / "plan.yaml").write_text(text, encoding="utf-8")
    r = compute.compute(loading.load_plan(plan_copy), Params(FAST))
    page = render_html.render_html(plan_document.compose(r))
    adjusted = docfind.table(page, caption="Các đợt sau khi sắp xếp đơn vị hành chính")
    rows = {(row[0], row[1]): row for row in adjusted.rows}
    assert rows[("Đợt 1", "Cấp tỉnh")][adjusted.column("Ghi chú")] == "Chưa rõ theo dữ liệu"
    assert rows[("Đợt 2", "Cấp tỉnh")][adjusted.column("Ghi chú")] == ""
