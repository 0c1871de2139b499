"""The successor's adjusted plan (document.adjustment): its own date, frame, rounds, figures."""

from __future__ import annotations

import pytest

from ocop_helpers.document import docmodel
from ocop_helpers.document.adjustment import PARTS, ROUNDS_CAPTION, compose_adjustment
from ocop_helpers.inputs import loading
from ocop_helpers.model import compute
from ocop_helpers.model.figures import ledger_of
from ocop_helpers.model.params import Params
from ocop_helpers.render import html as render_html
from ocop_helpers.render import notebook
from tests.support import docfind
from tests.support.plans import DEFAULT_PLAN

FAST = {"draws": 500}


@pytest.fixture(scope="module")
def results():
    notebook.setup_notebook()
    return compute.compute(loading.load_plan(DEFAULT_PLAN), Params(FAST))


@pytest.fixture(scope="module")
def doc(results):
    return compose_adjustment(results)


@pytest.fixture(scope="module")
def page(doc):
    return render_html.render_html(doc)


def test_the_successor_issues_it_on_its_own_date(doc):
    assert doc.header.issuing_body == "TỈNH BẮC NINH" and doc.header.place_date.startswith("Bắc Ninh, ")
    assert doc.date == "2025-07-06" and doc.draft
    first = doc.body[0]
    assert isinstance(first, docmodel.Notice)
    assert "Dự thảo lập theo đơn vị hành chính và quy định có hiệu lực ngày 6/7/2025" in first.text
    assert [b.label for b in doc.body if isinstance(b, docmodel.Heading) and b.level == 1] == [
        f"{n}. {title}" for n, title in zip(("I", "II", "III", "IV"), PARTS, strict=True)
    ]
    assert doc.summary.startswith("Điều chỉnh Kế hoạch") and not doc.proposals and not doc.appendices


def test_its_legal_bases_are_those_in_force_on_its_date_and_cite_the_plan(doc):
    bases = " ".join(doc.legal_bases)
    assert "1489/QĐ-TTg" in bases and "67/2023/NQ-HĐND" not in bases  # the merged province's texts
    assert doc.legal_bases[-1].startswith("Căn cứ Kế hoạch số 15/KH-UBND của UBND tỉnh Bắc Giang")


def test_its_bodies_and_recipients_are_those_of_its_date(doc):
    headings = [b.text for b in doc.body if isinstance(b, docmodel.Heading) and b.level == 2]
    assert "Sở Nông nghiệp và Môi trường" in headings and "Ủy ban nhân dân các xã, phường" in headings
    assert "UBND các xã, phường" in doc.recipients and doc.signature.name == ""


def test_rounds_are_reassigned_to_the_levels_in_force_on_their_deadlines(page, results):
    led = ledger_of(results)
    t = docfind.table(page, caption=ROUNDS_CAPTION)
    rows = {(r[0], r[1]): r for r in t.rows}
    assert set(rows) == {("Đợt 1", "Cấp tỉnh"), ("Đợt 2", "Cấp huyện"), ("Đợt 2", "Cấp tỉnh")}
    assert rows[("Đợt 1", "Cấp tỉnh")][t.column("Cơ quan chủ trì")] == "UBND tỉnh Bắc Ninh"
    assert rows[("Đợt 1", "Cấp tỉnh")][t.column("Công nhận kết quả")] == "UBND tỉnh công nhận 3 sao và 4 sao"
    assert rows[("Đợt 2", "Cấp tỉnh")][t.column("Ngân sách chi hỗ trợ sau công nhận")] == "Ngân sách tỉnh"
    assert rows[("Đợt 2", "Cấp huyện")][t.column("Công nhận kết quả")].startswith("Không tổ chức")
    assert (
        rows[("Đợt 2", "Cấp tỉnh")][t.column("Sản phẩm dự kiến")] == led["adjustment.round.2.province.products"].shown
    )


