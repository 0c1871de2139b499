"""reorganisation.adjustment_date / rounds_adjusted / council_load on inline frames."""

from __future__ import annotations

import pandas as pd

from ocop_helpers.domain import reorganisation

T = pd.Timestamp


def rounds(*deadlines: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"round": range(1, len(deadlines) + 1), "level": "province", "deadline": [T(d) for d in deadlines]}
    )


def test_no_round_on_or_after_a_change_gives_no_adjusted_plan():
    assert reorganisation.adjustment_date([T("2025-07-01")], rounds("2025-06-15")) == (None, False)
    assert reorganisation.adjustment_date([], rounds("2025-06-15")) == (None, False)


def test_the_draft_is_dated_by_the_last_change_before_the_first_affected_deadline():
    changes = [T("2025-07-01"), T("2025-07-06")]
    assert reorganisation.adjustment_date(changes, rounds("2025-06-15", "2025-07-10")) == (T("2025-07-06"), True)
    assert reorganisation.adjustment_date(changes, rounds("2025-06-15", "2025-07-03", "2025-10-30")) == (
        T("2025-07-01"),
        True,
    )
    assert reorganisation.adjustment_date(changes, rounds("2025-07-10"), given=T("2025-08-01")) == (
        T("2025-08-01"),
        False,
    )


def test_rounds_adjusted_start_at_the_later_of_the_first_change_and_the_date():
    r = rounds("2025-06-15", "2025-07-10", "2025-10-30")
    changes = [T("2025-07-01")]
    assert list(reorganisation.rounds_adjusted(r, changes, T("2025-07-01"))["round"]) == [2, 3]
    assert list(reorganisation.rounds_adjusted(r, changes, T("2025-08-01"))["round"]) == [3]


def test_council_load_counts_sessions_and_rounds_beyond_the_planned_ones():
    table = pd.DataFrame(
        {
            "round": [1, 2],
            "level": ["province", "province"],
            "deadline": [T("2025-07-10"), T("2025-10-30")],
            "max_council_load": [21, 172],
            "capacity_per_council": [60, 60],
        }
    )
    load = reorganisation.council_load(table, products_per_session=30, sessions_per_round=2)
    assert (load["round"], load["load"], load["sessions_needed"], load["extra_sessions"], load["extra_rounds"]) == (
        2,
        172,
        6,
        4,
        2,
    )
    assert reorganisation.council_load(table.iloc[0:0], 30, 2) == {}
