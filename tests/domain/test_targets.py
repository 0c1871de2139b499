"""Targets by stream and breakdowns (zeros included)."""

from __future__ import annotations

import pandas as pd
import pytest

from ocop_helpers.domain.targets import (
    by_organisation_type,
    by_sector,
    by_subgroup,
    by_target_star,
    by_unit,
    load_concentration,
    stream_summary,
    thin_sectors,
)


@pytest.fixture()
def products() -> pd.DataFrame:
    rows = [
        ("p1", "o1", "U1", "I.1.a", "new", 3),
        ("p2", "o1", "U1", "I.1.a", "new", 4),
        ("p3", "o2", "U1", "II.1.a", "reevaluation", 3),
        ("p4", "o3", "U2", "I.6", "upgrade", 4),
        ("p5", "o3", "U2", "I.1.a", "new", 3),
        ("p6", "o4", "U9", "X.9", "new", 5),  # unit and code outside the reference
    ]
    frame = pd.DataFrame(
        rows, columns=["product_id", "organisation_id", "unit_id", "product_code", "stream", "target_star"]
    )
    frame["target_star"] = frame["target_star"].astype("Int64")
    return frame


@pytest.fixture()
def units() -> pd.DataFrame:
    return pd.DataFrame({"unit_id": ["U1", "U2", "U3"], "unit_name": ["Huyện Một", "Huyện Hai", "Huyện Ba"]})


@pytest.fixture()
def codes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["I.1.a", "I.6", "II.1.a", "VI.1"],
            "sector": ["I", "I", "II", "VI"],
            "sector_name": ["Thực phẩm", "Thực phẩm", "Đồ uống", "Dịch vụ du lịch"],
            "group_name": ["Thực phẩm tươi sống", "Cà phê, ca cao", "Đồ uống có cồn", "Du lịch"],
            "subgroup_name": ["Rau, củ, quả, hạt tươi", None, "Rượu trắng", None],
        }
    )


def test_stream_summary(products: pd.DataFrame) -> None:
    table = stream_summary(products, {"new": 4, "reevaluation": 2, "upgrade": 1, "total": 7})
    t = table.set_index("stream")
    assert t.loc["new", "actual"] == 4 and t.loc["new", "difference"] == 0
    assert t.loc["reevaluation", "difference"] == -1
    assert t.loc["total", "actual"] == 6 and t.loc["total", "target"] == 7
    assert t.loc["new", "actual_share"] == pytest.approx(4 / 6)
    assert t.loc["upgrade", "target_share"] == pytest.approx(1 / 7)


def test_by_unit_lists_units_with_nothing(products: pd.DataFrame, units: pd.DataFrame) -> None:
    table = by_unit(products, units).set_index("unit_id")
    assert list(table.index) == ["U1", "U2", "U3", "U9"]
    assert table.loc["U3", "total"] == 0 and table.loc["U3", "new"] == 0
    assert table.loc["U1", ["new", "reevaluation", "upgrade"]].tolist() == [2, 1, 0]
    assert not table.loc["U9", "in_unit_list"] and table.loc["U9", "unit_name"] == "U9"
    assert table["share"].sum() == pytest.approx(1.0)


def test_by_unit_with_no_products(units: pd.DataFrame, products: pd.DataFrame) -> None:
    table = by_unit(products.iloc[0:0], units)
    assert table["total"].tolist() == [0, 0, 0]
    assert table["share"].tolist() == [0.0, 0.0, 0.0]


def test_by_sector_and_subgroup(products: pd.DataFrame, codes: pd.DataFrame) -> None:
    sectors = by_sector(products, codes).set_index("sector")
    assert list(sectors.index) == ["I", "II", "VI", "unknown"]
    assert sectors.loc["I", "total"] == 4 and sectors.loc["I", "sector_name"] == "Thực phẩm"
    assert sectors.loc["VI", "total"] == 0
    assert sectors.loc["unknown", "total"] == 1
    sub = by_subgroup(products, codes).set_index("code")
    assert sub.loc["I.1.a", "total"] == 3 and sub.loc["I.1.a", "subgroup_name"] == "Rau, củ, quả, hạt tươi"
    assert sub.loc["VI.1", "total"] == 0
    assert sub.loc["X.9", "sector"] == "unknown"


def test_thin_sectors(products: pd.DataFrame, codes: pd.DataFrame) -> None:
    thin = thin_sectors(by_sector(products, codes), max_share=0.2)
    assert thin["sector"].tolist() == ["VI", "II"]


def test_by_target_star(products: pd.DataFrame) -> None:
    table = by_target_star(products).set_index("target_star")
    assert list(table.index) == [3, 4, 5]
    assert table.loc[3, "total"] == 3 and table.loc[4, "upgrade"] == 1 and table.loc[5, "new"] == 1


def test_by_organisation_type(products: pd.DataFrame) -> None:
    organisations = pd.DataFrame(
        {
            "organisation_id": ["o1", "o2", "o3", "o4"],
            "organisation_type": ["cooperative", "enterprise", "cooperative", "household"],
        }
    )
    table = by_organisation_type(products, organisations).set_index("organisation_type")
    assert table.loc["cooperative", "products"] == 4 and table.loc["cooperative", "organisations"] == 2
    assert table.loc["cooperative_group", "products"] == 0
    assert table["share"].sum() == pytest.approx(1.0)


def test_load_concentration(products: pd.DataFrame, units: pd.DataFrame) -> None:
    info = load_concentration(by_unit(products, units), top=1)
    assert info["top_units"]["unit_id"].tolist() == ["U1"]
    assert info["top_share"] == pytest.approx(0.5)
    assert info["zero_units"] == ["Huyện Ba"]
    assert info["heavy_units"] == ["Huyện Một"]


def test_unit_stream_chart_spec(products: pd.DataFrame, units: pd.DataFrame) -> None:
    from ocop_helpers.document.charts import style, unit_stream_chart

    spec = style(unit_stream_chart(by_unit(products, units))).to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["stack"] == "zero"
    assert spec["encoding"]["y"]["sort"][0] == "Huyện Một"
    assert spec["encoding"]["color"]["scale"]["domain"] == ["Đánh giá lần đầu", "Đánh giá lại", "Nâng hạng sao"]
    rows = spec["datasets"][spec["data"]["name"]]
    assert len(rows) == 4 * 3  # every unit (the empty one too) x every stream
    assert {r["unit_name"] for r in rows if r["total"] == 0} == {"Huyện Ba"}
