"""Allocation rules on hand-checked instances, their defining properties, the MILP, rounding, metrics."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from ocop_helpers.document import charts
from ocop_helpers.domain import allocation as al
from ocop_helpers.domain import labels

# the module (the package re-exports its function under the same name)
optimum_module = importlib.import_module("ocop_helpers.domain.allocation.optimum")
rules_module = importlib.import_module("ocop_helpers.domain.allocation.rules")
RULE_NAMES = list(al.RULES)
FULL_SPEND = [r for r in RULE_NAMES if r != "greedy"]


def random_claims(seed: int, draws: int = 30, n: int = 25) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    c = np.rint(rng.lognormal(np.log(40e6), 0.5, (draws, n)))
    c[:, 3] = 0.0  # an organisation with nothing to claim
    w = rng.integers(1, 6, n).astype(float)
    e = c.sum(axis=1) * rng.uniform(0.2, 1.1, draws)
    return c, w, e


# ------------------------------------------------------------------------ known answers


@pytest.mark.parametrize(
    ("envelope", "expected"),
    [
        (100, [100 / 3, 100 / 3, 100 / 3]),
        (200, [50, 75, 75]),
        (300, [50, 100, 150]),
        (400, [50, 125, 225]),
        (600, [100, 200, 300]),
    ],
)
def test_talmud_reproduces_the_classic_example(envelope: float, expected: list[float]) -> None:
    assert np.allclose(al.talmud([100, 200, 300], envelope), expected)


def test_equal_awards_is_water_filling() -> None:
    x = al.equal_awards([100, 200, 300], 400)
    assert np.allclose(x, [100, 150, 150])
    assert np.allclose(al.equal_awards([100, 200, 300], 150), [50, 50, 50])


def test_equal_losses_gives_equal_losses() -> None:
    c = np.array([100.0, 200.0, 300.0])
    x = al.equal_losses(c, 400)
    assert np.allclose(x, [100 / 3, 400 / 3, 700 / 3])
    assert np.allclose(al.equal_losses(c, 100), [0, 0, 100])  # losses capped at the claim
    assert np.allclose(c - x, (c - x)[0])


def test_cel_is_the_dual_of_cea() -> None:
    c, _, e = random_claims(1)
    total = c.sum(axis=1)
    e = np.minimum(e, total)
    assert np.allclose(al.equal_losses(c, e), c - al.equal_awards(c, total - e), atol=1e-4)


def test_proportional_gives_everyone_the_same_fraction() -> None:
    c, _, e = random_claims(2)
    x = al.proportional(c, e)
    has = c > 0
    frac = np.where(has, x / np.where(has, c, 1), np.nan)
    assert np.allclose(np.nanmax(frac, axis=1), np.nanmin(frac, axis=1))
    assert np.allclose(np.nanmax(frac, axis=1), np.minimum(1, e / c.sum(axis=1)))


def test_priority_funds_down_the_list_with_one_partial() -> None:
    assert np.allclose(al.priority_rule([100, 200, 300], 250, priority=[3, 2, 1]), [100, 150, 0])
    assert np.allclose(al.priority_rule([100, 200, 300], 250, priority=[1, 2, 3]), [0, 0, 250])
    assert np.allclose(al.priority_rule([100, 200, 300], 250), [100, 150, 0])  # input order by default


def test_greedy_takes_whole_claims_by_priority_per_dong() -> None:
    # densities 1/100, 5/200, 3/300: 2nd first (200), 3rd does not fit (150 left), 1st does
    assert np.allclose(al.greedy([100, 200, 300], 350, priority=[1, 5, 3]), [100, 200, 0])


def test_weighted_rules_known_answers() -> None:
    assert np.allclose(al.weighted_proportional([100, 100, 100], 150, weights=[1, 1, 2]), [37.5, 37.5, 75])
    assert np.allclose(al.weighted_equal_awards([10, 100, 100], 150, weights=[1, 1, 2]), [10, 140 / 3, 280 / 3])
    assert np.allclose(al.weighted_proportional([100, 100], 100, weights=[0, 1]), [0, 100])


def test_minimum_grant_drops_useless_partial_grants() -> None:
    # CEA on all three would give 83⅓ each; with a 90 minimum only two can be funded usefully
    x = al.equal_awards([100, 100, 100], 250, priority=[3, 2, 1], min_grant=90)
    assert np.allclose(x, [100, 100, 0])
    # the priority rule's last partial (50) is below 60: dropped and left unspent
    x = al.priority_rule([100, 100, 100], 250, priority=[3, 2, 1], min_grant=60)
    assert np.allclose(x, [100, 100, 0])


# ------------------------------------------------------------------------ properties


@pytest.mark.parametrize("name", RULE_NAMES)
def test_never_above_claim_or_envelope(name: str) -> None:
    c, w, e = random_claims(3)
    x = al.RULES[name](c, e, weights=w, priority=w)
    assert x.shape == c.shape
    assert (x >= -1e-9).all() and (x <= c + 1e-6).all()
    assert (x.sum(axis=1) <= e + 1e-3).all()


@pytest.mark.parametrize("name", FULL_SPEND)
def test_envelope_fully_used_when_claims_exceed_it(name: str) -> None:
    c, w, e = random_claims(4)
    x = al.RULES[name](c, e, weights=w + 1, priority=w)
    assert np.allclose(x.sum(axis=1), np.minimum(e, c.sum(axis=1)), rtol=1e-9, atol=1e-3)


@pytest.mark.parametrize("name", RULE_NAMES)
def test_everyone_paid_in_full_when_the_envelope_suffices(name: str) -> None:
    c, w, _ = random_claims(5)
    assert np.allclose(al.RULES[name](c, c.sum(axis=1) + 1, weights=w, priority=w), c)


@pytest.mark.parametrize("name", RULE_NAMES)
def test_draws_at_once_equal_draw_by_draw(name: str) -> None:
    c, w, e = random_claims(6, draws=8)
    together = al.RULES[name](c, e, weights=w, priority=w)
    one_by_one = np.array([al.RULES[name](c[i], e[i], weights=w, priority=w) for i in range(len(c))])
    assert np.allclose(together, one_by_one, atol=1e-6)


@pytest.mark.parametrize("name", [r for r in RULE_NAMES if r != "greedy"])
def test_minimum_grants_hold_for_every_draw(name: str) -> None:
    c, w, e = random_claims(7)
    x = al.RULES[name](c, e, weights=w, priority=w, min_grant=30e6, min_share=0.4)
    need = np.minimum(c, np.maximum(30e6, 0.4 * c))
    assert ((x <= 1e-6) | (x >= need - 1)).all()


def test_solve_rules_matches_each_rule() -> None:
    c, w, e = random_claims(8)
    together = al.solve_rules(c, e, weights=w, priority=w)
    assert set(together) == set(al.RULES)
    for name, x in together.items():
        assert np.allclose(x, al.RULES[name](c, e, weights=w, priority=w)), name


def test_greedy_matches_pabutools() -> None:
    # pabutools is a test dependency: a missing install fails here instead of skipping.
    from pabutools.election import Additive_Cardinal_Sat, CardinalBallot, CardinalProfile, Instance, Project
    from pabutools.rules import greedy_utilitarian_welfare

    rng = np.random.default_rng(9)
    for _ in range(5):
        c = np.rint(rng.uniform(10e6, 90e6, 30))
        w = rng.integers(1, 9, 30)
        e = int(0.6 * c.sum())
        projects = [Project(str(i), cost=int(v)) for i, v in enumerate(c)]
        inst = Instance(projects, budget_limit=e)
        profile = CardinalProfile(
            [CardinalBallot({p: int(u) for p, u in zip(projects, w, strict=False)})], instance=inst
        )
        chosen = sorted(int(p.name) for p in greedy_utilitarian_welfare(inst, profile, sat_class=Additive_Cardinal_Sat))
        assert np.flatnonzero(al.greedy(c, e, priority=w)).tolist() == chosen


@pytest.mark.parametrize("name", [*sorted(rules_module._PREFIX_RULES), *sorted(rules_module._AWARDS)])
@pytest.mark.parametrize(("min_grant", "min_share"), [(25e6, 0.0), (10e6, 0.4), (0, 0.6), (80e6, 0.0)])
def test_the_minimum_grant_shortcuts_give_the_search_by_running_the_rule(
    name: str, min_grant: float, min_share: float
) -> None:
    """Checking ``Σ a_i(max λ_i) <= E`` (or the priority list's first short grant) finds the same
    longest useful list as running the rule at every step, on claims with zeros and weights with zeros."""
    rng = np.random.default_rng(7)
    d, n = 30, 80
    c = np.rint(rng.lognormal(np.log(40e6), 0.7, (d, n)))
    c[:, ::9] = 0.0
    w = rng.integers(0, 6, n).astype(float)
    e = rng.uniform(0.2, 1.1, d) * c.sum(axis=1)
    core = rules_module._CORES[name]

    def run(cc: np.ndarray, ee: np.ndarray) -> np.ndarray:
        return core(cc, ee, w, w, None)

    searched = rules_module._with_min_grant(run, c, e, w, min_grant, min_share)
    fast = rules_module._with_min_grant(
        run,
        c,
        e,
        w,
        min_grant,
        min_share,
        award=rules_module._AWARDS.get(name),
        w=w,
        prefix=name in rules_module._PREFIX_RULES,
    )
    np.testing.assert_array_equal(fast, searched)
    assert (searched > 0).sum() > d, "some organisations are funded"


# ------------------------------------------------------------------------ MILP


def test_optimum_known_answer_with_minimum_grant() -> None:
    m = 1_000_000
    res = al.optimum(np.array([100, 100, 100]) * m, 150 * m, weights=[1, 1, 1], min_grant=60 * m)
    assert res.optimal
    assert res.coverage == pytest.approx(0.5)
    assert res.grants.sum() <= 150 * m
    assert ((res.grants == 0) | (res.grants >= 60 * m)).all()


@pytest.mark.parametrize(("min_grant", "min_share"), [(0, 0.0), (25e6, 0.3)])
def test_optimum_beats_every_heuristic_on_its_objective(min_grant: float, min_share: float) -> None:
    rng = np.random.default_rng(10)
    c = np.rint(rng.lognormal(np.log(40e6), 0.5, 60))
    w = rng.integers(1, 6, 60).astype(float)
    e = int(0.55 * c.sum())
    res = al.optimum(c, e, weights=w, min_grant=min_grant, min_share=min_share)
    assert res.grants.dtype == np.int64 and res.grants.sum() <= e and (res.grants <= c).all()
    for name, fn in al.RULES.items():
        x = fn(c, e, weights=w, priority=w, min_grant=min_grant, min_share=min_share)
        assert res.coverage >= al._coverage(c, x, w) - 1e-6, name


def _milp_without_reduction(c: np.ndarray, e: float, w: np.ndarray, floor: np.ndarray) -> float:
    """The optimum's objective from the whole model (every item semi-continuous, nothing fixed)."""
    res = optimize.milp(
        -w,
        constraints=optimize.LinearConstraint(c[None, :], -np.inf, e),
        integrality=np.full(c.size, 2),
        bounds=optimize.Bounds(floor, 1.0),
        options={"mip_rel_gap": 1e-9},
    )
    return float(-res.fun / w.sum())


@pytest.mark.parametrize("seed", range(6))
def test_the_reduction_fixes_only_what_the_bound_settles(seed: int) -> None:
    """Items fixed before the MILP never change its optimum, and on these claims many are fixed."""
    rng = np.random.default_rng(seed)
    n = 400
    c = np.rint(rng.lognormal(np.log(40e6), 0.6, n))
    w = rng.integers(1, 8, n).astype(float)
    e = int(rng.uniform(0.3, 0.8) * c.sum())
    min_grant = float(rng.choice([10e6, 30e6, 60e6]))
    floor = np.ceil(np.minimum(c, min_grant)) / c
    keep, funded = optimum_module._reduce(c / 1e6, w / w.max(), floor, e / 1e6)
    assert (~keep).sum() + funded.sum() > n // 10, "the reduction settles a good share of the items"
    res = al.optimum(c, e, weights=w, min_grant=min_grant)
    assert res.optimal
    assert res.coverage == pytest.approx(_milp_without_reduction(c / 1e6, e / 1e6, w, floor), abs=2e-6)
    assert res.grants[~keep].sum() == 0 and (res.grants[funded] >= np.ceil(floor * c)[funded] - 1).all()


def test_optimum_rejects_bad_parameters() -> None:
    with pytest.raises(ValueError, match="envelope"):
        al.optimum([1e6, 2e6], -1)
    with pytest.raises(ValueError, match="time_limit"):
        al.optimum([1e6, 2e6], 1e6, time_limit=0)


# ------------------------------------------------------------------------ bad parameters


def test_bad_parameters_are_rejected_with_clear_messages() -> None:
    with pytest.raises(ValueError, match="envelope.*không được âm"):
        al.proportional([1, 2], -5)
    with pytest.raises(ValueError, match="claims không được âm"):
        al.equal_awards([1, -2], 5)
    with pytest.raises(ValueError, match="min_share"):
        al.talmud([1, 2], 1, min_share=1.5)
    with pytest.raises(ValueError, match="min_grant"):
        al.talmud([1, 2], 1, min_grant=-1)
    with pytest.raises(ValueError, match="weights phải có 2 giá trị"):
        al.weighted_proportional([1, 2], 1, weights=[1, 2, 3])
    with pytest.raises(ValueError, match="Không có quy tắc phân bổ 'fair'"):
        al.get_rule("fair")


# ------------------------------------------------------------------------ rounding and frames


def test_round_grants_is_exact_and_within_claims() -> None:
    x = al.round_grants(np.array([100 / 3, 100 / 3, 100 / 3]), np.array([100, 100, 100]), 100)
    assert x.tolist() == [34, 33, 33]
    c, w, e = random_claims(11)
    e = np.floor(e)
    g = al.round_grants(al.equal_awards(c, e), c, np.minimum(e, c.sum(axis=1)))
    assert g.dtype == np.int64
    assert (g.sum(axis=1) == np.minimum(e, c.sum(axis=1))).all()
    assert ((g >= 0) & (g <= c)).all()


def org_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "organisation_id": ["A", "B", "C", "D", "E"],
            "unit_id": ["u1", "u1", "u1", "u2", "u2"],
            "organisation_type": ["cooperative", "household", "enterprise", "cooperative", "cooperative_group"],
            "target_star": pd.array([3, 4, 5, 3, 4], dtype="Int64"),
            "stream": ["new", "new", "upgrade", "reevaluation", "new"],
            "claim_vnd": np.array([50_000_001, 70_000_000, 120_000_000, 20_000_000, 33_333_333], dtype=np.int64),
        }
    )


