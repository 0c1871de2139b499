"""Authority rules by date: boundaries tested on both sides."""

from __future__ import annotations

import pandas as pd
import pytest

from ocop_helpers.domain.authority import (
    AuthorityRuleError,
    authority_table,
    evaluating_levels,
    evaluation_path,
    levels_in_force,
    rule_at,
    rules_at,
)
from tests.support import frames


@pytest.fixture()
def rules() -> pd.DataFrame:
    return frames.authority_rules(frames.RULES_1048 + frames.RULES_148 + frames.RULES_1489)


def test_148_boundary_both_sides(rules: pd.DataFrame) -> None:
    before = rule_at(rules, "2023-02-23", 3)
    on = rule_at(rules, "2023-02-24", 3)
    assert before.evaluating_level == "province" and before.pre_assessing_level == "district"
    assert on.evaluating_level == "district" and on.recognising_level == "district"
    assert on.pre_assessing_level is None


def test_1489_boundary_both_sides(rules: pd.DataFrame) -> None:
    assert rule_at(rules, "2025-07-05", 3).evaluating_level == "district"
    after = rule_at(rules, "2025-07-06", 3)
    assert after.evaluating_level == "province"
    assert after.pre_assessing_level == "commune"
    assert rule_at(rules, pd.Timestamp("2025-07-06 15:30"), 4).recognising_level == "province"
    assert rule_at(rules, "2030-01-01", 5).recognising_level == "central"


def test_rules_at_gives_one_row_per_star(rules: pd.DataFrame) -> None:
    assert list(rules_at(rules, "2025-07-05")["star"]) == [3, 4, 5]
    table = authority_table(rules, "2025-07-06")
    assert list(table["evaluating_level"]) == ["province", "province", "central"]


def test_evaluation_path_changes_with_date(rules: pd.DataFrame) -> None:
    assert evaluation_path(rules, "2025-06-15", 3) == ["district"]
    assert evaluation_path(rules, "2025-06-15", 4) == ["district", "province"]
    assert evaluation_path(rules, "2025-06-15", 5) == ["district", "province", "central"]
    assert evaluation_path(rules, "2025-10-15", 3) == ["province"]
    assert evaluation_path(rules, "2025-10-15", 5) == ["province", "central"]


def test_levels_in_force(rules: pd.DataFrame) -> None:
    assert "district" in evaluating_levels(rules, "2025-07-05")
    assert "district" not in evaluating_levels(rules, "2025-07-06")
    assert "district" not in levels_in_force(rules, "2025-07-06")
    assert "commune" in levels_in_force(rules, "2025-07-06")
    assert "district" in levels_in_force(rules, "2023-02-23")  # pre-screening in the 1048 era


def test_missing_or_overlapping_rule_raises(rules: pd.DataFrame) -> None:
    with pytest.raises(AuthorityRuleError):
        rule_at(rules, "2025-01-01", 2)
    doubled = pd.concat([rules, rules.iloc[[3]]], ignore_index=True)
    with pytest.raises(AuthorityRuleError):
        rule_at(doubled, "2024-01-01", 3)


def test_certified_products_go_to_the_council_of_the_stars_they_reach(rules):
    from ocop_helpers.domain.authority import evaluation_path

    day = "2025-06-15"  # QĐ 148 era: district 3★, province 4★, central 5★
    assert evaluation_path(rules, day, 4) == ["district", "province"]  # new product
    assert evaluation_path(rules, day, 4, current_star=3) == ["province"]  # upgrade 3→4
    assert evaluation_path(rules, day, 5, current_star=4) == ["province", "central"]  # upgrade 4→5
    assert evaluation_path(rules, day, 3, current_star=3) == ["district"]  # re-evaluation
    assert evaluation_path(rules, day, 4, current_star=4) == ["province"]
    assert evaluation_path(rules, "2025-07-06", 4, current_star=3) == ["province"]
