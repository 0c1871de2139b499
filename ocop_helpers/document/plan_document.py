"""The signable plan, composed from one scenario's Results: ``compose(results) -> Document``.

The body follows the form of a Kế hoạch (see :mod:`ocop_helpers.document.official` for the frame chosen by
date): II. the published targets; III. the evaluation rounds with who recognises and who pays, the
branding support and how it is shared, then the planner's other tasks; IV. the budget by line and by
source; V. who does what — all as of the plan's issue date (a reorganisation later in the year is
the successor's adjusted plan, :mod:`ocop_helpers.document.adjustment`). The
decisions the figures raise go to "Đề xuất, kiến nghị", outside the body; the analysis (the
notebooks' sections) and a glossary go to the appendices. Every figure is read from the Results and
formatted once by :mod:`ocop_helpers.core.vnformat`; every table says whether it is published, derived or
illustrative.
"""

from __future__ import annotations

import dataclasses

import altair as alt
import pandas as pd

from ocop_helpers.core import vnformat
from ocop_helpers.document import elements, narrative, official, registry
from ocop_helpers.document.charts import style
from ocop_helpers.document.docmodel import Appendix, Block, Chart, Column, Document, Heading, Notice, Paragraph, Table
from ocop_helpers.domain import labels
from ocop_helpers.domain.allocation import registry as rule_registry
from ocop_helpers.model import findings
from ocop_helpers.model.compute import Results


def chart_block(chart: alt.TopLevelMixin, provenance: str) -> Chart:
    """An Altair chart as a document block: SVG for the HTML, PNG for DOCX and PDF."""
    import vl_convert  # deferred: vl-convert starts a JavaScript engine: only when a chart is rendered to SVG

    spec = style(chart).to_json()
    svg = vl_convert.vegalite_to_svg(spec)
    png = vl_convert.vegalite_to_png(spec, scale=2)
    title = chart.to_dict().get("title") or "Biểu đồ"
    alt_text = title if isinstance(title, str) else title.get("text", "Biểu đồ")
    if isinstance(alt_text, list):
        alt_text = " ".join(alt_text)
    return Chart(svg=svg, png=png, alt=str(alt_text), provenance=provenance)


def to_blocks(items: list, provenance: str) -> list[Block]:
    """A section's items as document blocks (key figures as bold sentences, charts drawn)."""
    out: list[Block] = []
    for item in items:
        if isinstance(item, alt.TopLevelMixin):
            out.append(chart_block(item, provenance))
        elif isinstance(item, elements.KeyFigure | elements.Alert):
            out.append(item.as_block())
        elif isinstance(item, Heading):
            out.append(Heading(3, item.text))
        else:
            out.append(item)
    return out


# ----------------------------------------------------------------------------- II. targets
def target_blocks(r: Results) -> list[Block]:
    """The published targets, as the seed plan states them."""
    t = r.plan.targets
    approx = "khoảng " if "budget_total_vnd" in r.plan.approximate else ""
    rows = [
        ("Sản phẩm đánh giá, phân hạng", vnformat.number(t.total)),
        ("– Đánh giá lần đầu", vnformat.number(t.new)),
        ("– Đánh giá lại", vnformat.number(t.reevaluation)),
        ("– Nâng hạng sao", vnformat.number(t.upgrade)),
        (f"Sản phẩm OCOP đạt từ 3 sao đến cuối năm {r.plan.year} (lũy kế, tối thiểu)", vnformat.number(t.stock_target)),
        ("Tổ chức kinh tế được hỗ trợ quản lý nhãn hiệu, bao bì, tem nhãn", vnformat.number(t.organisations_branding)),
        ("Kinh phí thực hiện", approx + vnformat.money(t.budget_total_vnd)),
    ]
    prov = elements.provenance(r.plan, "targets", computed=False)
    return [
        Paragraph(narrative.targets_sentence(t, r.plan.year, approx.strip())),
        Table(
            columns=(Column("Chỉ tiêu"), Column("Số lượng", "right")),
            rows=tuple(rows),
            caption=f"Chỉ tiêu năm {r.plan.year}",
            provenance=prov,
        ),
    ]


# ----------------------------------------------------------------------------- III. tasks
def _level_body(level: str) -> str:
    return {"district": "UBND cấp huyện", "province": "UBND tỉnh", "commune": "UBND cấp xã", "central": "Bộ"}.get(
        level, level
    )


def _payer_name(funding: pd.DataFrame, source_id: object) -> str:
    if source_id is None or (isinstance(source_id, float) and source_id != source_id):
        return "–"
    rows = funding[funding["source_id"] == source_id]
    return str(rows.iloc[0]["name"]) if len(rows) else str(source_id)


