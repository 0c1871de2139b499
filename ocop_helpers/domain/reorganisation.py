"""Rounds against the administrative map and the authority rules in force on their deadlines.

A plan is issued under one map (its province and districts) and one set of authority rules; a round
that falls after a reorganisation is held under the map and rules in force on its deadline. For each
round this module says, from the dated data alone, which province issues (the successor after a
merger), whether its level still sits, which level recognises each star, which budget pays the
rewards, and whether the data leave that uncertain. Plain data with codes.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ocop_helpers.core.dated import day, in_force
from ocop_helpers.domain import authority, units

CERTIFIED_STARS: tuple[int, ...] = (3, 4, 5)


def change_dates(plan, official_tables: dict[str, pd.DataFrame]) -> list[pd.Timestamp]:
    """Dates inside the plan year on which the plan's map or authority rules change: unit changes of
    the plan's units, a new issuing body, a new authority rule period (sorted, unique)."""
    year_start, year_end = pd.Timestamp(plan.year, 1, 1), pd.Timestamp(plan.year, 12, 31)
    dates: set[pd.Timestamp] = set()
    own = set(plan.units["unit_id"])
    changes = plan.unit_changes
    if len(changes):
        mine = changes[changes["from_unit_id"].isin(own)]
        dates |= {day(d) for d in pd.to_datetime(mine["effective_date"]).dropna()}
    bodies = official_tables["issuing_bodies"]
    mine = bodies[bodies["province_id"] == plan.province_id]
    dates |= {day(d) + pd.Timedelta(days=1) for d in pd.to_datetime(mine["valid_to"]).dropna()}
    dates |= {day(d) for d in pd.to_datetime(plan.authority_rules["valid_from"]).dropna()}
    return sorted(d for d in dates if year_start < d <= year_end)


def issuer_id(bodies: pd.DataFrame, province_id: str, on: pd.Timestamp) -> str:
    """The province whose body issues for ``province_id``'s territory on ``on`` (following successors)."""
    seen: set[str] = set()
    current = province_id
    while current not in seen:
        seen.add(current)
        rows = in_force(bodies[bodies["province_id"] == current], on)
        if len(rows):
            return current
        past = bodies[bodies["province_id"] == current]
        nxt = past["successor_id"].dropna()
        nxt = [str(s) for s in nxt if str(s).strip()]
        if not nxt:
            return current
        current = nxt[0]
    return current


def _payer(funding: pd.DataFrame, level: str, on: pd.Timestamp) -> str | None:
    rows = in_force(funding[funding["level"] == level], on)
    return None if rows.empty else str(rows.iloc[0]["source_id"])


