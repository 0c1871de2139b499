"""The plan's annex (phụ lục): the tables leadership receives as XLSX, read from the scenario's one
:class:`~ocop_helpers.model.compute.Results` (the figures the document and the notebooks show)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pandas as pd

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


SHEET_PROVENANCE: dict[str, tuple[str, ...]] = {
    "Sản phẩm": ("products",),
    "Đơn vị": ("products",),
    "Lịch đánh giá": ("rounds", "products"),
    "Đánh giá lại": ("products", "rounds"),
    "Phân bổ theo tổ chức": ("requests", "organisations", "norms", "budget_lines"),
    "Phân bổ theo nội dung": ("requests", "organisations", "norms", "budget_lines"),
    "So sánh quy tắc": ("requests", "organisations", "norms", "budget_lines"),
    "Dự toán kinh phí": ("budget_lines",),
    "Rủi ro kinh phí": ("budget_lines", "requests", "products", "history"),
}
SHEET_DESCRIPTION: dict[str, str] = {
    "Sản phẩm": "Sản phẩm đánh giá, phân hạng theo đơn vị và đợt",
    "Đơn vị": "Số sản phẩm theo đơn vị hành chính và hình thức đánh giá",
    "Lịch đánh giá": "Các đợt đánh giá: cấp, thời hạn, số sản phẩm, năng lực hội đồng",
    "Đánh giá lại": "Giấy chứng nhận đến hạn: ngày hết hạn, ngày phải thông báo, đợt cuối trước hạn",
    "Phân bổ theo tổ chức": "Mức hỗ trợ nhãn hiệu, bao bì, tem nhãn của từng tổ chức kinh tế",
    "Phân bổ theo nội dung": "Mức hỗ trợ của từng đề nghị (nhãn hiệu; bao bì, tem nhãn)",
    "So sánh quy tắc": "Các cách phân bổ trên cùng nhu cầu và kinh phí",
    "Dự toán kinh phí": "Kinh phí theo nội dung chi",
    "Rủi ro kinh phí": "Kinh phí dự kiến chi theo nội dung: mức thấp, mức giữa, mức cao (8 trong 10 lượt tính)",
}


def with_total(
    frame: pd.DataFrame, label_column: str, sum_columns: list[str], label: str = "Tổng cộng"
) -> pd.DataFrame:
    """``frame`` with a total row: ``label`` in ``label_column``, the sums of ``sum_columns``."""
    total = {label_column: label, **{c: frame[c].sum() for c in sum_columns}}
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


def products_sheet(r: Results) -> Sheet:
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
        "Sản phẩm",
        p,
        headers,
        {"planned_round": "int", "current_star": "int", "target_star": "int", "certificate_date": "date"},
    )


def budget_sheet(r: Results) -> Sheet:
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
        "Dự toán kinh phí",
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


def units_sheet(r: Results) -> Sheet:
    """Products per administrative unit and stream (every unit, zeros included)."""
    t = with_total(r.unit_load, "unit_name", ["new", "reevaluation", "upgrade", "total", "share"])
    return Sheet(
        "Đơn vị",
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


def reevaluation_sheet(r: Results) -> Sheet:
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
        "Đánh giá lại",
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


def calendar_sheet(r: Results) -> Sheet:
    """Rounds with level, deadline, load and flags under the chosen routing."""
    rounds = r.calendar.rounds
    rounds = rounds.assign(
        level_label=rounds["level"].map(labels.LEVEL),
        in_force=rounds["level_in_force"].map({True: "Có", False: "Không"}).fillna("Có"),
        over=rounds["over_capacity"].map({True: "Vượt", False: ""}),
    )
    return Sheet(
        "Lịch đánh giá",
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


def allocation_sheets(r: Results) -> list[Sheet]:
    """Grants per organisation and per item under the chosen rule, and every rule compared."""
    plan = r.plan
    orgs, items = r.allocation, r.item_grants
    orgs = orgs.sort_values(["unit_name", "organisation_name"], kind="stable").assign(
        status_label=lambda f: f["status"].map(labels.FUNDING_STATUS),
        type_label=lambda f: f["organisation_type"].map(labels.ORGANISATION_TYPE),
    )
    names = plan.organisations.set_index("organisation_id")["organisation_name"]
    products = plan.products.set_index("product_id")["product_name"]
    items = items.assign(
        organisation_name=items["organisation_id"].map(names),
        product_name=items["product_id"].map(products),
        item_label=items["item"].map(labels.BRANDING_ITEM),
    )
    orgs = with_total(orgs, "organisation_name", ["claim_vnd", "granted_vnd"])
    items = with_total(items, "organisation_name", ["cost_vnd", "claim_vnd", "granted_vnd"])
    table = r.rule_table.assign(rule_label=lambda f: f.index.map(labels.allocation_rule))
    table = table.reset_index()
    money = {"claim_vnd": "money", "granted_vnd": "money", "cost_vnd": "money"}
    return [
        Sheet(
            "Phân bổ theo tổ chức",
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
            money | {"priority_score": "float", "funded_share": "share"},
            total_row=True,
        ),
        Sheet(
            "Phân bổ theo nội dung",
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
            money,
            total_row=True,
        ),
        Sheet(
            "So sánh quy tắc",
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
        ),
    ]


def simulation_sheet(r: Results) -> Sheet:
    """Simulated spend per budget line: planned, the range of 8 in 10 draws and its middle, the chance
    of spending more than planned."""
    comp = r.budget_comparison.assign(label=lambda f: f["line"].map(labels.budget_line))
    return Sheet(
        "Rủi ro kinh phí",
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
    from ocop_helpers.document.docmodel import PROVENANCE_LABELS

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


def annex_sheets(r: Results) -> list[Sheet]:
    """Every annex sheet of this scenario, in document order, after a cover sheet."""
    from ocop_helpers.document.elements import provenance

    sheets = [
        products_sheet(r),
        units_sheet(r),
        calendar_sheet(r),
        reevaluation_sheet(r),
        *allocation_sheets(r),
        budget_sheet(r),
        simulation_sheet(r),
    ]
    marked = [
        dataclasses.replace(
            s,
            provenance=provenance(r.plan, *SHEET_PROVENANCE[s.name]),
            description=SHEET_DESCRIPTION[s.name],
        )
        for s in sheets
    ]
    return [cover_sheet(r, marked), *marked]