def round_rows(r: Results, authorities: pd.DataFrame) -> tuple[tuple[str, ...], ...]:
    """Round, level, deadline, who recognises which stars, who pays — per round."""
    funding = r.official[0]["funding_sources"]
    rows = []
    for a in authorities.itertuples(index=False):
        stars = " và ".join(f"{s} sao" for s in a.recognises)
        recognises = f"{_level_body(a.level)} công nhận {stars}" if stars else "Không công nhận hạng sao"
        if not a.level_sits:
            recognises = "Cấp này không còn tổ chức tại thời hạn"
        rows.append(
            (
                vnformat.number(a.round),
                labels.LEVEL.get(a.level, a.level),
                vnformat.date(a.deadline),
                recognises,
                _payer_name(funding, a.payer),
            )
        )
    return tuple(rows)


ROUND_COLUMNS = (
    Column("Đợt", "right"),
    Column("Cấp tổ chức đánh giá"),
    Column("Thời hạn hoàn thành"),
    Column("Công nhận kết quả"),
    Column("Ngân sách chi hỗ trợ sau công nhận"),
)


def task_blocks(r: Results, as_issued: pd.DataFrame) -> list[Block]:
    """III.1 the evaluation rounds (as the plan is issued); III.2 the branding support."""
    plan = r.plan
    lines = r.budget_lines.set_index("line")["amount_vnd"]
    m = r.allocation_metrics
    rule = labels.ALLOCATION_RULE.get(r.params.rule, r.params.rule)
    blocks: list[Block] = [
        Heading(2, "Tổ chức đánh giá, phân hạng sản phẩm", "1."),
        Paragraph(narrative.rounds_sentence(as_issued, plan.year)),
        Table(
            columns=ROUND_COLUMNS,
            rows=round_rows(r, as_issued),
            caption="Các đợt đánh giá, phân hạng sản phẩm OCOP",
            provenance=elements.provenance(r.plan, "rounds"),
            note="Sản phẩm đạt từ 4 sao do Hội đồng cấp trên đánh giá sau khi được cấp dưới đề xuất; "
            "số sản phẩm dự kiến từng đợt ở Phụ lục.",
        ),
        Heading(2, "Hỗ trợ quản lý nhãn hiệu, bao bì, tem nhãn", "2."),
        Paragraph(
            f"Hỗ trợ {vnformat.number(plan.targets.organisations_branding)} tổ chức kinh tế đăng ký, quản lý nhãn "
            f"hiệu, thiết kế bao bì, in tem nhãn theo định mức; kinh phí bố trí {vnformat.money(int(lines.get('branding', 0)))}. "
            + narrative.allocation_sentence(m, rule, r.envelope_vnd, int(r.claim_organisations["claim_vnd"].sum()))
        ),
        Table(
            columns=(Column("Kết quả hỗ trợ"), Column("Số tổ chức kinh tế", "right")),
            rows=(
                ("Hỗ trợ đủ mức theo định mức", vnformat.number(m.fully_funded)),
                ("Hỗ trợ một phần", vnformat.number(m.partly_funded)),
                ("Chưa được hỗ trợ", vnformat.number(m.not_funded)),
                ("Tổng số", vnformat.number(m.fully_funded + m.partly_funded + m.not_funded)),
            ),
            caption=f"Phân bổ kinh phí hỗ trợ theo cách «{rule}»",
            total_row=True,
            provenance=elements.provenance(
                r.plan, "requests", "organisations", "budget_lines", "norms", computed=False
            ),
        ),
    ]
    return blocks


# ----------------------------------------------------------------------------- IV. budget
def budget_blocks(r: Results) -> list[Block]:
    """The budget by line and by funding source; both sum to the plan's total."""
    plan = r.plan
    total = plan.targets.budget_total_vnd
    approx = "khoảng " if "budget_total_vnd" in plan.approximate else ""
    lines = r.budget_lines
    line_rows = [
        (
            labels.BUDGET_LINE.get(x.line, x.line),
            vnformat.money(int(x.amount_vnd)),
            vnformat.percent(x.amount_vnd / total),
        )
        for x in lines.itertuples(index=False)
    ]
    line_rows.append(("Tổng cộng", vnformat.money(int(lines["amount_vnd"].sum())), vnformat.percent(1.0)))
    by_source = r.budget_sources
    funding = r.official[0]["funding_sources"]
    source_rows = [
        (
            _payer_name(funding, s.source_id),
            vnformat.money(int(s.amount_vnd)),
            "Giả định" if s.certainty != "published" else "Theo quy định",
        )
        for s in by_source.itertuples(index=False)
    ]
    source_rows.append(("Tổng cộng", vnformat.money(int(by_source["amount_vnd"].sum())), ""))
    own = int((r.claim_items["cost_vnd"] - r.claim_items["claim_vnd"]).clip(lower=0).sum())
    prov_lines = elements.provenance(r.plan, "budget_lines", computed=False)
    return [
        Paragraph(
            f"Tổng kinh phí thực hiện Kế hoạch {approx}{vnformat.money(total)}, gồm {vnformat.number(len(lines))} "
            "nội dung chi; nguồn kinh phí theo phân cấp ngân sách hiện hành."
        ),
        Table(
            columns=(Column("Nội dung chi"), Column("Kinh phí", "right"), Column("Tỷ lệ", "right")),
            rows=tuple(line_rows),
            caption="Kinh phí theo nội dung chi",
            total_row=True,
            provenance=prov_lines,
        ),
        Table(
            columns=(Column("Nguồn kinh phí"), Column("Kinh phí", "right"), Column("Căn cứ phân nguồn")),
            rows=tuple(source_rows),
            caption="Kinh phí theo nguồn",
            total_row=True,
            provenance=prov_lines,
            note="Nguồn của từng nội dung chi theo bảng phân nguồn của bộ dữ liệu; dòng ghi «Giả định» cần "
            "cơ quan tài chính xác nhận.",
        ),
        Paragraph(
            f"Ngoài kinh phí trên, các tổ chức kinh tế đối ứng phần chi phí nhãn hiệu, bao bì, tem nhãn vượt mức "
            f"hỗ trợ, dự kiến {vnformat.money(own)} theo đề nghị của các tổ chức."
        ),
    ]


