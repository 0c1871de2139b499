"""The official frame defaults what the plan itself gives, is checked before a build, and states the
tasks of a provincial OCOP plan as dated data: who leads each, by when, with the bodies in force."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ocop_helpers.core import paths
from ocop_helpers.core.errors import PlanValidationError
from ocop_helpers.document import docmodel as D
from ocop_helpers.document import official
from ocop_helpers.inputs import loading
from tests.support.plans import DEFAULT_PLAN, DEMO_PLAN, edit_csv

NEW_NAME = "Thử Nghiệm"


def new_province(root: Path) -> Path:
    """A fictional province in 2027 written by following the README: the demo folder with another
    province id and name, its units in the folder's own units.csv, no row in any frame table."""
    folder = root / "tinh-thu" / "2027"
    shutil.copytree(DEMO_PLAN, folder)
    (folder / "issuing_bodies.csv").unlink()
    (folder / "tasks.yaml").unlink()
    meta = (folder / "plan.yaml").read_text(encoding="utf-8").splitlines()
    meta = [
        "province_id: tinh-thu"
        if line.startswith("province_id:")
        else f"province_name: {NEW_NAME}"
        if line.startswith("province_name:")
        else line
        for line in meta
    ]
    (folder / "plan.yaml").write_text("\n".join(meta) + "\n", encoding="utf-8")
    units = (folder / "units.csv").read_text(encoding="utf-8").splitlines()
    (folder / "units.csv").write_text(
        "\n".join([units[0]] + ["tinh-thu," + u.split(",", 1)[1] for u in units[1:]]) + "\n", encoding="utf-8"
    )
    return folder


def validate(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ocop_helpers", "validate", "--plan", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def default_plan():
    return loading.load_plan(DEFAULT_PLAN)


# ---------------------------------------------------------------- 1. defaults from the plan


def test_a_new_province_validates_with_warnings_naming_each_default(tmp_path):
    folder = new_province(tmp_path)
    run = validate(folder)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert f"dùng mặc định «Ủy ban nhân dân tỉnh {NEW_NAME}»" in out
    assert "issuing_bodies.csv" in out and "signers.csv" in out and "recipients.csv" in out
    plan = official.check_frame(loading.load_plan(folder))
    columns = {(w.file, w.column) for w in plan.warnings}
    assert ("reference/issuing_bodies.csv", "province_id") in columns
    assert ("reference/signers.csv", "province_id") in columns


def test_the_frame_of_a_new_province_resolves_from_the_plan(tmp_path):
    plan = loading.load_plan(new_province(tmp_path))
    fr = official.frame(plan)
    assert fr.issuer.defaulted and not fr.successor
    header = fr.header(False, plan.status)
    assert (header.parent_body, header.issuing_body) == ("ỦY BAN NHÂN DÂN", "TỈNH THỬ NGHIỆM")
    assert header.place_date == f"{NEW_NAME}, ngày 15 tháng 01 năm 2027"
    assert fr.issuer.short_name == f"UBND tỉnh {NEW_NAME}" and fr.issuer.number_suffix == "KH-UBND"
    assert fr.signature.lines[:3] == ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    assert "UBND các xã, phường" in fr.recipients and fr.recipients[-1].startswith("Lưu")
    assert fr.enacting.startswith(f"Ủy ban nhân dân tỉnh {NEW_NAME} ban hành Kế hoạch triển khai")
    assert any("issuing_bodies.csv" in w.file for w in fr.warnings)


def test_a_row_added_to_issuing_bodies_replaces_the_default(tmp_path):
    folder = new_province(tmp_path)
    (folder / "issuing_bodies.csv").write_text(
        "province_id,valid_from,valid_to,parent_body,issuing_body,place_name,short_name,number_suffix,"
        "successor_id,certainty,source\n"
        "tinh-thu,2000-01-01,,ỦY BAN NHÂN DÂN,TỈNH THỬ,Phố Thử,UBND tỉnh Thử,KH-UBND,,assumption,Fictional\n",
        encoding="utf-8",
    )
    fr = official.frame(loading.load_plan(folder))
    assert not fr.issuer.defaulted and fr.issuer.place_name == "Phố Thử"
    assert not any("issuing_bodies.csv" in w.file for w in fr.warnings)


def test_the_merger_still_resolves_to_the_successor(default_plan):
    before, after = official.frame(default_plan, "2025-02-01"), official.frame(default_plan, "2025-08-01")
    assert before.issuer.short_name == "UBND tỉnh Bắc Giang" and not before.issuer.defaulted
    assert after.successor and after.issuer.short_name == "UBND tỉnh Bắc Ninh" and not after.issuer.defaulted
    assert before.warnings == () and after.warnings == ()
    assert official.check_frame(default_plan).warnings == default_plan.warnings


# ---------------------------------------------------------------- 2. checked before any notebook


def test_two_leads_in_force_fail_validate_with_file_row_column(tmp_path):
    folder = new_province(tmp_path)
    shutil.copy(paths.REFERENCE_DIR / "responsibilities.csv", folder / "responsibilities.csv")
    edit_csv(folder / "responsibilities.csv", 2, "valid_to", "")  # so-nnptnt never ends: two leads
    with pytest.raises(PlanValidationError) as err:
        official.check_frame(loading.load_plan(folder))
    problem = err.value.problems[0]
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "2027/responsibilities.csv",
        3,
        "role",
        "lead",
    )
    assert "dòng 2, 3" in problem.expected
    run = validate(folder)
    assert run.returncode == 2
    assert "2027/responsibilities.csv, dòng 3, cột 'role'" in run.stderr


