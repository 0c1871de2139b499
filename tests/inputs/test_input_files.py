"""Inputs as planners really send them (issue 14): extra columns, typos, dates outside the plan's
year, files of the wrong kind, huge error lists, a malformed province id. Each failure listed at
the top of the issue has a regression test here."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
import yaml

from ocop_helpers.core.errors import MAX_SHOWN, PlanValidationError, Problem, format_problems
from ocop_helpers.inputs import export, loading, readers
from ocop_helpers.inputs.checks import check_as_of
from ocop_helpers.model.params import ParamError
from tests.support.plans import DEFAULT_PLAN, edit_csv


@pytest.fixture(autouse=True)
def _logs_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Problem logs of these tests go to a temporary folder, never into outputs/."""
    folder = tmp_path / "logs"
    monkeypatch.setenv(loading.LOG_DIR_ENV, str(folder))
    return folder


def load_error(path: Path) -> PlanValidationError:
    with pytest.raises(PlanValidationError) as info:
        loading.load_plan(path)
    return info.value


def only(problems: list[Problem], file_part: str, row: int | None = None, column: str | None = None) -> Problem:
    hits = [p for p in problems if file_part in p.file and p.row == row and p.column == column]
    assert hits, f"no problem at {file_part} row {row} column {column}; got:\n" + "\n".join(map(str, problems))
    return hits[0]


def _set_yaml(plan_dir: Path, edit) -> None:
    meta = yaml.safe_load((plan_dir / "plan.yaml").read_text(encoding="utf-8"))
    edit(meta)
    (plan_dir / "plan.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")


# ------------------------------------------------------------------ extra columns and typos


def test_extra_notes_column_is_ignored_with_a_warning_that_names_it(plan_copy: Path):
    frame = pd.read_csv(plan_copy / "organisations.csv", dtype=str, keep_default_na=False)
    frame.insert(2, "ghi_chu", "gọi lại sau")  # in the middle: column order does not matter
    frame.to_csv(plan_copy / "organisations.csv", index=False)
    plan = loading.load_plan(plan_copy)
    original = loading.load_plan(DEFAULT_PLAN)
    pd.testing.assert_frame_equal(plan.organisations, original.organisations)
    assert "ghi_chu" not in plan.organisations.columns
    (warning,) = plan.warnings
    assert (warning.file, warning.row, warning.column) == ("2025/organisations.csv", None, "ghi_chu")
    assert "bỏ qua" in warning.expected
    assert original.warnings == ()


def test_extra_column_in_a_workbook_and_an_extra_yaml_key_are_warnings(plan_copy: Path, tmp_path: Path):
    import openpyxl

    _set_yaml(plan_copy, lambda m: m.update(ghi_chu="bản nháp lần 2"))
    book = export.plan_to_xlsx(plan_copy, tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(book)
    ws = wb["requests"]
    ws.cell(row=1, column=ws.max_column + 1, value="nguoi_nhap")
    wb.save(book)
    plan = loading.load_plan(book)
    found = {(w.file, w.column) for w in plan.warnings}
    assert ("plan.xlsx (sheet requests)", "nguoi_nhap") in found
    folder_plan = loading.load_plan(plan_copy)
    assert [(w.file, w.column) for w in folder_plan.warnings] == [("2025/plan.yaml", "ghi_chu")]


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("norms.csv", "valid_to", "valid_too"),
        ("products.csv", "planned_round", "planed_round"),
        ("requests.csv", "cost_vnd", "Cost_VND"),
        ("history.csv", "source", "sources"),
    ],
)
def test_a_column_name_close_to_a_known_one_is_an_error(plan_copy: Path, file: str, old: str, new: str):
    path = plan_copy / file
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[0] = ",".join(new if h == old else h for h in lines[0].split(","))
    path.write_text("\n".join(lines), encoding="utf-8")
    p = only(load_error(plan_copy).problems, file, None, new)
    assert f"'{old}'" in p.expected


