"""Loading a plan: the default data, Excel-made files, the XLSX form, and every validation rule."""

from __future__ import annotations

import csv
import hashlib
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
import yaml

from ocop_helpers.core.errors import PlanValidationError
from ocop_helpers.inputs import export, loading
from ocop_helpers.inputs.results import load_results
from ocop_helpers.inputs.schema import parse_date, parse_money
from tests.support.plans import DEFAULT_PLAN, edit_csv


def problems_of(path: Path) -> list:
    with pytest.raises(PlanValidationError) as info:
        loading.load_plan(path)
    return info.value.problems


def find(problems: list, file_part: str, row: int | None, column: str | None):
    hits = [p for p in problems if file_part in p.file and p.row == row and p.column == column]
    assert hits, f"no problem at {file_part} row {row} column {column}; got:\n" + "\n".join(map(str, problems))
    return hits[0]


def test_default_plan_loads_with_typed_tables():
    plan = loading.load_plan(DEFAULT_PLAN)
    assert (plan.province_id, plan.year) == ("bac-giang", 2025)
    assert len(plan.products) == 323
    assert plan.products["target_star"].dtype == "Int64"
    assert str(plan.products["certificate_date"].dtype).startswith("datetime64")
    assert plan.requests["cost_vnd"].dtype == "int64"
    assert len(plan.units) == 10 and set(plan.units["level"]) == {"district"}
    assert list(plan.rounds["deadline"].dt.strftime("%d/%m")) == ["15/06", "10/07", "15/10", "30/10"]


def _digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (the results/ subfolder too), by relative path."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_loading_never_modifies_inputs():
    before = _digests(DEFAULT_PLAN)
    assert "results/evaluations.csv" in before
    load_results(loading.load_plan(DEFAULT_PLAN))
    assert _digests(DEFAULT_PLAN) == before


def test_excel_style_csv_is_accepted(plan_copy: Path):
    """UTF-8 with BOM, ';' separators, money with Vietnamese thousands separators, NFD text."""
    path = plan_copy / "requests.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["cost_vnd"] = [f"{int(v):,}".replace(",", ".") for v in frame["cost_vnd"]]
    path.write_text("\ufeff" + frame.to_csv(sep=";", index=False), encoding="utf-8")
    prods = plan_copy / "products.csv"
    prods.write_text(unicodedata.normalize("NFD", prods.read_text(encoding="utf-8")), encoding="utf-8")
    plan = loading.load_plan(plan_copy)
    original = loading.load_plan(DEFAULT_PLAN)
    assert plan.requests["cost_vnd"].tolist() == original.requests["cost_vnd"].tolist()
    assert plan.products["product_name"].tolist() == original.products["product_name"].tolist()


def test_xlsx_workbook_gives_the_same_plan(tmp_path: Path):
    book = export.plan_to_xlsx(DEFAULT_PLAN, tmp_path / "plan.xlsx")
    from_xlsx = loading.load_plan(book)
    from_dir = loading.load_plan(DEFAULT_PLAN)
    assert from_xlsx.targets == from_dir.targets
    for name in ("products", "organisations", "requests", "norms", "budget_lines", "history"):
        pd.testing.assert_frame_equal(getattr(from_xlsx, name), getattr(from_dir, name), check_dtype=True)
    pd.testing.assert_frame_equal(from_xlsx.rounds, from_dir.rounds)


