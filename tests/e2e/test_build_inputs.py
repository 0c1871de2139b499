"""What a build reads is what its manifest fingerprints: every file the plan was loaded from (last
year's plans included) and the comparison its proposals cite."""

from __future__ import annotations

import hashlib
import json

import pytest

from ocop_helpers.core import paths
from ocop_helpers.inputs.loading import load_plan
from ocop_helpers.render import xlsx
from ocop_helpers.runs import build, compare_report
from ocop_helpers.runs.compare import output_dir

BN_2026 = paths.DATA_DIR / "bac-ninh" / "2026"


def test_a_plan_carries_everything_the_model_reads():
    plan = load_plan(BN_2026)
    assert set(plan.official_tables) >= {"issuing_bodies", "certificate_rules", "line_sources"}
    assert plan.official_texts["tasks"]
    assert plan.all_units is not None and len(plan.all_units) > len(plan.units)
    # the merged province's predecessors: last year's Bắc Giang plan is in the data and loaded with it
    assert "bac-giang" in plan.last_year
    assert plan.last_year["bac-giang"].year == 2025
    assert plan.last_year["bac-giang"].last_year == {}  # one year back only
    files = set(plan.input_files)
    assert str(BN_2026 / "plan.yaml") in files
    assert str(paths.DATA_DIR / "bac-giang" / "2025" / "products.csv") in files
    assert str(paths.REFERENCE_DIR / "tasks.yaml") in files


def test_computing_a_scenario_reads_no_file(monkeypatch):
    from ocop_helpers.model import compute
    from ocop_helpers.model.params import Params

    plan = load_plan(BN_2026)
    opened: list[str] = []
    real_open = open

    def spy(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    import builtins
    import io as _io
    from pathlib import Path

    monkeypatch.setattr(builtins, "open", spy)
    monkeypatch.setattr(_io, "open", spy)
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: opened.append(str(self)) or "")
    monkeypatch.setattr(Path, "read_bytes", lambda self, *a, **k: opened.append(str(self)) or b"")
    compute.compute(plan, Params({"province": "bac-ninh", "year": 2026, "draws": 200}))
    data = [f for f in opened if str(paths.DATA_DIR) in f or f.endswith((".csv", ".yaml", ".xlsx"))]
    assert data == []


@pytest.mark.slow
def test_the_cited_comparison_is_a_hashed_input(tmp_path):
    plan = load_plan(paths.DEFAULT_PLAN_DIR)
    workbook = output_dir(plan, tmp_path) / compare_report.XLSX_NAME
    xlsx.write_grid(
        workbook,
        [
            (
                "So sánh",
                ["Chỉ tiêu", "Theo kế hoạch", "Ít kinh phí"],
                [["Chủ thể không được hỗ trợ", 39, 12]],
                [[None, "int", "int"]],
            )
        ],
    )
    result = build.build(
        paths.DEFAULT_PLAN_DIR,
        out_root=tmp_path,
        notebooks=[paths.NOTEBOOKS_DIR / "00-overview.ipynb"],
        progress=lambda line: None,
    )
    manifest = json.loads((result.manifest).read_text(encoding="utf-8"))
    key = manifest["cited_comparison"]
    assert key is not None and key.endswith("compare/compare.xlsx")
    assert manifest["inputs_sha256"][key] == hashlib.sha256(workbook.read_bytes()).hexdigest()
    # The comparison is cited by the submission (Tờ trình) that carries the decisions.
    html = result.submission.read_text(encoding="utf-8")
    assert "phương án «Ít kinh phí» để ít tổ chức kinh tế không được hỗ trợ nhất (12 tổ chức)" in html
