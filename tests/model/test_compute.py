"""One scenario computed once: the results object, its stage cache and its immutability."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from ocop_helpers.inputs import loading
from ocop_helpers.model import compute, params
from ocop_helpers.model.params import ParamError, Params
from tests.support.plans import DEFAULT_PLAN, DEMO_PLAN


@pytest.fixture(scope="module")
def plan():
    return loading.load_plan(DEFAULT_PLAN)


@pytest.fixture(scope="module")
def results(plan):
    return compute.compute(plan, Params({}))


def test_results_are_frozen_and_params_read_only(results):
    with pytest.raises(dataclasses.FrozenInstanceError):
        results.envelope_vnd = 1
    with pytest.raises(TypeError):
        results.params.values["rule"] = "greedy"
    again = pickle.loads(pickle.dumps(results))
    assert again.params == results.params and again.envelope_vnd == results.envelope_vnd


def test_the_chosen_rule_reads_the_same_in_every_table(results):
    """The allocation panel, the comparison table and the annex read one computation."""
    row = results.rule_table.loc[results.params.rule]
    m = results.allocation_metrics.as_series()
    for name in ("fully_funded", "partly_funded", "not_funded", "weighted_coverage", "unspent_vnd"):
        assert m[name] == row[name], name
    assert int(results.allocation["granted_vnd"].sum()) == int(row["granted_vnd"])
    granted = results.budget_comparison.set_index("line")
    assert results.envelope_vnd == int(results.budget_lines.set_index("line").loc["branding", "amount_vnd"])
    assert int(granted.loc["total", "planned_vnd"]) == results.plan.targets.budget_total_vnd


def test_a_change_recomputes_only_the_stages_that_depend_on_it(plan):
    model = compute.Model(plan)
    base = model.results(Params({}))
    compute.STEP_COUNTS.clear()
    changed = model.results(Params({"rule": "proportional"}))
    assert set(compute.STEP_COUNTS) == {"grants", "allocation", "budget_comparison", "decisions"}
    assert changed.simulation is base.simulation and changed.rule_table is base.rule_table
    assert changed.changed_fields(base) >= {"allocation", "allocation_metrics", "budget_comparison", "params"}
    assert "calendar" not in changed.changed_fields(base)
    compute.STEP_COUNTS.clear()
    model.results(Params({"pass_rate_new": 0.5}))
    assert set(compute.STEP_COUNTS) == {"stock", "simulation", "budget_comparison", "decisions"}
    compute.STEP_COUNTS.clear()
    back = model.results(Params({}))
    assert not compute.STEP_COUNTS, "the previous values are kept: going back recomputes nothing"
    assert back.simulation is base.simulation


def test_every_stage_declares_the_parameters_it_reads():
    """A parameter missing from a stage's key would let the cache serve stale figures."""
    known = set(params.specs())
    for stage, names in compute.STAGE_PARAMS.items():
        assert set(names) <= known, stage
    assert set(compute.SIMULATION) >= set(compute.RULE_PARAMS) >= set(compute.LINES)


def test_a_stage_missing_a_dependency_is_caught_by_recomputing_from_scratch(plan):
    """For each parameter, a model that reuses its cache gives the figures of a fresh computation."""
    base = {"draws": 1000}
    model = compute.Model(plan)
    model.results(Params(base))
    changes = {
        "envelope_vnd": 4_000_000_000,
        "co_financing_share": 0.3,
        "weight_unit_equity": 3.0,
        "min_grant_vnd": 10_000_000,
        "lapse_share": 0.3,
        "sessions_per_round": 4,
        "seed": 7,
        "unit_filter": plan.units["unit_id"].iloc[0],
    }
    for name, value in changes.items():
        cached = model.results(Params({**base, name: value}))
        fresh = compute.compute(plan, Params({**base, name: value}))
        assert cached.allocation_metrics.as_series().equals(fresh.allocation_metrics.as_series()), name
        assert cached.simulation.prob_overrun == fresh.simulation.prob_overrun, name
        assert cached.stock.end_stock == fresh.stock.end_stock, name
        assert cached.calendar.rounds.equals(fresh.calendar.rounds), name
        assert cached.expiry_effect.equals(fresh.expiry_effect), name
        assert cached.sectors.equals(fresh.sectors), name


def test_values_the_plan_cannot_accept_are_refused_before_computing(plan):
    with pytest.raises(ParamError, match="envelope_vnd"):
        compute.compute(plan, Params({"envelope_vnd": plan.targets.budget_total_vnd + 1}))
    with pytest.raises(ParamError, match="unit_filter"):
        compute.compute(plan, Params({"unit_filter": "khong-co"}))


def test_another_province_computes_from_data_alone():
    demo = loading.load_plan(DEMO_PLAN)
    r = compute.compute(demo, Params({"plan_dir": str(DEMO_PLAN), "province": "demo", "year": 2027}))
    assert r.plan.year == 2027 and r.as_of.year == 2027
    assert int(r.budget_lines["amount_vnd"].sum()) == demo.targets.budget_total_vnd


def test_every_results_field_has_one_getter_and_the_lazy_view_reads_the_same(plan):
    import dataclasses as dc

    assert set(compute.FIELDS) == {f.name for f in dc.fields(compute.Results)}
    model = compute.Model(plan)
    lazy = model.lazy(Params({"draws": 1000}))
    compute.STEP_COUNTS.clear()
    assert lazy.stock.end_stock > 0
    assert "simulation" not in compute.STEP_COUNTS, "a field nobody read is not computed"
    eager = model.results(Params({"draws": 1000}))
    assert eager.stock is lazy.stock and eager.simulation is lazy.simulation
    with pytest.raises(ParamError):
        model.lazy(Params({"unit_filter": "khong-co"}))
