"""The plan at a glance: published key figures against what the input data contain."""

from __future__ import annotations

import pandas as pd

from ocop_helpers.core import vnformat
from ocop_helpers.domain import labels, stock, targets
from ocop_helpers.inputs.plan import STREAMS, Plan


def key_figures(plan: Plan) -> pd.DataFrame:
    """One row per published figure: indicator, unit, target (published), data, difference, source key.

    Streams and total products, organisations requesting branding support, budget total (sum of
    lines), and the stock target with the latest recorded stock before the plan year.
    """
    t = plan.targets
    streams = targets.stream_summary(plan.products, t.by_stream() | {"total": t.total}).set_index("stream")
    rows = [
        (
            f"Sản phẩm {labels.STREAM[s].lower()}",
            "sản phẩm",
            int(streams.loc[s, "target"]),
            int(streams.loc[s, "actual"]),
            "targets",
        )
        for s in STREAMS
    ]
    rows.append(
        (
            "Tổng số sản phẩm đánh giá, phân hạng",
            "sản phẩm",
            int(streams.loc["total", "target"]),
            int(streams.loc["total", "actual"]),
            "targets",
        )
    )
    rows.append(
        (
            "Tổ chức kinh tế đề nghị hỗ trợ nhãn hiệu, bao bì, tem nhãn",
            "tổ chức kinh tế",
            t.organisations_branding,
            int(plan.organisations["requests_branding"].sum()),
            "organisations_branding",
        )
    )
    rows.append(
        ("Tổng kinh phí", "đồng", t.budget_total_vnd, int(plan.budget_lines["amount_vnd"].sum()), "budget_total_vnd")
    )
    frame = pd.DataFrame(rows, columns=["indicator", "unit", "target", "data", "source_key"])
    frame["difference"] = frame["data"] - frame["target"]
    return frame


def latest_stock(plan: Plan) -> tuple[pd.Timestamp, int] | None:
    """Date and size of the latest certified stock recorded before the plan year, if any."""
    try:
        return stock.start_stock(plan.history, plan.year)
    except LookupError:
        return None


def stream_comparison(plan: Plan) -> pd.DataFrame:
    """Long frame for the targets-vs-data chart: stream_label, kind, products."""
    figures = key_figures(plan).iloc[: len(STREAMS)]
    rows = []
    for stream, (_, r) in zip(STREAMS, figures.iterrows(), strict=False):
        rows.append((labels.STREAM[stream], labels.COLUMN["target"], int(r["target"])))
        rows.append((labels.STREAM[stream], labels.COLUMN["actual"], int(r["data"])))
    return pd.DataFrame(rows, columns=["stream_label", "kind", "products"])


def overview_text(plan: Plan) -> list[str]:
    """Vietnamese sentences summarising the plan from its numbers."""
    t = plan.targets
    total = t.total
    parts = ", ".join(
        f"{vnformat.number(n)} sản phẩm {labels.STREAM[s].lower()} ({vnformat.percent(n / total if total else 0)})"
        for s, n in t.by_stream().items()
    )
    out = [
        f"Năm {plan.year}, tỉnh {plan.province_name} đặt chỉ tiêu đánh giá, phân hạng "
        f"{vnformat.number(total)} sản phẩm OCOP: {parts}.",
        f"Có {vnformat.number(t.organisations_branding)} tổ chức kinh tế kinh tế được đề xuất hỗ trợ quản lý nhãn hiệu, "
        f"bao bì, tem nhãn; tổng kinh phí dự kiến {vnformat.money(t.budget_total_vnd)}.",
    ]
    stock = latest_stock(plan)
    if stock is not None:
        date, n = stock
        gap = t.stock_target - n
        out.append(
            f"Đến {vnformat.date(date)} toàn tỉnh có {vnformat.number(n)} sản phẩm đạt từ 3 sao trở lên; "
            f"mục tiêu cuối năm {plan.year} là ít nhất {vnformat.number(t.stock_target)} sản phẩm, "
            f"tức phải tăng ròng {vnformat.number(gap)} sản phẩm (chưa tính các sản phẩm mất chứng nhận trong năm; "
            "xem mục số sản phẩm OCOP cuối năm so với mục tiêu)."
            if gap > 0
            else f"Đến {vnformat.date(date)} toàn tỉnh có {vnformat.number(n)} sản phẩm đạt từ 3 sao trở lên, "
            f"đã bằng hoặc vượt mục tiêu {vnformat.number(t.stock_target)} sản phẩm; cần duy trì bằng đánh giá lại."
        )
    mismatched = key_figures(plan).query("difference != 0")
    if not mismatched.empty:
        out.append("Lưu ý: dữ liệu chưa khớp chỉ tiêu ở: " + "; ".join(mismatched["indicator"]) + ".")
    return out


SOURCE_KEYS: dict[str, str] = {
    "plan_document": "Văn bản kế hoạch",
    "targets": "Chỉ tiêu đánh giá, phân hạng",
    "organisations_branding": "Tổ chức kinh tế đề nghị hỗ trợ",
    "budget_total_vnd": "Kinh phí",
    "stock_target": "Mục tiêu số sản phẩm OCOP",
    "rounds": "Các đợt đánh giá",
    "history": "Số sản phẩm OCOP qua các năm",
    "norms": "Định mức hỗ trợ",
    "products": "Danh sách sản phẩm, tổ chức kinh tế",
    "results": "Kết quả đánh giá, kinh phí đã chi trong năm",
}


def sources_table(plan: Plan) -> pd.DataFrame:
    """The plan's source notes as a two-column table (known keys get Vietnamese names)."""
    return pd.DataFrame([(SOURCE_KEYS.get(k, k), v) for k, v in plan.sources.items()], columns=["key", "text"])


def year_over_year_text(plan: Plan, previous: Plan) -> str:
    """One Vietnamese sentence comparing the two plans' totals."""
    t, p = plan.targets, previous.targets
    where = "" if previous.province_id == plan.province_id else f" (tỉnh {previous.province_name} trước khi hợp nhất)"
    change = t.total - p.total
    trend = "tăng" if change > 0 else "giảm" if change < 0 else "bằng"
    amount = f" {vnformat.number(abs(change))} sản phẩm" if change else ""
    return (
        f"So với kế hoạch năm {previous.year}{where} ({vnformat.number(p.total)} sản phẩm, "
        f"{vnformat.money(p.budget_total_vnd)}), kế hoạch năm {plan.year} {trend}{amount} "
        f"với {vnformat.number(t.total)} sản phẩm và {vnformat.money(t.budget_total_vnd)}."
    )
