"""Which level evaluates, recognises and pre-assesses which star, at a given date.

The rules are data (``authority_rules.csv``: ``valid_from, valid_to, star, evaluating_level,
recognising_level, pre_assessing_level, source``); both validity bounds are inclusive and an empty
``valid_to`` means "still in force". Nothing here knows which decision applies when.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ocop_helpers.core.dated import in_force

LEVEL_ORDER: tuple[str, ...] = ("commune", "district", "province", "central")
CERTIFIED_STARS: tuple[int, ...] = (3, 4, 5)


class AuthorityRuleError(LookupError):
    """No rule (or more than one rule) covers the requested star and date."""


@dataclass(frozen=True)
class AuthorityRule:
    """The rule in force for one star on one date."""

    star: int
    evaluating_level: str
    recognising_level: str
    pre_assessing_level: str | None
    valid_from: pd.Timestamp | None
    valid_to: pd.Timestamp | None
    source: str


def _as_timestamp(date: dt.date | pd.Timestamp | str) -> pd.Timestamp:
    return pd.Timestamp(date).normalize()


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def rules_at(rules: pd.DataFrame, date: dt.date | pd.Timestamp | str) -> pd.DataFrame:
    """The rows of ``rules`` in force on ``date`` (bounds inclusive, open ends allowed)."""
    return in_force(rules, date)


def rule_at(rules: pd.DataFrame, date: dt.date | pd.Timestamp | str, star: int) -> AuthorityRule:
    """The single rule for ``star`` in force on ``date``; raises ``AuthorityRuleError`` otherwise."""
    current = rules_at(rules, date)
    match = current.loc[current["star"].astype("Int64") == int(star)]
    if len(match) != 1:
        raise AuthorityRuleError(f"{len(match)} authority rules for {star} star(s) on {_as_timestamp(date).date()}")
    row = match.iloc[0]
    return AuthorityRule(
        star=int(star),
        evaluating_level=str(row["evaluating_level"]),
        recognising_level=str(row["recognising_level"]),
        pre_assessing_level=_text(row.get("pre_assessing_level")),
        valid_from=None if pd.isna(row["valid_from"]) else pd.Timestamp(row["valid_from"]),
        valid_to=None if pd.isna(row["valid_to"]) else pd.Timestamp(row["valid_to"]),
        source=_text(row.get("source")) or "",
    )


def authority_table(rules: pd.DataFrame, date: dt.date | pd.Timestamp | str) -> pd.DataFrame:
    """One row per star in force on ``date``: evaluating, recognising and pre-assessing level."""
    current = rules_at(rules, date)
    columns = ["star", "evaluating_level", "recognising_level", "pre_assessing_level", "source"]
    present = [c for c in columns if c in current.columns]
    return current[present].sort_values("star").reset_index(drop=True)


def evaluation_path(
    rules: pd.DataFrame, date: dt.date | pd.Timestamp | str, target_star: int, current_star: int | None = None
) -> list[str]:
    """The council levels a product aiming at ``target_star`` passes through on ``date``, lowest first.

    A new product is scored by the council that rates the lowest certified star and sent on, level by
    level, to the council that rates its target star (e.g. district → province for a 4★ target
    while districts rate 3★; province only once the province rates both 3★ and 4★). A certified
    product (``current_star``) is scored by the councils of the stars it is reaching (a re-evaluation:
    the council of its own star); the central council only takes products proposed by the council
    that rates the star below.
    """
    target = int(target_star)
    if current_star is None or pd.isna(current_star):
        stars = [s for s in CERTIFIED_STARS if s <= target]
    elif int(current_star) >= target:
        stars = [target]
    else:
        stars = [s for s in CERTIFIED_STARS if int(current_star) < s <= target]
    levels: list[str] = []
    for star in stars:
        level = rule_at(rules, date, star).evaluating_level
        if level not in levels:
            levels.append(level)
    if levels == ["central"] and target - 1 in CERTIFIED_STARS:
        levels.insert(0, rule_at(rules, date, target - 1).evaluating_level)
    return sorted(levels, key=level_rank)


def levels_in_force(rules: pd.DataFrame, date: dt.date | pd.Timestamp | str) -> set[str]:
    """Levels that evaluate, recognise or pre-assess some star under the rules in force on ``date``."""
    current = rules_at(rules, date)
    found: set[str] = set()
    for column in ("evaluating_level", "recognising_level", "pre_assessing_level"):
        if column in current.columns:
            found.update(v for v in (_text(x) for x in current[column]) if v)
    return found


def evaluating_levels(rules: pd.DataFrame, date: dt.date | pd.Timestamp | str) -> set[str]:
    """Levels whose council scores some star under the rules in force on ``date``."""
    current = rules_at(rules, date)
    return {v for v in (_text(x) for x in current["evaluating_level"]) if v}


def level_rank(level: str) -> int:
    """Order of evaluation levels, lowest first (commune < district < province < central)."""
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER)
