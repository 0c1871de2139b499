"""The report on the season (báo cáo sơ kết / tổng kết): ``compose_report(r) -> Document | None``.

The body in force on ``r.as_of`` (the successor after a merger) reports to the ministry on the plan:
I. what was done by ``as_of`` — products evaluated and recognised against each target with "đạt …%
kế hoạch", the outcome targets reached so far and their chance by the year end, spending per budget
line and the support paid; II. shortcomings and their causes as the data show them (products not
recognised, their scores, rounds the reorganisation moved, targets at risk); III. what remains and
proposals: the rounds left at the levels in force on their deadlines, the organisations still
waiting, the budget left by source, and at the year end what carries into next year. Every number is
a ledger figure (``season.*``, ``outcome.*``, ``target.*``). None when the plan has no results.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from ocop_helpers.core import vnformat
from ocop_helpers.document import elements, official
from ocop_helpers.document.docmodel import (
    DRAFT_LABEL,
    Block,
    Column,
    Document,
    Heading,
    Notice,
    Paragraph,
    Table,
    roman,
)
from ocop_helpers.document.quote import q
from ocop_helpers.domain import labels
from ocop_helpers.inputs.plan import OutcomeTarget
from ocop_helpers.model.compute import Results
from ocop_helpers.model.figures import report_ledger
from ocop_helpers.model.figures.season import at_risk, target_text, value_id
from ocop_helpers.model.ledger import Ledger
from ocop_helpers.model.season import Season, season_of

DOC_TYPE = "BÁO CÁO"
PARTS: tuple[str, ...] = (
    "KẾT QUẢ THỰC HIỆN",
    "TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
    "NHIỆM VỤ CÒN LẠI VÀ ĐỀ XUẤT, KIẾN NGHỊ",
)
YEAR_END_FROM = (12, 1)  # a report dated from 1/12 is the year-end report (due 15/12)


def kind(as_of: dt.date) -> str:
    """'year_end' from 1/12, 'mid_year' in June and July, else 'interim'."""
    if (as_of.month, as_of.day) >= YEAR_END_FROM:
        return "year_end"
    return "mid_year" if as_of.month in (6, 7) else "interim"


def summary(r: Results) -> str:
    """The report's title line under "BÁO CÁO"."""
    year, k = r.plan.year, kind(r.as_of)
    programme = "Chương trình mỗi xã một sản phẩm (OCOP)"
    if k == "year_end":
        return f"Tổng kết thực hiện {programme} năm {year}"
    if k == "mid_year":
        return f"Sơ kết 6 tháng đầu năm {year} thực hiện {programme}"
    return f"Kết quả thực hiện {programme} năm {year} đến ngày {vnformat.date(r.as_of)}"


def _plan_name(r: Results, fr: official.Frame) -> str:
    number = f" số {r.plan.document_number}" if r.plan.document_number else ""
    issuer = f"{fr.original.short_name} (cũ)" if fr.successor else fr.original.short_name
    return f"Kế hoạch{number} của {issuer}"


def _pct(led: Ledger, fid: str) -> str:
    return q(led, fid) if fid in led else "–"


