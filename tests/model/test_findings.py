"""The decisions put before the signer: options and figures come from the computed scenario."""

from __future__ import annotations

import pytest

from ocop_helpers.inputs import loading
from ocop_helpers.model import compute, findings
from ocop_helpers.model.params import Params
from tests.support.plans import DEFAULT_PLAN


@pytest.fixture(scope="module")
def model():
    return compute.Model(loading.load_plan(DEFAULT_PLAN))


@pytest.fixture(scope="module")
def decisions(model):
    return {d.kind: d for d in model.results(Params({"draws": 2000})).decisions}


def test_default_plan_puts_four_decisions(decisions):
    assert set(decisions) == {"allocation_rule", "branding_envelope", "calendar", "late_reevaluations"}


def test_rule_options_are_the_rule_comparison(model, decisions):
    d = decisions["allocation_rule"]
    _, table = model.rules(Params({"draws": 2000}))
    for row in d.options.itertuples():
        assert row.not_funded == table.loc[row.option, "not_funded"]
        assert row.fully_funded == table.loc[row.option, "fully_funded"]
        assert row.cost_vnd == table.loc[row.option, "granted_vnd"]
    assert d.current == "priority" and d.options["option"].iloc[0] == "priority"
    chosen = d.options.set_index("option").loc[d.recommended]
    assert chosen["not_funded"] == d.options["not_funded"].min()
    # the current rule leaves organisations with nothing while the recommendation leaves none
    assert d.options.set_index("option").loc["priority", "not_funded"] > 0 == chosen["not_funded"]


def test_least_served_unit_is_the_minimum_of_the_rule_by_unit(model, decisions):
    d = decisions["allocation_rule"]
    long, _ = model.rules(Params({"draws": 2000}))
    pr = long[long["rule"] == "priority"].groupby("unit_id")[["claim_vnd", "granted_vnd"]].sum()
    share = pr["granted_vnd"] / pr["claim_vnd"]
    row = d.options.set_index("option").loc["priority"]
    assert row["least_unit_id"] == share.idxmin() and row["least_unit_share"] == pytest.approx(share.min())


def test_moving_the_reward_surplus_keeps_the_total_and_funds_more(decisions):
    d = decisions["branding_envelope"]
    o = d.options.set_index("option")
    keep, move = o.loc["keep"], o.loc["move_from_rewards"]
    assert keep["branding_vnd"] + keep["rewards_vnd"] == move["branding_vnd"] + move["rewards_vnd"]
    moved = move["branding_vnd"] - keep["branding_vnd"]
    assert 0 < moved <= d.facts["shortfall_vnd"] and moved % 1_000_000 == 0
    assert move["rewards_vnd"] >= d.facts["rewards_high_vnd"]
    assert move["fully_funded"] > keep["fully_funded"]
    assert o.loc["fund_need", "extra_vnd"] == d.facts["shortfall_vnd"] and o.loc["fund_need", "not_funded"] == 0


def test_no_envelope_decision_when_the_envelope_covers_the_need(model):
    p = Params({"draws": 2000, "co_financing_share": 0.05})
    kinds = {d.kind for d in model.results(p).decisions}
    assert "branding_envelope" not in kinds and "allocation_rule" not in kinds


def test_calendar_options_say_what_rerouting_costs(decisions):
    o = decisions["calendar"].options.set_index("option")
    assert o.loc["as_filed", "products_blocked"] == 153
    assert o.loc["rerouted", "products_blocked"] == 0 and o.loc["rerouted", "products_moved"] == 138
    assert o.loc["rerouted", "busiest_load"] == 172 and o.loc["rerouted", "sessions_needed"] == 6
    assert decisions["calendar"].recommended == "rerouted"


def test_recommendation_rule_is_lexicographic():
    import pandas as pd

    options = pd.DataFrame(
        {
            "option": ["a", "b", "c"],
            "not_funded": [3, 0, 0],
            "weighted_coverage": [0.99, 0.8, 0.9],
            "least_unit_share": [0.1, 0.9, 0.2],
        }
    )
    assert findings.recommend_rule(options) == "c"


def test_a_signer_sees_at_most_four_rules_and_the_reason_follows_from_them(decisions):
    d = decisions["allocation_rule"]
    o = d.options
    assert 2 <= len(o) <= findings.MAX_OPTIONS
    assert {d.current, d.recommended} <= set(o["option"])
    assert d.facts["reason"][0] == "not_funded"
    # the recommended rule is best on every criterion of its reason among those tied before it
    tied = o
    for criterion in d.facts["reason"]:
        best = tied[criterion].min() if criterion == "not_funded" else tied[criterion].max()
        assert tied.set_index("option").loc[d.recommended, criterion] == pytest.approx(best)
        tied = tied[tied[criterion] == best]


def test_the_reorganisations_calendar_is_not_for_the_plans_submission(decisions):
    assert findings.is_reorganisation(decisions["calendar"])
    kinds = {d.kind for d in findings.for_submission(tuple(decisions.values()))}
    assert kinds == {"allocation_rule", "branding_envelope", "late_reevaluations"}


def test_late_reevaluations_can_be_brought_forward_or_given_an_extra_round(decisions):
    d = decisions["late_reevaluations"]
    o = d.options.set_index("option")
    assert list(o.index) == ["bring_forward", "extra_round", "keep"]
    assert o.loc["keep", "lapsing"] == d.facts["late"] == o.loc["bring_forward", "products"] + d.facts["no_round"]
    assert o.loc["extra_round", "lapsing"] == d.facts["unreachable"] < o.loc["bring_forward", "lapsing"]
    assert o.loc["extra_round", "sittings"] >= 1 and d.recommended == "extra_round"


def test_a_council_over_capacity_gets_more_sessions_or_extra_rounds():
    model = compute.Model(loading.load_plan(DEFAULT_PLAN.parent.parent / "bac-ninh" / "2026"))
    d = next(
        x for x in model.results(Params({"draws": 1000, "products_per_session": 5})).decisions if x.kind == "calendar"
    )
    assert not findings.is_reorganisation(d) and d.facts["capacity_only"]
    o = d.options.set_index("option")
    assert list(o.index) == ["as_filed", "more_sessions", "extra_round"]
    assert o.loc["as_filed", "not_scored"] == o.loc["as_filed", "busiest_load"] - o.loc["as_filed", "capacity"] > 0
    assert o.loc["extra_round", "extra_rounds"] * o.loc["extra_round", "capacity"] >= o.loc["as_filed", "not_scored"]
    assert d.recommended == "extra_round"  # more than twice the planned sessions in one round


def test_a_capacity_only_calendar_decision_is_not_the_reorganisations():
    """Both calendar decisions share a kind; only one re-routes products blocked by a level gone."""
    import pandas as pd

    from ocop_helpers.model import findings

    capacity = findings.Decision("calendar", pd.DataFrame({"option": ["more_sessions"], "extra": [2]}), "x", "x", {})
    assert findings.reorganisation_calendar((capacity,)) is None
    blocked = findings.Decision(
        "calendar", pd.DataFrame({"option": ["as_filed"], "products_blocked": [3]}), "x", "x", {}
    )
    assert findings.reorganisation_calendar((capacity, blocked)) is blocked