def test_cli_validate_prints_the_warnings(plan_copy: Path):
    edit = pd.read_csv(plan_copy / "budget_lines.csv", dtype=str, keep_default_na=False).assign(ghi_chu="x")
    edit.to_csv(plan_copy / "budget_lines.csv", index=False)
    run = subprocess.run(
        [sys.executable, "-m", "ocop_helpers", "validate", "--plan", str(plan_copy)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "Cảnh báo" in run.stdout and "ghi_chu" in run.stdout


def test_duplicate_and_nameless_columns(plan_copy: Path):
    path = plan_copy / "budget_lines.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line + ",," for line in lines) + "\n", encoding="utf-8")  # trailing separators
    assert loading.load_plan(plan_copy).warnings == ()
    path.write_text("\n".join([lines[0] + ",line"] + [line + ",x" for line in lines[1:]]) + "\n", encoding="utf-8")
    p = only(load_error(plan_copy).problems, "budget_lines.csv", 1, "line")
    assert "trùng" in p.expected


# ------------------------------------------------------------------ dates


def test_round_deadline_outside_the_plan_year_is_an_error(plan_copy: Path):
    def edit(meta):
        meta["rounds"][2]["deadline"] = dt.date(2026, 10, 15)

    _set_yaml(plan_copy, edit)
    p = only(load_error(plan_copy).problems, "plan.yaml", None, "rounds[3].deadline")
    assert "2025" in p.expected and p.value == "2026-10-15"


def test_units_as_of_far_from_the_plan_year_is_an_error(plan_copy: Path):
    _set_yaml(plan_copy, lambda m: m.update(units_as_of=dt.date(2020, 1, 1)))
    only(load_error(plan_copy).problems, "plan.yaml", None, "units_as_of")


def test_certificate_in_the_future_history_after_the_year_and_a_reversed_norm_period(plan_copy: Path):
    products = pd.read_csv(plan_copy / "products.csv", dtype=str, keep_default_na=False)
    row = int(products.index[products["stream"] == "reevaluation"][0]) + 2
    edit_csv(plan_copy / "products.csv", row, "certificate_date", "2025-03-01")
    history = plan_copy / "history.csv"
    history.write_text(history.read_text(encoding="utf-8") + "2026-12-31,999,,,,tương lai\n", encoding="utf-8")
    edit_csv(plan_copy / "norms.csv", 2, "valid_to", "2023-12-31")
    problems = load_error(plan_copy).problems
    assert "units_as_of" in only(problems, "products.csv", row, "certificate_date").expected
    only(problems, "history.csv", len(history.read_text(encoding="utf-8").splitlines()), "date")
    assert "sau ngày bắt đầu" in only(problems, "norms.csv", 2, "valid_to").expected


def test_implausible_year_in_a_date_cell(plan_copy: Path):
    edit_csv(plan_copy / "history.csv", 2, "date", "0021-12-31")
    assert "1900" in only(load_error(plan_copy).problems, "history.csv", 2, "date").expected


def test_as_of_must_fall_in_the_plan_year():
    assert check_as_of(2025, dt.date(2025, 7, 1)) == []
    assert check_as_of(2025, None) == []
    assert "2025" in check_as_of(2025, dt.date(2026, 1, 1))[0]


# ------------------------------------------------------------------ province id (was an AttributeError)


@pytest.mark.parametrize("value", ["Bắc Giang", "BAC_GIANG", "bac giang", "-bac-", 2.5, True, ["bac-giang"], {"a": 1}])
def test_malformed_province_id_is_a_validation_message(plan_copy: Path, value):
    _set_yaml(plan_copy, lambda m: m.update(province_id=value))
    p = only(load_error(plan_copy).problems, "plan.yaml", None, "province_id")
    assert "mã tỉnh" in p.expected


# ------------------------------------------------------------------ file kinds


def _message(exc: PlanValidationError) -> str:
    text = str(exc)
    assert "Traceback" not in text and "Errno" not in text and "No such file" not in text, text
    return text


def test_symlink_loop_is_not_reported_as_missing(plan_copy: Path):
    target = plan_copy / "requests.csv"
    target.unlink()
    os.symlink(target.name, target)  # points at itself
    p = only(load_error(plan_copy).problems, "requests.csv")
    assert "lặp vòng" in p.expected and "thiếu" not in p.expected


def test_broken_symlink_names_its_target(plan_copy: Path):
    target = plan_copy / "norms.csv"
    target.unlink()
    os.symlink("dinh-muc-cu.csv", target)
    assert "dinh-muc-cu.csv" in only(load_error(plan_copy).problems, "norms.csv").expected


def test_directory_where_a_file_should_be_gives_a_vietnamese_message(plan_copy: Path):
    (plan_copy / "history.csv").unlink()
    (plan_copy / "history.csv").mkdir()
    (plan_copy / "plan.yaml").rename(plan_copy / "x.yaml")
    (plan_copy / "plan.yaml").mkdir()
    exc = load_error(plan_copy)
    assert "là một thư mục" in only(exc.problems, "history.csv").expected
    assert "là một thư mục" in only(exc.problems, "plan.yaml").expected
    _message(exc)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"PK\x03\x04" + b"\x00" * 200, "ZIP"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, ".xls"),
        (b"%PDF-1.7\n" + b"x" * 50, "PDF"),
        ("line,amount_vnd,source\nrewards,1,x\n".encode("utf-16"), "UTF-16"),
        (b"line,amount\x00_vnd\n", "nhị phân"),
        (b"", "rỗng"),
        (b"  \n\n \t\n", "khoảng trắng"),
        (
            unicodedata.normalize("NFD", "line,amount_vnd,source\nrewards,1,Nghị quyết\n").encode("cp1258", "replace"),
            "UTF-8",
        ),
    ],
)
def test_wrong_kind_of_file(plan_copy: Path, content: bytes, words: str):
    (plan_copy / "budget_lines.csv").write_bytes(content)
    exc = load_error(plan_copy)
    p = [p for p in exc.problems if "budget_lines.csv" in p.file]
    assert len(p) == 1 and words in p[0].expected, [str(x) for x in exc.problems]
    assert "cần" in p[0].expected  # says what was expected
    _message(exc)


