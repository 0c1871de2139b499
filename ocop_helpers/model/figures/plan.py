"""Figures of the plan's body: the published targets, the rounds, the branding support and the budget."""

from __future__ import annotations

from ocop_helpers.core import vnformat
from ocop_helpers.domain import labels
from ocop_helpers.model.compute import Results
from ocop_helpers.model.ledger import Ledger, builder

source_text = vnformat.without_source_codes


def provenance(r: Results, *datasets: str, computed: bool = True) -> str:
    """The provenance of a figure made from these datasets of ``r``'s plan (:meth:`Plan.provenance_of`)."""
    return r.plan.provenance_of(*datasets, computed=computed)


@builder
def targets(r: Results, led: Ledger) -> None:
    """The published targets of part II."""
    t = r.plan.targets
    src = r.plan.sources
    prov = provenance(r, "targets", computed=False)
    year = r.plan.year
    led.figure(
        "target.total",
        t.total,
        "sản phẩm",
        f"Sản phẩm đánh giá, phân hạng năm {year}",
        prov,
        source=source_text(src.get("targets", "")),
    )
    led.figure(
        "target.new",
        t.new,
        "sản phẩm",
        f"Sản phẩm đánh giá lần đầu năm {year}",
        prov,
        source=source_text(src.get("targets", "")),
    )
    led.figure(
        "target.reevaluation",
        t.reevaluation,
        "sản phẩm",
        f"Sản phẩm đánh giá lại năm {year}",
        prov,
        source=source_text(src.get("targets", "")),
    )
    led.figure(
        "target.upgrade",
        t.upgrade,
        "sản phẩm",
        f"Sản phẩm nâng hạng sao năm {year}",
        prov,
        source=source_text(src.get("targets", "")),
    )
    led.figure(
        "target.stock",
        t.stock_target,
        "sản phẩm",
        f"Sản phẩm OCOP đạt từ 3 sao đến cuối năm {year} (lũy kế, tối thiểu)",
        prov,
        source=source_text(src.get("stock_target", "")),
    )
    led.figure(
        "target.organisations_branding",
        t.organisations_branding,
        "tổ chức",
        "Tổ chức kinh tế được hỗ trợ quản lý nhãn hiệu, bao bì, tem nhãn (chỉ tiêu)",
        prov,
        source=source_text(src.get("organisations_branding", "")),
    )
    led.figure(
        "target.budget_total_vnd",
        int(t.budget_total_vnd),
        "đồng",
        f"Kinh phí thực hiện Kế hoạch năm {year}",
        prov,
        source=source_text(src.get("budget_total_vnd", "")),
        approximate="budget_total_vnd" in r.plan.approximate,
    )


@builder
def rounds(r: Results, led: Ledger) -> None:
    """How many evaluation rounds the plan holds (a round number may sit at several levels)."""
    rounds = r.round_authorities_issued
    led.figure(
        "rounds.count",
        int(rounds["round"].nunique()),
        "đợt",
        "Số đợt đánh giá, phân hạng trong năm",
        provenance(r, "rounds", computed=False),
        source=source_text(r.plan.sources.get("rounds", "")),
    )


@builder
def budget(r: Results, led: Ledger) -> None:
    """Part IV: each budget line and source with its share of the lines' total (the branding line is
    the envelope of the support); when the lines do not add to the published total, the difference."""
    lines_total = int(r.budget_lines["amount_vnd"].sum())
    total = lines_total
    prov = provenance(r, "budget_lines", computed=False)
    published = int(r.plan.targets.budget_total_vnd)
    if lines_total != published:
        led.figure(
            "budget.lines_total_vnd", lines_total, "đồng", "Tổng kinh phí theo các nội dung chi của phương án", prov
        )
        led.figure(
            "budget.difference_vnd",
            abs(lines_total - published),
            "đồng",
            "Chênh lệch giữa tổng các nội dung chi và kinh phí đã công bố",
            prov,
        )
    for x in r.budget_lines.itertuples(index=False):
        name = labels.BUDGET_LINE.get(x.line, x.line)
        led.figure(f"budget.line.{x.line}_vnd", int(x.amount_vnd), "đồng", f"Kinh phí nội dung chi: {name}", prov)
        led.figure(
            f"budget.line.{x.line}_share",
            x.amount_vnd / total if total else 0.0,
            "tỷ lệ",
            f"Tỷ lệ của nội dung chi “{name}” trong tổng kinh phí",
            prov,
        )
    led.figure("budget.lines", len(r.budget_lines), "đơn vị", "Số nội dung chi của Kế hoạch", prov)
    funding = r.official[0]["funding_sources"]
    names = dict(zip(funding["source_id"], funding["name"], strict=False))
    for s in r.budget_sources.itertuples(index=False):
        name = names.get(s.source_id, str(s.source_id))
        led.figure(
            f"budget.source.{s.source_id}_vnd",
            int(s.amount_vnd),
            "đồng",
            f"Kinh phí theo nguồn: {name}",
            "assumption" if s.certainty != "published" and prov != "illustrative" else prov,
        )


