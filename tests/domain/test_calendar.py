"""Evaluation calendar: routing by the rule in force, load, capacity, flags, re-routing."""

from __future__ import annotations

import pandas as pd
import pytest

from ocop_helpers.domain.calendar import calendar_warnings, evaluation_calendar, round_status, route_products
from tests.support import frames


def _rules() -> pd.DataFrame:
    return frames.authority_rules(frames.RULES_148 + frames.RULES_1489)


def _units() -> pd.DataFrame:
    return frames.units(
        [
            ("p", "D1", "Huyện 1", "huyen", "district", "2020-01-01", "2025-06-30"),
            ("p", "D2", "Huyện 2", "huyen", "district", "2020-01-01", "2025-06-30"),
            ("p", "D3", "Huyện 3", "huyen", "district", "2020-01-01", "2025-06-30"),
            ("p", "X1", "Xã 1", "xa", "commune", "2025-07-01", None),
        ]
    )


def _rounds(rows: list[tuple[int, str, str]]) -> pd.DataFrame:
    return frames.rounds(rows)


STRADDLING = [
    (1, "district", "2025-06-15"),
    (1, "province", "2025-07-10"),
    (2, "district", "2025-10-15"),
    (2, "province", "2025-10-30"),
]


def _products(rows: list[tuple[str, str, str, int, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["product_id", "unit_id", "stream", "target_star", "planned_round"])
    frame["target_star"] = frame["target_star"].astype("Int64")
    frame["planned_round"] = frame["planned_round"].astype("Int64")
    return frame


@pytest.fixture()
def products() -> pd.DataFrame:
    return _products(
        [
            ("p1", "D1", "new", 3, 1),
            ("p2", "D1", "new", 4, 1),
            ("p3", "D2", "reevaluation", 3, 2),
            ("p4", "D2", "upgrade", 4, 2),
            ("p5", "D1", "new", 5, 2),
        ]
    )


def test_round_status_flags_district_after_abolition_from_data() -> None:
    status = round_status(_rounds(STRADDLING + [(3, "district", "2025-07-03")]), _rules(), _units(), "p")
    by_key = status.set_index(["round", "level"])
    assert by_key.loc[(1, "district"), "level_in_force"]
    assert not by_key.loc[(2, "district"), "level_in_force"]
    assert not by_key.loc[(2, "district"), "level_in_rules"]
    # between the end of the district level (units) and the new rule (authority): units decide
    assert by_key.loc[(3, "district"), "level_in_rules"]
    assert by_key.loc[(3, "district"), "units_exist"] == False  # noqa: E712
    assert not by_key.loc[(3, "district"), "level_in_force"]
    assert by_key.loc[(2, "province"), "level_in_force"]
    assert pd.isna(by_key.loc[(2, "province"), "units_exist"])


def test_round_status_without_units_uses_rules_only() -> None:
    status = round_status(_rounds(STRADDLING), _rules())
    assert status["level_in_force"].tolist() == [True, True, False, True]


def test_as_filed_routing_flags_and_keeps_products(products: pd.DataFrame) -> None:
    steps = route_products(products, _rounds(STRADDLING), _rules(), _units(), "p", routing="as_filed")
    p2 = steps.loc[steps["product_id"] == "p2"]
    assert p2["level"].tolist() == ["district", "province"]
    assert (p2["status"] == "scheduled").all()
    p3 = steps.loc[steps["product_id"] == "p3"].iloc[0]
    assert p3["level"] == "district" and p3["round"] == 2 and p3["status"] == "level_not_in_force"
    p5 = steps.loc[steps["product_id"] == "p5"]
    assert p5["level"].tolist() == ["district", "province", "central"]
    assert p5["status"].tolist() == ["level_not_in_force", "scheduled", "no_round"]
    assert pd.isna(p5["round"].iloc[2])


def test_rerouted_moves_abolished_round_to_provincial_round(products: pd.DataFrame) -> None:
    steps = route_products(products, _rounds(STRADDLING), _rules(), _units(), "p", routing="rerouted")
    p3 = steps.loc[steps["product_id"] == "p3"]
    assert p3["level"].tolist() == ["province"]
    assert p3["status"].tolist() == ["rerouted"] and p3["from_level"].tolist() == ["district"]
    assert p3["deadline"].tolist() == [pd.Timestamp("2025-10-30")]
    p4 = steps.loc[steps["product_id"] == "p4"]  # district step merges into its province step
    assert p4["level"].tolist() == ["province"] and len(p4) == 1
    # round 1 is untouched
    assert steps.loc[steps["product_id"] == "p1", "status"].tolist() == ["scheduled"]


def test_rerouted_falls_back_to_next_provincial_round() -> None:
    rounds = _rounds([(1, "province", "2025-07-10"), (2, "district", "2025-09-15"), (3, "province", "2025-11-30")])
    products = _products([("a", "D1", "new", 3, 2)])
    steps = route_products(products, rounds, _rules(), _units(), "p", routing="rerouted", filed_on="2025-01-15")
    row = steps.iloc[0]
    assert row["round"] == 3 and row["level"] == "province" and row["status"] == "rerouted"


def test_rerouted_without_any_later_round_is_reported() -> None:
    rounds = _rounds([(1, "province", "2025-07-10"), (2, "district", "2025-09-15")])
    products = _products([("a", "D1", "new", 3, 2)])
    steps = route_products(products, rounds, _rules(), _units(), "p", routing="rerouted", filed_on="2025-01-15")
    assert steps["status"].tolist() == ["no_round"] and steps["from_level"].tolist() == ["district"]


def test_post_reform_plan_routes_to_province_only() -> None:
    rounds = _rounds([(1, "province", "2026-06-30"), (2, "province", "2026-10-30")])
    products = _products([("a", "X1", "new", 3, 1), ("b", "X1", "new", 4, 2), ("c", "X1", "upgrade", 5, 2)])
    cal = evaluation_calendar(products, rounds, _rules(), _units(), "p", products_per_session=10, sessions_per_round=1)
    assert cal.steps.loc[cal.steps["product_id"] == "c", "level"].tolist() == ["province", "central"]
    assert cal.rounds["products"].tolist() == [1, 2]
    assert cal.rounds["level_in_force"].all()


def test_unknown_routing_raises(products: pd.DataFrame) -> None:
    with pytest.raises(ValueError):
        route_products(products, _rounds(STRADDLING), _rules(), routing="guess")


def test_calendar_load_capacity_passed_and_empty_rounds(products: pd.DataFrame) -> None:
    rounds = _rounds(STRADDLING + [(3, "province", "2025-12-10")])
    cal = evaluation_calendar(
        products,
        rounds,
        _rules(),
        _units(),
        "p",
        as_of="2025-07-01",
        products_per_session=1,
        sessions_per_round=1,
    )
    table = cal.rounds.set_index(["round", "level"])
    # district round 1: D1 has p1 and p2 -> its council is over a capacity of 1
    assert table.loc[(1, "district"), "products"] == 2
    assert table.loc[(1, "district"), "councils"] == 1
    assert table.loc[(1, "district"), "over_capacity"]
    assert table.loc[(1, "district"), "over_capacity_units"] == "D1"
    assert table.loc[(1, "district"), "deadline_passed"]
    assert not table.loc[(1, "province"), "deadline_passed"]
    assert table.loc[(1, "province"), "days_to_deadline"] == 9
    # empty round still listed, with zeros
    assert table.loc[(3, "province"), "products"] == 0
    assert table.loc[(3, "province"), "empty"]
    assert table.loc[(3, "province"), "new"] == 0
    # as filed, the district round 2 keeps its products but is flagged
    assert table.loc[(2, "district"), "products"] == 3
    assert not table.loc[(2, "district"), "level_in_force"]
    warnings = cal.warnings
    assert set(warnings["warning"]) == {"level_not_in_force", "over_capacity", "deadline_passed", "empty"}
    assert warnings.loc[warnings["warning"] == "level_not_in_force", ["round", "level"]].values.tolist() == [
        [2, "district"]
    ]


def test_rerouted_calendar_changes_load(products: pd.DataFrame) -> None:
    rounds = _rounds(STRADDLING)
    filed = evaluation_calendar(products, rounds, _rules(), _units(), "p", routing="as_filed")
    moved = evaluation_calendar(products, rounds, _rules(), _units(), "p", routing="rerouted")
    f = filed.rounds.set_index(["round", "level"])["products"]
    m = moved.rounds.set_index(["round", "level"])
    assert f[(2, "province")] == 2  # p4 and p5 (4★ and 5★ targets go on to the province)
    assert m.loc[(2, "province"), "products"] == 3  # p3 rerouted in, p4/p5 not double counted
    assert m.loc[(2, "province"), "rerouted_in"] == 1
    assert m.loc[(2, "district"), "products"] == 0
    assert len(moved.products_in(2, "province")) == 3
    assert moved.unscheduled["level"].tolist() == ["central"]


def test_capacity_per_level_mapping(products: pd.DataFrame) -> None:
    cal = evaluation_calendar(
        products,
        _rounds(STRADDLING),
        _rules(),
        _units(),
        "p",
        products_per_session={"district": 5, "province": 1},
        sessions_per_round=1,
    )
    table = cal.rounds.set_index(["round", "level"])
    assert table.loc[(1, "district"), "capacity_per_council"] == 5
    assert not table.loc[(1, "district"), "over_capacity"]
    assert table.loc[(2, "province"), "over_capacity"]


def test_no_warnings_table_is_empty() -> None:
    rounds = _rounds([(1, "province", "2026-06-30")])
    products = _products([("a", "X1", "new", 3, 1)])
    cal = evaluation_calendar(products, rounds, _rules(), _units(), "p", as_of="2026-01-01")
    assert cal.warnings.empty
    assert list(calendar_warnings(cal.rounds).columns) == [
        "round",
        "level",
        "deadline",
        "warning",
        "products",
        "detail",
    ]


def test_calendar_load_chart_spec(products: pd.DataFrame) -> None:
    from ocop_helpers.document.charts import calendar_load_chart, style

    rounds = _rounds(STRADDLING + [(3, "province", "2025-12-10")])
    cal = evaluation_calendar(products, rounds, _rules(), _units(), "p", products_per_session=1, sessions_per_round=1)
    spec = style(calendar_load_chart(cal.rounds, as_of="2025-07-01")).to_dict()
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["rule", "bar", "tick", "rule"]
    bars = spec["layer"][1]
    assert bars["encoding"]["x"]["field"] == "deadline" and bars["encoding"]["x"]["type"] == "temporal"
    rows = spec["datasets"][bars["data"]["name"]]
    assert len(rows) == 5  # the empty round is drawn too
    flagged = {r["round_label"]: r["status"] for r in rows}
    assert flagged["Đợt 2 – Cấp huyện"] == "Cấp đánh giá không còn tổ chức tại thời hạn"
    assert flagged["Đợt 3 – Cấp tỉnh"] == "Bình thường"
    assert any(r["deadline_text"] == "15/10/2025" for r in rows)


def test_arguments_are_not_mutated(products: pd.DataFrame) -> None:
    rounds, rules, units = _rounds(STRADDLING), _rules(), _units()
    before = [frame.copy() for frame in (products, rounds, rules, units)]
    evaluation_calendar(products, rounds, rules, units, "p", routing="rerouted", as_of="2025-08-01")
    for original, after in zip(before, (products, rounds, rules, units), strict=False):
        pd.testing.assert_frame_equal(original, after)
