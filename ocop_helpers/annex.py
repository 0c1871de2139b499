"""The plan's annex (phụ lục): the tables leadership receives as XLSX, built from the same
package functions the notebooks call, with the same parameters."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from . import labels
from .params import Params
from .plan import Plan


@dataclass(frozen=True)
class Sheet:
    """One annex sheet: the frame, its Vietnamese headers (which also select and order columns) and
    a display format per column ('money', 'int', 'share', 'float', 'date', or text)."""

    name: str
    frame: pd.DataFrame
    headers: dict[str, str]
    formats: dict[str, str] = field(default_factory=dict)


def products_sheet(plan: Plan) -> Sheet:
    """Products by unit and round, with Vietnamese labels for codes."""
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
    return Sheet("San pham", p, headers, {"planned_round": "int", "current_star": "int",
                                           "target_star": "int", "certificate_date": "date"})


def budget_sheet(plan: Plan) -> Sheet:
    """The plan's budget lines with shares and a total row."""
    b = plan.budget_lines.copy()
    total = int(b["amount_vnd"].sum())
    b["line_label"] = b["line"].map(labels.BUDGET_LINE)
    b["share"] = b["amount_vnd"] / total if total else 0.0
    b = pd.concat([b, pd.DataFrame([{"line_label": "Tổng cộng", "amount_vnd": total, "share": 1.0, "source": ""}])],
                  ignore_index=True)
    return Sheet("Kinh phi", b, {"line_label": labels.COLUMN["line"], "amount_vnd": labels.COLUMN["amount_vnd"],
                                 "share": labels.COLUMN["share"], "source": "Nguồn / ghi chú"},
                 {"amount_vnd": "money", "share": "share"})


def annex_sheets(plan: Plan, params: Params) -> list[Sheet]:
    """Every annex sheet for this plan and these parameters, in document order."""
    return [products_sheet(plan), budget_sheet(plan)]
