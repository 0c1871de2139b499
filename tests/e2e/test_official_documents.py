"""Every plan folder gives an official document from data alone, in three formats, on any date asked."""

from __future__ import annotations

import io

import pytest

from ocop_helpers.document import docmodel as D
from ocop_helpers.document import official
from ocop_helpers.inputs import loading
from ocop_helpers.render.docx import render_docx
from ocop_helpers.render.html import render_html
from tests.support.plans import DEFAULT_PLAN, DEMO_PLAN

PLANS = [DEFAULT_PLAN, DEFAULT_PLAN.parent.parent / "bac-ninh" / "2026", DEMO_PLAN]


def _document(plan, on_date=None, draft=True) -> D.Document:
    targets = D.Table(
        (D.Column("Chỉ tiêu"), D.Column("Số sản phẩm", "right")),
        (("Tổng số sản phẩm đánh giá", str(plan.targets.total)),),
        caption="Bảng 1. Chỉ tiêu",
        provenance="published",
    )
    return official.assemble(plan, on_date, [targets], [], [], [D.Paragraph("Đề xuất.")], [], draft=draft)


@pytest.mark.parametrize("folder", PLANS, ids=lambda p: p.parent.name)
def test_each_plan_folder_renders_to_html_and_docx(folder):
    import docx

    plan = loading.load_plan(folder)
    doc = _document(plan)
    text = render_html(doc)
    fr = official.frame(plan)
    assert fr.issuer.issuing_body in text and fr.summary in text
    word = docx.Document(io.BytesIO(render_docx(doc)))
    assert fr.issuer.issuing_body in word.tables[0].rows[0].cells[0].text
    assert "V. TỔ CHỨC THỰC HIỆN" in [p.text for p in word.paragraphs]


@pytest.mark.parametrize("folder", PLANS, ids=lambda p: p.parent.name)
def test_each_document_opens_with_the_enacting_sentence_and_states_who_leads_each_task(folder):
    import docx

    plan = loading.load_plan(folder)
    assert official.check_frame(plan).warnings == plan.warnings  # every shipped plan has its frame rows
    fr = official.frame(plan)
    doc = _document(plan)
    text = render_html(doc)
    assert fr.enacting.startswith(fr.issuer.full_name + " ban hành Kế hoạch") and fr.enacting in text
    paragraphs = [p.text for p in docx.Document(io.BytesIO(render_docx(doc))).paragraphs]
    assert paragraphs.index(fr.enacting) < paragraphs.index("I. MỤC ĐÍCH, YÊU CẦU")
    for task in fr.tasks:
        assert f"Cơ quan chủ trì: {task.lead}" in " ".join(paragraphs)
    assert sum(p.startswith("Thời hạn: ") for p in paragraphs) == len(fr.tasks)


@pytest.mark.parametrize("folder", PLANS, ids=lambda p: p.parent.name)
def test_the_frame_follows_the_date_of_every_round(folder):
    """Asked on each round's deadline, the frame names the body in force then (successor after a merger)."""
    plan = loading.load_plan(folder)
    tables, _ = loading.load_official(plan)
    for deadline in plan.rounds["deadline"]:
        fr = official.frame(plan, deadline)
        assert fr.on_date == deadline.date()
        expected = official.issuer_on(tables["issuing_bodies"], plan.province_id, deadline)
        assert fr.issuer == expected
        level_of = tables["responsibilities"].set_index("body_name")["level"]
        levels = {level_of[name] for _, name, _ in fr.organisation}
        assert not ({"district", "commune"} <= levels)  # never both local levels at once


def test_default_plan_round_after_the_merger_is_framed_by_the_successor():
    plan = loading.load_plan(DEFAULT_PLAN)
    late = plan.rounds.loc[plan.rounds["deadline"] > "2025-07-01"]
    assert not late.empty
    for deadline in late["deadline"]:
        fr = official.frame(plan, deadline)
        assert fr.successor and fr.issuer.province_id != plan.province_id


@pytest.mark.slow
@pytest.mark.parametrize("folder", PLANS, ids=lambda p: p.parent.name)
def test_each_plan_folder_renders_to_pdf(folder):
    from pypdf import PdfReader

    from ocop_helpers.render.pdf import render_pdf

    plan = loading.load_plan(folder)
    reader = PdfReader(io.BytesIO(render_pdf(_document(plan))))
    first = reader.pages[0].extract_text()
    assert official.frame(plan).issuer.issuing_body in first and "KẾ HOẠCH" in first