@pytest.mark.parametrize("rule", [*RULE_NAMES, "optimum"])
def test_allocate_gives_whole_dong_that_add_up(rule: str) -> None:
    orgs = org_frame()
    envelope = 200_000_000
    out = al.allocate(orgs, envelope, rule)
    assert out["granted_vnd"].dtype == np.int64
    assert (out["granted_vnd"] <= out["claim_vnd"]).all() and (out["granted_vnd"] >= 0).all()
    if rule != "greedy":
        assert out["granted_vnd"].sum() == min(envelope, orgs["claim_vnd"].sum())
    assert set(out["status"]) <= {"full", "partial", "none"}
    assert "granted_vnd" not in orgs  # the input is not modified


def test_allocate_rejects_bad_parameters() -> None:
    with pytest.raises(ValueError, match="Không có quy tắc"):
        al.allocate(org_frame(), 100, "lottery")
    with pytest.raises(ValueError, match="không được âm"):
        al.allocate(org_frame(), -1, "proportional")
    with pytest.raises(ValueError, match="min_share"):
        al.AllocationParams(min_share=2)


def test_priority_scores_follow_the_weights() -> None:
    orgs = org_frame()
    s = al.priority_scores(orgs, al.PriorityWeights(unit_equity=0.0))
    # base 1 + star + stream + type
    assert s.tolist() == [1 + 1 + 1 + 1, 1 + 2 + 1 + 0.5, 1 + 3 + 1 + 0.5, 1 + 1 + 0.5 + 1, 1 + 2 + 1 + 1]
    eq = al.priority_scores(orgs, al.PriorityWeights(unit_equity=2.0)) - s
    assert eq.tolist() == [0, 0, 0, 2, 2]  # u2 has fewer claimants than u1
    w = al.PriorityWeights.from_mapping({"star": {5: 10}, "unit_equity": 0})
    assert w.star[5] == 10 and w.star[3] == 1.0
    with pytest.raises(ValueError, match="không âm"):
        al.PriorityWeights(star={3: -1.0})
    with pytest.raises(ValueError, match="không rõ"):
        al.PriorityWeights.from_mapping({"size": 1})


