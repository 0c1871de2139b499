"""The report on the season, built with the real command (``python -m ocop_helpers report``): the
báo cáo in three forms and its annex from the ledger, read as its signer reads it; byte-identical on
rebuild; a bad results file stops it and leaves the previous report; next year seeded from it."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from ocop_helpers.core import paths
from ocop_helpers.domain.stock import start_stock
from ocop_helpers.inputs.loading import load_plan
from ocop_helpers.runs.reading import read_plan_dir
from tests.support import docfind
from tests.support.plans import DEFAULT_PLAN, DEMO_PLAN, edit_csv

DRAWS = "2000"


def _report(plan: Path, as_of: str, out: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "ocop_helpers", "report", "--plan", str(plan), "--as-of", as_of, "--out", str(out)]
    return subprocess.run([*cmd, "--draws", DRAWS], capture_output=True, text=True, cwd=paths.ROOT, timeout=600)


def _folder(out: Path, plan: Path, as_of: str) -> Path:
    return out / plan.parent.name / plan.name / f"bao-cao-{as_of}"


def _figures(folder: Path) -> dict[str, dict]:
    return {f["id"]: f for f in json.loads((folder / "figures.json").read_text(encoding="utf-8"))["figures"]}


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("reports")
    made = {}
    for key, as_of in (("mid", "2025-07-15"), ("end", "2025-12-15")):
        done = _report(DEFAULT_PLAN, as_of, out)
        assert done.returncode == 0, done.stderr
        made[key] = _folder(out, DEFAULT_PLAN, as_of)
    made["out"] = out
    return made


@pytest.mark.parametrize("key", ["mid", "end"])
def test_the_report_holds_together_as_its_signer_reads_it(reports, key) -> None:
    folder = reports[key]
    assert sorted(p.name for p in folder.iterdir()) == [
        "bao-cao-phu-luc.xlsx",
        "bao-cao.docx",
        "bao-cao.html",
        "bao-cao.pdf",
        "figures.json",
    ]
    assert read_plan_dir(folder) == []


def test_the_mid_year_report_states_round_one_against_the_plan(reports) -> None:
    folder = reports["mid"]
    fig = _figures(folder)
    page = (folder / "bao-cao.html").read_text(encoding="utf-8")
    assert "Sơ kết 6 tháng đầu năm 2025" in page and "Số: …/BC-UBND" in page
    assert "Kính gửi: Bộ Nông nghiệp và Môi trường." in page
    assert fig["season.rounds_held"]["value"] == 1
    # the stream table: the row "Đánh giá lần đầu" holds the plan's 237 and the share evaluated
    caption = "Kết quả đánh giá, phân hạng sản phẩm đến ngày 15/7/2025"
    assert docfind.cell(page, "Đánh giá lần đầu", "Kế hoạch", caption) == "237"
    assert docfind.cell(page, "Đánh giá lần đầu", "Đã đánh giá", caption) == fig["season.new.evaluated"]["shown"]
    assert docfind.cell(page, "Đánh giá lần đầu", "Đạt so với kế hoạch", caption) == fig["season.new.share"]["shown"]
    assert docfind.cell(page, "Tổng", "Chưa có kết quả", caption) == fig["season.waiting"]["shown"]
    # round 2 is still to come, at the level in force on its deadline (no district after 1/7/2025)
    left = "Các đợt đánh giá còn lại"
    power = "Thẩm quyền tại thời hạn"
    assert docfind.cell(page, "Cấp tỉnh", power, left, key="Cấp") == "Công nhận 3 sao và 4 sao"
    assert "không còn tại thời hạn" in docfind.cell(page, "Cấp huyện", power, left, key="Cấp")


def test_the_year_end_report_is_issued_by_the_successor_and_seeds_next_year(reports) -> None:
    folder = reports["end"]
    page = (folder / "bao-cao.html").read_text(encoding="utf-8")
    assert "Tổng kết thực hiện Chương trình mỗi xã một sản phẩm (OCOP) năm 2025" in page
    assert "TỈNH BẮC NINH" in page and "UBND tỉnh Bắc Giang (cũ)" in page
    fig = _figures(folder)
    assert fig["season.waiting"]["value"] == 0
    assert "Chuẩn bị kế hoạch năm 2026" in page


def test_the_annex_lists_results_by_code(reports) -> None:
    book = openpyxl.load_workbook(reports["end"] / "bao-cao-phu-luc.xlsx")
    assert book.sheetnames == ["Kết quả đánh giá", "Mục tiêu", "Kinh phí"]
    sheet = book["Kết quả đánh giá"]
    header = [c.value for c in sheet[1]]
    assert header[0] == "Mã sản phẩm"
    plan = load_plan(DEFAULT_PLAN)
    ids = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert ids == set(plan.season_results.evaluations["product_id"])
    names = set(plan.products["product_name"])
    assert not any(v in names for row in sheet.iter_rows(values_only=True) for v in row)


def test_rebuilding_gives_the_same_bytes(reports, tmp_path) -> None:
    done = _report(DEFAULT_PLAN, "2025-07-15", tmp_path)
    assert done.returncode == 0, done.stderr
    assert _digest(_folder(tmp_path, DEFAULT_PLAN, "2025-07-15")) == _digest(reports["mid"])


def test_a_bad_results_file_stops_the_report_and_keeps_the_last_one(tmp_path) -> None:
    plan = tmp_path / "demo" / "2027"
    shutil.copytree(DEMO_PLAN, plan)
    out = tmp_path / "out"
    assert _report(plan, "2027-12-15", out).returncode == 0
    folder = _folder(out, plan, "2027-12-15")
    before = _digest(folder)
    edit_csv(plan / "results" / "evaluations.csv", 2, "score", "140")
    done = _report(plan, "2027-12-15", out)
    assert done.returncode == 2
    assert "evaluations.csv, dòng 2, cột 'score'" in done.stderr
    assert _digest(folder) == before


def test_no_results_means_no_report(tmp_path) -> None:
    plan = tmp_path / "demo" / "2027"
    shutil.copytree(DEMO_PLAN, plan)
    shutil.rmtree(plan / "results")
    done = _report(plan, "2027-12-15", tmp_path / "out")
    assert done.returncode == 2 and "chưa có gì để báo cáo" in done.stderr


def test_a_seeded_next_year_starts_from_the_year_end_stock(tmp_path) -> None:
    plan = tmp_path / "demo" / "2027"
    shutil.copytree(DEMO_PLAN, plan)
    # the fictional norms end with 2027; a planner extends them for 2028 (the seed copies them)
    for row in range(2, sum(1 for _ in (plan / "norms.csv").open(encoding="utf-8")) + 1):
        edit_csv(plan / "norms.csv", row, "valid_to", "")
    out = tmp_path / "out"
    assert _report(plan, "2027-12-31", out).returncode == 0
    end = _figures(_folder(out, plan, "2027-12-31"))["season.stock_end"]["value"]
    cmd = [sys.executable, "-m", "ocop_helpers", "seed", "--plan", str(plan), "--out", str(plan.parent / "2028")]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=paths.ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    nxt = load_plan(plan.parent / "2028")
    assert nxt.year == 2028 and nxt.status == "draft"
    assert start_stock(nxt.history, 2028)[1] == end
    failed = set(load_plan(plan).season_results.evaluations.query("star.isna()")["product_id"])
    assert failed <= set(nxt.products["product_id"])
    assert nxt.targets.total == len(nxt.products)
