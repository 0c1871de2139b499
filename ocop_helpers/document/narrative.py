"""Vietnamese sentences written from the computed numbers (never fixed text with numbers pasted in).

Each function takes the output of a targets / stock / calendar function and returns a paragraph.
Numbers go through ``vnformat``; display words come from ``labels``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ocop_helpers.core import vnformat
from ocop_helpers.document.quote import about, q
from ocop_helpers.domain import labels
from ocop_helpers.domain.stock import StockProjection
from ocop_helpers.inputs.plan import STREAMS
from ocop_helpers.model.ledger import Ledger


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _stream_words(stream: str) -> str:
    return _lower_first(labels.label(labels.STREAM, stream))


def _level_words(level: str) -> str:
    text = labels.label(labels.LEVEL, level)
    return text if level == "central" else _lower_first(text)


def _count(value: float) -> str:
    return vnformat.number(round(float(value)))


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " và " + items[-1]


def evaluation_paragraph(stream_table: pd.DataFrame, year: int, scope: str = "toàn tỉnh") -> str:
    """'Năm <year> <scope> có <n> sản phẩm tham gia đánh giá, phân hạng (<k> sản phẩm đánh giá lần
    đầu, chiếm <share>; …).' plus how the list compares with the published targets.

    ``stream_table`` is the output of ``targets.stream_summary``.
    """
    table = stream_table.set_index("stream")
    total = int(table.loc["total", "actual"])
    if total == 0:
        return f"Năm {year} {scope} chưa có sản phẩm nào đăng ký tham gia đánh giá, phân hạng."
    parts = [
        f"{vnformat.number(int(table.loc[s, 'actual']))} sản phẩm {_stream_words(s)}, "
        f"chiếm {vnformat.percent(float(table.loc[s, 'actual_share']))}"
        for s in STREAMS
        if int(table.loc[s, "actual"]) > 0
    ]
    text = f"Năm {year} {scope} có {vnformat.number(total)} sản phẩm tham gia đánh giá, phân hạng ({'; '.join(parts)})."
    target_total = int(table.loc["total", "target"])
    differences = {s: int(table.loc[s, "difference"]) for s in STREAMS}
    if all(d == 0 for d in differences.values()) and total == target_total:
        return text + f" Danh sách sản phẩm khớp với chỉ tiêu kế hoạch ({vnformat.number(target_total)} sản phẩm)."
    gap = total - target_total
    direction = "nhiều hơn" if gap > 0 else "ít hơn"
    detail = [
        f"{_stream_words(s)} {'+' if d > 0 else '−'}{vnformat.number(abs(d))}" for s, d in differences.items() if d != 0
    ]
    if gap == 0:
        head = f" Tổng số khớp với chỉ tiêu kế hoạch ({vnformat.number(target_total)} sản phẩm) nhưng cơ cấu khác"
    else:
        head = (
            f" So với chỉ tiêu kế hoạch ({vnformat.number(target_total)} sản phẩm), danh sách "
            f"{direction} {vnformat.number(abs(gap))} sản phẩm"
        )
    return text + head + (f" ({'; '.join(detail)})." if detail else ".")


def unit_paragraph(unit_table: pd.DataFrame, concentration: Mapping[str, object]) -> str:
    """Which units carry most of the load and which have nothing to evaluate.

    ``unit_table`` from ``targets.by_unit``; ``concentration`` from ``targets.load_concentration``.
    """
    total = int(unit_table["total"].sum())
    if total == 0:
        return "Chưa có đơn vị nào có sản phẩm tham gia đánh giá, phân hạng."
    top = concentration["top_units"]
    leaders = [
        f"{name} ({vnformat.number(int(n))} sản phẩm)"
        for name, n in zip(top["unit_name"], top["total"], strict=False)
        if int(n) > 0
    ]
    text = (
        f"Các đơn vị có nhiều sản phẩm nhất là {_join(leaders)}, cùng chiếm "
        f"{vnformat.percent(float(concentration['top_share']))} tổng số sản phẩm."
    )
    zero = list(concentration["zero_units"])
    if zero:
        text += f" {vnformat.number(len(zero))} đơn vị chưa có sản phẩm tham gia đánh giá: {_join(zero)}."
    else:
        text += " Tất cả các đơn vị đều có sản phẩm tham gia đánh giá."
    return text


def sector_paragraph(sector_table: pd.DataFrame, thin: pd.DataFrame) -> str:
    """The main sector and the thin ones (``targets.by_sector`` and ``targets.thin_sectors``)."""
    total = int(sector_table["total"].sum())
    if total == 0:
        return "Chưa có sản phẩm nào được phân loại theo bộ sản phẩm."
    lead = sector_table.sort_values("total", ascending=False).iloc[0]
    text = (
        f"Bộ sản phẩm {lead['sector_name']} có nhiều sản phẩm nhất "
        f"({vnformat.number(int(lead['total']))} sản phẩm, chiếm {vnformat.percent(float(lead['share']))})."
    )
    if not thin.empty:
        items = [
            f"{name} ({vnformat.number(int(n))})" for name, n in zip(thin["sector_name"], thin["total"], strict=False)
        ]
        text += f" Các bộ sản phẩm còn ít sản phẩm: {_join(items)}."
    return text


def stock_paragraph(projection: StockProjection, scope: str = "toàn tỉnh") -> str:
    """Start stock, expected recognitions and losses, end stock against the target, and what it
    takes to reach the target."""
    p = projection
    w = p.whole()
    rates = p.pass_rates
    text = (
        f"Đến {vnformat.date(p.start_date)}, {scope} có {vnformat.number(p.start_stock)} sản phẩm "
        f"OCOP đạt từ 3 sao trở lên. Với tỷ lệ đạt {vnformat.percent(rates['new'])} đối với sản phẩm "
        f"đánh giá lần đầu và {vnformat.percent(rates['reevaluation'])} đối với sản phẩm đánh giá lại, "
        f"dự kiến có thêm khoảng {vnformat.number(w['new_recognised'])} sản phẩm được công nhận mới"
    )
    if w["losses"] > 0:
        parts = [
            f"{vnformat.number(w['reevaluation_failed'])} không đạt khi đánh giá lại",
            f"{vnformat.number(w['not_reevaluated'])} hết hạn mà không được đánh giá lại",
        ]
        if w["unplanned_lapses"]:
            parts.append(f"{vnformat.number(w['unplanned_lapses'])} mất chứng nhận ngoài kế hoạch")
        text += f" và giảm khoảng {vnformat.number(w['losses'])} sản phẩm ({_join(parts)})"
    text += f"; đến hết năm {p.year} {scope} dự kiến có khoảng {vnformat.number(w['end'])} sản phẩm OCOP"
    if w["end"] >= p.stock_target:
        surplus = w["end"] - p.stock_target
        text += f", đạt chỉ tiêu {vnformat.number(p.stock_target)} sản phẩm" + (
            f" (vượt khoảng {vnformat.number(surplus)} sản phẩm)." if surplus > 0 else "."
        )
    else:
        text += (
            f", thấp hơn chỉ tiêu {vnformat.number(p.stock_target)} sản phẩm khoảng "
            f"{vnformat.number(p.stock_target - w['end'])} sản phẩm."
        )
    text += (
        f" Để đạt chỉ tiêu cần ít nhất {vnformat.number(p.recognitions_needed)} sản phẩm được công nhận mới trong năm"
    )
    if p.new_products_needed is not None and rates["new"] > 0:
        text += (
            f", tương đương {vnformat.number(p.new_products_needed)} sản phẩm đánh giá lần đầu với "
            f"tỷ lệ đạt {vnformat.percent(rates['new'])}"
        )
    text += f" (kế hoạch có {vnformat.number(p.new_products)} sản phẩm đánh giá lần đầu)."
    if not p.can_reach:
        if p.reachable_at_full_pass:
            text += (
                f" Kế hoạch chỉ đạt chỉ tiêu nếu tỷ lệ đạt của sản phẩm đánh giá lần đầu từ "
                f"{vnformat.percent(p.required_new_pass_rate or 0.0)} trở lên."
            )
        else:
            text += " Kế hoạch như hiện nay không thể đạt chỉ tiêu kể cả khi mọi sản phẩm đều đạt."
    if p.expired_before_year:
        text += (
            f" Lưu ý: {vnformat.number(p.expired_before_year)} sản phẩm đánh giá lại có giấy chứng nhận "
            f"đã hết hạn trước năm {p.year}."
        )
    return text


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _round_name(round_number: int, level: str, deadline: pd.Timestamp, start: bool = False) -> str:
    if start:
        return _upper_first(_round_name(round_number, level, deadline))
    return f"đợt {round_number} {_level_words(level)} (hạn {vnformat.date(deadline)})"


def calendar_paragraph(
    rounds: pd.DataFrame,
    unit_names: Mapping[str, str] | None = None,
    routing: str = "as_filed",
    unscheduled: pd.DataFrame | None = None,
) -> str:
    """Rounds, then warnings: rounds at a level that cannot sit on their deadline, over capacity,
    deadlines already passed, rounds with no products. ``rounds`` is ``Calendar.rounds``;
    ``unscheduled`` (``Calendar.unscheduled``) adds the steps with no round in the plan."""
    names = dict(unit_names or {})
    per_level = rounds["level"].value_counts()
    levels = [
        f"{vnformat.number(int(per_level[lvl]))} đợt {_level_words(lvl)}"
        for lvl in labels.LEVEL
        if lvl in per_level.index
    ]
    sentences = [f"Kế hoạch có {vnformat.number(len(rounds))} đợt đánh giá ({_join(levels)})."]
    for r in rounds.itertuples(index=False):
        if r.level_in_force:
            continue
        reasons = []
        if not pd.isna(r.units_exist) and not bool(r.units_exist):
            reasons.append(f"không còn đơn vị hành chính {_level_words(r.level)}")
        if not r.level_in_rules:
            reasons.append(
                f"{_level_words(r.level)} không còn thẩm quyền đánh giá, phân hạng theo quy định có hiệu lực"
            )
        why = _join(reasons) or f"{_level_words(r.level)} không còn tổ chức đánh giá"
        if routing == "as_filed" and r.products:
            sentences.append(
                f"{_round_name(r.round, r.level, r.deadline, start=True)} có "
                f"{vnformat.number(int(r.products))} sản phẩm nhưng đến thời hạn này {why}: "
                f"hội đồng này không thể họp, cần chuyển các sản phẩm lên hội đồng có thẩm quyền."
            )
        else:
            sentences.append(
                f"{_round_name(r.round, r.level, r.deadline, start=True)} không tổ chức vì đến thời hạn này {why}."
            )
    rerouted = int(rounds["rerouted_in"].sum()) if "rerouted_in" in rounds else 0
    if rerouted:
        targets = [_round_name(r.round, r.level, r.deadline) for r in rounds.itertuples(index=False) if r.rerouted_in]
        sentences.append(f"Phương án điều chuyển: {vnformat.number(rerouted)} sản phẩm chuyển sang {_join(targets)}.")
    over = rounds.loc[rounds["over_capacity"]]
    for r in over.itertuples(index=False):
        if r.over_capacity_units:
            units = [names.get(u.strip(), u.strip()) for u in str(r.over_capacity_units).split(",")]
            sentences.append(
                f"{_round_name(r.round, r.level, r.deadline, start=True)} vượt năng lực hội đồng "
                f"({vnformat.number(int(r.capacity_per_council))} sản phẩm/hội đồng) tại: {_join(units)}."
            )
        else:
            sentences.append(
                f"{_round_name(r.round, r.level, r.deadline, start=True)} vượt năng lực hội đồng: "
                f"{vnformat.number(int(r.max_council_load))} sản phẩm so với "
                f"{vnformat.number(int(r.capacity_per_council))} sản phẩm có thể chấm."
            )
    passed = rounds.loc[rounds["deadline_passed"].astype(bool)]
    if not passed.empty:
        items = [_round_name(r.round, r.level, r.deadline) for r in passed.itertuples(index=False)]
        sentences.append(f"Đã quá thời hạn: {_join(items)}.")
    empty = rounds.loc[rounds["empty"] & rounds["level_in_force"]]
    if not empty.empty:
        items = [_round_name(r.round, r.level, r.deadline) for r in empty.itertuples(index=False)]
        sentences.append(f"Chưa có sản phẩm: {_join(items)}.")
    if unscheduled is not None and not unscheduled.empty:
        for level, steps in unscheduled.groupby("level", sort=False):
            n = steps["product_id"].nunique()
            if level == "central":
                sentences.append(
                    f"{vnformat.number(n)} sản phẩm hướng tới 5 sao, nếu đủ điểm, được đề nghị "
                    f"lên hội đồng Trung ương (ngoài các đợt của kế hoạch)."
                )
            else:
                sentences.append(
                    f"{vnformat.number(n)} sản phẩm cần đánh giá ở {_level_words(str(level))} nhưng kế "
                    f"hoạch không có đợt phù hợp."
                )
    if len(sentences) == 1:
        sentences.append("Tất cả các đợt đều do cấp có thẩm quyền tổ chức và trong năng lực của hội đồng.")
    return " ".join(sentences)


def expiry_paragraph(
    by_year: pd.DataFrame,
    year: int,
    share_not_reevaluated: float | None = None,
    column: str = "due",
    *,
    validity_months: int,
) -> str:
    """Re-evaluations falling due per year, expired certificates, and the stock lost if a share
    is not re-evaluated (``stock.expiry_by_year``, optionally ``stock.expiry_stock_effect``)."""
    items = [
        f"năm {int(r.due_year)}: {vnformat.number(int(getattr(r, column)))} sản phẩm"
        for r in by_year.itertuples(index=False)
        if not pd.isna(getattr(r, column))
    ]
    text = f"Số sản phẩm đến hạn đánh giá lại (giấy chứng nhận có giá trị {validity_months} tháng): {'; '.join(items)}."
    expired = int(by_year["expired_before_year"].sum())
    if expired:
        text += f" Trong đó {vnformat.number(expired)} sản phẩm có giấy chứng nhận đã hết hạn trước năm {year}."
    if "no_round_before_expiry" in by_year:
        late = int(by_year["no_round_before_expiry"].sum()) - expired
        if late > 0:
            text += (
                f" {vnformat.number(late)} sản phẩm hết hạn trước đợt đánh giá sớm nhất có thể tham gia: "
                f"cần tổ chức đánh giá lại sớm hơn."
            )
    if share_not_reevaluated:
        lost = float(by_year[column].astype("float64").fillna(0.0).sum()) * share_not_reevaluated
        text += (
            f" Nếu {vnformat.percent(share_not_reevaluated)} số sản phẩm đến hạn không được đánh giá lại, "
            f"trong {vnformat.number(len(by_year))} năm sẽ mất khoảng {_count(lost)} sản phẩm OCOP."
        )
    return text


# ----------------------------------------------------------------------------- the plan document
GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Mức đáp ứng theo thứ tự ưu tiên", "Tỷ lệ nhu cầu được hỗ trợ, tính nặng hơn cho tổ chức có điểm ưu tiên cao."),
    ("Địa phương được đáp ứng thấp nhất", "Đơn vị hành chính có tỷ lệ kinh phí được hỗ trợ trên nhu cầu thấp nhất."),
    (
        "Chênh lệch giữa các địa phương",
        "Khoảng cách (điểm %) giữa tỷ lệ đáp ứng cao nhất và thấp nhất của các địa phương.",
    ),
    (
        "Khoảng dao động 80%",
        "Tính lặp lại nhiều lần với chi phí và số sản phẩm đạt thay đổi ngẫu nhiên (có cố định để tái lập); "
        "8 trong 10 lần tính nằm giữa mức thấp và mức cao.",
    ),
    (
        "Số liệu minh họa",
        "Số liệu chi tiết được sinh để thử công cụ, khớp các tổng đã công bố; không phải số liệu thật.",
    ),
)


def targets_sentence(led: Ledger, year: int) -> str:
    """The plan's targets as the seed plan states them, each quoted from the ledger."""
    return (
        f"Năm {year}, đánh giá, phân hạng {q(led, 'target.total')} sản phẩm OCOP, trong đó "
        f"{q(led, 'target.new')} sản phẩm đánh giá lần đầu, {q(led, 'target.reevaluation')} sản phẩm "
        f"đánh giá lại và {q(led, 'target.upgrade')} sản phẩm nâng hạng sao; phấn đấu đến cuối năm có ít nhất "
        f"{q(led, 'target.stock')} sản phẩm OCOP đạt từ 3 sao; hỗ trợ "
        f"{q(led, 'target.organisations_branding')} tổ chức kinh tế quản lý nhãn hiệu, bao bì, tem nhãn; "
        f"kinh phí thực hiện {about(led, 'target.budget_total_vnd')}."
    )