def test_the_check_covers_the_successor_date_inside_the_year(tmp_path):
    """Bắc Giang 2025 straddles the merger: a fault in the successor's rows (two signer rows from
    1/7/2025) passes on the issue date but fails the check, before anything is computed."""
    folder = tmp_path / "bac-giang" / "2025"
    shutil.copytree(DEFAULT_PLAN, folder)
    signers = (paths.REFERENCE_DIR / "signers.csv").read_text(encoding="utf-8")
    extra = "bac-ninh,2025-07-01,,TM. ỦY BAN NHÂN DÂN,KT. CHỦ TỊCH,PHÓ CHỦ TỊCH,memory,test\n"
    (folder / "signers.csv").write_text(signers + extra + extra, encoding="utf-8")
    plan = loading.load_plan(folder)
    official.frame(plan)  # the issue date is fine
    assert any(d.month == 7 and d.day == 1 for d in official.frame_dates(plan))
    with pytest.raises(PlanValidationError) as err:
        official.check_frame(plan)
    problem = err.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("2025/signers.csv", 4, "province_id")


def test_the_build_checks_the_frame_before_computing(tmp_path, monkeypatch):
    from ocop_helpers.model import compute
    from ocop_helpers.runs import build

    folder = new_province(tmp_path)
    shutil.copy(paths.REFERENCE_DIR / "responsibilities.csv", folder / "responsibilities.csv")
    edit_csv(folder / "responsibilities.csv", 2, "valid_to", "")

    def never(*args, **kwargs):
        raise AssertionError("computed before the frame was checked")

    monkeypatch.setattr(compute.Model, "results", never)
    with pytest.raises(PlanValidationError, match="responsibilities.csv"):
        build.build(folder, out_root=tmp_path / "out", progress=lambda _: None)


# ---------------------------------------------------------------- 3. tasks as dated data


def _task(fr: official.Frame, task_id: str) -> official.Task:
    return next(t for t in fr.tasks if t.id == task_id)


def test_the_tasks_of_a_provincial_plan_each_with_lead_and_deadline(default_plan):
    fr = official.frame(default_plan, "2025-02-01")
    ids = {t.id for t in fr.tasks}
    assert {
        "vung-nguyen-lieu",
        "an-toan-thuc-pham",
        "lang-nghe",
        "khoa-hoc-cong-nghe",
        "xuc-tien-thuong-mai",
        "trang-thong-tin",
        "kiem-tra-cap-huyen",
        "them-dot",
        "nong-thon-moi",
        "dao-tao",
        "bao-cao-dot",
        "bao-cao-nam",
    } <= ids
    assert all(t.lead and t.deadline for t in fr.tasks)
    assert _task(fr, "xuc-tien-thuong-mai").lead == "Sở Công Thương"
    assert _task(fr, "bao-cao-nam").deadline == "trước ngày 15/12/2025"


def test_task_bodies_are_those_in_force_on_the_date(default_plan):
    early, spring, late = (official.frame(default_plan, d) for d in ("2025-02-01", "2025-03-15", "2025-08-01"))
    assert _task(early, "them-dot").lead == "Sở Nông nghiệp và Phát triển nông thôn"
    assert _task(spring, "them-dot").lead == "Sở Nông nghiệp và Môi trường"
    assert "Ủy ban nhân dân các huyện, thị xã, thành phố" in _task(early, "vung-nguyen-lieu").support
    assert "Ủy ban nhân dân các xã, phường" in _task(late, "vung-nguyen-lieu").support
    assert "kiem-tra-cap-huyen" in {t.id for t in early.tasks} and "kiem-tra-cap-xa" not in {t.id for t in early.tasks}
    assert "kiem-tra-cap-xa" in {t.id for t in late.tasks} and "kiem-tra-cap-huyen" not in {t.id for t in late.tasks}


def test_the_health_department_only_with_medicinal_herb_products(tmp_path, default_plan):
    assert "duoc-lieu" in {t.id for t in official.frame(default_plan).tasks}  # Bắc Giang plans III.x products
    assert "Sở Y tế" in [body for _, body, _ in official.frame(default_plan).organisation]
    folder = new_province(tmp_path)
    fr = official.frame(loading.load_plan(folder))  # the demo products are food and drinks only
    assert "duoc-lieu" not in {t.id for t in fr.tasks}
    assert "Sở Y tế" not in [body for _, body, _ in fr.organisation]
    edit_csv(folder / "products.csv", 2, "product_code", "III.1")
    fr = official.frame(loading.load_plan(folder))
    assert _task(fr, "duoc-lieu").lead == "Sở Y tế"
    assert "Sở Y tế" in [body for _, body, _ in fr.organisation]


