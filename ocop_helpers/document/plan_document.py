"""The signable plan, composed from one scenario's Results: ``compose(results) -> Document``.

The body follows the form of a Kế hoạch (see :mod:`ocop_helpers.document.official` for the frame chosen by
date): II. the published targets; III. the evaluation rounds with who recognises and who pays, the
branding support and how it is shared, then the planner's other tasks; IV. the budget by line and by
source; V. who does what — all as of the plan's issue date (a reorganisation later in the year is
the successor's adjusted plan, :mod:`ocop_helpers.document.adjustment`). The decisions the figures
raise go to the covering submission, the Tờ trình (:mod:`ocop_helpers.document.submission`), not to
the plan; the analysis (the notebooks' sections) and a glossary go to their own file. Every figure is read from the Results and
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
from ocop_helpers.document.quote import about, q
from ocop_helpers.domain import labels
from ocop_helpers.domain.allocation import registry as rule_registry
from ocop_helpers.model.compute import Results
from ocop_helpers.model.figures import ledger_of
from ocop_helpers.model.figures import season as season_figures


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
TARGET_ROWS: tuple[tuple[str, str], ...] = (
    ("Sản phẩm đánh giá, phân hạng", "target.total"),
    ("– Đánh giá lần đầu", "target.new"),
    ("– Đánh giá lại", "target.reevaluation"),
    ("– Nâng hạng sao", "target.upgrade"),
    ("Sản phẩm OCOP đạt từ 3 sao đến cuối năm (lũy kế, tối thiểu)", "target.stock"),
    ("Tổ chức kinh tế được hỗ trợ quản lý nhãn hiệu, bao bì, tem nhãn", "target.organisations_branding"),
    ("Kinh phí thực hiện", "target.budget_total_vnd"),
)


def outcome_rows(r: Results, led) -> tuple[tuple[str, str], ...]:
    """The plan's outcome targets other than the year-end stock (already a row), each quoting its figure."""
    rows = []
    for t in r.plan.outcomes:
        if season_figures.value_id(t, led) == "target.stock":
            continue
        text = season_figures.target_text(t, r.plan.year)
        if t.kind == "per_unit":
            rows.append(
                (
                    f"{text.replace('Số đơn vị hành chính có đủ', 'Mỗi đơn vị hành chính có')} (tối thiểu)",
                    q(led, f"outcome.{t.id}.per_unit"),
                )
            )
        else:
            rows.append((f"{text} (tối thiểu)", q(led, f"outcome.{t.id}.value")))
    return tuple(rows)


def target_blocks(r: Results) -> list[Block]:
    """The published targets, as the seed plan states them: a sentence and its table, both quoting
    the ledger."""
    led = ledger_of(r)
    rows = tuple((label, about(led, fid)) for label, fid in TARGET_ROWS) + outcome_rows(r, led)
    return [
        Paragraph(narrative.targets_sentence(led, r.plan.year)),
        Table(
            columns=(Column("Chỉ tiêu"), Column("Số lượng", "right")),
            rows=rows,
            caption=f"Chỉ tiêu năm {r.plan.year}",
            provenance=elements.provenance(r.plan, "targets", computed=False),
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
                f"Đợt {a.round}",
                labels.LEVEL.get(a.level, a.level),
                vnformat.date(a.deadline),
                recognises,
                _payer_name(funding, a.payer),
            )
        )
    return tuple(rows)


ROUND_COLUMNS = (
    Column("Đợt"),
    Column("Cấp tổ chức đánh giá"),
    Column("Thời hạn hoàn thành"),
    Column("Công nhận kết quả"),
    Column("Ngân sách chi hỗ trợ sau công nhận"),
)


def task_blocks(r: Results, as_issued: pd.DataFrame) -> list[Block]:
    """III.1 the evaluation rounds (as the plan is issued); III.2 the branding support: the published
    target, the norm, the envelope, and what the requests ask — the gap stated once, in the ledger's
    figure; how to share a short envelope is a matter for the Tờ trình."""
    led = ledger_of(r)
    blocks: list[Block] = [
        Heading(2, "Tổ chức đánh giá, phân hạng sản phẩm", "1."),
        Paragraph(narrative.rounds_sentence(as_issued, r.plan.year, led)),
        Table(
            columns=ROUND_COLUMNS,
            rows=round_rows(r, as_issued),
            caption="Các đợt đánh giá, phân hạng sản phẩm OCOP",
            provenance=elements.provenance(r.plan, "rounds", computed=False),
            note="Sản phẩm đạt từ 4 sao do Hội đồng cấp trên đánh giá sau khi được cấp dưới đề xuất.",
        ),
        Heading(2, "Hỗ trợ quản lý nhãn hiệu, bao bì, tem nhãn", "2."),
        Paragraph(narrative.branding_paragraph(led, r.plan)),
    ]
    return blocks