def rounds_sentence(rounds: pd.DataFrame, year: int, led: Ledger) -> str:
    """'Năm … tổ chức <n> đợt …: cấp huyện hoàn thành trước 15/6 và 15/10, cấp tỉnh trước 10/7 và 30/10.'"""
    parts = []
    for level in sorted(set(rounds["level"]), key=lambda lv: list(labels.LEVEL).index(lv) if lv in labels.LEVEL else 9):
        dates = [vnformat.date(d) for d in rounds.loc[rounds["level"] == level, "deadline"].sort_values()]
        parts.append(f"{_level_words(level)} hoàn thành trước {_join(dates)}")
    return f"Năm {year}, tổ chức {q(led, 'rounds.count')} đợt đánh giá, phân hạng sản phẩm: {'; '.join(parts)}."


def branding_paragraph(led: Ledger, plan) -> str:
    """III.2: the published target, the envelope, and — from the requests — the need at the norm and
    the organisations of the target left without money (the gap, stated once)."""
    text = (
        f"Hỗ trợ {q(led, 'target.organisations_branding')} tổ chức kinh tế đăng ký, quản lý nhãn hiệu, thiết kế "
        f"bao bì, in tem nhãn theo định mức hỗ trợ hiện hành; kinh phí bố trí {q(led, 'budget.line.branding_vnd')}."
    )
    if "branding.share_met" not in led or led.value("branding.shortfall_vnd") == 0:
        return text + " Kinh phí bố trí đủ cho nhu cầu theo định mức của các tổ chức đã đăng ký."
    illustrative = led["branding.need_vnd"].provenance == "illustrative"
    basis = (
        "Theo danh sách đề nghị hỗ trợ (số liệu minh họa, chưa phải đề nghị thật)"
        if illustrative
        else ("Theo đề nghị của các tổ chức kinh tế")
    )
    text += (
        f" {basis}, nhu cầu theo định mức là {q(led, 'branding.need_vnd')}; kinh phí bố trí đáp ứng "
        f"{q(led, 'branding.share_met')} nhu cầu"
    )
    gap = led.value("allocation.target_gap")
    if gap:
        text += (
            f", nên {q(led, 'allocation.target_gap')} tổ chức trong chỉ tiêu chưa có kinh phí hỗ trợ. Cách phân bổ "
            "và phương án bổ sung kinh phí trình tại Tờ trình kèm theo."
        )
    else:
        text += "; mọi tổ chức trong chỉ tiêu đều được hỗ trợ, có tổ chức được hỗ trợ một phần theo cách phân bổ trình tại Tờ trình kèm theo."
    return text