def test_distribute_to_items_is_exact_per_organisation() -> None:
    items = pd.DataFrame(
        {
            "organisation_id": ["A", "A", "A", "B"],
            "claim_vnd": np.array([10_000_001, 20_000_000, 30_000_000, 5], dtype=np.int64),
        }
    )
    alloc = pd.DataFrame({"organisation_id": ["A", "B"], "granted_vnd": np.array([33_333_333, 4], dtype=np.int64)})
    out = al.distribute_to_items(items, alloc)
    assert out["granted_vnd"].dtype == np.int64
    assert out.groupby("organisation_id")["granted_vnd"].sum().tolist() == [33_333_333, 4]
    assert (out["granted_vnd"] <= items["claim_vnd"]).all()
    with pytest.raises(ValueError, match="không có trong kết quả"):
        al.distribute_to_items(items, alloc.iloc[:1])


# ------------------------------------------------------------------------ metrics


def test_gini_known_values() -> None:
    assert al.gini(np.array([1.0, 1.0, 1.0])) == pytest.approx(0.0)
    assert al.gini(np.array([0.0, 0.0, 0.0, 1.0])) == pytest.approx(0.75)
    assert al.gini(np.array([0.0, 1.0])) == pytest.approx(0.5)


def test_metrics_of_a_hand_made_allocation() -> None:
    frame = pd.DataFrame(
        {
            "organisation_id": ["A", "B", "C"],
            "unit_id": ["u1", "u1", "u2"],
            "organisation_type": ["cooperative", "household", "cooperative"],
            "claim_vnd": [100, 200, 100],
            "granted_vnd": [100, 50, 0],
            "priority_score": [1.0, 1.0, 2.0],
        }
    )
    m = al.metrics(frame, 200, optimum_coverage=0.6)
    assert (m.fully_funded, m.partly_funded, m.not_funded) == (1, 1, 1)
    assert m.share_funded == pytest.approx(150 / 400)
    assert m.unspent_vnd == 50
    assert m.weighted_coverage == pytest.approx((1 * 1 + 1 * 0.25 + 2 * 0) / 4)
    assert m.gap_to_optimum == pytest.approx(0.6 - m.weighted_coverage)
    assert m.by_unit.set_index("unit_id")["funded_share"].to_dict() == pytest.approx({"u1": 0.5, "u2": 0.0})
    assert m.lowest_unit_coverage == 0.0 and m.highest_unit_coverage == 0.5
    assert m.gini_funded_share == pytest.approx(al.gini(np.array([1.0, 0.25, 0.0])))


