"""Next year's plan seeded from this year's results: ``python -m ocop_helpers seed --plan DIR --out DIR``.

The year-end season (:func:`ocop_helpers.model.season.season_of` as of 31 December) gives what next
year starts from, and the seed writes it as a plan folder for ``year + 1`` the planner then edits:

- ``history.csv``: this year's rows and the year-end stock (start + new recognised − re-evaluations
  lost), so next year's start stock is the report's end stock;
- ``products.csv``: products not recognised (they may apply again, same stream), products with no
  result, and products whose certificate falls due next year (re-evaluations);
- ``organisations.csv`` / ``requests.csv``: the organisations of those products and the
  organisations that asked for support and were not paid, with their requests;
- ``plan.yaml``: a draft (no number, no date) whose targets count those rows, the rounds on the same
  days of next year, the stock target raised by this year's planned increase, and the sources saying
  where each figure comes from; the other files are copied unchanged.

A province that no longer issues plans next year (merged) is refused with the reason. Norms that end
this year are copied as they are: ``validate`` then names them, for the planner to update.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
from pathlib import Path

import pandas as pd
import yaml

from ocop_helpers.core import atomic, paths, vnformat
from ocop_helpers.core.dated import in_force
from ocop_helpers.inputs.loading import load_plan
from ocop_helpers.model import compute
from ocop_helpers.model.params import Params, defaults
from ocop_helpers.model.season import Season, season_of

MAIN_FILES = ("plan.yaml", "products.csv", "organisations.csv", "requests.csv", "history.csv")


class SeedError(ValueError):
    """This plan cannot seed next year's (no year-end results, or the province is gone next year)."""


