"""Figures of the decisions the submission (Tờ trình) puts before the signer, one per quantity.

For each decision of :func:`ocop_helpers.model.findings.for_submission` the options' consequences
are registered here: organisations funded fully, partly or not at all, the least-served unit's
share, the priority-weighted share met, what each option costs and does to the total, the chance
that rewards exceed their line, and the products and sittings of the calendar options. A quantity
the ledger already holds is not defined again: the current rule's counts are ``allocation.*``, the
envelope and the reward line ``budget.line.*``, the need and its shortfall ``branding.*``. The
``*_id`` functions give the id under which a decision's quantity is found, for the documents.
"""

from __future__ import annotations

import pandas as pd

from ocop_helpers.domain import labels
from ocop_helpers.model import findings
from ocop_helpers.model.compute import Results
from ocop_helpers.model.figures.plan import provenance
from ocop_helpers.model.ledger import Ledger, builder

ALLOCATION_METRICS = ("fully_funded", "partly_funded", "not_funded")
ENVELOPE_WORDS = {
    "keep": "giữ nguyên kinh phí hỗ trợ nhãn hiệu, bao bì, tem nhãn",
    "move_from_rewards": "chuyển phần dự toán thưởng sau công nhận sang hỗ trợ nhãn hiệu, bao bì, tem nhãn",
    "fund_need": "bổ sung đủ nhu cầu hỗ trợ nhãn hiệu, bao bì, tem nhãn",
}


def _rule_name(rule: str) -> str:
    return labels.ALLOCATION_RULE.get(rule, rule)


def rule_metric_id(r: Results, rule: str, metric: str) -> str:
    """The id of ``metric`` (fully_funded, partly_funded, not_funded, least_unit_share,
    weighted_coverage) for allocation ``rule`` at the plan's envelope."""
    if rule == r.params.rule and metric in ALLOCATION_METRICS:
        return f"allocation.{metric}"
    return f"decision.rule.{rule}.{metric}"


def envelope_id(r: Results) -> str:
    """The branding envelope: the budget line when it is the envelope (it is, unless a parameter
    sets another)."""
    line = r.budget_lines.set_index("line")["amount_vnd"]
    return (
        "budget.line.branding_vnd" if int(line.get("branding", -1)) == int(r.envelope_vnd) else "decision.envelope_vnd"
    )


def envelope_metric_id(r: Results, option: str, rule: str, metric: str) -> str:
    """The id of an envelope option's quantity. ``keep`` is the allocation at the plan's envelope
    under ``rule`` (the rule decision's figures); ``fund_need`` funds every requesting organisation."""
    if option == "keep" and metric in (*ALLOCATION_METRICS, "least_unit_share"):
        return rule_metric_id(r, rule, metric)
    if option == "keep" and metric == "branding_vnd":
        return envelope_id(r)
    if option in ("keep", "fund_need") and metric == "rewards_vnd":
        return "budget.line.rewards_vnd"
    if option in ("keep", "fund_need") and metric == "rewards_over_line":
        return "decision.envelope.rewards_over_line"
    if option == "fund_need":
        return {
            "branding_vnd": "branding.need_vnd",
            "extra_vnd": "branding.shortfall_vnd",
            "fully_funded": "branding.requesting",
        }.get(metric, f"decision.envelope.fund_need.{metric}")
    return f"decision.envelope.{option}.{metric}"


LATE_IDS = {
    "late": "decision.late.products",
    "forward": "decision.late.forward",
    "no_round": "decision.late.no_round",
    "extra": "decision.late.extra",
    "sittings": "decision.late.sittings",
    "unreachable": "decision.late.unreachable",
}


def late_lapsing_id(option: str) -> str:
    """Products whose certificate lapses before re-evaluation under ``option`` (one quantity each)."""
    return {"bring_forward": LATE_IDS["no_round"], "extra_round": LATE_IDS["unreachable"], "keep": LATE_IDS["late"]}[
        option
    ]


def _add_rule(r: Results, led: Ledger, rule: str, row: pd.Series, prov: str) -> None:
    """The figures of one allocation rule at the plan's envelope (those not yet in the ledger)."""
    name = _rule_name(rule)
    words = {
        "fully_funded": f"Tổ chức được hỗ trợ đủ theo định mức, phân bổ theo cách “{name}”",
        "partly_funded": f"Tổ chức được hỗ trợ một phần, phân bổ theo cách “{name}”",
        "not_funded": f"Tổ chức có đề nghị nhưng chưa được hỗ trợ, phân bổ theo cách “{name}”",
    }
    for metric, definition in words.items():
        fid = rule_metric_id(r, rule, metric)
        if fid not in led:
            led.figure(fid, int(row[metric]), "tổ chức", definition, prov)
    fid = rule_metric_id(r, rule, "least_unit_share")
    if fid not in led and not pd.isna(row["least_unit_share"]):
        led.figure(
            fid,
            float(row["least_unit_share"]),
            "tỷ lệ",
            f"Tỷ lệ nhu cầu được đáp ứng của địa phương được đáp ứng thấp nhất, phân bổ theo cách “{name}”",
            prov,
        )
    fid = rule_metric_id(r, rule, "weighted_coverage")
    if fid not in led and "weighted_coverage" in row and not pd.isna(row["weighted_coverage"]):
        led.figure(
            fid,
            float(row["weighted_coverage"]),
            "tỷ lệ",
            f"Mức đáp ứng theo thứ tự ưu tiên, phân bổ theo cách “{name}”",
            prov,
        )


