"""Units by date, old -> new mapping, re-keying with merges, splits and ambiguity."""

from __future__ import annotations

import pandas as pd
import pytest

from ocop_helpers.domain.units import level_exists, rekey, unit_mapping, units_at
from tests.support import frames


@pytest.fixture()
def units() -> pd.DataFrame:
    return frames.units(
        [
            ("p", "A", "Huyện A", "huyen", "district", "2020-01-01", "2024-12-31"),
            ("p", "B", "Thành phố B", "thanh_pho", "district", "2020-01-01", "2025-06-30"),
            ("p", "C", "Huyện C", "huyen", "district", "2020-01-01", "2025-06-30"),
            ("p", "x1", "Xã 1", "xa", "commune", "2025-07-01", None),
            ("p", "x2", "Phường 2", "phuong", "commune", "2025-07-01", None),
            ("q", "Q", "Huyện Q", "huyen", "district", "2020-01-01", None),
        ]
    )


@pytest.fixture()
def changes() -> pd.DataFrame:
    rows = [
        ("A", "B", "2025-01-01", "merge"),  # A merged wholly into B
        ("B", "x1", "2025-07-01", "reorganise"),  # B split over two new communes
        ("B", "x2", "2025-07-01", "reorganise"),
        ("C", "x2", "2025-07-01", "reorganise"),  # C merged into x2
    ]
    frame = pd.DataFrame(rows, columns=["from_unit_id", "to_unit_id", "effective_date", "kind"])
    frame["effective_date"] = pd.to_datetime(frame["effective_date"])
    frame["note"] = ""
    return frame


def test_units_at_dates(units: pd.DataFrame) -> None:
    assert list(units_at(units, "p", "2024-12-31")["unit_id"]) == ["A", "B", "C"]
    assert list(units_at(units, "p", "2025-01-01")["unit_id"]) == ["B", "C"]
    assert list(units_at(units, "p", "2025-06-30", level="district")["unit_id"]) == ["B", "C"]
    assert list(units_at(units, "p", "2025-07-01")["unit_id"]) == ["x1", "x2"]


def test_level_exists(units: pd.DataFrame) -> None:
    assert level_exists(units, "p", "district", "2025-06-30") is True
    assert level_exists(units, "p", "district", "2025-07-01") is False
    assert level_exists(units, "p", "province", "2025-07-01") is None
    assert level_exists(units, "q", "district", "2025-07-01") is True


def test_merge_sums(changes: pd.DataFrame) -> None:
    mapping = unit_mapping(changes, ["A", "B", "C"], "2024-12-31", "2025-01-01")
    assert set(mapping.loc[mapping["from_unit_id"] == "A", "to_unit_id"]) == {"B"}
    assert set(mapping["relation"]) == {"merged", "unchanged"}
    history = pd.DataFrame({"unit_id": ["A", "B", "C"], "year": [2024] * 3, "products": [5, 7, 2]})
    result = rekey(history, mapping)
    assert result.is_complete
    out = result.table.set_index("unit_id")["products"]
    assert out.to_dict() == {"B": 12, "C": 2}
    assert history["products"].tolist() == [5, 7, 2]  # argument not mutated


def test_changes_on_from_date_are_not_applied_again(changes: pd.DataFrame) -> None:
    mapping = unit_mapping(changes, ["B", "C"], "2025-01-01", "2025-06-30")
    assert (mapping["relation"] == "unchanged").all()
    assert (mapping["from_unit_id"] == mapping["to_unit_id"]).all()


def test_chain_merge_then_split_is_ambiguous(changes: pd.DataFrame) -> None:
    mapping = unit_mapping(changes, ["A", "B", "C"], "2024-12-31", "2025-07-01")
    a = mapping.loc[mapping["from_unit_id"] == "A"]
    assert set(a["to_unit_id"]) == {"x1", "x2"}
    assert a["ambiguous"].all()
    c = mapping.loc[mapping["from_unit_id"] == "C"].iloc[0]
    assert c["to_unit_id"] == "x2" and not c["ambiguous"] and c["relation"] == "merged"
    assert pd.Timestamp(c["effective_date"]) == pd.Timestamp("2025-07-01")

    history = pd.DataFrame({"unit_id": ["A", "B", "C", "Z"], "products": [5, 7, 2, 1]})
    result = rekey(history, mapping)
    assert not result.is_complete
    assert set(result.ambiguous["from_unit_id"]) == {"A", "B"}
    assert set(result.ambiguous["candidates"]) == {"x1, x2"}
    assert result.unmapped["unit_id"].tolist() == ["Z"]
    table = result.table.set_index("unit_id")
    assert table.loc["x2", "products"] == 2  # only the unambiguous part of x2
    assert table.loc["x2", "incomplete"]
    assert table.loc["x1", "products"] == 0 and table.loc["x1", "incomplete"]


def test_split_with_shares_is_allocated(changes: pd.DataFrame) -> None:
    with_shares = changes.assign(share=[1.0, 0.25, 0.75, 1.0])
    mapping = unit_mapping(with_shares, ["B", "C"], "2025-01-01", "2025-07-01")
    assert not mapping["ambiguous"].any()
    history = pd.DataFrame({"unit_id": ["B", "C"], "products": [8, 2]})
    result = rekey(history, mapping)
    assert result.is_complete
    table = result.table.set_index("unit_id")["products"]
    assert table["x1"] == pytest.approx(2.0)
    assert table["x2"] == pytest.approx(8.0)  # 6 from B + 2 from C
    assert table.sum() == pytest.approx(10.0)


def test_rekey_keeps_other_keys(changes: pd.DataFrame) -> None:
    mapping = unit_mapping(changes, ["A", "B", "C"], "2024-12-31", "2025-01-01")
    frame = pd.DataFrame({"unit_id": ["A", "B", "A"], "stream": ["new", "new", "upgrade"], "products": [1, 2, 3]})
    table = rekey(frame, mapping).table.set_index(["unit_id", "stream"])["products"]
    assert table[("B", "new")] == 3 and table[("B", "upgrade")] == 3