# ----------------------------------------------------------------------------- proposals
def proposal_blocks(r: Results, comparison: str | None = None) -> list[Block]:
    """One numbered item per decision: the question, the options with their figures, the proposal;
    then, when a scenario comparison exists, the sentence that cites it."""
    out: list[Block] = []
    for n, d in enumerate(r.decisions, start=1):
        title, text, table = narrative.decision_text(d, r)
        out += [Heading(2, title, f"{n}."), Paragraph(text)]
        if table is not None:
            out.append(table)
    if not out:
        out.append(Paragraph("Với các thông số hiện tại, số liệu không đặt ra vấn đề cần quyết định thêm."))
    if comparison:
        out += [Heading(2, "So sánh các phương án", f"{len(r.decisions) + 1}."), Paragraph(comparison)]
    return out


# ----------------------------------------------------------------------------- appendices
def analysis_appendix(r: Results) -> Appendix:
    """The analysis sections of :data:`ocop_helpers.document.registry.APPENDIX`, each under its title."""
    blocks: list[Block] = []
    for i, section in enumerate((registry.SECTIONS[name] for name in registry.APPENDIX), start=1):
        items = section.render(r)
        if not items:
            continue
        prov = max(
            (b.provenance for b in items if isinstance(b, Table)),
            key=lambda p: ("published", "derived", "illustrative").index(p),
            default="derived",
        )
        blocks += [Heading(2, section.title, f"{i}."), *to_blocks(list(items), prov)]
    return Appendix("SỐ LIỆU PHÂN TÍCH", tuple(blocks))


def glossary_appendix(r: Results) -> Appendix:
    rows = [(rule.label, rule.glossary, rule.reference) for rule in rule_registry.REGISTRY.values()]
    rows += [(term, meaning, "") for term, meaning in narrative.GLOSSARY]
    return Appendix(
        "GIẢI THÍCH CÁCH TÍNH",
        (
            Paragraph("Dành cho cán bộ lập kế hoạch: cách chia kinh phí và các khái niệm dùng trong phần phân tích."),
            Table(
                columns=(Column("Thuật ngữ"), Column("Ý nghĩa"), Column("Tài liệu")),
                rows=tuple(rows),
                caption="Thuật ngữ",
                provenance="published",
            ),
        ),
    )


def as_issued(r: Results) -> Results:
    """``r`` as the plan speaks on its issue date: without the calendar decision a later reorganisation
    raises (it belongs to the successor's adjusted plan, :mod:`ocop_helpers.document.adjustment`)."""
    later = findings.reorganisation_calendar(r.decisions)
    if later is None:
        return r
    out = dataclasses.replace(r, decisions=tuple(d for d in r.decisions if d is not later))
    if "_ledger" in r.__dict__:  # the same figures: keep the ledger built once
        object.__setattr__(out, "_ledger", r.__dict__["_ledger"])
    return out


def compose(r: Results, comparison: str | None = None) -> Document:
    """The whole plan document of one scenario, as of its issue date.

    The frame, the rounds (as issued) and the proposals are those of the plan's issue date, whatever
    the scenario's as-of date: what happens after it (a reorganisation inside the year) is the
    successor's adjusted plan (:func:`ocop_helpers.document.adjustment.compose_adjustment`), not a
    part of this one. A document showing illustrative figures is a draft. ``comparison``: a sentence
    citing a scenario comparison of this plan, when one exists.
    """
    plan = r.plan
    return official.assemble(
        plan,
        plan.issued_on,
        targets_blocks=target_blocks(r),
        tasks_blocks=task_blocks(r, r.round_authorities_issued),
        budget_blocks=budget_blocks(r),
        proposals_blocks=proposal_blocks(as_issued(r), comparison),
        appendix_blocks=(analysis_appendix(r), glossary_appendix(r)),
        draft=plan.status != "issued",
        official=r.official,
    )


__all__ = ["compose", "to_blocks", "chart_block", "Notice"]
