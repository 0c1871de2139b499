"""Figures of the outcome targets (every plan) and of the season as of a date (the report).

``outcome.<id>.value`` / ``.expected`` / ``.chance`` for each outcome target of the plan (the stock
target's value is the plan's ``target.stock``); ``season.*`` for what happened by ``as_of``: products
evaluated and recognised per stream, recognitions per star, the stock now and expected at year end,
spending per budget line and what is left, rewards owed, organisations paid and still waiting.
"""

from __future__ import annotations

import math

from ocop_helpers.core import vnformat
from ocop_helpers.domain import labels
from ocop_helpers.inputs.plan import OutcomeTarget
from ocop_helpers.model.compute import Results
from ocop_helpers.model.ledger import Ledger, builder
from ocop_helpers.model.season import Season, season_of

source_text = vnformat.without_source_codes


def target_text(t: OutcomeTarget, year: int) -> str:
    """What an outcome target measures, in the plan's words (its ``text``) or written from its kind."""
    if t.text:
        return t.text
    star = f"{t.star} sao" if not t.or_higher or t.star == 5 else f"từ {t.star} sao"
    who = "Sản phẩm"
    if tuple(t.streams) == ("new",):
        who = "Sản phẩm đánh giá lần đầu"
    elif tuple(t.streams) != ("new", "reevaluation", "upgrade"):
        who = "Sản phẩm (" + ", ".join(labels.STREAM.get(s, s).lower() for s in t.streams) + ")"
    return {
        "recognised": f"{who} được công nhận đạt {star} trong năm {year}",
        "stock": f"Sản phẩm OCOP đạt từ 3 sao đến cuối năm {year} (lũy kế)",
        "per_unit": f"Số đơn vị hành chính có đủ sản phẩm được công nhận đạt {star} trong năm {year}",
        "share_registered": f"Tỷ lệ sản phẩm đăng ký đánh giá năm {year} được công nhận đạt {star}",
        "share_organisation_type": (
            f"Tỷ lệ {labels.ORGANISATION_TYPE.get(t.organisation_type, t.organisation_type).lower()} trong các "
            f"chủ thể có sản phẩm được công nhận năm {year}"
        ),
        "centre_candidates": f"Sản phẩm đạt điểm 5 sao đề nghị Trung ương công nhận năm {year}",
    }[t.kind]


def unit_of(t: OutcomeTarget) -> str:
    """The ledger unit of an outcome target's value."""
    return "tỷ lệ" if t.is_share else "đơn vị" if t.kind == "per_unit" else "sản phẩm"


def value_id(t: OutcomeTarget, led: Ledger) -> str:
    """The figure that states the target's value (the plan's ``target.stock`` for the stock target)."""
    if t.kind == "stock" and "target.stock" in led and led.value("target.stock") == t.value:
        return "target.stock"
    return f"outcome.{t.id}.value"


def at_risk(r: Results, s: Season | None = None) -> list[OutcomeTarget]:
    """The outcome targets whose chance by the year end is below the scenario's threshold."""
    s = s or season_of(r)
    table = s.forecast.table.set_index("target_id")
    return [t for t in s.targets if float(table.loc[t.id, "chance"]) < float(r.params.target_risk_chance)]