def _allocation(r: Results, led: Ledger, d: findings.Decision, prov: str) -> None:
    if envelope_id(r) not in led:
        led.figure(
            envelope_id(r), int(r.envelope_vnd), "đồng", "Kinh phí bố trí hỗ trợ nhãn hiệu, bao bì, tem nhãn", prov
        )
    for _, row in d.options.iterrows():
        _add_rule(r, led, str(row["option"]), row, prov)


def _envelope(r: Results, led: Ledger, d: findings.Decision, prov: str) -> None:
    f = d.facts
    rule = str(f["rule"])
    name = _rule_name(rule)
    o = d.options.set_index("option")
    sim_prov = provenance(r, "products", "norms", "budget_lines")
    if "keep" in o.index:
        _add_rule(r, led, rule, o.loc["keep"], prov)
        led.figure(
            "decision.envelope.rewards_over_line",
            float(o.loc["keep", "rewards_over_line"]),
            "khả năng",
            "Khả năng số tiền thưởng sau công nhận vượt dự toán thưởng đã bố trí",
            sim_prov,
        )
    led.figure(
        "decision.envelope.rewards_high_vnd",
        int(f["rewards_high_vnd"]),
        "đồng",
        "Số tiền thưởng sau công nhận đủ chi trong chín trên mười khả năng về số sản phẩm đạt",
        sim_prov,
    )
    if "move_from_rewards" in o.index:
        mv = o.loc["move_from_rewards"]
        moved = int(mv["branding_vnd"]) - int(f["envelope_vnd"])
        led.figure(
            "decision.envelope.moved_vnd",
            moved,
            "đồng",
            "Kinh phí chuyển từ dự toán thưởng sau công nhận sang hỗ trợ nhãn hiệu, bao bì, tem nhãn",
            prov,
        )
        pid = "decision.envelope.move_from_rewards"
        led.figure(
            f"{pid}.branding_vnd",
            int(mv["branding_vnd"]),
            "đồng",
            "Kinh phí hỗ trợ nhãn hiệu, bao bì, tem nhãn sau khi chuyển từ dự toán thưởng",
            prov,
        )
        led.figure(
            f"{pid}.rewards_vnd",
            int(mv["rewards_vnd"]),
            "đồng",
            "Dự toán thưởng sau công nhận còn lại sau khi chuyển sang hỗ trợ nhãn hiệu, bao bì, tem nhãn",
            prov,
        )
        after = f"phân bổ theo cách “{name}” sau khi chuyển từ dự toán thưởng"
        led.figure(f"{pid}.fully_funded", int(mv["fully_funded"]), "tổ chức", f"Tổ chức được hỗ trợ đủ, {after}", prov)
        led.figure(
            f"{pid}.partly_funded", int(mv["partly_funded"]), "tổ chức", f"Tổ chức được hỗ trợ một phần, {after}", prov
        )
        led.figure(f"{pid}.not_funded", int(mv["not_funded"]), "tổ chức", f"Tổ chức chưa được hỗ trợ, {after}", prov)
        if not pd.isna(mv["least_unit_share"]):
            led.figure(
                f"{pid}.least_unit_share",
                float(mv["least_unit_share"]),
                "tỷ lệ",
                f"Tỷ lệ nhu cầu được đáp ứng của địa phương được đáp ứng thấp nhất, {after}",
                prov,
            )
        led.figure(
            f"{pid}.rewards_over_line",
            float(mv["rewards_over_line"]),
            "khả năng",
            "Khả năng số tiền thưởng sau công nhận vượt dự toán thưởng còn lại sau khi chuyển",
            sim_prov,
        )
    if "fund_need" in o.index:
        total = int(r.plan.targets.budget_total_vnd) + int(o.loc["fund_need", "extra_vnd"])
        led.figure(
            "decision.envelope.fund_need.total_vnd",
            total,
            "đồng",
            "Tổng kinh phí Kế hoạch nếu bổ sung đủ nhu cầu hỗ trợ nhãn hiệu, bao bì, tem nhãn",
            provenance(r, "targets", "requests", "norms"),
        )