def test_coverage_by_equals_a_pandas_group_by() -> None:
    """The numpy sums per unit or type equal pandas' group-by, sorted by key, a missing key left out."""
    rng = np.random.default_rng(3)
    n = 200
    frame = pd.DataFrame(
        {
            "organisation_id": [f"o{i}" for i in range(n)],
            "unit_id": rng.choice(["u3", "u1", "u2", None], n),
            "organisation_type": rng.choice(["household", "cooperative"], n),
            "claim_vnd": rng.choice([0, 40_000_000, 75_000_000], n).astype(np.int64),
        }
    )
    frame["granted_vnd"] = (frame["claim_vnd"] * rng.choice([0.0, 0.5, 1.0], n)).astype(np.int64)
    for key in ("unit_id", "organisation_type"):
        got = al.coverage_by(frame, key)
        g = frame.assign(funded=frame["granted_vnd"] > 0).groupby(key, sort=True)
        want = g.agg(
            organisations=("organisation_id", "size"),
            funded=("funded", "sum"),
            claim_vnd=("claim_vnd", "sum"),
            granted_vnd=("granted_vnd", "sum"),
        ).reset_index()
        assert list(got[key]) == list(want[key])
        for col in ("organisations", "funded", "claim_vnd", "granted_vnd"):
            assert got[col].tolist() == want[col].astype(np.int64).tolist(), col
        claimed = want["claim_vnd"] > 0
        share = np.where(claimed, want["granted_vnd"] / want["claim_vnd"].where(claimed, 1), 1.0)
        assert got["funded_share"].tolist() == pytest.approx(share.tolist())
    assert al.coverage_by(frame, "unit_id")["organisations"].sum() == frame["unit_id"].notna().sum() < n


