"""The plan's annex (phụ lục): the tables leadership receives as XLSX, read from the scenario's one
:class:`~ocop_helpers.model.compute.Results` (the figures the document and the notebooks show).

The builders here fill a sheet; which sheets the annex has, their names, order, cover lines and
sources are declared in :data:`ocop_helpers.document.registry.ANNEX`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from ocop_helpers.core.errors import PlanValidationError
from ocop_helpers.document import official
from ocop_helpers.document.docmodel import PROVENANCE_LABELS
from ocop_helpers.document.elements import provenance
from ocop_helpers.domain import labels
from ocop_helpers.model.compute import Results

# The datasets an annex sheet can rest on: any illustrative one makes the annex a draft.
ANNEX_DATASETS = ("products", "organisations", "requests", "budget_lines", "rounds", "norms", "history")
ILLUSTRATIVE_MARK = " (minh họa)"  # after the header of a column whose values are invented
OVERDUE = "Quá hạn ({})"  # a to-do date already past on the plan's issue date


@dataclass(frozen=True)
class Sheet:
    """One annex sheet: the frame, its Vietnamese headers (which also select and order columns) and
    a display format per column ('money', 'int', 'share', 'float', 'date', or text).

    ``total_row``: the frame's last row is a total (written bold); ``provenance``: published, derived
    or illustrative (an illustrative sheet says "Số liệu minh họa" in its printed header and on the
    cover); ``description``: one line for the cover's list of sheets; ``attached_line``: the
    "(Kèm theo Kế hoạch số … ngày … của …)" line printed above the table (the plan document's own).
    """

    name: str
    frame: pd.DataFrame
    headers: dict[str, str]
    formats: dict[str, str] = field(default_factory=dict)
    total_row: bool = False
    provenance: str = "derived"
    description: str = ""
    attached_line: str = ""


def attached_line(r: Results) -> str:
    """The "(Kèm theo Kế hoạch số …/KH-UBND ngày … của UBND tỉnh …)" line of the plan document
    (:meth:`official.Frame.attached_line`: same issuer, number and date, blanks on a draft); a plan
    whose official frame cannot be read gets the clerk's blanks with the province's name."""
    plan = r.plan
    draft = plan.status != "issued" or illustrative(r, *ANNEX_DATASETS)
    try:
        return official.frame(plan).attached_line(draft, plan.status)
    except (PlanValidationError, KeyError, ValueError, TypeError):
        return f"(Kèm theo Kế hoạch số …/KH-UBND ngày … tháng … năm {plan.year} của UBND tỉnh {plan.province_name})"


def illustrative(r: Results, *datasets: str) -> bool:
    """Whether any of these datasets of the plan is illustrative (undeclared ones are)."""
    return provenance(r.plan, *datasets, computed=False) == "illustrative"


def _invented(header: str, r: Results, *datasets: str) -> str:
    """``header`` marked "(minh họa)" when its values come from illustrative data."""
    return header + ILLUSTRATIVE_MARK if illustrative(r, *datasets) else header


def due(dates: pd.Series, on: dt.date) -> pd.Series:
    """To-do dates as written in the annex: the date, or "Quá hạn (dd/mm/yyyy)" when it is earlier
    than ``on`` (the plan's issue date): nobody can still act before it."""
    limit = pd.Timestamp(on)

    def one(value: object) -> object:
        if value is None or pd.isna(value):
            return None
        when = pd.Timestamp(value)
        return OVERDUE.format(when.strftime("%d/%m/%Y")) if when < limit else when

    return pd.Series([one(v) for v in dates], index=dates.index, dtype="object")


def _organisation_columns(r: Results) -> dict[str, str]:
    """How an organisation is named in a sheet meant for print: its name when the organisations are
    published, else its code and type (an illustrative list's names are invented people and firms)."""
    if illustrative(r, "organisations"):
        return {
            "organisation_id": labels.COLUMN["organisation_id"],
            "type_label": labels.COLUMN["organisation_type"],
        }
    return {"organisation_name": labels.COLUMN["organisation_name"]}


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
    orgs = plan.organisations[["organisation_id", "organisation_name", "organisation_type"]]
    p = p.merge(orgs, on="organisation_id", how="left")
    p = p.assign(
        stream_label=p["stream"].map(labels.STREAM), type_label=p["organisation_type"].map(labels.ORGANISATION_TYPE)
    )
    p = p.sort_values(["unit_name", "planned_round", "product_id"], kind="stable")
    headers = {
        "unit_name": labels.COLUMN["unit_name"],
        "planned_round": labels.COLUMN["planned_round"],
        "product_id": labels.COLUMN["product_id"],
        "product_name": labels.COLUMN["product_name"],
        **_organisation_columns(r),
        "product_code": labels.COLUMN["product_code"],
        "stream_label": labels.COLUMN["stream"],
        "current_star": labels.COLUMN["current_star"],
        "target_star": labels.COLUMN["target_star"],
        "certificate_date": _invented(labels.COLUMN["certificate_date"], r, "products"),
    }
    return Sheet(
        name,
        p,
        headers,
        {"planned_round": "int", "current_star": "int", "target_star": "int", "certificate_date": "date"},
        attached_line=attached_line(r),
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
        attached_line=attached_line(r),
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
        attached_line=attached_line(r),
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
    pipe = pipe.assign(notice_by=due(pipe["notice_by"], r.plan.issued_on))
    return Sheet(
        name,
        pipe,
        {
            "product_id": labels.COLUMN["product_id"],
            "product_name": labels.COLUMN["product_name"],
            "unit_name": labels.COLUMN["unit_name"],
            "stream_label": labels.COLUMN["stream"],
            "current_star": labels.COLUMN["current_star"],
            "certificate_date": _invented(labels.COLUMN["certificate_date"], r, "products"),
            "expiry_date": _invented("Ngày hết hạn", r, "products"),
            "notice_by": _invented("Thông báo chủ thể trước ngày", r, "products"),
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
        attached_line=attached_line(r),
    )


def calendar_sheet(r: Results, name: str) -> Sheet:
    """Rounds with level, deadline, load and flags under the chosen routing."""
    rounds = r.calendar.rounds
    rounds = rounds.assign(
        level_label=rounds["level"].map(labels.LEVEL),
        in_force=rounds["level_in_force"].map({True: "Có", False: "Không"}).fillna("Có"),
        over=rounds["over_capacity"].map({True: "Vượt năng lực", False: ""}),
    )
    rounds = rounds.assign(deadline=due(rounds["deadline"], r.plan.issued_on))
    return Sheet(
        name,
        rounds,
        {
            **labels.CALENDAR_COLUMNS,
            "in_force": "Cấp còn tổ chức tại thời hạn",
            "over": "Năng lực",  # left out when no round is over capacity
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
        attached_line=attached_line(r),
    )


_MONEY = {"claim_vnd": "money", "granted_vnd": "money", "cost_vnd": "money"}


def organisation_grants_sheet(r: Results, name: str) -> Sheet:
    """Grants per organisation under the chosen rule, with a total."""
    orgs = r.allocation.sort_values(["unit_name", "organisation_name"], kind="stable").assign(
        status_label=lambda f: f["status"].map(labels.FUNDING_STATUS),
        type_label=lambda f: f["organisation_type"].map(labels.ORGANISATION_TYPE),
    )
    hidden = illustrative(r, "organisations")
    if hidden:  # invented names are not printed: the code and type say which organisation
        orgs = orgs.sort_values(["unit_name", "organisation_id"], kind="stable")
    orgs = with_total(orgs, "organisation_id" if hidden else "organisation_name", ["claim_vnd", "granted_vnd"])
    return Sheet(
        name,
        orgs,
        {
            "organisation_id": labels.COLUMN["organisation_id"],
            **({} if hidden else {"organisation_name": labels.COLUMN["organisation_name"]}),
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
        attached_line=attached_line(r),
    )


def item_grants_sheet(r: Results, name: str) -> Sheet:
    """Grants per request item under the chosen rule, with a total."""
    plan, items = r.plan, r.item_grants
    orgs = plan.organisations.set_index("organisation_id")
    products = plan.products.set_index("product_id")["product_name"]
    items = items.assign(
        organisation_name=items["organisation_id"].map(orgs["organisation_name"]),
        type_label=items["organisation_id"].map(orgs["organisation_type"]).map(labels.ORGANISATION_TYPE),
        product_name=items["product_id"].map(products),
        item_label=items["item"].map(labels.BRANDING_ITEM),
    )
    items = with_total(items, "request_id", ["cost_vnd", "claim_vnd", "granted_vnd"])
    return Sheet(
        name,
        items,
        {
            "request_id": "Mã đề nghị",
            **_organisation_columns(r),
            "item_label": labels.COLUMN["item"],
            "product_name": labels.COLUMN["product_name"],
            "cost_vnd": labels.COLUMN["cost_vnd"],
            "claim_vnd": "Hỗ trợ tối đa theo định mức (đồng)",
            "granted_vnd": labels.COLUMN["granted_vnd"],
        },
        _MONEY,
        total_row=True,
        attached_line=attached_line(r),
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
        attached_line=attached_line(r),
    )


def simulation_sheet(r: Results, name: str) -> Sheet:
    """Expected spend per budget line: planned, the range holding 8 in 10 chances and the amount
    as likely to be exceeded as not, the chance of spending more than planned (plain words: no
    statistics terms in a sheet leadership reads)."""
    comp = r.budget_comparison.assign(label=lambda f: f["line"].map(labels.budget_line))
    return Sheet(
        name,
        comp,
        {
            "label": labels.COLUMN["line"],
            "planned_vnd": "Kế hoạch (đồng)",
            "p10_vnd": "Dự kiến chi, cận dưới: 8 trên 10 khả năng trong khoảng (đồng)",
            "p50_vnd": "Dự kiến chi (khả năng vượt và không vượt như nhau) (đồng)",
            "p90_vnd": "Dự kiến chi, cận trên: 8 trên 10 khả năng trong khoảng (đồng)",
            "prob_over_planned": "Khả năng chi vượt kế hoạch",
        },
        {
            "planned_vnd": "money",
            "p10_vnd": "money",
            "p50_vnd": "money",
            "p90_vnd": "money",
            "prob_over_planned": "share",
        },
        attached_line=attached_line(r),
    )


# Scenario names said in words on the cover (a saved scenario keeps the name its planner gave it).
SCENARIO_NAMES = {"default": "Mặc định (theo số liệu của kế hoạch)"}


def cover_sheet(r: Results, sheets: list[Sheet]) -> Sheet:
    """The first sheet: which plan, which scenario, whether the figures are illustrative, what each
    sheet holds and what its figures rest on."""

    plan = r.plan
    draft = plan.status != "issued" or any(s.provenance == "illustrative" for s in sheets)
    rows = [
        ("Kế hoạch", f"Triển khai Chương trình mỗi xã một sản phẩm (OCOP) năm {plan.year}", ""),
        ("Tỉnh", plan.province_name, ""),
        ("Văn bản", plan.plan_document or "…", ""),
        ("Kịch bản", SCENARIO_NAMES.get(r.params.scenario, r.params.scenario), ""),
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
        attached_line=attached_line(r),
    )
