"""Stock projection and the certificate-expiry pipeline."""

from __future__ import annotations

import pandas as pd
import pytest

from ocop_helpers.domain.stock import (
    certificate_expiry,
    cohort_due_from_history,
    expiry_by_year,
    expiry_pipeline,
    expiry_stock_effect,
    project_stock,
    start_stock,
    stock_at,
    stock_sensitivity,
)
from tests.support.frames import TERMS


@pytest.fixture()
def history() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2021-12-31", "2022-12-31", "2023-12-31", "2024-12-31", "2025-03-01"]),
            "total": pd.array([100, 120, 150, 200, 210], dtype="Int64"),
        }
    )
    frame["source"] = "test"
    return frame


def _products() -> pd.DataFrame:
    rows = [
        ("n1", "new", None, 3, None),
        ("n2", "new", None, 3, None),
        ("n3", "new", None, 4, None),
        ("n4", "new", None, 3, None),
        ("r1", "reevaluation", 3, 3, "2022-05-10"),  # due in 2025 (10/5/2025)
        ("r2", "reevaluation", 3, 3, "2021-11-20"),  # expired before 2025 (20/11/2024)
        ("r3", "reevaluation", 4, 4, "2023-02-01"),  # due 2026: not due in the plan year
        ("u1", "upgrade", 3, 4, "2024-08-15"),  # due 2027
    ]
    frame = pd.DataFrame(rows, columns=["product_id", "stream", "current_star", "target_star", "certificate_date"])
    frame["certificate_date"] = pd.to_datetime(frame["certificate_date"])
    frame["current_star"] = frame["current_star"].astype("Int64")
    frame["target_star"] = frame["target_star"].astype("Int64")
    frame["unit_id"] = "U1"
    return frame


def _rounds() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "round": [1, 1, 2],
            "level": ["district", "province", "province"],
            "deadline": pd.to_datetime(["2025-06-15", "2025-07-10", "2025-10-30"]),
        }
    )


def test_start_stock_is_latest_row_before_the_year(history: pd.DataFrame) -> None:
    assert start_stock(history, 2025) == (pd.Timestamp("2024-12-31"), 200)
    assert stock_at(history, "2025-06-30")[1] == 210
    with pytest.raises(LookupError):
        start_stock(history, 2021)


def test_certificate_expiry_flags(history: pd.DataFrame) -> None:
    table = certificate_expiry(_products(), 2025, **TERMS).set_index("product_id")
    assert table.loc["r1", "expiry_date"] == pd.Timestamp("2025-05-10")
    assert table.loc["r1", "notice_by"] == pd.Timestamp("2025-04-10")
    assert table.loc["r2", "expired_before_year"] and table.loc["r2", "due_in_year"]
    assert not table.loc["r1", "expired_before_year"] and table.loc["r1", "due_in_year"]
    assert not table.loc["r3", "due_in_year"]
    assert "n1" not in table.index


def test_projection_components(history: pd.DataFrame) -> None:
    p = project_stock(
        _products(),
        history,
        2025,
        205,
        {"new": 0.5, "reevaluation": 1.0, "upgrade": 1.0},
        validity_months=TERMS["validity_months"],
    )
    assert p.start_stock == 200
    assert p.new_recognised == pytest.approx(2.0)
    assert p.reevaluations_due == 2 and p.expired_before_year == 1
    assert p.losses == pytest.approx(0.0)
    assert p.end_stock == pytest.approx(202.0)
    assert not p.can_reach
    assert p.gap == pytest.approx(3.0)
    assert p.recognitions_needed == 5
    assert p.new_products_needed == 10
    assert p.required_new_pass_rate == pytest.approx(1.25)
    assert not p.reachable_at_full_pass  # 200 + 4 < 205
    comp = p.components()
    assert comp["component"].tolist()[0] == "start" and comp["component"].tolist()[-1] == "end"
    assert comp["cumulative"].iloc[-1] == pytest.approx(202.0)


def test_upgrades_do_not_add_to_stock(history: pd.DataFrame) -> None:
    base = project_stock(
        _products(),
        history,
        2025,
        205,
        {"new": 1.0, "reevaluation": 1.0, "upgrade": 0.0},
        validity_months=TERMS["validity_months"],
    )
    more = project_stock(
        _products(),
        history,
        2025,
        205,
        {"new": 1.0, "reevaluation": 1.0, "upgrade": 1.0},
        validity_months=TERMS["validity_months"],
    )
    assert base.end_stock == more.end_stock == pytest.approx(204.0)
    assert more.upgrades_achieved == pytest.approx(1.0)


