"""Outcome targets by Monte Carlo: means that agree with the stock projection, fixed results that
stay fixed, and chances that move the right way."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ocop_helpers.domain.outcomes import outcome_draws
from ocop_helpers.inputs.plan import OutcomeTarget


def _products() -> pd.DataFrame:
    rows = []
    for i in range(40):
        stream = "new" if i < 30 else ("reevaluation" if i < 37 else "upgrade")
        rows.append(
            {
                "product_id": f"p{i}",
                "organisation_id": f"o{i // 2}",
                "unit_id": "u1" if i % 2 else "u2",
                "stream": stream,
                "current_star": pd.NA if stream == "new" else 3,
                "target_star": 4 if i % 5 == 0 else 3,
            }
        )
    frame = pd.DataFrame(rows)
    frame["current_star"] = frame["current_star"].astype("Int64")
    return frame


ORGS = pd.DataFrame(
    {"organisation_id": [f"o{i}" for i in range(20)], "organisation_type": ["cooperative", "enterprise"] * 10}
)
RATES = {"new": 0.5, "reevaluation": 0.9, "upgrade": 0.5}
TARGETS = (
    OutcomeTarget("stock", "stock", 100, "x"),
    OutcomeTarget("rec3", "recognised", 15, "x"),
    OutcomeTarget("rec4", "recognised", 3, "x", star=4, or_higher=False),
    OutcomeTarget("units", "per_unit", 5, "x"),
    OutcomeTarget("share", "share_registered", 0.5, "x"),
    OutcomeTarget("coop", "share_organisation_type", 0.4, "x", organisation_type="cooperative"),
    OutcomeTarget("centre", "centre_candidates", 1, "x"),
)


def _run(**kw):
    args = dict(target_rate=0.8, stock_base=90.0, draws=4000, seed=3)
    args.update(kw)
    return outcome_draws(_products(), ORGS, ["u1", "u2"], TARGETS, RATES, **args)


def test_means_agree_with_the_expected_values() -> None:
    f = _run().table.set_index("target_id")
    # stock: 90 + 30 × 0,5 new − 7 × 0,1 failed re-evaluations
    assert f.loc["stock", "expected"] == pytest.approx(90 + 15 - 0.7, abs=0.3)
    # every pass is recognised at ≥3★: 30 × 0,5 + 7 × 0,9 + 3 × 0,5
    assert f.loc["rec3", "expected"] == pytest.approx(15 + 6.3 + 1.5, abs=0.3)
    assert f.loc["centre", "expected"] == 0  # no product aims at 5★
    assert f.loc["centre", "chance"] == 0
    assert 0 < f.loc["rec3", "chance"] < 1


def test_same_seed_same_numbers_and_another_seed_differs() -> None:
    a, b, c = _run().table, _run().table, _run(seed=4).table
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_fixed_results_are_the_same_in_every_draw() -> None:
    fixed = {f"p{i}": 3 for i in range(30)}  # every new product recognised at 3★
    f = _run(fixed=fixed).table.set_index("target_id")
    assert f.loc["rec4", "realised"] == 0
    assert f.loc["rec3", "realised"] == 30
    # stock: the 30 new products are in for sure; only re-evaluations still vary
    assert f.loc["stock", "p10"] >= 90 + 30 - 7
    failed = _run(fixed={f"p{i}": 0 for i in range(30)}).table.set_index("target_id")
    assert failed.loc["stock", "expected"] == pytest.approx(90 - 0.7, abs=0.3)
    assert failed.loc["rec3", "chance"] == 0  # at most 10 other products can pass


def test_fixing_one_result_leaves_the_other_products_draws_alone() -> None:
    # p0 fixed as recognised: in each draw the count moves by at most one
    a = _run(draws=500).table.set_index("target_id")
    b = _run(draws=500, fixed={"p0": 4}).table.set_index("target_id")
    assert abs(b.loc["rec3", "expected"] - a.loc["rec3", "expected"]) <= 1


def test_products_with_no_round_left_are_not_recognised() -> None:
    unheld = [f"p{i}" for i in range(40)]
    f = _run(unheld=unheld).table.set_index("target_id")
    assert f.loc["rec3", "expected"] == 0
    assert f.loc["stock", "expected"] == pytest.approx(90 - 7)  # every re-evaluation lapses


def test_per_unit_reports_each_unit_and_its_chance() -> None:
    out = _run()
    units = out.units.set_index("unit_id")
    assert list(units.index) == ["u1", "u2"]
    assert units["expected"].sum() == pytest.approx(out.table.set_index("target_id").loc["rec3", "expected"], abs=1e-9)
    assert ((units["chance"] >= 0) & (units["chance"] <= 1)).all()


def test_the_share_of_cooperatives_is_between_zero_and_one() -> None:
    f = _run().table.set_index("target_id")
    assert 0.3 < f.loc["coop", "expected"] < 0.7
    assert np.isfinite(f.loc["share", "expected"])
