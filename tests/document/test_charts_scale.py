"""Charts stay small at any plan size: the rows of data in each Vega-Lite spec are bounded (marks
aggregate by claim band, curve points, pandas histogram bins, lowest units), not one per
organisation or per draw."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ocop_helpers.document import charts
from ocop_helpers.domain import allocation, labels

RULES4 = ["priority", "proportional", "equal_awards", "equal_losses"]


def rows(chart) -> list[int]:
    """Rows of every dataset of a chart's spec."""
    spec = chart.to_dict()
    return [len(v) for v in spec.get("datasets", {}).values()]


def organisations(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "organisation_id": [f"O{i:06d}" for i in range(n)],
            "unit_id": [f"u{i % 99:02d}" for i in range(n)],
            "organisation_type": "cooperative",
            "target_star": pd.array(rng.integers(3, 6, n), dtype="Int64"),
            "stream": "new",
            "claim_vnd": (rng.integers(20, 260, n) * 1_000_000).astype(np.int64),
        }
    )


@pytest.fixture(scope="module", params=[150, 6_000], ids=["150-orgs", "6000-orgs"])
def compared(request: pytest.FixtureRequest) -> pd.DataFrame:
    orgs = organisations(request.param)
    long, _ = allocation.compare_rules(orgs, int(orgs["claim_vnd"].sum() * 0.6), with_optimum=False)
    long = long.assign(rule_label=long["rule"].map(labels.allocation_rule))
    return long


def test_grants_chart_has_at_most_60_rows(compared: pd.DataFrame) -> None:
    four = compared[compared["rule"].isin(RULES4)]
    assert sum(rows(charts.grants_by_organisation_chart(four))) <= charts.MAX_ROWS
    profile = charts.grant_profile(four)
    # every organisation is counted once per rule, in one band
    assert (profile.groupby("rule_label")["organisations"].sum() == four["organisation_id"].nunique()).all()


def test_coverage_by_unit_keeps_the_lowest_units(compared: pd.DataFrame) -> None:
    one = compared[compared["rule"] == "proportional"].copy()
    cov = one.groupby(["unit_id", "rule_label"])[["claim_vnd", "granted_vnd"]].sum().reset_index()
    cov["funded_share"] = cov["granted_vnd"] / cov["claim_vnd"]
    cov["unit_name"] = cov["unit_id"]
    chart = charts.coverage_by_unit_chart(cov)
    assert sum(rows(chart)) <= charts.MAX_ROWS
    if cov["unit_name"].nunique() > charts.TOP_UNITS:
        shown = pd.DataFrame(next(iter(chart.to_dict()["datasets"].values())))
        assert shown["funded_share"].max() <= cov["funded_share"].nsmallest(charts.TOP_UNITS).max()


@pytest.mark.parametrize("draws", [200, 200_000])
def test_histogram_is_40_bins_counted_in_pandas(draws: int) -> None:
    values = np.random.default_rng(1).normal(20e9, 1e9, draws).round()
    chart = charts.simulation_histogram_chart(pd.DataFrame({"total": values}), "total", 21_000_000_000)
    spec = chart.to_dict()
    assert rows(chart) == [40, 1]
    assert all("transform" not in layer for layer in spec["layer"])  # no Vega bin transform
    bins = pd.DataFrame(next(iter(spec["datasets"].values())))
    assert bins["count"].sum() == draws


def test_count_axes_show_whole_numbers() -> None:
    status = pd.DataFrame({"rule_label": ["a", "a"], "status_label": ["Đủ", "Không"], "organisations": [1, 2]})
    axis = charts.funding_status_chart(status).to_dict()["encoding"]["x"]["axis"]
    assert axis["format"] == ",d" and axis["tickMinStep"] == 1


def test_a_funding_status_keeps_its_colour_and_legend_entry_whatever_the_data_hold():
    """Green means 'Hỗ trợ đủ' on every scenario: with only partly and not funded organisations (the
    proportional rule with a minimum grant), the scale still lists the three statuses in the same
    order with the same colours, so no colour changes meaning between two screens."""
    from ocop_helpers.domain import labels

    only_two = pd.DataFrame(
        {
            "rule_label": ["Theo tỷ lệ", "Theo tỷ lệ"],
            "status_label": [labels.FUNDING_STATUS["partial"], labels.FUNDING_STATUS["none"]],
            "organisations": [100, 53],
        }
    )
    all_three = only_two.assign(status_label=[labels.FUNDING_STATUS["full"], labels.FUNDING_STATUS["none"]])
    scales = []
    for frame in (only_two, all_three):
        scale = charts.funding_status_chart(frame).to_dict()["encoding"]["color"]["scale"]
        scales.append(dict(zip(scale["domain"], scale["range"], strict=True)))
    assert scales[0] == scales[1]
    assert scales[0] == {labels.FUNDING_STATUS[k]: colour for k, colour in charts.FUNDING_STATUS_COLOURS.items()}
    assert list(scales[0]) == ["Hỗ trợ đủ", "Hỗ trợ một phần", "Chưa được hỗ trợ"]
