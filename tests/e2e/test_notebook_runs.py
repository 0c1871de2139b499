"""Real papermill runs of single notebooks: parameters change the reported numbers; numbers match the
published totals and the package functions."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import papermill
import pytest

from ocop_helpers.core import paths
from ocop_helpers.inputs import loading
from ocop_helpers.model import compute, params
from tests.support.plans import DEFAULT_PLAN

pytestmark = pytest.mark.slow


def run(name: str, tmp: Path, **parameters) -> str:
    """Execute a notebook (interactive=False) and return all its HTML output."""
    out = tmp / f"{name}-{abs(hash(tuple(sorted(parameters.items()))))}.ipynb"
    papermill.execute_notebook(
        str(paths.NOTEBOOKS_DIR / name),
        str(out),
        parameters={"interactive": False, **parameters},
        kernel_name="python3",
        progress_bar=False,
        execution_timeout=600,
        cwd=str(paths.NOTEBOOKS_DIR),
    )
    nb = nbformat.read(out, as_version=4)
    return "".join(
        o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )


def key_numbers(page: str) -> list[str]:
    return re.findall(r'class="ocop-key"[^>]*>([^<]+)<', page)


def test_targets_notebook_reports_published_totals_and_follows_pass_rate(tmp_path):
    low = run("10-product-targets.ipynb", tmp_path, pass_rate_new=0.2)
    high = run("10-product-targets.ipynb", tmp_path, pass_rate_new=0.9)
    for page in (low, high):
        assert "323 sản phẩm tham gia đánh giá" in page and "237 sản phẩm đánh giá lần đầu" in page
    plan = loading.load_plan(DEFAULT_PLAN)
    expected = {
        rate: round(compute.Model(plan).stock(params.Params({"pass_rate_new": rate})).end_stock) for rate in (0.2, 0.9)
    }
    assert key_numbers(low)[0] == f"{expected[0.2]:,}".replace(",", ".")
    assert key_numbers(high)[0] == f"{expected[0.9]:,}".replace(",", ".")
    assert expected[0.2] < expected[0.9]
    assert "Cấp đánh giá không còn tổ chức tại thời hạn — 153 sản phẩm" in low  # district round 2 after 1/7/2025


def test_rerouted_calendar_moves_products_to_the_province(tmp_path):
    page = run("10-product-targets.ipynb", tmp_path, routing="rerouted")
    assert "điều chuyển theo thẩm quyền tại thời hạn" in page.lower()
    assert "138 sản phẩm chuyển sang đợt 2 cấp tỉnh" in page
    assert "đợt này không tổ chức, các sản phẩm đã được điều chuyển" in page
    assert "Cấp đánh giá không còn tổ chức tại thời hạn —" not in page  # no error box with products left


def test_budget_notebook_is_seeded_and_follows_the_rule(tmp_path):
    a = run("20-budget-allocation.ipynb", tmp_path, draws=2000, rule="proportional")
    b = run("20-budget-allocation.ipynb", tmp_path, draws=2000, rule="proportional")
    c = run("20-budget-allocation.ipynb", tmp_path, draws=2000, rule="priority", seed=7)
    assert key_numbers(a) == key_numbers(b), "same parameters and seed, same numbers"
    assert key_numbers(a) != key_numbers(c)
    plan = loading.load_plan(DEFAULT_PLAN)
    sim = compute.Model(plan).simulation(params.Params({"draws": 2000, "rule": "proportional"}))
    assert key_numbers(a)[-1] == f"{100 * sim.prob_overrun:.1f}%".replace(".", ",")
    assert "Theo tỷ lệ đề nghị" in a and "20,9 tỷ đồng" in a


def test_overview_notebook_runs_on_the_merged_province(tmp_path):
    page = run("00-overview.ipynb", tmp_path, province="bac-ninh", year=2026)
    assert "Năm 2026, tỉnh Bắc Ninh" in page and "400" in page
