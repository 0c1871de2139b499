"""A build computes the scenario once, and the document, the annex and the executed notebooks show
the same figures — read from their tables by row and column, not searched anywhere in the page."""

from __future__ import annotations

import os
from collections import Counter

import nbformat
import pytest

from ocop_helpers.core import paths, vnformat
from ocop_helpers.domain import labels
from ocop_helpers.inputs import loading
from ocop_helpers.model import compute
from ocop_helpers.model.params import Params
from tests.support import docfind

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results():
    return compute.compute(loading.load_plan(paths.DEFAULT_PLAN_DIR), Params({"interactive": False}))


def notebook_html(path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "".join(
        o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )


def test_each_step_runs_once_per_build_across_every_process(default_build):
    """Every stage computed for the scenario's parameters is computed once, in the build's process;
    the proposals may compute a stage again only for other parameter values (their options)."""
    lines = [line.split("\t") for line in default_build.step_log.read_text(encoding="utf-8").splitlines()]
    per_key = Counter((stage, key) for stage, key, _ in lines)
    assert all(n == 1 for n in per_key.values()), [k for k, n in per_key.items() if n > 1]
    stages = Counter(stage for stage, _, _ in lines)
    assert stages["simulation"] == 1, stages
    assert set(stages) >= {"calendar", "claims", "allocation", "rules", "budget_comparison", "expiry", "stock"}
    assert {pid for _, _, pid in lines} == {str(os.getpid())}, "a notebook kernel computed instead of reading"


def test_budget_total_is_the_same_in_html_annex_and_notebook(default_build, results):
    total = results.plan.targets.budget_total_vnd
    page = default_build.analysis.read_text(encoding="utf-8")  # the analysis behind the plan
    shown = docfind.cell(page, "Tổng cộng", "Số tiền", after="Dự toán kinh phí")
    assert shown == vnformat.money(total)
    nb = notebook_html(default_build.out_dir / "20-budget-allocation.ipynb")
    assert docfind.cell(nb, "Tổng cộng", "Số tiền", having=("Nội dung chi", "Số tiền")) == shown
    sheet = docfind.xlsx_table(default_build.annex, "Dự toán kinh phí")
    assert sheet.cell("Tổng cộng", labels.COLUMN["amount_vnd"]) == total


def test_rule_comparison_is_the_same_in_html_annex_and_notebook(default_build, results):
    page = default_build.analysis.read_text(encoding="utf-8")  # the analysis behind the plan
    nb = notebook_html(default_build.out_dir / "20-budget-allocation.ipynb")
    sheet = docfind.xlsx_table(default_build.annex, "So sánh quy tắc")
    for rule in ("priority", "proportional", "equal_awards", "optimum"):
        label = labels.ALLOCATION_RULE[rule]
        want = results.rule_table.loc[rule]
        html_row = docfind.table(page, having="Đáp ứng có trọng số")
        assert html_row.cell(label, "Không") == vnformat.number(int(want["not_funded"])), rule
        assert html_row.cell(label, "Đủ") == vnformat.number(int(want["fully_funded"])), rule
        assert html_row.cell(label, "Đáp ứng có trọng số") == vnformat.percent(want["weighted_coverage"]), rule
        assert docfind.table(nb, having="Đáp ứng có trọng số").cell(label, "Không") == html_row.cell(label, "Không")
        assert sheet.cell(label, "Không được hỗ trợ") == int(want["not_funded"]), rule
        assert sheet.cell(label, "Tổng hỗ trợ (đồng)") == int(want["granted_vnd"]), rule


def test_simulated_range_is_the_same_in_html_and_annex(default_build, results):
    page = default_build.analysis.read_text(encoding="utf-8")  # the analysis behind the plan
    comp = results.budget_comparison.set_index("line")
    label = labels.budget_line("rewards")
    html_table = docfind.table(page, after="Rủi ro kinh phí", having="Mức giữa")
    assert html_table.cell(label, "Mức giữa") == vnformat.money(int(comp.loc["rewards", "p50_vnd"]))
    sheet = docfind.xlsx_table(default_build.annex, "Rủi ro kinh phí")
    assert sheet.cell(label, "Dự kiến chi (khả năng vượt và không vượt như nhau) (đồng)") == int(
        comp.loc["rewards", "p50_vnd"]
    )
    assert sheet.cell(label, "Dự kiến chi, cận trên: 8 trên 10 khả năng trong khoảng (đồng)") == int(
        comp.loc["rewards", "p90_vnd"]
    )


def test_allocation_sentence_states_the_numbers_of_its_table(default_build, results):
    page = default_build.analysis.read_text(encoding="utf-8")  # the analysis behind the plan
    m = results.allocation_metrics
    said = docfind.sentence(page, "quy tắc", "chưa được hỗ trợ")
    assert f"{vnformat.number(m.fully_funded)} tổ chức kinh tế được hỗ trợ đủ" in said
    assert f"{vnformat.number(m.not_funded)} chưa được hỗ trợ" in said
    rule_row = docfind.table(page, having="Đáp ứng có trọng số").cell(labels.ALLOCATION_RULE["priority"], "Không")
    assert rule_row == vnformat.number(m.not_funded)


def test_parts_in_a_sentence_add_up_to_the_total_it_states(default_build):
    """'giảm khoảng N sản phẩm (a … và b …)': N = a + b; the end stock = start + new − N, and the key
    figure of the section says the same end stock."""
    import re

    nb = notebook_html(default_build.out_dir / "10-product-targets.ipynb")
    lines = [x for x in docfind.visible_text(nb, blocks=True).splitlines() if "giảm khoảng" in x and "thêm khoảng" in x]
    assert len(lines) == 1, lines
    said = lines[0]
    numbers = {
        k: int(v.replace(".", ""))
        for k, v in re.search(
            r"có (?P<start>[\d.]+) sản phẩm OCOP.*thêm khoảng (?P<new>[\d.]+).*giảm khoảng (?P<loss>[\d.]+) sản phẩm "
            r"\((?P<a>[\d.]+) không đạt khi đánh giá lại và (?P<b>[\d.]+) hết hạn.*có khoảng (?P<end>[\d.]+) sản phẩm OCOP",
            docfind.visible_text(nb),
        )
        .groupdict()
        .items()
    }
    assert numbers["loss"] == numbers["a"] + numbers["b"]
    assert numbers["end"] == numbers["start"] + numbers["new"] - numbers["loss"]
    key = re.findall(r'class="ocop-key"[^>]*>([^<]+)<', nb)[0]
    assert int(key.replace(".", "")) == numbers["end"], said