@builder
def branding(r: Results, led: Ledger) -> None:
    """The branding support: the envelope, what the norms allow for the requests, and the share met."""
    prov = provenance(r, "requests", "organisations", "norms", "budget_lines")
    orgs = r.claim_organisations
    need = int(orgs["claim_vnd"].sum())
    led.figure(
        "branding.requesting",
        int((orgs["claim_vnd"] > 0).sum()),
        "tổ chức",
        "Tổ chức kinh tế có đề nghị hỗ trợ nhãn hiệu, bao bì, tem nhãn",
        provenance(r, "requests"),
    )
    led.figure(
        "branding.requests",
        len(r.claim_items),
        "đề nghị",
        "Số đề nghị hỗ trợ nhãn hiệu, bao bì, tem nhãn",
        provenance(r, "requests"),
    )
    led.figure(
        "branding.need_vnd",
        need,
        "đồng",
        "Nhu cầu hỗ trợ nhãn hiệu, bao bì, tem nhãn theo định mức (theo đề nghị của các tổ chức)",
        prov,
    )
    if need > 0:
        led.figure(
            "branding.share_met",
            min(1.0, r.envelope_vnd / need),
            "tỷ lệ",
            "Tỷ lệ nhu cầu theo định mức được kinh phí bố trí đáp ứng",
            prov,
        )
    shortfall = max(0, need - int(r.envelope_vnd))
    led.figure("branding.shortfall_vnd", shortfall, "đồng", "Phần nhu cầu theo định mức vượt kinh phí bố trí", prov)
    own = int((r.claim_items["cost_vnd"] - r.claim_items["claim_vnd"]).clip(lower=0).sum())
    led.figure(
        "branding.own_contribution_vnd",
        own,
        "đồng",
        "Phần chi phí nhãn hiệu, bao bì, tem nhãn vượt mức hỗ trợ do tổ chức kinh tế đối ứng",
        provenance(r, "requests", "norms"),
    )
    m = r.allocation_metrics
    rule = labels.ALLOCATION_RULE.get(r.params.rule, r.params.rule)
    led.figure(
        "allocation.fully_funded",
        m.fully_funded,
        "tổ chức",
        f"Tổ chức được hỗ trợ đủ theo định mức, phân bổ theo cách “{rule}”",
        prov,
    )
    led.figure(
        "allocation.partly_funded",
        m.partly_funded,
        "tổ chức",
        f"Tổ chức được hỗ trợ một phần, phân bổ theo cách “{rule}”",
        prov,
    )
    led.figure(
        "allocation.not_funded",
        m.not_funded,
        "tổ chức",
        f"Tổ chức có đề nghị nhưng chưa được hỗ trợ, phân bổ theo cách “{rule}”",
        prov,
    )
    led.figure(
        "allocation.supported",
        m.fully_funded + m.partly_funded,
        "tổ chức",
        f"Tổ chức được hỗ trợ (đủ hoặc một phần), phân bổ theo cách “{rule}”",
        prov,
    )
    target = r.plan.targets.organisations_branding
    led.figure(
        "allocation.target_gap",
        max(0, target - (m.fully_funded + m.partly_funded)),
        "tổ chức",
        "Số tổ chức trong chỉ tiêu hỗ trợ nhãn hiệu, bao bì, tem nhãn chưa có kinh phí hỗ trợ",
        prov,
    )
