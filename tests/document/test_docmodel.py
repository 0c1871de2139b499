"""The document model, and the official frame chosen by date from reference data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from ocop_helpers.core import paths
from ocop_helpers.core.errors import PlanValidationError
from ocop_helpers.document import docmodel as D
from ocop_helpers.document import official
from ocop_helpers.inputs import loading, readers
from tests.support.documents import TARGETS, sample_document
from tests.support.plans import DEFAULT_PLAN, DEMO_PLAN

BN_PLAN = DEFAULT_PLAN.parent.parent / "bac-ninh" / "2026"


# ---------------------------------------------------------------- model


def test_table_rejects_rows_of_the_wrong_width_and_unformatted_cells():
    with pytest.raises(D.DocumentError, match="dòng 2 có 1 ô"):
        D.Table((D.Column("a"), D.Column("b")), (("1", "2"), ("3",)))
    with pytest.raises(D.DocumentError, match="chưa định dạng"):
        D.Table((D.Column("a"),), ((323,),))
    with pytest.raises(D.DocumentError, match="nguồn gốc"):
        D.Table((D.Column("a"),), (("1",),), provenance="guessed")
    with pytest.raises(D.DocumentError, match="căn lề"):
        D.Column("a", "middle")
    with pytest.raises(D.DocumentError, match="mức tiêu đề"):
        D.Heading("I. MỤC ĐÍCH", 1)  # level first: Heading(level, text, numbering)
    assert D.Heading(1, "MỤC ĐÍCH, YÊU CẦU", "I.").label == "I. MỤC ĐÍCH, YÊU CẦU"
    with pytest.raises(D.DocumentError, match="alt"):
        D.Chart("<svg></svg>", None, " ")


def test_document_knows_when_it_shows_illustrative_figures():
    doc = sample_document()
    assert doc.shows_illustrative()  # the appendix table is illustrative
    plain = D.Document(doc.header, "KẾ HOẠCH", "x", (), (TARGETS,), doc.signature, ())
    assert not plain.shows_illustrative()


def test_list_punctuation_and_roman_numerals():
    assert D.legal_basis_lines(["Căn cứ A;", "Căn cứ B"]) == ["Căn cứ A;", "Căn cứ B."]
    assert D.recipient_lines(["Sở X", "Lưu: VT"]) == ["- Sở X;", "- Lưu: VT."]
    assert [D.roman(n) for n in (1, 4, 5, 9, 14)] == ["I", "IV", "V", "IX", "XIV"]


# ---------------------------------------------------------------- frame by date


@pytest.fixture(scope="module")
def default_plan():
    return loading.load_plan(DEFAULT_PLAN)


def test_early_2025_plan_is_issued_by_the_old_province_and_cites_nothing_later(default_plan):
    fr = official.frame(default_plan, "2025-02-01")
    assert not fr.successor
    assert fr.header(True, "issued").issuing_body == "TỈNH BẮC GIANG"
    assert fr.header(True, "issued").number_line == "Số: …/KH-UBND"
    assert fr.header(True, "issued").place_date == "Bắc Giang, ngày … tháng … năm 2025"
    assert not any("1489" in line for line in fr.legal_bases)
    assert any("67/2023/NQ-HĐND" in line for line in fr.legal_bases)
    tables, _ = loading.load_official(default_plan)
    bases = tables["legal_bases"]
    for line in fr.legal_bases:  # every cited text was issued on or before the date
        row = next(r for _, r in bases.iterrows() if official.legal_basis_text(r) == line)
        assert row["issued_on"] <= pd.Timestamp("2025-02-01")
    bodies = [name for _, name, _ in fr.organisation]
    assert bodies[0] == "Sở Nông nghiệp và Phát triển nông thôn" and fr.lead_body == bodies[0]
    assert "Ủy ban nhân dân các huyện, thị xã, thành phố" in bodies
    assert "Ủy ban nhân dân các xã, phường" not in bodies
    assert [*fr.funding_sources["source_id"]] == ["central", "province", "district", "own", "other"]
    assert fr.signature.lines == ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    assert fr.signature.name == ""


def test_after_the_merger_the_successor_issues_the_adjusted_plan(default_plan):
    fr = official.frame(default_plan, "2025-08-01")
    assert fr.successor and fr.issuer.short_name == "UBND tỉnh Bắc Ninh"
    assert fr.original.short_name == "UBND tỉnh Bắc Giang"
    assert fr.header(False, "issued").number_line == "Số: …/KH-UBND"  # the adjusted plan has no number yet
    assert "Bắc Giang (cũ)" in fr.summary and fr.summary.startswith("Điều chỉnh")
    assert any("1489/QĐ-TTg" in line for line in fr.legal_bases)
    assert any("Kế hoạch số 15/KH-UBND của UBND tỉnh Bắc Giang" in line for line in fr.legal_bases)
    assert not any("67/2023/NQ-HĐND" in line for line in fr.legal_bases)
    bodies = [name for _, name, _ in fr.organisation]
    assert "Sở Nông nghiệp và Môi trường" in bodies and "Ủy ban nhân dân các xã, phường" in bodies
    assert "Ủy ban nhân dân các huyện, thị xã, thành phố" not in bodies
    assert "district" not in set(fr.funding_sources["level"])
    assert "UBND các xã, phường" in fr.recipients
    # Between the merger (1/7) and QĐ 1489 (6/7): successor already, 1489 not yet citable.
    between = official.frame(default_plan, "2025-07-03")
    assert between.successor and not any("1489" in line for line in between.legal_bases)


def test_the_number_is_printed_only_on_an_issued_non_draft_plan():
    demo = loading.load_plan(DEMO_PLAN)
    fr = official.frame(demo)
    assert fr.header(False, demo.status).number_line == "Số: 01/KH-UBND"
    assert fr.header(False, demo.status).place_date == "Mẫu, ngày 15 tháng 01 năm 2027"
    assert fr.header(True, demo.status).number_line == "Số: …/KH-UBND"
    assert fr.header(True, demo.status).place_date == "Mẫu, ngày … tháng … năm 2027"
    assert fr.signature.name == "Nguyễn Văn Mẫu"
    assert fr.task_blocks[0][0] == "Nhiệm vụ mẫu"  # the plan folder's own tasks.yaml
    assert "năm 2027" in fr.task_blocks[0][1] and "Sở Nông nghiệp và Môi trường" in fr.task_blocks[0][1]
    bn = loading.load_plan(BN_PLAN)
    assert bn.status == "draft" and official.frame(bn).header(False, bn.status).number_line == "Số: …/KH-UBND"


def test_assemble_numbers_parts_continues_task_items_and_forces_draft_on_illustrative_figures():
    demo = loading.load_plan(DEMO_PLAN)
    tasks = [D.Heading(2, "Đánh giá, phân hạng", "1."), D.Paragraph("Hai đợt."), D.Heading(2, "Hỗ trợ", "2.")]
    doc = official.assemble(demo, None, [TARGETS], tasks, [], [D.Paragraph("Đề xuất")], [], draft=False)
    parts = [b.label for b in doc.body if isinstance(b, D.Heading) and b.level == 1]
    assert parts == [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. MỤC TIÊU, CHỈ TIÊU",
        "III. NHIỆM VỤ, GIẢI PHÁP",
        "IV. KINH PHÍ THỰC HIỆN",
        "V. TỔ CHỨC THỰC HIỆN",
    ]
    items = [b.label for b in doc.body if isinstance(b, D.Heading) and b.level == 2]
    assert "3. Nhiệm vụ mẫu" in items
    assert not doc.draft and doc.header.number_line == "Số: 01/KH-UBND"
    illustrative = D.Appendix("Danh sách", (D.Table((D.Column("a"),), (("x",),), provenance="illustrative"),))
    doc = official.assemble(demo, None, [TARGETS], tasks, [], [], [illustrative], draft=False)
    assert doc.draft and doc.header.number_line == "Số: …/KH-UBND"
    assert doc.appendices[0].numbering == "I"
    assert (
        doc.appendices[0].attached_line == "(Kèm theo Kế hoạch số …/KH-UBND ngày … tháng … năm 2027 của UBND tỉnh Mẫu)"
    )


def test_unchecked_legal_bases_are_marked_on_a_draft(default_plan):
    doc = official.assemble(default_plan, "2025-02-01", [], [], [], draft=True)
    assert doc.legal_bases[0].endswith("(*)") and doc.legal_bases_note.startswith("(*)")
    assert not any(line.endswith("(*)") for line in doc.legal_bases if "148/QĐ-TTg" in line)


# ---------------------------------------------------------------- bad input: clear errors


def _demo_copy(tmp_path: Path) -> Path:
    target = tmp_path / "demo" / "2027"
    shutil.copytree(DEMO_PLAN, target)
    return target


def _set_yaml(folder: Path, old: str, new: str) -> None:
    path = folder / "plan.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "key", "expected"),
    [
        ("status: issued", "status: final", "status", "draft"),
        ("issue_date: 2027-01-15", "issue_date: 2019-01-15", "issue_date", "năm 2026 hoặc năm kế hoạch 2027"),
        ("issue_date: 2027-01-15", "issue_date: 15-01-2027", "issue_date", "ngày ban hành"),
        ('document_number: "01/KH-UBND"', 'document_number: ""', "document_number", "cần số/ký hiệu"),
        ('document_number: "01/KH-UBND"', 'document_number: "KH mẫu"', "document_number", "15/KH-UBND"),
    ],
)
def test_document_keys_of_plan_yaml_are_validated(tmp_path, old, new, key, expected):
    folder = _demo_copy(tmp_path)
    _set_yaml(folder, old, new)
    with pytest.raises(PlanValidationError) as err:
        loading.load_plan(folder)
    problems = [p for p in err.value.problems if p.column == key]
    assert problems and expected in problems[0].expected and problems[0].file.endswith("plan.yaml")


def test_document_keys_are_optional(tmp_path):
    folder = _demo_copy(tmp_path)
    for line in (
        "issue_date: 2027-01-15",
        'document_number: "01/KH-UBND"',
        "status: issued",
        'signer_name: "Nguyễn Văn Mẫu"',
    ):
        _set_yaml(folder, line, "")
    plan = loading.load_plan(folder)
    assert (plan.issue_date, plan.document_number, plan.status, plan.signer_name) == (None, "", "draft", "")


def test_tasks_yaml_and_official_tables_report_file_row_column(tmp_path):
    """The official frame's files are loaded with the plan: a bad one stops the load, before anything
    is computed, naming file, row and column."""
    folder = _demo_copy(tmp_path)
    (folder / "tasks.yaml").write_text('tasks:\n  - title: "A"\n    text: "do {nobody}"\n  - "x"\n', encoding="utf-8")
    with pytest.raises(PlanValidationError) as err:
        loading.load_plan(folder)
    assert any(p.column == "tasks[2]" and p.file == "2027/tasks.yaml" for p in err.value.problems)
    (folder / "tasks.yaml").write_text('tasks:\n  - title: "A"\n    text: "do {nobody}"\n', encoding="utf-8")
    with pytest.raises(PlanValidationError, match=r"\{nobody\}"):
        official.frame(loading.load_plan(folder))
    (folder / "tasks.yaml").unlink()
    path = folder / "issuing_bodies.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",assumption,", ",maybe,"), encoding="utf-8")
    with pytest.raises(PlanValidationError) as err:
        loading.load_plan(folder)
    problem = err.value.problems[0]
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "2027/issuing_bodies.csv",
        2,
        "certainty",
        "maybe",
    )


def test_a_province_without_an_issuing_body_gets_the_default_with_a_warning(tmp_path):
    folder = _demo_copy(tmp_path)
    (folder / "issuing_bodies.csv").unlink()  # the reference table has no fictional province
    plan = loading.load_plan(folder)
    fr = official.frame(plan)
    assert fr.issuer.defaulted and fr.issuer.short_name == "UBND tỉnh Mẫu (hư cấu)"
    assert any("không có cơ quan ban hành" in w.expected and "dùng mặc định" in w.expected for w in fr.warnings)
    with pytest.raises(PlanValidationError, match="không có cơ quan ban hành"):  # the table alone has no row
        official.issuer_on(plan.official_tables["issuing_bodies"], "demo", "2027-01-01")


def test_successor_links_match_the_unit_changes():
    """Every successor in issuing_bodies.csv is where the province's units went on the next day."""
    tables, _ = loading.load_official(loading.load_plan(DEFAULT_PLAN))
    units = readers.read_csv_text(paths.REFERENCE_DIR / "units.csv")
    changes = readers.read_csv_text(paths.REFERENCE_DIR / "unit_changes.csv")
    province_of = dict(zip(units["unit_id"], units["province_id"], strict=True))
    for _, row in tables["issuing_bodies"].dropna(subset=["successor_id"]).iterrows():
        next_day = (row["valid_to"] + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
        moved = changes.loc[
            (changes["effective_date"] == next_day) & changes["from_unit_id"].map(province_of).eq(row["province_id"])
        ]
        assert not moved.empty, row["province_id"]
        assert set(moved["to_unit_id"].map(province_of)) == {row["successor_id"]}


def test_figure_marks_render_as_spans_in_html_and_vanish_in_plain_text():
    from ocop_helpers.document import docmodel
    from ocop_helpers.render.html import _e

    text = "Nhu cầu là " + docmodel.fig("branding.need_vnd", "6,65 tỷ đồng") + " theo định mức."
    assert docmodel.plain(text) == "Nhu cầu là 6,65 tỷ đồng theo định mức."
    assert docmodel.spans(text) == [
        ("Nhu cầu là ", None),
        ("6,65 tỷ đồng", "branding.need_vnd"),
        (" theo định mức.", None),
    ]
    assert _e(text) == 'Nhu cầu là <span class="fig" data-fig="branding.need_vnd">6,65 tỷ đồng</span> theo định mức.'
    doc = docmodel.Document(
        header=docmodel.Header("A", "B", "Số: 1", "X, ngày 1"),
        doc_type="KẾ HOẠCH",
        summary="S",
        legal_bases=(),
        body=(docmodel.Paragraph(text),),
        signature=docmodel.Signature("TM.", "", "CHỦ TỊCH"),
        recipients=(),
    )
    assert docmodel.plain_document(doc).body[0].text == docmodel.plain(text)


def test_the_addressee_is_optional_and_keeps_its_figure_marks_out_of_docx():
    from ocop_helpers.document import docmodel

    kwargs = dict(
        header=docmodel.Header("A", "B", "Số: 1", "X, ngày 1"),
        doc_type="TỜ TRÌNH",
        summary="S",
        legal_bases=(),
        body=(),
        signature=docmodel.Signature("TM.", "", "CHỦ TỊCH"),
        recipients=(),
    )
    assert docmodel.Document(**kwargs).addressee == ""
    marked = "Kính gửi: " + docmodel.fig("addressee", "Ủy ban nhân dân tỉnh Mẫu")
    doc = docmodel.Document(**kwargs, addressee=marked)
    assert docmodel.plain_document(doc).addressee == "Kính gửi: Ủy ban nhân dân tỉnh Mẫu"