def round_authorities(
    plan, rounds: pd.DataFrame, official_tables: dict[str, pd.DataFrame], at: dt.date | pd.Timestamp | None = None
) -> pd.DataFrame:
    """One row per round: ``round, level, deadline, issuer_id`` (province issuing on the deadline),
    ``level_sits`` (the level still exists on the deadline), ``recognises`` (the stars this round's
    level recognises on the deadline), ``recognising_levels`` ({star: level}), ``payer`` (the funding
    source of the recognising level), ``successor`` (issuer differs from the plan's province) and
    ``uncertain`` (the rules in force give recognition to a level that no longer exists). With ``at``
    the map and rules of that one date are used for every round (the plan as issued)."""
    rows = []
    bodies = official_tables["issuing_bodies"]
    funding = official_tables["funding_sources"]
    for r in rounds.sort_values(["deadline", "round"], kind="stable").itertuples(index=False):
        when = day(r.deadline if at is None else at)
        table = authority.authority_table(plan.authority_rules, when)
        recognising = {int(s): str(lv) for s, lv in zip(table["star"], table["recognising_level"], strict=True)}
        stars = tuple(s for s in CERTIFIED_STARS if recognising.get(s) == r.level)
        exists = units.level_exists(plan.units, plan.province_id, r.level, when)
        gone = {
            lv for lv in recognising.values() if units.level_exists(plan.units, plan.province_id, lv, when) is False
        }
        rows.append(
            {
                "round": int(r.round),
                "level": str(r.level),
                "deadline": day(r.deadline),
                "issuer_id": issuer_id(bodies, plan.province_id, when),
                "level_sits": exists is not False,
                "recognises": stars,
                "recognising_levels": recognising,
                "payer": _payer(funding, r.level, when) if exists is not False else None,
                "uncertain": bool(gone),
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    return out.assign(successor=out["issuer_id"] != plan.province_id)


def adjusted_rounds(authorities: pd.DataFrame, after: dt.date | pd.Timestamp) -> pd.DataFrame:
    """The rounds whose deadline falls after ``after`` (the first change inside the plan year)."""
    return authorities[authorities["deadline"] > day(after)].reset_index(drop=True)


# ----------------------------------------------------------------------------- the successor's adjusted plan
def straddled_changes(change_dates, authorities: pd.DataFrame) -> list[pd.Timestamp]:
    """The change dates inside the plan year with at least one round due on or after them."""
    if authorities is None or authorities.empty:
        return []
    last = day(authorities["deadline"].max())
    return sorted(day(d) for d in change_dates if day(d) <= last)


def adjustment_date(
    change_dates, authorities: pd.DataFrame, given: dt.date | pd.Timestamp | None = None
) -> tuple[pd.Timestamp | None, bool]:
    """(date of the adjusted plan, whether it is assumed). None when no round falls on or after a change.

    ``given`` (plan.yaml ``adjustment_date``) wins. Without it the adjusted plan is a draft dated by
    the last change that precedes (or falls on) the first deadline on or after the first change: the
    map and rules of that date are those the first re-assigned round is held under."""
    changes = straddled_changes(change_dates, authorities)
    if not changes:
        return None, False
    if given is not None:
        return day(given), False
    deadlines = pd.to_datetime(authorities["deadline"])
    first_deadline = deadlines[deadlines >= changes[0]].min()
    return max(d for d in changes if d <= first_deadline), True


def rounds_adjusted(authorities: pd.DataFrame, change_dates, on: pd.Timestamp) -> pd.DataFrame:
    """The rounds the adjusted plan of ``on`` re-assigns: due on or after both the first change and ``on``."""
    changes = straddled_changes(change_dates, authorities)
    if not changes:
        return authorities.iloc[0:0]
    start = max(changes[0], day(on))
    return authorities[pd.to_datetime(authorities["deadline"]) >= start].reset_index(drop=True)


def levels_ended(plan, on: pd.Timestamp) -> list[str]:
    """Local levels of the plan's province whose units all end the day before ``on``."""
    units_ = plan.units if plan.all_units is None else plan.all_units
    mine = units_[units_["province_id"] == plan.province_id]
    out = []
    for level, rows in mine.groupby("level", sort=False):
        ends = pd.to_datetime(rows["valid_to"])
        if ends.notna().all() and day(ends.max()) == day(on) - pd.Timedelta(days=1):
            out.append(str(level))
    return out


def council_load(rounds: pd.DataFrame, products_per_session: int, sessions_per_round: int) -> dict[str, object]:
    """The busiest council among ``rounds`` (``Calendar.rounds`` rows): its round, level, load, the
    capacity of one council in a round, the sessions it needs, the sessions beyond the planned ones and
    the rounds beyond one it would need at the planned sessions."""
    if rounds.empty:
        return {}
    busiest = rounds.loc[rounds["max_council_load"].astype("int64").idxmax()]
    load = int(busiest["max_council_load"])
    capacity = int(busiest["capacity_per_council"])
    sessions = -(-load // products_per_session) if products_per_session else 0
    rounds_needed = -(-load // capacity) if capacity else 0
    return {
        "round": int(busiest["round"]),
        "level": str(busiest["level"]),
        "deadline": day(busiest["deadline"]),
        "load": load,
        "capacity": capacity,
        "sessions_needed": sessions,
        "extra_sessions": max(0, sessions - sessions_per_round),
        "extra_rounds": max(0, rounds_needed - 1),
    }