# ----------------------------------------------------------------------------- IV. budget
def budget_blocks(r: Results) -> list[Block]:
    """The budget by line and by funding source, quoted from the ledger; both add to the total. When
    the lines are illustrative the sentence says so in words."""
    led = ledger_of(r)
    plan = r.plan
    lines = r.budget_lines
    differs = "budget.lines_total_vnd" in led
    total_id = "budget.lines_total_vnd" if differs else "target.budget_total_vnd"
    line_rows = [
        (
            labels.BUDGET_LINE.get(x.line, x.line),
            q(led, f"budget.line.{x.line}_vnd"),
            q(led, f"budget.line.{x.line}_share"),
        )
        for x in lines.itertuples(index=False)
    ]
    line_rows.append(("Tổng cộng", q(led, total_id), ""))
    funding = r.official[0]["funding_sources"]
    source_rows = [
        (
            _payer_name(funding, s.source_id),
            q(led, f"budget.source.{s.source_id}_vnd"),
            "Giả định, cơ quan tài chính xác nhận" if s.certainty != "published" else "Theo quy định",
        )
        for s in r.budget_sources.itertuples(index=False)
    ]
    source_rows.append(("Tổng cộng", q(led, total_id), ""))
    prov_lines = elements.provenance(plan, "budget_lines", computed=False)
    return [
        Paragraph(narrative.budget_paragraph(led, prov_lines == "illustrative")),
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
        ),
        Paragraph(narrative.own_contribution_sentence(led, elements.provenance(plan, "requests") == "illustrative")),
    ]


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


def compose_analysis(r: Results) -> Document:
    """The analysis behind the plan, in its own file (``phu-luc-phan-tich``): the notebooks' sections
    and the glossary, under the plan's header, unsigned, for the planner — not part of the signed plan."""
    plan = r.plan
    fr = official.frame(plan, plan.issued_on, r.official)
    analysis, glossary = analysis_appendix(r), glossary_appendix(r)
    body: list[Block] = [
        Notice(
            "info",
            "Tài liệu phân tích phục vụ lập kế hoạch, kèm theo dự thảo Kế hoạch; không thuộc văn bản ký ban hành. "
            f"Số liệu tính đến ngày {vnformat.date(r.as_of)}.",
        ),
        Heading(1, analysis.title, "I."),
        *analysis.blocks,
        Heading(1, glossary.title, "II."),
        *glossary.blocks,
    ]
    doc = Document(
        header=fr.header(True, plan.status),
        doc_type="PHỤ LỤC PHÂN TÍCH",
        summary=f"Số liệu phân tích kèm theo dự thảo Kế hoạch {fr.summary[:1].lower()}{fr.summary[1:]}",
        legal_bases=(),
        body=tuple(body),
        signature=fr.signature,
        recipients=(),
        date=fr.on_date.isoformat(),
        signed=False,
    )
    return dataclasses.replace(doc, draft=doc.shows_illustrative())


def compose(r: Results) -> Document:
    """The whole plan document of one scenario, as of its issue date.

    The frame and the rounds (as issued) are those of the plan's issue date, whatever the scenario's
    as-of date: what happens after it (a reorganisation inside the year) is the successor's adjusted
    plan (:func:`ocop_helpers.document.adjustment.compose_adjustment`), not a part of this one. A
    document showing illustrative figures is a draft. The decisions go to the covering submission
    (:mod:`ocop_helpers.document.submission`).
    """
    plan = r.plan
    return official.assemble(
        plan,
        plan.issued_on,
        targets_blocks=target_blocks(r),
        tasks_blocks=task_blocks(r, r.round_authorities_issued),
        budget_blocks=budget_blocks(r),
        draft=plan.status != "issued",
        official=r.official,
    )


__all__ = ["compose", "to_blocks", "chart_block", "Notice"]