# ----------------------------------------------------------------------------- I. results
def result_blocks(r: Results, s: Season, fr: official.Frame, led: Ledger) -> list[Block]:
    on = vnformat.date(s.as_of)
    prov = elements.provenance(r.plan, "results")
    stars = ", ".join(f"{q(led, f'season.star{n}')} sản phẩm {n} sao" for n in (3, 4, 5))
    blocks: list[Block] = [
        Paragraph(
            f"Thực hiện {_plan_name(r, fr)} về triển khai Chương trình mỗi xã một sản phẩm năm {r.plan.year}, "
            f"đến ngày {on} đã tổ chức {q(led, 'season.rounds_held')} đợt đánh giá, phân hạng; đánh giá "
            f"{q(led, 'season.evaluated')} sản phẩm, đạt {_pct(led, 'season.evaluated_share')} kế hoạch năm "
            f"({q(led, 'target.total')} sản phẩm); công nhận {q(led, 'season.recognised')} sản phẩm ({stars}); "
            f"{q(led, 'season.not_recognised')} sản phẩm chưa đạt; {q(led, 'season.waiting')} sản phẩm chưa có kết quả."
        ),
        Heading(2, "Đánh giá, phân hạng sản phẩm", "1."),
        Table(
            columns=(
                Column("Chỉ tiêu"),
                Column("Kế hoạch", "right"),
                Column("Đã đánh giá", "right"),
                Column("Đạt so với kế hoạch", "right"),
                Column("Được công nhận", "right"),
                Column("Chưa có kết quả", "right"),
            ),
            rows=tuple(
                (
                    labels.STREAM[row.stream],
                    q(led, f"target.{row.stream}"),
                    q(led, f"season.{row.stream}.evaluated"),
                    _pct(led, f"season.{row.stream}.share"),
                    q(led, f"season.{row.stream}.recognised"),
                    q(led, f"season.{row.stream}.waiting"),
                )
                for row in s.streams.itertuples(index=False)
            )
            + (
                (
                    "Tổng",
                    q(led, "target.total"),
                    q(led, "season.evaluated"),
                    _pct(led, "season.evaluated_share"),
                    q(led, "season.recognised"),
                    q(led, "season.waiting"),
                ),
            ),
            caption=f"Kết quả đánh giá, phân hạng sản phẩm đến ngày {on}",
            provenance=prov,
        ),
        Heading(2, "Mục tiêu kết quả", "2."),
    ]
    rows = []
    for t in s.targets:
        text = target_text(t, r.plan.year)
        target_fig = f"outcome.{t.id}.per_unit" if t.kind == "per_unit" else value_id(t, led)
        reached = "season.stock_now" if t.kind == "stock" else f"season.outcome.{t.id}.realised"
        rows.append(
            (
                text,
                q(led, target_fig),
                q(led, reached),
                q(led, "season.stock_end") if t.kind == "stock" else q(led, f"outcome.{t.id}.expected"),
                q(led, f"outcome.{t.id}.chance"),
            )
        )
    blocks.append(
        Table(
            columns=(
                Column("Mục tiêu"),
                Column("Mục tiêu năm", "right"),
                Column(f"Đã đạt đến {on}", "right"),
                Column("Dự kiến cuối năm", "right"),
                Column("Khả năng đạt"),
            ),
            rows=tuple(rows),
            caption="Mục tiêu kết quả: đã đạt và dự kiến đến cuối năm",
            provenance="illustrative" if prov == "illustrative" else "derived",
        )
    )
    blocks.append(
        Paragraph(
            "Dự kiến cuối năm tính lại từ kết quả đã có: các sản phẩm chưa có kết quả được tính theo tỷ lệ đạt giả "
            "định của kế hoạch, ở cấp có thẩm quyền tại thời hạn của các đợt còn lại.",
            "note",
        )
    )
    spent_on = vnformat.date(s.spending_as_of) if s.spending_as_of else on
    blocks += [
        Heading(2, "Kinh phí thực hiện", "3."),
        Paragraph(
            f"Theo số chi đến ngày {spent_on}, đã chi {q(led, 'season.spent_vnd')}, bằng "
            f"{_pct(led, 'season.spent_share')} kế hoạch năm; còn lại {q(led, 'season.left_vnd')}. Đến ngày {on}, đã hỗ trợ {q(led, 'season.organisations_paid')} tổ chức "
            f"kinh tế quản lý nhãn hiệu, bao bì, tem nhãn với {q(led, 'season.support_paid_vnd')}; tiền thưởng "
            f"theo hạng sao phải chi cho các sản phẩm đã được công nhận là {q(led, 'season.rewards_owed_vnd')}."
        ),
        Table(
            columns=(
                Column("Nội dung chi"),
                Column("Kế hoạch", "right"),
                Column("Đã chi", "right"),
                Column("Đạt so với kế hoạch", "right"),
                Column("Còn lại", "right"),
            ),
            rows=tuple(
                (
                    labels.BUDGET_LINE.get(row.line, row.line),
                    q(led, f"budget.line.{row.line}_vnd"),
                    q(led, f"season.line.{row.line}.spent_vnd"),
                    _pct(led, f"season.line.{row.line}.share"),
                    q(led, f"season.line.{row.line}.left_vnd"),
                )
                for row in s.lines.itertuples(index=False)
            ),
            caption=f"Kinh phí theo nội dung chi đến ngày {spent_on}",
            provenance=prov,
        ),
    ]
    return blocks