def test_draw_metrics_agree_with_frame_metrics() -> None:
    orgs = org_frame()
    out = al.allocate(orgs, 150_000_000, "equal_awards")
    m = al.metrics(out, 150_000_000)
    d = al.draw_metrics(
        orgs["claim_vnd"].to_numpy(float),
        out["granted_vnd"].to_numpy(float),
        150_000_000,
        out["priority_score"].to_numpy(),
        pd.factorize(orgs["unit_id"])[0],
    )
    assert d["fully_funded"][0] == m.fully_funded and d["not_funded"][0] == m.not_funded
    assert d["weighted_coverage"][0] == pytest.approx(m.weighted_coverage)
    assert d["gini_funded_share"][0] == pytest.approx(m.gini_funded_share)
    assert d["lowest_unit_coverage"][0] == pytest.approx(m.lowest_unit_coverage)


def test_evaluate_draws_shortcuts_match_the_general_metrics() -> None:
    c, w, e = random_claims(12)
    c[:, 3] = 1e6  # the Gini shortcuts apply when every organisation has a claim
    units = np.arange(c.shape[1]) % 4
    ev = al.evaluate_draws(c, e, weights=w, priority=w, unit_codes=units, keep_grants=True)
    for name, m in ev.items():
        ref = al.draw_metrics(c, m["grants"], e, w, units)
        for key, values in ref.items():
            assert np.allclose(values, m[key], atol=1e-9), (name, key)


