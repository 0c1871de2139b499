"""Season results entered as they come (issue 18, parts 2 and 5): results/ or results.xlsx of a plan
folder, validated like every input, and the illustrative results shipped with the plans."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ocop_helpers.core.errors import PlanValidationError, Problem
from ocop_helpers.dev.synth_results import results_csv_bytes, synth_results
from ocop_helpers.domain.season import load_season_results
from ocop_helpers.inputs import loading
from ocop_helpers.inputs.loading import load_plan
from ocop_helpers.inputs.results import RESULT_TABLES, SeasonResults, load_results
from ocop_helpers.runs import cli
from tests.support.plans import DEFAULT_PLAN, DEMO_PLAN

HEADERS = {
    "evaluations": ["product_id", "round", "level", "score", "star", "decision_number", "decision_date"],
    "support": ["organisation_id", "item", "paid_vnd", "paid_date"],
    "spending": ["line", "spent_vnd", "as_of"],
}


@pytest.fixture(autouse=True)
def _logs_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Problem logs of these tests go to a temporary folder, never into outputs/."""
    monkeypatch.setenv(loading.LOG_DIR_ENV, str(tmp_path / "logs"))


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A writable copy of the demo plan folder with its shipped results."""
    target = tmp_path / "demo" / "2027"
    shutil.copytree(DEMO_PLAN, target)
    return target


@pytest.fixture
def bac_giang(tmp_path: Path) -> Path:
    """A writable copy of the default plan folder (2025: the district level ends on 30/6)."""
    target = tmp_path / "bac-giang" / "2025"
    shutil.copytree(DEFAULT_PLAN, target)
    return target


def write(plan_dir: Path, table: str, rows: list[list[str]], header: list[str] | None = None) -> Path:
    """Replace ``results/<table>.csv`` by ``header`` (default: the table's columns) and ``rows``."""
    path = plan_dir / "results" / f"{table}.csv"
    path.parent.mkdir(exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([header or HEADERS[table], *rows])
    return path


def only_file(plan_dir: Path, table: str) -> None:
    """Keep only ``results/<table>.csv`` (the other kinds: not entered yet)."""
    for other in RESULT_TABLES:
        if other != table:
            (plan_dir / "results" / f"{other}.csv").unlink(missing_ok=True)


def problems_of(plan_dir: Path, **kwargs) -> list[Problem]:
    with pytest.raises(PlanValidationError) as info:
        load_season_results(load_plan(plan_dir, last_year=False), **kwargs)
    return info.value.problems


def at(problems: list[Problem], table: str, row: int | None, column: str | None) -> Problem:
    """The problem of ``results/<table>.csv`` at ``row`` and ``column`` (fails listing them all if none)."""
    hits = [p for p in problems if p.file.endswith(f"results/{table}.csv") and p.row == row and p.column == column]
    assert hits, f"no problem at {table} row {row} column {column}; got:\n" + "\n".join(map(str, problems))
    return hits[0]


# ----------------------------------------------------------------------------- shipped results


@pytest.mark.parametrize("plan_dir", [DEFAULT_PLAN, DEMO_PLAN], ids=["bac-giang-2025", "demo-2027"])
def test_the_shipped_results_load_without_a_problem(plan_dir: Path) -> None:
    plan = load_plan(plan_dir, last_year=False)
    results = load_season_results(plan)
    assert isinstance(results, SeasonResults) and not results.empty
    assert results.warnings == ()
    assert set(results.evaluations["round"]) == {1, 2}
    assert len(results.evaluations) == len(plan.products)
    ev, sp, spend = results.evaluations, results.support, results.spending
    assert str(ev["round"].dtype) == "Int64" and str(ev["star"].dtype) == "Int64"
    assert ev["score"].dtype == "float64"
    assert sp["paid_vnd"].dtype == "int64" and spend["spent_vnd"].dtype == "int64"
    for frame, column in ((ev, "decision_date"), (sp, "paid_date"), (spend, "as_of")):
        assert str(frame[column].dtype).startswith("datetime64")
        assert (frame[column] == frame[column].dt.normalize()).all()


def test_the_default_plan_results_follow_the_authority_of_each_period() -> None:
    """Round 1 of 2025 decided before 1/7 (district 3★, province 4★); round 2 by the province after
    6/7 (3★ and 4★), 5★ only by the central council."""
    ev = load_results(load_plan(DEFAULT_PLAN, last_year=False)).evaluations
    stars = ev.dropna(subset=["star"])
    first = stars[(stars["round"] == 1) & (stars["level"] != "central")]
    assert (first["decision_date"] < pd.Timestamp(2025, 7, 1)).all()
    assert set(first.loc[first["star"] == 3, "level"]) == {"district"}
    assert set(first.loc[first["star"] == 4, "level"]) == {"province"}
    second = ev[ev["round"] == 2]
    assert "district" not in set(second["level"])
    assert (second.loc[second["level"] == "province", "decision_date"] > pd.Timestamp(2025, 7, 6)).all()
    assert set(stars.loc[stars["level"] == "province", "star"]) <= {3, 4}
    assert set(stars.loc[stars["star"] == 5, "level"]) <= {"central"}
    assert stars["decision_number"].str.fullmatch(r"\d+/QĐ-(UBND|BNNMT)").all()


def test_the_default_plan_results_have_plausible_pass_rates_and_spending() -> None:
    plan = load_plan(DEFAULT_PLAN, last_year=False)
    results = load_results(plan)
    ev = results.evaluations.merge(plan.products[["product_id", "stream", "target_star"]], on="product_id")
    reached = ev["star"].astype("Float64").fillna(0) >= ev["target_star"].astype("Float64")
    rates = reached.groupby(ev["stream"]).mean()
    assert 0.4 <= rates["new"] <= 0.6
    assert 0.8 <= rates["reevaluation"] <= 1.0
    assert 0.2 <= rates["upgrade"] <= 0.8  # 11 upgrades: about half
    paid_to = results.support["organisation_id"].nunique()
    assert 0 < paid_to < plan.targets.organisations_branding
    latest = results.through(dt.date(2025, 12, 31)).spending.set_index("line")["spent_vnd"]
    planned = plan.budget_lines.set_index("line")["amount_vnd"]
    assert (latest < planned.reindex(latest.index)).all()
    assert latest["branding"] == results.support["paid_vnd"].sum()


def test_through_a_mid_year_date_keeps_round_one_and_the_latest_spending() -> None:
    results = load_results(load_plan(DEMO_PLAN, last_year=False))
    mid = results.through(dt.date(2027, 7, 31))
    assert set(mid.evaluations["round"]) == {1}
    assert len(mid.evaluations) == (results.evaluations["round"] == 1).sum()
    assert (mid.support["paid_date"] <= pd.Timestamp(2027, 7, 31)).all()
    assert len(mid.support) == (results.support["paid_date"] <= pd.Timestamp(2027, 7, 31)).sum()
    assert mid.spending["line"].is_unique and len(mid.spending) == 5
    assert set(mid.spending["as_of"]) == {pd.Timestamp(2027, 6, 30)}
    assert list(mid.spending.attrs["lines"]) == [3, 7, 11, 15, 19]  # the rows of those dates in spending.csv
    before = results.through(dt.date(2027, 1, 1))
    assert before.empty and not mid.empty


def test_a_partial_results_folder_loads(demo: Path) -> None:
    """Only round 1 entered, no support paid and no spending yet."""
    ev = pd.read_csv(demo / "results" / "evaluations.csv", dtype=str, keep_default_na=False)
    write(demo, "evaluations", ev[ev["round"] == "1"].to_numpy().tolist())
    only_file(demo, "evaluations")
    results = load_season_results(load_plan(demo, last_year=False))
    assert set(results.evaluations["round"]) == {1}
    assert results.support.empty and results.spending.empty
    assert results.support["paid_vnd"].dtype == "int64"
    assert str(results.spending["as_of"].dtype).startswith("datetime64")


def test_a_plan_without_results_gives_none(demo: Path) -> None:
    shutil.rmtree(demo / "results")
    plan = load_plan(demo, last_year=False)
    assert load_results(plan) is None and load_season_results(plan) is None


def test_results_in_one_workbook_load_like_the_folder(demo: Path) -> None:
    folder = load_results(load_plan(demo, last_year=False))
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in RESULT_TABLES:
        sheet = book.create_sheet(name)
        with (demo / "results" / f"{name}.csv").open(encoding="utf-8") as f:
            for row in csv.reader(f):
                sheet.append(row)
    shutil.rmtree(demo / "results")
    book.save(demo / "results.xlsx")
    plan = load_plan(demo, last_year=False)
    loaded = load_season_results(plan)
    for name in RESULT_TABLES:
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(folder, name))
    sheet = book["evaluations"]
    sheet.cell(row=4, column=5, value=2)
    book.save(demo / "results.xlsx")
    with pytest.raises(PlanValidationError) as info:
        load_results(plan)
    (p,) = info.value.problems
    assert (p.file, p.row, p.column, p.value) == ("2027/results.xlsx (sheet evaluations)", 4, "star", "2")


def test_a_folder_and_a_workbook_together_are_refused(demo: Path) -> None:
    (demo / "results.xlsx").write_bytes(b"")
    with pytest.raises(PlanValidationError) as info:
        load_results(load_plan(demo, last_year=False))
    assert any("không cả hai" in p.expected and p.file.endswith("results.xlsx") for p in info.value.problems)


def test_a_misnamed_results_file_is_an_error_and_another_file_a_warning(demo: Path) -> None:
    (demo / "results" / "evaluations.csv").rename(demo / "results" / "evaluation.csv")
    (demo / "results" / "ghi-chu.txt").write_text("ghi chú", encoding="utf-8")
    with pytest.raises(PlanValidationError) as info:
        load_results(load_plan(demo, last_year=False))
    (p,) = info.value.problems
    assert p.file == "2027/results/evaluation.csv" and "gần giống 'evaluations.csv'" in p.expected
    (demo / "results" / "evaluation.csv").rename(demo / "results" / "evaluations.csv")
    (w,) = load_results(load_plan(demo, last_year=False)).warnings
    assert w.file == "2027/results/ghi-chu.txt" and "bỏ qua" in w.expected


def test_a_results_file_instead_of_a_folder_is_refused(demo: Path) -> None:
    shutil.rmtree(demo / "results")
    (demo / "results").write_text("product_id\n", encoding="utf-8")
    with pytest.raises(PlanValidationError) as info:
        load_results(load_plan(demo, last_year=False))
    (p,) = info.value.problems
    assert p.file == "2027/results" and "cần thư mục results/" in p.expected


# ----------------------------------------------------------------------------- columns and cells


def test_a_missing_and_a_misspelt_column_are_named(demo: Path) -> None:
    header = [*HEADERS["evaluations"]]
    header[3] = "scor"
    write(demo, "evaluations", [["DM27-0001", "1", "province", "51.5", "3", "1/QĐ-UBND", "2027-06-10"]], header)
    header = HEADERS["spending"][:2]
    write(demo, "spending", [["rewards", "1000"]], header)
    problems = problems_of(demo)
    assert "gần giống 'score'" in at(problems, "evaluations", None, "scor").expected
    assert "thiếu cột bắt buộc" in at(problems, "evaluations", None, "score").expected
    assert "thiếu cột bắt buộc" in at(problems, "spending", None, "as_of").expected


@pytest.mark.parametrize(
    ("table", "column", "value", "expected"),
    [
        ("evaluations", "score", "abc", "điểm từ 0 đến 100"),
        ("evaluations", "score", "101", "điểm từ 0 đến 100"),
        ("evaluations", "star", "2", "3, 4 hoặc 5"),
        ("evaluations", "level", "commune", "một trong: district, province, central"),
        ("evaluations", "round", "một", "một số nguyên"),
        ("evaluations", "decision_date", "31/02/2027", "một ngày có thật"),
        ("evaluations", "decision_date", "", "không được để trống"),
        ("support", "item", "label", "một trong: trademark, packaging"),
        ("support", "paid_vnd", "-5000", "không âm"),
        ("support", "paid_vnd", "nhiều", "số tiền nguyên"),
        ("spending", "line", "marketing", "một trong: rewards"),
        ("spending", "spent_vnd", "-1", "không âm"),
        ("spending", "as_of", "2027-13-01", "một ngày có thật"),
    ],
)
def test_a_value_that_does_not_parse_is_named(demo: Path, table: str, column: str, value: str, expected: str) -> None:
    rows = list(csv.reader((demo / "results" / f"{table}.csv").open(encoding="utf-8")))
    rows[2][rows[0].index(column)] = value  # file row 3
    write(demo, table, rows[1:], rows[0])
    problems = problems_of(demo)
    p = at(problems, table, 3, column)
    assert p.value == value and expected in p.expected
    assert len(problems) == 1, "\n".join(map(str, problems))


def test_money_in_vietnamese_form_is_read(demo: Path) -> None:
    write(demo, "support", [["DM27-O0005", "packaging", "43.842.000", "12/3/2027"]])
    results = load_season_results(load_plan(demo, last_year=False))
    assert results.support["paid_vnd"].tolist() == [43_842_000]
    assert results.support["paid_date"].tolist() == [pd.Timestamp(2027, 3, 12)]


# ----------------------------------------------------------------------------- evaluations


def test_unknown_product_round_and_a_second_evaluation_in_a_round(demo: Path) -> None:
    write(
        demo,
        "evaluations",
        [
            ["DM27-0001", "1", "province", "51.5", "3", "1/QĐ-UBND", "2027-06-10"],
            ["DM27-9999", "1", "province", "40", "", "", "2027-06-10"],
            ["DM27-0002", "3", "province", "40", "", "", "2027-06-10"],
            ["DM27-0001", "1", "province", "60", "3", "2/QĐ-UBND", "2027-06-12"],
            ["DM27-0001", "2", "province", "75", "4", "3/QĐ-UBND", "2027-10-12"],  # a new round: allowed
        ],
    )
    problems = problems_of(demo)
    assert "products.csv" in at(problems, "evaluations", 3, "product_id").expected
    p = at(problems, "evaluations", 4, "round")
    assert p.value == "3" and "plan.yaml" in p.expected and "1, 2" in p.expected
    assert "đợt 1 (dòng 2)" in at(problems, "evaluations", 5, "product_id").expected
    assert len(problems) == 3, "\n".join(map(str, problems))


def test_a_district_council_cannot_award_four_stars(bac_giang: Path) -> None:
    only_file(bac_giang, "evaluations")
    write(bac_giang, "evaluations", [["BG25-0003", "1", "district", "75", "4", "12/QĐ-UBND", "2025-05-29"]])
    p = at(problems_of(bac_giang), "evaluations", 2, "star")
    assert p.value == "4"
    assert "cấp huyện không được công nhận 4 sao vào ngày 29/05/2025" in p.expected and "cấp tỉnh" in p.expected


def test_no_district_decision_after_the_district_level_ended(bac_giang: Path) -> None:
    only_file(bac_giang, "evaluations")
    write(
        bac_giang,
        "evaluations",
        [
            ["BG25-0003", "1", "district", "60", "3", "12/QĐ-UBND", "2025-06-30"],  # the last district day
            ["BG25-0001", "1", "district", "60", "3", "13/QĐ-UBND", "2025-07-02"],
            ["BG25-0002", "2", "district", "40", "", "", "2025-10-10"],
        ],
    )
    problems = problems_of(bac_giang)
    for row in (3, 4):
        p = at(problems, "evaluations", row, "level")
        assert p.value == "district" and "không còn cấp huyện" in p.expected
    assert len(problems) == 2, "\n".join(map(str, problems))


def test_the_province_awards_three_stars_only_under_the_new_authority(bac_giang: Path) -> None:
    only_file(bac_giang, "evaluations")
    write(
        bac_giang,
        "evaluations",
        [
            ["BG25-0003", "1", "province", "60", "3", "12/QĐ-UBND", "2025-06-20"],  # 148: 3★ is district's
            ["BG25-0001", "2", "province", "60", "3", "13/QĐ-UBND", "2025-10-14"],  # 1489: province
        ],
    )
    problems = problems_of(bac_giang)
    p = at(problems, "evaluations", 2, "star")
    assert "cấp tỉnh không được công nhận 3 sao vào ngày 20/06/2025" in p.expected and "cấp huyện" in p.expected
    assert len(problems) == 1, "\n".join(map(str, problems))


def test_five_stars_are_central(demo: Path) -> None:
    write(demo, "evaluations", [["DM27-0009", "2", "province", "92", "5", "7/QĐ-UBND", "2027-10-21"]])
    p = at(problems_of(demo), "evaluations", 2, "star")
    assert p.value == "5" and "5 sao do cấp trung ương công nhận" in p.expected


def test_a_score_outside_the_band_of_the_star(demo: Path) -> None:
    write(
        demo,
        "evaluations",
        [
            ["DM27-0008", "2", "province", "65", "4", "7/QĐ-UBND", "2027-10-21"],
            ["DM27-0001", "1", "province", "70", "3", "8/QĐ-UBND", "2027-06-10"],  # 70 is 4★ (half-open)
            ["DM27-0002", "2", "province", "65", "", "", "2027-10-21"],  # not recognised: any score
            ["DM27-0003", "2", "province", "69.75", "3", "7/QĐ-UBND", "2027-10-21"],
        ],
    )
    problems = problems_of(demo)
    p = at(problems, "evaluations", 2, "score")
    assert p.value == "65" and "hạng 4 sao phải từ 70 đến dưới 90" in p.expected
    assert "hạng 3 sao phải từ 50 đến dưới 70" in at(problems, "evaluations", 3, "score").expected
    assert len(problems) == 2, "\n".join(map(str, problems))


def test_a_star_needs_a_decision_number_and_a_date_in_the_plan_year(demo: Path) -> None:
    write(
        demo,
        "evaluations",
        [
            ["DM27-0001", "1", "province", "55", "3", "", "2027-06-10"],
            ["DM27-0002", "1", "province", "55", "3", "9/QĐ-UBND", "2026-12-31"],
        ],
    )
    problems = problems_of(demo)
    assert "số quyết định" in at(problems, "evaluations", 2, "decision_number").expected
    p = at(problems, "evaluations", 3, "decision_date")
    assert p.value == "2026-12-31" and "năm kế hoạch 2027" in p.expected


# ----------------------------------------------------------------------------- support paid


def test_unknown_organisation_and_payment_outside_the_year(demo: Path) -> None:
    write(
        demo,
        "support",
        [
            ["DM27-O9999", "packaging", "1000000", "2027-03-01"],
            ["DM27-O0005", "packaging", "1000000", "2028-01-02"],
        ],
    )
    problems = problems_of(demo)
    assert "organisations.csv" in at(problems, "support", 2, "organisation_id").expected
    assert "năm kế hoạch 2027" in at(problems, "support", 3, "paid_date").expected
    assert len(problems) == 2, "\n".join(map(str, problems))


def test_payments_above_the_item_norm(demo: Path) -> None:
    """DM27-O0005 asked packaging for a 4★ product costing 141 074 000: half is 70,5 M, the norm 50 M."""
    write(
        demo,
        "support",
        [
            ["DM27-O0005", "packaging", "30.000.000", "2027-03-01"],
            ["DM27-O0005", "packaging", "20.000.001", "2027-05-01"],  # the cumulative crosses the norm here
        ],
    )
    problems = problems_of(demo)
    p = at(problems, "support", 3, "paid_vnd")
    assert "vượt định mức hỗ trợ (50.000.000 đồng" in p.expected and "50.000.001 đồng" in p.expected
    assert len(problems) == 1, "\n".join(map(str, problems))


def test_payments_above_the_grant_requested(demo: Path) -> None:
    """DM27-O0002 asked packaging for a 3★ product costing 41 958 000: the state's half is 20 979 000,
    under the 30 M norm."""
    write(demo, "support", [["DM27-O0002", "packaging", "20979000", "2027-03-01"]])
    load_season_results(load_plan(demo, last_year=False))
    write(demo, "support", [["DM27-O0002", "packaging", "20979001", "2027-03-01"]])
    p = at(problems_of(demo), "support", 2, "paid_vnd")
    assert "vượt mức hỗ trợ theo đề nghị (20.979.000 đồng" in p.expected and "tỷ lệ nhà nước" in p.expected


def test_a_payment_for_an_item_never_requested(demo: Path) -> None:
    write(demo, "support", [["DM27-O0006", "trademark", "1000000", "2027-03-01"]])
    p = at(problems_of(demo), "support", 2, "item")
    assert p.value == "trademark" and "không có đề nghị hỗ trợ đăng ký nhãn hiệu" in p.expected


def test_payments_above_the_organisation_cap(demo: Path) -> None:
    """DM27-O0005 is paid 46 411 000 + 19 965 000 in the shipped results."""
    plan = load_plan(demo, last_year=False)
    load_season_results(plan, organisation_cap_vnd=66_376_000)
    with pytest.raises(PlanValidationError) as info:
        load_season_results(plan, organisation_cap_vnd=60_000_000)
    (p,) = info.value.problems
    assert (p.row, p.column) == (8, "paid_vnd") and "vượt mức trần mỗi chủ thể (60.000.000 đồng)" in p.expected


# ----------------------------------------------------------------------------- spending


def test_spending_rules(demo: Path) -> None:
    write(
        demo,
        "spending",
        [
            ["rewards", "100000000", "2027-03-31"],
            ["rewards", "120000000", "2027-03-31"],
            ["councils", "10000000", "2026-12-31"],
        ],
    )
    problems = problems_of(demo)
    assert "dòng 2" in at(problems, "spending", 3, "as_of").expected
    assert "năm kế hoạch 2027" in at(problems, "spending", 4, "as_of").expected
    assert len(problems) == 2, "\n".join(map(str, problems))


def test_spending_above_the_planned_line_is_a_warning(demo: Path) -> None:
    write(demo, "spending", [["training", "70000001", "2027-12-31"]])
    results = load_season_results(load_plan(demo, last_year=False))
    (w,) = results.warnings
    assert (w.row, w.column, w.value) == (2, "spent_vnd", "70000001")
    assert "vượt dự toán của dòng chi (70.000.000 đồng)" in w.expected


def test_a_budget_line_not_in_the_plan(demo: Path) -> None:
    """A line code the schema knows but this plan's budget_lines.csv does not plan."""
    write(demo, "spending", [["training", "1000", "2027-03-31"]])
    plan = load_plan(demo, last_year=False)
    plan = dataclasses.replace(plan, budget_lines=plan.budget_lines[plan.budget_lines["line"] != "training"])
    with pytest.raises(PlanValidationError) as info:
        load_results(plan)
    (p,) = info.value.problems
    assert (p.row, p.column, p.value) == (2, "line", "training") and "budget_lines.csv" in p.expected


# ----------------------------------------------------------------------------- every problem at once, the CLI


def test_every_problem_of_every_file_is_reported_at_once(demo: Path) -> None:
    write(demo, "evaluations", [["DM27-0008", "2", "province", "65", "4", "7/QĐ-UBND", "2027-10-21"]])
    write(demo, "support", [["DM27-O0002", "packaging", "25000000", "2027-03-01"]])
    write(demo, "spending", [["rewards", "1", "2030-01-01"]])
    problems = problems_of(demo)
    assert {p.file.rsplit("/", 1)[1] for p in problems} == {"evaluations.csv", "support.csv", "spending.csv"}


def test_validate_checks_the_results(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", "--plan", str(demo)]) == 0
    assert "Kết quả đã nhập: 12 lượt đánh giá" in capsys.readouterr().out
    write(demo, "evaluations", [["DM27-0008", "2", "province", "65", "4", "7/QĐ-UBND", "2027-10-21"]])
    assert cli.main(["validate", "--plan", str(demo)]) == 2
    err = capsys.readouterr().err
    assert "2027/results/evaluations.csv, dòng 2, cột 'score'" in err


# ----------------------------------------------------------------------------- the generator


def test_the_generator_is_deterministic() -> None:
    plan = load_plan(DEMO_PLAN, last_year=False)
    first, again = results_csv_bytes(synth_results(plan, seed=7)), results_csv_bytes(synth_results(plan, seed=7))
    assert first == again
    assert first != results_csv_bytes(synth_results(plan, seed=8))
    shipped = {name: (DEMO_PLAN / "results" / name).read_bytes() for name in first}
    assert results_csv_bytes(synth_results(plan, seed=2027)) == shipped