def test_xlsx_problems_name_the_sheet(tmp_path: Path):
    import openpyxl

    book = export.plan_to_xlsx(DEFAULT_PLAN, tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(book)
    ws = wb["products"]
    header = [c.value for c in ws[1]]
    ws.cell(row=5, column=header.index("stream") + 1, value="moi")
    wb.save(book)
    p = find(problems_of(book), "sheet products", 5, "stream")
    assert "moi" in str(p) and "reevaluation" in p.expected


@pytest.mark.parametrize(
    ("file", "row", "column", "value", "expected_part"),
    [
        ("products.csv", 3, "stream", "moi", "một trong: new, reevaluation, upgrade"),
        ("products.csv", 4, "target_star", "6", "từ 1 đến 5"),
        ("products.csv", 5, "product_code", "IX.9", "QĐ 148"),
        ("products.csv", 6, "unit_id", "bg-huyen-khong-co", "đơn vị hành chính"),
        ("products.csv", 7, "organisation_id", "KHONG-CO", "không có trong organisations"),
        ("products.csv", 8, "planned_round", "7", "đợt có trong plan.yaml"),
        ("products.csv", 9, "product_name", "", "không được để trống"),
        ("organisations.csv", 3, "organisation_type", "htx", "cooperative"),
        ("organisations.csv", 4, "requests_branding", "maybe", "true hoặc false"),
        ("requests.csv", 3, "cost_vnd", "-5000000", "không âm"),
        ("requests.csv", 4, "cost_vnd", "12,5 triệu", "số tiền nguyên"),
        ("requests.csv", 5, "item", "logo", "trademark, packaging"),
        ("history.csv", 2, "date", "31/13/2021", "ngày có thật"),
        ("history.csv", 3, "date", "cuối năm", "YYYY-MM-DD"),
        ("norms.csv", 2, "amount_vnd", "50000000.5", "số tiền nguyên"),
        ("norms.csv", 3, "share", "1.5", "tỷ lệ từ 0 đến 1"),
        ("budget_lines.csv", 2, "line", "misc", "rewards"),
    ],
)
def test_bad_cell_is_reported_with_row_and_column(plan_copy, file, row, column, value, expected_part):
    edit_csv(plan_copy / file, row, column, value)
    p = find(problems_of(plan_copy), file, row, column)
    assert expected_part in p.expected, str(p)
    assert p.value == value


def test_all_problems_are_reported_at_once(plan_copy):
    edit_csv(plan_copy / "products.csv", 3, "stream", "moi")
    edit_csv(plan_copy / "organisations.csv", 4, "organisation_type", "htx")
    edit_csv(plan_copy / "requests.csv", 5, "cost_vnd", "abc")
    problems = problems_of(plan_copy)
    assert {p.file.split("/")[-1] for p in problems} >= {"products.csv", "organisations.csv", "requests.csv"}


def test_duplicate_ids_name_both_rows(plan_copy):
    path = plan_copy / "products.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    edit_csv(path, 10, "product_id", rows[2][0])
    p = find(problems_of(plan_copy), "products.csv", 10, "product_id")
    assert "dòng 3" in p.expected


def test_missing_column_is_an_error_and_a_typo_too(plan_copy):
    frame = pd.read_csv(plan_copy / "organisations.csv", dtype=str, keep_default_na=False)
    frame = frame.drop(columns=["organisation_type"]).assign(ghi_chu="x")
    frame.to_csv(plan_copy / "organisations.csv", index=False)
    norms = pd.read_csv(plan_copy / "norms.csv", dtype=str, keep_default_na=False)
    norms.rename(columns={"valid_to": "valid_too"}).to_csv(plan_copy / "norms.csv", index=False)
    problems = problems_of(plan_copy)
    find(problems, "organisations.csv", None, "organisation_type")
    typo = find(problems, "norms.csv", None, "valid_too")
    assert "valid_to" in typo.expected and "sai tên" in typo.expected
    assert not [p for p in problems if p.column == "ghi_chu"], "an extra notes column is not an error"


def test_missing_file(plan_copy):
    (plan_copy / "requests.csv").unlink()
    p = find(problems_of(plan_copy), "requests.csv", None, None)
    assert "thiếu tệp" in p.expected


def test_stream_counts_disagreeing_with_targets_name_both_numbers(plan_copy):
    path = plan_copy / "products.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = frame.index[frame["stream"] == "new"][0]
    edit_csv(path, row + 2, "stream", "upgrade")
    edit_csv(path, row + 2, "current_star", "3")
    edit_csv(path, row + 2, "certificate_date", "2023-05-01")
    edit_csv(path, row + 2, "target_star", "4")
    problems = problems_of(plan_copy)
    msgs = [str(p) for p in problems if p.column == "stream" and p.row is None]
    assert any("236" in m and "237" in m for m in msgs), msgs
    assert any("12" in m and "11" in m for m in msgs), msgs


def test_stream_rules(plan_copy):
    path = plan_copy / "products.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    new_row = int(frame.index[frame["stream"] == "new"][0]) + 2
    re_row = int(frame.index[frame["stream"] == "reevaluation"][0]) + 2
    up_row = int(frame.index[frame["stream"] == "upgrade"][0]) + 2
    edit_csv(path, new_row, "current_star", "3")
    edit_csv(path, re_row, "certificate_date", "")
    edit_csv(path, up_row, "target_star", frame.loc[up_row - 2, "current_star"])
    problems = problems_of(plan_copy)
    find(problems, "products.csv", new_row, "current_star")
    find(problems, "products.csv", re_row, "certificate_date")
    find(problems, "products.csv", up_row, "target_star")


def test_request_for_someone_elses_product(plan_copy):
    reqs = pd.read_csv(plan_copy / "requests.csv", dtype=str, keep_default_na=False)
    prods = pd.read_csv(plan_copy / "products.csv", dtype=str, keep_default_na=False)
    i = int(reqs.index[reqs["item"] == "packaging"][0])
    other = prods.loc[prods["organisation_id"] != reqs.loc[i, "organisation_id"], "product_id"].iloc[0]
    edit_csv(plan_copy / "requests.csv", i + 2, "product_id", other)
    p = find(problems_of(plan_copy), "requests.csv", i + 2, "product_id")
    assert "thuộc chủ thể" in p.expected


def test_branding_count_and_budget_total_must_match_plan(plan_copy):
    orgs = pd.read_csv(plan_copy / "organisations.csv", dtype=str, keep_default_na=False)
    no_request = set(pd.read_csv(plan_copy / "requests.csv", dtype=str)["organisation_id"])
    i = int(orgs.index[(orgs["requests_branding"] == "false")][0])
    assert orgs.loc[i, "organisation_id"] not in no_request
    edit_csv(plan_copy / "organisations.csv", i + 2, "requests_branding", "true")
    edit_csv(plan_copy / "budget_lines.csv", 2, "amount_vnd", "9000000001")
    problems = problems_of(plan_copy)
    assert any("154" in str(p) and "153" in str(p) for p in problems)
    assert any("20900000000" in str(p) for p in problems if "budget_lines" in p.file)


def test_plan_yaml_problems(plan_copy):
    meta = yaml.safe_load((plan_copy / "plan.yaml").read_text(encoding="utf-8"))
    meta["targets"]["total"] = 300
    meta["rounds"][1]["deadline"] = "30/02/2025"
    meta["rounds"][2]["level"] = "huyen"
    meta["province_nmae"] = "Bắc Giang"  # a typo of province_name: an error, not an extra key
    meta["targets"]["stock_targte"] = 1
    (plan_copy / "plan.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    problems = problems_of(plan_copy)
    find(problems, "plan.yaml", None, "targets.total")
    find(problems, "plan.yaml", None, "rounds[2].deadline")
    find(problems, "plan.yaml", None, "rounds[3].level")
    assert "province_name" in find(problems, "plan.yaml", None, "province_nmae").expected
    assert "stock_target" in find(problems, "plan.yaml", None, "targets.stock_targte").expected


def test_broken_yaml_names_the_line(plan_copy):
    text = (plan_copy / "plan.yaml").read_text(encoding="utf-8").splitlines()
    text[2] = "year: [2025"
    (plan_copy / "plan.yaml").write_text("\n".join(text), encoding="utf-8")
    problems = problems_of(plan_copy)
    assert problems[0].row is not None and "YAML" in problems[0].expected


def test_not_utf8_is_reported(plan_copy):
    path = plan_copy / "organisations.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("cp1258", errors="replace"))
    first_accented = next(i for i, line in enumerate(text.splitlines(), start=1) if not line.isascii())
    p = find(problems_of(plan_copy), "organisations.csv", first_accented, None)
    assert "UTF-8" in p.expected and "CSV UTF-8" in p.expected


def test_ragged_row_is_reported(plan_copy):
    path = plan_copy / "budget_lines.csv"
    path.write_text(path.read_text(encoding="utf-8") + "training,1,x,extra\n", encoding="utf-8")
    problems = problems_of(plan_copy)
    assert any("ô" in p.expected and "budget_lines" in p.file for p in problems)


@pytest.mark.parametrize(
    "text,value",
    [
        ("20900000000", 20_900_000_000),
        ("20.900.000.000", 20_900_000_000),
        ("1 500 000", 1_500_000),
        ("150000000.0", 150_000_000),
    ],
)
def test_money_parser_accepts(text, value):
    assert parse_money(text) == value


@pytest.mark.parametrize("text", ["-1", "1,5", "12.5", "20.900.00", "abc", "1e9"])
def test_money_parser_rejects(text):
    with pytest.raises(ValueError):
        parse_money(text)


def test_date_parser():
    assert parse_date("2025-06-15") == pd.Timestamp(2025, 6, 15)
    assert parse_date("15/6/2025") == pd.Timestamp(2025, 6, 15)
    with pytest.raises(ValueError):
        parse_date("2025-02-30")


def test_blank_rows_keep_the_line_numbers_a_spreadsheet_shows(plan_copy):
    path = plan_copy / "products.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[5:5] = ["", ",,,,,,,,,"]  # two blank rows before what was line 6
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    edit_csv(path, 12, "stream", "moi")
    p = find(problems_of(plan_copy), "products.csv", 12, "stream")
    assert p.value == "moi"


def test_cell_errors_and_cross_table_errors_are_reported_together(plan_copy):
    edit_csv(plan_copy / "products.csv", 3, "target_star", "9")
    edit_csv(plan_copy / "products.csv", 31, "unit_id", "khong-co")
    problems = problems_of(plan_copy)
    find(problems, "products.csv", 3, "target_star")
    find(problems, "products.csv", 31, "unit_id")


def test_history_norms_and_budget_lines_must_cover_the_plan_year(plan_copy):
    hist = plan_copy / "history.csv"
    rows = hist.read_text(encoding="utf-8").splitlines()
    hist.write_text(
        "\n".join(rows[:1] + [r.replace("2024-12-31", "2025-12-31") for r in rows[-1:]]) + "\n", encoding="utf-8"
    )
    norms = plan_copy / "norms.csv"
    norm_rows = norms.read_text(encoding="utf-8").splitlines()
    norms.write_text("\n".join(norm_rows + [norm_rows[1]]) + "\n", encoding="utf-8")  # one reward row twice
    lines = plan_copy / "budget_lines.csv"
    rows = lines.read_text(encoding="utf-8").splitlines()
    lines.write_text("\n".join(r for r in rows if not r.startswith("training")) + "\n", encoding="utf-8")
    problems = problems_of(plan_copy)
    assert any("history.csv" in p.file and "trước ngày 1/1/2025" in p.expected for p in problems)
    dup = find(problems, "norms.csv", len(norm_rows) + 1, "valid_from")
    assert "hai lần" in dup.expected and "dòng 2" in dup.expected
    assert any("budget_lines" in p.file and "training" in p.expected for p in problems)