# ----------------------------------------------------------------------------- II. shortcomings
def shortcoming_blocks(r: Results, s: Season, led: Ledger) -> list[Block]:
    on = vnformat.date(s.as_of)
    lines: list[str] = []
    if "season.below_band" in led and led.value("season.not_recognised"):
        lines.append(
            f"{q(led, 'season.not_recognised')} sản phẩm đã đánh giá chưa được công nhận, trong đó "
            f"{q(led, 'season.below_band')} sản phẩm có điểm dưới mức 3 sao: chủ thể cần hoàn thiện hồ sơ, "
            "tiêu chí sản phẩm trước khi đăng ký lại."
        )
    gone = ~s.rounds["level_sits"].astype(bool) if "level_sits" in s.rounds else s.rounds["held"] & False
    moved = s.rounds[gone & s.rounds["held"]]
    for row in moved.itertuples(index=False):
        lines.append(
            f"Đợt {row.round} {labels.LEVEL.get(row.level, row.level).lower()} (hạn {vnformat.date(row.deadline)}) "
            "không tổ chức được do cấp này không còn tại thời hạn; sản phẩm của đợt chuyển sang cấp có thẩm quyền."
        )
    if "season.rewards_over_vnd" in led:
        lines.append(
            f"Tiền thưởng theo hạng sao phải chi cho các sản phẩm đã được công nhận ({q(led, 'season.rewards_owed_vnd')}) "
            f"vượt dự toán thưởng {q(led, 'season.rewards_over_vnd')}: cần bổ sung dự toán hoặc điều chỉnh từ nội dung chi khác."
        )
    risky = at_risk(r, s)
    for t in risky:
        lines.append(
            f"Mục tiêu \u201c{target_text(t, r.plan.year)}\u201d có {q(led, f'outcome.{t.id}.chance')} đạt "
            "đến cuối năm."
        )
    if led.value("season.organisations_waiting"):
        lines.append(
            f"{q(led, 'season.organisations_waiting')} tổ chức kinh tế đề nghị hỗ trợ nhãn hiệu, bao bì, tem nhãn "
            f"chưa được hỗ trợ đến ngày {on}."
        )
    if not lines:
        lines.append(f"Đến ngày {on}, kết quả đã nhập không cho thấy tồn tại so với kế hoạch.")
    return [Paragraph(f"– {line}") for line in lines]


# ----------------------------------------------------------------------------- III. what remains
def remaining_blocks(r: Results, s: Season, led: Ledger) -> list[Block]:
    left = s.rounds[~s.rounds["held"]]
    blocks: list[Block] = []
    if len(left):
        rows = []
        for row in left.itertuples(index=False):
            stars = " và ".join(f"{n} sao" for n in getattr(row, "recognises", ()) or ())
            power = f"Công nhận {stars}" if stars else "Không công nhận hạng sao"
            if not bool(getattr(row, "level_sits", True)):
                power = "Cấp này không còn tại thời hạn: sản phẩm chuyển cấp có thẩm quyền"
            rows.append(
                (f"Đợt {row.round}", labels.LEVEL.get(row.level, row.level), vnformat.date(row.deadline), power)
            )
        blocks += [
            Paragraph(
                f"Tổ chức các đợt còn lại cho {q(led, 'season.waiting')} sản phẩm chưa có kết quả, ở cấp có thẩm "
                "quyền tại thời hạn của từng đợt:"
            ),
            Table(
                columns=(Column("Đợt"), Column("Cấp"), Column("Thời hạn"), Column("Thẩm quyền tại thời hạn")),
                rows=tuple(rows),
                caption="Các đợt đánh giá còn lại",
                provenance="published",
            ),
        ]
    for t in at_risk(r, s):
        blocks.append(Paragraph(f"– {lever(r, t, led)}"))
    if led.value("season.organisations_waiting"):
        blocks.append(
            Paragraph(
                f"– Hỗ trợ {q(led, 'season.organisations_waiting')} tổ chức kinh tế còn chờ trong kinh phí còn lại "
                f"của nội dung hỗ trợ nhãn hiệu, bao bì, tem nhãn ({q(led, 'season.line.branding.left_vnd')})."
                if "season.line.branding.left_vnd" in led
                else f"– Hỗ trợ {q(led, 'season.organisations_waiting')} tổ chức kinh tế còn chờ."
            )
        )
    sources = [f for f in led if f.id.startswith("season.source.")]
    if sources:
        blocks.append(
            Paragraph(
                "– Kinh phí còn lại theo nguồn: "
                + "; ".join(f"{f.definition.split(': ', 1)[1].lower()} {q(led, f.id)}" for f in sources)
                + "."
            )
        )
    if kind(s.as_of) == "year_end" and "season.next.reevaluations_due" in led:
        blocks.append(
            Paragraph(
                f"– Chuẩn bị kế hoạch năm {r.plan.year + 1}: {q(led, 'season.not_recognised')} sản phẩm chưa đạt có "
                f"thể đăng ký lại; {q(led, 'season.next.reevaluations_due')} sản phẩm đến hạn đánh giá lại; "
                f"{q(led, 'season.organisations_waiting')} tổ chức kinh tế chưa được hỗ trợ; số sản phẩm OCOP đầu "
                f"năm {r.plan.year + 1} là {q(led, 'season.stock_end')} sản phẩm."
            )
        )
    return blocks


