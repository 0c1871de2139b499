"""Whole-plan budget: lines that add up, overrides, reward norms, planned vs simulated need."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ocop_helpers.domain import budget, labels

M = 1_000_000


def lines() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "line": ["branding", "rewards", "councils", "promotion", "training"],
            "amount_vnd": np.array([5200, 9000, 2600, 2700, 1400], dtype=np.int64) * M,
            "source": ["s"] * 5,
        }
    )


def reward_norms(duplicate: bool = False) -> pd.DataFrame:
    rows = [
        ("first", 3, 50),
        ("first", 4, 150),
        ("first", 5, 300),
        ("kept", 3, 20),
        ("kept", 4, 60),
        ("upgraded", 4, 150),
        ("upgraded", 5, 300),
        ("reevaluated", 4, 60),
    ]
    if duplicate:
        rows.append(("first", 3, 8))
    f = pd.DataFrame(rows, columns=["case", "star", "amount_vnd"])
    f["amount_vnd"] = f["amount_vnd"].astype(np.int64) * M
    f["star"] = f["star"].astype("Int64")
    f["line"] = "reward"
    f["valid_from"] = pd.Timestamp("2024-01-01")
    f["valid_to"] = pd.NaT
    return f


def test_plan_lines_add_up_with_shares_and_labels() -> None:
    out = budget.plan_lines(lines(), total_vnd=20_900 * M)
    assert out["line"].tolist() == list(budget.BUDGET_LINES)  # in the standard order
    assert out["amount_vnd"].sum() == 20_900 * M and out["amount_vnd"].dtype == np.int64
    assert out["share"].sum() == pytest.approx(1.0)
    assert "label" not in out, "domain frames hold codes; labels are added at the edge"
    assert labels.budget_line("branding").startswith("Hỗ trợ nhãn hiệu")


def test_lines_that_do_not_add_up_are_rejected() -> None:
    with pytest.raises(ValueError, match="khác tổng kinh phí"):
        budget.plan_lines(lines(), total_vnd=21_000 * M)


def test_amount_and_share_overrides() -> None:
    out = budget.plan_lines(lines(), amounts={"branding": 6_000 * M})
    assert out.set_index("line").loc["branding", "amount_vnd"] == 6_000 * M
    assert out["amount_vnd"].sum() == 21_700 * M
    shares = {"rewards": 0.5, "branding": 0.2, "councils": 0.1, "promotion": 0.1, "training": 0.1}
    out = budget.plan_lines(lines(), total_vnd=20_900 * M + 1, shares=shares)
    assert out["amount_vnd"].sum() == 20_900 * M + 1  # exact to the đồng after rounding
    assert out.set_index("line").loc["rewards", "share"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"amounts": {"gifts": 1}}, "không rõ"),
        ({"amounts": {"branding": -1}}, "không được âm"),
        ({"shares": {"branding": 1.5}, "total_vnd": 10}, "0–1"),
        ({"shares": {"branding": 0.6, "rewards": 0.6}, "total_vnd": 10}, "vượt 100%"),
        ({"shares": {"branding": 0.5}}, "total_vnd"),
    ],
)
def test_bad_overrides_are_rejected(kw: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        budget.plan_lines(lines(), **kw)


def test_reward_table_from_the_norms() -> None:
    t = budget.reward_table(reward_norms())
    assert t.shape == (4, 6)
    assert t[budget.REWARD_CASES.index("first"), 4] == 150 * M
    assert t[budget.REWARD_CASES.index("kept"), 3] == 20 * M
    assert t[budget.REWARD_CASES.index("reevaluated"), 3] == 0  # no norm: no reward
    with pytest.raises(ValueError, match="trùng"):
        budget.reward_table(reward_norms(duplicate=True))
    with pytest.raises(ValueError, match="Không có định mức thưởng"):
        budget.reward_table(reward_norms().assign(line="trademark"))


def test_expected_rewards_by_hand() -> None:
    products = pd.DataFrame(
        {
            "stream": ["new", "new", "upgrade", "reevaluation"],
            "current_star": pd.array([None, None, 3, 4], dtype="Int64"),
            "target_star": pd.array([3, 4, 4, 4], dtype="Int64"),
        }
    )
    exp = budget.expected_rewards(
        products, reward_norms(), {"new": 0.5, "upgrade": 0.4, "reevaluation": 0.9}, target_rate=0.8, kept_rate=0.5
    ).set_index("stream")["expected_vnd"]
    # new: 0.5·50 + 0.5·(0.8·150 + 0.2·50); upgrade: 0.4·150 + 0.6·0.5·20; re-evaluation: 0.9·60
    assert exp["new"] == 90 * M
    assert exp["upgrade"] == 66 * M
    assert exp["reevaluation"] == 54 * M


def test_budget_comparison_planned_vs_need() -> None:
    planned = budget.plan_lines(lines(), total_vnd=20_900 * M)
    need = pd.DataFrame(
        {
            "line": ["rewards", "branding", "total"],
            "mean_vnd": [12_000 * M, 5_200 * M, 23_900 * M],
            "p10_vnd": [11_000 * M, 5_200 * M, 22_900 * M],
            "p50_vnd": [12_000 * M, 5_200 * M, 23_900 * M],
            "p90_vnd": [13_000 * M, 5_200 * M, 24_900 * M],
            "prob_over_planned": [0.99, 0.0, 0.98],
        }
    )
    out = budget.budget_comparison(planned, need, branding_granted_vnd=5_199 * M).set_index("line")
    assert out.loc["rewards", "gap_p50_vnd"] == 3_000 * M
    assert out.loc["councils", "p90_vnd"] == 2_600 * M  # not simulated: as planned
    assert out.loc["total", "planned_vnd"] == 20_900 * M and out.loc["total", "p50_vnd"] == 23_900 * M
    assert out.loc["total", "prob_over_planned"] == 0.98
    assert out.loc["branding", "granted_vnd"] == 5_199 * M
    assert out.drop("total")["need_share_p50"].sum() == pytest.approx(1.0)