def test_different_pass_rates_give_different_projections(history: pd.DataFrame) -> None:
    low = project_stock(
        _products(), history, 2025, 203, {"new": 0.25, "reevaluation": 0.5}, validity_months=TERMS["validity_months"]
    )
    high = project_stock(
        _products(), history, 2025, 203, {"new": 1.0, "reevaluation": 1.0}, validity_months=TERMS["validity_months"]
    )
    assert low.end_stock == pytest.approx(200 + 1 - 1.5)  # 3 re-evaluations, half fail
    assert high.end_stock == pytest.approx(204.0)
    assert high.can_reach and not low.can_reach


def test_lapse_share_applies_to_due_reevaluations_only(history: pd.DataFrame) -> None:
    p = project_stock(
        _products(),
        history,
        2025,
        205,
        {"new": 1.0, "reevaluation": 1.0},
        lapse_share=0.5,
        unplanned_lapses=3,
        validity_months=TERMS["validity_months"],
    )
    assert p.not_reevaluated == pytest.approx(1.0)  # 2 due x 0.5 (r3 is not due)
    assert p.unplanned_lapses == pytest.approx(3.0)
    assert p.end_stock == pytest.approx(200 + 4 - 1 - 3)
    assert p.summary()["losses"] == pytest.approx(4.0)


def test_invalid_rates_raise(history: pd.DataFrame) -> None:
    with pytest.raises(ValueError):
        project_stock(
            _products(), history, 2025, 205, {"new": 1.2, "reevaluation": 1.0}, validity_months=TERMS["validity_months"]
        )
    with pytest.raises(KeyError):
        project_stock(_products(), history, 2025, 205, {"new": 0.8}, validity_months=TERMS["validity_months"])


def test_sensitivity(history: pd.DataFrame) -> None:
    table = stock_sensitivity(
        _products(),
        history,
        2025,
        203,
        [0.0, 0.5, 1.0],
        {"new": 0.8, "reevaluation": 1.0},
        validity_months=TERMS["validity_months"],
    )
    assert table["end_stock"].tolist() == pytest.approx([200.0, 202.0, 204.0])
    assert table["can_reach"].tolist() == [False, False, True]


def test_cohort_due_from_history(history: pd.DataFrame) -> None:
    assert (
        cohort_due_from_history(history, 2025, validity_months=TERMS["validity_months"]) == 20
    )  # issued 2022: 120 - 100
    assert cohort_due_from_history(history, 2027, validity_months=TERMS["validity_months"]) == 50
    assert (
        cohort_due_from_history(history, 2024, validity_months=TERMS["validity_months"]) is None
    )  # 2021 growth unknown


def test_expiry_pipeline_latest_round_and_flags() -> None:
    pipe = expiry_pipeline(_products(), _rounds(), 2025, years=3, **TERMS).set_index("product_id")
    # r1 expires 10/5/2025, before the first round of 2025: no round can take it
    assert pipe.loc["r1", "no_round_before_expiry"]
    # r2 expired before the plan year: flagged, no round
    assert pipe.loc["r2", "expired_before_year"] and pipe.loc["r2", "no_round_before_expiry"]
    # r3 expires 1/2/2026: latest round is round 2 of 2025 (province, 30/10/2025)
    assert pipe.loc["r3", "latest_round"] == 2
    assert pipe.loc["r3", "latest_round_deadline"] == pd.Timestamp("2025-10-30")
    # u1 expires 15/8/2027: the rounds repeat each year -> round 1 province of 2027
    assert pipe.loc["u1", "latest_round_deadline"] == pd.Timestamp("2027-07-10")
    assert pipe.loc["u1", "latest_round_level"] == "province"
    only_province = expiry_pipeline(_products(), _rounds(), 2025, levels=["province"], **TERMS).set_index("product_id")
    assert only_province.loc["u1", "latest_round_deadline"] == pd.Timestamp("2027-07-10")


