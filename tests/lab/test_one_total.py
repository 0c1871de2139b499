"""One total in the budget-lines panel: the text and the table speak of the same sum, and a
difference from the published budget is named once, as the plan document's ledger states it."""

from __future__ import annotations

import re

import pytest

from ocop_helpers.core import vnformat
from ocop_helpers.inputs import loading
from ocop_helpers.lab import panels, workbench
from ocop_helpers.model import params
from ocop_helpers.model.figures import ledger_of
from ocop_helpers.render import notebook
from tests.support.plans import DEFAULT_PLAN


@pytest.fixture(scope="module")
def plan():
    notebook.setup_notebook()
    return loading.load_plan(DEFAULT_PLAN)


def text_of(out) -> str:
    page = "".join(o.get("data", {}).get("text/html", "") for o in out.outputs)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_a_lower_envelope_shows_one_total_and_names_the_difference_once(plan):
    bench = workbench.Workbench(plan, params.Params({}))
    bench.panel(panels.BUDGET_LINES)
    out = bench._panels[0].out
    published = vnformat.money(plan.targets.budget_total_vnd)
    assert text_of(out).count(published) >= 2, "unchanged: the text and the table give the published total"
    assert bench.apply({"envelope_vnd": 4_500_000_000})
    text = text_of(out)
    led = ledger_of(bench.results.full())
    lines_total = vnformat.money(led.value("budget.lines_total_vnd"))
    difference = vnformat.money(led.value("budget.difference_vnd"))
    assert lines_total != published
    assert re.search(rf"Tổng các nội dung chi {re.escape(lines_total)}", text), text[:400]
    assert re.search(rf"Tổng cộng {re.escape(lines_total)} 100", text), "the table's total is the text's"
    assert text.count(published) == 1 and text.count(difference) == 1, "the difference is named once"
    assert "Tổng kinh phí kế hoạch" not in text, "no second total"