def lever(r: Results, t: OutcomeTarget, led: Ledger) -> str:
    """What would raise an at-risk target's chance, in the planner's terms (quoting its gap figures)."""

    text = target_text(t, r.plan.year)
    gap = ""
    if f"outcome.{t.id}.gap" in led:
        gap = f" (cần thêm khoảng {q(led, f'outcome.{t.id}.gap')} sản phẩm được công nhận"
        if f"outcome.{t.id}.new_needed" in led:
            gap += (
                f", tương đương {q(led, f'outcome.{t.id}.new_needed')} sản phẩm đánh giá lần đầu ở tỷ lệ đạt giả định"
            )
        gap += ")"
    if t.kind == "per_unit":
        return f"Hỗ trợ các đơn vị còn thiếu sản phẩm để đạt mục tiêu \u201c{text}\u201d: hướng dẫn chủ thể hoàn thiện hồ sơ trước đợt còn lại."
    if t.kind == "share_organisation_type":
        return f"Ưu tiên hướng dẫn, hỗ trợ loại chủ thể của mục tiêu \u201c{text}\u201d trong đợt còn lại."
    if t.kind == "stock":
        return (
            f"Đánh giá lại sớm các sản phẩm sắp hết hạn chứng nhận và xem xét tổ chức thêm một đợt đánh giá để đạt "
            f"mục tiêu \u201c{text}\u201d{gap}."
        )
    return f"Xem xét tổ chức thêm một đợt đánh giá, phân hạng để đạt mục tiêu \u201c{text}\u201d{gap}."


# ----------------------------------------------------------------------------- the document
def compose_report(r: Results) -> Document | None:
    """The report of ``r``'s plan as of ``r.as_of``, or None when the plan has no results to report."""
    s = season_of(r)
    if not s.has_results:
        return None
    led = report_ledger(r)
    plan = r.plan
    fr = official.frame(plan, s.as_of, r.official)
    body: list[Block] = []
    if plan.provenance_of("results") == "illustrative":
        body.append(Notice("illustrative", "Kết quả trong báo cáo là số liệu minh họa, không phải kết quả thật."))
    parts = [
        (PARTS[0], result_blocks(r, s, fr, led)),
        (PARTS[1], shortcoming_blocks(r, s, led)),
        (PARTS[2], remaining_blocks(r, s, led)),
    ]
    for i, (title, blocks) in enumerate(parts, start=1):
        body += [Heading(1, title, f"{roman(i)}."), *blocks]
    draft = True  # a report is numbered by the clerk when signed: the number line keeps its blanks
    illustrative = plan.provenance_of("results") == "illustrative"
    header = fr.header(draft, plan.status)
    header = dataclasses.replace(header, number_line=f"Số: …/{fr.issuer.number_suffix.replace('KH', 'BC', 1)}")
    ministry = fr.recipients[0].split(" (", 1)[0] if fr.recipients else "Bộ Nông nghiệp và Môi trường"
    return Document(
        header=header,
        doc_type=DOC_TYPE,
        summary=summary(r),
        legal_bases=(),
        body=tuple(body),
        signature=fr.signature,
        recipients=fr.recipients,
        draft=draft,
        draft_label=DRAFT_LABEL if illustrative else "DỰ THẢO",
        date=s.as_of.isoformat(),
        addressee=f"Kính gửi: {ministry}.",
        title=f"{DOC_TYPE} {summary(r)}",
    )


__all__ = ["compose_report", "kind", "summary", "at_risk", "PARTS"]
