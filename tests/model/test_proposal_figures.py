"""The figures of the submission's decisions: one per quantity, reused where the ledger has it."""

from __future__ import annotations

import pytest

from ocop_helpers.inputs import loading
from ocop_helpers.model import compute, ledger
from ocop_helpers.model.figures import ledger_of
from ocop_helpers.model.figures import proposals as F
from ocop_helpers.model.params import Params
from tests.support.plans import DEFAULT_PLAN


@pytest.mark.parametrize(
    ("p", "words"),
    [
        (0.004, "dưới 1 trên 10 khả năng"),
        (0.098, "khoảng 1 trên 10 khả năng"),
        (0.34, "khoảng 3 trên 10 khả năng"),
        (0.97, "trên 9 trên 10 khả năng"),
        (1.0, "gần như chắc chắn"),
    ],
)
def test_a_chance_is_written_in_tenths(p, words):
    assert ledger.Figure("x", p, "khả năng", "Một khả năng", "derived").shown == words


def test_a_chance_outside_zero_one_is_refused():
    with pytest.raises(ledger.LedgerError):
        ledger.Figure("x", 1.5, "khả năng", "Một khả năng", "derived")


@pytest.fixture(scope="module")
def results():
    return compute.compute(loading.load_plan(DEFAULT_PLAN), Params({"draws": 1000}))


def test_the_options_reuse_the_figures_of_the_plan(results):
    led = ledger_of(results)
    d = {x.kind: x for x in results.decisions}
    # the current rule's counts are the plan's allocation figures, not new ones
    assert F.rule_metric_id(results, "priority", "not_funded") == "allocation.not_funded"
    assert "decision.rule.priority.not_funded" not in led
    rule = d["branding_envelope"].facts["rule"]
    keep = d["branding_envelope"].options.set_index("option").loc["keep"]
    fid = F.envelope_metric_id(results, "keep", rule, "fully_funded")
    assert fid == F.rule_metric_id(results, rule, "fully_funded") and led.value(fid) == keep["fully_funded"]
    assert F.envelope_metric_id(results, "fund_need", rule, "extra_vnd") == "branding.shortfall_vnd"
    assert F.envelope_id(results) == "budget.line.branding_vnd"
    moved = led.value("decision.envelope.moved_vnd")
    assert led.value("decision.envelope.move_from_rewards.rewards_vnd") == led.value("budget.line.rewards_vnd") - moved
    total = led.value("decision.envelope.fund_need.total_vnd")
    assert total == led.value("target.budget_total_vnd") + led.value("branding.shortfall_vnd")


def test_no_figure_for_the_reorganisations_calendar(results):
    assert not [f.id for f in ledger_of(results) if f.id.startswith("decision.calendar.")]
