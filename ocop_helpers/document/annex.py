"""The plan's annex (phụ lục): the tables leadership receives as XLSX, read from the scenario's one
:class:`~ocop_helpers.model.compute.Results` (the figures the document and the notebooks show).

The builders here fill a sheet; which sheets the annex has, their names, order, cover lines and
sources are declared in :data:`ocop_helpers.document.registry.ANNEX`."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ocop_helpers.document.docmodel import PROVENANCE_LABELS
from ocop_helpers.domain import labels
from ocop_helpers.model.compute import Results


@dataclass(frozen=True)
class Sheet:
    """One annex sheet: the frame, its Vietnamese headers (which also select and order columns) and
    a display format per column ('money', 'int', 'share', 'float', 'date', or text).

    ``total_row``: the frame's last row is a total (written bold); ``provenance``: published, derived
    or illustrative (an illustrative sheet says "Số liệu minh họa" in its printed header and on the
    cover); ``description``: one line for the cover's list of sheets.
    """

    name: str
    frame: pd.DataFrame
    headers: dict[str, str]
    formats: dict[str, str] = field(default_factory=dict)
    total_row: bool = False
    provenance: str = "derived"
    description: str = ""


def with_total(
    frame: pd.DataFrame, label_column: str, sum_columns: list[str], label: str = "Tổng cộng"
) -> pd.DataFrame:
    """``frame`` with a total row: ``label`` in ``label_column``, the sums of ``sum_columns``."""
    total = {label_column: label, **{c: frame[c].sum() for c in sum_columns}}
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


def products_sheet(r: Results, name: str) -> Sheet:
    """Products by unit and round, with Vietnamese labels for codes."""
    plan = r.plan
    p = plan.products.merge(plan.units[["unit_id", "unit_name"]], on="unit_id", how="left")
    p = p.merge(plan.organisations[["organisation_id", "organisation_name"]], on="organisation_id", how="left")
    p = p.assign(stream_label=p["stream"].map(labels.STREAM))
    p = p.sort_values(["unit_name", "planned_round", "product_id"], kind="stable")
    headers = {
        "unit_name": labels.COLUMN["unit_name"],
        "planned_round": labels.COLUMN["planned_round"],
        "product_id": labels.COLUMN["product_id"],
        "product_name": labels.COLUMN["product_name"],
        "organisation_name": labels.COLUMN["organisation_name"],
        "product_code": labels.COLUMN["product_code"],
        "stream_label": labels.COLUMN["stream"],
        "current_star": labels.COLUMN["current_star"],
        "target_star": labels.COLUMN["target_star"],
        "certificate_date": labels.COLUMN["certificate_date"],
    }
    return Sheet(
        name,
        p,
        headers,
        {"planned_round": "int", "current_star": "int", "target_star": "int", "certificate_date": "date"},
    )


def budget_sheet(r: Results, name: str) -> Sheet:
    """The budget lines of this scenario (the plan's, with the parameters' overrides), shares and a total."""
    plan = r.plan
    b = r.budget_lines.merge(plan.budget_lines[["line", "source"]], on="line", how="left")
    total = int(b["amount_vnd"].sum())
    b["line_label"] = b["line"].map(labels.budget_line)
    b["share"] = b["amount_vnd"] / total if total else 0.0
    b = pd.concat(
        [b, pd.DataFrame([{"line_label": "Tổng cộng", "amount_vnd": total, "share": 1.0, "source": ""}])],
        ignore_index=True,
    )
    return Sheet(
        name,
        b,
        {
            "line_label": labels.COLUMN["line"],
            "amount_vnd": labels.COLUMN["amount_vnd"],
            "share": labels.COLUMN["share"],
            "source": "Nguồn / ghi chú",
        },
        {"amount_vnd": "money", "share": "share"},
        total_row=True,
    )


def units_sheet(r: Results, name: str) -> Sheet:
    """Products per administrative unit and stream (every unit, zeros included)."""
    t = with_total(r.unit_load, "unit_name", ["new", "reevaluation", "upgrade", "total", "share"])
    return Sheet(
        name,
        t,
        {
            "unit_name": labels.COLUMN["unit_name"],
            "new": labels.STREAM["new"],
            "reevaluation": labels.STREAM["reevaluation"],
            "upgrade": labels.STREAM["upgrade"],
            "total": "Tổng số",
            "share": labels.COLUMN["share"],
        },
        {"new": "int", "reevaluation": "int", "upgrade": "int", "total": "int", "share": "share"},
        total_row=True,
    )


def reevaluation_sheet(r: Results, name: str) -> Sheet:
    """Certified products in the plan: expiry and the date the producer must be notified (validity and
    notice from certificate_rules.csv), the last round that ends before expiry, and whether the planned
    round is too late."""
    pipe = r.reevaluation_schedule
    late = pipe["planned_after_expiry"]
    pipe = pipe.assign(
        unit_name=pipe["unit_id"].map(r.unit_names),
        stream_label=pipe["stream"].map(labels.STREAM),
        latest_level=pipe["latest_round_level"].map(labels.LEVEL),
        flag=[
            ("Đợt kế hoạch sau ngày hết hạn" if is_late else "") + ("; hết hạn trước mọi đợt" if none else "")
            for is_late, none in zip(late, pipe["no_round_before_expiry"], strict=False)
        ],
    ).sort_values(["expiry_date", "product_id"], kind="stable")
    return Sheet(
        name,
        pipe,
        {
            "product_id": labels.COLUMN["product_id"],
            "product_name": labels.COLUMN["product_name"],
            "unit_name": labels.COLUMN["unit_name"],
            "stream_label": labels.COLUMN["stream"],
            "current_star": labels.COLUMN["current_star"],
            "certificate_date": labels.COLUMN["certificate_date"],
            "expiry_date": "Ngày hết hạn",
            "notice_by": "Thông báo chủ thể trước ngày",
            "planned_round": labels.COLUMN["planned_round"],
            "latest_round": "Đợt muộn nhất trước khi hết hạn",
            "latest_level": "Cấp của đợt đó",
            "flag": "Lưu ý",
        },
        {
            "current_star": "int",
            "certificate_date": "date",
            "expiry_date": "date",
            "notice_by": "date",
            "planned_round": "int",
            "latest_round": "int",
        },
    )


def calendar_sheet(r: Results, name: str) -> Sheet:
    """Rounds with level, deadline, load and flags under the chosen routing."""
    rounds = r.calendar.rounds
    rounds = rounds.assign(
        level_label=rounds["level"].map(labels.LEVEL),
        in_force=rounds["level_in_force"].map({True: "Có", False: "Không"}).fillna("Có"),
        over=rounds["over_capacity"].map({True: "Vượt", False: ""}),
    )
    return Sheet(
        name,
        rounds,
        {
            **labels.CALENDAR_COLUMNS,
            "in_force": "Cấp còn tổ chức tại thời hạn",
            "over": "Năng lực",
        },
        {
            "round": "int",
            "deadline": "date",
            "products": "int",
            "rerouted_in": "int",
            "councils": "int",
            "max_council_load": "int",
            "capacity_per_council": "int",
        },
    )


_MONEY = {"claim_vnd": "money", "granted_vnd": "money", "cost_vnd": "money"}


def organisation_grants_sheet(r: Results, name: str) -> Sheet:
    """Grants per organisation under the chosen rule, with a total."""
    orgs = r.allocation.sort_values(["unit_name", "organisation_name"], kind="stable").assign(
        status_label=lambda f: f["status"].map(labels.FUNDING_STATUS),
        type_label=lambda f: f["organisation_type"].map(labels.ORGANISATION_TYPE),
    )
    orgs = with_total(orgs, "organisation_name", ["claim_vnd", "granted_vnd"])
    return Sheet(
        name,
        orgs,
        {
            "organisation_id": labels.COLUMN["organisation_id"],
            "organisation_name": labels.COLUMN["organisation_name"],
            "type_label": labels.COLUMN["organisation_type"],
            "unit_name": labels.COLUMN["unit_name"],
            "priority_score": "Điểm ưu tiên",
            "claim_vnd": labels.COLUMN["requested_vnd"],
            "granted_vnd": labels.COLUMN["granted_vnd"],
            "funded_share": labels.COLUMN["share"],
            "status_label": "Kết quả",
        },
        _MONEY | {"priority_score": "float", "funded_share": "share"},
        total_row=True,
    )


def item_grants_sheet(r: Results, name: str) -> Sheet:
    """Grants per request item under the chosen rule, with a total."""
    plan, items = r.plan, r.item_grants
    names = plan.organisations.set_index("organisation_id")["organisation_name"]
    products = plan.products.set_index("product_id")["product_name"]
    items = items.assign(
        organisation_name=items["organisation_id"].map(names),
        product_name=items["product_id"].map(products),
        item_label=items["item"].map(labels.BRANDING_ITEM),
    )
    items = with_total(items, "organisation_name", ["cost_vnd", "claim_vnd", "granted_vnd"])
    return Sheet(
        name,
        items,
        {
            "request_id": "Mã đề nghị",
            "organisation_name": labels.COLUMN["organisation_name"],
            "item_label": labels.COLUMN["item"],
            "product_name": labels.COLUMN["product_name"],
            "cost_vnd": labels.COLUMN["cost_vnd"],
            "claim_vnd": "Hỗ trợ tối đa theo định mức (đồng)",
            "granted_vnd": labels.COLUMN["granted_vnd"],
        },
        _MONEY,
        total_row=True,
    )


def rule_comparison_sheet(r: Results, name: str) -> Sheet:
    """Every rule (and the optimum) on the same claims and envelope."""
    table = r.rule_table.assign(rule_label=lambda f: f.index.map(labels.allocation_rule))
    table = table.reset_index()
    return Sheet(
        name,
        table,
        {
            "rule_label": "Quy tắc",
            "fully_funded": "Hỗ trợ đủ",
            "partly_funded": "Hỗ trợ một phần",
            "not_funded": "Không được hỗ trợ",
            "granted_vnd": "Tổng hỗ trợ (đồng)",
            "unspent_vnd": "Còn dư (đồng)",
            "share_funded": "Tỷ lệ đáp ứng",
            "weighted_coverage": "Đáp ứng có trọng số",
            "gap_to_optimum": "Cách phương án tối ưu",
            "lowest_unit_coverage": "Đơn vị thấp nhất",
            "highest_unit_coverage": "Đơn vị cao nhất",
        },
        {
            "fully_funded": "int",
            "partly_funded": "int",
            "not_funded": "int",
            "granted_vnd": "money",
            "unspent_vnd": "money",
            "share_funded": "share",
            "weighted_coverage": "share",
            "gap_to_optimum": "share",
            "lowest_unit_coverage": "share",
            "highest_unit_coverage": "share",
        },
    )


def simulation_sheet(r: Results, name: str) -> Sheet:
    """Simulated spend per budget line: planned, the range of 8 in 10 draws and its middle, the chance
    of spending more than planned."""
    comp = r.budget_comparison.assign(label=lambda f: f["line"].map(labels.budget_line))
    return Sheet(
        name,
        comp,
        {
            "label": labels.COLUMN["line"],
            "planned_vnd": "Kế hoạch (đồng)",
            "p10_vnd": "Mức thấp (đồng)",
            "p50_vnd": "Mức giữa (đồng)",
            "p90_vnd": "Mức cao (đồng)",
            "prob_over_planned": "Xác suất vượt kế hoạch",
        },
        {
            "planned_vnd": "money",
            "p10_vnd": "money",
            "p50_vnd": "money",
            "p90_vnd": "money",
            "prob_over_planned": "share",
        },
    )


def cover_sheet(r: Results, sheets: list[Sheet]) -> Sheet:
    """The first sheet: which plan, which scenario, whether the figures are illustrative, what each
    sheet holds and what its figures rest on."""

    plan = r.plan
    draft = plan.status != "issued" or any(s.provenance == "illustrative" for s in sheets)
    rows = [
        ("Kế hoạch", f"Triển khai Chương trình mỗi xã một sản phẩm (OCOP) năm {plan.year}", ""),
        ("Tỉnh", plan.province_name, ""),
        ("Văn bản", plan.plan_document or "…", ""),
        ("Kịch bản", r.params.scenario, ""),
        ("Tình trạng", "DỰ THẢO — số liệu minh họa" if draft else "Số liệu đã công bố", ""),
        ("Đơn vị tiền", "đồng (số nguyên)", ""),
        ("", "", ""),
        ("Bảng", "Nội dung", "Nguồn gốc số liệu"),
        *[(s.name, s.description, PROVENANCE_LABELS[s.provenance]) for s in sheets],
    ]
    return Sheet(
        "Thông tin",
        pd.DataFrame(rows, columns=["key", "value", "provenance"]),
        {"key": "Mục", "value": "Nội dung", "provenance": "Ghi chú"},
    )