@builder
def outcome_targets(r: Results, led: Ledger) -> None:
    """Each outcome target: its value, expected value and chance of being met by the year end."""
    s = season_of(r)
    year = r.plan.year
    table = s.forecast.table.set_index("target_id")
    for t in s.targets:
        text = target_text(t, year)
        unit = unit_of(t)
        if value_id(t, led) != "target.stock":
            value = t.value
            if t.kind == "per_unit":
                value = len(r.plan.units)
            prov = "assumption" if t.assumed else "published"
            led.figure(
                f"outcome.{t.id}.value",
                value,
                unit,
                f"Mục tiêu: {text}",
                prov,
                source="" if t.assumed else source_text(t.source),
            )
            if t.kind == "per_unit":
                led.figure(
                    f"outcome.{t.id}.per_unit",
                    t.value,
                    "sản phẩm",
                    f"Mục tiêu: số sản phẩm tối thiểu mỗi đơn vị — {text}",
                    prov,
                )
        row = table.loc[t.id]
        expected = float(row["expected"])
        led.figure(
            f"outcome.{t.id}.expected",
            expected if t.is_share else round(expected),
            unit,
            f"Dự kiến (bình quân các khả năng) đến cuối năm: {text}",
            "assumption",
        )
        led.figure(
            f"outcome.{t.id}.chance",
            float(row["chance"]),
            "khả năng",
            f"Khả năng đạt mục tiêu đến cuối năm: {text}",
            "assumption",
        )
        short = round(float(t.value) - expected)
        if t.kind in ("recognised", "stock", "centre_candidates") and short > 0:
            led.figure(
                f"outcome.{t.id}.gap", short, "sản phẩm", f"Số sản phẩm còn thiếu so với mục tiêu: {text}", "assumption"
            )
            rate = float(r.params.pass_rate_new)
            if t.kind != "centre_candidates" and rate > 0:
                led.figure(
                    f"outcome.{t.id}.new_needed",
                    math.ceil(short / rate),
                    "sản phẩm",
                    f"Sản phẩm đánh giá lần đầu cần thêm để bù số còn thiếu: {text}",
                    "assumption",
                )
    led.figure(
        "outcome.risk_threshold",
        float(r.params.target_risk_chance),
        "khả năng",
        "Ngưỡng khả năng đạt dưới đó mục tiêu kết quả được nêu là có nguy cơ không đạt",
        "assumption",
    )