def _raw(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def year_end(plan_dir: str | Path, draws: int | None = None) -> tuple[compute.Results, Season]:
    """The plan's season as of 31 December (results entered by then)."""
    plan = load_plan(plan_dir)
    values = {**defaults(), "as_of": dt.date(plan.year, 12, 31)}
    if draws is not None:
        values["draws"] = draws
    r = compute.Model(plan).results(Params(values))
    s = season_of(r)
    if not s.has_results:
        raise SeedError(
            f"{paths.shown(plan_dir)}: chưa có kết quả đánh giá năm {plan.year}: chưa thể khởi tạo kế hoạch năm sau"
        )
    return r, s


def seed_next_year(plan_dir: str | Path, out_dir: str | Path, draws: int | None = None) -> Path:
    """Write next year's draft plan folder at ``out_dir`` (replacing it whole); returns it."""
    src = Path(plan_dir)
    r, s = year_end(src, draws)
    plan = r.plan
    year = plan.year + 1
    start = pd.Timestamp(year, 1, 1)
    units = in_force(plan.all_units if plan.all_units is not None else plan.units, start)
    if not (units["province_id"] == plan.province_id).any():
        raise SeedError(
            f"tỉnh {plan.province_name} không còn đơn vị hành chính nào ngày {vnformat.date(start)} (đã hợp nhất): "
            "kế hoạch năm sau do tỉnh tiếp nhận lập, với previous_plan chỉ tới kế hoạch này"
        )
    products = _raw(src, "products.csv")
    again = set(s.failed["product_id"]) | set(s.waiting["product_id"])
    terms = r.certificate_terms
    known = plan.products.set_index("product_id")
    due: dict[str, str] = {}
    for pid, cert in known["certificate_date"].dropna().items():
        if pid in again:
            continue
        expiry = pd.Timestamp(cert) + pd.DateOffset(months=terms["validity_months"])
        if expiry.year == year:
            due[pid] = pd.Timestamp(cert).date().isoformat()
    keep = products[products["product_id"].isin(again | set(due))].copy()
    is_due = keep["product_id"].isin(set(due))
    keep.loc[is_due, "stream"] = "reevaluation"
    keep.loc[is_due, "target_star"] = keep.loc[is_due, "current_star"]
    keep["planned_round"] = "1"
    organisations = _raw(src, "organisations.csv")
    requests = _raw(src, "requests.csv")
    got = plan.season_results.through(s.as_of)
    paid = set(got.support.loc[got.support["paid_vnd"] > 0, "organisation_id"])
    asking = organisations[organisations["requests_branding"].str.lower().isin(("true", "1", "có", "x"))]
    waiting_orgs = set(asking["organisation_id"]) - paid
    orgs = organisations[organisations["organisation_id"].isin(set(keep["organisation_id"]) | waiting_orgs)].copy()
    orgs["requests_branding"] = orgs["organisation_id"].isin(waiting_orgs).map({True: "true", False: "false"})
    reqs = requests[requests["organisation_id"].isin(waiting_orgs)]
    reqs = reqs[(reqs["product_id"] == "") | reqs["product_id"].isin(set(keep["product_id"]))]
    orgs = orgs[orgs["organisation_id"].isin(set(keep["organisation_id"]) | set(reqs["organisation_id"]))]
    orgs.loc[~orgs["organisation_id"].isin(set(reqs["organisation_id"])), "requests_branding"] = "false"

    end = int(round(s.forecast.stock_mean))
    history = _raw(src, "history.csv")
    row = {c: "" for c in history.columns}
    row.update(
        date=f"{plan.year}-12-31",
        total=str(end),
        source=f"Báo cáo tổng kết năm {plan.year}: số sản phẩm cuối năm tính từ kết quả đã nhập ({s.source_note})",
    )
    history = pd.concat([history[history["date"] < f"{plan.year}-12-31"], pd.DataFrame([row])], ignore_index=True)

    meta = yaml.safe_load((src / "plan.yaml").read_text(encoding="utf-8"))
    counts = keep["stream"].value_counts()
    targets = {k: int(counts.get(k, 0)) for k in ("new", "reevaluation", "upgrade")}
    increase = max(0, int(plan.targets.stock_target) - int(s.stock_start))
    targets |= {
        "total": sum(targets.values()),
        "organisations_branding": int(reqs["organisation_id"].nunique()),
        "budget_total_vnd": int(plan.targets.budget_total_vnd),
        "stock_target": end + increase,
    }
    note = f"Khởi tạo từ kết quả năm {plan.year}; cần rà soát, quyết định trước khi ban hành"
    out_meta = {
        "province_id": plan.province_id,
        "province_name": plan.province_name,
        "year": year,
        "units_as_of": start.date(),
        "plan_document": "",
        "status": "draft",
        "targets": targets,
        "outcome_targets": [
            {
                "id": "stock",
                "kind": "stock",
                "value": targets["stock_target"],
                "source": "assumption",
                "text": f"Sản phẩm OCOP đạt từ 3 sao đến cuối năm {year} (lũy kế; giữ mức tăng của năm {plan.year})",
            }
        ],
        "rounds": [
            {
                "round": int(x.round),
                "level": str(x.level),
                "deadline": pd.Timestamp(x.deadline).replace(year=year).date(),
            }
            for x in plan.rounds.itertuples(index=False)
        ],
        "provenance": {k: v for k, v in (meta.get("provenance") or {}).items() if k != "results"},
        "sources": {
            "targets": f"{note}: sản phẩm chưa đạt hoặc chưa có kết quả năm {plan.year} và sản phẩm đến hạn đánh giá lại",
            "organisations_branding": f"{note}: tổ chức kinh tế đề nghị hỗ trợ chưa được hỗ trợ năm {plan.year}",
            "budget_total_vnd": f"{note}: giữ tổng kinh phí năm {plan.year}",
            "stock_target": f"{note}: số cuối năm {plan.year} cộng mức tăng kế hoạch năm {plan.year}",
            "rounds": f"{note}: cùng ngày của các đợt năm {plan.year}",
            "history": f"Số liệu các năm trước và số cuối năm {plan.year} theo báo cáo tổng kết",
        },
    }
    out_meta["provenance"]["targets"] = (
        "illustrative" if plan.provenance_of("results") == "illustrative" else "published"
    )
    target = Path(out_dir).resolve()
    with atomic.staged(target) as staging:
        for f in sorted(src.iterdir()):
            if f.is_file() and f.name not in MAIN_FILES and f.name != "results.xlsx":
                shutil.copy2(f, staging / f.name)
        (staging / "plan.yaml").write_text(
            f"# Kế hoạch năm {year} khởi tạo từ báo cáo tổng kết năm {plan.year} ({paths.shown(src)}): bản nháp để rà soát\n"
            + yaml.safe_dump(out_meta, allow_unicode=True, sort_keys=False, width=120),
            encoding="utf-8",
        )
        for name, frame in (
            ("products.csv", keep),
            ("organisations.csv", orgs),
            ("requests.csv", reqs),
            ("history.csv", history),
        ):
            frame.to_csv(staging / name, index=False, lineterminator="\n")
    return target


def main(argv: list[str] | None = None) -> int:
    """``python -m ocop_helpers seed --plan DIR --out DIR``."""
    parser = argparse.ArgumentParser(prog="python -m ocop_helpers seed", description="Khởi tạo kế hoạch năm sau")
    parser.add_argument("--plan", default=str(paths.DEFAULT_PLAN_DIR), help="thư mục kế hoạch năm nay (có kết quả)")
    parser.add_argument("--out", required=True, help="thư mục kế hoạch năm sau sẽ ghi")
    args = parser.parse_args(argv)
    try:
        folder = seed_next_year(args.plan, args.out)
    except ValueError as e:  # SeedError, PlanValidationError, ParamError
        print(str(e), file=sys.stderr)
        return 2
    print(f"Kế hoạch năm sau (bản nháp): {paths.shown(folder)}")
    return 0