def test_huge_file_is_refused_before_reading(plan_copy: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(readers, "MAX_INPUT_BYTES", 4096)
    p = only(load_error(plan_copy).problems, "products.csv")
    assert "quá lớn" in p.expected


def test_fifo_is_refused_without_hanging(plan_copy: Path):
    path = plan_copy / "norms.csv"
    path.unlink()
    os.mkfifo(path)
    assert "không phải tệp thông thường" in only(load_error(plan_copy).problems, "norms.csv").expected


def test_plan_path_of_the_wrong_kind(tmp_path: Path):
    loop = tmp_path / "vong"
    os.symlink(loop.name, loop)
    assert "lặp vòng" in load_error(loop).problems[0].expected
    csv_file = tmp_path / "products.csv"
    csv_file.write_text("a,b\n1,2\n", encoding="utf-8")
    assert "cần một thư mục kế hoạch" in load_error(csv_file).problems[0].expected
    assert "không tồn tại" in load_error(tmp_path / "khong-co").problems[0].expected


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04broken zip", b""])
def test_damaged_workbook(tmp_path: Path, content: bytes):
    book = tmp_path / "plan.xlsx"
    book.write_bytes(content)
    exc = load_error(book)
    assert exc.problems[0].file == "plan.xlsx" and "xlsx" in exc.problems[0].expected
    _message(exc)


def test_unclosed_quote_and_overlong_cell(plan_copy: Path):
    path = plan_copy / "budget_lines.csv"
    path.write_text('line,amount_vnd,source\nrewards,1,"' + "x" * 200_000 + "\n", encoding="utf-8")
    p = only(load_error(plan_copy).problems, "budget_lines.csv", 2)
    assert "ngoặc kép" in p.expected


# ------------------------------------------------------------------ capped error list and its log


def test_five_megabytes_on_one_line_gives_a_short_message_and_a_full_log(plan_copy: Path, _logs_in_tmp: Path):
    cells = ",".join(f"cot{i}" for i in range(600_000))  # ~5 MB, one line
    (plan_copy / "requests.csv").write_text(cells, encoding="utf-8")
    exc = load_error(plan_copy)
    message = _message(exc)
    assert len(message.splitlines()) <= MAX_SHOWN + 10
    p = only(exc.problems, "requests.csv", 1)
    assert "tối đa" in p.expected and "dấu phân cách" in p.expected


def test_many_problems_are_capped_grouped_and_logged_in_full(plan_copy: Path, _logs_in_tmp: Path):
    frame = pd.read_csv(plan_copy / "products.csv", dtype=str, keep_default_na=False)
    frame["stream"] = "moi"  # 323 bad cells of one kind
    frame.loc[:4, "target_star"] = "9"  # 5 of another kind
    frame.to_csv(plan_copy / "products.csv", index=False)
    exc = load_error(plan_copy)
    message = _message(exc)
    shown = [line for line in message.splitlines() if line.startswith("  - ")]
    assert len(shown) <= MAX_SHOWN
    assert any("target_star" in line for line in shown), "a second kind must not be hidden by the first"
    more = re.search(r"và (\d+) lỗi khác cùng loại", message)
    assert more and int(more.group(1)) > 200
    log = Path(exc.log_path)
    assert log.parent == _logs_in_tmp and f"Danh sách đầy đủ: {log}" in message
    logged = log.read_text(encoding="utf-8")
    assert all(str(p) in logged for p in exc.problems)
    assert len(exc.problems) >= 328


def test_format_problems_keeps_every_kind_visible():
    problems = [Problem("a.csv", i, "x", "1", "cần một số nguyên") for i in range(2, 500)]
    problems += [Problem("b.csv", i, "y", "z", f"mã bị trùng (đã có ở dòng {i - 1})") for i in range(2, 5)]
    text, cut = format_problems(problems, limit=10)
    assert cut and text.count("b.csv") == 3 and text.count("a.csv") == 7
    assert "và 491 lỗi khác cùng loại" in text
    assert format_problems(problems[:3])[1] is False


# ------------------------------------------------------------------ params files


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "thư mục"),
        (b"PK\x03\x04\x00\x00", "ZIP"),
        (unicodedata.normalize("NFD", "pass_rate_new: 0.5\nghi: Nghị quyết\n").encode("cp1258", "replace"), "UTF-8"),
        (b"as_of: 2025-02-30\n", "YAML"),
        (b"- 1\n- 2\n", "bảng khóa"),
    ],
)
def test_params_file_of_the_wrong_kind(tmp_path: Path, content, words: str):
    path = tmp_path / "kich-ban.yaml"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    with pytest.raises(ParamError) as info:
        readers.read_yaml(path)
    assert words in str(info.value) and "Errno" not in str(info.value)


def test_empty_params_file_is_an_empty_mapping(tmp_path: Path):
    (tmp_path / "rong.yaml").write_bytes(b"")
    assert readers.read_yaml(tmp_path / "rong.yaml") == {}


@pytest.mark.parametrize("content", [b"- 1\n- 2\n", b"year: [2025\n", b"rounds: 5\ntargets: [1]\n"])
def test_to_xlsx_names_a_bad_plan_yaml_instead_of_crashing(plan_copy: Path, tmp_path: Path, content: bytes):
    (plan_copy / "plan.yaml").write_bytes(content)
    try:
        export.plan_to_xlsx(plan_copy, tmp_path / "plan.xlsx")
    except PlanValidationError as exc:
        assert exc.problems[0].file == "2025/plan.yaml"
        return
    with pytest.raises(PlanValidationError):  # exported as far as it goes; loading it names the problems
        loading.load_plan(tmp_path / "plan.xlsx")
