"""Monte Carlo: reproducibility, degenerate cases with known answers, agreement with the analytic mean."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ocop_helpers.document import charts
from ocop_helpers.domain import allocation, budget, claims
from ocop_helpers.domain import simulation as sim
from ocop_helpers.inputs import loading

M = 1_000_000


def norms() -> pd.DataFrame:
    rows = [
        ("trademark", None, None, 20 * M, 1.0),
        ("packaging", None, 3, 30 * M, 0.5),
        ("packaging", None, 4, 50 * M, 0.5),
        ("packaging", None, 5, 100 * M, 0.5),
        ("reward", "first", 3, 50 * M, None),
        ("reward", "first", 4, 150 * M, None),
        ("reward", "kept", 3, 20 * M, None),
        ("reward", "upgraded", 4, 150 * M, None),
        ("reward", "reevaluated", 4, 60 * M, None),
    ]
    f = pd.DataFrame(rows, columns=["line", "case", "star", "amount_vnd", "share"])
    f["star"] = f["star"].astype("Int64")
    f["share"] = f["share"].astype("Float64")
    f["valid_from"] = pd.Timestamp("2024-01-01")
    f["valid_to"] = pd.NaT
    return f


def products() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product_id": ["P1", "P2", "P3", "P4", "P5"],
            "organisation_id": ["A", "A", "B", "C", "D"],
            "unit_id": ["u1", "u1", "u2", "u2", "u2"],
            "stream": ["new", "upgrade", "new", "reevaluation", "new"],
            "current_star": pd.array([None, 3, None, 4, None], dtype="Int64"),
            "target_star": pd.array([3, 4, 4, 4, 3], dtype="Int64"),
        }
    )


def inputs() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    orgs = pd.DataFrame(
        {
            "organisation_id": list("ABCD"),
            "unit_id": ["u1", "u2", "u2", "u2"],
            "organisation_type": ["cooperative", "household", "enterprise", "cooperative"],
        }
    )
    req = pd.DataFrame(
        {
            "request_id": [f"R{i}" for i in range(6)],
            "organisation_id": ["A", "A", "B", "B", "C", "D"],
            "item": ["trademark", "packaging", "trademark", "packaging", "packaging", "packaging"],
            "product_id": [None, "P1", None, "P3", "P4", "P5"],
            "cost_vnd": np.array([30, 50, 15, 120, 80, 40], dtype=np.int64) * M,
        }
    ).astype({"product_id": "str"})
    items = claims.item_claims(req, products(), orgs, norms())
    return items, claims.organisation_claims(items), products()


def lines(rewards: int = 300 * M, branding: int = 100 * M) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "line": ["rewards", "branding", "councils", "promotion", "training"],
            "amount_vnd": np.array([rewards, branding, 50 * M, 40 * M, 10 * M], dtype=np.int64),
        }
    )


def run(**kw: object) -> sim.SimulationResult:
    items, oc, prods = inputs()
    params = kw.pop(
        "params", sim.SimulationParams(draws=2_000, seed=7, pass_rate={"new": 0.7, "reevaluation": 0.9, "upgrade": 0.5})
    )
    return sim.simulate(items, oc, prods, norms(), kw.pop("budget_lines", lines()), params=params, **kw)


def test_same_seed_same_numbers_and_another_seed_differs() -> None:
    a, b = run(), run()
    assert a.line_draws.equals(b.line_draws)
    assert a.rule_summary.equals(b.rule_summary)
    assert a.line_summary.equals(b.line_summary)
    c = run(params=sim.SimulationParams(draws=2_000, seed=8))
    assert not a.line_draws.equals(c.line_draws)


def test_certain_outcomes_give_the_norms_exactly() -> None:
    p = sim.SimulationParams(
        draws=50,
        seed=1,
        cost_sigma=0,
        common_cost_sigma=0,
        pass_rate={"new": 1, "reevaluation": 1, "upgrade": 1},
        target_rate=1,
    )
    r = run(params=p)
    # P1 first 3★ 50 + P2 upgraded 4★ 150 + P3 first 4★ 150 + P4 re-evaluated 4★ 60 + P5 first 3★ 50
    assert (r.line_draws["rewards"] == 460 * M).all()
    items, _, _ = inputs()
    assert np.allclose(r.line_draws["branding_need"], items["claim_vnd"].sum(), atol=1)
    assert r.recognised.set_index("star")["p50"].to_dict() == {3: 2, 4: 3, 5: 0}


def test_nothing_passes_and_failed_upgrades_keep_their_star() -> None:
    p = sim.SimulationParams(draws=50, seed=1, pass_rate={"new": 0, "reevaluation": 0, "upgrade": 0}, kept_rate=1)
    r = run(params=p)
    assert (r.line_draws["rewards"] == 20 * M).all()  # only P2: upgrade failed, 3★ kept


def test_mean_reward_agrees_with_the_analytic_expectation() -> None:
    p = sim.SimulationParams(draws=20_000, seed=3)
    r = run(params=p)
    exp = budget.expected_rewards(products(), norms(), p.pass_rate, p.target_rate, p.kept_rate)
    assert r.line_draws["rewards"].mean() == pytest.approx(exp["expected_vnd"].sum(), rel=0.02)


def test_overrun_probability_and_branding_capped_at_the_envelope() -> None:
    r = run(budget_lines=lines(rewards=1, branding=1))
    assert r.prob_overrun == 1.0 and r.prob_rationing == 1.0
    assert (r.line_draws["branding"] == 1).all()
    r = run(budget_lines=lines(rewards=10_000 * M, branding=10_000 * M))
    assert r.prob_overrun == 0.0 and r.prob_rationing == 0.0
    s = r.line_summary.set_index("line")
    assert s.loc["total", "planned_vnd"] == 20_100 * M
    assert s.loc["rewards", "p10_vnd"] <= s.loc["rewards", "p50_vnd"] <= s.loc["rewards", "p90_vnd"]


def test_rule_distributions_cover_every_rule_and_metric() -> None:
    r = run()
    assert set(r.rule_summary["rule"]) == set(allocation.RULES)
    flips = r.rule_summary.query("metric == 'flips'").set_index("rule")["p50"]
    assert flips["proportional"] == 0 and flips["equal_awards"] == 0
    cov = r.rule_summary.query("metric == 'weighted_coverage'")
    assert ((cov["p10"] <= cov["p50"]) & (cov["p50"] <= cov["p90"]) & (cov["p90"] <= 1 + 1e-9)).all()
    assert len(r.rule_draws) == 2_000 * len(allocation.RULES)
    assert r.organisation_funding["prob_funded"].between(0, 1).all()


def test_organisation_cap_applies_to_each_draw() -> None:
    items, oc, _ = inputs()
    mult = np.full((3, len(items)), 2.0)
    c = sim.claims_per_draw(items, oc, mult, organisation_cap_vnd=60 * M)
    assert c.shape == (3, len(oc)) and c.max() <= 60 * M
    uncapped = sim.claims_per_draw(items, oc, np.ones((1, len(items))))
    assert np.allclose(uncapped[0], oc["claim_vnd"].to_numpy())


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"draws": 0}, "draws"),
        ({"cost_sigma": -0.1}, "cost_sigma"),
        ({"pass_rate": {"new": 1.2}}, "0–1"),
        ({"pass_rate": {"fresh": 0.5}}, "không rõ"),
        ({"target_rate": -0.5}, "0–1"),
    ],
)
def test_bad_parameters_are_rejected(kw: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sim.SimulationParams(**kw)


def test_unknown_rule_and_negative_envelope_are_rejected() -> None:
    with pytest.raises(ValueError, match="Không có quy tắc"):
        run(rules=["lottery"])
    with pytest.raises(ValueError, match="không được âm"):
        run(envelope_vnd=-1)


def test_simulation_charts_build_specs() -> None:
    r = run()
    summary = r.line_summary.assign(label=r.line_summary["line"])
    spec = charts.simulation_interval_chart(summary).to_dict()
    assert len(spec["layer"]) == 3 and "mô phỏng" in spec["title"]["text"]
    spec = charts.simulation_histogram_chart(r.line_draws, "total", r.plan_total_vnd).to_dict()
    # bins counted in pandas: 40 rows (not one per draw), every draw counted once
    bins = pd.DataFrame(next(iter(spec["datasets"].values())))
    assert len(bins) == 40 and bins["count"].sum() == len(r.line_draws)
    assert spec["layer"][0]["encoding"]["x2"]["field"] == "bin_end"
    cov = r.rule_summary.query("metric == 'weighted_coverage'").assign(rule_label=lambda f: f["rule"])
    spec = charts.rule_coverage_chart(cov).to_dict()
    assert spec["layer"][0]["encoding"]["x2"]["field"] == "p90"


@pytest.mark.parametrize("chunk", [1, 7, 333])
def test_chunked_draws_give_the_results_of_one_block(chunk: int) -> None:
    """Chunks of draws (the memory bound at national scale) draw the same random numbers in the
    same order: spending and counts per draw are identical; rule metrics (sums and matrix products
    over a different block shape) and per-organisation means equal to floating-point rounding."""
    whole = run(chunk_draws=2_000)
    parts = run(chunk_draws=chunk)
    for name in ("line_draws", "line_summary", "recognised"):
        pd.testing.assert_frame_equal(getattr(whole, name), getattr(parts, name), check_exact=True)
    for name in ("rule_summary", "rule_draws"):
        pd.testing.assert_frame_equal(getattr(whole, name), getattr(parts, name), check_exact=False, rtol=1e-12)
    assert whole.prob_overrun == parts.prob_overrun and whole.prob_rationing == parts.prob_rationing
    a, b = whole.organisation_funding, parts.organisation_funding
    assert a[["rule", "organisation_id", "prob_funded"]].equals(b[["rule", "organisation_id", "prob_funded"]])
    np.testing.assert_allclose(a["mean_funded_share"], b["mean_funded_share"], rtol=1e-12, atol=1e-15)


def test_reward_draws_do_not_depend_on_the_chunk_size() -> None:
    p = sim.SimulationParams(draws=501, seed=3)
    one = sim.reward_draws(products(), norms(), p, np.random.default_rng(3))
    many = sim.reward_draws(products(), norms(), p, np.random.default_rng(3), chunk_draws=50)
    assert np.array_equal(one[0], many[0]) and np.array_equal(one[1], many[1])


def test_chunk_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="chunk_draws"):
        run(chunk_draws=0)


def test_default_plan_figures_are_those_of_the_unchunked_version() -> None:
    """The default plan with seed 1 and 10,000 draws gives the figures the one-block Monte Carlo gave
    before chunking (values recorded from that version, 3/12/2026)."""
    from ocop_helpers.core import paths
    from ocop_helpers.core.dated import norms_in_force

    plan = loading.load_plan(paths.DEFAULT_PLAN_DIR)
    in_force = norms_in_force(plan.norms, pd.Timestamp(plan.year, 1, 1)).reset_index(drop=True)
    items = claims.item_claims(plan.requests, plan.products, plan.organisations, in_force)
    r = sim.simulate(
        items,
        claims.organisation_claims(items),
        plan.products,
        in_force,
        plan.budget_lines,
        plan_total_vnd=plan.targets.budget_total_vnd,
    )
    lines = r.line_summary.set_index("line")[["p10_vnd", "p50_vnd", "p90_vnd"]]
    assert lines.loc["rewards"].tolist() == [7_940_000_000, 8_660_000_000, 9_430_000_000]
    assert lines.loc["branding_need"].tolist() == [6_370_335_782, 6_572_094_586, 6_707_511_946]
    assert lines.loc["total"].tolist() == [18_640_000_000, 19_360_000_000, 20_130_000_000]
    coverage = r.rule_summary.query("metric == 'weighted_coverage'").set_index("rule")["p50"]
    assert coverage["priority"] == pytest.approx(0.78654385037, abs=1e-11)
    assert coverage["equal_awards"] == pytest.approx(0.847578129617, abs=1e-11)
    assert coverage["greedy"] == pytest.approx(0.87192224622, abs=1e-11)
    assert r.prob_overrun == 0.0042
