"""Real builds of the yearly plan: papermill runs of every notebook, the HTML, the annex, the manifest,
the failure contract and reproducibility."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from ocop_helpers.core import paths
from ocop_helpers.core.errors import PlanValidationError
from ocop_helpers.inputs import loading
from ocop_helpers.model.params import ParamError
from ocop_helpers.render import html as render_html
from ocop_helpers.runs import build
from tests.support import asof, docfind
from tests.support.plans import DEMO_PLAN, edit_csv

pytestmark = pytest.mark.slow
QUIET = {"progress": lambda line: None}


def visible_text(page: str) -> str:
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    body = re.sub(r"<svg.*?</svg>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_default_build_writes_every_output(default_build):
    r = default_build
    assert r.html.exists() and r.annex.exists() and r.manifest.exists()
    assert [p.name for p in r.notebooks] == [nb.name for nb in build.plan_notebooks()]
    assert all(p.exists() for p in r.notebooks)
    assert r.out_dir.parts[-3:] == ("bac-giang", "2025", "default")


def test_html_shows_the_plan_without_code(default_build):
    page = default_build.html.read_text(encoding="utf-8")
    text = visible_text(page)
    assert '<html lang="vi">' in page
    assert "Triển khai Chương trình mỗi xã một sản phẩm (OCOP) năm 2025" in text
    assert docfind.cell(page, "Sản phẩm đánh giá, phân hạng", "Số lượng", caption="Chỉ tiêu năm 2025") == "323"
    for noise in ("Traceback", "import ", "report.show", "widgets.section", "In&nbsp;[", "Warning", "papermill"):
        assert noise not in text, noise


def test_html_has_no_network_reference_and_renders_charts_inline(default_build):
    assert render_html.external_references(default_build.html.read_text(encoding="utf-8")) == []
    page = default_build.analysis.read_text(encoding="utf-8")  # the charts stand in the analysis
    assert render_html.external_references(page) == []
    assert "vega@" not in page and "cdn." not in page
    charts = re.findall(r'<figure class="chart"[^>]*>.*?<div role="img" aria-label="([^"]*)"><svg', page, flags=re.S)
    assert len(charts) >= 6 and all(charts), charts
    assert len(page.encode()) < 3_000_000


def test_docx_has_the_parts_and_the_html_figures(default_build):
    import docx

    document = docx.Document(str(default_build.docx))
    text = "\n".join(p.text for p in document.paragraphs)
    for part in ("I. MỤC ĐÍCH, YÊU CẦU", "II. MỤC TIÊU, CHỈ TIÊU", "IV. KINH PHÍ THỰC HIỆN"):
        assert part in text, part
    assert "ĐỀ XUẤT, KIẾN NGHỊ" not in text, "the decisions go to the Tờ trình"
    page = default_build.html.read_text(encoding="utf-8")
    html_lines = docfind.table(page, caption="Kinh phí theo nội dung chi")
    for t in document.tables:
        cells = [[c.text for c in row.cells] for row in t.rows]
        if cells and cells[0] == html_lines.headers:
            assert cells[1:] == html_lines.rows
            break
    else:
        pytest.fail("no DOCX table with the budget lines' headers")
    assert document.styles["Normal"].font.name == "Times New Roman"


def test_pdf_is_a4_with_the_plan_text(default_build):
    from pypdf import PdfReader

    reader = PdfReader(str(default_build.pdf))
    assert len(reader.pages) >= 5
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 2 and abs(float(box.height) - 841.9) < 2
    first = reader.pages[0].extract_text()
    assert "KẾ HOẠCH" in first and "DỰ THẢO" in first


def test_manifest_records_parameters_inputs_versions(default_build):
    m = json.loads(default_build.manifest.read_text(encoding="utf-8"))
    assert m["province_id"] == "bac-giang" and m["year"] == 2025 and m["scenario"] == "default"
    assert m["parameters"]["interactive"] is False and m["seed"] == m["parameters"].get("seed", 1)
    assert any(k.endswith("products.csv") for k in m["inputs_sha256"])
    assert all(len(v) == 64 for v in m["inputs_sha256"].values())
    assert m["packages"]["pandas"].startswith("3.")
    assert set(m["timings_s"]) >= {"total", "compute", "documents", "annex"}
    assert m["documents"] == [
        "plan.html",
        "plan.docx",
        "plan.pdf",
        "to-trinh.html",
        "to-trinh.docx",
        "to-trinh.pdf",
        "dieu-chinh.html",
        "dieu-chinh.docx",
        "dieu-chinh.pdf",
        "phu-luc-phan-tich.html",
        "phu-luc-phan-tich.docx",
        "phu-luc-phan-tich.pdf",
        "annex.xlsx",
        "figures.json",
    ]


def test_the_submission_is_written_beside_the_plan_with_each_decision_and_its_options(default_build):
    """to-trinh.html / .docx / .pdf: the Tờ trình holds each decision of the plan with its options."""
    import docx

    from ocop_helpers.document import submission
    from ocop_helpers.model import findings

    out = default_build.out_dir
    assert default_build.submission == out / "to-trinh.html"
    for name in ("to-trinh.html", "to-trinh.docx", "to-trinh.pdf"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "to-trinh.pdf").read_bytes().startswith(b"%PDF")
    from ocop_helpers.inputs import loading
    from ocop_helpers.model import compute
    from ocop_helpers.model.params import Params

    m = json.loads(default_build.manifest.read_text(encoding="utf-8"))
    r = compute.compute(loading.load_plan(m["parameters"]["plan_dir"]), Params(m["parameters"]))
    decided = findings.for_submission(r.decisions)
    assert decided
    document = docx.Document(str(out / "to-trinh.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    header = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "UBND TỈNH BẮC GIANG" in header and "Số: …/TTr-SNNPTNT" in header
    for part in ("TỜ TRÌNH", "Kính gửi: Ủy ban nhân dân tỉnh Bắc Giang", "III. KIẾN NGHỊ"):
        assert part in text, part
    chunks = text.split("II. CÁC NỘI DUNG ĐỀ NGHỊ QUYẾT ĐỊNH", 1)[1].split("III. KIẾN NGHỊ", 1)[0]
    for n, d in enumerate(decided, start=1):
        title = submission.TITLES[d.kind]
        assert f"{n}. {title}" in chunks, title
        item = chunks.split(f"{n}. {title}", 1)[1].split(f"{n + 1}. ", 1)[0]
        letters = re.findall(r"^Phương án ([A-D]) – ", item, flags=re.M)
        assert len(letters) == len(d.options) and 2 <= len(letters) <= 4, (title, letters)
        assert re.search(r"^Đề xuất: chọn Phương án [A-D] .*, vì ", item, flags=re.M), title
    assert "Bắc Ninh" not in text + header


def test_annex_reads_back_with_vietnamese_headers_and_formats(default_build):
    wb = openpyxl.load_workbook(default_build.annex)
    assert len(wb.sheetnames) >= 2
    assert wb.sheetnames[0] == "Thông tin"
    cover = {r[0]: r[1] for r in wb["Thông tin"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert cover["Tình trạng"] == "DỰ THẢO — số liệu minh họa" and cover["Sản phẩm"].startswith("Sản phẩm")
    products = wb["Sản phẩm"]
    assert products.page_setup.orientation == "landscape" and products.print_title_rows == "$2:$2"
    assert products.oddHeader.center.text == "Số liệu minh họa"
    orgs = wb["Phân bổ theo tổ chức"]
    total = [c for c in orgs[orgs.max_row] if c.value == "Tổng cộng"][0]
    assert total.font.b, "the total row is bold"
    granted = [c.value for c in orgs[2]].index("Mức hỗ trợ (đồng)")
    column = [r[granted] for r in orgs.iter_rows(min_row=3, max_row=orgs.max_row - 1, values_only=True)]
    assert orgs.cell(row=orgs.max_row, column=granted + 1).value == sum(column) == 5_200_000_000
    headers = [c.value for c in products[2]]
    assert "Tên sản phẩm" in headers and "Mã sản phẩm" in headers
    assert products.freeze_panes == "A3"
    assert products.max_row == 323 + 2
    budget = next(wb[n] for n in wb.sheetnames if any("Nội dung chi" == c.value for c in wb[n][2]))
    amounts = [r[1].value for r in budget.iter_rows(min_row=3)]
    assert amounts[-1] == 20_900_000_000 and sum(amounts[:-1]) == 20_900_000_000
    assert budget.cell(row=3, column=2).number_format == "#,##0"


def test_the_built_plan_speaks_as_of_its_issue_date_and_the_successor_as_of_its_own(default_build):
    """plan.html names nothing out of force on the plan's issue date before its appendices (the
    planner's analysis), and never Bắc Ninh; dieu-chinh.html is the successor's adjusted plan."""
    r = default_build
    plan = loading.load_plan(paths.DEFAULT_PLAN_DIR)
    page = r.html.read_text(encoding="utf-8")
    assert asof.violations(asof.page_text(page), plan) == []
    assert "Bắc Ninh" not in page and "ĐIỀU CHỈNH THEO SẮP XẾP" not in page
    assert r.adjustment_html == r.out_dir / "dieu-chinh.html"
    assert all((r.out_dir / f"dieu-chinh.{ext}").stat().st_size > 0 for ext in ("html", "docx", "pdf"))
    adjusted = r.adjustment_html.read_text(encoding="utf-8")
    assert render_html.external_references(adjusted) == []
    text = visible_text(adjusted)
    assert (
        "TỈNH BẮC NINH" in text and "Dự thảo lập theo đơn vị hành chính và quy định có hiệu lực ngày 6/7/2025" in text
    )
    assert asof.successor_violations(asof.page_text(adjusted), plan, "2025-07-06") == []


def test_unknown_parameter_fails_before_any_notebook(tmp_path):
    with pytest.raises(ParamError) as info:
        build.build(overrides={"pass_rate_nwe": 0.5}, out_root=tmp_path, **QUIET)
    assert "pass_rate_nwe" in str(info.value)
    assert not any(tmp_path.iterdir())


def test_bad_parameter_value_fails_before_any_notebook(tmp_path):
    with pytest.raises(ParamError) as info:
        build.build(overrides={"pass_rate_new": "1.5"}, out_root=tmp_path, **QUIET)
    assert "pass_rate_new" in str(info.value) and "0 đến 1" in str(info.value)
    assert not any(tmp_path.iterdir())


def test_bad_input_fails_before_any_notebook(tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(DEMO_PLAN, plan)
    edit_csv(plan / "products.csv", 3, "stream", "moi")
    out = tmp_path / "out"
    with pytest.raises(PlanValidationError) as info:
        build.build(plan, out_root=out, **QUIET)
    assert "products.csv, dòng 3, cột 'stream'" in str(info.value)
    assert not out.exists() or not any(out.iterdir())


def test_failing_notebook_keeps_the_previous_plan(default_build, tmp_path):
    """A notebook that fails mid-run: the message names it and the cell, the partial notebook is kept,
    and the previous good plan stays byte-identical."""
    out_root = tmp_path / "out"
    target = out_root / "bac-giang" / "2025" / "default"
    shutil.copytree(default_build.out_dir, target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    failing = Path(__file__).parents[1] / "fixtures" / "notebooks" / "50-fails.ipynb"
    notebooks = build.plan_notebooks()[:1] + [failing]
    with pytest.raises(build.BuildError) as info:
        build.build(notebooks=notebooks, out_root=out_root, **QUIET)
    msg = str(info.value)
    assert "50-fails.ipynb" in msg and "ô số 4" in msg and "hỏng có chủ đích" in msg  # [4] in the kept notebook
    partial = out_root / "bac-giang" / "2025" / ".default.failed" / "50-fails.ipynb"
    assert partial.exists() and str(partial) in msg
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before


def test_parameter_the_plan_cannot_accept_fails_before_any_notebook(tmp_path):
    with pytest.raises(ParamError) as info:
        build.build(
            overrides={"unit_filter": "khong-co-don-vi", "envelope_vnd": 30_000_000_000}, out_root=tmp_path, **QUIET
        )
    assert "unit_filter" in str(info.value) and "envelope_vnd" in str(info.value)
    assert not any(tmp_path.iterdir())


def test_second_province_builds_from_data_alone_and_reproducibly(tmp_path):
    """Same inputs and parameters, built on different days: the same document bytes; the build time
    lives in the manifest only."""
    when = dt.datetime(2027, 1, 15, 8, 30)
    first = build.build(DEMO_PLAN, out_root=tmp_path / "a", built_at=when, **QUIET)
    later = build.build(DEMO_PLAN, out_root=tmp_path / "b", built_at=when + dt.timedelta(days=1), **QUIET)
    for name in ("plan.html", "plan.docx", "plan.pdf", "annex.xlsx"):
        assert (first.out_dir / name).read_bytes() == (later.out_dir / name).read_bytes(), name
    assert "TỈNH MẪU" in first.html.read_text(encoding="utf-8")
    assert asof.violations(asof.page_text(first.html.read_text(encoding="utf-8")), loading.load_plan(DEMO_PLAN)) == []
    assert first.adjustment_html is None and not list(first.out_dir.glob("dieu-chinh.*"))
    m1 = json.loads(first.manifest.read_text())
    m2 = json.loads(later.manifest.read_text())
    assert m1["parameters"] == m2["parameters"] and m1["inputs_sha256"] == m2["inputs_sha256"]
    assert m1["built_at"] != m2["built_at"]


def test_scenario_file_and_command_line_overrides(tmp_path):
    scenario = tmp_path / "thap.yaml"
    scenario.write_text("scenario: ty-le-thap\npass_rate_new: 0.3\n", encoding="utf-8")
    r = build.build(DEMO_PLAN, params_files=[scenario], overrides={"lapse_share": "0.5"}, out_root=tmp_path, **QUIET)
    assert r.out_dir.name == "ty-le-thap"
    m = json.loads(r.manifest.read_text())
    assert m["parameters"]["pass_rate_new"] == 0.3 and m["parameters"]["lapse_share"] == 0.5


def test_hostile_names_are_escaped_in_html_and_never_formulas_in_xlsx(tmp_path):
    plan = tmp_path / "demo" / "2027"
    shutil.copytree(DEMO_PLAN, plan)
    # Rows 3 and 6 are organisations that request support: they are listed in the HTML and the annex.
    edit_csv(plan / "organisations.csv", 3, "organisation_name", "<script>alert('x')</script> HTX")
    edit_csv(plan / "organisations.csv", 6, "organisation_name", '=HYPERLINK("http://x","y")')
    edit_csv(plan / "products.csv", 2, "product_name", "+84 Chè <b>đậm</b>")
    # Names of illustrative organisations are never printed: declare them published so they show.
    with (plan / "plan.yaml").open("a", encoding="utf-8") as f:
        f.write("provenance:\n  organisations: published\n")
    r = build.build(plan, out_root=tmp_path / "out", **QUIET)
    page = r.analysis.read_text(encoding="utf-8")  # the organisations funded most, by name
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(" in page and "&lt;/script&gt; HTX" in page  # shown as text
    assert ">=HYPERLINK(" in page
    wb = openpyxl.load_workbook(r.annex)
    cells = [
        c
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith(("=", "+84", "<script>"))
    ]
    assert {c.value[:3] for c in cells} >= {"=HY", "+84", "<sc"}
    assert all(c.data_type == "s" for c in cells), [(c.coordinate, c.data_type) for c in cells if c.data_type != "s"]


def test_cli_build_prints_where_the_plan_is_and_bad_input_exits_2(tmp_path):
    ok = subprocess.run(
        [sys.executable, "-m", "ocop_helpers", "build", "--plan", str(DEMO_PLAN), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert ok.returncode == 0, ok.stderr
    assert "plan.html" in ok.stdout.strip().splitlines()[-1]
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "ocop_helpers",
            "build",
            "--plan",
            str(DEMO_PLAN),
            "--out",
            str(tmp_path),
            "--set",
            "year=abc",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "year" in bad.stderr


def test_bare_papermill_cli_runs_the_overview(tmp_path):
    out = tmp_path / "out.ipynb"
    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "papermill"),
            str(paths.NOTEBOOKS_DIR / "00-overview.ipynb"),
            str(out),
            "-p",
            "year",
            "2025",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=paths.ROOT,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    import nbformat

    nb = nbformat.read(out, as_version=4)
    html_out = "".join(
        o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    assert "323" in html_out


def test_merged_province_2026_builds_with_provincial_rounds_and_last_year(tmp_path):
    """Issue 7: the merged tỉnh Bắc Ninh builds from data alone, under the post-July-2025 rules."""
    r = build.build(paths.DATA_DIR / "bac-ninh" / "2026", out_root=tmp_path, **QUIET)
    assert r.out_dir.parts[-3:] == ("bac-ninh", "2026", "default")
    plan = loading.load_plan(paths.DATA_DIR / "bac-ninh" / "2026")
    assert asof.violations(asof.page_text(r.html.read_text(encoding="utf-8")), plan) == []
    assert r.adjustment_html is None and not list(r.out_dir.glob("dieu-chinh.*"))  # no change inside 2026
    # The analysis (the notebooks' sections) stands in its own file beside the plan.
    text = visible_text(r.analysis.read_text(encoding="utf-8"))
    assert "Năm 2026 toàn tỉnh có 400 sản phẩm" in text
    # no district level anywhere in this year's plan; the year-over-year section shows last year's rounds
    start = text.rindex("So sánh với kế hoạch năm trước")
    end = text.index("Số sản phẩm OCOP của tỉnh Bắc Ninh", start)
    assert "Cấp huyện" in text[start:end] and "Cấp huyện" not in text[:start] + text[end:]
    assert "Cấp đánh giá không còn tổ chức" not in text
    assert "So sánh với kế hoạch năm trước" in text and "tỉnh Bắc Giang trước khi hợp nhất" in text
    assert "25 đơn vị cao nhất trên tổng số 99" in text  # 99 communes: the document shows the top 25
    # last year's products per district cannot be moved to communes without shares: said, not guessed
    assert "Không thể chuyển số sản phẩm năm 2025 theo đơn vị hành chính mới mà không phỏng đoán" in text
    assert "thành phố Bắc Giang" in text
    # the predecessors found in the unit data; the one without a plan folder is named
    assert "Thiếu kế hoạch năm 2025 của tỉnh mã «bac-ninh-cu»" in text and "Những gì thay đổi và vì sao" in text
    wb = openpyxl.load_workbook(r.annex)
    units = wb["Đơn vị"]
    assert units.max_row == 99 + 3  # attached line, header, 99 communes, total


def test_failure_after_the_notebooks_keeps_the_previous_plan(tmp_path, monkeypatch):
    """If assembling the document fails after every notebook ran, nothing half-built replaces the plan."""
    first = build.build(DEMO_PLAN, out_root=tmp_path, **QUIET)
    before = {p.name: p.read_bytes() for p in first.out_dir.iterdir()}

    def broken(*args, **kwargs):
        raise RuntimeError("mô phỏng lỗi khi xuất HTML")

    monkeypatch.setattr(render_html, "render_html", broken)
    with pytest.raises(build.BuildError) as info:
        build.build(DEMO_PLAN, out_root=tmp_path, **QUIET)
    assert "mô phỏng lỗi khi xuất HTML" in str(info.value)
    year_dir = first.out_dir.parent
    assert (year_dir / ".default.failed" / "00-overview.ipynb").exists()
    assert not [p for p in year_dir.iterdir() if ".building-" in p.name]
    assert {p.name: p.read_bytes() for p in first.out_dir.iterdir()} == before
