"""The season as of a date: results fixed, the rest re-forecast; with no results it is the plan."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from ocop_helpers.inputs.loading import load_plan
from ocop_helpers.model import compute
from ocop_helpers.model.figures import ledger_of
from ocop_helpers.model.params import Params, defaults
from ocop_helpers.model.season import season_of
from tests.support.plans import DEFAULT_PLAN, DEMO_PLAN

DRAWS = 2000


@pytest.fixture(scope="module")
def plans():
    return {"default": load_plan(DEFAULT_PLAN), "demo": load_plan(DEMO_PLAN)}


def _season(plan, as_of: dt.date | None, **values):
    r = compute.Model(plan).results(Params({**defaults(), "draws": DRAWS, "as_of": as_of, **values}))
    return r, season_of(r)


def test_with_no_results_the_forecast_is_the_plans(plans) -> None:
    plan = dataclasses.replace(plans["default"], season_results=None)
    r, s = _season(plan, dt.date(2025, 12, 31))
    assert not s.has_results and s.evaluated == 0
    assert s.forecast.stock_mean == pytest.approx(r.stock.end_stock, abs=0.5)
    # the same as before any round: nothing is fixed by a date alone
    _, early = _season(plan, dt.date(2025, 1, 1))
    assert early.forecast.table.equals(s.forecast.table)


def test_before_the_first_decision_the_reforecast_equals_the_plan(plans) -> None:
    plan = plans["default"]
    _, s = _season(plan, dt.date(2025, 1, 2))
    _, none = _season(dataclasses.replace(plan, season_results=None), dt.date(2025, 1, 2))
    assert s.evaluated == 0
    assert s.forecast.table.equals(none.forecast.table)


def test_mid_year_round_one_is_fixed_and_round_two_is_forecast(plans) -> None:
    plan = plans["default"]
    got = plan.season_results.evaluations
    _, s = _season(plan, dt.date(2025, 7, 15))
    first = got[got["decision_date"] <= "2025-07-15"]
    assert s.evaluated == first["product_id"].nunique() > 0
    assert 0 < s.evaluated < len(plan.products)
    assert s.rounds_held == 1
    assert int(s.streams["waiting"].sum()) == len(plan.products) - s.evaluated
    t = s.forecast.table.set_index("target_id")
    assert t.loc["new-recognised", "realised"] == int(s.streams.set_index("stream").loc["new", "recognised"])
    assert t.loc["new-recognised", "expected"] > t.loc["new-recognised", "realised"]  # round 2 still to come


def test_at_year_end_everything_is_known(plans) -> None:
    plan = plans["default"]
    _, s = _season(plan, dt.date(2025, 12, 31))
    assert int(s.streams["waiting"].sum()) == 0 and s.rounds_held == 2
    t = s.forecast.table.set_index("target_id")
    assert t.loc["new-recognised", "p10"] == t.loc["new-recognised", "p90"] == t.loc["new-recognised", "realised"]
    assert t.loc["stock", "expected"] == pytest.approx(s.stock_now)  # no lapses outside the plan's products
    assert s.organisations_paid == plan.season_results.support["organisation_id"].nunique()


def test_the_chance_of_a_target_follows_the_results(plans) -> None:
    plan = plans["demo"]
    _, before = _season(dataclasses.replace(plan, season_results=None), dt.date(2027, 12, 31))
    _, after = _season(plan, dt.date(2027, 12, 31))
    b, a = before.forecast.table.set_index("target_id"), after.forecast.table.set_index("target_id")
    assert set(a["chance"].unique()) <= {0.0, 1.0}  # the year is over: met or not
    assert not b["chance"].isin([0.0, 1.0]).all()


def test_the_ledger_names_the_season_figures_once(plans) -> None:
    r, s = _season(plans["default"], dt.date(2025, 7, 15))
    led = ledger_of(r)
    assert led.value("season.evaluated") == s.evaluated
    assert led.value("season.rounds_held") == 1
    lines = [f.value for f in led if f.id.startswith("season.line.") and f.id.endswith(".spent_vnd")]
    assert sum(lines) == led.value("season.spent_vnd")
    assert led.value("season.spent_vnd") + led.value("season.left_vnd") == int(r.budget_lines["amount_vnd"].sum())
    assert led["season.evaluated"].provenance == "illustrative"  # the shipped results are illustrative
