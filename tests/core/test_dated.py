"""dated.in_force: which rows of a dated table hold on a day."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ocop_helpers.core.dated import in_force


def test_in_force_bounds_are_inclusive_and_empty_bounds_open():
    table = pd.DataFrame(
        {
            "name": ["old", "new", "always"],
            "valid_from": pd.to_datetime(["2020-01-01", "2025-07-01", None]),
            "valid_to": pd.to_datetime(["2025-06-30", None, None]),
        }
    )
    assert in_force(table, "2025-06-30")["name"].tolist() == ["old", "always"]
    assert in_force(table, dt.date(2025, 7, 1))["name"].tolist() == ["new", "always"]
    assert in_force(table, "2019-12-31")["name"].tolist() == ["always"]
