"""A plan speaks as of its issue date; its successor's adjusted plan as of its own.

The names a document may not use are derived from the dated reference tables (tests.support.asof):
rows of issuing_bodies.csv, responsibilities.csv, recipients.csv, funding_sources.csv, legal_bases.csv
and of the plan's units whose validity does not cover the date.
"""

from __future__ import annotations

import dataclasses

import pytest

from ocop_helpers.core.dated import day
from ocop_helpers.document import docmodel, plan_document
from ocop_helpers.document.adjustment import compose_adjustment
from ocop_helpers.inputs import loading
from ocop_helpers.model import compute
from ocop_helpers.model.params import Params
from ocop_helpers.render import html as render_html
from ocop_helpers.render import notebook
from tests.support import asof
from tests.support.plans import DEFAULT_PLAN, DEMO_PLAN

FAST = {"draws": 500}
PLANS = {
    "bac-giang-2025": (DEFAULT_PLAN, {}),
    "bac-ninh-2026": (DEFAULT_PLAN.parents[1] / "bac-ninh" / "2026", {}),
    "demo-2027": (DEMO_PLAN, {"plan_dir": str(DEMO_PLAN), "province": "demo", "year": 2027}),
}


@pytest.fixture(scope="module")
def computed():
    notebook.setup_notebook()
    out = {}
    for name, (folder, params) in PLANS.items():
        out[name] = compute.compute(loading.load_plan(folder), Params({**FAST, **params}))
    return out


@pytest.fixture(scope="module")
def plans(computed):
    return {name: (r, plan_document.compose(r)) for name, r in computed.items()}


def with_paragraph(doc: docmodel.Document, text: str) -> docmodel.Document:
    return dataclasses.replace(doc, body=(*doc.body, docmodel.Paragraph(text)))


@pytest.mark.parametrize("name", list(PLANS))
def test_the_plan_names_nothing_out_of_force_on_its_issue_date(plans, name):
    r, doc = plans[name]
    assert asof.forbidden_names(r.plan, r.plan.issued_on), "the dated tables give names to check"
    assert asof.violations(asof.document_text(doc), r.plan) == []
    assert doc.date == r.plan.issued_on.isoformat()


@pytest.mark.parametrize("name", list(PLANS))
def test_the_rendered_plan_says_nothing_later_before_its_appendices(plans, name):
    r, doc = plans[name]
    assert asof.violations(asof.page_text(render_html.render_html(doc)), r.plan) == []


def test_the_bac_giang_2025_plan_never_names_bac_ninh(plans):
    r, doc = plans["bac-giang-2025"]
    page = render_html.render_html(doc)
    assert "Bắc Ninh" not in asof.document_text(doc) and "Bắc Ninh" not in page
    assert "ĐIỀU CHỈNH" not in asof.document_text(doc)
    assert [b.label for b in doc.body if isinstance(b, docmodel.Heading) and b.level == 1][-1] == "V. TỔ CHỨC THỰC HIỆN"


def test_the_plan_keeps_its_rounds_as_issued_and_leaves_the_rerouting_to_its_successor(plans):
    r, doc = plans["bac-giang-2025"]
    text = asof.document_text(doc)
    assert "Không tổ chức" not in text and "không còn tổ chức" not in text
    assert not any(isinstance(b, docmodel.Heading) and b.text == "Lịch đánh giá, phân hạng" for b in doc.proposals)
    assert any(d.kind == "calendar" for d in r.decisions), "the decision exists: it moved, it was not lost"


def test_a_later_as_of_date_leaves_the_plan_as_issued(computed):
    r = computed["bac-giang-2025"]
    later = compute.compute(r.plan, Params({**FAST, "as_of": "2025-08-01"}))
    doc = plan_document.compose(later)
    assert doc.header.issuing_body == "TỈNH BẮC GIANG"
    assert asof.violations(asof.document_text(doc), later.plan) == []


def test_the_check_fails_when_a_later_body_is_written_into_the_plan(plans):
    """The check can fail: a body that starts after the issue date, taken from the data, written back."""
    r, doc = plans["bac-giang-2025"]
    later = sorted(asof.forbidden_names(r.plan, r.plan.issued_on))
    assert "Ủy ban nhân dân các xã, phường" in later and "Sở Nông nghiệp và Môi trường" in later
    broken = with_paragraph(doc, "Ủy ban nhân dân các xã, phường đề xuất sản phẩm lên Ủy ban nhân dân tỉnh.")
    assert asof.violations(asof.document_text(broken), r.plan) == ["tên: Ủy ban nhân dân các xã, phường"]
    page = render_html.render_html(broken)
    assert asof.violations(asof.page_text(page), r.plan) == ["tên: Ủy ban nhân dân các xã, phường"]


def test_the_check_fails_on_a_later_date_or_text(plans):
    r, doc = plans["bac-giang-2025"]
    dated = with_paragraph(doc, "Từ ngày 6/7/2025 cấp tỉnh công nhận cả 3 sao.")
    assert asof.violations(asof.document_text(dated), r.plan) == ["ngày: 06/07/2025"]
    cited = with_paragraph(doc, "Thực hiện theo Quyết định số 1489/QĐ-TTg.")
    assert asof.violations(asof.document_text(cited), r.plan) == ["tên: 1489/QĐ-TTg"]
    # the plan's own deadlines and reporting date are later than its issue date, and allowed
    assert asof.own_dates(r.plan) >= {day("2025-10-30"), day("2025-12-15")}


def test_the_successor_names_no_body_that_ended_before_its_date(computed):
    r = computed["bac-giang-2025"]
    doc = compose_adjustment(r)
    text = asof.document_text(doc)
    assert asof.successor_violations(text, r.plan, doc.date) == []
    # it cites the original plan, and only where it cites it
    assert "Căn cứ Kế hoạch số 15/KH-UBND của UBND tỉnh Bắc Giang" in text
    assert "tỉnh Bắc Giang (cũ)" in doc.summary
    page = render_html.render_html(doc)
    assert asof.successor_violations(asof.page_text(page), r.plan, doc.date) == []


def test_the_successor_check_fails_on_an_ended_body(computed):
    r = computed["bac-giang-2025"]
    doc = compose_adjustment(r)
    broken = with_paragraph(doc, "UBND các huyện, thị xã, thành phố tổ chức đợt 2.")
    assert asof.successor_violations(asof.document_text(broken), r.plan, doc.date) == [
        "tên: UBND các huyện, thị xã, thành phố"
    ]
    header = dataclasses.replace(doc, header=dataclasses.replace(doc.header, issuing_body="TỈNH BẮC GIANG"))
    assert "tên: TỈNH BẮC GIANG" in asof.successor_violations(asof.document_text(header), r.plan, doc.date)


@pytest.mark.parametrize("name", ["bac-ninh-2026", "demo-2027"])
def test_a_year_with_no_change_has_no_adjusted_plan(computed, name):
    assert compose_adjustment(computed[name]) is None
