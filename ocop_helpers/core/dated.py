"""Dated reference data: the one rule for "which rows are in force on a day".

Every dated table (authority rules, units, norms, issuing bodies, legal bases, responsibilities,
funding sources, recipients, signers) has a start and an end column; both bounds are inclusive and
an empty bound is open (no start = always was, no end = still in force).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

DateLike = dt.date | pd.Timestamp | str


def day(value: DateLike) -> pd.Timestamp:
    """A date as a midnight Timestamp (time of day dropped)."""
    return pd.Timestamp(value).normalize()


def in_force(table: pd.DataFrame, on_date: DateLike, start: str = "valid_from", end: str = "valid_to") -> pd.DataFrame:
    """The rows of ``table`` in force on ``on_date`` (start ≤ day ≤ end, empty bounds open), in table order.

    Returns a new frame with a fresh index; the input is not changed.
    """
    when = day(on_date)
    first = pd.to_datetime(table[start]) if start in table.columns else pd.Series(pd.NaT, index=table.index)
    last = pd.to_datetime(table[end]) if end in table.columns else pd.Series(pd.NaT, index=table.index)
    keep = (first.isna() | (first <= when)) & (last.isna() | (last >= when))
    return table.loc[keep].reset_index(drop=True)


def norms_in_force(norms: pd.DataFrame, when: pd.Timestamp) -> pd.DataFrame:
    """The norm rows valid on ``when`` (valid_from ≤ when ≤ valid_to, open end allowed)."""
    return in_force(norms, when)