def budget_paragraph(led: Ledger, illustrative: bool) -> str:
    """IV: the total, the number of lines, and — when the split is illustrative — that in words; when the
    lines do not add to the published total, the difference once."""
    text = (
        f"Tổng kinh phí thực hiện Kế hoạch {about(led, 'target.budget_total_vnd')}, gồm "
        f"{q(led, 'budget.lines')} nội dung chi; nguồn kinh phí theo phân cấp ngân sách hiện hành."
    )
    if illustrative:
        text += (
            " Phân chia theo nội dung chi và theo nguồn dưới đây là dự kiến minh họa, chia từ tổng kinh phí đã "
            "công bố; cơ quan tài chính xác định khi giao dự toán."
        )
    if "budget.difference_vnd" in led:
        more = led.value("budget.lines_total_vnd") > led.value("target.budget_total_vnd")
        text += (
            f" Tổng các nội dung chi là {q(led, 'budget.lines_total_vnd')}, "
            f"{'cao' if more else 'thấp'} hơn kinh phí đã công bố {q(led, 'budget.difference_vnd')}."
        )
    return text


def own_contribution_sentence(led: Ledger, illustrative: bool) -> str:
    """What the organisations pay themselves beyond the support."""
    basis = " (ước tính trên danh sách đề nghị minh họa)" if illustrative else " theo đề nghị của các tổ chức"
    return (
        "Ngoài kinh phí trên, các tổ chức kinh tế đối ứng phần chi phí nhãn hiệu, bao bì, tem nhãn vượt mức "
        f"hỗ trợ, dự kiến {q(led, 'branding.own_contribution_vnd')}{basis}."
    )
