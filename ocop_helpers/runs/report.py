"""``make report [PLAN=… AS_OF=…]``: the report on the season as of a date, and the seed of next year.

Writes ``outputs/<province>/<year>/bao-cao-<as_of>/``: ``bao-cao.html/.docx/.pdf`` (the báo cáo,
:func:`ocop_helpers.document.report.compose_report`), ``bao-cao-phu-luc.xlsx`` (its annex: the
results per product by code, the targets, the budget lines) and ``figures.json`` (the ledger every
number is quoted from). The folder is written aside and swapped in whole, so a failed run leaves the
previous report untouched; the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import pandas as pd

from ocop_helpers.core import atomic, paths, vnformat
from ocop_helpers.core.errors import ParamError, PlanValidationError
from ocop_helpers.document.report import compose_report
from ocop_helpers.domain import labels
from ocop_helpers.domain import season as season_check
from ocop_helpers.inputs.loading import load_plan
from ocop_helpers.model import compute
from ocop_helpers.model.figures import report_ledger
from ocop_helpers.model.figures.season import target_text
from ocop_helpers.model.params import Params, defaults
from ocop_helpers.model.season import season_of
from ocop_helpers.render import xlsx
from ocop_helpers.runs import artifacts

STEM = "bao-cao"


class ReportError(RuntimeError):
    """The plan has nothing to report (no results on or before the date)."""


def annex_sheets(r: compute.Results) -> list[tuple[str, list[str], list[list], list[list]]]:
    """The report's annex: results per product (codes, never illustrative names), targets, budget lines."""
    s = season_of(r)
    plan = r.plan
    got = plan.season_results.through(r.as_of)
    products = plan.products.set_index("product_id")
    units = compute.unit_display_names(plan)
    ev = got.evaluations.sort_values(["round", "decision_date", "product_id"], kind="stable")
    ids = ev["product_id"].to_numpy()
    unit = products["unit_id"].reindex(ids).map(units).fillna(products["unit_id"].reindex(ids)).to_numpy()
    stream = products["stream"].reindex(ids).map(labels.STREAM).to_numpy()
    rows = [
        [
            pid,
            u,
            st,
            int(rnd),
            labels.LEVEL.get(level, level),
            float(score),
            None if pd.isna(star) else int(star),
            "" if pd.isna(number) else str(number),
            vnformat.date(when),
        ]
        for pid, u, st, rnd, level, score, star, number, when in zip(
            ids,
            unit,
            stream,
            ev["round"],
            ev["level"],
            ev["score"],
            ev["star"],
            ev["decision_number"],
            ev["decision_date"],
            strict=True,
        )
    ]
    fmts = [[None, None, None, "int", None, "float", "int", None, None]] * len(rows)
    results_sheet = (
        "Kết quả đánh giá",
        ["Mã sản phẩm", "Đơn vị hành chính", "Hình thức", "Đợt", "Cấp", "Điểm", "Hạng sao", "Quyết định số", "Ngày"],
        rows,
        fmts,
    )
    table = s.forecast.table.set_index("target_id")
    t_rows = [
        [
            target_text(t, plan.year),
            float(t.value),
            None if table.loc[t.id, "realised"] != table.loc[t.id, "realised"] else float(table.loc[t.id, "realised"]),
            float(table.loc[t.id, "expected"]),
            float(table.loc[t.id, "chance"]),
            "Giả định" if t.assumed else vnformat.without_source_codes(t.source),
        ]
        for t in s.targets
    ]
    t_fmts = [
        [
            "",
            "share" if t.is_share else "int",
            "share" if t.is_share else "int",
            "share" if t.is_share else "float",
            "share",
            None,
        ]
        for t in s.targets
    ]
    lines = [
        [
            labels.BUDGET_LINE.get(x.line, x.line),
            int(x.planned_vnd),
            int(x.spent_vnd),
            float(x.share_spent),
            int(x.left_vnd),
        ]
        for x in s.lines.itertuples(index=False)
    ]
    return [
        results_sheet,
        (
            "Mục tiêu",
            ["Mục tiêu", "Mục tiêu năm", "Đã đạt", "Dự kiến cuối năm", "Khả năng đạt", "Nguồn"],
            t_rows,
            t_fmts,
        ),
        (
            "Kinh phí",
            ["Nội dung chi", "Kế hoạch (đồng)", "Đã chi (đồng)", "Tỷ lệ đã chi", "Còn lại (đồng)"],
            lines,
            [["", "money", "money", "share", "money"] for _ in lines],
        ),
    ]


def write_report(
    plan_dir: str | Path, as_of: dt.date, out_root: str | Path = paths.OUTPUTS_DIR, draws: int | None = None
) -> Path:
    """Compute the season of the plan as of ``as_of`` and write the report folder; returns it."""
    plan = load_plan(plan_dir)
    season_check.check_loaded(plan)  # payments against the norms, grants: errors before anything is written
    values = {**defaults(), "as_of": as_of}
    if draws is not None:
        values["draws"] = draws
    r = compute.Model(plan).lazy(Params(values))  # only the stages the report reads
    doc = compose_report(r)
    if doc is None:
        raise ReportError(
            f"{paths.shown(plan_dir)}: chưa có kết quả đánh giá nào đến ngày {vnformat.date(as_of)} "
            "(results/evaluations.csv hoặc results.xlsx) — chưa có gì để báo cáo"
        )
    target = Path(out_root).resolve() / plan.province_id / str(plan.year) / f"{STEM}-{as_of.isoformat()}"
    with atomic.staged(target) as staging:
        artifacts.write_documents(doc, staging, stem=STEM)
        xlsx.write_grid(staging / f"{STEM}-phu-luc.xlsx", annex_sheets(r), when=as_of)
        (staging / "figures.json").write_text(report_ledger(r).to_json(), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    """``python -m ocop_helpers.runs.report --plan DIR --as-of YYYY-MM-DD [--out DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m ocop_helpers report", description="Báo cáo kết quả thực hiện")
    parser.add_argument("--plan", default=str(paths.DEFAULT_PLAN_DIR), help="thư mục kế hoạch")
    parser.add_argument("--as-of", default="", help="ngày báo cáo YYYY-MM-DD (trống: 15/12 năm kế hoạch)")
    parser.add_argument("--out", default=str(paths.OUTPUTS_DIR), help="thư mục kết quả")
    parser.add_argument("--draws", type=int, default=None, help="số lượt mô phỏng (mặc định như kế hoạch)")
    args = parser.parse_args(argv)
    try:
        plan_year = int(Path(args.plan).name) if Path(args.plan).name.isdigit() else None
        if args.as_of:
            as_of = dt.date.fromisoformat(args.as_of)
        elif plan_year:
            as_of = dt.date(plan_year, 12, 15)
        else:
            raise ValueError("cần --as-of")
        folder = write_report(args.plan, as_of, args.out, args.draws)
    except ValueError as e:
        if isinstance(e, PlanValidationError | ParamError):
            print(str(e), file=sys.stderr)
        else:
            print(f"Ngày báo cáo không đọc được: {e}", file=sys.stderr)
        return 2
    except ReportError as e:
        print(str(e), file=sys.stderr)
        return 2
    print(f"Báo cáo: {paths.shown(folder / (STEM + '.html'))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