def test_a_deadline_before_the_documents_date_is_written_as_due(default_plan):
    early, late = official.frame(default_plan, "2025-02-01"), official.frame(default_plan, "2025-08-01")
    assert _task(early, "dao-tao").deadline == "trước ngày 30/6/2025" and not _task(early, "dao-tao").due
    due = _task(late, "dao-tao")
    assert due.due and due.deadline.startswith("30/6/2025, đã đến hạn") and "trước ngày 30/6" not in due.deadline
    reports = _task(late, "bao-cao-dot").deadline
    assert "đợt 1 cấp huyện trước ngày 25/6/2025 (đã đến hạn)" in reports
    assert "đợt 2 cấp tỉnh trước ngày 9/11/2025" in reports and "9/11/2025 (đã" not in reports


def test_round_report_days_and_year_report_are_data(tmp_path):
    folder = tmp_path / "bac-giang" / "2025"
    shutil.copytree(DEFAULT_PLAN, folder)
    (folder / "tasks.yaml").write_text("reporting:\n  round_report_days: 5\n  year_report: 10/12\n", encoding="utf-8")
    fr = official.frame(loading.load_plan(folder), "2025-02-01")
    assert "trong 5 ngày" in _task(fr, "bao-cao-dot").deadline
    assert "đợt 1 cấp huyện trước ngày 20/6/2025" in _task(fr, "bao-cao-dot").deadline
    assert _task(fr, "bao-cao-nam").deadline == "trước ngày 10/12/2025"
    reporting = next(duties for role, _, duties in fr.organisation if role == "reporting")
    assert "trong 5 ngày" in reporting and "10/12/2025" in reporting


def test_part_three_numbers_tasks_after_the_computed_items_and_part_five_lists_duties(default_plan):
    tasks = [D.Heading(2, "Đánh giá, phân hạng", "1."), D.Paragraph("x"), D.Heading(2, "Hỗ trợ", "2.")]
    doc = official.assemble(default_plan, "2025-02-01", [], tasks, [], draft=True)
    fr = official.frame(default_plan, "2025-02-01")
    body = list(doc.body)
    part3 = body.index(next(b for b in body if isinstance(b, D.Heading) and b.label == "III. NHIỆM VỤ, GIẢI PHÁP"))
    part4 = body.index(next(b for b in body if isinstance(b, D.Heading) and b.label == "IV. KINH PHÍ THỰC HIỆN"))
    items = [b for b in body[part3:part4] if isinstance(b, D.Heading) and b.level == 2]
    assert [h.numbering for h in items] == [f"{n}." for n in range(1, len(fr.tasks) + 3)]
    assert items[2].text == fr.tasks[0].title
    texts = [b.text for b in body[part3:part4] if isinstance(b, D.Paragraph)]
    assert sum(t.startswith("Cơ quan chủ trì: ") for t in texts) == len(fr.tasks)
    assert sum(t.startswith("Thời hạn: ") for t in texts) == len(fr.tasks)
    part5 = [
        b.text for b in body[body.index(next(b for b in body if getattr(b, "label", "") == "V. TỔ CHỨC THỰC HIỆN")) :]
    ]
    assert any(t.startswith("Chủ trì các nhiệm vụ tại Mục III: 3. ") for t in part5 if t)


# ---------------------------------------------------------------- 4. the enacting sentence


def test_the_body_opens_with_the_enacting_sentence(default_plan, tmp_path):
    doc = official.assemble(default_plan, "2025-02-01", [], [], [], draft=True)
    assert isinstance(doc.body[0], D.Paragraph)
    assert doc.body[0].text == (
        "Ủy ban nhân dân tỉnh Bắc Giang ban hành Kế hoạch triển khai Chương trình mỗi xã một sản phẩm (OCOP) "
        "năm 2025 như sau:"
    )
    assert isinstance(doc.body[1], D.Heading) and doc.body[1].label == "I. MỤC ĐÍCH, YÊU CẦU"
    adjusted = official.assemble(default_plan, "2025-08-01", [], [], [], draft=True)
    assert adjusted.body[0].text.startswith("Ủy ban nhân dân tỉnh Bắc Ninh ban hành Kế hoạch điều chỉnh Kế hoạch")
    assert adjusted.body[0].text.endswith("tỉnh Bắc Giang (cũ) theo sắp xếp đơn vị hành chính như sau:")


def test_edit_csv_helper_keeps_the_header(tmp_path):
    """The helper used above rewrites one cell only (guards the two-leads test against a silent no-op)."""
    path = tmp_path / "x.csv"
    shutil.copy(paths.REFERENCE_DIR / "responsibilities.csv", path)
    edit_csv(path, 2, "valid_to", "")
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["body_id"] == "so-nnptnt" and rows[0]["valid_to"] == "" and rows[1]["valid_from"] == "2025-03-01"