def _calendar(r: Results, led: Ledger, d: findings.Decision) -> None:
    prov = provenance(r, "products", "rounds")
    o = d.options.set_index("option")
    first = o.iloc[0]
    led.figure(
        "decision.calendar.rounds_over",
        int(d.facts["rounds_over"]),
        "đợt",
        "Số đợt đánh giá có hội đồng phải chấm nhiều sản phẩm hơn năng lực",
        prov,
    )
    led.figure(
        "decision.calendar.busiest_load",
        int(first["busiest_load"]),
        "sản phẩm",
        "Sản phẩm của hội đồng đông nhất trong đợt vượt năng lực nhiều nhất",
        prov,
    )
    led.figure(
        "decision.calendar.capacity",
        int(first["capacity"]),
        "sản phẩm",
        "Sản phẩm một hội đồng chấm được trong một đợt theo số phiên họp của kế hoạch",
        "assumption" if prov != "illustrative" else prov,
    )
    led.figure(
        "decision.calendar.sessions_per_round",
        int(d.facts["sessions_per_round"]),
        "phiên",
        "Số phiên họp hội đồng trong một đợt theo kế hoạch",
        "assumption",
    )
    led.figure(
        "decision.calendar.not_scored",
        int(o.loc["as_filed", "not_scored"]),
        "sản phẩm",
        "Sản phẩm vượt năng lực hội đồng trong đợt đông nhất nếu giữ lịch như kế hoạch",
        prov,
    )
    led.figure(
        "decision.calendar.more_sessions.extra_sessions",
        int(o.loc["more_sessions", "extra_sessions"]),
        "phiên",
        "Số phiên họp hội đồng phải thêm trong đợt đông nhất để chấm hết sản phẩm đúng thời hạn",
        prov,
    )
    led.figure(
        "decision.calendar.extra_round.rounds",
        int(o.loc["extra_round", "extra_rounds"]),
        "đợt",
        "Số đợt đánh giá tổ chức thêm khi đủ hồ sơ để mỗi đợt trong năng lực hội đồng",
        prov,
    )


def _late(r: Results, led: Ledger, d: findings.Decision) -> None:
    prov = provenance(r, "products")
    o = d.options.set_index("option")
    f = d.facts
    led.figure(
        LATE_IDS["late"],
        int(f["late"]),
        "sản phẩm",
        "Sản phẩm đánh giá lại xếp vào đợt có thời hạn sau ngày giấy chứng nhận hết hạn",
        prov,
    )
    led.figure(
        LATE_IDS["forward"],
        int(o.loc["bring_forward", "products"]),
        "sản phẩm",
        "Sản phẩm đánh giá lại có đợt đánh giá trước ngày giấy chứng nhận hết hạn (đưa lên đợt sớm hơn)",
        prov,
    )
    led.figure(
        LATE_IDS["no_round"],
        int(f["no_round"]),
        "sản phẩm",
        "Sản phẩm đánh giá lại không có đợt đánh giá nào của kế hoạch trước ngày giấy chứng nhận hết hạn",
        prov,
    )
    led.figure(
        LATE_IDS["unreachable"],
        int(f["unreachable"]),
        "sản phẩm",
        "Sản phẩm đánh giá lại hết hạn quá sớm để kịp thông báo và đánh giá trước ngày hết hạn",
        prov,
    )
    if "extra_round" in o.index:
        led.figure(
            LATE_IDS["extra"],
            int(o.loc["extra_round", "extra"]),
            "sản phẩm",
            "Sản phẩm đánh giá lại tại phiên họp thêm khi đủ hồ sơ, trước ngày giấy chứng nhận hết hạn",
            prov,
        )
        led.figure(
            LATE_IDS["sittings"],
            int(o.loc["extra_round", "sittings"]),
            "phiên",
            "Số phiên họp thêm của hội đồng để đánh giá lại trước ngày giấy chứng nhận hết hạn",
            prov,
        )
    months = r.certificate_terms.get("validity_months")
    if months and "certificate.validity_months" not in led:
        led.figure(
            "certificate.validity_months",
            int(months),
            "tháng",
            "Thời hạn của giấy chứng nhận sản phẩm OCOP",
            "published",
            source="Quyết định 148/QĐ-TTg",
        )


@builder
def proposals(r: Results, led: Ledger) -> None:
    """The options of each decision of the submission, with their consequences."""
    prov = provenance(r, "requests", "organisations", "norms", "budget_lines")
    for d in findings.for_submission(r.decisions):
        if d.kind == "allocation_rule":
            _allocation(r, led, d, prov)
        elif d.kind == "branding_envelope":
            _envelope(r, led, d, prov)
        elif d.kind == "calendar":
            _calendar(r, led, d)
        elif d.kind == "late_reevaluations":
            _late(r, led, d)