@builder
def season_results(r: Results, led: Ledger) -> None:
    """What happened by ``as_of`` (the results entered) and what is left: the report's figures."""
    s = season_of(r)
    if not s.has_results:
        return
    on = vnformat.date(s.as_of)
    prov = r.plan.provenance_of("results")
    year = r.plan.year
    led.figure("season.rounds_held", s.rounds_held, "đợt", f"Đợt đánh giá đã đến hạn đến ngày {on}", prov)
    total_planned = int(s.streams["planned"].sum())
    led.figure("season.evaluated", s.evaluated, "sản phẩm", f"Sản phẩm đã đánh giá, phân hạng đến ngày {on}", prov)
    if total_planned:
        led.figure(
            "season.evaluated_share",
            s.evaluated / total_planned,
            "tỷ lệ",
            f"Sản phẩm đã đánh giá đến ngày {on} so với kế hoạch năm {year}",
            prov,
        )
    led.figure("season.recognised", s.recognised, "sản phẩm", f"Sản phẩm được công nhận đến ngày {on}", prov)
    led.figure(
        "season.not_recognised",
        int(s.streams["not_recognised"].sum()),
        "sản phẩm",
        f"Sản phẩm đã đánh giá nhưng chưa được công nhận đến ngày {on}",
        prov,
    )
    led.figure(
        "season.waiting",
        int(s.streams["waiting"].sum()),
        "sản phẩm",
        f"Sản phẩm của kế hoạch chưa có kết quả đánh giá đến ngày {on}",
        prov,
    )
    led.figure(
        "season.below_band",
        s.below_band,
        "sản phẩm",
        f"Sản phẩm chưa được công nhận có điểm dưới mức 3 sao đến ngày {on}",
        prov,
    )
    led.figure(
        "season.next.reevaluations_due",
        s.reevaluations_due_next,
        "sản phẩm",
        f"Sản phẩm có giấy chứng nhận đến hạn đánh giá lại trong năm {year + 1}",
        r.plan.provenance_of("products"),
    )
    for row in s.streams.itertuples(index=False):
        name = labels.STREAM[row.stream].lower()
        led.figure(
            f"season.{row.stream}.evaluated",
            row.evaluated,
            "sản phẩm",
            f"Sản phẩm {name} đã đánh giá đến ngày {on}",
            prov,
        )
        led.figure(
            f"season.{row.stream}.recognised",
            row.recognised,
            "sản phẩm",
            f"Sản phẩm {name} được công nhận đến ngày {on}",
            prov,
        )
        led.figure(
            f"season.{row.stream}.waiting",
            row.waiting,
            "sản phẩm",
            f"Sản phẩm {name} chưa có kết quả đến ngày {on}",
            prov,
        )
        if row.planned:
            led.figure(
                f"season.{row.stream}.share",
                row.evaluated / row.planned,
                "tỷ lệ",
                f"Sản phẩm {name} đã đánh giá đến ngày {on} so với kế hoạch năm {year}",
                prov,
            )
    for row in s.stars.itertuples(index=False):
        led.figure(
            f"season.star{row.star}",
            row.recognised,
            "sản phẩm",
            f"Sản phẩm được công nhận {row.star} sao đến ngày {on}",
            prov,
        )
    led.figure(
        "season.stock_now",
        s.stock_now,
        "sản phẩm",
        f"Sản phẩm OCOP đạt từ 3 sao tại ngày {on} (theo kết quả đã nhập)",
        prov,
    )
    led.figure(
        "season.stock_end",
        round(s.forecast.stock_mean),
        "sản phẩm",
        f"Sản phẩm OCOP đạt từ 3 sao dự kiến đến cuối năm {year}, tính lại từ kết quả đến ngày {on}",
        "assumption",
    )
    spent_on = vnformat.date(s.spending_as_of) if s.spending_as_of else on
    for row in s.lines.itertuples(index=False):
        name = labels.BUDGET_LINE.get(row.line, row.line)
        led.figure(
            f"season.line.{row.line}.spent_vnd", int(row.spent_vnd), "đồng", f"Đã chi đến ngày {spent_on}: {name}", prov
        )
        led.figure(
            f"season.line.{row.line}.left_vnd", int(row.left_vnd), "đồng", f"Còn lại sau ngày {spent_on}: {name}", prov
        )
        if row.planned_vnd:
            led.figure(
                f"season.line.{row.line}.share",
                float(row.share_spent),
                "tỷ lệ",
                f"Tỷ lệ đã chi so với kế hoạch đến ngày {spent_on}: {name}",
                prov,
            )
    spent = int(s.lines["spent_vnd"].sum())
    planned = int(s.lines["planned_vnd"].sum())
    led.figure("season.spent_vnd", spent, "đồng", f"Tổng kinh phí đã chi đến ngày {spent_on}", prov)
    led.figure("season.left_vnd", planned - spent, "đồng", f"Tổng kinh phí còn lại sau ngày {spent_on}", prov)
    if planned:
        led.figure(
            "season.spent_share", spent / planned, "tỷ lệ", f"Tỷ lệ tổng kinh phí đã chi đến ngày {spent_on}", prov
        )
    rewards_line = int(s.lines.set_index("line")["planned_vnd"].get("rewards", 0))
    if s.rewards_owed_vnd > rewards_line:
        led.figure(
            "season.rewards_over_vnd",
            s.rewards_owed_vnd - rewards_line,
            "đồng",
            f"Tiền thưởng phải chi cho các sản phẩm được công nhận đến ngày {on} vượt dự toán thưởng",
            prov,
        )
    funding = r.official[0]["funding_sources"].drop_duplicates("source_id").set_index("source_id")["name"]
    for row in s.sources_left.itertuples(index=False):
        led.figure(
            f"season.source.{row.source_id}.left_vnd",
            int(row.amount_vnd),
            "đồng",
            f"Kinh phí còn lại sau ngày {spent_on} theo nguồn: {funding.get(row.source_id, row.source_id)}",
            prov,
        )
    led.figure(
        "season.rewards_owed_vnd",
        s.rewards_owed_vnd,
        "đồng",
        f"Tiền thưởng theo hạng sao phải chi cho các sản phẩm được công nhận đến ngày {on}",
        prov,
    )
    led.figure(
        "season.support_paid_vnd",
        s.support_paid_vnd,
        "đồng",
        f"Kinh phí hỗ trợ nhãn hiệu, bao bì, tem nhãn đã trả đến ngày {on}",
        prov,
    )
    led.figure(
        "season.organisations_paid",
        s.organisations_paid,
        "tổ chức",
        f"Tổ chức kinh tế đã được hỗ trợ đến ngày {on}",
        prov,
    )
    led.figure(
        "season.organisations_waiting",
        s.organisations_waiting,
        "tổ chức",
        f"Tổ chức kinh tế đề nghị hỗ trợ chưa được hỗ trợ đến ngày {on}",
        prov,
    )
    table = s.forecast.table.set_index("target_id")
    for t in s.targets:
        realised = float(table.loc[t.id, "realised"])
        if t.kind == "stock":
            continue  # the stock now is season.stock_now
        text = target_text(t, year)
        led.figure(
            f"season.outcome.{t.id}.realised",
            realised if t.is_share else round(realised),
            unit_of(t),
            f"Đã đạt đến ngày {on}: {text}",
            prov,
        )