def test_the_calendar_decision_is_its_chosen_arrangement_with_ledger_figures(page, results):
    led = ledger_of(results)
    decision = next(d for d in results.decisions if d.kind == "calendar")
    rerouted = decision.options.set_index("option").loc["rerouted"]
    assert led.value("adjustment.products_moved") == int(rerouted["products_moved"]) == 138
    assert led.value("adjustment.busiest_load") == int(rerouted["busiest_load"])
    assert led.value("adjustment.sessions_needed") == int(rerouted["sessions_needed"])
    assert led.value("adjustment.extra_sessions") == int(rerouted["extra_sessions"]) > 0
    said = docfind.sentence(page, "Phương án lựa chọn")
    assert f"bố trí thêm {led['adjustment.extra_sessions'].shown} phiên họp" in said
    moved = docfind.sentence(page, "Chuyển", "sản phẩm Kế hoạch xếp vào")
    assert led["adjustment.products_blocked"].shown in moved and "đợt 2 cấp tỉnh (hạn 30/10/2025)" in moved
    for fid in ("adjustment.products_blocked", "adjustment.sessions_needed", "adjustment.council_capacity"):
        assert f'data-fig="{fid}"' in page


def test_targets_are_carried_over_with_the_plans_own_figures(page, results):
    led = ledger_of(results)
    t = docfind.table(page, caption="Chỉ tiêu năm 2025 (giữ nguyên)")
    assert t.cell("Sản phẩm đánh giá, phân hạng", "Số lượng") == led["target.total"].shown == "323"
    for fid in ("target.total", "target.new", "target.reevaluation", "target.upgrade", "target.stock"):
        assert f'data-fig="{fid}"' in page


def test_a_round_in_the_days_the_data_leave_unclear_is_marked_uncertain(plan_copy):
    """Between 1/7/2025 (no districts) and 6/7/2025 (QĐ 1489) the rules in force still give 3★ to a
    level that no longer exists: a round due then is marked, not silently assigned; the draft is dated
    by the last change before it (1/7/2025)."""
    text = (plan_copy / "plan.yaml").read_text(encoding="utf-8").replace("deadline: 2025-07-10", "deadline: 2025-07-03")
    (plan_copy / "plan.yaml").write_text(text, encoding="utf-8")
    doc = compose_adjustment(compute.compute(loading.load_plan(plan_copy), Params(FAST)))
    assert doc.date == "2025-07-01" and "1489/QĐ-TTg" not in " ".join(doc.legal_bases)
    t = docfind.table(render_html.render_html(doc), caption=ROUNDS_CAPTION)
    rows = {(row[0], row[1]): row for row in t.rows}
    assert rows[("Đợt 1", "Cấp tỉnh")][t.column("Ghi chú")] == "Chưa rõ theo dữ liệu"
    assert rows[("Đợt 2", "Cấp tỉnh")][t.column("Ghi chú")] == ""


def test_a_date_given_in_the_plan_data_is_the_documents_date(plan_copy):
    text = (plan_copy / "plan.yaml").read_text(encoding="utf-8") + "adjustment_date: 2025-08-15\n"
    (plan_copy / "plan.yaml").write_text(text, encoding="utf-8")
    doc = compose_adjustment(compute.compute(loading.load_plan(plan_copy), Params(FAST)))
    assert doc.date == "2025-08-15"
    assert "lập theo đơn vị hành chính và quy định có hiệu lực ngày 15/8/2025" in doc.body[0].text
    assert "Dự thảo" not in doc.body[0].text
    t = docfind.table(render_html.render_html(doc), caption=ROUNDS_CAPTION)
    assert {r[0] for r in t.rows} == {"Đợt 2"}, "a round due before the document's date is not re-assigned"


def test_an_adjustment_date_outside_the_plan_year_is_refused(plan_copy):
    from ocop_helpers.core.errors import PlanValidationError

    text = (plan_copy / "plan.yaml").read_text(encoding="utf-8") + "adjustment_date: 2026-01-15\n"
    (plan_copy / "plan.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(PlanValidationError, match="adjustment_date"):
        loading.load_plan(plan_copy)
