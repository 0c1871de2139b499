"""The ledger of figures: one definition one figure, written once, adding up."""

from __future__ import annotations

import json

import pytest

from ocop_helpers.inputs import loading
from ocop_helpers.model import compute
from ocop_helpers.model.figures import ledger_of
from ocop_helpers.model.ledger import Figure, Ledger, LedgerError
from ocop_helpers.model.params import Params, defaults
from ocop_helpers.runs.reading import ledger_problems
from tests.support.plans import DEFAULT_PLAN


@pytest.fixture(scope="module")
def results():
    return compute.compute(loading.load_plan(DEFAULT_PLAN), Params({**defaults(), "draws": 1000}))


def test_a_figure_is_written_the_vietnamese_way():
    assert Figure("a", 6_650_000_000, "đồng", "Nhu cầu", "derived").shown == "6,65 tỷ đồng"
    assert Figure("b", 0.781, "tỷ lệ", "Tỷ lệ", "derived").shown == "78,1%"
    assert Figure("c", 1234, "sản phẩm", "Số", "published").shown == "1.234"


def test_one_definition_is_one_figure():
    led = Ledger()
    led.figure("a", 1, "sản phẩm", "Sản phẩm trong đợt đông nhất", "derived")
    with pytest.raises(LedgerError, match="cùng định nghĩa"):
        led.figure("b", 2, "sản phẩm", "Sản phẩm  trong đợt đông nhất", "derived")
    with pytest.raises(LedgerError, match="đã có"):
        led.figure("a", 3, "sản phẩm", "Khác", "derived")
    with pytest.raises(LedgerError, match="không có"):
        led["missing"]


def test_money_is_integer_dong_and_units_are_known():
    with pytest.raises(LedgerError, match="số nguyên"):
        Figure("a", 1.5, "đồng", "Tiền", "derived")
    with pytest.raises(LedgerError, match="đơn vị"):
        Figure("a", 1, "cái", "Số", "derived")


def test_the_default_plans_ledger_holds_the_published_totals_and_adds_up(results):
    led = ledger_of(results)
    assert ledger_of(results) is led  # built once per scenario
    assert (led.value("target.total"), led.value("target.new"), led.value("target.reevaluation")) == (323, 237, 75)
    assert led.value("target.upgrade") == 11 and led.value("target.organisations_branding") == 153
    assert led.value("target.budget_total_vnd") == 20_900_000_000 and led["target.budget_total_vnd"].approximate
    assert led["target.total"].provenance == "published" and led["target.total"].source
    assert "[S" not in led["target.total"].source  # bibliography codes stay out of what readers see
    assert led["budget.line.branding_vnd"].provenance == "illustrative"
    supported = led.value("allocation.supported") + led.value("allocation.target_gap")
    assert supported == led.value("target.organisations_branding")
    figures = {f["id"]: f for f in json.loads(led.to_json())["figures"]}
    assert ledger_problems(figures) == []


def test_the_ledger_check_finds_lines_that_do_not_add_up(results):
    figures = {f["id"]: f for f in json.loads(ledger_of(results).to_json())["figures"]}
    figures["budget.line.training_vnd"]["value"] += 1_000_000
    assert any("budget.line." in p for p in ledger_problems(figures))
    figures["budget.line.training_vnd"]["value"] -= 1_000_000
    figures["copy"] = {**figures["branding.need_vnd"], "id": "copy"}
    assert any("cùng định nghĩa" in p for p in ledger_problems(figures))


def test_an_envelope_below_the_line_states_the_difference_from_the_published_total():
    plan = loading.load_plan(DEFAULT_PLAN)
    r = compute.compute(plan, Params({**defaults(), "draws": 1000, "envelope_vnd": 4_500_000_000}))
    led = ledger_of(r)
    assert led.value("budget.lines_total_vnd") == 20_200_000_000
    assert led.value("budget.difference_vnd") == 700_000_000
    figures = {f["id"]: f for f in json.loads(led.to_json())["figures"]}
    assert ledger_problems(figures) == []