def test_compare_rules_reports_the_gap_to_the_optimum() -> None:
    long, table = al.compare_rules(org_frame(), 150_000_000)
    assert set(table.index) == {*RULE_NAMES, "optimum"}
    assert (table["gap_to_optimum"].astype(float) >= -1e-9).all()
    assert table.loc["optimum", "gap_to_optimum"] == pytest.approx(0.0)
    assert len(long) == len(org_frame()) * (len(RULE_NAMES) + 1)


def test_every_rule_documents_name_definition_and_reference() -> None:
    for name in [*RULE_NAMES, "optimum"]:
        d = al.rule_description(name)
        assert d["name"] and d["definition"] and d["reference"], name


# ------------------------------------------------------------------------ charts


def test_allocation_charts_build_specs() -> None:
    long, _ = al.compare_rules(org_frame(), 150_000_000)
    long = long.assign(rule_label=long["rule"].map(labels.allocation_rule))
    spec = charts.grants_by_organisation_chart(long).to_dict()
    line = spec["layer"][1]
    assert line["mark"]["type"] == "line" and line["encoding"]["color"]["field"] == "rule_label"
    assert "hỗ trợ" in spec["title"]["text"]
    status = long.groupby(["rule_label", "status"]).size().rename("organisations").reset_index()
    status["status_label"] = status["status"]
    assert charts.funding_status_chart(status).to_dict()["mark"]["type"] == "bar"
    cov = long.groupby(["unit_id", "rule_label"])[["claim_vnd", "granted_vnd"]].sum().reset_index()
    cov["funded_share"] = cov["granted_vnd"] / cov["claim_vnd"]
    cov["unit_name"] = cov["unit_id"]
    spec = charts.coverage_by_unit_chart(cov).to_dict()
    assert spec["encoding"]["x"]["field"] == "funded_share"


def test_optimum_falls_back_to_the_best_rule_when_the_solver_finds_nothing(monkeypatch) -> None:
    """HiGHS can return no point within the time limit (presolve on very large models): the
    optimum then takes the rule with the best weighted coverage, and says so."""
    import sys
    from types import SimpleNamespace

    module = sys.modules["ocop_helpers.domain.allocation.optimum"]
    monkeypatch.setattr(
        module.optimize, "milp", lambda *a, **k: SimpleNamespace(x=None, status=1, message="Time limit reached")
    )
    c = org_frame()["claim_vnd"].to_numpy(dtype=float)
    w = np.array([1.0, 2.0, 1.0, 3.0, 1.0])
    res = al.optimum(c, 150_000_000, weights=w, min_grant=10_000_000)
    assert not res.optimal and res.status.startswith("fallback: ") and "Time limit" in res.status
    assert res.grants.sum() <= 150_000_000 and (res.grants <= c + 0.5).all()
    assert ((res.grants == 0) | (res.grants >= 10_000_000 - 1)).all()  # the optimum's own 1-đồng tolerance
    best = max(
        al._coverage(c, rule(c, 150_000_000.0, weights=w, priority=w, min_grant=10_000_000), w)
        for rule in al.RULES.values()
    )
    assert res.coverage == pytest.approx(best, abs=1e-6)


def test_package_keeps_the_flat_module_api() -> None:
    """allocation became a package (rules, optimum, metrics, uncertainty, frames); the old names remain."""
    import inspect

    for name in ("allocate", "compare_rules", "metrics", "optimum", "lorenz_points", "distribute_to_items"):
        assert inspect.isfunction(getattr(al, name)), name
    assert {"rules", "optimum", "metrics", "uncertainty", "frames"} <= {
        m.split(".")[-1] for m in __import__("sys").modules if m.startswith("ocop_helpers.domain.allocation.")
    }
    assert al.PriorityWeights is al.rules.PriorityWeights
    assert isinstance(al.RULES, dict) and al.AllocationParams().milp_time_limit > 0