def test_expiry_by_year_lists_every_year(history: pd.DataFrame) -> None:
    pipe = expiry_pipeline(_products(), _rounds(), 2025, years=3, **TERMS)
    table = expiry_by_year(pipe, 2025, 3, history=history, validity_months=TERMS["validity_months"])
    assert table["due_year"].tolist() == [2025, 2026, 2027]
    assert table["due"].tolist() == [2, 1, 1]
    assert table["expired_before_year"].tolist() == [1, 0, 0]
    assert table["no_round_before_expiry"].tolist() == [2, 0, 0]
    assert table["cohort_estimate"].tolist() == [20, 30, 50]
    empty = expiry_by_year(pipe.iloc[0:0], 2030, 2, validity_months=TERMS["validity_months"])
    assert empty["due"].tolist() == [0, 0]


def test_expiry_stock_effect(history: pd.DataFrame) -> None:
    table = expiry_by_year(
        expiry_pipeline(_products(), _rounds(), 2025, **TERMS),
        2025,
        history=history,
        validity_months=TERMS["validity_months"],
    )
    effect = expiry_stock_effect(table, 0.5, column="cohort_estimate")
    assert effect["lost"].tolist() == pytest.approx([10.0, 15.0, 25.0])
    assert effect["lost_cumulative"].iloc[-1] == pytest.approx(50.0)
    assert "lost" not in table.columns


def test_expiry_pipeline_drops_repeated_rounds_at_abolished_levels() -> None:
    rules = pd.DataFrame(
        {
            "valid_from": pd.to_datetime(["2023-02-24", "2023-02-24", "2025-07-06", "2025-07-06"]),
            "valid_to": pd.to_datetime(["2025-07-05", "2025-07-05", None, None]),
            "star": pd.array([3, 4, 3, 4], dtype="Int64"),
            "evaluating_level": ["district", "province", "province", "province"],
        }
    )
    products = pd.DataFrame(
        {
            "product_id": ["a", "b"],
            "stream": ["reevaluation"] * 2,
            "certificate_date": pd.to_datetime(["2022-06-20", "2023-06-20"]),
        }
    )
    pipe = expiry_pipeline(products, _rounds(), 2025, rules=rules, **TERMS).set_index("product_id")
    # a expires 20/6/2025: the district round of 15/6/2025 still sits
    assert pipe.loc["a", "latest_round_level"] == "district"
    # b expires 20/6/2026: the district round repeated on 15/6/2026 cannot sit -> last 2025 round
    assert pipe.loc["b", "latest_round_deadline"] == pd.Timestamp("2025-10-30")
    assert pipe.loc["b", "next_round_deadline"] == pd.Timestamp("2025-06-15")
    without_rules = expiry_pipeline(products, _rounds(), 2025, **TERMS).set_index("product_id")
    assert without_rules.loc["b", "latest_round_deadline"] == pd.Timestamp("2026-06-15")


def test_stock_projection_chart_spec(history: pd.DataFrame) -> None:
    from ocop_helpers.document.charts import stock_projection_chart, style

    p = project_stock(
        _products(),
        history,
        2025,
        205,
        {"new": 0.5, "reevaluation": 0.5},
        lapse_share=0.5,
        validity_months=TERMS["validity_months"],
    )
    spec = style(stock_projection_chart(p.components(), 205)).to_dict()
    layers = spec["layer"]
    assert [layer["mark"]["type"] for layer in layers] == ["bar", "text", "rule", "text"]
    data = spec["datasets"][layers[0]["data"]["name"]]
    assert data[0]["label"] == "Số sản phẩm đầu năm" and data[0]["bar_start"] == 0
    assert data[-1]["label"] == "Dự kiến cuối năm" and data[-1]["bar_end"] == pytest.approx(p.end_stock)
    assert {d["kind"] for d in data} == {"Số sản phẩm", "Tăng", "Giảm"}
    target = spec["datasets"][layers[2]["data"]["name"]]
    assert target[0]["target"] == 205


def test_expiry_pipeline_chart_spec(history: pd.DataFrame) -> None:
    from ocop_helpers.document.charts import expiry_pipeline_chart

    table = expiry_by_year(
        expiry_pipeline(_products(), _rounds(), 2025, **TERMS),
        2025,
        history=history,
        validity_months=TERMS["validity_months"],
    )
    spec = expiry_pipeline_chart(table).to_dict()
    rows = spec["datasets"][spec["data"]["name"]]
    assert len(rows) == 6 and {r["year"] for r in rows} == {"2025", "2026", "2027"}
    assert spec["encoding"]["xOffset"]["field"] == "series_label"
    without = expiry_pipeline_chart(table.drop(columns="cohort_estimate")).to_dict()
    assert len(without["datasets"][without["data"]["name"]]) == 3
