"""The frame's dated task and body files are checked when the plan loads: file, row, column, expected."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ocop_helpers.core import paths
from ocop_helpers.core.errors import PlanValidationError, Problem
from ocop_helpers.inputs import loading
from ocop_helpers.inputs.plan import TaskSpec
from tests.support.plans import DEMO_PLAN, edit_csv


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    target = tmp_path / "demo" / "2027"
    shutil.copytree(DEMO_PLAN, target)
    return target


def problems_of(folder: Path) -> list[Problem]:
    with pytest.raises(PlanValidationError) as err:
        loading.load_plan(folder)
    return err.value.problems


def only(problems: list[Problem], column: str) -> Problem:
    found = [p for p in problems if p.column == column]
    assert len(found) == 1, problems
    return found[0]


TASK = '  - title: "Một nhiệm vụ"\n    text: "Nội dung."\n'


def test_reference_tasks_are_dated_data_with_bodies_and_deadlines():
    plan = loading.load_plan(paths.DEFAULT_PLAN_DIR)
    tasks = plan.official_texts["tasks"]
    assert all(isinstance(t, TaskSpec) and t.file == "reference/tasks.yaml" and t.line for t in tasks)
    by_id = {t.id: t for t in tasks}
    assert by_id["kiem-tra-cap-huyen"].valid_to.strftime("%Y-%m-%d") == "2025-06-30"
    assert by_id["duoc-lieu"].product_group == "III" and by_id["duoc-lieu"].lead == "y-te"
    assert by_id["bao-cao-dot"].deadline == "round_reports" and by_id["bao-cao-nam"].deadline == "year_report"
    assert plan.official_texts["reporting"] == {"round_report_days": 10, "year_report": "15/12"}
    duties = plan.official_tables["responsibilities"]
    assert duties.attrs["file"] == "reference/responsibilities.csv"
    assert set(duties.loc[duties["body_key"] == "nong-nghiep", "body_id"]) == {"so-nnptnt", "so-nnmt"}


def test_an_unknown_body_in_a_task_names_file_line_and_key(demo):
    (demo / "tasks.yaml").write_text("tasks:\n" + TASK + TASK + "    lead: so-khong-co\n", encoding="utf-8")
    p = only(problems_of(demo), "tasks[2].lead")
    assert (p.file, p.row, p.value) == ("2027/tasks.yaml", 4, "so-khong-co")
    assert "responsibilities.csv" in p.expected and "nong-nghiep" in p.expected


def test_an_unknown_product_group_is_an_error_in_tasks_and_responsibilities(demo):
    (demo / "tasks.yaml").write_text("tasks:\n" + TASK + "    product_group: VII\n", encoding="utf-8")
    p = only(problems_of(demo), "tasks[1].product_group")
    assert (p.file, p.row, p.value) == ("2027/tasks.yaml", 2, "VII") and "III" in p.expected
    (demo / "tasks.yaml").unlink()
    shutil.copy(paths.REFERENCE_DIR / "responsibilities.csv", demo / "responsibilities.csv")
    edit_csv(demo / "responsibilities.csv", 8, "product_group", "IX")
    p = only(problems_of(demo), "product_group")
    assert (p.file, p.row, p.value) == ("2027/responsibilities.csv", 8, "IX")


@pytest.mark.parametrize(
    ("extra", "column", "expected"),
    [
        ("    valid_from: 2025-13-01\n", None, "YAML"),
        ('    valid_from: "1/7"\n', "tasks[1].valid_from", "ngày"),
        ("    valid_from: 2025-07-01\n    valid_to: 2025-06-30\n", "tasks[1].valid_to", "sau ngày bắt đầu"),
        ('    deadline: "31/2"\n', "tasks[1].deadline", "ngày/tháng"),
        ("    deadline: soon\n", "tasks[1].deadline", "round_reports"),
        ('    deadline: "2026-12-15"\n', "tasks[1].deadline", "năm kế hoạch 2027"),
        ("    owner: x\n", "tasks[1].owner", "các khóa"),
    ],
)
def test_bad_task_dates_and_keys_are_clear_errors(demo, extra, column, expected):
    (demo / "tasks.yaml").write_text("tasks:\n" + TASK + extra, encoding="utf-8")
    problems = problems_of(demo)
    p = only(problems, column) if column else problems[0]
    assert expected in p.expected and p.file == "2027/tasks.yaml"


def test_bad_reporting_terms_are_clear_errors(demo):
    (demo / "tasks.yaml").write_text("reporting:\n  round_report_days: -3\n  year_report: 31/13\n", encoding="utf-8")
    problems = problems_of(demo)
    assert "0 đến 180" in only(problems, "reporting.round_report_days").expected
    assert only(problems, "reporting.year_report").value == "31/13"


def test_a_responsibilities_row_with_a_bad_date_names_its_row(demo):
    shutil.copy(paths.REFERENCE_DIR / "responsibilities.csv", demo / "responsibilities.csv")
    edit_csv(demo / "responsibilities.csv", 3, "valid_from", "2025-02-30")
    p = only(problems_of(demo), "valid_from")
    assert (p.file, p.row, p.value) == ("2027/responsibilities.csv", 3, "2025-02-30")


def test_a_plan_folder_task_with_title_and_text_only_still_loads(demo):
    plan = loading.load_plan(demo)  # the demo's own tasks.yaml: one task, title and text only
    (task,) = plan.official_texts["tasks"]
    assert (task.title, task.lead, task.deadline) == ("Nhiệm vụ mẫu", "", "continuous")
