"""Year over year across the reorganisation: Bắc Giang 2025 -> the merged Bắc Ninh 2026, units mapped
through the dated unit changes, every expected figure counted here from the CSV files themselves."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from ocop_helpers.core import paths, vnformat
from ocop_helpers.document import registry, sections
from ocop_helpers.domain import yoy
from ocop_helpers.inputs import loading
from ocop_helpers.model import compute
from ocop_helpers.model.params import Params
from ocop_helpers.render import notebook
from ocop_helpers.runs import yoy_page
from tests.support import docfind

MERGED = paths.DATA_DIR / "bac-ninh" / "2026"
BEFORE = paths.DATA_DIR / "bac-giang" / "2025"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def merged():
    plan = loading.load_plan(MERGED)
    return plan, yoy.compare_years(plan)


def test_predecessors_are_found_in_the_unit_data_and_the_missing_one_is_named(merged):
    plan, y = merged
    assert [p.province_id for p in y.predecessors] == ["bac-giang", "bac-ninh-cu"]
    assert [p.province_id for p in y.available] == ["bac-giang"]
    old_bac_ninh = {
        r["unit_id"]
        for r in _rows(paths.REFERENCE_DIR / "units.csv")
        if r["province_id"] == "bac-ninh-cu" and r["valid_from"] <= "2025-01-01" <= (r["valid_to"] or "9999")
    }
    assert set(y.missing[0].unit_ids) == old_bac_ninh and len(old_bac_ninh) == 8
    note = " ".join(y.missing_notes)
    assert "Thiếu kế hoạch năm 2025 của tỉnh mã «bac-ninh-cu»" in note and "data/bac-ninh-cu/2025" in note


def test_units_are_mapped_old_district_to_new_communes(merged):
    plan, y = merged
    changes = [r for r in _rows(paths.REFERENCE_DIR / "unit_changes.csv") if r["effective_date"] == "2025-07-01"]
    last_year = Counter(r["unit_id"] for r in _rows(BEFORE / "products.csv"))
    this_year = Counter(r["unit_id"] for r in _rows(MERGED / "products.csv"))
    table = y.units.set_index("from_unit_id")
    assert not table["shared"].any()
    for old in ("bg-h-hiep-hoa", "bg-h-son-dong", "bg-tp-bac-giang", "bn-h-luong-tai"):
        new = {r["to_unit_id"] for r in changes if r["from_unit_id"] == old}
        assert table.loc[old, "new_units"] == len(new)
        assert table.loc[old, "current"] == sum(this_year[u] for u in new)
    assert table.loc["bg-h-hiep-hoa", "previous"] == last_year["bg-h-hiep-hoa"]
    assert pd_isna(table.loc["bn-h-luong-tai", "previous"])  # no plan of old Bắc Ninh in the data
    # every product of 2026 sits in exactly one row: the mapping covers the whole new province
    assert int(table["current"].sum()) == len(_rows(MERGED / "products.csv"))


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_targets_stock_budget_rounds_and_authorities_are_computed(merged):
    plan, y = merged
    before_yaml = yaml.safe_load((BEFORE / "plan.yaml").read_text(encoding="utf-8"))
    now_yaml = yaml.safe_load((MERGED / "plan.yaml").read_text(encoding="utf-8"))
    t = y.targets.set_index("indicator")
    total = t.loc["Tổng số sản phẩm đánh giá, phân hạng"]
    assert (total["previous"], total["current"]) == (before_yaml["targets"]["total"], now_yaml["targets"]["total"])
    assert total["change"] == now_yaml["targets"]["total"] - before_yaml["targets"]["total"]
    # by stream and target star, from the products files
    last = Counter((r["stream"], int(r["target_star"])) for r in _rows(BEFORE / "products.csv"))
    now = Counter((r["stream"], int(r["target_star"])) for r in _rows(MERGED / "products.csv"))
    for r in y.streams_stars.itertuples():
        assert (r.previous, r.current) == (last[(r.stream, r.target_star)], now[(r.stream, r.target_star)])
    # stock at the start of each year: the last history row before 1 January
    start_before = [r for r in _rows(BEFORE / "history.csv") if r["date"] < "2025-01-01"][-1]
    s = y.stock.set_index("indicator")
    assert s.loc["Số sản phẩm OCOP đầu năm", "previous"] == int(start_before["total"])
    # budget by line, with this year's source note
    lines_before = {r["line"]: int(r["amount_vnd"]) for r in _rows(BEFORE / "budget_lines.csv")}
    lines_now = {r["line"]: r for r in _rows(MERGED / "budget_lines.csv")}
    b = y.budget.set_index("line")
    for line, amount in lines_before.items():
        assert b.loc[line, "change"] == int(lines_now[line]["amount_vnd"]) - amount
        assert b.loc[line, "source_current"] == lines_now[line]["source"]
    # by funding source: every đồng of each year's lines is assigned to a source
    assert int(y.sources["previous"].sum()) == before_yaml["targets"]["budget_total_vnd"]
    assert int(y.sources["current"].sum()) == now_yaml["targets"]["budget_total_vnd"]
    assert (y.sources["change"] == y.sources["current"] - y.sources["previous"]).all()
    # rounds: four district/province rounds in 2025, two provincial ones in 2026; who rates 3 stars moved
    assert list(y.rounds.groupby("year").size()) == [len(before_yaml["rounds"]), len(now_yaml["rounds"])]
    au = y.authority.set_index("star")
    assert bool(au.loc[3, "changed"]) and not bool(au.loc[4, "changed"])
    text = " ".join(y.reasons)
    assert "Từ 6/7/2025 phân cấp đánh giá thay đổi (QĐ 1489/QĐ-TTg)" in text
    assert "không còn đợt cấp huyện vì cấp này không còn tồn tại từ 1/7/2025" in text
    assert f"giảm {vnformat.money(lines_before['rewards'] - int(lines_now['rewards']['amount_vnd']))}" in text


def test_section_and_page_show_the_comparison(tmp_path):
    plan = loading.load_plan(MERGED)
    previous, table, rekeyed, detail = compute.Model(plan).year_over_year(Params({}))
    items = sections.year_over_year_items(
        plan, previous, table, rekeyed, detail, compute.unit_display_names(plan), registry.title("year_over_year")
    )
    page = "".join(notebook.to_display(i).data for i in items)
    assert "Thiếu kế hoạch năm 2025" in docfind.visible_text(page)
    last_year = Counter(r["unit_id"] for r in _rows(BEFORE / "products.csv"))
    assert docfind.cell(
        page, "huyện Hiệp Hòa", "Sản phẩm năm 2025", caption="Đơn vị hành chính trước và sau", key="Đơn vị năm 2025"
    ) == vnformat.number(last_year["bg-h-hiep-hoa"])
    assert (
        docfind.cell(
            page, "thành phố Bắc Ninh", "Sản phẩm năm 2025", caption="Đơn vị hành chính", key="Đơn vị năm 2025"
        )
        == "không có dữ liệu"
    )
    written = yoy_page.write_page(plan, tmp_path)
    assert written == tmp_path / "bac-ninh" / "2026" / "compare" / "year-over-year.html"
    html = written.read_text(encoding="utf-8")
    assert docfind.cell(html, "Tổng số sản phẩm đánh giá, phân hạng", "Thay đổi", caption="Chỉ tiêu kế hoạch") == "77"


def test_a_plan_without_last_years_data_says_so(tmp_path):
    plan = loading.load_plan(BEFORE)
    assert yoy.compare_years(plan) is None
    text = docfind.visible_text(yoy_page.write_page(plan, tmp_path).read_text(encoding="utf-8"))
    assert "Dữ liệu chưa có kế hoạch năm 2024 để so sánh" in text and "data/bac-giang/2024" in text


def _old_bac_ninh(target: Path) -> None:
    """A plan folder for the old Bắc Ninh in 2025, made from Bắc Giang's with its units replaced by
    the eight district-level units of old Bắc Ninh (a test fixture, not data)."""
    shutil.copytree(BEFORE, target)
    old = [r["unit_id"] for r in _rows(paths.REFERENCE_DIR / "units.csv") if r["province_id"] == "bac-ninh-cu"]
    bg = sorted({r["unit_id"] for r in _rows(BEFORE / "organisations.csv")})
    swap = {u: old[i % len(old)] for i, u in enumerate(bg)}
    for name in ("products.csv", "organisations.csv"):
        rows = _rows(target / name)
        for r in rows:
            r["unit_id"] = swap[r["unit_id"]]
        with (target / name).open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    meta = (target / "plan.yaml").read_text(encoding="utf-8")
    meta = meta.replace("province_id: bac-giang", "province_id: bac-ninh-cu").replace(
        "province_name: Bắc Giang", "province_name: Bắc Ninh (cũ)"
    )
    (target / "plan.yaml").write_text(meta, encoding="utf-8")


def test_when_the_missing_predecessor_is_added_last_year_is_the_sum_of_both(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(MERGED, data / "bac-ninh" / "2026")
    shutil.copytree(BEFORE, data / "bac-giang" / "2025")
    _old_bac_ninh(data / "bac-ninh-cu" / "2025")
    plan = loading.load_plan(data / "bac-ninh" / "2026")
    y = yoy.compare_years(plan)
    assert [p.province_id for p in y.available] == ["bac-giang", "bac-ninh-cu"] and not y.missing
    total = y.targets.set_index("indicator").loc["Tổng số sản phẩm đánh giá, phân hạng"]
    assert total["previous"] == 2 * 323 and total["change"] == 400 - 2 * 323
    table = y.units.set_index("from_unit_id")
    assert table["previous"].notna().all() and int(table["previous"].sum()) == 2 * 323
    previous, t, rekeyed, detail = compute.Model(plan).year_over_year(Params({}))
    items = sections.year_over_year_items(
        plan, previous, t, rekeyed, detail, compute.unit_display_names(plan), registry.title("year_over_year")
    )
    page = "".join(notebook.to_display(i).data for i in items)
    header = "Năm 2025 (tổng: Bắc Giang, Bắc Ninh (cũ))"
    assert docfind.cell(page, "Tổng số sản phẩm đánh giá, phân hạng", header, caption="Chỉ tiêu kế hoạch") == "646"
    assert "Thiếu kế hoạch" not in docfind.visible_text(page)
